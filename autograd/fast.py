"""The fast path: measured speed-ups of the reference engine, with the same results bit for bit.

``autograd/core`` is the reference, written to be read. This file is its accelerator, the way
CPython's ``_heapq`` stands beside ``heapq.py``; ``import autograd`` installs it unless the
environment variable ``VALUEGRAPH_ENGINE`` is ``reference``. ``install()`` and ``uninstall()``
switch at any time; ``tests/core/test_fast_parity.py`` keeps both giving identical gradients.

What it changes, and why (instructions per step under callgrind: a chain and a mixed graph of
1e4 ops, and the moons step at batch 100, each after a warm-up, so that CPython has specialised
the code):

- **Operators record their node inline** instead of calling ``record``: the saved call is 15-25%
  of the cost of an op, and an op is the hot path of every program.
- **The forwards of ``+``, ``-``, ``*`` and ``relu`` are written out** in the operators, as the
  table computes them (``test_fast_rules.py`` checks them, bitwise): no call at all. Building
  the chain costs 10% less (relu, two Python calls in the table, is most of it): the chain 4.6%,
  the mixed graph 2%, the moons step 1.3%.
- **``sum``, ``dot`` and ``apply`` record inline too, and a ``dot`` of Values sums its products
  without a call** (a neuron is one ``dot``): 2-3% of the moons step. A ``dot`` of Values and
  float constants (a first layer's neuron, with its data row) keeps its parents as they are,
  without converting each: with its rule written out in ``fast_backward.py`` and ``nn.Layer``
  checking its inputs once for all its neurons, 9.5% of the moons step.
- **A neuron's ``dot`` skips ``_apply``'s tests** (``_dot``, behind ``autograd.dot``): Value
  weights and bias, with inputs all Values or all floats; float inputs are multiplied straight
  from the weights' ``data``: 2.7% of the moons step (3.8% with ``nn.Layer`` writing out each
  neuron's call, which it does not: ``Neuron.fire`` stays the neuron's one definition).
- **The grad mode is read through the context variable's bound ``get``**, not through a function
  call or an attribute lookup: 1-2%. A module-level flag would save at most another 2% and would
  leak a mode from one thread or asyncio task into the others.
- **The sort, the backward and ``grad()`` read the parent slots directly**, with the common ops'
  derivative rules written out: ``fast_backward.py`` (6-8% of a step; ``grad()`` 3.9x faster).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter, mul
from typing import Any

from .core import engine, functions, gradients, value
from .core.ieee import FLOATS, isfinite, to_float
from .core.modes import _anomaly_enabled, _grad_enabled
from .core.ops import OPS, Op
from .core.value import _JUST_VALUES, _MIXED, _MORE, Value, constant, forward_anomaly, inputs_of
from .fast_backward import accumulate_leaves, depth_first_order, propagate, zeroed_order
from .fast_backward import gradients as float_gradients

_new = object.__new__
grad_enabled = _grad_enabled.get  # the context variable's own method: no attribute lookup per op
_REFERENCE_APPLY, _REFERENCE_DOT = value._apply, functions._dot
_DOT = OPS["dot"]
_VALUES_AND_FLOATS = {Value, float}
_JUST_FLOATS = {float}
_DATA = attrgetter("data")


def _operator(op: Op, reflected: bool) -> Callable[[Value, Any], Any]:
    """``core.value._operator`` with ``record`` written out inline, and the forwards of ``+``,
    ``-`` and ``*`` too (test_fast_rules.py checks each against the table's, bitwise)."""
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
            x, y, a, b = y, self.data, other, self
        else:
            x, a, b = self.data, self, other
        if name == "+":
            data = x + y
        elif name == "*":
            data = x * y
        elif name == "-":
            data = x - y
        else:
            data = forward(FLOATS, x, y)
        out = _new(Value)
        out.data, out.grad, out._label = data, 0.0, ""
        if grad_enabled():
            out.op, out._a, out._b = name, a, b
        else:
            out.op, out._a, out._b = "", None, None
        if not isfinite(data) and _anomaly_enabled.get():
            forward_anomaly(op, data, (a, b))
        return out

    return method


def _apply(op: Op, args: tuple[Any, ...]) -> Value:
    """``core.value._apply`` (behind ``sum``, ``dot`` and ``logsumexp``) with ``record`` written
    out inline, and a neuron's ``dot`` of Values computed without a call: as its forward does."""
    types = set(map(type, args))  # a loop in C
    if types <= _JUST_VALUES:  # the common case
        parents, more = args, _MORE
        inputs = [a.data for a in args]
    elif types <= _VALUES_AND_FLOATS:  # a first layer's neuron: float inputs need no converting
        parents, more = args, _MIXED
        inputs = [a if type(a) is float else a.data for a in args]
    else:
        parents, more = tuple([a if isinstance(a, Value) else to_float(a) for a in args]), _MIXED
        inputs = inputs_of(parents)
    if op is _DOT:
        n = len(inputs) >> 1
        data = sum(map(mul, inputs[:n], inputs[n : n + n]), 0.0)
        if len(inputs) & 1:
            data = data + inputs[-1]
    else:
        data = op.forward(FLOATS, *inputs)
    out = _new(Value)
    out.data, out.grad, out._label = data, 0.0, ""
    if grad_enabled():
        out.op = op.name
        out._a, out._b = (parents, more) if len(parents) > 2 else (*parents, None, None)[:2]
    else:
        out.op, out._a, out._b = "", None, None
    if not isfinite(data) and _anomaly_enabled.get():
        forward_anomaly(op, data, parents)
    return out


def _dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any) -> Value:
    """``functions._dot`` for a neuron, without ``_apply``'s tests: Value weights and bias, and
    inputs all Values (a hidden layer) or all floats (the first layer's data row, summed straight
    from the weights and inputs). The sum is ``dot``'s forward, product by product; anything
    else goes to ``_apply``."""
    args = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
    first = type(inputs[0]) if inputs and type(bias) is Value else None
    if first is Value and set(map(type, args)) <= _JUST_VALUES:
        floats, n, more = [a.data for a in args], len(inputs), _MORE
        data = sum(map(mul, floats[:n], floats[n : n + n]), 0.0) + floats[-1]
    elif (
        first is float
        and set(map(type, inputs)) <= _JUST_FLOATS
        and set(map(type, weights)) <= _JUST_VALUES
    ):
        data, more = sum(map(mul, map(_DATA, weights), inputs), 0.0) + bias.data, _MIXED
    else:
        return _apply(_DOT, args)
    out = _new(Value)
    out.data, out.grad, out._label = data, 0.0, ""
    if grad_enabled():
        out.op, out._a, out._b = "dot", args, more
    else:
        out.op, out._a, out._b = "", None, None
    if not isfinite(data) and _anomaly_enabled.get():
        forward_anomaly(_DOT, data, args)
    return out


def _function(op: Op) -> Callable[[Value], Value]:
    """``core.value._function`` with ``record`` written out inline, and the forward of ``relu``
    too (the table's ``maximum(x, 0.0)``; test_fast_rules.py checks it, bitwise)."""
    forward, name = op.forward, op.name

    def method(self: Value) -> Value:
        x = self.data
        data = (x if x >= 0.0 or x != x else 0.0) if name == "relu" else forward(FLOATS, x)
        out = _new(Value)
        out.data, out.grad, out._label = data, 0.0, ""
        if grad_enabled():
            out.op, out._a, out._b = name, self, None
        else:
            out.op, out._a, out._b = "", None, None
        if not isfinite(data) and _anomaly_enabled.get():
            forward_anomaly(op, data, (self,))
        return out

    return method


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
    value._apply = functions._apply = _apply  # behind apply, sum, dot and logsumexp
    functions._dot = _dot
    engine.install_hot_loops(depth_first_order, propagate, accumulate_leaves, zeroed_order)
    gradients.install_float_walk(float_gradients)


def uninstall() -> None:
    """Run the reference engine and Value's reference methods."""
    for name, method in _REFERENCE.items():
        setattr(Value, name, method)
    value._apply = functions._apply = _REFERENCE_APPLY
    functions._dot = _REFERENCE_DOT
    engine.install_hot_loops(engine.depth_first_order, engine.propagate)
    gradients.install_float_walk(None)


def installed() -> bool:
    """Whether the fast path is what runs."""
    return Value.__add__ is _FAST["__add__"]
