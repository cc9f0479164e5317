"""Anomaly mode raises no false alarm: a branch of a rule's ``where`` that is not taken is never
computed, so it builds no node (``x ** -1``, ``log(0)``) for ``detect_anomaly`` to flag. The
oracles are the closed forms of the derivatives (PyTorch raises on none of these)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value, detect_anomaly, grad, topological_order
from autograd.core.ieee import FLOATS
from autograd.tape import NUMPY_MATH


def higher(build, at, order):
    """The derivatives of ``build`` at ``at`` up to ``order``, by ``grad(create_graph=True)``."""
    x = Value(at, label="x")
    current, found = build(x), []
    for _ in range(order):
        (current,) = grad(current, [x], create_graph=True)
        found.append(current.data)
    return found, current


@pytest.mark.parametrize(
    ("build", "at", "expected"),
    [
        (lambda x: x**0, 0.0, [0.0, 0.0]),  # the example: no 0 * 0 ** -1
        (lambda x: x**1, 0.0, [1.0, 0.0]),
        (lambda x: x**2, 0.0, [0.0, 2.0]),
        (lambda x: x**3, 0.0, [0.0, 0.0, 6.0]),
        (lambda x: 0.0**x, 2.0, [0.0, 0.0]),  # no log(0)
        (lambda x: Value(0.0) ** x, 2.0, [0.0, 0.0]),
    ],
)
def test_higher_derivatives_at_a_zero_base_raise_no_false_alarm(build, at, expected):
    with detect_anomaly():
        found, last = higher(build, at, len(expected))
    assert found == expected
    with detect_anomaly():  # and nothing in the graph of the last derivative is inf or nan
        assert all(math.isfinite(v.data) for v in topological_order(last))


def test_x_to_the_y_at_zero_two_raises_no_false_alarm_and_gives_both_partials():
    x, y = Value(0.0, label="x"), Value(2.0, label="y")
    with detect_anomaly():
        dx, dy = grad(x**y, [x, y], create_graph=True)
        (dxdx,) = grad(dx, [x])
    assert (dx.data, dy.data, dxdx) == (0.0, 0.0, 2.0)  # y x^(y-1), x^y log x -> 0, y(y-1)x^(y-2)


def test_a_branch_taken_is_still_checked():
    x = Value(0.0, label="x")
    with detect_anomaly(), pytest.raises(FloatingPointError, match="log"):
        grad(x.log(), [x], create_graph=True)


def test_where_computes_only_the_branch_taken_on_floats_and_both_on_arrays():
    calls = []

    def branch(value):
        return lambda: calls.append(value) or value

    assert FLOATS.where(True, branch(1.0), branch(2.0)) == 1.0 and calls == [1.0]
    assert FLOATS.where(False, 3.0, 4.0) == 4.0
    picked = NUMPY_MATH.where(np.array([True, False]), branch(5.0), lambda: np.array([6.0, 7.0]))
    assert picked.tolist() == [5.0, 7.0] and calls == [1.0, 5.0]
