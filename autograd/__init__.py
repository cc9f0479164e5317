"""valuegraph's autograd: scalar reverse-mode automatic differentiation you can read.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + 1
>>> c.backward()
>>> a.grad, b.grad
(-3.0, 2.0)

Where to start reading, and where to stop:

1. ``core/`` (standard library only): the whole engine. Five files, about 1,000 lines, are
   backpropagation: ``ops.py``, the op table, every primitive's forward beside its derivative
   rule; ``ieee.py``, float math; ``value.py``, how an op records a node; ``engine.py``,
   backpropagation itself (topological order, the chain rule, ``backward``); ``gradients.py``,
   ``grad`` and higher order. A learner can stop here.
2. ``check/``: gradient checking against float64 finite differences (``gradcheck``,
   ``check_graph``) and the reports that say what failed where.
3. ``tape/`` (NumPy): compile a traced graph and replay it over a batch.

Beside them: ``fast.py``, the measured speed-ups installed over the reference at import (set
``VALUEGRAPH_ENGINE=reference`` to run the reference); ``testing/``, the pytest plugin and
hypothesis strategies; ``files.py``, atomic writes for the files ``nn`` and ``viz`` save.
"""

import os as _os

from . import fast
from .check import GradcheckError, check_graph, gradcheck, gradgradcheck
from .core import (
    OPS,
    Op,
    Value,
    apply,
    backward,
    detect_anomaly,
    dot,
    enable_grad,
    grad,
    is_anomaly_enabled,
    is_grad_enabled,
    logsumexp,
    no_grad,
    register,
    sum,  # noqa: A004 - autograd.sum, as numpy.sum
    topological_order,
    zero_grad,
)

__valuegraph__ = True  # what nn and viz check: this autograd is valuegraph's, not HIPS's

_ENGINE = _os.environ.get("VALUEGRAPH_ENGINE", "fast")
if _ENGINE not in ("fast", "reference"):
    raise ValueError(f"VALUEGRAPH_ENGINE must be 'fast' or 'reference', got {_ENGINE!r}")
if _ENGINE == "fast":
    fast.install()

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
    "logsumexp",
    "no_grad",
    "register",
    "sum",
    "topological_order",
    "zero_grad",
]
