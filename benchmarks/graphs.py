"""The scalar programs the engine benchmarks time, written once for every engine.

Each takes ``leaf(x)``, the engine's way to make a leaf scalar (``Value``, micrograd's ``Value``,
a 0-d PyTorch tensor with ``requires_grad``), and the number of ops to record, and returns the
output and its two leaves. The count is of the ops the program writes, the same for every engine:
micrograd records ``a - b`` and ``a / b`` as two nodes each, valuegraph as one, and both are
counted as one op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Leaf = Callable[[float], Any]


def chain(leaf: Leaf, ops: int) -> tuple[Any, tuple[Any, Any]]:
    """A long chain: ``y = relu(y * w + 0.1) + x``, four ops a step."""
    x, w = leaf(0.5), leaf(0.9)
    y = x
    for _ in range(ops // 4):
        y = (y * w + 0.1).relu() + x
    return y, (x, w)


def mixed(leaf: Leaf, ops: int) -> tuple[Any, tuple[Any, Any]]:
    """Ten ops a step of six kinds (+ - * / ** relu), with fan-out: ``u`` feeds four ops."""
    x, w = leaf(0.5), leaf(0.9)
    y = x
    for _ in range(ops // 10):
        u = y * w + x
        v = (u - 0.5).relu()
        y = v / (u**2 + 1.0) - y * 0.1 + x
    return y, (x, w)


PROGRAMS = {"chain": chain, "mixed": mixed}


def backward(graph: tuple[Any, tuple[Any, ...]]) -> None:
    graph[0].backward()


def forward_backward(
    program: Callable[[Leaf, int], Any], leaf: Leaf, ops: int
) -> Callable[[], Any]:
    """One timed step: build the graph, backpropagate, drop it; returns the output and the
    leaves' gradients (floats), for the contenders to be compared."""

    def step() -> tuple[float, ...]:
        y, leaves = program(leaf, ops)
        y.backward()
        return (float(y.data), *(float(x.grad) for x in leaves))

    return step
