"""What a training step differentiates: a batch's mean loss plus a penalty on the parameters.

``EagerObjective`` builds the graph of the whole batch and calls ``backward()``.
``CompiledObjective`` (``fit(..., compile=True)``) traces one sample once into a tape
(``autograd.tape``) that replays a whole batch as NumPy calls, with the same numbers:

- Targets are inputs of the tape, so it computes one loss per row: real targets (regression) as
  they are, class labels as the loss encodes them (``loss.target_columns``: a label's value for
  ``hinge``, a one-hot row for ``cross_entropy``). A loss with a ``predict`` rule but no encoding
  is traced once per label, and each row's gradient seed picks the loss of its own label.
- The penalty is one more output of the tape: it reads the parameters only, so the tape computes
  it once per batch, not once per row.
- A tape records one path through the model. A comparison of Values in the model (``if x[0] >
  0``) is a guard the tape evaluates on every row of every batch: a row down another branch is
  refused (``TapeGuardError``), not trained wrongly. A branch on ``.data``, which no guard sees, is
  caught by the check against the eager engine when the tape is made (``Tape.check`` on the
  first batch's most telling rows: its extremes).

Both have ``step(optimizer, rows, targets)``: zero the gradients, accumulate, take the step. The
compiled one keeps the parameters in an array while the optimizer's rule is an array rule
(``Optimizer.update``), and writes them back into the Values on ``sync()``.
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

    def sync(self) -> None:
        """Bring the parameters' Values up to date (they always are, but in compiled training)."""

    def step(self, optimizer: Any, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, Any]:
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
    """The objective on a tape, traced from the first batch (see the module docstring).

    While it trains, the parameters live in an array: ``step`` hands the tape's gradients to the
    optimizer's array rule and keeps the result, without touching the Values. ``sync()`` writes
    the array back into each Value's ``.data`` (and the last gradients into ``.grad``); ``fit``
    calls it whenever a user can look: at a recorded frame, and when it returns or raises.
    """

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
        self.traced_losses = 0  # loss outputs of the tape: one, or one per label (see _trace)
        self._encode: Callable[[Any, int], NDArray[Any]] | None = None  # targets as tape inputs
        self._fused: tuple[Any, NDArray[np.intp] | None] | None = None  # see _positions
        self._theta: NDArray[np.float64] = np.empty(0)  # the parameters while training
        self._grads: NDArray[np.float64] = np.empty(0)  # their last gradients
        self._stale = False  # whether the Values are behind _theta and _grads
        self._inputs: tuple[Any, ...] | None = None  # the last batch, its tape inputs and labels
        self._width = 0  # the model's outputs: the width of one-hot targets
        self._seeds: dict[int, NDArray[np.float64]] = {}
        self._replay: tuple[Any, ...] | None = None  # the last batch's inputs, seeds, replay
        self._seeded: tuple[tuple[int, ...], ...] = ()  # outputs a step seeds: losses (, penalty)

    def sync(self) -> None:
        """Bring each parameter's ``.data`` and ``.grad`` up to date with the training arrays."""
        if self._stale:
            for p, x, g in zip(self.params, self._theta.tolist(), self._grads.tolist()):
                p.data, p.grad = x, g
            self._stale = False

    def accumulate(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, Any]:
        self.sync()
        value, outputs, seeds = self._evaluate(rows, targets, None)
        self._tape().backward(seeds)
        return value, outputs

    def step(self, optimizer: Any, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[float, Any]:
        """As ``Objective.step``. When ``optimizer`` updates exactly ``params`` by an array rule
        (``Optimizer.update``), the tape's gradients go to that rule as an array and the
        parameters stay in an array (see ``sync``); otherwise each step goes through the Values."""
        if self.tape is None:
            self._trace(rows.shape[1], self._tape_inputs(rows, targets)[0])
        positions = self._positions(optimizer)
        if positions is None:
            self.sync()
            return super().step(optimizer, rows, targets)
        if not self._stale:  # the Values are the truth: after a sync, or at the start
            self._theta = np.array([p.data for p in self.params])
        theta = self._theta if positions.size == 0 else self._theta[positions]
        value, outputs, gradients = self._evaluate(rows, targets, theta, backward=True)
        if positions.size:
            self._grads = np.zeros(len(self.params))
            self._grads[positions] = gradients
        else:
            self._grads = gradients
        self._theta = optimizer.update(self._theta, self._grads)
        self._stale = True
        return value, outputs

    def _evaluate(
        self, rows: NDArray[Any], targets: NDArray[Any], parameters: Any, backward: bool = False
    ) -> tuple[float, NDArray[Any], NDArray[np.float64]]:
        """The objective's value, the model's outputs (an array, a row per sample) and the
        tape's seeds for a batch, with the parameters' ``.data`` or the array ``parameters``;
        with ``backward``, the parameters' gradients in place of the seeds."""
        n = len(rows)
        inputs, chosen = self._tape_inputs(rows, targets)
        tape = self.tape or self._trace(rows.shape[1], inputs)
        heads = self.traced_losses
        replayed = self._replay
        if replayed is not None and replayed[0] is inputs:  # the same batch as the last step
            seeds = replayed[1]
        else:
            seeds = self._seeds.get(n) if heads == 1 else None
            if seeds is None:
                seeds = np.zeros((n, len(tape.outputs)))
                seeds[np.arange(n), 0 if heads == 1 else chosen] = 1.0 / n  # its label's loss
                if self.penalty is not None:
                    seeds[:, heads] = 1.0 / n
                if heads == 1:
                    self._seeds[n] = seeds
            seeded = self._seeded[self.penalty is not None]  # the losses and the penalty
            replayed = self._replay = (inputs, seeds, tape.replay(inputs, seeds, seeded))
        if backward:
            results, gradients = replayed[2](parameters)
        else:
            results = tape.forward(inputs, parameters).reshape(n, -1)  # losses, penalty, outputs
        if heads == 1:
            value = float(np.add.reduce(results[:, 0])) / n
        else:
            value = float(results[np.arange(n), chosen].sum()) / n
        if self.penalty is not None:  # the same in every row: seeded 1/n in each, it counts once
            value += float(results[0, heads])
            heads += 1
        outputs = results[:, heads:]
        outputs = outputs[:, 0] if outputs.shape[1] == 1 else outputs
        return value, outputs, gradients if backward else seeds

    def _tape_inputs(self, rows: NDArray[Any], targets: NDArray[Any]) -> tuple[Any, Any]:
        """The tape's input rows for a batch (the features, then the targets when they are
        inputs) and each row's label column; the last batch's are kept, as training on the
        whole data set gives the same arrays at every step."""
        last = self._inputs
        if last is not None and last[0] is rows and last[1] is targets:
            return last[2], last[3]
        n = len(rows)
        chosen = None
        if self.labels is None:  # real targets: inputs of the tape
            inputs = np.column_stack([rows, targets.reshape(n, -1)])
        else:
            chosen = self._columns(targets)
            if self.tape is None and getattr(self.loss, "target_columns", None) is not None:
                self._encode = self.loss.target_columns  # type: ignore[attr-defined]
            if self._encode is not None:
                if not self._width:  # the first batch: every label is checked by the loss first
                    self._width = self._check_labels(rows[0])
                inputs = np.column_stack([rows, self._encode(targets, self._width)])
            else:
                inputs = rows
        self._inputs = (rows, targets, inputs, chosen)
        return inputs, chosen

    def _check_labels(self, row: NDArray[Any]) -> int:
        """Call the loss on the model's output for ``row`` with every label, as eager training
        would (a wrong label raises its error here); return the number of outputs."""
        outputs = [Value(x) for x in _as_floats(_eager(self.model, row))]
        with autograd.no_grad():
            for label in self.labels.tolist():  # type: ignore[union-attr]
                self.loss(outputs[0] if len(outputs) == 1 else outputs, label)
        return len(outputs)

    def _tape(self) -> Tape:
        assert self.tape is not None, "traced by the first _evaluate"
        return self.tape

    def _positions(self, optimizer: Any) -> NDArray[np.intp] | None:
        """Where each of the tape's parameters sits in ``params`` (empty when in the same
        order), if ``optimizer`` can take the array step (see ``step``); else None. Worked out
        once per optimizer."""
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
        positions = None
        if usable:
            order = [index[p] for p in self._tape().parameters]
            same = order == list(range(len(self.params)))
            positions = np.array([] if same else order, np.intp)
        self._fused = (optimizer, positions)
        return positions

    def _columns(self, targets: NDArray[Any]) -> NDArray[np.intp]:
        assert self.labels is not None
        columns = np.searchsorted(self.labels, targets)
        known = self.labels.take(columns, mode="clip") == targets  # past the last: not a label
        if not known.all():
            raise ValueError(f"target {targets[~known][0]!r} is none of the labels {self.labels}")
        return columns

    def _trace(self, features: int, inputs: NDArray[Any]) -> Tape:
        """Trace one sample. With targets as inputs (regression, or a loss that encodes its
        labels, ``loss.target_columns``) the tape computes one loss per row; otherwise one loss
        per label, and each row's seed picks its own."""
        penalty, params = self.penalty, self.params
        encoded = self.labels is None or self._encode is not None
        labels = [] if encoded else self.labels.tolist()  # type: ignore[union-attr]

        def sample(*xs: Value) -> list[Value]:
            out = self.model(list(xs[:features]))
            targets = [_target(xs[features:])] if encoded else labels
            heads = [self.loss(out, target) for target in targets]
            if penalty is not None:
                heads.append(penalty(params))
            return [*heads, *([out] if isinstance(out, Value) else out)]

        self.traced_losses = 1 if encoded else len(labels)
        self._seeded = (tuple(range(self.traced_losses)), tuple(range(self.traced_losses + 1)))
        self.tape = compile_tape(sample, inputs[0].tolist())
        self.tape.check(inputs, limit=CHECKED_ROWS)  # raises if the model branches on .data
        return self.tape


def _eager(model: Callable[[Any], Any], row: NDArray[Any]) -> Any:
    """The model's output for one row, built without a graph."""
    with autograd.no_grad():
        return model(np.asarray(row, dtype=np.float64).tolist())


def _as_floats(out: Any) -> list[float]:
    outputs = [out] if isinstance(out, Value) else list(out)
    return [o.data if isinstance(o, Value) else float(o) for o in outputs]


def _target(values: tuple[Value, ...]) -> Value | list[Value]:
    return values[0] if len(values) == 1 else list(values)
