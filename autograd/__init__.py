"""valuegraph's autograd: scalar reverse-mode automatic differentiation you can read.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + 1
>>> c.backward()
>>> a.grad, b.grad
(-3.0, 2.0)
"""

from .engine import backward, grad, topological_order, zero_grad
from .functions import dot, sum  # noqa: A004 - autograd.sum, as numpy.sum
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graphcheck import check_graph
from .modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad
from .ops import OPS, Op, register
from .value import Value, apply

__all__ = [
    "OPS",
    "GradcheckError",
    "Op",
    "Value",
    "apply",
    "backward",
    "check_graph",
    "detect_anomaly",
    "dot",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "register",
    "sum",
    "topological_order",
    "zero_grad",
]
