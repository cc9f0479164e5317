"""Compile a function of Values into a flat tape, and replay it over a NumPy batch.

``compile(fn, example_inputs)`` calls ``fn`` once on Values and keeps the graph it builds: the
trace. The tape evaluates that graph for a whole batch at once. Every slot holds a vector (one
number per sample) and every step runs a block of nodes as one NumPy call: nodes of the same op at
the same depth form one step, the ``dot`` nodes of a layer one matrix multiply, the ``sum`` nodes
one reduction. Leaves of the graph other than the inputs (a model's parameters) are read from
their ``.data`` on each ``forward``, or from an array of them (``parameters=``, as a training loop
keeps them); ``backward`` adds their gradient, summed over the batch, to their ``.grad``, as
``Value.backward`` would for the batch's total, and ``gradients`` returns it as an array.
``forward_backward`` is a training step: both, seeding only the outputs it is told to.

A trace is a recording, not a program: Python control flow that depends on values is frozen as
it went at trace time. So each comparison of Values made while tracing (``if v > 0``, ``max(a,
b)``) is kept as a guard (``autograd.core.guards``) and evaluated for every row of every batch: a
row that would take another branch is refused with ``TapeGuardError``, naming the comparison and
where it was made, before anything is computed from it. A branch on ``.data`` (``if x.data > 0``)
is invisible to guards: ``Tape.check`` replays rows on the eager engine and raises
``TapeMismatchError`` where the two disagree. Under ``detect_anomaly()`` a tape raises at the
first inf or nan, forward or backward, naming the op and the row, as the eager engine does.

>>> from autograd import Value
>>> w = Value(3.0)
>>> tape = compile(lambda x: (w * x).relu(), [1.0])
>>> tape.forward([[1.0], [-2.0]])
array([3., 0.])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from ..core import Value, enable_grad, grad, is_anomaly_enabled, topological_order
from ..core.guards import Guard, recording_guards
from .anomalies import check_backward, check_forward
from .planner import Plan, Slot
from .program import Frame, Program, output_reads
from .steps import BATCH, Step
from .verify import TapeGuardError, TapeMismatchError, check_guards, compare, telling_rows

__all__ = ["Tape", "TapeGuardError", "TapeMismatchError", "compile"]

FRAMES = 4  # batch sizes whose buffers a tape keeps (a minibatch, the last one, a check's rows)


def compile(fn: Callable[..., Any], example_inputs: Sequence[float]) -> Tape:  # noqa: A001
    """Trace ``fn(*inputs)`` once, on Values made from ``example_inputs``, into a ``Tape``.

    ``fn`` returns a Value or a sequence of Values. Any other leaf it reaches (a parameter of a
    model, say) becomes a parameter of the tape.
    """
    inputs = [Value(x, label=f"input {i}") for i, x in enumerate(example_inputs)]
    with enable_grad(), recording_guards() as guards:
        result = fn(*inputs)
    single = isinstance(result, Value)
    outputs = [result] if single else list(result)
    for out in outputs:
        if not isinstance(out, Value):
            raise TypeError(f"compile() needs fn to return Values, got {type(out).__name__}")
    return Tape(fn, inputs, outputs, single, guards)


class Tape:
    """A traced graph, replayed forward and backward over batches (see the module docstring).

    ``inputs``, ``outputs`` and ``parameters`` are the Values of the trace (parameters in the
    order the steps first use them: layer by layer for an MLP), ``nodes`` counts them all,
    ``steps`` lists what one ``forward`` runs (``repr(tape)`` shows them) and ``source`` is the
    NumPy code the tape runs.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        inputs: list[Value],
        outputs: list[Value],
        single: bool,
        guards: Sequence[Guard] = (),
    ) -> None:
        self.fn, self.inputs, self.outputs, self._single = fn, tuple(inputs), tuple(outputs), single
        self.guards = tuple(guards)
        compared = [v for g in self.guards for v in (g.left, g.right) if isinstance(v, Value)]
        order = topological_order(*outputs, *compared)  # a compared Value is computed too
        self.nodes = len(order)
        plan = Plan(order, inputs)
        self.steps: list[Step] = plan.steps
        self.parameters: tuple[Value, ...] = plan.parameters
        self._slots: dict[Value, Slot] = plan.slots
        self._rows = plan.rows
        self._parameters_shape = (len(self.parameters),)
        self._outputs = [self._slots[out] for out in outputs]
        self._output_reads = output_reads(self._outputs, len(inputs))
        pinned = [self._slots[v] for v in compared]  # read by the guards
        self._program = Program(
            self.steps, self._rows, len(inputs), len(self.parameters), self._outputs, pinned
        )
        self._kept = {  # rows whose values are a kept result of a step: (step, offset)
            (kind, row): (k, row - start)
            for (kind, start), (k, _, stop) in self._program.results.items()
            for row in range(start, stop)
        }
        self.source: str = self._program.source
        self._frames: dict[int, Frame] = {}
        self._checked_seeds: dict[tuple[Any, ...], tuple[int, ...]] = {}
        self._last: tuple[Frame, np.ndarray] | None = None  # the last forward's frame and inputs

    def __repr__(self) -> str:
        head = (
            f"Tape({len(self.inputs)} inputs, {len(self.parameters)} parameters, "
            f"{len(self.outputs)} outputs, {self.nodes} nodes in {len(self.steps)} steps)"
        )
        return "\n  ".join([head, *map(repr, self.steps)])

    def _frame(self, samples: int) -> Frame:
        last = self._last
        if last is not None and last[1].shape[1] == samples:  # the batch size of the last run
            return last[0]
        frame = self._frames.pop(samples, None) or Frame(
            self._program, self._rows, samples, self._output_reads
        )
        self._frames[samples] = frame  # the most recently used last
        while len(self._frames) > FRAMES:
            del self._frames[next(iter(self._frames))]
        return frame

    # running
    def forward(self, batch: Any, parameters: Any = None) -> np.ndarray:
        """The outputs for each row of ``batch`` (shape (samples, inputs)): shape (samples,) for
        a function returning one Value, (samples, outputs) for one returning several.

        The parameters' values are their ``.data``, or ``parameters``: an array of them in the
        order of ``self.parameters`` (a training loop keeps them in an array between steps).
        ``backward`` reads ``batch`` again: do not change it in between.
        """
        with np.errstate(all="ignore"):
            result = self._forward(batch, parameters)
        return result[:, 0] if self._single else result

    def forward_backward(
        self,
        batch: Any,
        grad_outputs: Any,
        parameters: Any = None,
        seeded: Sequence[int] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``forward`` and then ``gradients`` in one call, the outputs always as (samples,
        outputs): a training step. ``seeded`` lists the outputs whose ``grad_outputs`` can be
        other than zero (a loss, not the model's outputs): the others are skipped."""
        chosen = self._seeded(seeded)
        with np.errstate(all="ignore"):
            result = self._forward(batch, parameters, chosen)
            return result, self._gradients(grad_outputs, False, chosen)[1]

    def _seeded(self, seeded: Sequence[int] | None) -> tuple[int, ...] | None:
        """``seeded`` as sorted output positions, checked (once per distinct value)."""
        if seeded is None:
            return None
        given = tuple(seeded)
        if given not in self._checked_seeds:
            try:
                chosen = tuple(sorted({operator.index(j) for j in given if type(j) is not bool}))
            except TypeError:
                chosen = ()
            if len(chosen) != len(given) or not all(0 <= j < len(self.outputs) for j in chosen):
                raise ValueError(
                    f"seeded lists distinct outputs 0..{len(self.outputs) - 1}, got {list(given)}"
                )
            self._checked_seeds[given] = chosen
        return self._checked_seeds[given]

    def replay(
        self, batch: Any, grad_outputs: Any, seeded: Sequence[int] | None = None
    ) -> Callable[[Any], tuple[np.ndarray, np.ndarray]]:
        """``forward_backward`` on one batch, again and again: ``replay(...)(parameters)``
        returns what ``forward_backward(batch, grad_outputs, parameters, seeded)`` would, with
        ``batch``, ``grad_outputs`` and ``seeded`` checked once, here (a training loop's batch).

        It reads the arrays it was given on every call (float64 arrays are not copied: change
        them in place and the next call sees it). Per call, the tape's own Python is a few
        microseconds; under ``detect_anomaly()`` or with guards it runs ``forward_backward``.
        """
        chosen = self._seeded(seeded)
        rows = self._batch(batch)
        seeds = self._seeds(grad_outputs, len(rows))
        x, samples = rows.T, len(rows)

        def replay(parameters: Any = None) -> tuple[np.ndarray, np.ndarray]:
            if self.guards or is_anomaly_enabled():
                return self.forward_backward(rows, seeds, parameters, chosen)
            frame = self._frame(samples)
            frame.parameters[:] = self._parameter_values(parameters)
            with np.errstate(all="ignore"):
                frame.program.training_step(chosen)(x, seeds)
            self._last = (frame, x)
            return frame.outputs(x).T, frame.parameter_grads.copy()

        return replay

    def _batch(self, batch: Any) -> np.ndarray:
        rows = np.asarray(batch, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != len(self.inputs):
            raise ValueError(
                f"forward() needs a batch of shape (samples, {len(self.inputs)}), "
                f"got shape {rows.shape}"
            )
        return rows

    def _seeds(self, grad_outputs: Any, samples: int) -> np.ndarray:
        outputs = len(self.outputs)
        if grad_outputs is None:
            return np.ones((samples, outputs))
        seeds = np.asarray(grad_outputs, np.float64)
        shape = (samples,) if self._single else (samples, outputs)
        if seeds.shape != shape and not (self._single and seeds.shape == (samples, 1)):
            raise ValueError(f"grad_outputs must have shape {shape}, got {seeds.shape}")
        return seeds.reshape(samples, outputs)

    def _forward(
        self, batch: Any, parameters: Any, seeded: tuple[int, ...] | None = None
    ) -> np.ndarray:
        rows = self._batch(batch)
        frame, x = self._frame(len(rows)), rows.T
        frame.parameters[:] = self._parameter_values(parameters)
        if is_anomaly_enabled():
            nodes = {slot: v for v, slot in self._slots.items()}
            check = partial(self._check_forward, frame, x, nodes)
            frame.program.run("forward", x, check=check, seeded=seeded)
        else:
            frame.program.run("forward", x, seeded=seeded)
        if self.guards:
            self._check_guards(frame, x)
        self._last = (frame, x)
        return frame.outputs(x).T

    def _parameter_values(self, parameters: Any) -> Any:
        if parameters is None:
            return [p.data for p in self.parameters]
        values = np.asarray(parameters, dtype=np.float64)
        if values.shape != self._parameters_shape:
            raise ValueError(
                f"parameters must be an array of {len(self.parameters)} values, "
                f"got shape {values.shape}"
            )
        return values

    def backward(self, grad_outputs: Any = None, inputs: bool = False) -> np.ndarray | None:
        """Backpropagate the last ``forward``: add each parameter's gradient, summed over the
        batch, to its ``.grad``. With ``inputs=True``, also return the gradients for the inputs,
        shaped like the batch (skipped otherwise: a training step does not need them).

        ``grad_outputs`` weighs the outputs (shaped like ``forward``'s result; ones by default):
        ``np.full(n, 1 / n)`` gives the gradient of the batch's mean.
        """
        with np.errstate(all="ignore"):
            input_grads, parameter_grads = self._gradients(grad_outputs, inputs)
        for p, g in zip(self.parameters, parameter_grads.tolist()):
            p.grad += g
        return input_grads if inputs else None

    def gradients(self, grad_outputs: Any = None) -> np.ndarray:
        """What ``backward`` would add to each parameter's ``.grad``, as an array in the order
        of ``parameters``; touches no ``.grad``."""
        with np.errstate(all="ignore"):
            return self._gradients(grad_outputs, inputs=False)[1]

    def _gradients(
        self, grad_outputs: Any, inputs: bool, seeded: tuple[int, ...] | None = None
    ) -> tuple[np.ndarray | None, np.ndarray]:
        if self._last is None:
            raise RuntimeError("backward() needs a forward() first")
        frame, x = self._last
        seeds = self._seeds(grad_outputs, x.shape[1])
        name = "backward_inputs" if inputs else "backward"
        if is_anomaly_enabled():
            check = partial(self._check_backward, frame, inputs)
            frame.program.run(name, x, seeds, check=check, seeded=seeded)
        else:
            frame.program.run(name, x, seeds, seeded=seeded)
        input_grads = frame.grads[BATCH][: len(self.inputs)].T.copy() if inputs else None
        return input_grads, frame.parameter_grads.copy()

    def _check_forward(self, frame: Frame, x: np.ndarray, nodes: dict, k: int) -> None:
        check_forward(self.steps[k], lambda slot: self._read_slot(frame, x, slot), nodes)

    def _check_backward(self, frame: Frame, inputs: bool, k: int) -> None:
        check_backward(self.steps[k], frame.grads, inputs)

    def _check_guards(self, frame: Frame, x: np.ndarray) -> None:
        """Raise ``TapeGuardError`` if a row's comparisons come out otherwise than the trace's."""
        check_guards(self.guards, lambda v: self._read(v, frame, x), x.shape[1])

    def _read_slot(self, frame: Frame, x: np.ndarray, slot: Slot) -> np.ndarray:
        if slot in self._kept:
            k, offset = self._kept[slot]
            return frame.program.result(k)[offset]
        store, row = slot
        if store == BATCH and row < len(self.inputs):
            return x[row]
        return frame.values[store][row]

    def _read(self, value: Any, frame: Frame, x: np.ndarray) -> np.ndarray:
        if not isinstance(value, Value):
            return np.asarray(float(value))
        return self._read_slot(frame, x, self._slots[value])

    def telling_rows(self, batch: Any, limit: int = 16) -> np.ndarray:
        """Up to ``limit`` rows of ``batch`` most likely to show the tape and the eager engine
        apart: rows where the tape gives inf or nan, the rows of the smallest and the largest
        value of each input and each output (a constant frozen at trace time goes wrong far from
        the traced row, not near it), then rows spread evenly through the batch."""
        rows = np.asarray(batch, dtype=np.float64)
        return telling_rows(
            np.column_stack([rows, self.forward(rows).reshape(len(rows), -1)]), limit
        )

    def check(
        self, batch: Any, grad_outputs: Any = None, rtol: float = 1e-12, limit: int | None = None
    ) -> None:
        """Run ``fn`` eagerly on each row of ``batch``; raise ``TapeMismatchError`` where the tape
        gives other outputs or gradients (beyond ``rtol`` of the largest magnitude in each). With
        ``limit``, only on that many ``telling_rows``.

        Touches no ``.grad``. A mismatch usually means ``fn`` branches on values in a way no
        guard sees (``if x.data > 0``); a comparison of Values is a guard (``TapeGuardError``).
        """
        if limit is not None:
            chosen = self.telling_rows(batch, limit)
            batch = np.asarray(batch, dtype=np.float64)[chosen]
            if grad_outputs is not None:
                grad_outputs = np.asarray(grad_outputs, dtype=np.float64)[chosen]
        tape_outputs = self.forward(batch).reshape(len(batch), len(self.outputs))
        with np.errstate(all="ignore"):
            tape_inputs, tape_parameters = self._gradients(grad_outputs, inputs=True)
        assert tape_inputs is not None
        seeds = np.ones_like(tape_outputs) if grad_outputs is None else np.asarray(grad_outputs)
        seeds = seeds.reshape(tape_outputs.shape)
        eager_outputs, eager_inputs = np.empty_like(tape_outputs), np.empty_like(tape_inputs)
        eager_parameters = np.zeros_like(tape_parameters)
        reached: set[Value] = set()
        for i, row in enumerate(np.asarray(batch, dtype=np.float64)):
            xs = [Value(x, label=v.label) for x, v in zip(row, self.inputs)]
            with enable_grad():
                result = self.fn(*xs)
            outs = [result] if self._single else list(result)
            eager_outputs[i] = [o.data for o in outs]
            gradients = grad(outs, xs + list(self.parameters), grad_outputs=seeds[i].tolist())
            eager_inputs[i] = gradients[: len(xs)]
            eager_parameters += gradients[len(xs) :]
            reached.update(v for v in topological_order(*outs) if not v.parents)
        used = [i for i, p in enumerate(self.parameters) if p in reached]  # not per-call leaves
        compare("output", tape_outputs, eager_outputs, rtol)
        compare("input gradient", tape_inputs, eager_inputs, rtol)
        compare("parameter gradient", tape_parameters[used], eager_parameters[used], rtol)
