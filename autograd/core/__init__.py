"""The core: what a Value is and how backpropagation works, in the standard library only.

Read in this order: ``ops.py`` (the op table: every primitive's forward and derivative rule),
``ieee.py`` (float math that returns inf and nan like NumPy), ``value.py`` (``Value`` and how an
op records a node), ``engine.py`` (topological order, the chain rule, ``backward``), then
``gradients.py`` (``grad``, and higher order through ``value_math.py``), ``functions.py``
(``sum``, ``dot`` and ``logsumexp``) and ``modes.py`` (``no_grad``, ``detect_anomaly``).
"""

from . import installation  # noqa: F401 - first: refuses a folder shared with another autograd
from .engine import backward, chain_rule, topological_order, zero_grad
from .functions import dot, logsumexp, sum  # noqa: A004 - autograd.sum, as numpy.sum
from .gradients import grad
from .modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad
from .ops import MATH_NAMES, OPS, Op, math_namespace, register
from .value import Value, apply

__all__ = [
    "MATH_NAMES",
    "OPS",
    "Op",
    "Value",
    "apply",
    "backward",
    "chain_rule",
    "detect_anomaly",
    "dot",
    "enable_grad",
    "grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "logsumexp",
    "math_namespace",
    "no_grad",
    "register",
    "sum",
    "topological_order",
    "zero_grad",
]
