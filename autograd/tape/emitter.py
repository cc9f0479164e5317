"""Writing a step's lines of NumPy code: names for the buffers' views, and, for backward,
which gradient rows already hold a contribution. The first contribution to a row is written with
``=`` (or straight into it, ``out=``), later ones with ``+=``, so the gradient stores are never
zeroed as a whole; a step whose results receive no gradient is left out (``receives``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .steps import BATCH, CONSTANT, SCALAR, Operand

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
