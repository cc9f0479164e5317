"""How a tape is kept honest: its guards evaluated on every row, and the rows and the comparison
of ``Tape.check`` against the eager engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core import Value
from ..core.guards import Guard


class TapeMismatchError(AssertionError):
    """The tape and the eager engine disagree (``Tape.check``)."""


class TapeGuardError(TapeMismatchError):
    """A row of a batch takes another branch than the trace: a guard came out otherwise."""


def check_guards(guards: Sequence[Guard], read: Callable[[Any], np.ndarray], samples: int) -> None:
    """Raise ``TapeGuardError`` if a row's comparisons come out otherwise than the trace's;
    ``read`` gives a compared Value's row (or a constant) from the tape's stores."""
    for guard in guards:
        left, right = (np.broadcast_to(read(v), samples) for v in (guard.left, guard.right))
        rows = np.flatnonzero(_COMPARISONS[guard.comparison](left, right) != guard.outcome)
        if rows.size:
            r = int(rows[0])
            compared = ((guard.left, left), (guard.right, right))
            shown = ", ".join(f"{_name(v)} = {float(a[r])!r}" for v, a in compared if _is_value(v))
            text = f"{_text(guard.left)} {guard.comparison} {_text(guard.right)}"
            raise TapeGuardError(
                f"row {r} of the batch ({rows.size} of {samples} rows) takes another branch "
                f"than the trace: the comparison {text} (at {guard.source}) came "
                f"out {guard.outcome} when traced, {not guard.outcome} here ({shown}). A tape "
                "replays the one path it traced: train this model eagerly (compile=False)."
            )


def telling_rows(columns: np.ndarray, limit: int) -> np.ndarray:
    """Up to ``limit`` rows most likely to show a tape and the eager engine apart, given each
    row's inputs and tape outputs as ``columns``: rows with inf or nan, the rows of the smallest
    and largest value of each column, then rows spread evenly."""
    candidates = [int(i) for i in np.flatnonzero(~np.isfinite(columns).all(axis=1))]
    for column in columns.T:
        if not np.isnan(column).all():
            candidates += [int(np.nanargmin(column)), int(np.nanargmax(column))]
    candidates += np.linspace(0, len(columns) - 1, limit).astype(int).tolist()
    return np.array(list(dict.fromkeys(candidates))[:limit], dtype=np.intp)


_COMPARISONS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _text(value: Any) -> str:
    return _name(value) if isinstance(value, Value) else repr(float(value))


def _is_value(value: Any) -> bool:
    return isinstance(value, Value)


def _name(value: Value) -> str:
    return value.label or f"the {value.op or 'leaf'} node"


def compare(what: str, tape: np.ndarray, eager: np.ndarray, rtol: float) -> None:
    scale = max(1.0, float(np.nanmax(np.abs(eager), initial=0.0)))
    close = np.isclose(tape, eager, rtol=rtol, atol=rtol * scale, equal_nan=True)
    if not close.all():
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        raise TapeMismatchError(
            f"{what} {where}: tape {tape[where]!r}, eager {eager[where]!r} "
            f"({int((~close).sum())} of {close.size} differ). The tape replays the graph traced "
            "from the example inputs: if fn branches on values (if x.data > 0, max(a, b)), the "
            "branch taken then is frozen in the tape."
        )
