"""Regression tests for an engine bug the property tests found: how backward() adds into leaves.

It added each path's contribution straight onto a leaf's existing ``.grad``, so a second backward
gave ``g + p1 + p2``, which can differ from ``2 * g`` in the last bit. Now each call sums its own
gradient from zero and adds it to the leaf once.
"""

from __future__ import annotations

import pytest

from autograd import Value, detect_anomaly


def test_backward_twice_doubles_a_leaf_reached_by_two_paths_exactly():
    a = Value(1.0)
    out = a.tanh() - a  # paths through tanh and straight into -: partials 0.42 and -1
    out.backward()
    once = a.grad
    out.backward()
    assert a.grad == 2 * once


def test_a_backward_that_raises_keeps_the_earlier_leaf_gradients():
    a, b = Value(0.0), Value(2.0)
    a.grad = b.grad = 1.0
    out = a.sqrt() * b  # d sqrt(a)/da is inf at 0
    with detect_anomaly(), pytest.raises(FloatingPointError):
        out.backward()
    assert a.grad == b.grad == 1.0  # their earlier gradients: a failed call adds nothing
