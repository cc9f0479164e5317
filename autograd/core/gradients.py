"""``grad``: gradients as return values, not in ``.grad``; with ``create_graph=True``, as Values.

The same walk as ``backward`` (reverse topological order, ``chain_rule`` at each node) with the
gradients kept in a dict. With ``create_graph=True`` the op table's rules run on ``VALUE_MATH``, so
each gradient is a graph that ``grad`` can differentiate again: higher order from the very formulas
``backward()`` uses on floats.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from .engine import (
    backward_anomaly,
    chain_rule,
    check_partials,
    local_partials,
    topological_order,
)
from .ieee import isfinite, to_float
from .modes import enable_grad, is_anomaly_enabled
from .ops import OPS
from .value import Number, Value
from .value_math import VALUE_MATH

FloatWalk = Callable[[list[Value], list[float], list[Value]], tuple[float, ...]]
_float_walk: FloatWalk | None = None  # autograd/fast.py installs one


def install_float_walk(walk: FloatWalk | None) -> None:
    """Let ``walk(outputs, seeds, inputs)`` compute float gradients (``create_graph=False``,
    outside ``detect_anomaly``) in place of the walk below; ``None`` puts this one back."""
    global _float_walk
    _float_walk = walk


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
    seeds = [s if isinstance(s, Value) and create_graph else to_float(_plain(s)) for s in seeds]
    if _float_walk is not None and not create_graph and not is_anomaly_enabled():
        return _float_walk(outputs, seeds, inputs)

    order = topological_order(*outputs)
    wanted = set(inputs)
    relevant = set()  # nodes with a path to an input: only they need gradients
    for node in order:
        if node in wanted or any(p in relevant for p in node.parents if isinstance(p, Value)):
            relevant.add(node)

    totals: dict[Value, Any] = {}
    for output, seed in zip(outputs, seeds):
        if output in relevant:
            totals[output] = totals[output] + seed if output in totals else seed
    check = is_anomaly_enabled()
    with enable_grad():
        for node in reversed(order):
            if node not in totals or not node.parents:
                continue
            upstream = totals[node]
            partials = _partials_on_values(node) if create_graph else local_partials(node)
            for i, parent, share in chain_rule(node, upstream, partials):
                if parent not in relevant:
                    continue
                if check and not isfinite(_plain(share)):
                    raise backward_anomaly(
                        node, i, _plain(share), _plain(partials[i]), _plain(upstream)
                    )
                totals[parent] = totals[parent] + share if parent in totals else share
    results = [totals.get(x, 0.0) for x in inputs]
    if create_graph:  # a gradient that does not depend on any Value is a constant leaf
        results = [r if isinstance(r, Value) else Value(r) for r in results]
    return tuple(results)


def _partials_on_values(node: Value) -> tuple[Any, ...]:
    """The op table's partials of ``node`` computed on Values, so they form a graph."""
    try:
        partials = OPS[node.op].derivative(VALUE_MATH, *node.parents, node)
    except FloatingPointError as error:  # detect_anomaly, inside the rule's own ops
        raise FloatingPointError(
            f"backward of {node.op}, building the gradient graph: {error}"
        ) from None
    check_partials(node.op, partials, len(node.parents))
    return partials


def _plain(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x
