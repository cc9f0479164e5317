"""The engine: topological order, ``backward`` and ``grad``. It knows no math: every local
derivative comes from the op table."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from itertools import filterfalse
from typing import Any

from . import ieee
from .modes import _anomaly_enabled, enable_grad
from .ops import OPS
from .value import (
    _MIXED,
    _MORE,
    Number,
    Operand,
    Value,
    _to_float,
    describe,
    inputs_of,
)
from .value_math import VALUE_MATH


def topological_order(*roots: Value) -> list[Value]:
    """Every Value the roots depend on, parents before children (roots last).

    An iterative depth-first search in argument order: deterministic, and no recursion, so graphs
    of any depth work. A node is pushed back under a ``None`` marker while its parents are
    explored; popping the marker means they are all placed, so the node goes next. The search
    reads a node's parents from its two slots (see ``Value``): it is the hot path of backward.
    """
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"topological_order() takes Values, got {type(root).__name__}")
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value | None] = list(reversed(roots))
    push, pop, push_all, seen = stack.append, stack.pop, stack.extend, visited.__contains__
    while stack:
        node = pop()
        if node is None:
            order.append(pop())  # type: ignore[arg-type]
        elif node not in visited:
            visited.add(node)
            push(node)
            push(None)
            a, b = node._a, node._b
            if b is _MORE:  # all Values: the first argument on top, so it is visited first
                push_all(filterfalse(seen, reversed(a)))
            elif b is _MIXED:
                for parent in reversed(a):
                    if isinstance(parent, Value) and parent not in visited:
                        push(parent)
            else:  # one or two parents (or none), pushed second first
                if isinstance(b, Value) and b not in visited:
                    push(b)
                if isinstance(a, Value) and a not in visited:
                    push(a)
    return order


def backward(root: Value, gradient: Number = 1.0) -> None:
    """Fill in ``.grad``: leaves accumulate, intermediate nodes are recomputed from zero."""
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    order = topological_order(root)
    # every .grad starts from zero; a leaf's earlier gradient is added back once at the end, so
    # two calls give exactly twice one call (adding path by path onto it would round differently)
    leaves = [node for node in order if node._a is None]  # no parents (see Value)
    before = [leaf.grad for leaf in leaves]
    for node in order:
        node.grad = 0.0
    root.grad += _to_float(gradient)
    try:
        _propagate(order)
    finally:  # also when detect_anomaly raises: earlier gradients are never lost
        for leaf, earlier in zip(leaves, before):
            leaf.grad = earlier + leaf.grad


def _propagate(order: list[Value]) -> None:
    """From the root (last) back: each node's gradient times its local partials, into parents."""
    check = _anomaly_enabled.get()
    rules = {name: op.derivative for name, op in OPS.items()}
    for node in reversed(order):
        a, b = node._a, node._b  # the parents (see Value); a constant (a float) gets no gradient
        if a is None:
            continue
        upstream = node.grad
        derivative = rules[node.op]
        if b is None:  # one input
            if type(a) is not float:
                (da,) = derivative(ieee, a.data, node.data)
                a.grad += da * upstream
        elif b is _MORE:  # more inputs, all Values, in the tuple a (a neuron's dot)
            partials = derivative(ieee, *[p.data for p in a], node.data)
            for parent, partial in zip(a, partials):
                parent.grad += partial * upstream
        elif b is _MIXED:  # the same with some constants (floats)
            partials = derivative(ieee, *inputs_of(a), node.data)
            for parent, partial in zip(a, partials):
                if type(parent) is not float:
                    parent.grad += partial * upstream
        elif type(b) is float:  # two inputs, the second a constant
            if type(a) is not float:
                da, _ = derivative(ieee, a.data, b, node.data)
                a.grad += da * upstream
        elif type(a) is float:
            _, db = derivative(ieee, a, b.data, node.data)
            b.grad += db * upstream
        else:
            da, db = derivative(ieee, a.data, b.data, node.data)
            a.grad += da * upstream
            b.grad += db * upstream
        if check:
            _check_finite(node)


def _check_finite(node: Value) -> None:
    """Under ``detect_anomaly``: raise if backward through ``node`` made a non-finite gradient."""
    for i, parent in enumerate(node.parents):
        if isinstance(parent, Value) and not ieee.isfinite(parent.grad):
            partial = OPS[node.op].derivative(ieee, *inputs_of(node.parents), node.data)[i]
            raise _backward_anomaly(node, i, parent.grad, partial, node.grad)


def _backward_anomaly(
    node: Value, index: int, gradient: float, partial: float, upstream: float
) -> FloatingPointError:
    """The error ``detect_anomaly`` raises for a non-finite gradient, in backward and in grad."""
    parent = node.parents[index]
    name = parent.label if isinstance(parent, Value) and parent.label else f"input {index}"
    return FloatingPointError(
        f"backward of {node.op} gave gradient {gradient} to {name} (local derivative {partial}, "
        f"upstream gradient {upstream}); {describe(node.parents)}"
    )


def grad(
    outputs: Value | Sequence[Value],
    inputs: Value | Sequence[Value],
    grad_outputs: Number | Sequence[Number | Value] | None = None,
    create_graph: bool = False,
) -> tuple[Any, ...]:
    """The gradients of ``outputs`` (weighted by ``grad_outputs``) with respect to ``inputs``.

    Returns a tuple, one entry per input, and touches no ``.grad``. With ``create_graph=True`` the
    entries are Values whose graphs lead back to the inputs, so ``grad`` of them gives second (and
    higher) derivatives; otherwise they are floats. An input the outputs do not depend on gets 0.
    """
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for v in (*outputs, *inputs):
        if not isinstance(v, Value):
            raise TypeError(f"grad() takes Values, got {type(v).__name__}")
    if grad_outputs is None:
        seeds: list[Any] = [1.0] * len(outputs)
    elif isinstance(grad_outputs, (Value, numbers.Real)):
        seeds = [grad_outputs]
    else:
        seeds = list(grad_outputs)  # type: ignore[arg-type]
    if len(seeds) != len(outputs):
        raise ValueError(f"got {len(seeds)} grad_outputs for {len(outputs)} outputs")
    seeds = [s if isinstance(s, Value) and create_graph else _to_float(_plain(s)) for s in seeds]

    order = topological_order(*outputs)
    wanted = set(inputs)
    relevant = set()  # nodes with a path to an input: only they need gradients
    for node in order:
        if node in wanted or any(isinstance(p, Value) and p in relevant for p in node.parents):
            relevant.add(node)

    totals: dict[Value, Any] = {}
    for output, seed in zip(outputs, seeds):
        if output in relevant:
            totals[output] = totals[output] + seed if output in totals else seed
    check = _anomaly_enabled.get()
    with enable_grad():
        for node in reversed(order):
            if node not in totals or not node.parents:
                continue
            upstream = totals[node]
            partials = _local_partials(node, create_graph)
            for i, (parent, partial) in enumerate(zip(node.parents, partials)):
                if isinstance(parent, Value) and parent in relevant:
                    step = _times(partial, upstream)
                    if check and not ieee.isfinite(_plain(step)):
                        raise _backward_anomaly(node, i, *map(_plain, (step, partial, upstream)))
                    totals[parent] = totals[parent] + step if parent in totals else step
    results = [totals.get(x, 0.0) for x in inputs]
    if create_graph:  # a gradient that does not depend on any Value is a constant leaf
        results = [r if isinstance(r, Value) else Value(r) for r in results]
    return tuple(results)


def _local_partials(node: Value, create_graph: bool) -> tuple[Any, ...]:
    """The op table's partials of ``node``: on floats, or on Values to build a graph."""
    op = OPS[node.op]
    if not create_graph:
        return op.derivative(ieee, *inputs_of(node.parents), node.data)
    try:
        return op.derivative(VALUE_MATH, *node.parents, node)
    except FloatingPointError as error:  # detect_anomaly, inside the rule's own ops
        raise FloatingPointError(
            f"backward of {node.op}, building the gradient graph: {error}"
        ) from None


def _plain(x: Operand | Number) -> Any:
    return x.data if isinstance(x, Value) else x


def _times(partial: Any, upstream: Any) -> Any:
    """``partial * upstream``; a partial of exactly 1.0 (sums) passes the upstream on unchanged."""
    if type(partial) is float and partial == 1.0:
        return upstream
    return partial * upstream


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of every given Value to 0.0 (between training steps)."""
    for v in values:
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad() takes Values, got {type(v).__name__}")
        v.grad = 0.0
