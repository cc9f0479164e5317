"""The rows of ``gradcheck``: one per input (first order), one per random direction (fast
mode), and those of higher orders, each derivative against finite differences (Ridders' method)
of the order below."""

from __future__ import annotations

import dataclasses
import itertools
import math

from ..core import Value, grad, topological_order
from .compare import compare
from .finite_differences import difference, first_step, random_directions, ridders, step
from .function import Function
from .result import CUT, WRONG, Row


def first_order_rows(
    function: Function,
    out: Value,
    leaves: list[Value],
    eps: float | None,
    atol: float,
    rtol: float,
) -> list[Row]:
    reached = set(topological_order(out))
    rows = []
    for i, (x, leaf) in enumerate(zip(function.points, leaves)):

        def along(t: float, i: int = i) -> float:
            return function.output(function.leaves(function.moved(i, t))).data

        h = step(x, eps)
        at = difference(along, x, h, middle=out.data)
        estimate = ridders(along, x, first_step(x, eps))
        name, ok = function.names[i], leaf in reached
        row = compare(name, leaf.grad, at, estimate, along=along, atol=atol, rtol=rtol, reached=ok)
        if row.flag == WRONG and numbers_move(function, i, h):
            row = dataclasses.replace(row, flag=CUT)
        rows.append(row)
    return rows


def numbers_move(function: Function, i: int, h: float) -> bool:
    """Whether a number recorded in the graph (a constant, or a leaf that is not an input)
    changes when input ``i`` moves by ``h``: then the graph reaches the input only in part,
    because something read ``.data`` on the way."""
    graphs = []
    for points in (function.points, function.moved(i, function.points[i] + h)):
        leaves = function.leaves(points)
        inputs = set(leaves)
        order = topological_order(function.output(leaves))
        graphs.append(
            [
                (node.op, [p if isinstance(p, float) else None for p in node.parents])
                if node.parents or node in inputs
                else ("leaf", [node.data])
                for node in order
            ]
        )
    before, after = graphs
    return (
        len(before) == len(after)
        and before != after
        and all(a[0] == b[0] for a, b in zip(before, after))
    )


def directional_rows(
    function: Function,
    middle: float,
    analytic: list[float],
    eps: float | None,
    atol: float,
    rtol: float,
    directions: int,
) -> list[Row]:
    """Fast mode: the gradient along random unit directions ``v``, ``grad . v`` against finite
    differences of ``t -> f(x + t v)`` at ``t = 0`` (steps scaled to the largest input)."""
    size = max(abs(x) for x in function.points)
    h, first = step(size, eps), first_step(size, eps)
    rows = []
    for d, v in enumerate(random_directions(len(function.points), directions)):

        def along(t: float, v: list[float] = v) -> float:
            moved = [x + t * c for x, c in zip(function.points, v)]
            return function.output(function.leaves(moved)).data

        at, estimate = difference(along, 0.0, h, middle=middle), ridders(along, 0.0, first, size)
        slope = math.fsum(a * c for a, c in zip(analytic, v))
        name = f"direction {d + 1}"
        rows.append(compare(name, slope, at, estimate, along=along, atol=atol, rtol=rtol))
    return rows


def rows_of_order(
    function: Function,
    n: int,
    eps: float | None,
    atol: float,
    rtol: float,
    derivatives: list[Value],
) -> list[Row]:
    """The rows of order ``n``: for each derivative of order ``n - 1`` (indices in increasing
    order, since derivatives commute), its gradient against finite differences of it."""
    rows = []
    for index in itertools.combinations_with_replacement(range(len(function.points)), n - 1):
        leaves = function.leaves()
        lower = function.derivative(leaves, index)
        derivatives.append(lower)
        analytic = grad(lower, leaves)
        reached = set(topological_order(lower))
        for j, x in enumerate(function.points):

            def along(t: float, j: int = j, index: tuple[int, ...] = index) -> float:
                return function.derivative_at(function.moved(j, t), index)

            at = difference(along, x, step(x, eps), middle=lower.data)
            estimate = ridders(along, x, first_step(x, eps))
            name = "(" + ", ".join(function.names[i] for i in (*index, j)) + ")"
            ok = leaves[j] in reached
            rows.append(
                compare(
                    name,
                    analytic[j],
                    at,
                    estimate,
                    along=along,
                    atol=atol,
                    rtol=rtol,
                    reached=ok,
                    order=n,
                )
            )
    return rows
