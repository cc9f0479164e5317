"""A tape's steps as generated NumPy code: one function forward, one backward, each a straight
line of NumPy calls on buffers allocated once per batch size.

Why code and not a loop over step objects (the previous tape): on a chain of 300 elementwise
nodes at batch 100, a step cost 14.7 us per node as a loop over steps and 5.7 us as generated
code; at small batches the loop's Python (a method call, operand lookups, a dispatch per step)
cost as much as the arithmetic. What is left per node is the NumPy calls of its rules. A run of
elementwise nodes is not fused further: each rule is a NumPy call of its own (the op table is
the one source of the math), and a fused kernel would need a compiler NumPy does not have.
``Tape.source`` shows a learner exactly what a tape runs. Only numbers, row indices and the
names of rules appear in the code (``forward3``, ``derivative3`` for the op table's rules a step
runs): never a label or anything else a user wrote.

Backward knows, while it is written, which gradient rows already hold a contribution
(``emitter.py``). A step read only within its own rows keeps its rule's result as an array
(``R[k]``) instead of copying it into a store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .emitter import Emitter
from .numpy_math import NUMPY_MATH
from .steps import BATCH, CONSTANT, SCALAR, Elementwise, Step, Sum, _times

Slot = tuple[int, int]  # (store, row)
OutputRead = tuple[slice, Any, slice]  # (columns, store or None for the inputs, rows)


class Program:
    """A tape's steps as the source of ``make(B, S, GB, GS)``, which takes the buffers of one
    batch size, makes the views its code reads once, and returns the ``forward``, ``backward``
    (parameters only) and ``backward_inputs`` functions over them (``Tape.source``).

    A backward can leave out outputs whose seeds are known to be zero (``seeded``): a training
    step seeds the loss, not the model's outputs. Each variant is written when first asked for.
    """

    def __init__(
        self,
        steps: Sequence[Step],
        store_rows: Sequence[int],
        inputs: int,
        parameters: int,
        outputs: Sequence[Slot],
        pinned: Sequence[Slot] = (),
    ) -> None:
        self._steps, self._store_rows, self._outputs = steps, store_rows, outputs
        self._inputs, self.parameters = inputs, parameters  # how many of each
        reads = [op for step in steps for op in step.operands if op.kind == BATCH]
        self._copied = any(
            min(op.row_list()) < inputs <= max(op.row_list()) for op in reads if op.row_list()
        )
        self.results = _kept_results(steps, [*outputs, *pinned])
        self.namespace: dict[str, Any] = {"np": np, "M": NUMPY_MATH, "T": _times}
        self._made: dict[tuple[bool, tuple[int, ...]], Callable[..., Any]] = {}
        self.everything = tuple(range(len(outputs)))
        self.source = self._source(False, self.everything)

    def make(self, checked: bool, seeded: tuple[int, ...]) -> Callable[..., Any]:
        """``make`` for a variant: ``checked`` calls ``check(k)`` after each step (anomaly
        mode); only the outputs ``seeded`` are seeded."""
        key = (checked, seeded)
        if key not in self._made:
            names: dict[str, Any] = dict(self.namespace)
            source = self._source(checked, seeded)
            exec(compile(source, "<tape>", "exec"), names)  # our own code (see the docstring)
            self._made[key] = names["make"]
        return self._made[key]

    def _source(self, checked: bool, seeded: tuple[int, ...]) -> str:
        views: dict[str, str] = {}
        functions = [self._forward(views, checked)]
        for name, wanted in (("backward", False), ("backward_inputs", True)):
            functions.append(self._backward(name, views, wanted, checked, seeded))
        body = [f"R = [None] * {len(self._steps)}  # results of steps kept as their own arrays"]
        body += [f"{name} = {expression}" for expression, name in views.items()]
        for function in functions:
            body += ["", *function.splitlines()]
        body += ["", "return dict(forward=forward, backward=backward, "
                 "backward_inputs=backward_inputs, results=R)"]  # fmt: skip
        return _function("make(B, S, GB, GS)", body) + "\n"

    def bind(self, values: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> Bound:
        """The functions over one batch size's buffers."""
        return Bound(self, (*values, *grads))

    def _forward(self, views: dict[str, str], checked: bool) -> str:
        steps, inputs, copied = self._steps, self._inputs, self._copied
        emit = Emitter(self.namespace, views, inputs, copied, self.results)
        if copied:
            emit.line(f"B[:{inputs}] = X")
        for k, step in enumerate(steps):
            emit.line(f"# {step!r}")
            step.forward_code(emit)
            if checked:
                emit.line(f"check({k})")
        return _function(f"forward(X{', check' * checked})", emit.lines)

    def _backward(
        self, name: str, views: dict[str, str], wanted: bool, checked: bool, seeded: Sequence[int]
    ) -> str:
        steps, inputs, parameters = self._steps, self._inputs, self.parameters
        emit = Emitter(self.namespace, views, inputs, self._copied, self.results)
        emit.ready = {k: np.zeros(rows, dtype=bool) for k, rows in enumerate(self._store_rows)}
        for column in seeded:
            emit.seed(*self._outputs[column], column)
        for k in _backward_order(steps):
            step = steps[k]
            if not any(op.wanted(wanted) for op in step.operands):
                continue
            if not emit.receives(step.kind, step.out):
                emit.line(f"# {step!r}: no gradient reaches it")
                continue
            emit.line(f"# {step!r}")
            step.backward_code(emit, wanted)
            if checked:
                emit.line(f"check({k})")
        emit.zero_unwritten(SCALAR, range(parameters))  # parameters no gradient reached
        if wanted:
            emit.zero_unwritten(BATCH, range(inputs))
        return _function(f"{name}(X, seeds{', check' * checked})", emit.lines)


def _backward_order(steps: Sequence[Step]) -> list[int]:
    """The steps backward: those over the batch last to first, then those over the scalars
    alone (a penalty on the parameters) last to first. A scalar step never reads a batch
    value, so this is an order backward may take; it lets the batch steps write the
    parameters' gradients first (``=``, no zeroing) and the scalar steps add to them."""
    last_first = list(reversed(range(len(steps))))
    return [k for k in last_first if steps[k].kind == BATCH] + [
        k for k in last_first if steps[k].kind != BATCH
    ]


class Frame:
    """The buffers of one batch size, allocated once: the two stores and their gradients, and
    the program's functions over them (``program``)."""

    def __init__(
        self, program: Program, rows: Sequence[int], samples: int, reads: Sequence[OutputRead]
    ) -> None:
        self.values = (np.empty((rows[BATCH], samples)), np.empty((rows[SCALAR], 1)))
        self.grads = (np.empty((rows[BATCH], samples)), np.empty((rows[SCALAR], 1)))
        self.program = program.bind(self.values, self.grads)
        self.parameters = self.values[SCALAR][: program.parameters, 0]  # views of their rows
        self.parameter_grads = self.grads[SCALAR][: program.parameters, 0]
        self._width = sum(columns.stop - columns.start for columns, _, _ in reads)
        self._reads = [  # (columns, the rows of a store as a view, or None and the input rows)
            (columns, None if store is None else self.values[store][rows], rows)
            for columns, store, rows in reads
        ]

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """A new array of the outputs the last forward computed, a row per output: each a
        copy of consecutive rows (a value of the scalar store is repeated for every sample)."""
        result = np.empty((self._width, x.shape[1]))
        for columns, view, rows in self._reads:
            result[columns] = x[rows] if view is None else view
        return result


class Bound:
    """A program's functions made for one set of buffers: ``run(name, *arguments, check=)``."""

    def __init__(self, program: Program, buffers: tuple[np.ndarray, ...]) -> None:
        self._program, self._buffers = program, buffers
        self._functions: dict[tuple[bool, tuple[int, ...]], dict[str, Any]] = {}
        self._plain = self._variant(False, program.everything)
        self._last = self._plain  # the variant that ran forward last: its results are current
        self._steps: dict[tuple[int, ...] | None, Callable[[Any, Any], None]] = {}

    def result(self, k: int) -> np.ndarray:
        """The results of step ``k`` kept as an array, as the last forward computed them."""
        return self._last["results"][k]

    def _variant(self, checked: bool, seeded: tuple[int, ...]) -> dict[str, Any]:
        key = (checked, seeded)
        if key not in self._functions:
            self._functions[key] = self._program.make(checked, seeded)(*self._buffers)
        return self._functions[key]

    def training_step(self, seeded: tuple[int, ...] | None) -> Callable[[Any, Any], None]:
        """``run("forward", X, seeded=seeded)`` then ``run("backward", X, seeds, ...)`` as one
        function of (X, seeds), made once per value of ``seeded``."""
        if seeded not in self._steps:
            variant = self._plain if seeded is None else self._variant(False, seeded)
            forward, backward = variant["forward"], variant["backward"]

            def step(x: Any, seeds: Any) -> None:
                self._last = variant
                forward(x)
                backward(x, seeds)

            self._steps[seeded] = step
        return self._steps[seeded]

    def run(
        self,
        name: str,
        *arguments: Any,
        check: Callable[[int], None] | None = None,
        seeded: tuple[int, ...] | None = None,
    ) -> None:
        """Run ``forward`` (on X), ``backward`` or ``backward_inputs`` (on X and the seeds,
        only the outputs ``seeded`` if given); with ``check``, call it after each step with the
        step's index."""
        if check is None and seeded is None:
            variant = self._plain
        else:
            variant = self._variant(check is not None, seeded or self._program.everything)
        if name == "forward":
            self._last = variant
        elif variant is not self._last:  # another variant's forward ran: its results are needed
            variant["results"][:] = self._last["results"]
        if check is None:
            variant[name](*arguments)
        else:
            variant[name](*arguments, check)


def _function(signature: str, lines: list[str]) -> str:
    body = [line for line in lines if line] or ["pass"]
    return "\n".join([f"def {signature}:", *(f"    {line}" if line else "" for line in body)])


def _kept_results(
    steps: Sequence[Step], pinned: Sequence[Slot]
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """The elementwise steps whose results are kept as the array their rule returns (``R[k]``)
    rather than copied into a store: every read of them is of rows of that one step, and no
    output or guard reads them. Returns ``{(store, first row): (k, first row, last row + 1)}``."""
    candidates = {
        k: (step.kind, step.out.start, step.out.stop)
        for k, step in enumerate(steps)
        if isinstance(step, (Elementwise, Sum))
    }
    for kind, row in pinned:
        candidates = {
            k: c for k, c in candidates.items() if not (c[0] == kind and c[1] <= row < c[2])
        }
    for step in steps:
        for operand in step.operands:
            if operand.kind == CONSTANT:
                continue
            rows = operand.row_list()
            if not rows:
                continue
            low, high = min(rows), max(rows) + 1
            for k, (kind, start, stop) in list(candidates.items()):
                if kind != operand.kind or high <= start or stop <= low:
                    continue  # does not touch step k's rows
                inside = isinstance(operand.rows, slice) and start <= low and high <= stop
                if not inside:
                    del candidates[k]
    return {(kind, start): (k, start, stop) for k, (kind, start, stop) in candidates.items()}


def output_reads(outputs: Sequence[Slot], inputs: int) -> list[OutputRead]:
    """How ``Frame.outputs`` gathers them: runs of consecutive outputs in consecutive rows of
    one store, as (columns, store or None for the inputs, rows)."""
    runs: list[OutputRead] = []
    for column, (store, row) in enumerate(outputs):
        source = None if store == BATCH and row < inputs else store
        if runs:
            columns, last, rows = runs[-1]
            if last == source and rows.stop == row:
                runs[-1] = (slice(columns.start, column + 1), source, slice(rows.start, row + 1))
                continue
        runs.append((slice(column, column + 1), source, slice(row, row + 1)))
    return runs
