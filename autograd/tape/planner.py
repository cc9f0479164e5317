"""From a traced graph to a tape's steps: which nodes run together, and in which rows.

Nodes of the same op at the same depth, whose inputs come from the same stores, form one step;
the ``dot`` nodes of a layer (weights from parameters, the same inputs) one matrix product, the
``sum`` nodes one reduction. Each step's results get consecutive rows; a parameter gets its row
when a step first reads it, so the parameters a step reads in order (a layer's weights and bias,
neuron by neuron) sit in consecutive rows and are read as a view, not gathered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core import OPS, Value
from .steps import BATCH, CONSTANT, SCALAR, Elementwise, MatMul, Operand, Step
from .steps import Sum as SumStep

_DOT, _SUM = OPS["dot"], OPS["sum"]
Slot = tuple[int, int]  # (store, row)


class Plan:
    """The steps for ``order`` (a topological order of the trace), the row of every Value
    (``slots``), the parameters in the order of their rows, and the rows each store needs."""

    def __init__(self, order: Sequence[Value], inputs: Sequence[Value]) -> None:
        known = set(inputs)
        parameters = [v for v in order if not v.parents and v not in known]
        self._kinds = {**dict.fromkeys(inputs, BATCH), **dict.fromkeys(parameters, SCALAR)}
        self._trainable = {**dict.fromkeys(inputs, False), **dict.fromkeys(parameters, True)}
        self.slots: dict[Value, Slot] = {x: (BATCH, i) for i, x in enumerate(inputs)}
        self.rows = [len(inputs), len(parameters)]  # rows used in each store, past the leaves
        self._parameter_rows = 0  # rows of parameters given out so far, in order of first use
        self.steps: list[Step] = []
        for nodes in _groups_by_depth(order, self._kinds, self._trainable):
            self.steps.extend(self._steps_for(nodes))
        # in order of first use; a parameter used by no step (only an output) gets the last rows
        self.parameters = tuple(sorted(parameters, key=self._row))

    def _allocate(self, nodes: list[Value], kind: int) -> slice:
        start = self.rows[kind]
        self.rows[kind] += len(nodes)
        self.slots.update({node: (kind, start + i) for i, node in enumerate(nodes)})
        return slice(start, start + len(nodes))

    def _kind(self, parent: Any) -> int:
        return self._kinds[parent] if isinstance(parent, Value) else CONSTANT

    def _row(self, value: Any) -> int:
        """The row of ``value``; a parameter gets the next free one when first asked for."""
        if value not in self.slots:
            self.slots[value] = (SCALAR, self._parameter_rows)
            self._parameter_rows += 1
        return self.slots[value][1]

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
        weights, bias = [SCALAR] * n, [SCALAR] * (len(kinds) % 2)
        if op is _DOT and n and kinds in (weights + [kind] * n + bias for kind in (BATCH, SCALAR)):
            return self._matmuls(op, nodes, n, kinds[n])
        if op is _SUM:
            return [self._sum(op, nodes, kinds, kind)]
        operands = [self._operand(k, nodes, i) for i, k in enumerate(kinds)]
        return [Elementwise(op, operands, kind, self._allocate(nodes, kind))]

    def _matmuls(self, op: Any, nodes: list[Value], n: int, kind: int) -> list[Step]:
        """One ``MatMul`` per set of ``dot`` nodes that share their inputs (of store ``kind``):
        a layer, or a parameters' dot product (``l2``)."""
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
            inputs = Operand.of(kind, [self._row(x) for x in xs], trainable)
            parameters = Operand.of(SCALAR, block, trainable=True)
            steps.append(MatMul(op, parameters, inputs, bias, self._allocate(layer, kind)))
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


def _groups_by_depth(
    order: Sequence[Value], kinds: dict[Value, int], trainable: dict[Value, bool]
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
