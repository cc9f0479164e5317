"""The op table: every primitive once, its forward beside its derivative rule.

An op's ``forward(m, *inputs)`` computes its output and ``derivative(m, *inputs, out)`` returns the
local partial derivative of the output with respect to each input, in argument order. ``m`` is a
math namespace: it has exactly the names in ``MATH_NAMES``, made by ``math_namespace``. There are
three: ``ieee.FLOATS`` for floats, ``value_math.VALUE_MATH`` for Values (so the same rule builds a
graph under ``grad(..., create_graph=True)``) and ``autograd.tape``'s ``NUMPY_MATH`` for arrays.
Each formula is written once, here.

The metadata (``domain``, ``kinks``, ``poles``) says where an op is smooth; property tests and the
hypothesis strategies read it to draw inputs a safe distance from trouble.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

Point = tuple[int, float]  # (input position, value of that input)

MATH_NAMES = (
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus",  # one input
    "pow", "div", "maximum",  # two inputs
    "sign", "is_zero", "where",  # piecewise: sign(x), is_zero(x), where(condition, a, b)
)  # fmt: skip
# ``where``'s a and b are values, or functions of no arguments computed only for the branch taken
# (on arrays, for both): a branch not taken then builds no node under create_graph.


def math_namespace(**functions: Callable[..., Any]) -> SimpleNamespace:
    """A namespace the op table's rules can run on: exactly the names in ``MATH_NAMES``."""
    missing = [name for name in MATH_NAMES if name not in functions]
    extra = [name for name in functions if name not in MATH_NAMES]
    if missing or extra:
        raise ValueError(f"a math namespace needs {MATH_NAMES}; missing {missing}, extra {extra}")
    return SimpleNamespace(**functions)


def anywhere(*inputs: float) -> bool:
    """The domain of an op that is smooth and finite for every finite input."""
    return True


def _arity(forward: Callable[..., Any]) -> int | None:
    """How many inputs ``forward(m, *inputs)`` takes; None for any number (``*inputs``)."""
    parameters = list(inspect.signature(forward).parameters.values())[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return len(parameters)


_FROM_FORWARD: Any = "from forward"  # the default arity: counted from the forward's signature


@dataclass(frozen=True)
class Op:
    """One primitive: how to compute it, how to differentiate it, and where it is smooth.

    Only the first three are required: ``Op("cube", lambda m, x: x**3, lambda m, x, out: (3 *
    x**2,))``. The arity is counted from ``forward``'s parameters unless given.
    """

    name: str  # what ``Value.op`` records
    forward: Callable[..., Any]  # (m, *inputs) -> output
    derivative: Callable[..., tuple[Any, ...]]  # (m, *inputs, out) -> d out / d input, for each
    arity: int | None = _FROM_FORWARD  # number of inputs; None for any number
    domain: Callable[..., bool] = anywhere  # True where the op and its derivative are finite
    kinks: tuple[Point, ...] = ()  # inputs at which the derivative jumps (relu at 0)
    poles: tuple[Point, ...] = ()  # inputs at which the op or its derivative is infinite (log at 0)
    symbol: str = ""  # how a graph shows it; the name when empty
    constants: tuple[int, ...] = ()  # input positions that are always plain numbers

    def __post_init__(self) -> None:
        if self.arity is _FROM_FORWARD:
            object.__setattr__(self, "arity", _arity(self.forward))

    @property
    def label(self) -> str:
        return self.symbol or self.name


def _sum_forward(m: Any, *xs: Any) -> Any:
    return sum(xs, 0.0)


def _sum_derivative(m: Any, *inputs_and_out: Any) -> tuple[Any, ...]:
    return (1.0,) * (len(inputs_and_out) - 1)


def _dot_forward(m: Any, *inputs: Any) -> Any:
    """``w . x (+ b)``: the inputs are ``w1..wn, x1..xn`` and, when their count is odd, ``b``."""
    n = len(inputs) // 2
    total = sum(map(operator.mul, inputs[:n], inputs[n : 2 * n]), 0.0)
    return total + inputs[-1] if len(inputs) % 2 else total


def _dot_derivative(m: Any, *inputs_and_out: Any) -> tuple[Any, ...]:
    """d/dw_i = x_i, d/dx_i = w_i, d/db = 1: the inputs, halves swapped (``out`` comes last)."""
    n = (len(inputs_and_out) - 1) // 2
    swapped = inputs_and_out[n : 2 * n] + inputs_and_out[:n]
    return (*swapped, 1.0) if len(inputs_and_out) % 2 == 0 else swapped


def _logsumexp_forward(m: Any, *xs: Any) -> Any:
    """``log(sum(exp(x)))``, shifted by the largest ``x`` so that no ``exp`` overflows. The shift
    is part of the op, so a tape computes it for each row. An infinite largest ``x`` (or nan)
    is not shifted by: the sum then gives inf, -inf (all ``x`` are -inf) or nan as it should."""
    top = functools.reduce(m.maximum, xs, -math.inf)
    shift = m.where(top - top == 0, top, 0.0)  # top - top is 0 exactly when top is finite
    return shift + m.log(sum([m.exp(x - shift) for x in xs], 0.0))


def _logsumexp_derivative(m: Any, *inputs_and_out: Any) -> tuple[Any, ...]:
    """d/dx_i = exp(x_i - out): the softmax, from the (already stable) output."""
    *xs, out = inputs_and_out
    return tuple([m.exp(x - out) for x in xs])


def _power_slope(m: Any, x: Any, y: Any) -> Any:
    """d(x ** y)/dx = y x^(y-1), and 0 at x = y = 0 (not 0 * 0^-1); elsewhere the formula, so
    the graph it builds under create_graph still depends on x and y. The formula is a branch
    computed only when taken: at x = y = 0 no ``x ** -1`` node is built for anomaly mode to flag."""
    return m.where(m.is_zero(x) & m.is_zero(y), 0.0, lambda: y * m.pow(x, y - 1))


def _exponent_slope(m: Any, x: Any, y: Any, out: Any) -> Any:
    """d(x ** y)/dy = x^y log x, and 0 where x is 0 and y >= 0 (not 0 * -inf)."""
    return m.where(m.is_zero(x) & (y >= 0), 0.0, lambda: out * m.log(x))


def _pow_domain(x: float, y: float) -> bool:
    return x > 0 or (float(y).is_integer() and (y >= 0 or x != 0))


_AT_ZERO: tuple[Point, ...] = ((0, 0.0),)

# fmt: off
_TABLE = [
    #  name       forward                                 derivative: one partial per input
    Op("+",    lambda m, x, y: x + y,          lambda m, x, y, out: (1.0, 1.0)),
    Op("-",    lambda m, x, y: x - y,          lambda m, x, y, out: (1.0, -1.0)),
    Op("*",    lambda m, x, y: x * y,          lambda m, x, y, out: (y, x)),
    Op("/",    lambda m, x, y: m.div(x, y),    lambda m, x, y, out: (m.div(1.0, y), m.div(-out, y)),
       domain=lambda x, y: y != 0, poles=((1, 0.0),)),
    Op("neg",  lambda m, x: -x,                lambda m, x, out: (-1.0,), symbol="-"),
    # x ** c with a constant exponent c (micrograd's form), x ** y, and c ** x; as in PyTorch, a
    # partial that would be 0 * inf at a zero base is 0
    Op("**",   lambda m, x, c: m.pow(x, c),    lambda m, x, c, out: (_power_slope(m, x, c), 0.0),
       domain=_pow_domain, poles=_AT_ZERO, constants=(1,)),
    Op("pow",  lambda m, x, y: m.pow(x, y),
       lambda m, x, y, out: (_power_slope(m, x, y), _exponent_slope(m, x, y, out)),
       domain=lambda x, y: x > 0, poles=_AT_ZERO, symbol="**"),
    Op("rpow", lambda m, c, x: m.pow(c, x),
       lambda m, c, x, out: (0.0, _exponent_slope(m, c, x, out)),
       domain=lambda c, x: c > 0, symbol="**", constants=(0,)),
    Op("relu", lambda m, x: m.maximum(x, 0.0), lambda m, x, out: (m.where(x > 0, 1.0, 0.0),),
       kinks=_AT_ZERO),
    Op("leaky_relu", lambda m, x, s: m.where(x > 0, x, s * x),
       lambda m, x, s, out: (m.where(x > 0, 1.0, s), m.where(x > 0, 0.0, x)),
       kinks=_AT_ZERO, constants=(1,)),
    Op("abs",  lambda m, x: abs(x),            lambda m, x, out: (m.sign(x),), kinks=_AT_ZERO),
    Op("tanh", lambda m, x: m.tanh(x),         lambda m, x, out: (1.0 - out * out,)),
    Op("sigmoid", lambda m, x: m.sigmoid(x),   lambda m, x, out: (out * (1.0 - out),)),
    Op("softplus", lambda m, x: m.softplus(x), lambda m, x, out: (m.sigmoid(x),)),
    Op("exp",  lambda m, x: m.exp(x),          lambda m, x, out: (out,)),
    Op("log",  lambda m, x: m.log(x),          lambda m, x, out: (m.div(1.0, x),),
       domain=lambda x: x > 0, poles=_AT_ZERO),
    Op("sqrt", lambda m, x: m.sqrt(x),         lambda m, x, out: (m.div(0.5, out),),
       domain=lambda x: x > 0, poles=_AT_ZERO),
    Op("sin",  lambda m, x: m.sin(x),          lambda m, x, out: (m.cos(x),)),
    Op("cos",  lambda m, x: m.cos(x),          lambda m, x, out: (-m.sin(x),)),
    # n-ary: one node however many inputs
    Op("sum",  _sum_forward,                   _sum_derivative),
    Op("dot",  _dot_forward,                   _dot_derivative),
    Op("logsumexp", _logsumexp_forward,        _logsumexp_derivative),
]
# fmt: on

OPS: dict[str, Op] = {op.name: op for op in _TABLE}


BUILT_IN = frozenset(OPS)  # Value's operators and methods are bound to these at import


def register(op: Op, *, replace: bool = False) -> Op:
    """Add a custom op to the table so Values can record it and the engine can differentiate it.

    ``replace=True`` replaces a custom op of the same name (so a notebook cell can run twice); a
    built-in op cannot be replaced, since ``Value``'s methods already compute its forward.
    """
    if not isinstance(op, Op):
        raise TypeError(f"register() takes an Op, got {type(op).__name__}")
    if not isinstance(op.name, str):
        raise TypeError(f"an op's name must be a str, got {type(op.name).__name__}")
    if not op.name:
        raise ValueError("an op's name must not be empty: a Value with op '' is a leaf")
    for part in ("forward", "derivative"):
        if not callable(getattr(op, part)):
            raise TypeError(f"op {op.name!r}: {part} must be a function")
    if op.name in BUILT_IN:
        raise ValueError(f"{op.name!r} is a built-in op; register yours under a name of its own")
    if op.name in OPS and not replace:
        raise ValueError(f"an op named {op.name!r} is already in the table; pass replace=True")
    OPS[op.name] = op
    return op
