"""Meta-tests: every op's metadata (domain, kinks, poles) is true and complete.

The strategies draw inputs from an op's domain, away from its declared kinks and poles, so an op
that hides a kink or a pole behind missing metadata would escape the property tests; one that
declares a false one would be tested less than it should. These tests sample every op in the table
on a grid (which includes 0, where kinks and poles live) and fail in both cases.
"""

from __future__ import annotations

import math

import pytest

from autograd import OPS, Op
from autograd.check.finite_differences import difference, is_kink, step
from autograd.core.ieee import FLOATS
from tests.helpers.op_grid import grid, smooth_points, variables

NEAR = 1e-3  # how far around a point "finite nearby" looks


def finite(op: Op, xs: tuple[float, ...]) -> bool:
    """Whether the op and its partials for non-constant inputs are finite at ``xs``."""
    out = op.forward(FLOATS, *xs)
    partials = op.derivative(FLOATS, *xs, out)
    return math.isfinite(out) and all(math.isfinite(partials[i]) for i in variables(op))


def replaced(xs: tuple[float, ...], i: int, x: float) -> tuple[float, ...]:
    return tuple(x if k == i else old for k, old in enumerate(xs))


def moved(xs: tuple[float, ...], i: int, d: float) -> tuple[float, ...]:
    return replaced(xs, i, xs[i] + d)


def finite_nearby(op: Op, xs: tuple[float, ...]) -> bool:
    """Finite at ``xs`` and a little either side of it in every non-constant input."""
    return all(
        finite(op, p)
        for p in [xs, *(moved(xs, i, d) for i in variables(op) for d in (-NEAR, NEAR))]
    )


def along(op: Op, xs: tuple[float, ...], i: int):
    return lambda t: op.forward(FLOATS, *replaced(xs, i, t))


def has_kink(op: Op, xs: tuple[float, ...], i: int) -> bool:
    g = along(op, xs, i)
    return is_kink(g, difference(g, xs[i], step(xs[i])), tolerance=1e-6)


def metadata_problems(op: Op) -> list[str]:
    """What is wrong with ``op``'s metadata; empty when it is true and complete."""
    n = len(grid(op)[0])
    problems = [
        f"{kind} names input {i}, but {op.name} has {n}"
        for kind, positions in (("a kink", op.kinks), ("a pole", op.poles))
        for i, _ in positions
        if i >= n
    ]
    if problems:
        return problems
    if not smooth_points(op):
        problems.append("no grid point is inside its domain and clear of its kinks and poles")
    for xs in smooth_points(op):
        if not finite(op, xs):
            problems.append(f"not finite at {xs}: declare a pole or narrow the domain")
            continue
        partials = op.derivative(FLOATS, *xs, op.forward(FLOATS, *xs))
        for i in variables(op):
            g = along(op, xs, i)
            at = difference(g, xs[i], step(xs[i]))
            if has_kink(op, xs, i):
                problems.append(f"a kink at input {i} = {xs[i]} (inputs {xs}): declare it")
            elif not math.isclose(partials[i], at.central, rel_tol=1e-6, abs_tol=1e-8):
                problems.append(
                    f"rule gives {partials[i]} at {xs}, central difference {at.central}"
                )
    for i, p in op.kinks:
        at_kink = [replaced(xs, i, p) for xs in grid(op)]
        if not any(has_kink(op, xs, i) for xs in at_kink if op.domain(*xs)):
            problems.append(f"the declared kink at input {i} = {p} is not a kink")
    for i, p in op.poles:
        if all(finite(op, replaced(xs, i, p)) for xs in grid(op)):
            problems.append(f"the declared pole at input {i} = {p} is finite")
    for xs in grid(op):
        if op.domain(*xs):
            continue
        if finite_nearby(op, xs):
            problems.append(f"{xs} is outside the domain, but the op is smooth there")
        for i in variables(op):
            edge = any(op.domain(*moved(xs, i, d)) for d in (-NEAR, NEAR))
            declared = any(j == i and abs(p - xs[i]) < NEAR for j, p in op.kinks + op.poles)
            if edge and not declared:
                where = f"input {i} = {xs[i]} (inputs {xs})"
                problems.append(f"the domain ends at {where}, where no pole is declared")
    return problems


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_metadata_is_true_and_complete(name):
    assert metadata_problems(OPS[name]) == []


def unary(name, forward, rule, domain=lambda x: True, kinks=(), poles=()) -> Op:
    return Op(
        name, lambda m, x: forward(m, x), lambda m, x, out: (rule(m, x),), 1, domain, kinks, poles
    )


@pytest.mark.parametrize(
    ("op", "problem"),
    [
        (unary("hidden_kink", lambda m, x: abs(x), lambda m, x: m.sign(x)),
         "a kink at input 0 = 0.0 (inputs (0.0,)): declare it"),
        (unary("hidden_pole", lambda m, x: m.div(1.0, x), lambda m, x: m.div(-1.0, x * x)),
         "not finite at (0.0,): declare a pole or narrow the domain"),
        (unary("hidden_edge", lambda m, x: m.sqrt(x), lambda m, x: m.div(0.5, m.sqrt(x)),
               domain=lambda x: x > 0),
         "the domain ends at input 0 = 0.0 (inputs (0.0,)), where no pole"),
        (unary("false_kink", lambda m, x: 2 * x, lambda m, x: 2.0, kinks=((0, 0.0),)),
         "the declared kink at input 0 = 0.0 is not a kink"),
        (unary("false_pole", lambda m, x: 2 * x, lambda m, x: 2.0, poles=((0, 1.0),)),
         "the declared pole at input 0 = 1.0 is finite"),
        (unary("narrow", lambda m, x: 2 * x, lambda m, x: 2.0, domain=lambda x: x > 0),
         "(-2.5,) is outside the domain, but the op is smooth there"),
        (unary("wrong_rule", lambda m, x: 2 * x, lambda m, x: 3.0),
         "rule gives 3.0 at (-2.5,), central difference"),
        (unary("bad_position", lambda m, x: x, lambda m, x: 1.0, kinks=((1, 0.0),)),
         "a kink names input 1, but bad_position has 1"),
    ],
)  # fmt: skip
def test_missing_or_false_metadata_is_caught(op, problem):
    assert any(found.startswith(problem) for found in metadata_problems(op))
