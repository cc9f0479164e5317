"""Float64 finite differences: the independent oracle every gradient check compares with.

Knows nothing of Values or the op table: it differentiates plain functions of one float. The
numeric derivative is Ridders' (``ridders``: a value and an error estimate); central differences
at a small step (``difference``) tell kinks and poles apart when a check fails.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

EPSILON = sys.float_info.epsilon
STEP = EPSILON ** (1 / 3)  # ~6.06e-6: balances truncation and rounding error

Function = Callable[[float], float]
DIRECTIONS_SEED = 20261201  # random directions are the same on every run


def random_directions(n: int, count: int) -> list[list[float]]:
    """``count`` random unit vectors of ``n`` components (Gaussian, normalised), reproducibly."""
    rng = random.Random(DIRECTIONS_SEED)
    directions = []
    for _ in range(count):
        v = [rng.gauss(0.0, 1.0) for _ in range(n)]
        norm = math.sqrt(math.fsum(c * c for c in v))
        directions.append([c / norm for c in v])
    return directions


def step(x: float, eps: float | None = None) -> float:
    """The difference step at ``x``: ``eps`` if given, else ``cbrt(machine eps) * max(1, |x|)``."""
    if eps is None:
        return STEP * max(1.0, abs(x))
    if not eps > 0:
        raise ValueError(f"eps must be a step > 0, got {eps!r}")
    if x + eps == x or x - eps == x:
        raise ValueError(f"eps={eps!r} is too small to move x={x!r} in float64 arithmetic")
    return eps


FIRST_STEP = 1e-3  # Ridders' first step, times max(1, |x|)
SHRINK = 2.0  # each row of Ridders' tableau halves the step
TABLEAU = 10  # rows at most: 20 evaluations
ROUNDING = 4.0  # an estimate is never surer than this many ulps of g, over the step
KINK_ULPS = 1024.0  # a kink's gap is beyond this many ulps of g over the step: g's rounding
# (tens of ulps in a long graph) times 4 in a gap, times 8 at an eighth of the step


@dataclass(frozen=True)
class Estimate:
    """A numeric derivative and how sure it is: the true one is within about ``error`` of it."""

    value: float
    error: float


def first_step(x: float, eps: float | None = None) -> float:
    """Ridders' first step at ``x``: ``eps`` if given, else ``1e-3 * max(1, |x|)``."""
    return FIRST_STEP * max(1.0, abs(x)) if eps is None else step(x, eps)


def ridders(g: Function, x: float, h: float, size: float | None = None) -> Estimate:
    """``g'(x)`` by Ridders' method, with an error estimate.

    Central differences at steps ``h, h/2, h/4, ...`` fill the first column of a tableau; since
    their error is a series in even powers of the step, each further column extrapolates the one
    before to step 0 (Richardson), cancelling one more term. Each entry's error is estimated by
    how far it moved from its neighbours, and never below the rounding of ``g`` over the step. The
    answer is the entry of least error estimate. A row stops the tableau once the best estimate is
    at rounding level (smaller steps only round worse) or its own entries are much worse than the
    best (the step has gone past its best); ``TABLEAU`` rows at most. A row where ``g`` is not
    finite (the edge of ``g``'s domain within the step) starts the tableau afresh. ``size`` is
    how large the numbers are that ``x`` moves (``|x|`` unless given), for their rounding.
    """
    size = abs(x) if size is None else size
    best = Estimate(math.nan, math.inf)
    above: list[float] = []  # the row before
    for _ in range(TABLEAU):
        up, down, width = g(x + h), g(x - h), (x + h) - (x - h)
        row = [(up - down) / width]
        h /= SHRINK
        if not math.isfinite(row[0]):
            above = []
            continue
        magnitude = max(abs(up), abs(down)) + abs(size * row[0])  # g's, and x's rounding in g
        rounding = 2 * ROUNDING * EPSILON * magnitude / width
        factor, here = 1.0, math.inf
        for j, previous in enumerate(above):
            factor *= SHRINK * SHRINK
            row.append((factor * row[j] - previous) / (factor - 1))
            error = max(abs(row[j + 1] - row[j]), abs(row[j + 1] - previous), rounding)
            here = min(here, error)
            if error <= best.error:
                best = Estimate(row[j + 1], error)
        if best.error <= rounding or here > 2 * best.error:
            break
        above = row
    return best


@dataclass(frozen=True)
class Difference:
    """A function's values at ``x - h``, ``x`` and ``x + h``, and the slopes they give."""

    x: float
    h: float
    down: float
    middle: float
    up: float

    @property
    def central(self) -> float:
        """``(g(x + h) - g(x - h)) / 2h``, dividing by the step actually taken."""
        return (self.up - self.down) / ((self.x + self.h) - (self.x - self.h))

    @property
    def gap(self) -> float:
        """Right slope minus left slope."""
        return (self.up - self.middle) / self.h - (self.middle - self.down) / self.h

    @property
    def rounding(self) -> float:
        """A gap that rounding alone can make, at this step or an eighth of it: ``KINK_ULPS`` ulps
        of ``g`` (and of ``x``'s rounding in ``g``) over the step."""
        size = max(abs(self.down), abs(self.middle), abs(self.up)) + abs(self.x * self.central)
        return KINK_ULPS * EPSILON * size / self.h


def difference(g: Function, x: float, h: float, middle: float | None = None) -> Difference:
    """``g`` around ``x`` with step ``h``; pass ``middle`` when ``g(x)`` is already known."""
    return Difference(x, h, g(x - h), g(x) if middle is None else middle, g(x + h))


def central_difference(g: Function, x: float, h: float) -> float:
    """``g'(x)`` by a central difference with step ``h``."""
    return Difference(x, h, g(x - h), 0.0, g(x + h)).central


def is_kink(g: Function, at: Difference, tolerance: float) -> bool:
    """Whether ``g`` has a kink at ``at.x`` or within ``at.h`` of it.

    On a smooth function the right and left slopes differ by about ``h * g''(x)``: the gap shrinks
    eightfold with the step. At a kink the gap is a jump that stays (kink at ``x``) or vanishes
    (kink between ``h / 8`` and ``h`` away). So: a gap beyond ``tolerance`` and rounding that does
    not scale with the step.
    """
    if not abs(at.gap) > max(tolerance, at.rounding):
        return False
    ratio = difference(g, at.x, at.h / 8, at.middle).gap / at.gap
    return not 1 / 16 < ratio < 1 / 4


def looks_like_kink(at: Difference, tolerance: float) -> bool:
    """A cheap first test, on a difference that passed: a gap large beside the slopes."""
    slope = abs(at.up - at.middle) / at.h + abs(at.middle - at.down) / at.h
    return abs(at.gap) > max(tolerance, 1e-2 * slope)


def is_resolved(g: Function, at: Difference, tolerance: float) -> bool:
    """Whether the central difference moves by at most ``tolerance`` when the step shrinks
    eightfold; if not, ``g`` curves too sharply within the step (near a pole) to trust it."""
    return abs(at.central - central_difference(g, at.x, at.h / 8)) <= tolerance


def is_pole(at: Difference) -> bool:
    """Whether ``g`` changes sign through infinity within the step: across a pole (``1/x`` near
    0) one side's value has the other sign and is no smaller, and the middle value is beyond
    both sides, where a smooth crossing of zero passes between them. (Only failing differences
    are asked.)"""
    if not at.middle or not all(map(math.isfinite, (at.down, at.middle, at.up))):
        return False
    if min(at.down, at.up) <= at.middle <= max(at.down, at.up):
        return False
    return any(side * at.middle < 0 and abs(side) > abs(at.middle) / 8 for side in (at.down, at.up))


def limits(g: Function, at: Difference) -> tuple[float, float]:
    """The central difference extrapolated to step 0 from steps ``h`` and ``h / 8`` (Richardson),
    for an error that shrinks as ``h`` (a jump in ``g''``, as for ``relu(x) * x`` at 0) and as
    ``h^2`` (a smooth ``g``)."""
    coarse, fine = at.central, central_difference(g, at.x, at.h / 8)
    return fine - (coarse - fine) / 7, fine - (coarse - fine) / 63
