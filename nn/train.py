"""The training loop: ``fit`` runs forward, loss, backward and the optimizer step, with a progress
bar, and returns the ``History`` of loss and accuracy; ``evaluate`` scores a model on held-out data.

Each step is what a hand-written loop does (micrograd's demo, for instance)::

    outputs = [model(x) for x in X_batch]
    total = sum(loss(o, t) for o, t in zip(outputs, y_batch)) / len(X_batch) + penalty(params)
    optimizer.zero_grad(); total.backward(); optimizer.lr = schedule(k); optimizer.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from tqdm.auto import tqdm

import autograd
from autograd import Value

from . import optim
from .checks import count
from .datasets import minibatches
from .losses import accuracy
from .module import Module
from .objective import CompiledObjective, EagerObjective, Loss, Objective, Penalty
from .optim import Optimizer, Schedule
from .recording import Recording


@dataclass(repr=False)
class History:
    """The loss (penalty included) and the batch accuracy of every step, in order. ``accuracy``
    stays empty when the loss has no prediction rule (``loss.predict``), as for ``mse``."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(steps=0)"
        last = f", accuracy={self.accuracy[-1]:.3f}" if self.accuracy else ""
        return f"History(steps={len(self)}, loss={self.loss[-1]:.4g}{last})"


def fit(
    model: Module,
    X: ArrayLike,
    y: ArrayLike,
    *,
    loss: Loss,
    optimizer: Optimizer,
    steps: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    schedule: Schedule | None = None,
    penalty: Penalty | None = None,
    progress: bool = True,
    seed: int | None = None,
    compile: bool = False,  # noqa: A002 - the name users know from torch.compile
    record: Recording | None = None,
) -> History:
    """Train ``model`` on rows ``X`` with targets ``y`` and return the ``History``.

    Give ``steps`` (optimizer steps) or ``epochs`` (passes over the data). ``batch_size=None``
    uses every row in every step; otherwise each epoch visits the rows in minibatches, shuffled
    with ``seed``. ``schedule(k)`` sets the learning rate of step ``k``; ``penalty(params)`` is
    added to the batch's mean loss (e.g. ``lambda ps: 1e-4 * l2(ps)``). ``progress`` shows a
    ``tqdm`` bar (a widget in a notebook); ``progress=False`` prints nothing.

    ``compile=True`` traces the loss of one sample into a tape and replays it over each batch
    with NumPy (``autograd.tape``): the same numbers, many times faster on large batches. A tape
    is checked against the eager engine when it is made; a model whose Python code branches on
    values cannot be compiled.

    ``record=Recording()`` fills it with frames of the run (weights and gradients, see
    ``nn.recording``) for ``viz.explore`` to replay.
    """
    X, y = _data(X, y, "fit")
    total = _step_count(len(X), steps, epochs, batch_size)
    if record is not None and not isinstance(record, Recording):
        raise TypeError(f"record must be a Recording or None, got {type(record).__name__}")
    rates = None if schedule is None else optim.rates(schedule, total)  # all checked up front
    batches = _batches(X, y, total, batch_size, np.random.default_rng(seed))
    params = model.parameters()
    predict = getattr(loss, "predict", None)
    history = History()
    if compile:
        classes = predict is not None or y.dtype.kind in "iub"  # labels, not real targets
        labels = np.unique(y) if classes else None
        objective: Objective = CompiledObjective(model, loss, penalty, params, labels)
    else:
        objective = EagerObjective(model, loss, penalty, params)
    if record is not None:
        record.start(model, loss, total)
    try:
        with tqdm(total=total, disable=not progress, unit="step", desc=type(model).__name__) as bar:
            for k, (rows, targets) in enumerate(batches):
                if rates is not None:
                    optimizer.lr = rates[k]
                recorded = record is not None and record.wants(k)
                if recorded:
                    objective.sync()
                weights = [p.data for p in params] if recorded else None
                value, outputs = objective.step(optimizer, rows, targets)
                if record is not None and weights is not None:
                    objective.sync()
                    record.add(k, weights, params, value)
                history.loss.append(value)
                status = {"loss": f"{value:.4g}"}
                if predict is not None:
                    history.accuracy.append(accuracy(outputs, targets, predict))
                    status["accuracy"] = f"{history.accuracy[-1]:.3f}"
                bar.set_postfix(status, refresh=False)
                bar.update()
    finally:  # the Values hold the last step taken, also when a step raised
        objective.sync()
    if record is not None:
        _record_end(record, objective, params, X, y, total)
    return history


def _record_end(
    record: Recording,
    objective: Objective,
    params: list[Value],
    X: NDArray[Any],
    y: NDArray[Any],
    total: int,
) -> None:
    """The last frame: the trained weights and the objective's gradient on all of ``X``. Each
    parameter's ``.grad`` is put back as the last step left it."""
    kept = [p.grad for p in params]
    autograd.zero_grad(params)
    value, _ = objective.accumulate(X, y)
    record.add(total, [p.data for p in params], params, value)
    for p, g in zip(params, kept):
        p.grad = g


def evaluate(model: Module, X: ArrayLike, y: ArrayLike, loss: Loss) -> tuple[float, float | None]:
    """The mean loss of ``model`` on ``X, y`` and its accuracy (None without ``loss.predict``),
    computed without recording a graph."""
    X, y = _data(X, y, "evaluate")
    rows, targets = X.tolist(), y.tolist()
    predict = getattr(loss, "predict", None)
    with autograd.no_grad():
        outputs = [model(row) for row in rows]
        mean = sum(loss(o, t).data for o, t in zip(outputs, targets)) / len(rows)
    return mean, None if predict is None else accuracy(outputs, targets, predict)


def _data(X: ArrayLike, y: ArrayLike, caller: str) -> tuple[NDArray[Any], NDArray[Any]]:
    """Rows ``X`` and targets ``y`` as arrays; ``ValueError`` for no rows, mismatched lengths
    or a value in ``X`` (or in real targets) that is nan or infinite."""
    try:
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{caller}() needs X as rows of numbers: {error}") from None
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"{caller}() needs rows X (n, inputs) and n targets y, n at least 1; "
            f"got {X.shape}, {y.shape}"
        )
    for name, data in (("X", X), ("y", y)):
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            row = int(np.flatnonzero(~np.isfinite(data.reshape(len(data), -1)).all(axis=1))[0])
            raise ValueError(
                f"{caller}() needs finite data: {name} has nan or infinite values (first in row "
                f"{row}); drop or fill those rows"
            )
    return X, y


def _step_count(n: int, steps: int | None, epochs: int | None, batch_size: int | None) -> int:
    if (steps is None) == (epochs is None):
        raise ValueError("fit() needs exactly one of steps= and epochs=")
    for name, value in (("steps", steps), ("epochs", epochs), ("batch_size", batch_size)):
        if value is not None:
            count(value, name)
    if steps is not None:
        return steps
    assert epochs is not None
    return epochs * (1 if batch_size is None else math.ceil(n / batch_size))


def _batches(
    X: NDArray[Any], y: NDArray[Any], total: int, batch_size: int | None, rng: np.random.Generator
) -> Iterator[tuple[NDArray[Any], NDArray[Any]]]:
    """``total`` batches of rows and their targets."""
    if batch_size is None:
        for _ in range(total):
            yield X, y
        return
    done = 0
    while True:
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):
            yield X_batch, y_batch
            done += 1
            if done == total:
                return
