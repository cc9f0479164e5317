"""The verdict on one derivative: the analytic value against Ridders' estimate, and, when they
disagree, what the small-step central differences say about why (a kink, a pole, a cut graph)."""

from __future__ import annotations

import dataclasses
import math

from .finite_differences import (
    Difference,
    Estimate,
    Function,
    is_kink,
    is_pole,
    is_resolved,
    limits,
    looks_like_kink,
    ridders,
)
from .result import CUT, KINK, NOT_FINITE, OK, POLE, STEP, WIDEN, WRONG, Row

CLOSER = 64  # a failing row's last Ridders tableau starts at the small step over this


def compare(
    argument: str,
    analytic: float,
    at: Difference,
    estimate: Estimate,
    *,
    along: Function,
    atol: float,
    rtol: float,
    reached: bool = True,
    node: str = "",
    op: str = "",
    order: int = 1,
) -> Row:
    """The row for one derivative: ``analytic`` against Ridders' ``estimate`` of the derivative of
    ``along`` (the function differentiated, as a function of one float), with the central
    difference ``at`` at a small step to tell kinks and poles apart.

    A row passes when Ridders' estimate is sure to within the tolerance (``error <= atol + rtol *
    |numeric|``) and ``|analytic - numeric| <= atol + rtol * |numeric| + WIDEN * error``; failing
    that, when the small-step central difference extrapolated to step 0 (``limits``: for a
    derivative that is continuous but not smooth, as of ``relu(x) * x`` at 0) agrees, or, when no
    pole is within the small step, a last tableau of smaller steps does (for a kink of the
    derivative nearer than the steps so far); the numeric column then shows that estimate. A row
    that passes at a kink is a KINK. A failing row is told apart: NOT_FINITE, CUT when the graph
    does not reach the input (``reached`` is false), POLE, KINK, STEP when neither numeric
    derivative is settled, else WRONG.
    """
    analytic, numeric, error = float(analytic), estimate.value, estimate.error
    if not math.isfinite(numeric):  # no finite tableau: g is not finite at any of its steps
        numeric, error = at.central, math.inf
    row = Row(argument, at.x, analytic, numeric, OK, node, op, order, error)
    tolerance = atol + rtol * abs(numeric)
    if not (math.isfinite(analytic) and math.isfinite(numeric)):
        return dataclasses.replace(row, flag=NOT_FINITE)
    if _agrees(analytic, Estimate(numeric, error), atol, rtol):
        return _unless_kink(row, along, at, tolerance)
    if not reached:
        return dataclasses.replace(row, flag=CUT)
    first, second = limits(along, at)
    limit = min((first, second), key=lambda x: abs(x - analytic))
    if abs(analytic - limit) <= atol + rtol * abs(limit):
        row = dataclasses.replace(row, numeric=limit, error=abs(first - second))
        return _unless_kink(row, along, at, tolerance)
    if is_pole(at):
        return dataclasses.replace(row, flag=POLE)
    close = ridders(along, at.x, at.h / CLOSER)
    if _agrees(analytic, close, atol, rtol):
        row = dataclasses.replace(row, numeric=close.value, error=close.error)
        return _unless_kink(row, along, at, tolerance)
    if is_kink(along, at, tolerance):
        verdict = KINK
    else:
        verdict = WRONG if row.sure(atol, rtol) or is_resolved(along, at, tolerance) else STEP
    return dataclasses.replace(row, flag=verdict)


def _agrees(analytic: float, estimate: Estimate, atol: float, rtol: float) -> bool:
    """Whether ``estimate`` is sure to within the tolerance and agrees with ``analytic`` within
    the tolerance widened by ``WIDEN`` error estimates."""
    allowed = atol + rtol * abs(estimate.value)
    difference = abs(analytic - estimate.value)
    return estimate.error <= allowed and difference <= allowed + WIDEN * estimate.error


def _unless_kink(row: Row, along: Function, at: Difference, tolerance: float) -> Row:
    """``row`` as it is (it agrees), or flagged KINK when the point is at a kink anyway."""
    kink = looks_like_kink(at, tolerance) and is_kink(along, at, tolerance)
    return dataclasses.replace(row, flag=KINK) if kink else row
