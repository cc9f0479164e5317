"""Guards: the comparisons of Values made while a function is traced, as a compiler keeps them.

A trace records one path through the code: ``if v > 0`` took one of its branches, ``max(a, b)``
picked one of its arguments. Inside ``recording_guards()`` (``autograd.tape.compile`` turns it
on) each comparison of a Value with ``<``, ``<=``, ``>`` or ``>=`` (so also ``max``, ``min`` and
``sorted``) is kept as a ``Guard``: what was compared, how it came out, and where in the source.
A tape evaluates every guard on every row it replays and refuses the rows whose comparisons come
out otherwise, so a model that branches on values is never replayed down the wrong branch.

Outside a trace a comparison costs one read of a list item more (about 20 ns).
"""

from __future__ import annotations

import linecache
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

_recording: ContextVar[list[Guard] | None] = ContextVar("valuegraph_guards", default=None)
# How many traces record right now, in any thread: a comparison reads this list's item (cheaper
# than the context variable) and looks further only when some trace records.
tracing = [0]
_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class Guard:
    """``left <comparison> right`` came out ``outcome`` when traced, at ``source``."""

    comparison: str  # "<", "<=", ">" or ">="
    left: Any  # a Value, or a float
    right: Any
    outcome: bool
    source: str  # "model.py:12: if x[0] > 0:"


@contextmanager
def recording_guards() -> Iterator[list[Guard]]:
    """Keep the comparisons of Values made inside the block in the list it gives."""
    guards: list[Guard] = []
    token = _recording.set(guards)
    with _lock:
        tracing[0] += 1
    try:
        yield guards
    finally:
        with _lock:
            tracing[0] -= 1
        _recording.reset(token)


def note(comparison: str, left: Any, right: Any, outcome: bool) -> None:
    """Keep a comparison made by a Value's operator, if this context records (the operator's
    caller is the user's code)."""
    guards = _recording.get()
    if guards is not None:
        frame = sys._getframe(2)
        filename, line = frame.f_code.co_filename, frame.f_lineno
        text = linecache.getline(filename, line).strip()
        source = f"{filename.rsplit('/', 1)[-1]}:{line}" + (f": {text}" if text else "")
        guards.append(Guard(comparison, left, right, outcome, source))
