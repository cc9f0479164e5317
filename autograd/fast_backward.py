"""The fast path's backward: the sort, the chain rule and ``grad`` over the parent slots.

``autograd/fast.py`` installs these in place of ``engine.depth_first_order``, ``engine.propagate``
and ``grad``'s float walk; ``tests/core/test_fast_parity.py`` keeps them bit-identical to the
reference. What they do differently, and why (instruction counts on graphs of 1e4 ops and the
moons step: ``autograd/fast.py``):

- **They read the parent slots directly** (see ``record`` in ``core/value.py`` for the layout)
  instead of building a ``parents`` tuple per node, and push an all-Value node's parents with one
  C-level ``filterfalse``: backward is 1.5-1.9x faster.
- **The common ops' derivative rules are written out** in ``propagate``, as the table computes
  them, instead of a call per node that returns a tuple; ``test_fast_rules.py`` checks each one
  against the table's rule. That includes a ``dot`` with constants (a first layer's neuron:
  float inputs), which asked the table for its rule (with its forward: ``fast.py``).
- **The sort explores a node's first parent at once**, not through the stack, and places a node
  whose parents are all placed (a leaf) at once, without a marker; and it keeps and zeroes each
  ``.grad`` as it places the node (``zeroed_order``), instead of two more loops over the order:
  the chain and the mixed graph 6%, the moons step 1.6% (the sort alone runs 19% fewer
  instructions on the chain). Its loop has a ``continue``, so CPython 3.11 specialises it
  within its first call (a ``while`` loop alone warms a function up only per call).
- **``grad()`` walks the ``.grad`` slots too**, as ``backward`` does, instead of a dict, and puts
  them back: it runs at ``backward``'s speed per node, not 3-4x slower.
- **The cyclic garbage collector is paused while they run.** A walk makes no reference cycles,
  and a run of the collector visits every node of a big graph. On CPython 3.11 the walk frees its
  temporaries as fast as it makes them, so the collector almost never starts there anyway
  (none seen on graphs of 1e5-1e6 nodes); its 15-25% of eager time is spent building graphs.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence
from itertools import filterfalse
from typing import Any

from .core import engine
from .core.ieee import FLOATS, div
from .core.ieee import pow as power
from .core.modes import _anomaly_enabled
from .core.ops import BUILT_IN, OPS, Op
from .core.value import _MIXED, _MORE, Value, inputs_of


class _CollectorPause:
    """``with collector_paused:`` runs the block with the cyclic collector off, then puts it back.

    A count of the blocks running, in any thread, under a lock: the collector comes back on when
    the last one ends, and only if it was on when the first began (a program that turned it off
    keeps it off). A program that turns it off while a block runs gets it back on at the end: the
    collector has no record of who turned it off.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if not self._running:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._running -= 1
            if not self._running and self._was_enabled:
                gc.enable()


collector_paused = _CollectorPause()


def depth_first_order(roots: Sequence[Value]) -> list[Value]:
    """``engine.depth_first_order`` over the slots: the same order."""
    return _walk(roots, None)[0]


def zeroed_order(roots: Sequence[Value]) -> tuple[list[Value], list[float]]:
    """``engine.zeroed_order`` in the same walk: each ``.grad`` is kept and zeroed as placed."""
    order, _, before = _walk(roots, 0.0)
    return order, before


def _walk(
    roots: Sequence[Value], zero: float | None
) -> tuple[list[Value], set[Value], list[float]]:
    """The depth-first order, the set of its nodes and each node's ``.grad`` from before, set to
    ``zero`` as the node is placed (unless ``zero`` is None: then none is kept). If it raises,
    every ``.grad`` is put back.

    A node goes on the stack under a ``None`` marker while its parents are explored, as in the
    reference; but its first parent is explored at once, not pushed and popped, and a node whose
    parents are all placed already (a leaf, say) is placed at once, without a marker.
    """
    order: list[Value] = []
    before: list[float] = []
    visited: set[Value] = set()
    stack: list[Value | None] = list(reversed(roots))
    push, pop, push_all, seen = stack.append, stack.pop, stack.extend, visited.__contains__
    place, keep, visit = order.append, before.append, visited.add
    with collector_paused:
        try:
            while stack:
                node = pop()
                if node is None:  # the marker: the node under it has all its parents placed
                    node = pop()
                    place(node)  # type: ignore[arg-type]
                    if zero is not None:
                        keep(node.grad)  # type: ignore[union-attr]
                        node.grad = zero  # type: ignore[union-attr]
                    continue
                if node in visited:
                    continue
                while True:  # explore node, then its first parent not yet visited, and so on
                    visit(node)
                    a, b = node._a, node._b
                    if b is _MORE:  # all Values: the first on top, so it is visited first
                        push(node)
                        push(None)
                        push_all(filterfalse(seen, reversed(a)))
                        break
                    if b is _MIXED:
                        push(node)
                        push(None)
                        for parent in reversed(a):
                            if type(parent) is not float and parent not in visited:
                                push(parent)
                        break
                    # one or two parents, or none: the second waits under the first
                    if b is not None and type(b) is not float and b not in visited:
                        push(node)
                        push(None)
                        push(b)
                        if type(a) is float or a in visited:
                            break
                        node = a
                    elif a is not None and type(a) is not float and a not in visited:
                        push(node)
                        push(None)
                        node = a
                    else:  # every parent is placed (a visited parent is: a graph has no cycles)
                        place(node)
                        if zero is not None:
                            keep(node.grad)
                            node.grad = zero
                        break
        except BaseException:
            for node, grad in zip(order, before):
                node.grad = grad
            raise
    return order, visited, before


def accumulate_leaves(order: list[Value], before: list[float]) -> None:
    """``engine.accumulate_leaves`` over the slots: a leaf has no first argument."""
    for node, grad in zip(order, before):
        if node._a is None:
            node.grad = grad + node.grad


def propagate(order: list[Value]) -> None:
    """``engine.propagate`` over the slots, one branch per layout."""
    with collector_paused:
        if all(OPS.get(name) is op for name, op in _WRITTEN_OUT.items()):
            _propagate(order)
        else:  # a rule written out below was replaced in the table (a test injects a wrong one)
            engine.propagate(order)  # type: ignore[arg-type]


_WRITTEN_OUT = {name: OPS[name] for name in ("+", "-", "*", "/", "**", "neg", "relu", "tanh")}
_WRITTEN_OUT.update({name: OPS[name] for name in ("exp", "dot", "sum")})


def _propagate(order: list[Value]) -> None:
    # The common ops' rules are written out below, as the table computes them (a partial of 1.0
    # passes ``upstream`` on unchanged, as in ``engine.chain_rule``); test_fast_rules.py checks
    # each against the table's rule, bit for bit, on zeros, infinities and nans.
    check = _anomaly_enabled.get()
    rules = {name: op.derivative if name in BUILT_IN else _counted(op) for name, op in OPS.items()}
    for node in reversed(order):
        a, b = node._a, node._b  # a constant (a float) gets no gradient
        if a is None:
            continue
        upstream, op = node.grad, node.op
        if b is None:  # one input
            if type(a) is float:
                pass
            elif op == "relu":
                a.grad += upstream if a.data > 0 else 0.0 * upstream
            elif op == "tanh":
                out = node.data
                a.grad += (1.0 - out * out) * upstream
            elif op == "exp":
                a.grad += node.data * upstream
            elif op == "neg":
                a.grad += -1.0 * upstream
            else:
                (da,) = rules[op](FLOATS, a.data, node.data)
                a.grad += da * upstream
        elif b is _MORE:  # more inputs, all Values, in the tuple a
            if op == "dot":  # w1..wn, x1..xn (, bias): d/dw = x, d/dx = w, d/dbias = 1
                n = len(a) >> 1
                weights, inputs = a[:n], a[n : n + n]
                for w, x in zip(weights, inputs):
                    w.grad += x.data * upstream
                for w, x in zip(weights, inputs):
                    x.grad += w.data * upstream
                if len(a) & 1:
                    a[-1].grad += upstream
            elif op == "sum":
                for parent in a:
                    parent.grad += upstream
            else:
                partials = rules[op](FLOATS, *[p.data for p in a], node.data)
                for parent, partial in zip(a, partials):
                    parent.grad += partial * upstream
        elif b is _MIXED:  # the same with some constants (floats)
            if op == "dot":  # a first layer's neuron: constant inputs, which get nothing
                n = len(a) >> 1
                weights, inputs = a[:n], a[n : n + n]
                for w, x in zip(weights, inputs):
                    if type(w) is not float:
                        w.grad += (x if type(x) is float else x.data) * upstream
                for w, x in zip(weights, inputs):
                    if type(x) is not float:
                        x.grad += (w if type(w) is float else w.data) * upstream
                if len(a) & 1 and type(a[-1]) is not float:
                    a[-1].grad += upstream
            else:
                partials = rules[op](FLOATS, *inputs_of(a), node.data)
                for parent, partial in zip(a, partials):
                    if type(parent) is not float:
                        parent.grad += partial * upstream
        elif type(b) is float:  # two inputs, the second a constant
            if type(a) is float:
                pass
            elif op == "*":
                a.grad += b * upstream
            elif op == "+" or op == "-":
                a.grad += upstream
            elif op == "**":
                x = a.data
                a.grad += (0.0 if x == 0 and b == 0 else b * power(x, b - 1)) * upstream
            elif op == "/":
                a.grad += div(1.0, b) * upstream
            else:
                da, _ = rules[op](FLOATS, a.data, b, node.data)
                a.grad += da * upstream
        elif type(a) is float:  # the first a constant
            if op == "*":
                b.grad += a * upstream
            elif op == "+":
                b.grad += upstream
            elif op == "-":
                b.grad += -1.0 * upstream
            else:
                _, db = rules[op](FLOATS, a, b.data, node.data)
                b.grad += db * upstream
        elif op == "*":
            a.grad += b.data * upstream
            b.grad += a.data * upstream
        elif op == "+":
            a.grad += upstream
            b.grad += upstream
        elif op == "-":
            a.grad += upstream
            b.grad += -1.0 * upstream
        elif op == "/":
            y = b.data
            a.grad += div(1.0, y) * upstream
            b.grad += div(-node.data, y) * upstream
        else:
            da, db = rules[op](FLOATS, a.data, b.data, node.data)
            a.grad += da * upstream
            b.grad += db * upstream
        if check:
            engine.check_finite(node)


def gradients(outputs: list[Value], seeds: list[float], inputs: list[Value]) -> tuple[float, ...]:
    """``grad``'s float case at ``backward``'s speed: the same walk, in the ``.grad`` slots.

    Each ``.grad`` starts at -0.0, the float that adds to any other without changing a bit, so a
    gradient comes out as the sum ``grad`` makes in its dict; every ``.grad`` is put back before
    this returns or raises. Nodes with no path to an input get gradients too, unread (so a custom
    rule runs there, where the reference walk skips it).
    """
    with engine._one_at_a_time:  # no backward or grad meanwhile sees the working values
        order, placed, before = _walk(outputs, -0.0)
        try:
            for output, seed in zip(outputs, seeds):
                output.grad += seed
            propagate(order)
            return tuple([x.grad if x in placed else 0.0 for x in inputs])
        finally:
            for node, grad in zip(order, before):
                node.grad = grad


def _counted(op: Op) -> Callable[..., Any]:
    """A custom op's derivative rule, checked to give one partial per input (built-ins do)."""
    rule, name = op.derivative, op.name

    def derivative(m: Any, *inputs_and_out: Any) -> Any:
        partials = rule(m, *inputs_and_out)
        engine.check_partials(name, partials, len(inputs_and_out) - 1)
        return partials

    return derivative
