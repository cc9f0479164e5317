"""The fast path (``autograd/fast.py``) and the reference engine give bit-identical results.

Each expression is built twice through Value's operators and methods (which the fast path
replaces), once under each engine; the topological order, every leaf's first derivative from
``backward`` and from ``grad``, and every second derivative from ``grad(create_graph=True)`` must
agree to the last bit.
"""

from __future__ import annotations

import itertools
import math
import operator
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from hypothesis import given, settings

from autograd import Value, apply, dot, fast, grad, topological_order
from autograd import sum as vsum
from autograd.testing.strategies import Expression, expressions

BINARY: dict[str, Callable[..., object]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "pow": operator.pow,
    "rpow": operator.pow,
}
UNARY: dict[str, Callable[[Value], Value]] = {"neg": operator.neg, "abs": abs}


@contextmanager
def engine(fast_path: bool) -> Iterator[None]:
    was = fast.installed()
    (fast.install if fast_path else fast.uninstall)()
    try:
        yield
    finally:
        (fast.install if was else fast.uninstall)()


def build(expression: Expression, leaves: list[Value]) -> Value:
    """The expression through operators and methods where it can, else ``apply``."""
    nodes: list[object] = list(leaves)
    for name, arguments in expression.steps:
        args = [nodes[a] if isinstance(a, int) else a for a in arguments]
        if not any(isinstance(a, Value) for a in args):
            nodes.append(apply(name, *args))
        elif name in BINARY:
            nodes.append(BINARY[name](*args))
        elif name in UNARY:
            nodes.append(UNARY[name](args[0]))
        elif len(args) == 1 and hasattr(Value, name):
            nodes.append(getattr(args[0], name)())
        else:
            nodes.append(apply(name, *args))
    return nodes[-1]  # type: ignore[return-value]


def bits(xs: object) -> list[str]:
    return [float(x).hex() for x in xs]  # type: ignore[attr-defined]


def derivatives(expression: Expression) -> dict[str, object]:
    leaves = [Value(x) for x in expression.inputs]
    out = build(expression, leaves)
    order = [(node.op, node.data.hex()) for node in topological_order(out)]
    out.backward()
    first = bits(leaf.grad for leaf in leaves)
    plain = bits(grad(out, leaves))
    slopes = grad(out, leaves, create_graph=True)
    second = [bits(grad(s, leaves)) for s in slopes]
    return {"order": order, "backward": first, "grad": plain, "second": second}


@settings(max_examples=300)
@given(expressions(max_steps=12))
def test_fast_path_and_reference_give_bit_identical_derivatives(expression):
    with engine(fast_path=True):
        fast_results = derivatives(expression)
    with engine(fast_path=False):
        reference_results = derivatives(expression)
    assert fast_results == reference_results


def test_a_neuron_with_constants_is_identical_under_both_engines():
    def run() -> list[str]:
        w = [Value(0.3), Value(-1.2), Value(0.7)]
        x = [1.5, Value(-0.5), 2.0]  # mixed: some inputs constant
        out = (apply("dot", *w, *x, 0.1).tanh() * 2 + 1) ** 2
        out.backward()
        return bits(v.grad for v in (*w, x[1]))

    with engine(fast_path=True):
        a = run()
    with engine(fast_path=False):
        b = run()
    assert a == b


def test_switching_engines_changes_what_runs():
    with engine(fast_path=False):
        assert not fast.installed()
        assert Value.__add__.__name__ == "+ (operator)"  # the reference method
    with engine(fast_path=True):
        assert fast.installed()


def run_python(code: str, engine_name: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VALUEGRAPH_ENGINE"}
    if engine_name is not None:
        env["VALUEGRAPH_ENGINE"] = engine_name
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_the_environment_variable_selects_the_reference_engine():
    done = run_python("import autograd; print(autograd.fast.installed())", "reference")
    assert done.stdout.strip() == "False", done.stderr


def test_an_unknown_engine_name_is_refused_with_the_choices():
    done = run_python("import autograd", "turbo")
    assert done.returncode != 0
    assert "VALUEGRAPH_ENGINE must be 'fast' or 'reference', got 'turbo'" in done.stderr


def test_the_fast_path_is_the_default():
    done = run_python("import autograd; print(autograd.fast.installed())", None)
    assert done.stdout.strip() == "True", done.stderr


def test_sum_and_dot_compute_and_differentiate_the_same_bits_under_both_engines():
    awkward = [0.0, -0.0, 1.5, -2.0, 1e308, math.inf, -math.inf, math.nan]

    def run() -> list[str]:
        results = []
        for w1, w2, x1, b in itertools.product(awkward, repeat=4):
            ws, xs = [Value(w1), Value(w2)], [Value(x1), 0.5]  # some inputs constant
            bias, row, hidden = Value(b), [x1, 0.5], [Value(x1), Value(0.5)]  # a neuron's inputs
            outs = [dot(ws, xs, bias), dot(ws, ws), dot(ws, xs, b), vsum([*ws, b])]
            outs += [dot(ws, row, bias), dot(ws, hidden, bias)]
            for out in outs:
                results.append(out.data.hex())  # -0.0 is not 0.0; a nan is a nan
                out.backward()
                results += [v.grad.hex() for v in (*ws, bias, *hidden)]
        return results

    with engine(fast_path=True):
        a = run()
    with engine(fast_path=False):
        b = run()
    assert a == b
