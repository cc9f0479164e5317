"""Compile a function of Values into a flat tape, and replay it over a NumPy batch.

``compile(fn, example_inputs)`` calls ``fn`` once on Values and keeps the graph it builds: the
trace. The tape evaluates that graph for a whole batch at once. Every slot holds a vector (one
number per sample) and every step runs a block of nodes as one NumPy call: nodes of the same op at
the same depth form one step, the ``dot`` nodes of a layer one matrix multiply, the ``sum`` nodes
one reduction. Leaves of the graph other than the inputs (a model's parameters) are read from
their ``.data`` on each ``forward``; ``backward`` adds their gradient, summed over the batch, to
their ``.grad``, as ``Value.backward`` would for the batch's total.

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

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core import OPS, Value, enable_grad, grad, is_anomaly_enabled, topological_order
from ..core.guards import Guard, recording_guards
from .anomalies import check_backward, check_forward
from .steps import BATCH, CONSTANT, SCALAR, Elementwise, MatMul, Operand, Step
from .steps import Sum as SumStep
from .verify import TapeGuardError, TapeMismatchError, check_guards, compare, telling_rows

__all__ = ["Tape", "TapeGuardError", "TapeMismatchError", "compile"]

_DOT, _SUM = OPS["dot"], OPS["sum"]
Slot = tuple[int, int]  # (store, row)


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
    order the steps first use them: layer by layer for an MLP), ``nodes`` counts them all, and
    ``steps`` lists what one ``forward`` runs; ``repr(tape)`` shows them.
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
        known = set(inputs)
        parameters = [v for v in order if not v.parents and v not in known]
        self._kinds = {**dict.fromkeys(inputs, BATCH), **dict.fromkeys(parameters, SCALAR)}
        self._trainable = {**dict.fromkeys(inputs, False), **dict.fromkeys(parameters, True)}
        self._slots: dict[Value, Slot] = {x: (BATCH, i) for i, x in enumerate(inputs)}
        self._rows = [len(inputs), len(parameters)]  # rows used in each store, past the leaves
        self._parameter_rows = 0  # rows of parameters given out so far, in order of first use
        self.steps: list[Step] = []
        for nodes in _groups_by_depth(order, self._kinds, self._trainable):
            self.steps.extend(self._steps_for(nodes))
        # in order of first use; a parameter used by no step (only an output) gets the last rows
        self.parameters = tuple(sorted(parameters, key=self._row))
        self._stores: tuple[np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:
        head = (
            f"Tape({len(self.inputs)} inputs, {len(self.parameters)} parameters, "
            f"{len(self.outputs)} outputs, {self.nodes} nodes in {len(self.steps)} steps)"
        )
        return "\n  ".join([head, *map(repr, self.steps)])

    # building
    def _allocate(self, nodes: list[Value], kind: int) -> slice:
        start = self._rows[kind]
        self._rows[kind] += len(nodes)
        self._slots.update({node: (kind, start + i) for i, node in enumerate(nodes)})
        return slice(start, start + len(nodes))

    def _kind(self, parent: Any) -> int:
        return self._kinds[parent] if isinstance(parent, Value) else CONSTANT

    def _row(self, value: Any) -> int:
        """The row of ``value``; a parameter gets the next free one when first asked for, so the
        parameters a step reads in order (a layer's weights) sit in consecutive rows."""
        if value not in self._slots:
            self._slots[value] = (SCALAR, self._parameter_rows)
            self._parameter_rows += 1
        return self._slots[value][1]

    def _operand(self, kind: int, nodes: list[Value], position: int) -> Operand:
        """Where input ``position`` of the ``nodes`` of a step reads from."""
        parents: list[Any] = [node.parents[position] for node in nodes]
        if kind == CONSTANT:
            return Operand.constant(parents)
        trainable = any(self._trainable[p] for p in parents)
        return Operand.of(kind, [self._row(p) for p in parents], trainable)

    def _steps_for(self, nodes: list[Value]) -> list[Step]:
        op = OPS[nodes[0].op]
        kinds = [self._kind(p) for p in nodes[0].parents]  # the same for every node of the group
        kind = BATCH if BATCH in kinds else SCALAR
        n = len(kinds) // 2
        if op is _DOT and n and kinds == [SCALAR] * n + [BATCH] * n + [SCALAR] * (len(kinds) % 2):
            return self._matmuls(op, nodes, n)
        if op is _SUM:
            return [self._sum(op, nodes, kinds, kind)]
        operands = [self._operand(k, nodes, i) for i, k in enumerate(kinds)]
        return [Elementwise(op, operands, kind, self._allocate(nodes, kind))]

    def _matmuls(self, op: Any, nodes: list[Value], n: int) -> list[Step]:
        """One ``MatMul`` per set of ``dot`` nodes that share their inputs: a layer."""
        layers: dict[tuple[Value, ...], list[Value]] = {}
        for node in nodes:
            layers.setdefault(node.parents[n : 2 * n], []).append(node)  # type: ignore[arg-type]
        steps: list[Step] = []
        for xs, layer in layers.items():
            bias = len(layer[0].parents) % 2 == 1
            # each node's weights, then its bias: one row of the (count, n (+ 1)) block
            block = [
                [self._row(p) for p in (*node.parents[:n], *node.parents[2 * n :])]
                for node in layer
            ]
            trainable = any(self._trainable[x] for x in xs)
            inputs = Operand.of(BATCH, [self._row(x) for x in xs], trainable)
            parameters = Operand.of(SCALAR, block, trainable=True)
            steps.append(MatMul(op, parameters, inputs, bias, self._allocate(layer, BATCH)))
        return steps

    def _sum(self, op: Any, nodes: list[Value], kinds: list[int], kind: int) -> Step:
        """The ``sum`` nodes as one reduction per store their inputs come from."""
        parts = []
        for store in (BATCH, SCALAR):
            positions = [i for i, k in enumerate(kinds) if k == store]
            if positions:
                inputs: list[list[Any]] = [[node.parents[i] for i in positions] for node in nodes]
                rows = [[self._row(p) for p in row] for row in inputs]
                trainable = any(self._trainable[p] for row in inputs for p in row)
                parts.append(Operand.of(store, rows, trainable))
        constants = [sum(p for p in node.parents if not isinstance(p, Value)) for node in nodes]
        out = self._allocate(nodes, kind)
        return SumStep(op, parts, Operand.constant(constants), kind, out)

    # running
    def forward(self, batch: Any) -> np.ndarray:
        """The outputs for each row of ``batch`` (shape (samples, inputs)): shape (samples,) for
        a function returning one Value, (samples, outputs) for one returning several."""
        rows = np.asarray(batch, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != len(self.inputs):
            raise ValueError(
                f"forward() needs a batch of shape (samples, {len(self.inputs)}), "
                f"got shape {rows.shape}"
            )
        values = np.empty((self._rows[BATCH], len(rows)))
        values[: len(self.inputs)] = rows.T
        scalars = np.empty((self._rows[SCALAR], 1))
        scalars[: len(self.parameters), 0] = [p.data for p in self.parameters]
        stores = (values, scalars)
        anomaly = is_anomaly_enabled()
        with np.errstate(all="ignore"):
            for step in self.steps:
                step.forward(stores)
                if anomaly:
                    check_forward(step, stores, self._slots)
        self._check_guards(stores)
        self._stores = stores
        result = np.empty((len(rows), len(self.outputs)))
        for j, out in enumerate(self.outputs):
            store, row = self._slots[out]
            result[:, j] = stores[store][row]
        return result[:, 0] if self._single else result

    def backward(self, grad_outputs: Any = None, inputs: bool = False) -> np.ndarray | None:
        """Backpropagate the last ``forward``: add each parameter's gradient, summed over the
        batch, to its ``.grad``. With ``inputs=True``, also return the gradients for the inputs,
        shaped like the batch (skipped otherwise: a training step does not need them).

        ``grad_outputs`` weighs the outputs (shaped like ``forward``'s result; ones by default):
        ``np.full(n, 1 / n)`` gives the gradient of the batch's mean.
        """
        input_grads, parameter_grads = self._gradients(grad_outputs, inputs)
        for p, g in zip(self.parameters, parameter_grads.tolist()):
            p.grad += g
        return input_grads if inputs else None

    def gradients(self, grad_outputs: Any = None) -> np.ndarray:
        """What ``backward`` would add to each parameter's ``.grad``, as an array in the order
        of ``parameters``; touches no ``.grad``."""
        return self._gradients(grad_outputs, inputs=False)[1]

    def _gradients(self, grad_outputs: Any, inputs: bool) -> tuple[np.ndarray, np.ndarray]:
        if self._stores is None:
            raise RuntimeError("backward() needs a forward() first")
        stores = self._stores
        samples = stores[BATCH].shape[1]
        shape = (samples,) if self._single else (samples, len(self.outputs))
        seeds = np.ones(shape) if grad_outputs is None else np.asarray(grad_outputs, np.float64)
        if seeds.shape != shape:
            raise ValueError(f"grad_outputs must have shape {shape}, got {seeds.shape}")
        seeds = seeds.reshape(samples, len(self.outputs))
        grads = (np.zeros(stores[BATCH].shape), np.zeros(stores[SCALAR].shape))
        for j, out in enumerate(self.outputs):
            store, row = self._slots[out]
            grads[store][row] += seeds[:, j] if store == BATCH else seeds[:, j].sum()
        anomaly = is_anomaly_enabled()
        with np.errstate(all="ignore"):
            for step in reversed(self.steps):
                step.backward(stores, grads, inputs)
                if anomaly:
                    check_backward(step, grads, inputs)
        return grads[BATCH][: len(self.inputs)].T, grads[SCALAR][: len(self.parameters), 0]

    def _check_guards(self, stores: tuple[np.ndarray, np.ndarray]) -> None:
        """Raise ``TapeGuardError`` if a row's comparisons come out otherwise than the trace's."""
        check_guards(self.guards, lambda v: self._read(v, stores), stores[BATCH].shape[1])

    def _read(self, value: Any, stores: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        if not isinstance(value, Value):
            return np.asarray(float(value))
        store, row = self._slots[value]
        return stores[store][row]

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
        tape_inputs, tape_parameters = self._gradients(grad_outputs, inputs=True)
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


def _groups_by_depth(
    order: list[Value], kinds: dict[Value, int], trainable: dict[Value, bool]
) -> list[list[Value]]:
    """The nodes (not leaves) of ``order`` grouped by (depth, op, kind of each input), by depth.

    A node's depth is one more than its deepest parent's (leaves are at 0), so a group depends
    only on groups before it. The kind of an input is its store, or CONSTANT for a number. For
    each node this fills in ``kinds`` (BATCH if any input is) and ``trainable`` (whether it
    depends on a parameter).
    """
    depth: dict[Value, int] = {}
    groups: dict[tuple[Any, ...], list[Value]] = {}
    for node in order:
        if not node.parents:
            depth[node] = 0
            continue
        values = [p for p in node.parents if isinstance(p, Value)]
        depth[node] = 1 + max((depth[p] for p in values), default=0)
        signature = tuple(kinds[p] if isinstance(p, Value) else CONSTANT for p in node.parents)
        kinds[node] = BATCH if BATCH in signature else SCALAR
        trainable[node] = any(trainable[p] for p in values)
        groups.setdefault((depth[node], node.op, signature), []).append(node)
    return [groups[key] for key in sorted(groups, key=lambda key: key[0])]
