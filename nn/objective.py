"""What a training step differentiates: a batch's mean loss plus a penalty on the parameters.

``EagerObjective`` builds the graph of the whole batch and calls ``backward()``.
``CompiledObjective`` (``fit(..., compile=True)``) traces one sample once into a tape
(``autograd.tape``) that replays a whole batch as NumPy calls, with the same numbers:

- Class labels (the targets of a loss with a ``predict`` rule, or integer targets) decide which
  logit or which sign the loss reads. So the tape computes the loss for every label, and each
  row's gradient seed picks the column of its own label. Real targets (regression) are inputs
  of the tape.
- The penalty is one more output of the tape: it reads the parameters only, so the tape computes
  it once per batch, not once per row.
- A tape records one path through the model. A comparison of Values in the model (``if x[0] >
  0``) is a guard the tape evaluates on every row of every batch: a row down another branch is
  refused (``TapeGuardError``), not trained wrongly. A branch on ``.data``, which no guard sees, is
  caught by the check against the eager engine when the tape is made (``Tape.check`` on the
  first batch's most telling rows: its extremes).

Both have ``step(optimizer, rows, targets)``: zero the gradients, accumulate, take the step. The
compiled one does it in one pass over the parameters when the optimizer's rule is an array rule
(``Optimizer.update``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import autograd
from autograd import Value
from autograd.tape import Tape
from autograd.tape import compile as compile_tape

from .optim import Optimizer

Loss = Callable[[Any, Any], Value]
Penalty = Callable[[list[Value]], Value]
CHECKED_ROWS = 16  # rows of the first batch replayed eagerly to check the tape (the telling ones)


def mean_loss(outputs: Sequence[Any], targets: Sequence[Any], loss: Loss) -> Value:
    """The mean of ``loss(output, target)`` over a batch, as one ``sum`` node divided by n."""
    return autograd.sum(loss(o, t) for o, t in zip(outputs, targets)) / len(outputs)


class Objective:
    """A batch's mean loss plus ``penalty(params)``; subclasses say how it is differentiated."""

    def __init__(
        self, model: Callable[[Any], Any], loss: Loss, penalty: Penalty | None, params: list[Value]
    ) -> None:
        self.model, self.loss, self.penalty, self.params = model, loss, penalty, params

    def accumulate(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list[Any]]:
        """Add the objective's gradient to each parameter's ``.grad``; return its value and the
        model's outputs, row by row."""
        raise NotImplementedError

    def step(self, optimizer: Any, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list]:
        """One training step on a batch; returns the objective's value and the outputs."""
        optimizer.zero_grad()
        value, outputs = self.accumulate(rows, targets)
        optimizer.step()
        return value, outputs


class EagerObjective(Objective):
    """The objective as a graph of Values, differentiated by ``backward()``."""

    def build(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[Value, list[Any]]:
        """The objective's Value (its whole graph) and the model's outputs."""
        outputs = [self.model(row) for row in rows.tolist()]
        total = mean_loss(outputs, targets.tolist(), self.loss)
        if self.penalty is not None:
            total = total + self.penalty(self.params)
        return total, outputs

    def accumulate(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list[Any]]:
        total, outputs = self.build(rows, targets)
        total.backward()
        return total.data, outputs


class CompiledObjective(Objective):
    """The objective on tapes, traced from the first batch (see the module docstring)."""

    def __init__(
        self,
        model: Callable[[Any], Any],
        loss: Loss,
        penalty: Penalty | None,
        params: list[Value],
        labels: ArrayLike | None = None,
    ) -> None:
        super().__init__(model, loss, penalty, params)
        self.labels = None if labels is None else np.unique(np.asarray(labels))
        self.tape: Tape | None = None
        self._fused: tuple[Any, NDArray[np.intp] | None] | None = None  # see _positions

    def accumulate(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list[Any]]:
        value, outputs, seeds = self._evaluate(rows, targets)
        self._tape().backward(seeds)
        return value, outputs

    def step(self, optimizer: Any, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list]:
        """As ``Objective.step``, in one pass over the parameters when ``optimizer`` updates
        exactly ``params`` by an array rule (``Optimizer.update``): the tape's gradients go to
        the rule as an array, and each Value gets its new ``.grad`` and ``.data`` once."""
        value, outputs, seeds = self._evaluate(rows, targets)
        positions = self._positions(optimizer)
        if positions is None:
            optimizer.zero_grad()
            self._tape().backward(seeds)
            optimizer.step()
            return value, outputs
        grads = np.zeros(len(self.params))
        grads[positions] = self._tape().gradients(seeds)
        data = optimizer.update(np.array([p.data for p in self.params]), grads)
        for p, g, x in zip(self.params, grads.tolist(), data.tolist()):
            p.grad, p.data = g, x
        return value, outputs

    def _evaluate(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, list, Any]:
        """The objective's value, the model's outputs and the tape's seeds for a batch."""
        n, every = len(rows), np.arange(len(rows))
        if self.labels is None:
            inputs, losses = np.column_stack([rows, targets.reshape(n, -1)]), 1
            chosen = np.zeros(n, dtype=np.int64)  # the one loss column
        else:
            inputs, losses = rows, len(self.labels)
            chosen = self._columns(targets)
        tape = self.tape or self._trace(rows.shape[1], inputs)
        results = tape.forward(inputs).reshape(n, -1)  # a loss per label, the penalty, the outputs
        seeds = np.zeros(results.shape)
        seeds[every, chosen] = 1.0 / n
        value = float(results[every, chosen].sum()) / n
        heads = losses
        if self.penalty is not None:  # the same in every row: seeded 1/n in each, it counts once
            seeds[:, heads] = 1.0 / n
            value += float(results[0, heads])
            heads += 1
        outputs = results[:, heads:]
        return value, (outputs[:, 0] if outputs.shape[1] == 1 else outputs).tolist(), seeds

    def _tape(self) -> Tape:
        assert self.tape is not None, "traced by the first _evaluate"
        return self.tape

    def _positions(self, optimizer: Any) -> NDArray[np.intp] | None:
        """Where each of the tape's parameters sits in ``params``, if ``optimizer`` can take the
        one-pass step (see ``step``); else None. Worked out once per optimizer."""
        if self._fused is not None and self._fused[0] is optimizer:
            return self._fused[1]
        index = {p: i for i, p in enumerate(self.params)}
        usable = (
            isinstance(optimizer, Optimizer)
            and type(optimizer).update is not Optimizer.update  # it has an array rule...
            and type(optimizer).step is Optimizer.step  # ...and its step is that rule
            and len(optimizer.params) == len(self.params)
            and all(p is q for p, q in zip(optimizer.params, self.params))
            and all(p in index for p in self._tape().parameters)
        )
        positions = [index[p] for p in self._tape().parameters] if usable else None
        self._fused = (optimizer, None if positions is None else np.array(positions, np.intp))
        return self._fused[1]

    def _columns(self, targets: NDArray[Any]) -> NDArray[np.intp]:
        assert self.labels is not None
        columns = np.searchsorted(self.labels, targets)
        known = self.labels.take(columns, mode="clip") == targets  # past the last: not a label
        if not known.all():
            raise ValueError(f"target {targets[~known][0]!r} is none of the labels {self.labels}")
        return columns

    def _trace(self, features: int, inputs: NDArray[Any]) -> Tape:
        labels = None if self.labels is None else self.labels.tolist()
        penalty, params = self.penalty, self.params

        def sample(*xs: Value) -> list[Value]:
            out = self.model(list(xs[:features]))
            targets = labels if labels is not None else [_target(xs[features:])]
            heads = [self.loss(out, target) for target in targets]
            if penalty is not None:
                heads.append(penalty(params))
            return [*heads, *([out] if isinstance(out, Value) else out)]

        self.tape = compile_tape(sample, inputs[0].tolist())
        self.tape.check(inputs, limit=CHECKED_ROWS)  # raises if the model branches on .data
        return self.tape


def _target(values: tuple[Value, ...]) -> Value | list[Value]:
    return values[0] if len(values) == 1 else list(values)
