"""The op table's derivative rules, read out as text.

``partials_as_text`` runs an op's own ``derivative`` rule on ``Symbol`` objects, which record
the arithmetic as text instead of doing it: ``*``'s rule ``(y, x)`` reads back as ``b.data`` and
``a.data``, tanh's ``1.0 - out * out`` as ``1 - c.data * c.data``. Nothing here knows any
derivative; the text is whatever the table computes.
"""

from __future__ import annotations

from typing import Any

from autograd import OPS
from autograd.core import ieee, math_namespace

from .style import number

ATOM, POWER, SIGN, PRODUCT, SUM = 5, 4, 3, 2, 1  # binding strength of each form of expression


class Symbol:
    """An expression's text and its float value (the value only picks ``where``'s branch)."""

    __slots__ = ("precedence", "text", "value")

    def __init__(self, text: str, value: float, precedence: int = ATOM) -> None:
        self.text, self.value, self.precedence = text, value, precedence

    def wrapped(self, precedence: int) -> str:
        return f"({self.text})" if self.precedence < precedence else self.text

    def __add__(self, other: Any) -> Symbol:
        return _infix(self, "+", other, SUM, self.value + _value(other))

    def __radd__(self, other: Any) -> Symbol:
        return _infix(other, "+", self, SUM, _value(other) + self.value)

    def __sub__(self, other: Any) -> Symbol:
        return _infix(self, "-", other, SUM, self.value - _value(other))

    def __rsub__(self, other: Any) -> Symbol:
        return _infix(other, "-", self, SUM, _value(other) - self.value)

    def __mul__(self, other: Any) -> Symbol:
        return _infix(self, "*", other, PRODUCT, self.value * _value(other))

    def __rmul__(self, other: Any) -> Symbol:
        return _infix(other, "*", self, PRODUCT, _value(other) * self.value)

    def __truediv__(self, other: Any) -> Symbol:
        return _div(self, other)

    def __rtruediv__(self, other: Any) -> Symbol:
        return _div(other, self)

    def __pow__(self, other: Any) -> Symbol:
        return _pow(self, other)

    def __rpow__(self, other: Any) -> Symbol:
        return _pow(other, self)

    def __neg__(self) -> Symbol:
        return Symbol("-" + self.wrapped(POWER), -self.value, SIGN)

    def __abs__(self) -> Symbol:
        return _call("abs", abs, self)

    def __gt__(self, other: Any) -> bool:
        return self.value > _value(other)

    def __lt__(self, other: Any) -> bool:
        return self.value < _value(other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= _value(other)

    def __le__(self, other: Any) -> bool:
        return self.value <= _value(other)


def constant(x: float) -> Symbol:
    return Symbol(number(x), x, ATOM if x >= 0 else SIGN)


def _symbol(x: Any) -> Symbol:
    return x if isinstance(x, Symbol) else constant(float(x))


def _value(x: Any) -> float:
    return x.value if isinstance(x, Symbol) else float(x)


def _infix(left: Any, sign: str, right: Any, precedence: int, value: float) -> Symbol:
    left, right = _symbol(left), _symbol(right)
    text = f"{left.wrapped(precedence)} {sign} {right.wrapped(precedence + 1)}"
    return Symbol(text, value, precedence)


def _div(x: Any, y: Any) -> Symbol:
    return _infix(x, "/", y, PRODUCT, ieee.div(_value(x), _value(y)))


def _pow(x: Any, y: Any) -> Symbol:
    x, y = _symbol(x), _symbol(y)
    return Symbol(f"{x.wrapped(ATOM)} ** {y.wrapped(POWER)}", ieee.pow(x.value, y.value), POWER)


def _call(name: str, function: Any, *args: Any) -> Symbol:
    inner = ", ".join(_symbol(a).text for a in args)
    return Symbol(f"{name}({inner})", function(*(_value(a) for a in args)))


def _function(name: str) -> Any:
    return lambda x: _call(name, getattr(ieee, name), x)


SYMBOLIC_MATH = math_namespace(
    **{name: _function(name) for name in ("exp", "log", "sqrt", "sin", "cos", "tanh")},
    **{name: _function(name) for name in ("sigmoid", "softplus", "sign")},
    pow=_pow,
    div=_div,
    maximum=lambda x, y: _call("max", max, x, y),
    is_zero=lambda x: _value(x) == 0,
    where=ieee.where,
)


def partials_as_text(op: str, inputs: list[Symbol], out: Symbol) -> list[str]:
    """The text of each local partial derivative of ``op``, as its table rule computes it, in
    parentheses unless it is a single factor (so ``... * c.grad`` reads right)."""
    try:
        partials = OPS[op].derivative(SYMBOLIC_MATH, *inputs, out)
        return [_symbol(p).wrapped(POWER) for p in partials]
    except Exception:  # a custom op whose rule needs more than this namespace: name the partials
        return [
            f"∂{out.text.removesuffix('.data')}/∂{x.text.removesuffix('.data')}" for x in inputs
        ]
