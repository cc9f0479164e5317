"""``gradcheck`` and ``gradgradcheck``: a function's derivatives against float64 finite differences.

When a check fails, the per-node check (``check_graph``) runs on the same graph, so the report
names both the argument whose derivative is wrong and the op whose rule made it wrong.

>>> from autograd import gradcheck
>>> bool(gradcheck(lambda x, y: (x * y + 1).tanh(), [0.5, -0.3]))
True
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Value, grad, topological_order
from .check_graph import check_graph
from .finite_differences import Difference, difference, step
from .result import CheckResult, GradcheckError, Row, compare, finish, identical

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

SEED = 2.5  # a backward seeded with this must scale every gradient by it
ATOL, RTOL = 1e-6, 1e-5  # the default tolerances


class _Function:
    """``f`` at ``inputs``: builds fresh graphs on labelled leaves, as often as a check needs."""

    def __init__(self, f: Callable[..., Value], inputs: Any) -> None:
        if not callable(f):
            raise TypeError(f"f must be callable, got {type(f).__name__}")
        if isinstance(inputs, (Value, numbers.Real)):
            inputs = [inputs]
        if not isinstance(inputs, Sequence) or isinstance(inputs, str):
            raise TypeError(
                f"inputs must be a list of numbers or Values, got {type(inputs).__name__}"
            )
        self.f = f
        self.points: list[float] = []
        labels = []
        for i, x in enumerate(inputs):
            if isinstance(x, Value):
                self.points.append(x.data)
                labels.append(x.label)
            elif isinstance(x, numbers.Real):
                self.points.append(float(x))
                labels.append("")
            else:
                raise TypeError(f"input {i} must be a number or a Value, got {type(x).__name__}")
        if not self.points:
            raise ValueError("a gradient check needs at least one input")
        names = _parameter_names(f)
        self.labels = [
            label or (names[i] if i < len(names) else f"x{i}") for i, label in enumerate(labels)
        ]
        self.names = [f"{i} {label}" for i, label in enumerate(self.labels)]

    def leaves(self, points: Sequence[float] | None = None) -> list[Value]:
        return [Value(x, label=label) for x, label in zip(points or self.points, self.labels)]

    def output(self, leaves: list[Value]) -> Value:
        out = self.f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"f must return a scalar Value, got {type(out).__name__}")
        return out

    def moved(self, i: int, t: float) -> list[float]:
        """The inputs with input ``i`` set to ``t``."""
        return [t if k == i else x for k, x in enumerate(self.points)]

    def gradient(self, points: Sequence[float]) -> tuple[float, ...]:
        """The analytic gradient at ``points``, through plain (float) backward."""
        leaves = self.leaves(points)
        return grad(self.output(leaves), leaves)

    def derivative(self, leaves: list[Value], index: tuple[int, ...]) -> Value:
        """``d^n f / dx_index[0] ... dx_index[-1]`` on ``leaves``, as a Value with its graph."""
        current = self.output(leaves)
        for i in index:
            (current,) = grad(current, [leaves[i]], create_graph=True)
        return current

    def derivative_at(self, points: Sequence[float], index: tuple[int, ...]) -> float:
        return self.derivative(self.leaves(points), index).data


def _parameter_names(f: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in positional]


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float | Value] | float | Value,
    *,
    eps: float | None = None,
    atol: float = ATOL,
    rtol: float = RTOL,
    order: int = 1,
    raise_exception: bool = True,
) -> CheckResult:
    """Check the gradient of ``f`` at ``inputs`` against float64 central differences; with
    ``order=k``, every derivative up to order ``k``.

    ``f`` takes one Value per input and returns a scalar Value; ``inputs`` are numbers or Values
    (whose labels name the arguments). The step is ``eps``, or ``cbrt(machine eps) * max(1, |x|)``
    per input. A gradient passes when ``|analytic - numeric| <= atol + rtol * |numeric|``. Also
    checked: backward on a fresh graph gives identical gradients, and a backward seeded with 2.5
    scales them by 2.5. Returns a ``CheckResult`` (true when everything passed); a failure raises
    ``GradcheckError``, whose message is the report, unless ``raise_exception=False``.

    With ``order=k``, each derivative of order ``n <= k`` (taken by ``grad`` with
    ``create_graph=True``) is also compared with central differences of the analytic derivative
    of order ``n - 1`` it comes from, as ``jax.test_util.check_grads`` does: so every order is
    checked, each against the one below, and order 1 against ``f`` itself. A row of order 3 reads
    ``(0 x, 0 x, 1 y)``: d^3 f / dx dx dy.
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"order must be an int >= 1, got {order!r}")
    function = _Function(f, inputs)
    leaves = function.leaves()
    out = function.output(leaves)
    out.backward()
    analytic = [leaf.grad for leaf in leaves]
    reached = set(topological_order(out))
    rows = []
    for i, (x, leaf) in enumerate(zip(function.points, leaves)):
        h = step(x, eps)

        def along(t: float, i: int = i) -> float:
            return function.output(function.leaves(function.moved(i, t))).data

        at = difference(along, x, h, middle=out.data)
        name, ok = function.names[i], leaf in reached
        rows.append(compare(name, analytic[i], at, along=along, atol=atol, rtol=rtol, reached=ok))
    problems = _reproducibility(function, analytic) + _seed_scaling(function, analytic, atol, rtol)
    derivatives: list[Value] = []  # the graphs of orders 1 .. k - 1, for the diagnosis
    for n in range(2, order + 1):
        rows += _rows_of_order(function, n, eps, atol, rtol, derivatives)
    what = "gradient" if order == 1 else "derivative"
    result = CheckResult("gradcheck", what, rows, atol, rtol, problems)
    if result.failures:
        result.diagnosis = check_graph(
            out, *derivatives, order=min(order, 2), atol=atol, rtol=rtol, raise_exception=False
        )
    return finish(result, raise_exception)


def _rows_of_order(
    function: _Function,
    n: int,
    eps: float | None,
    atol: float,
    rtol: float,
    derivatives: list[Value],
) -> list[Row]:
    """The rows of order ``n``: for each derivative of order ``n - 1`` (indices in increasing
    order, since derivatives commute), its gradient against central differences of it."""
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
            name = "(" + ", ".join(function.names[i] for i in (*index, j)) + ")"
            ok = leaves[j] in reached
            rows.append(
                compare(
                    name, analytic[j], at, along=along, atol=atol, rtol=rtol, reached=ok, order=n
                )
            )
    return rows


def _reproducibility(function: _Function, analytic: list[float]) -> list[str]:
    leaves = function.leaves()
    function.output(leaves).backward()
    return [
        f"backward is not reproducible: on a fresh graph {name} got {leaf.grad!r}, before {a!r}"
        for name, leaf, a in zip(function.names, leaves, analytic)
        if not identical(leaf.grad, a)
    ]


def _seed_scaling(
    function: _Function, analytic: list[float], atol: float, rtol: float
) -> list[str]:
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
    and is compared with central differences of the (float) gradient. Also checked: the gradient
    with ``create_graph=True`` equals the plain one. Same arguments and result as ``gradcheck``.
    """
    function = _Function(f, inputs)
    leaves = function.leaves()
    out = function.output(leaves)
    firsts = grad(out, leaves, create_graph=True)
    plain = grad(out, leaves)
    problems = [
        f"the gradient for {name} is {first.data!r} with create_graph=True but {p!r} without"
        for name, first, p in zip(function.names, firsts, plain)
        if not abs(first.data - p) <= atol + rtol * abs(p)
    ]
    steps = [step(x, eps) for x in function.points]
    ups = [
        function.gradient(function.moved(j, x + h))
        for j, (x, h) in enumerate(zip(function.points, steps))
    ]
    downs = [
        function.gradient(function.moved(j, x - h))
        for j, (x, h) in enumerate(zip(function.points, steps))
    ]
    rows = []
    for i, first in enumerate(firsts):
        seconds = grad(first, leaves)
        reached = set(topological_order(first))
        for j, (x, h) in enumerate(zip(function.points, steps)):

            def along(t: float, i: int = i, j: int = j) -> float:
                return function.gradient(function.moved(j, t))[i]

            at = Difference(x, h, downs[j][i], plain[i], ups[j][i])
            name, ok = f"({function.names[i]}, {function.names[j]})", leaves[j] in reached
            rows.append(
                compare(
                    name, seconds[j], at, along=along, atol=atol, rtol=rtol, reached=ok, order=2
                )
            )
    result = CheckResult("gradgradcheck", "second derivative", rows, atol, rtol, problems)
    if result.failures:
        result.diagnosis = check_graph(
            out, *firsts, order=2, atol=atol, rtol=rtol, raise_exception=False
        )
    return finish(result, raise_exception)
