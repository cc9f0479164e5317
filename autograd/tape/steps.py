"""The steps of a tape: one block of same-op nodes, run forward and backward over a whole batch.

A tape keeps its slots in two stores. ``BATCH`` rows hold one number per sample: the inputs and
everything computed from them. ``SCALAR`` rows hold one number: the parameters and whatever is
computed from parameters alone (a weight penalty). An ``Operand`` says where one input position
of a step reads from; a step reads its operands, runs all of its nodes in one NumPy call and
writes a block of consecutive rows.

``Elementwise`` evaluates the op table's forward and derivative rules on arrays, with
``NUMPY_MATH`` (``numpy_math.py``) as the math namespace. ``MatMul`` (the ``dot`` nodes of a
layer) and ``Sum`` (the ``sum`` nodes) are the structural forms of those two rules, a matrix
product and a reduction; the tests check them against the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import Op
from .numpy_math import NUMPY_MATH

BATCH, SCALAR, CONSTANT = 0, 1, 2
Stores = tuple[np.ndarray, np.ndarray]  # (BATCH rows: (n, batch size), SCALAR rows: (n, 1))


@dataclass(frozen=True)
class Operand:
    """Where one input position of a step reads from: rows of a store, or constants.

    ``rows`` is a slice when the rows are consecutive (NumPy then gives a view, not a copy), else
    an index array, of shape (count,) or, for a reduction or a matrix, (count, n).
    """

    kind: int  # BATCH, SCALAR or CONSTANT
    rows: Any  # a slice or an index array into the store
    unique: bool  # no row twice, so ``+=`` scatters gradients correctly
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

    def read(self, stores: Stores) -> Any:
        if self.kind == CONSTANT:
            return self.constants
        values = stores[self.kind][self.rows]
        return values if self.shape is None else values.reshape(*self.shape, -1)

    def accumulate(self, grads: Stores, contribution: Any) -> None:
        """Add a gradient block to these rows; a scalar row gets the sum over the batch."""
        target = grads[self.kind]
        if contribution.shape[-1] != target.shape[1]:  # a batch block for a scalar row
            contribution = contribution.sum(axis=-1, keepdims=True)
        if isinstance(self.rows, slice):  # consecutive rows: add into a view, in place
            view = target[self.rows]
            if self.shape is not None:  # a 2-d block, given as (count, 1 or n, ·): broadcast
                view = view.reshape(*self.shape, target.shape[1])
            view += contribution
        elif self.unique:
            target[self.rows] += contribution
        else:
            np.add.at(target, self.rows, contribution)


def _times(partial: Any, upstream: np.ndarray) -> Any:
    """``partial * upstream``; a partial of exactly 1.0 passes the upstream block on."""
    if type(partial) is float and partial == 1.0:
        return upstream
    return partial * upstream


class Step:
    """``count`` nodes of one op whose results go to consecutive rows of one store.

    ``backward`` adds the gradient of each operand that needs one (``Operand.wanted``).
    """

    op: Op
    count: int
    kind: int  # the store the results go to
    out: slice
    operands: list[Operand]  # every place the step reads from

    def forward(self, stores: Stores) -> None:
        raise NotImplementedError

    def backward(self, stores: Stores, grads: Stores, inputs: bool) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        where = "batch" if self.kind == BATCH else "scalar"
        return f"{self.op.label} x{self.count} ({where})"


class Elementwise(Step):
    """Any op, by its table rules: each input position is one (count, batch) array."""

    def __init__(self, op: Op, operands: list[Operand], kind: int, out: slice) -> None:
        self.op, self.operands, self.kind, self.out = op, operands, kind, out
        self.count = out.stop - out.start
        self._wanted = {i: [operand.wanted(i) for operand in operands] for i in (False, True)}
        self._inputs: list[Any] = []

    def forward(self, stores: Stores) -> None:
        self._inputs = [operand.read(stores) for operand in self.operands]
        stores[self.kind][self.out] = self.op.forward(NUMPY_MATH, *self._inputs)

    def backward(self, stores: Stores, grads: Stores, inputs: bool) -> None:
        wanted = self._wanted[inputs]
        if not any(wanted):
            return
        upstream = grads[self.kind][self.out]
        result = stores[self.kind][self.out]
        partials = self.op.derivative(NUMPY_MATH, *self._inputs, result)
        for operand, partial, needed in zip(self.operands, partials, wanted):
            if needed:
                operand.accumulate(grads, _times(partial, upstream))


class MatMul(Step):
    """The ``dot`` nodes of a layer as ``W @ X + b``: every node takes the same BATCH rows ``X``
    as inputs, and its weights (and bias) from SCALAR rows, read as one (count, n (+ 1)) block."""

    def __init__(self, op: Op, parameters: Operand, inputs: Operand, bias: bool, out: slice):
        self.op, self.parameters, self.inputs, self.bias, self.out = (
            op,
            parameters,
            inputs,
            bias,
            out,
        )
        self.kind, self.count = BATCH, out.stop - out.start
        self.operands = [parameters, inputs]
        self._block = self._x = np.empty((0, 0))

    def forward(self, stores: Stores) -> None:
        self._block = self.parameters.read(stores).reshape(self.count, -1)
        self._x = self.inputs.read(stores)
        n = len(self._x)
        stores[BATCH][self.out] = self._block[:, :n] @ self._x
        if self.bias:
            stores[BATCH][self.out] += self._block[:, n:]

    def backward(self, stores: Stores, grads: Stores, inputs: bool) -> None:
        upstream = grads[BATCH][self.out]
        n = len(self._x)
        if self.inputs.wanted(inputs):
            self.inputs.accumulate(grads, self._block[:, :n].T @ upstream)
        block = np.empty(self._block.shape)  # the gradient of each weight and bias
        block[:, :n] = upstream @ self._x.T
        if self.bias:
            block[:, n] = upstream.sum(axis=1)
        self.parameters.accumulate(grads, block[..., None])

    def __repr__(self) -> str:
        n = self._block.shape[1] - self.bias if self._block.size else "n"
        return f"dot x{self.count} as matmul ({self.count}x{n}{' + bias' * self.bias})"


class Sum(Step):
    """The ``sum`` nodes as one reduction: each store's operands are gathered into a
    (count, n, width) block and summed over n; the constants of each node are added up once."""

    def __init__(self, op: Op, parts: list[Operand], constants: Operand, kind: int, out: slice):
        self.op, self.parts, self.constants, self.kind, self.out = op, parts, constants, kind, out
        self.count = out.stop - out.start
        self.operands = parts

    def forward(self, stores: Stores) -> None:
        total = self.constants.read(stores)
        for part in self.parts:
            total = total + part.read(stores).sum(axis=1)
        stores[self.kind][self.out] = total

    def backward(self, stores: Stores, grads: Stores, inputs: bool) -> None:
        upstream = grads[self.kind][self.out][:, None, :]  # every input's partial is 1
        for part in self.parts:
            if part.wanted(inputs):
                part.accumulate(grads, upstream)
