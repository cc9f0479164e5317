"""check_graph: every node's local rule, checked at the values it saw, and the node named."""

from __future__ import annotations

import dataclasses
import math

import pytest

from autograd import OPS, GradcheckError, Op, Value, apply, check_graph, no_grad, register
from tests.helpers.op_grid import as_function, off_by_half, smooth_points, variables


def test_one_row_per_node_and_non_constant_input_with_closed_form_partials():
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    c = (a * b + 1).tanh()
    c.label = "c"
    result = check_graph(c)
    assert result
    assert [(row.node, row.argument) for row in result.rows] == [
        ("#2 *", "0 a"),
        ("#2 *", "1 b"),
        ("#3 +", "0 #2"),  # the constant 1 is not an input to check
        ("#4 tanh c", "0 #3"),
    ]
    partials = [-2.0, 0.5, 1.0, 1 - math.tanh(0.0) ** 2]
    assert [row.analytic for row in result.rows] == pytest.approx(partials, rel=1e-12)
    for row, exact in zip(result.rows, partials):
        assert abs(row.numeric - exact) <= row.error < 1e-10


@pytest.mark.parametrize("name", sorted(OPS))
def test_a_wrong_rule_is_caught_at_its_node_and_nowhere_else(op_table, name):
    op = op_table[name]
    f, inputs = as_function(op, smooth_points(op)[0])
    leaves = [Value(x, label=f"in{i}") for i, x in enumerate(inputs)]
    out = apply("sin" if name == "tanh" else "tanh", f(*leaves))  # inside a bigger graph
    op_table[name] = off_by_half(op)
    result = check_graph(out, raise_exception=False)
    assert result.culprits() == [name]
    assert {row.node for row in result.failures} == {f"#{len(leaves)} {name}"}
    assert [row.argument for row in result.failures] == [
        f"{i} in{k}" for k, i in enumerate(variables(op))
    ]


def test_a_custom_op_with_a_wrong_rule_is_named_with_its_position_label_and_inputs(op_table):
    register(Op("square", lambda m, x: x * x, lambda m, x, out: (x,), 1, lambda x: True, (), ()))
    a = Value(3.0, label="a")
    hidden = apply("square", a * 2)
    hidden.label = "s"
    with pytest.raises(GradcheckError) as caught:
        check_graph(hidden + a)
    first_line = str(caught.value).splitlines()[0]
    assert first_line == "check_graph failed: wrong local derivative for #2 square s input 0 #1"
    (row,) = caught.value.result.failures
    assert (row.x, row.analytic, row.numeric) == (6.0, 6.0, pytest.approx(12.0))
    assert "#2 square s = square(#1=6.0) = 36.0" in str(caught.value)  # its inputs, its value


def test_a_node_whose_input_changed_after_recording_is_reported_stale():
    a = Value(2.0, label="a")
    out = a.exp() * 3
    a.data = 5.0  # as a training step would, before a stale backward
    result = check_graph(out, raise_exception=False)
    assert len(result.problems) == 1
    assert result.problems[0].startswith(
        "#1 exp holds 7.38905609893065 but exp of its inputs is 148.4"
    )


def test_a_rule_with_the_wrong_number_of_partials_is_reported(op_table):
    register(
        Op("twice", lambda m, x: 2 * x, lambda m, x, out: (2.0, 0.0), 1, lambda x: True, (), ())
    )
    result = check_graph(apply("twice", Value(1.0)), raise_exception=False)
    assert result.problems == ["the rule of 'twice' gives 2 partials for 1 inputs"]


def test_a_node_whose_op_left_the_table_is_reported(op_table):
    register(Op("gone", lambda m, x: x, lambda m, x, out: (1.0,), 1, lambda x: True, (), ()))
    out = apply("gone", Value(1.0))
    del op_table["gone"]
    assert check_graph(out, raise_exception=False).problems == [
        "#1 gone has an op that is not in the table"
    ]


def test_a_kink_at_a_node_is_flagged_as_a_kink():
    x = Value(0.0, label="x")
    result = check_graph(x.relu() + x.sin(), raise_exception=False)
    assert [row.flag for row in result.failures] == ["KINK"]
    assert result.culprits("KINK") == ["relu"] and result.culprits() == []


def plain(x):
    return x.data if isinstance(x, Value) else x


def test_order_2_checks_the_derivative_of_every_rule(op_table):
    x = Value(0.3, label="x")
    graph = (x * x).sigmoid()
    assert len(check_graph(graph, order=2).rows) == (2 + 2 * 2) + (1 + 1)  # first and second
    # a rule that reads .data: right on floats, but its derivative through Values is lost
    sigmoid = op_table["sigmoid"]
    op_table["sigmoid"] = dataclasses.replace(
        sigmoid, derivative=lambda m, x, out: (plain(out) * (1.0 - plain(out)),)
    )
    assert check_graph(graph)
    result = check_graph(graph, order=2, raise_exception=False)
    assert [(row.node, row.argument, row.flag) for row in result.failures] == [
        ("#2 sigmoid", "(0 #1, 0 #1)", "CUT")
    ]
    assert result.culprits("CUT") == ["sigmoid"]


def test_several_roots_share_one_walk():
    a = Value(1.2, label="a")
    shared = a.sin()
    result = check_graph(shared * 2, shared + a)
    assert [row.node for row in result.rows] == ["#1 sin", "#2 *", "#3 +", "#3 +"]


def test_order_2_works_inside_no_grad():
    x = Value(0.4)
    graph = x.tanh()
    with no_grad():
        assert check_graph(graph, order=2)


def test_bad_arguments():
    with pytest.raises(TypeError, match="check_graph\\(\\) takes Values, got float"):
        check_graph(1.0)
    with pytest.raises(ValueError, match="order must be 1 or 2, got 3"):
        check_graph(Value(1.0), order=3)
