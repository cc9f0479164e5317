"""The fast path: measured speed-ups of the reference engine, with the same results bit for bit.

``autograd/core`` is the reference, written to be read. This file is its accelerator, the way
CPython's ``_heapq`` stands beside ``heapq.py``; ``import autograd`` installs it unless the
environment variable ``VALUEGRAPH_ENGINE`` is ``reference``. ``install()`` and ``uninstall()``
switch at any time; ``tests/core/test_fast_parity.py`` keeps both giving identical gradients.

What it changes, and why (each measured on the moons step and on graphs of 1e3-1e5 ops):

- **Operators record their node inline** instead of calling ``record``: the saved call is 15-25%
  of the cost of an op, and an op is the hot path of every program.
- **The sort and the backward read the parent slots directly** (see ``record`` in
  ``core/value.py`` for the layout) instead of building a ``parents`` tuple per node, and push an
  all-Value node's parents with one C-level ``filterfalse``: backward is 1.5-1.9x faster.
- **The grad mode is read from its context variable directly**, not through a function call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import filterfalse
from typing import Any

from .core import engine
from .core.ieee import FLOATS, isfinite
from .core.modes import _anomaly_enabled, _grad_enabled
from .core.ops import BUILT_IN, OPS, Op
from .core.value import _MIXED, _MORE, Value, constant, forward_anomaly, inputs_of

_new = object.__new__


def _operator(op: Op, reflected: bool) -> Callable[[Value, Any], Any]:
    """``core.value._operator`` with ``record`` written out inline."""
    forward, name = op.forward, op.name

    def method(self: Value, other: Any) -> Any:
        if isinstance(other, Value):
            y = other.data
        elif type(other) is float:
            y = other
        else:
            other = constant(other)
            if other is None:
                return NotImplemented
            y = other
        if reflected:
            data, a, b = forward(FLOATS, y, self.data), other, self
        else:
            data, a, b = forward(FLOATS, self.data, y), self, other
        out = _new(Value)
        out.data, out.grad, out._label = data, 0.0, ""
        if _grad_enabled.get():
            out.op, out._a, out._b = name, a, b
        else:
            out.op, out._a, out._b = "", None, None
        if not isfinite(data) and _anomaly_enabled.get():
            forward_anomaly(op, data, (a, b))
        return out

    return method


def _function(op: Op) -> Callable[[Value], Value]:
    """``core.value._function`` with ``record`` written out inline."""
    forward, name = op.forward, op.name

    def method(self: Value) -> Value:
        data = forward(FLOATS, self.data)
        out = _new(Value)
        out.data, out.grad, out._label = data, 0.0, ""
        if _grad_enabled.get():
            out.op, out._a, out._b = name, self, None
        else:
            out.op, out._a, out._b = "", None, None
        if not isfinite(data) and _anomaly_enabled.get():
            forward_anomaly(op, data, (self,))
        return out

    return method


def depth_first_order(roots: Sequence[Value]) -> list[Value]:
    """``engine.depth_first_order`` over the slots: the same order, with a ``None`` marker."""
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


def propagate(order: list[Value]) -> None:
    """``engine.propagate`` over the slots, one branch per layout."""
    check = _anomaly_enabled.get()
    rules = {name: op.derivative if name in BUILT_IN else _counted(op) for name, op in OPS.items()}
    for node in reversed(order):
        a, b = node._a, node._b  # a constant (a float) gets no gradient
        if a is None:
            continue
        upstream = node.grad
        derivative = rules[node.op]
        if b is None:  # one input
            if type(a) is not float:
                (da,) = derivative(FLOATS, a.data, node.data)
                a.grad += da * upstream
        elif b is _MORE:  # more inputs, all Values, in the tuple a (a neuron's dot)
            partials = derivative(FLOATS, *[p.data for p in a], node.data)
            for parent, partial in zip(a, partials):
                parent.grad += partial * upstream
        elif b is _MIXED:  # the same with some constants (floats)
            partials = derivative(FLOATS, *inputs_of(a), node.data)
            for parent, partial in zip(a, partials):
                if type(parent) is not float:
                    parent.grad += partial * upstream
        elif type(b) is float:  # two inputs, the second a constant
            if type(a) is not float:
                da, _ = derivative(FLOATS, a.data, b, node.data)
                a.grad += da * upstream
        elif type(a) is float:
            _, db = derivative(FLOATS, a, b.data, node.data)
            b.grad += db * upstream
        else:
            da, db = derivative(FLOATS, a.data, b.data, node.data)
            a.grad += da * upstream
            b.grad += db * upstream
        if check:
            engine.check_finite(node)


def _counted(op: Op) -> Callable[..., Any]:
    """A custom op's derivative rule, checked to give one partial per input (built-ins do)."""
    rule, name = op.derivative, op.name

    def derivative(m: Any, *inputs_and_out: Any) -> Any:
        partials = rule(m, *inputs_and_out)
        engine.check_partials(name, partials, len(inputs_and_out) - 1)
        return partials

    return derivative


# the reference methods of Value, by name, as core/value.py made them
_REFERENCE = {name: m for name, m in vars(Value).items() if hasattr(m, "made_from")}


def _fast_twin(method: Any) -> Callable[..., Any]:
    op, reflected = method.made_from
    return _function(op) if reflected is None else _operator(op, reflected)


_FAST = {name: _fast_twin(method) for name, method in _REFERENCE.items()}


def _power(value_power: Callable[..., Any], constant_power: Callable[..., Any]) -> Any:
    """``Value.__pow__`` calling the two inlined twins directly, not through the instance."""

    def __pow__(self: Value, other: Any) -> Any:  # noqa: N807 - it is Value's __pow__
        return (value_power if isinstance(other, Value) else constant_power)(self, other)

    return __pow__


_REFERENCE["__pow__"] = Value.__pow__
_FAST["__pow__"] = _power(_FAST["_power"], _FAST["_constant_power"])


def install() -> None:
    """Run the fast path (the default after ``import autograd``)."""
    for name, method in _FAST.items():
        setattr(Value, name, method)
    engine.install_hot_loops(depth_first_order, propagate)


def uninstall() -> None:
    """Run the reference engine and Value's reference methods."""
    for name, method in _REFERENCE.items():
        setattr(Value, name, method)
    engine.install_hot_loops(engine.depth_first_order, engine.propagate)


def installed() -> bool:
    """Whether the fast path is what runs."""
    return Value.__add__ is _FAST["__add__"]
