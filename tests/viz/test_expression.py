"""The safe expression parser behind `valuegraph draw`: a whitelist, never eval."""

from __future__ import annotations

import math

import pytest

from autograd import Value
from viz.expression import FUNCTIONS, ExpressionError, parse_expression


def test_builds_the_graph_with_labelled_leaves_and_backpropagates():
    out = parse_expression("tanh(x*w + b)", {"x": 1, "w": -2, "b": 0.5})
    assert out.op == "tanh" and out.data == pytest.approx(math.tanh(-1.5))
    out.backward()
    (total,) = out.parents
    product, b = total.parents
    x, w = product.parents
    assert [v.label for v in (x, w, b)] == ["x", "w", "b"]
    slope = 1 - math.tanh(-1.5) ** 2
    assert (x.grad, w.grad, b.grad) == pytest.approx((-2 * slope, slope, slope))


def test_operators_are_recorded_as_written():
    out = parse_expression("-(a - b) / c ** 2 + 2 ** a", {"a": 1.0, "b": 3.0, "c": 2.0})
    assert out.data == pytest.approx(-(1 - 3) / 4 + 2)
    ops = set()
    stack = [out]
    while stack:
        node = stack.pop()
        ops.add(node.op)
        stack.extend(p for p in node.parents if isinstance(p, Value))
    assert {"neg", "-", "/", "**", "rpow", "+"} <= ops


def test_every_function_of_the_op_table_is_callable_by_name():
    assert {"relu", "leaky_relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs"} <= set(FUNCTIONS)
    for name in FUNCTIONS:
        out = parse_expression(f"{name}(x)", {"x": 0.7})
        assert out.op == name
        assert out.data == pytest.approx(getattr(Value(0.7), name)().data)
    assert parse_expression("leaky_relu(x, 0.2)", {"x": -1.0}).data == pytest.approx(-0.2)


def test_arithmetic_on_numbers_alone_is_a_constant():
    out = parse_expression("x * (2 * 3)", {"x": 1.5})
    assert out.parents[1] == 6.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('__import__("os").system("echo hi")', "only calls to"),
        ("x.data", "attribute access"),
        ("(lambda: 1)()", "only calls to"),
        ("lambda: 1", "lambda"),
        ("[i for i in (1, 2)]", "comprehension"),
        ("x[0]", "indexing"),
        ("x if x else 1", "if/else"),
        ("x < 1", "comparison"),
        ("9 ** 9 ** 9", "too large"),
        ("x ** 5000", "too large"),
        ("'text'", "only numbers"),
        ("True + x", "only numbers"),
        ("tanh(x=1)", "positional"),
        ("exp(x, 2)", "takes 1 argument"),
        ("leaky_relu(x, x)", "must be a number"),
        ("tanh", "is a function"),
        ("x +", "not a valid expression"),
        ("(x := 2)", "assignment"),
        ("x" * 6000, "limit"),
    ],
)
def test_anything_outside_the_whitelist_is_refused_with_a_clear_error(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text, {"x": 1.0})


def test_unknown_names_are_all_named():
    with pytest.raises(ExpressionError, match="unknown names: w, y"):
        parse_expression("x * w + y", {"x": 1.0})


def test_long_expressions_do_not_recurse():
    out = parse_expression(" + ".join(["x"] * 1200), {"x": 0.5})
    assert out.data == 600.0
    out.backward()
    assert out.parents  # built without RecursionError


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError, match="bytes"):
        parse_expression(b"x", {"x": 1.0})
