"""Float math that follows IEEE-754: results are inf or nan, never a Python exception.

Python's ``math`` raises ``OverflowError``, ``ValueError`` or ``ZeroDivisionError`` where NumPy and
PyTorch return ``inf`` or ``nan``. The op table computes on floats through ``FLOATS``, the math
namespace made of this module's functions, so the engine behaves like them. Each of its names has a
twin for Values (``value_math.VALUE_MATH``) and one for NumPy arrays (``autograd.tape``'s
``NUMPY_MATH``): the same derivative rule then runs on all three.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .ops import MATH_NAMES, math_namespace

inf = math.inf
nan = math.nan
isfinite = math.isfinite
tanh = math.tanh


def to_float(x: object) -> float:
    """``x`` as a Python float (ints, floats, bools, NumPy real scalars); else ``TypeError``."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:  # an int too large for a float is, in IEEE terms, infinite
            return inf if x > 0 else -inf  # type: ignore[operator]
    if type(x).__module__ == "numpy" and type(x).__name__ in ("bool", "bool_"):
        return float(x)  # type: ignore[arg-type]
    raise TypeError(f"expected a real number, got {type(x).__name__}: {x!r:.60}")


def div(x: float, y: float) -> float:
    """``x / y``, with ``1/0 = inf``, ``-1/0 = -inf`` and ``0/0 = nan``."""
    try:
        return x / y
    except ZeroDivisionError:
        if x == 0 or x != x:
            return nan
        return math.copysign(inf, x) * math.copysign(1.0, y)


def _is_odd_integer(y: float) -> bool:
    return y.is_integer() and y % 2 == 1


def pow(x: float, y: float) -> float:  # noqa: A001 - the name the op rules use
    """``x ** y`` as C's ``pow``: ``0 ** -1 = inf``, ``(-8) ** (1/3) = nan``, overflow ``inf``."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -inf if x < 0 and _is_odd_integer(y) else inf
    except ValueError:  # 0 to a negative power, or a negative base to a fractional one
        if x == 0:
            return math.copysign(inf, x) if _is_odd_integer(y) else inf
        return nan


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -inf if x == 0 else nan


def sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else nan


def sin(x: float) -> float:
    return math.sin(x) if isfinite(x) else nan


def cos(x: float) -> float:
    return math.cos(x) if isfinite(x) else nan


def sigmoid(x: float) -> float:
    """``1 / (1 + exp(-x))``, computed so that neither branch overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp(x)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """``log(1 + exp(x))``, stable for large ``|x|``."""
    return maximum(x, 0.0) + math.log1p(exp(-abs(x)))


def maximum(x: float, y: float) -> float:
    """The larger of ``x`` and ``y``; nan in ``x`` propagates (as ``numpy.maximum``)."""
    return x if x >= y or x != x else y


def sign(x: float) -> float:
    """1.0, -1.0 or 0.0 (PyTorch's convention at 0); nan stays nan."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return x * 0.0


def is_zero(x: float) -> bool:
    """``x == 0``: a condition for ``where`` that reads a Value's data on Values too."""
    return x == 0


def where(condition: bool, if_true: Any, if_false: Any) -> Any:
    """``if_true if condition else if_false``: a branch that works on floats, Values, arrays. A
    branch given as a function of no arguments is called only when taken."""
    chosen = if_true if condition else if_false
    return chosen() if callable(chosen) else chosen


def computed(branch: Any) -> Any:
    """A branch of ``where`` as a value: called if it is a function of no arguments."""
    return branch() if callable(branch) else branch


FLOATS = math_namespace(**{name: globals()[name] for name in MATH_NAMES})
