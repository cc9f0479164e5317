"""Regression tests for an engine bug the property tests found: how backward() adds into leaves.

It added each path's contribution straight onto a leaf's existing ``.grad``, so a second backward
gave ``g + p1 + p2``, which can differ from ``2 * g`` in the last bit. Now each call sums its own
gradient from zero and adds it to the leaf once.
"""

from __future__ import annotations

import pytest

from autograd import Value, detect_anomaly, grad


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


@pytest.mark.parametrize("walk", ["backward", "grad"])
def test_a_sort_that_raises_midway_leaves_every_gradient_as_it_was(walk):
    # the fast walk zeroes each .grad as it places the node: a failure must put them back
    x = Value(1.5)
    placed_first = x * 3.0  # x and this node are placed before the broken one is reached
    broken = x * Value(2.0)
    broken._b = []  # not a Value and unhashable: the sort raises TypeError on reaching it
    out = placed_first + broken
    for node, g in ((x, 7.0), (placed_first, -1.0), (broken, 0.25), (out, 9.0)):
        node.grad = g
    with pytest.raises(TypeError):
        out.backward() if walk == "backward" else grad(out, [x])
    assert [x.grad, placed_first.grad, broken.grad, out.grad] == [7.0, -1.0, 0.25, 9.0]
