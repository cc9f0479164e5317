"""The tape: compile a traced scalar graph and replay it over NumPy batches.

Read ``numpy_math.py`` (the op table's math on arrays), ``steps.py`` (one block of same-op nodes,
and the NumPy code that runs it forward and backward over a batch), ``planner.py`` (which nodes
run together, in which rows), ``program.py`` (the steps' code as one function per direction, and
which gradients are written first), then ``tape.py`` (``compile``, and ``Tape``, which runs the
program over batches). Beside it: ``verify.py`` (guards on every row, ``Tape.check``'s rows and
comparison) and ``anomalies.py`` (``detect_anomaly()`` on a tape).
"""

from .numpy_math import NUMPY_MATH
from .tape import Tape, TapeGuardError, TapeMismatchError, compile  # noqa: A004 - as the built-in

__all__ = ["NUMPY_MATH", "Tape", "TapeGuardError", "TapeMismatchError", "compile"]
