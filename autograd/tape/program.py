"""A tape's steps as generated NumPy code: one function forward, one backward, each a straight
line of NumPy calls on buffers allocated once per batch size.

Why code and not a loop over step objects: the two were measured on the same NumPy calls, and
at small batches the loop's Python (a method call, operand lookups and a dispatch per step)
costs as much as the arithmetic. Generated code pays none of it, and ``Tape.source`` shows a
learner exactly what a tape runs. Only numbers, row indices and the names of rules appear in the
code (``forward3``, ``derivative3`` for the op table's rules a step runs): never a label or
anything else a user wrote.

Backward knows, while it is written, which gradient rows already hold a contribution: the first
contribution to a row is written with ``=`` (no zeroing of the gradient stores), later ones with
``+=``; a step whose results receive no gradient is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .numpy_math import NUMPY_MATH
from .steps import BATCH, CONSTANT, SCALAR, Elementwise, Operand, Step, Sum, _times

Slot = tuple[int, int]  # (store, row)
_STORES = {BATCH: "B", SCALAR: "S"}


class Emitter:
    """Collects the lines of one function and the objects its code refers to by name.

    ``inputs`` rows at the start of the BATCH store are read from the batch itself (``X``) rather
    than copied into ``B``, unless ``copied`` (an operand reads input and computed rows at once).
    """

    def __init__(
        self,
        namespace: dict[str, Any],
        views: dict[str, str],
        inputs: int,
        copied: bool,
        results: dict[tuple[int, int], tuple[int, int, int]],
    ) -> None:
        self.namespace, self.views, self.inputs, self.copied = namespace, views, inputs, copied
        self.results = results  # (store, first row) of a step kept as its own array: (k, rows)
        self.lines: list[str] = []
        self.ready: dict[int, np.ndarray] = {}  # backward only: rows holding a gradient

    def view(self, expression: str) -> str:
        """A name for a view of the buffers, made once per batch size (``Program.bind``)."""
        if expression not in self.views:
            self.views[expression] = f"v{len(self.views)}"
        return self.views[expression]

    def is_view(self, text: str) -> bool:
        return text in self.views.values()

    def assign(self, target: str, block: str) -> None:
        """Write ``block`` into the rows ``target`` (a view is written through, not rebound;
        a step's results kept as an array, ``R[k]``, are the array ``block`` computed)."""
        self.line(f"{target if target.startswith('R[') else self._assignable(target)} = {block}")

    def line(self, text: str) -> None:
        self.lines.append(text)

    def name(self, obj: Any, prefix: str) -> str:
        """A name for ``obj`` in the code's namespace (the same object, the same name)."""
        for key, value in self.namespace.items():
            if value is obj and key.startswith(prefix):
                return key
        key = f"{prefix}{sum(k.startswith(prefix) for k in self.namespace)}"
        self.namespace[key] = obj
        return key

    def rows(self, kind: int, rows: Any, grad: bool = False, shape: Any = None) -> str:
        """Code for a block of rows of a store (or of its gradient)."""
        kept = self._kept(kind, rows) if not grad else None
        if kept is not None:
            return kept if shape is None else f"{kept}.reshape({', '.join(map(str, shape))}, -1)"
        if isinstance(rows, slice):
            first, last = rows.start, rows.stop
            index = f"{first}:{last}"
        else:
            first, last = int(np.min(rows)), int(np.max(rows)) + 1
            index = self.name(rows, "rows")
        store = _STORES[kind]
        if not grad and kind == BATCH and last <= self.inputs and not self.copied:
            store = "X"
        text = f"{'G' * grad}{store}[{index}]"
        if shape is not None:
            text = f"{text}.reshape({', '.join(map(str, shape))}, -1)"
        return self.view(text) if isinstance(rows, slice) and store != "X" else text

    def _kept(self, kind: int, rows: Any) -> str | None:
        """``R[k]`` (or rows of it) when ``rows`` are results of step ``k`` kept as an array."""
        if not isinstance(rows, slice):
            return None
        for (store, _), (k, start, stop) in self.results.items():
            if store == kind and start <= rows.start and rows.stop <= stop:
                if (rows.start, rows.stop) == (start, stop):
                    return f"R[{k}]"
                return f"R[{k}][{rows.start - start}:{rows.stop - start}]"
        return None

    def read(self, operand: Operand) -> str:
        if operand.kind == CONSTANT:
            return self.name(operand.constants, "constants")
        return self.rows(operand.kind, operand.rows, shape=operand.shape)

    # backward: gradients written once, then added to
    def accumulate(
        self,
        operand: Operand,
        block: str,
        summed: bool = False,
        product: tuple[str, str, str] | None = None,
    ) -> None:
        """Add the gradient ``block`` to ``operand``'s rows; ``summed``: sum it over the batch
        first (a scalar row). ``product=(f, a, b)`` says ``block`` is ``f(a, b)`` for a NumPy
        function ``f`` (``np.matmul``, ``np.multiply``): written straight into the rows when
        they get their first gradient."""
        rows, state = operand.row_list(), self._state(operand.kind, operand.row_list())
        target = self.rows(operand.kind, operand.rows, grad=True, shape=operand.shape)
        into = isinstance(operand.rows, slice) and operand.shape is None  # a plain view
        if state == "empty" and operand.unique:
            if summed and into:
                self.line(f"np.add.reduce({block}, axis=-1, keepdims=True, out={target})")
            elif product is not None and into:
                self.line(f"{product[0]}({product[1]}, {product[2]}, out={target})")
            else:
                block = f"np.add.reduce({block}, axis=-1, keepdims=True)" if summed else block
                self.assign(target, block)
        else:
            block = f"np.add.reduce({block}, axis=-1, keepdims=True)" if summed else block
            self._fill(operand.kind, rows)
            if not operand.unique:
                index = self.name(operand.rows, "rows")
                self.line(f"np.add.at(G{_STORES[operand.kind]}, {index}, {block})")
            elif isinstance(operand.rows, slice):
                self.line(f"g = {target}")
                self.line(f"g += {block}")
            else:
                self.line(f"{target} += {block}")
        self._mark(operand.kind, rows)

    def accumulate_block(
        self, operand: Operand, shape: tuple[int, int], parts: Sequence[tuple[str, str, Any]]
    ) -> None:
        """Add gradients to the columns of a (count, width) block of SCALAR rows (a layer's
        weights and biases): ``parts`` gives, per column range, the block and, for a matrix
        product, its two factors."""
        rows = operand.row_list()
        if not isinstance(operand.rows, slice) or not operand.unique:  # gather, then scatter
            self.line(f"b = np.empty(({shape[0]}, {shape[1]}))")
            for columns, block, _ in parts:
                self.line(f"b[:, {columns}] = {block}")
            self.accumulate(operand, "b[..., None]")
            return
        empty = self._state(SCALAR, rows) == "empty"
        if not empty:
            self._fill(SCALAR, rows)
        g = self.view(f"{self.rows(SCALAR, operand.rows, grad=True)}.reshape({shape[0]}, -1)")
        for columns, block, product in parts:
            target = self.view(f"{g}[:, {columns}]")
            if empty and product is not None:
                self.line(f"{product[0]}({product[1]}, {product[2]}, out={target})")
            elif empty:
                self.line(f"{target}[...] = {block}")
            else:
                self.line(f"g = {target}")
                self.line(f"g += {block}")
        self._mark(SCALAR, rows)

    def seed(self, kind: int, row: int, column: int) -> None:
        """The gradient of an output: its column of ``seeds`` (summed, for a scalar row)."""
        block = f"seeds[:, {column}]" if kind == BATCH else f"np.add.reduce(seeds[:, {column}])"
        target = f"G{_STORES[kind]}[{row}]"
        ready = self._state(kind, [row]) == "full"
        self.line(f"{target} {'+=' if ready else '='} {block}")
        self._mark(kind, [row])

    def receives(self, kind: int, out: slice) -> bool:
        """Whether a step's results hold any gradient; if some do, the others are zeroed."""
        rows = list(range(out.start, out.stop))
        if self._state(kind, rows) == "empty":
            return False
        self._fill(kind, rows)
        return True

    def zero_unwritten(self, kind: int, rows: range) -> None:
        self._fill(kind, list(rows))
        self._mark(kind, list(rows))

    def _assignable(self, target: str) -> str:
        """A target a block can be assigned to: a view through ``[...]``."""
        return f"{target}[...]" if self.is_view(target) or target.endswith(")") else target

    def _state(self, kind: int, rows: list[int]) -> str:
        ready = self.ready[kind][rows]
        return "full" if ready.all() else "empty" if not ready.any() else "partial"

    def _fill(self, kind: int, rows: list[int]) -> None:
        """Zero the gradient rows among ``rows`` that hold nothing yet (runs as slices)."""
        missing = sorted({r for r in rows if not self.ready[kind][r]})
        store = f"G{_STORES[kind]}"
        start = None
        for i, r in enumerate(missing):
            if start is None:
                start = r
            if i + 1 == len(missing) or missing[i + 1] != r + 1:
                self.line(f"{store}[{start}:{r + 1}] = 0.0")
                start = None
        self._mark(kind, missing)

    def _mark(self, kind: int, rows: list[int]) -> None:
        self.ready[kind][rows] = True


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
        self._inputs, self._parameters = inputs, parameters
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
        steps, inputs, parameters = self._steps, self._inputs, self._parameters
        emit = Emitter(self.namespace, views, inputs, self._copied, self.results)
        emit.ready = {k: np.zeros(rows, dtype=bool) for k, rows in enumerate(self._store_rows)}
        for column in seeded:
            emit.seed(*self._outputs[column], column)
        for k in reversed(range(len(steps))):
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


class Bound:
    """A program's functions made for one set of buffers: ``run(name, *arguments, check=)``."""

    def __init__(self, program: Program, buffers: tuple[np.ndarray, ...]) -> None:
        self._program, self._buffers = program, buffers
        self._functions: dict[tuple[bool, tuple[int, ...]], dict[str, Any]] = {}
        self._plain = self._variant(False, program.everything)
        self._last = self._plain  # the variant that ran forward last: its results are current

    def result(self, k: int) -> np.ndarray:
        """The results of step ``k`` kept as an array, as the last forward computed them."""
        return self._last["results"][k]

    def _variant(self, checked: bool, seeded: tuple[int, ...]) -> dict[str, Any]:
        key = (checked, seeded)
        if key not in self._functions:
            self._functions[key] = self._program.make(checked, seeded)(*self._buffers)
        return self._functions[key]

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
            self._plain[name](*arguments)
            if name == "forward":
                self._last = self._plain
            return
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
