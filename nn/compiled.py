"""``fit(..., compile=True)``: each step's mean loss replayed on tapes (``autograd.tape``).

One sample's loss is traced once into a tape that then runs a whole batch as NumPy calls.
Integer targets are class labels, and a label decides which logit or which sign the loss reads,
so each label gets a tape of its own, traced with the label as a constant. Real targets
(regression) are inputs of a single tape. A tape records one path through the model, so each new
tape is first checked against the eager engine on a few rows (``Tape.check``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from autograd import Value
from autograd.tape import Tape
from autograd.tape import compile as compile_tape

CHECKED_ROWS = 8  # rows of the first batch replayed eagerly to check a new tape


class CompiledObjective:
    """The batch's mean loss and its gradient, computed on tapes traced from ``model``."""

    def __init__(self, model: Callable[[Any], Any], loss: Callable[[Any, Any], Value]) -> None:
        self.model, self.loss = model, loss
        self.tapes: dict[Any, Tape] = {}

    def accumulate(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list[Any]]:
        """Add d(mean loss)/d(parameter) to every parameter's ``.grad``; return the mean loss and
        the model's outputs, as floats, row by row."""
        n = len(rows)
        labels = targets.dtype.kind in "iub"
        groups = _rows_by_label(targets) if labels else {None: np.arange(n)}
        total, outputs = 0.0, [None] * n
        for label, index in groups.items():
            inputs = rows[index] if labels else np.column_stack([rows[index], targets[index]])
            tape = self._tape(label, rows.shape[1], inputs)
            results = tape.forward(inputs).reshape(len(index), -1)  # the loss, then the outputs
            seeds = np.zeros_like(results)
            seeds[:, 0] = 1.0 / n
            tape.backward(seeds)
            total += float(results[:, 0].sum())
            for i, out in zip(index.tolist(), results[:, 1:].tolist()):
                outputs[i] = out[0] if len(out) == 1 else out
        return total / n, outputs

    def _tape(self, label: Any, features: int, inputs: NDArray[Any]) -> Tape:
        if label not in self.tapes:

            def sample(*xs: Value) -> list[Value]:
                out = self.model(list(xs[:features]))
                target = label if label is not None else _target(xs[features:])
                return [self.loss(out, target), *([out] if isinstance(out, Value) else out)]

            tape = compile_tape(sample, inputs[0].tolist())
            tape.check(inputs[:CHECKED_ROWS])  # raises if the model branches on values
            self.tapes[label] = tape
        return self.tapes[label]


def _rows_by_label(targets: NDArray[Any]) -> dict[int, NDArray[Any]]:
    return {int(label): np.flatnonzero(targets == label) for label in np.unique(targets)}


def _target(values: tuple[Value, ...]) -> Value | list[Value]:
    return values[0] if len(values) == 1 else list(values)
