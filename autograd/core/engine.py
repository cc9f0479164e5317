"""The reference engine: topological order, the chain rule at one node, and ``backward``.

It knows no math (every local derivative comes from the op table) and sees a node only through
``Node``: its ``data``, ``grad``, ``op`` and ``parents``. A float among the parents is a constant
operand: it gets no gradient. Read this file as the definition of backpropagation.

``autograd/fast.py`` puts slot-aware versions of the hot loops (``depth_first_order``,
``zeroed_order``, ``propagate`` and ``accumulate_leaves``) in their place when autograd is
imported, through ``install_hot_loops``; a parity test keeps them bit-identical to these.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from .ieee import FLOATS, isfinite, to_float
from .modes import is_anomaly_enabled
from .ops import OPS


@runtime_checkable
class Node(Protocol):
    """What the engine reads of a Value."""

    data: float
    grad: float
    op: str  # the op table's name for what made it; "" for a leaf
    label: str

    @property
    def parents(self) -> tuple[Any, ...]: ...  # Values and float constants, in argument order


N = TypeVar("N", bound=Node)


def is_constant(parent: object) -> bool:
    """A parent that is a plain number (the 2 of ``x * 2``), not a node."""
    return type(parent) is float


def depth_first_order(roots: Sequence[N]) -> list[N]:
    """Every node the roots depend on, parents before children (roots last).

    An iterative depth-first search in argument order: deterministic, and no recursion, so graphs
    of any depth work. A node goes back on the stack marked ``True`` while its parents are
    explored; popping it marked means they are all placed, so the node goes next.
    """
    order: list[N] = []
    visited: set[N] = set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, parents_placed = stack.pop()
        if parents_placed:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend(
                (parent, False)
                for parent in reversed(node.parents)
                if not is_constant(parent) and parent not in visited
            )
    return order


def local_partials(node: Node) -> tuple[float, ...]:
    """The op table's partial derivatives of ``node`` with respect to each input, as floats."""
    inputs = [p if is_constant(p) else p.data for p in node.parents]
    partials = OPS[node.op].derivative(FLOATS, *inputs, node.data)
    check_partials(node.op, partials, len(inputs))
    return partials


def check_partials(op: str, partials: Any, inputs: int) -> None:
    """``ValueError`` unless a derivative rule gave one partial per input (custom ones may not)."""
    try:
        given = len(partials)
    except TypeError:
        given = -1
    if given != inputs:
        shown = f"{given} partials" if given >= 0 else f"a {type(partials).__name__}"
        raise ValueError(
            f"the derivative rule of op {op!r} returned {shown} for {inputs} inputs; "
            "it must return a tuple with one partial derivative per input"
        )


def chain_rule(node: Node, upstream: Any, partials: Sequence[Any]) -> list[tuple[int, Any, Any]]:
    """One step of backpropagation: ``(position, parent, partial * upstream)`` for each parent
    of ``node`` that is a node. A partial of exactly 1.0 (a sum) passes ``upstream`` on as it is.
    """
    return [
        (position, parent, upstream if _is_one(partial) else partial * upstream)
        for position, (parent, partial) in enumerate(zip(node.parents, partials))
        if not is_constant(parent)
    ]


def _is_one(partial: Any) -> bool:
    return type(partial) is float and partial == 1.0


def propagate(order: list[Node]) -> None:
    """From the root (last) back: each node passes its gradient to its parents."""
    check = is_anomaly_enabled()
    for node in reversed(order):
        if node.parents:
            for _, parent, share in chain_rule(node, node.grad, local_partials(node)):
                parent.grad += share
            if check:
                check_finite(node)


def accumulate_leaves(order: list[Node], before: list[float]) -> None:
    """Add each leaf's gradient from before the backward pass back to it (``before`` is in the
    order of ``order``)."""
    for node, grad in zip(order, before):
        if not node.parents:
            node.grad = grad + node.grad


def zeroed_order(roots: Sequence[N]) -> tuple[list[N], list[float]]:
    """``depth_first_order(roots)`` with every node's ``.grad`` set to 0.0, and the ``.grad``
    each had before, in the same order."""
    order = depth_first_order(roots)
    before = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    return order, before


_sort: Callable[[Sequence[Any]], list[Any]] = depth_first_order
_zeroed_order: Callable[[Sequence[Any]], tuple[list[Any], list[float]]] = zeroed_order
_propagate: Callable[[list[Node]], None] = propagate
_accumulate_leaves: Callable[[list[Any], list[float]], None] = accumulate_leaves


def install_hot_loops(
    sort: Callable[[Sequence[Any]], list[Any]],
    propagation: Callable[[list[Any]], None],
    leaves: Callable[[list[Any], list[float]], None] = accumulate_leaves,
    zeroing: Callable[[Sequence[Any]], tuple[list[Any], list[float]]] = zeroed_order,
) -> None:
    """Run ``sort``, ``propagation``, ``leaves`` and ``zeroing`` in place of
    ``depth_first_order``, ``propagate``, ``accumulate_leaves`` and ``zeroed_order``."""
    global _sort, _propagate, _accumulate_leaves, _zeroed_order
    _sort, _propagate, _accumulate_leaves = sort, propagation, leaves
    _zeroed_order = zeroing


def topological_order(*roots: N) -> list[N]:
    """Every Value the roots depend on, parents before children (roots last)."""
    for root in roots:
        check_node(root, "topological_order() takes Values")
    return _sort(roots)


# One backward at a time, whichever thread calls it: two at once on one graph would zero and add
# into the same .grad slots. Holding the lock costs ~0.1 us a call; Python runs one thread at a
# time anyway, so no parallelism is lost.
_one_at_a_time = threading.RLock()


def backward(root: Node, gradient: float = 1.0) -> None:
    """Fill in ``.grad``: leaves accumulate, intermediate nodes are recomputed from zero.

    All or nothing: if it raises (a bad ``gradient``, ``detect_anomaly``, a custom op's rule),
    every ``.grad`` is as it was before the call. Calls from several threads take turns.
    """
    check_node(root, "backward() needs a Value")
    try:
        seed = to_float(gradient)
    except TypeError:
        raise TypeError(
            f"gradient must be a real number, got {type(gradient).__name__}: {gradient!r:.60}"
        ) from None
    with _one_at_a_time:
        # every .grad starts from zero; a leaf's earlier gradient is added back once at the end,
        # so two calls give exactly twice one call (adding path by path would round differently)
        order, before = _zeroed_order((root,))  # before: added back to leaves; put back on failure
        root.grad += seed
        try:
            _propagate(order)
        except BaseException:
            for node, grad in zip(order, before):
                node.grad = grad
            raise
        _accumulate_leaves(order, before)  # a leaf accumulates


def zero_grad(values: Iterable[Node]) -> None:
    """Set ``.grad`` of every given Value to 0.0 (between training steps)."""
    values = list(values)
    for v in values:
        check_node(v, "zero_grad() takes Values")
    for v in values:
        v.grad = 0.0


def check_node(x: object, what: str) -> None:
    if not isinstance(x, Node):
        raise TypeError(f"{what}, got {type(x).__name__}")


# anomaly mode: errors that name the op, its inputs and their labels


def check_finite(node: Node) -> None:
    """Under ``detect_anomaly``: raise if backward through ``node`` made a non-finite gradient."""
    for i, parent in enumerate(node.parents):
        if not is_constant(parent) and not isfinite(parent.grad):
            raise backward_anomaly(node, i, parent.grad, local_partials(node)[i], node.grad)


def backward_anomaly(
    node: Node, index: int, gradient: float, partial: float, upstream: float
) -> FloatingPointError:
    """The error ``detect_anomaly`` raises for a non-finite gradient, in backward and in grad."""
    parent = node.parents[index]
    name = parent.label if not is_constant(parent) and parent.label else f"input {index}"
    return FloatingPointError(
        f"backward of {node.op} gave gradient {gradient} to {name} (local derivative {partial}, "
        f"upstream gradient {upstream}); {describe(node.parents)}"
    )


def describe(parents: Sequence[Any]) -> str:
    """Inputs for an error message: ``inputs: a=2.0, 3.0 (constant)``."""
    parts = [
        f"{p!r} (constant)" if is_constant(p) else f"{p.label or 'input ' + str(i)}={p.data!r}"
        for i, p in enumerate(parents)
    ]
    return "inputs: " + ", ".join(parts)
