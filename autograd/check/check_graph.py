"""``check_graph``: every node's local derivative rule against finite differences.

``gradcheck`` says which *argument* has a wrong gradient; this says which *node*, and so which op:
it walks a recorded graph and, at each node, differentiates the op's forward numerically at the
very inputs the node saw and compares with the op's derivative rule.

>>> from autograd import Value, check_graph
>>> a = Value(0.5, label="a")
>>> bool(check_graph((a * a + 1).tanh()))
True
"""

from __future__ import annotations

import math
from typing import Any

from ..core import OPS, Op, Value, apply, enable_grad, grad, topological_order
from ..core.ieee import FLOATS
from ..core.value_math import VALUE_MATH
from .compare import compare
from .finite_differences import Function, difference, first_step, random_directions, ridders, step
from .result import ATOL, RTOL, CheckResult, Row, finish, identical


def check_graph(
    *roots: Value,
    eps: float | None = None,
    atol: float = ATOL,
    rtol: float = RTOL,
    order: int = 1,
    raise_exception: bool = True,
) -> CheckResult:
    """Check the derivative rule of every node the roots depend on, at the values it saw.

    Each row is one node's partial derivative with respect to one of its (non-constant) inputs;
    a failing row names the node by op, position in topological order and label. A node of more
    than 8 inputs (a wide ``sum`` or ``dot``) is checked along 3 random directions instead, so the
    check stays linear in its inputs, with a step scaled to the largest of them and the output. With
    ``order=2`` each rule is also differentiated (through ``create_graph``) and compared with
    finite differences of the rule, which is what second derivatives are made of. Also reported:
    nodes whose value no longer matches their inputs (an input's ``.data`` changed after the graph
    was recorded). Returns a ``CheckResult``; a failure raises ``GradcheckError`` unless
    ``raise_exception=False``.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"check_graph() takes Values, got {type(root).__name__}")
    nodes = topological_order(*roots)
    position = {node: k for k, node in enumerate(nodes)}
    rows: list[Row] = []
    problems: list[str] = []
    context: list[str] = []  # the failing nodes, with all their inputs
    with enable_grad():
        for node in nodes:
            if not node.parents:
                continue
            op = OPS.get(node.op)
            if op is None:
                problems.append(f"{_name(node, position)} has an op that is not in the table")
                continue
            local = _Node(node, op, position, eps, atol, rtol)
            stale, arity = local.stale(), local.arity()
            problems += filter(None, (stale, arity))
            if arity:
                continue
            wide = len(local.variables) > WIDE
            checked = local.along_directions() if wide else local.first_order()
            if order == 2 and not wide:
                checked += local.second_order(problems)
            if not all(row.ok for row in checked):
                context.append(local.describe())
            rows += checked
    result = CheckResult("check_graph", "local derivative", rows, atol, rtol, problems, context)
    return finish(result, raise_exception)


WIDE = 8  # a node of more inputs is checked along random directions
DIRECTIONS = 3
SHOWN_INPUTS = 6  # a failing node's description lists this many inputs


def _name(node: Value, position: dict[Value, int]) -> str:
    """``#3 tanh c``: position in topological order, op and label."""
    return " ".join(filter(None, (f"#{position[node]}", node.op or "leaf", node.label)))


class _Node:
    """One recorded node: its op, the numbers it saw, and the rows that check its rule."""

    def __init__(
        self,
        node: Value,
        op: Op,
        position: dict[Value, int],
        eps: float | None,
        atol: float,
        rtol: float,
    ) -> None:
        self.node, self.op, self.eps, self.atol, self.rtol = node, op, eps, atol, rtol
        self.name = _name(node, position)
        self.inputs = [p.data if isinstance(p, Value) else p for p in node.parents]
        # the inputs that are Values (constants get no gradient, so their partials go unchecked)
        self.parents = {i: p for i, p in enumerate(node.parents) if isinstance(p, Value)}
        self.variables = list(self.parents)
        self.sources = {i: p.label or f"#{position[p]}" for i, p in self.parents.items()}
        self.input_names = {i: f"{i} {source}" for i, source in self.sources.items()}

    def forward(self, i: int, t: float) -> float:
        """The op's output with input ``i`` set to ``t``."""
        return self.op.forward(FLOATS, *self._moved(i, t))

    def partial(self, i: int, j: int, t: float) -> float:
        """The rule's partial for input ``i``, with input ``j`` set to ``t``."""
        inputs = self._moved(j, t)
        return self.op.derivative(FLOATS, *inputs, self.op.forward(FLOATS, *inputs))[i]

    def _moved(self, i: int, t: float) -> list[float]:
        return [t if k == i else x for k, x in enumerate(self.inputs)]

    def describe(self) -> str:
        """``#4 tanh c = tanh(#3=0.94) = 0.735``: the node, its inputs and its value."""
        inputs = [
            f"{self.sources[i]}={x!r}" if i in self.sources else repr(x)
            for i, x in enumerate(self.inputs[:SHOWN_INPUTS])
        ]
        if len(self.inputs) > SHOWN_INPUTS:
            inputs.append(f"... {len(self.inputs) - SHOWN_INPUTS} more")
        return f"{self.name} = {self.node.op}({', '.join(inputs)}) = {self.node.data!r}"

    def stale(self) -> str:
        """Why the node's value is not its op on its inputs (an input changed since), or ``""``."""
        recomputed = self.op.forward(FLOATS, *self.inputs)
        if identical(recomputed, self.node.data):
            return ""
        return (
            f"{self.name} holds {self.node.data!r} but {self.node.op} of its inputs is "
            f"{recomputed!r}: an input's .data changed after the graph was recorded"
        )

    def arity(self) -> str:
        """Why the rule's partials do not match the inputs one to one, or ``""``."""
        count = len(self.op.derivative(FLOATS, *self.inputs, self.node.data))
        if count == len(self.inputs):
            return ""
        return f"the rule of {self.node.op!r} gives {count} partials for {len(self.inputs)} inputs"

    def _row(
        self, argument: str, analytic: Any, along: Function, x: float, reached: bool, order: int
    ) -> Row:
        at = difference(along, x, step(x, self.eps))
        estimate = ridders(along, x, first_step(x, self.eps))
        return compare(
            argument,
            analytic,
            at,
            estimate,
            along=along,
            atol=self.atol,
            rtol=self.rtol,
            reached=reached,
            node=self.name,
            op=self.node.op,
            order=order,
        )

    def first_order(self) -> list[Row]:
        partials = self.op.derivative(FLOATS, *self.inputs, self.node.data)
        rows = []
        for i in self.variables:

            def along(t: float, i: int = i) -> float:
                return self.forward(i, t)

            rows.append(self._row(self.input_names[i], partials[i], along, self.inputs[i], True, 1))
        return rows

    def along_directions(self) -> list[Row]:
        """The rule's partials along random unit directions ``v`` of the inputs that are Values,
        ``partials . v``, against finite differences of ``t -> op(x + t v)``."""
        partials = self.op.derivative(FLOATS, *self.inputs, self.node.data)
        # a step to the size of the inputs and of the output: a wide sum's rounding grows with it
        size = max(abs(self.node.data), *(abs(self.inputs[i]) for i in self.variables))
        h, first = step(size, self.eps), first_step(size, self.eps)
        rows = []
        for d, v in enumerate(random_directions(len(self.variables), DIRECTIONS)):

            def along(t: float, v: list[float] = v) -> float:
                moved = list(self.inputs)
                for i, c in zip(self.variables, v):
                    moved[i] += t * c
                return self.op.forward(FLOATS, *moved)

            slope = math.fsum(partials[i] * c for i, c in zip(self.variables, v))
            at = difference(along, 0.0, h, middle=self.node.data)
            estimate = ridders(along, 0.0, first, size)
            rows.append(
                compare(
                    f"direction {d + 1}",
                    slope,
                    at,
                    estimate,
                    along=along,
                    atol=self.atol,
                    rtol=self.rtol,
                    node=self.name,
                    op=self.node.op,
                )
            )
        return rows

    def second_order(self, problems: list[str]) -> list[Row]:
        """Each partial, differentiated through create_graph, against finite differences.

        A partial that differs on Values from the same rule on floats is added to ``problems``.
        """
        leaves = {i: Value(p.data, label=p.label) for i, p in self.parents.items()}
        arguments = [leaves.get(i, x) for i, x in enumerate(self.inputs)]
        out = apply(self.op, *arguments)
        partials = self.op.derivative(VALUE_MATH, *arguments, out)
        plain = self.op.derivative(FLOATS, *self.inputs, self.node.data)
        rows = []
        for i in self.variables:
            symbolic = partials[i]
            if not isinstance(symbolic, Value):
                symbolic = Value(symbolic)
            if not abs(symbolic.data - plain[i]) <= self.atol + self.rtol * abs(plain[i]):
                problems.append(
                    f"the rule of {self.node.op!r} at {self.name} gives input {i} the partial "
                    f"{plain[i]!r} on floats but {symbolic.data!r} on Values"
                )
            seconds = grad(symbolic, [leaves[j] for j in self.variables])
            graph = set(topological_order(symbolic))
            for j, second in zip(self.variables, seconds):

                def along(t: float, i: int = i, j: int = j) -> float:
                    return self.partial(i, j, t)

                argument = f"({self.input_names[i]}, {self.input_names[j]})"
                x, reached = self.inputs[j], leaves[j] in graph
                rows.append(self._row(argument, second, along, x, reached, 2))
        return rows
