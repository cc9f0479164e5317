"""``grad()`` on the fast path: the walk in the ``.grad`` slots gives the reference's gradients to
the bit, and leaves every ``.grad`` exactly as it found it, even when the walk fails."""

from __future__ import annotations

import math
import struct

import pytest

from autograd import Op, Value, apply, detect_anomaly, fast, grad, register
from autograd.core import gradients

from .test_fast_parity import engine


@pytest.fixture(autouse=True)
def fast_path():
    """These tests are about the fast path: on it even under VALUEGRAPH_ENGINE=reference."""
    with engine(fast_path=True):
        yield


def bits(xs) -> list[bytes]:
    return [struct.pack("<d", x) for x in xs]  # -0.0 and a nan's sign included


def graph() -> tuple[list[Value], list[Value], Value]:
    """Leaves with awkward earlier gradients, some intermediate nodes, and a root."""
    x, y, z = Value(0.5), Value(-2.0), Value(3.0)
    x.grad, y.grad, z.grad = -0.0, math.nan, 7.25
    u = x * y + x
    v = (u - 0.5).relu() + u.tanh() * z
    return [x, y, z], [u, v], v / (u**2 + 1.0) - y * 0.1


def test_grad_on_the_fast_path_matches_the_reference_bit_for_bit():
    results = {}
    for fast_path in (True, False):
        with engine(fast_path):
            (x, y, z), (u, v), root = graph()
            not_in_graph = Value(1.0)
            cases = [
                grad(root, [x, y, z]),
                grad(root, [u, x, u, not_in_graph]),  # an intermediate node, repeated; an outsider
                grad([root, v, root], [x, z], grad_outputs=[2.0, -0.0, 0.5]),
                grad(v * 0.0, [x, y, z]),  # zeros: their signs are the sum's
            ]
            results[fast_path] = [bits(case) for case in cases]
    assert results[True] == results[False]


def test_grad_matches_a_closed_form():
    x, y = Value(0.5), Value(-2.0)
    dx, dy = grad((x * y).tanh() + x**3, [x, y])
    t = math.tanh(0.5 * -2.0)
    assert dx == pytest.approx((1 - t * t) * -2.0 + 3 * 0.25, rel=1e-15)
    assert dy == pytest.approx((1 - t * t) * 0.5, rel=1e-15)


def test_grad_leaves_every_grad_as_it_found_it():
    (x, y, z), (u, v), root = graph()
    u.grad, v.grad, root.grad = 1.0, -0.0, math.inf
    nodes = [x, y, z, u, v, root]
    before = bits(n.grad for n in nodes)
    grad(root, [x, u, z])
    assert bits(n.grad for n in nodes) == before


def test_grad_puts_every_grad_back_when_the_walk_fails(op_table):
    def refuse(m, x, out):
        raise ArithmeticError("this rule refuses")

    register(Op("refusing", lambda m, x: 2 * x, refuse))
    (x, y, z), (u, v), root = graph()
    before = bits(n.grad for n in (x, y, z, u, v))
    with pytest.raises(ArithmeticError, match="refuses"):
        grad(apply("refusing", root) + x, [x, y])
    assert bits(n.grad for n in (x, y, z, u, v)) == before


def test_grad_under_detect_anomaly_raises_as_the_reference_does():
    messages = []
    for fast_path in (True, False):
        with engine(fast_path):
            x = Value(0.0, label="x")
            with detect_anomaly(), pytest.raises(FloatingPointError) as error:
                grad(x.sqrt() * 0.0 + x, [x])
            messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_the_fast_path_installs_its_walk_and_the_reference_removes_it():
    with engine(fast_path=True):
        assert gradients._float_walk is not None
    with engine(fast_path=False):
        assert gradients._float_walk is None
    assert fast.installed() == (gradients._float_walk is not None)
