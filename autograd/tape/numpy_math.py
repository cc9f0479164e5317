"""``NUMPY_MATH``: the op table's math namespace on NumPy arrays, so a tape runs the very rules
``backward()`` runs on floats. Results follow IEEE-754 (inf, nan) under ``np.errstate``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import math_namespace


def _sigmoid(x: Any) -> Any:
    e = np.exp(-np.abs(x))  # the same two branches as ieee.sigmoid; neither overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x: Any) -> Any:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _where(condition: Any, a: Any, b: Any) -> Any:
    """``a`` where ``condition`` holds, else ``b``; a branch is a value or a function of no
    arguments computing it. ``where(c, 1.0, 0.0)``, the derivative of every step, is ``c`` as
    floats: the same numbers, without broadcasting two scalars."""
    if type(a) is float and type(b) is float and a == 1.0 and b == 0.0:
        return np.asarray(condition, dtype=np.float64)
    return np.where(condition, a() if callable(a) else a, b() if callable(b) else b)


# The op table's math namespace on arrays; IEEE-754 results (inf, nan) under np.errstate.
NUMPY_MATH = math_namespace(
    exp=np.exp,
    log=np.log,
    sqrt=np.sqrt,
    sin=np.sin,
    cos=np.cos,
    tanh=np.tanh,
    sigmoid=_sigmoid,
    softplus=_softplus,
    pow=np.power,
    div=np.divide,
    maximum=np.maximum,
    sign=np.sign,
    is_zero=lambda x: np.equal(x, 0),
    where=_where,
)
