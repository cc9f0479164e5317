"""``gradcheck`` and ``gradgradcheck``: a function's derivatives against float64 finite differences.

When a check fails, the per-node check (``check_graph``) runs on the same graph, so the report
names both the argument whose derivative is wrong and the op whose rule made it wrong.

>>> from autograd import gradcheck
>>> bool(gradcheck(lambda x, y: (x * y + 1).tanh(), [0.5, -0.3]))
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Value, grad, topological_order
from .check_graph import check_graph
from .compare import compare
from .finite_differences import Difference, first_step, ridders, step
from .function import Function
from .result import ATOL, RTOL, CheckResult, GradcheckError, finish, identical
from .rows import directional_rows, first_order_rows, rows_of_order

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

SEED = 2.5  # a backward seeded with this must scale every gradient by it


def gradcheck(
    f: Callable[..., Value | Sequence[Value]],
    inputs: Sequence[float | Value] | float | Value,
    *,
    eps: float | None = None,
    atol: float = ATOL,
    rtol: float = RTOL,
    order: int = 1,
    fast_mode: bool = False,
    directions: int = 3,
    raise_exception: bool = True,
) -> CheckResult:
    """Check the gradient of ``f`` at ``inputs`` against float64 finite differences; with
    ``order=k``, every derivative up to order ``k``.

    ``f`` takes one Value per input and returns a Value, or a tuple or list of Values (each
    output is checked, its rows named ``out 1: 0 x``); ``inputs`` are numbers or Values (whose
    labels name the arguments). The numeric derivative is Ridders' method (central differences at
    steps halving from ``eps``, or ``1e-3 * max(1, |x|)``, extrapolated to step 0), which also
    estimates its own error ``err``; a gradient passes when ``|analytic - numeric| <= atol +
    rtol * |numeric| + 2 * err`` and ``err <= atol + rtol * |numeric|`` (the numeric side is sure
    to within the tolerance). Central differences at a step of ``cbrt(machine eps) * max(1,
    |x|)`` (or ``eps``) tell a failing row's kinks and poles apart. Also
    checked: backward on a fresh graph gives identical gradients, and a backward seeded with 2.5
    scales them by 2.5. Returns a ``CheckResult`` (true when everything passed); a failure raises
    ``GradcheckError``, whose message is the report, unless ``raise_exception=False``.

    With ``order=k``, each derivative of order ``n <= k`` (taken by ``grad`` with
    ``create_graph=True``) is also compared with finite differences of the analytic derivative
    of order ``n - 1`` it comes from, as ``jax.test_util.check_grads`` does: so every order is
    checked, each against the one below, and order 1 against ``f`` itself. A row of order 3 reads
    ``(0 x, 0 x, 1 y)``: d^3 f / dx dx dy.

    ``fast_mode=True`` checks the gradient along ``directions`` random unit directions (the same
    ones on every run) instead of one input at a time: for a function of hundreds of inputs (a
    model's loss over its parameters) a dozen evaluations per direction instead of per input.
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"order must be an int >= 1, got {order!r}")
    if not isinstance(directions, int) or isinstance(directions, bool) or directions < 1:
        raise ValueError(f"directions must be an int >= 1, got {directions!r}")
    function = Function(f, inputs)
    first = f(*function.leaves())
    if not isinstance(first, (list, tuple)):
        result = _check(function, eps, atol, rtol, order, directions if fast_mode else 0)
        return finish(result, raise_exception)
    if not first:
        raise TypeError("f must return a Value or a list of Values, got an empty list")
    results = []
    for k in range(len(first)):
        one = Function(functools.wraps(f)(functools.partial(_output, f, k)), inputs)
        results.append(_check(one, eps, atol, rtol, order, directions if fast_mode else 0))
    rows = [
        dataclasses.replace(row, argument=f"out {k}: {row.argument}")
        for k, r in enumerate(results)
        for row in r.rows
    ]
    problems = [f"out {k}: {p}" for k, r in enumerate(results) for p in r.problems]
    result = CheckResult("gradcheck", results[0].what, rows, atol, rtol, problems)
    result.diagnosis = next((r.diagnosis for r in results if r.diagnosis is not None), None)
    return finish(result, raise_exception)


def _output(f: Callable[..., Any], k: int, *leaves: Value) -> Value:
    return f(*leaves)[k]


def _check(
    function: Function, eps: float | None, atol: float, rtol: float, order: int, directions: int
) -> CheckResult:
    """``gradcheck`` of one output; ``directions`` random ones in fast mode, else 0."""
    leaves = function.leaves()
    out = function.output(leaves)
    out.backward()
    analytic = [leaf.grad for leaf in leaves]
    if directions:
        rows = directional_rows(function, out.data, analytic, eps, atol, rtol, directions)
    else:
        rows = first_order_rows(function, out, leaves, eps, atol, rtol)
    problems = _reproducibility(function, analytic) + _seed_scaling(function, analytic, atol, rtol)
    derivatives: list[Value] = []  # the graphs of orders 1 .. k - 1, for the diagnosis
    for n in range(2, order + 1):
        rows += rows_of_order(function, n, eps, atol, rtol, derivatives)
    what = "gradient" if order == 1 else "derivative"
    result = CheckResult("gradcheck", what, rows, atol, rtol, problems)
    if result.failures:
        result.diagnosis = check_graph(
            out, *derivatives, order=min(order, 2), atol=atol, rtol=rtol, raise_exception=False
        )
    return result


def _reproducibility(function: Function, analytic: list[float]) -> list[str]:
    leaves = function.leaves()
    function.output(leaves).backward()
    return [
        f"backward is not reproducible: on a fresh graph {name} got {leaf.grad!r}, before {a!r}"
        for name, leaf, a in zip(function.names, leaves, analytic)
        if not identical(leaf.grad, a)
    ]


def _seed_scaling(function: Function, analytic: list[float], atol: float, rtol: float) -> list[str]:
    leaves = function.leaves()
    function.output(leaves).backward(SEED)
    return [
        f"a backward seeded with {SEED} gave {name} {leaf.grad!r}, not {SEED} * {a!r}"
        for name, leaf, a in zip(function.names, leaves, analytic)
        if math.isfinite(a) and not abs(leaf.grad - SEED * a) <= atol + rtol * abs(SEED * a)
    ]


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float | Value] | float | Value,
    *,
    eps: float | None = None,
    atol: float = ATOL,
    rtol: float = RTOL,
    raise_exception: bool = True,
) -> CheckResult:
    """Check the second derivatives of ``f`` at ``inputs``, as ``gradcheck`` checks the first.

    Each entry of the Hessian comes from ``grad`` of a gradient taken with ``create_graph=True``
    and is compared with finite differences of the (float) gradient. Also checked: the gradient
    with ``create_graph=True`` equals the plain one. Same arguments and result as ``gradcheck``.
    """
    function = Function(f, inputs)
    if isinstance(f(*function.leaves()), (list, tuple)):
        raise TypeError("gradgradcheck() checks one output; gradcheck(f, inputs, order=2) many")
    leaves = function.leaves()
    out = function.output(leaves)
    firsts = grad(out, leaves, create_graph=True)
    plain = grad(out, leaves)
    problems = [
        f"the gradient for {name} is {first.data!r} with create_graph=True but {p!r} without"
        for name, first, p in zip(function.names, firsts, plain)
        if not abs(first.data - p) <= atol + rtol * abs(p)
    ]
    gradient = functools.cache(lambda j, t: function.gradient(function.moved(j, t)))
    steps = [step(x, eps) for x in function.points]
    rows = []
    for i, first in enumerate(firsts):
        seconds = grad(first, leaves)
        reached = set(topological_order(first))
        for j, (x, h) in enumerate(zip(function.points, steps)):

            def along(t: float, i: int = i, j: int = j) -> float:
                return gradient(j, t)[i]  # the same steps for every i: each gradient once

            at = Difference(x, h, gradient(j, x - h)[i], plain[i], gradient(j, x + h)[i])
            estimate = ridders(along, x, first_step(x, eps))
            name, ok = f"({function.names[i]}, {function.names[j]})", leaves[j] in reached
            rows.append(
                compare(
                    name,
                    seconds[j],
                    at,
                    estimate,
                    along=along,
                    atol=atol,
                    rtol=rtol,
                    reached=ok,
                    order=2,
                )
            )
    result = CheckResult("gradgradcheck", "second derivative", rows, atol, rtol, problems)
    if result.failures:
        result.diagnosis = check_graph(
            out, *firsts, order=2, atol=atol, rtol=rtol, raise_exception=False
        )
    return finish(result, raise_exception)
