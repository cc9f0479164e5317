"""The tape: compile a traced scalar graph and replay it over NumPy batches.

Read ``numpy_math.py`` (the op table's math on arrays), ``steps.py`` (one block of same-op nodes,
forward and backward over a batch), then ``tape.py`` (``compile``, and ``Tape``, which plans the
steps and runs them). Beside it: ``verify.py`` (guards on every row, ``Tape.check``'s rows and
comparison) and ``anomalies.py`` (``detect_anomaly()`` on a tape).
"""

from .numpy_math import NUMPY_MATH
from .tape import Tape, TapeGuardError, TapeMismatchError, compile  # noqa: A004 - as the built-in

__all__ = ["NUMPY_MATH", "Tape", "TapeGuardError", "TapeMismatchError", "compile"]
