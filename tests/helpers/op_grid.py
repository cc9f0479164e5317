"""Helpers for tests over the op table: grid points for every op, each op as a function of its
non-constant inputs, and an op with a wrong rule.

The meta-tests sample ops on this grid; the wrong-rule tests apply each op at its first smooth
point. Constant inputs (``op.constants``) take the strategies' palette of constants.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

from autograd import Op, Value, apply
from autograd.testing.strategies import CONSTANTS, MARGIN

GRID = (-2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)  # includes 0, where kinks and poles tend to be
N_ARY = 3  # how many inputs an op of any arity gets


def arity(op: Op) -> int:
    return op.arity if op.arity is not None else N_ARY


def grid(op: Op) -> list[tuple[float, ...]]:
    """Every combination of grid values (constants for constant inputs)."""
    choices = [CONSTANTS if i in op.constants else GRID for i in range(arity(op))]
    return list(itertools.product(*choices))


def is_clear(op: Op, xs: tuple[float, ...]) -> bool:
    """Inside the domain and farther than ``MARGIN`` from every declared kink and pole."""
    return op.domain(*xs) and all(abs(xs[i] - p) > MARGIN for i, p in op.kinks + op.poles)


def smooth_points(op: Op) -> list[tuple[float, ...]]:
    return [xs for xs in grid(op) if is_clear(op, xs)]


def variables(op: Op) -> list[int]:
    """The positions that take Values."""
    return [i for i in range(arity(op)) if i not in op.constants]


def as_function(op: Op, xs: tuple[float, ...]) -> tuple[Callable[..., Value], list[float]]:
    """``op`` as a function of its non-constant inputs (constants fixed from ``xs``), and those
    inputs' values in ``xs``."""
    positions = variables(op)

    def f(*values: Value) -> Value:
        arguments: list[Value | float] = list(xs)
        for i, v in zip(positions, values):
            arguments[i] = v
        return apply(op.name, *arguments)

    return f, [xs[i] for i in positions]


def off_by_half(op: Op) -> Op:
    """``op`` with every partial derivative 0.5 too large: wrong at every point."""
    rule = op.derivative
    return dataclasses.replace(
        op, derivative=lambda m, *args: tuple(p + 0.5 for p in rule(m, *args))
    )
