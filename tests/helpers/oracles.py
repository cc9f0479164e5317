"""Independent oracles for the tests: float64 central differences and closed-form derivatives
written with ``math``, never with the op table."""

from __future__ import annotations

import math
from collections.abc import Callable


def central_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float:
    """df/dx at x by a float64 central difference (step cbrt(eps) * max(1, |x|))."""
    h = h if h is not None else 6.0555e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def sech2(x: float) -> float:
    return 1 / math.cosh(x) ** 2


# name: (build from a Value, f, f', f'', sampling interval); the math is written independently
UNARY: dict[str, tuple[Callable, Callable, Callable, Callable, tuple[float, float]]] = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, lambda x: 0.0, (-3, 3)),
    "relu": (
        lambda v: v.relu(),
        lambda x: max(x, 0.0),
        lambda x: float(x > 0),
        lambda x: 0.0,
        (-3, 3),
    ),
    "leaky_relu": (
        lambda v: v.leaky_relu(0.1),
        lambda x: x if x > 0 else 0.1 * x,
        lambda x: 1.0 if x > 0 else 0.1,
        lambda x: 0.0,
        (-3, 3),
    ),
    "abs": (lambda v: abs(v), abs, lambda x: math.copysign(1.0, x), lambda x: 0.0, (-3, 3)),
    "tanh": (lambda v: v.tanh(), math.tanh, sech2, lambda x: -2 * math.tanh(x) * sech2(x), (-3, 3)),
    "sigmoid": (
        lambda v: v.sigmoid(),
        sigmoid,
        lambda x: sigmoid(x) * (1 - sigmoid(x)),
        lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
        (-4, 4),
    ),
    "softplus": (
        lambda v: v.softplus(),
        lambda x: math.log1p(math.exp(x)),
        sigmoid,
        lambda x: sigmoid(x) * (1 - sigmoid(x)),
        (-4, 4),
    ),
    "exp": (lambda v: v.exp(), math.exp, math.exp, math.exp, (-3, 3)),
    "log": (lambda v: v.log(), math.log, lambda x: 1 / x, lambda x: -1 / x**2, (0.2, 4)),
    "sqrt": (
        lambda v: v.sqrt(),
        math.sqrt,
        lambda x: 0.5 / math.sqrt(x),
        lambda x: -0.25 * x**-1.5,
        (0.2, 4),
    ),
    "sin": (lambda v: v.sin(), math.sin, math.cos, lambda x: -math.sin(x), (-4, 4)),
    "cos": (lambda v: v.cos(), math.cos, lambda x: -math.sin(x), lambda x: -math.cos(x), (-4, 4)),
    "**": (lambda v: v**3, lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, (-3, 3)),
    "rpow": (
        lambda v: 2.5**v,
        lambda x: 2.5**x,
        lambda x: 2.5**x * math.log(2.5),
        lambda x: 2.5**x * math.log(2.5) ** 2,
        (-3, 3),
    ),
}

# name: (build, f, gradient (df/dx, df/dy), hessian ((xx, xy), (yx, yy)), interval for x and y)
BINARY: dict[str, tuple[Callable, Callable, Callable, Callable, tuple[float, float]]] = {
    "+": (
        lambda a, b: a + b,
        lambda x, y: x + y,
        lambda x, y: (1.0, 1.0),
        lambda x, y: ((0.0, 0.0), (0.0, 0.0)),
        (-3, 3),
    ),
    "-": (
        lambda a, b: a - b,
        lambda x, y: x - y,
        lambda x, y: (1.0, -1.0),
        lambda x, y: ((0.0, 0.0), (0.0, 0.0)),
        (-3, 3),
    ),
    "*": (
        lambda a, b: a * b,
        lambda x, y: x * y,
        lambda x, y: (y, x),
        lambda x, y: ((0.0, 1.0), (1.0, 0.0)),
        (-3, 3),
    ),
    "/": (
        lambda a, b: a / b,
        lambda x, y: x / y,
        lambda x, y: (1 / y, -x / y**2),
        lambda x, y: ((0.0, -1 / y**2), (-1 / y**2, 2 * x / y**3)),
        (0.5, 3),
    ),
    "pow": (
        lambda a, b: a**b,
        lambda x, y: x**y,
        lambda x, y: (y * x ** (y - 1), x**y * math.log(x)),
        lambda x, y: (
            (y * (y - 1) * x ** (y - 2), x ** (y - 1) * (1 + y * math.log(x))),
            (x ** (y - 1) * (1 + y * math.log(x)), x**y * math.log(x) ** 2),
        ),
        (0.5, 2.5),
    ),
}
