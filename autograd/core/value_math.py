"""``VALUE_MATH``: the math namespace on Values, which derivative rules run on for higher order.

Each name mirrors one of ``ieee.FLOATS``: on a Value it records the op (``exp(x)`` is
``x.exp()``), on a plain number it computes the float. ``grad(..., create_graph=True)`` runs the op
table's rules on this namespace, so a gradient comes back as a graph that can be differentiated
again, from the very formulas ``backward()`` uses on floats.
"""

from __future__ import annotations

from typing import Any

from . import ieee
from .ops import math_namespace
from .value import Operand, Value, _data


def _lift(method: str, on_floats: Any) -> Any:
    def function(x: Operand) -> Any:
        return getattr(x, method)() if isinstance(x, Value) else on_floats(x)

    return function


def _pow(x: Operand, y: Operand) -> Any:
    return x**y if isinstance(x, Value) or isinstance(y, Value) else ieee.pow(x, y)


def _div(x: Operand, y: Operand) -> Any:
    return x / y if isinstance(x, Value) or isinstance(y, Value) else ieee.div(x, y)


def _maximum(x: Operand, y: Operand) -> Any:
    return x if x >= y else y


def _is_zero(x: Operand) -> bool:
    return _data(x) == 0  # a Value's == is identity: compare its data


def _sign(x: Operand) -> float:
    return ieee.sign(_data(x))  # piecewise constant: its own derivative is zero


VALUE_MATH = math_namespace(
    **{name: _lift(name, getattr(ieee, name)) for name in ("exp", "log", "sqrt", "sin", "cos")},
    **{name: _lift(name, getattr(ieee, name)) for name in ("tanh", "sigmoid", "softplus")},
    pow=_pow,
    div=_div,
    maximum=_maximum,
    sign=_sign,
    is_zero=_is_zero,
    where=ieee.where,
)
