"""Float64 finite differences: the independent oracle every gradient check compares with.

Knows nothing of Values or the op table: it differentiates plain functions of one float.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

STEP = sys.float_info.epsilon ** (1 / 3)  # ~6.06e-6: balances truncation and rounding error

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
    (kink between ``h / 8`` and ``h`` away). So: a gap beyond ``tolerance`` that does not scale
    with the step.
    """
    if not abs(at.gap) > tolerance:
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
    0) one side's value has the other sign and is no smaller, where a smooth crossing of zero or
    a kink would pass near 0. (Only failing differences are asked.)"""
    if not at.middle or not all(map(math.isfinite, (at.down, at.middle, at.up))):
        return False
    return any(side * at.middle < 0 and abs(side) > abs(at.middle) / 8 for side in (at.down, at.up))


def limits(g: Function, at: Difference) -> tuple[float, float]:
    """The central difference extrapolated to step 0 from steps ``h`` and ``h / 8`` (Richardson),
    for an error that shrinks as ``h`` (a jump in ``g''``, as for ``relu(x) * x`` at 0) and as
    ``h^2`` (a smooth ``g``)."""
    coarse, fine = at.central, central_difference(g, at.x, at.h / 8)
    return fine - (coarse - fine) / 7, fine - (coarse - fine) / 63
