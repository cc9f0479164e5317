"""The steps of a tape: one block of same-op nodes, run forward and backward over a whole batch.

A tape keeps its slots in two stores. ``BATCH`` rows hold one number per sample: the inputs and
everything computed from them. ``SCALAR`` rows hold one number: the parameters and whatever is
computed from parameters alone (a weight penalty). An ``Operand`` says where one input position
of a step reads from; a step reads its operands, runs all of its nodes in one NumPy call and
writes a block of consecutive rows.

A step does not run itself: it writes the lines of NumPy code that run it, and ``program.py``
puts every step's lines into one function per direction (see there why). In those lines ``X`` is
the batch's inputs, ``B`` and ``S`` the two stores, ``GB`` and ``GS`` their gradients.

``Elementwise`` evaluates the op table's forward and derivative rules on arrays, with
``NUMPY_MATH`` (``numpy_math.py``) as the math namespace. ``MatMul`` (the ``dot`` nodes of a
layer) and ``Sum`` (the ``sum`` nodes) are the structural forms of those two rules, a matrix
product and a reduction; the tests check them against the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import Op

if TYPE_CHECKING:
    from .emitter import Emitter

BATCH, SCALAR, CONSTANT = 0, 1, 2


@dataclass(frozen=True)
class Operand:
    """Where one input position of a step reads from: rows of a store, or constants.

    ``rows`` is a slice when the rows are consecutive (NumPy then gives a view, not a copy), else
    an index array, of shape (count,) or, for a reduction or a matrix, (count, n).
    """

    kind: int  # BATCH, SCALAR or CONSTANT
    rows: Any  # a slice or an index array into the store
    unique: bool  # no row twice, so an assignment or ``+=`` scatters gradients correctly
    trainable: bool  # some of these rows depend on a parameter
    shape: tuple[int, ...] | None = None  # (count, n) when a slice stands for a 2-d block
    constants: np.ndarray | None = None  # (count, 1) for CONSTANT

    @classmethod
    def of(cls, kind: int, rows: list[int] | list[list[int]], trainable: bool) -> Operand:
        index = np.array(rows, dtype=np.intp)
        flat = index.ravel().tolist()
        unique = len(set(flat)) == len(flat)
        if flat and flat == list(range(flat[0], flat[0] + len(flat))):
            block = index.shape if index.ndim > 1 else None
            return cls(kind, slice(flat[0], flat[0] + len(flat)), unique, trainable, block)
        return cls(kind, index, unique, trainable)

    @classmethod
    def constant(cls, values: list[Any]) -> Operand:
        array = np.array(values, dtype=np.float64)[:, None]
        return cls(CONSTANT, slice(0), True, False, None, array)

    def wanted(self, inputs: bool) -> bool:
        """Whether backward needs this gradient: for the parameters, or for the inputs if asked."""
        return self.kind != CONSTANT and (self.trainable or (inputs and self.kind == BATCH))

    def row_list(self) -> list[int]:
        """The rows read, in order (repeats included)."""
        if isinstance(self.rows, slice):
            return list(range(self.rows.start, self.rows.stop))
        return [int(i) for i in np.ravel(self.rows)]


def _times(partial: Any, upstream: np.ndarray) -> Any:
    """``partial * upstream``; a partial of exactly 1.0 passes the upstream block on."""
    if type(partial) is float and partial == 1.0:
        return upstream
    return partial * upstream


class Step:
    """``count`` nodes of one op whose results go to consecutive rows of one store.

    ``forward_code`` and ``backward_code`` write the step's lines through an ``Emitter``; the
    backward lines add the gradient of each operand that needs one (``Operand.wanted``).
    """

    op: Op
    count: int
    kind: int  # the store the results go to
    out: slice
    operands: list[Operand]  # every place the step reads from

    def forward_code(self, emit: Emitter) -> None:
        raise NotImplementedError

    def backward_code(self, emit: Emitter, inputs: bool) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        where = "batch" if self.kind == BATCH else "scalar"
        return f"{self.op.label} x{self.count} ({where})"


class Elementwise(Step):
    """Any op, by its table rules: each input position is one (count, batch) array."""

    def __init__(self, op: Op, operands: list[Operand], kind: int, out: slice) -> None:
        self.op, self.operands, self.kind, self.out = op, operands, kind, out
        self.count = out.stop - out.start

    def forward_code(self, emit: Emitter) -> None:
        rule, args = emit.name(self.op.forward, "forward"), self._arguments(emit)
        emit.assign(emit.rows(self.kind, self.out), f"{rule}(M, {args})")

    def backward_code(self, emit: Emitter, inputs: bool) -> None:
        rule, args = emit.name(self.op.derivative, "derivative"), self._arguments(emit)
        out = emit.rows(self.kind, self.out)
        emit.line(f"u = {emit.rows(self.kind, self.out, grad=True)}")
        emit.line(f"p = {rule}(M, {args}, {out})")
        for i, operand in enumerate(self.operands):
            if operand.wanted(inputs):
                product = ("np.multiply", f"p[{i}]", "u")
                emit.accumulate(operand, f"T(p[{i}], u)", self._summed(operand), product)

    def _arguments(self, emit: Emitter) -> str:
        return ", ".join(emit.read(operand) for operand in self.operands)

    def _summed(self, operand: Operand) -> bool:
        """Whether a gradient block for ``operand`` is summed over the batch (a scalar row)."""
        return self.kind == BATCH and operand.kind == SCALAR


class MatMul(Step):
    """The ``dot`` nodes of a layer as ``W @ X + b``: every node takes the same rows ``X`` as
    inputs (BATCH rows; or SCALAR rows, a dot product of parameters), and its weights (and
    bias) from SCALAR rows, read as one (count, n (+ 1)) block."""

    def __init__(self, op: Op, parameters: Operand, inputs: Operand, bias: bool, out: slice):
        self.op, self.parameters, self.inputs, self.bias, self.out = (
            op,
            parameters,
            inputs,
            bias,
            out,
        )
        self.kind, self.count = inputs.kind, out.stop - out.start
        self.operands = [parameters, inputs]
        self.n = len(inputs.row_list())
        self._width = self.n + bias

    def _block(self, emit: Emitter) -> tuple[str, str, str]:
        """The weights, their transpose and the biases, as (count, n), (n, count) and (count, 1)
        blocks of the (count, n (+ 1)) block of parameters, one row per node."""
        block, n = emit.rows(SCALAR, self.parameters.rows), self.n
        shaped = f"{block}.reshape({self.count}, {self._width})"
        if emit.is_view(block):  # consecutive rows: views, made once
            w = emit.view(shaped)
            return (
                emit.view(f"{w}[:, :{n}]"),
                emit.view(f"{w}[:, :{n}].T"),
                emit.view(f"{w}[:, {n}:]"),
            )
        emit.line(f"w = {shaped}")  # gathered on every run
        return f"w[:, :{n}]", f"w[:, :{n}].T", f"w[:, {n}:]"

    def forward_code(self, emit: Emitter) -> None:
        weights, _, biases = self._block(emit)
        out = emit.rows(self.kind, self.out)
        emit.line(f"np.matmul({weights}, {emit.read(self.inputs)}, out={out})")
        if self.bias:
            emit.line(f"o = {out}")
            emit.line(f"o += {biases}")

    def backward_code(self, emit: Emitter, inputs: bool) -> None:
        _, transposed, _ = self._block(emit)
        emit.line(f"u = {emit.rows(self.kind, self.out, grad=True)}")
        if self.inputs.wanted(inputs):  # W.T @ u, summed over the nodes
            block, product = _product(transposed, "u", self.count == 1)
            emit.accumulate(self.inputs, block, product=product)
        x = emit.read(self.inputs)
        n = self.n
        # u @ X.T, summed over the samples (one, in the scalar store)
        parts = [(f":{n}", *_product("u", f"{x}.T", self.kind == SCALAR))]
        if self.bias:
            parts.append((f"{n}", "np.add.reduce(u, axis=1)", ("np.add.reduce", "u", "axis=1")))
        emit.accumulate_block(self.parameters, (self.count, self._width), parts)

    def __repr__(self) -> str:
        return f"dot x{self.count} as matmul ({self.count}x{self.n}{' + bias' * self.bias})"


def _product(a: str, b: str, outer: bool) -> tuple[str, tuple[str, str, str]]:
    """The code of ``a @ b`` and its (function, a, b). With one term to sum (``outer``), it is
    an outer product, each entry one multiplication: ``np.multiply`` broadcasting a column by
    a row gives the same numbers, where ``np.matmul`` takes a slow path on such shapes (22 us
    against 2 us for a penalty's 4,417 parameters, here)."""
    if outer:
        return f"{a} * {b}", ("np.multiply", a, b)
    return f"{a} @ {b}", ("np.matmul", a, b)


class Sum(Step):
    """The ``sum`` nodes as one reduction: each store's operands are gathered into a
    (count, n, width) block and summed over n; the constants of each node are added up once."""

    def __init__(self, op: Op, parts: list[Operand], constants: Operand, kind: int, out: slice):
        self.op, self.parts, self.constants, self.kind, self.out = op, parts, constants, kind, out
        self.count = out.stop - out.start
        self.operands = parts

    def forward_code(self, emit: Emitter) -> None:
        terms = [emit.read(self.constants)]
        terms += [f"np.add.reduce({emit.read(part)}, axis=1)" for part in self.parts]
        emit.assign(emit.rows(self.kind, self.out), " + ".join(terms))

    def backward_code(self, emit: Emitter, inputs: bool) -> None:
        # every input's partial is 1: each gets the upstream block, spread over its n positions
        emit.line(f"u = {emit.rows(self.kind, self.out, grad=True)}[:, None, :]")
        for part in self.parts:
            if part.wanted(inputs):
                emit.accumulate(part, "u", summed=self.kind == BATCH and part.kind == SCALAR)
