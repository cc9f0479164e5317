"""The hypothesis strategies: what they draw, and the promises the property tests rely on."""

from __future__ import annotations

import inspect
from collections import Counter

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from autograd import OPS, Value, topological_order
from autograd.check.finite_differences import step
from autograd.core.ieee import FLOATS
from autograd.testing.strategies import (
    MARGIN,
    MARGIN_STEPS,
    SLOPE_BOUND,
    VALUE_BOUND,
    Expression,
    expressions,
    values,
)

JUST_FIND = settings(phases=[Phase.generate], database=None)  # any example will do: no shrinking


def replay(expression: Expression) -> list[tuple[str, list[float], list[int], float]]:
    """Each step's op, input numbers, which inputs are nodes, and output, recomputed."""
    nodes = list(expression.inputs)
    steps = []
    for name, arguments in expression.steps:
        xs = [nodes[a] if isinstance(a, int) else a for a in arguments]
        nodes.append(OPS[name].forward(FLOATS, *xs))
        steps.append(
            (name, xs, [i for i, a in enumerate(arguments) if isinstance(a, int)], nodes[-1])
        )
    return steps


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=25)
@given(data=st.data())
def test_with_one_op_every_expression_uses_it(name, data):
    expression = data.draw(expressions(ops=[name]))
    assert expression.ops == {name}


@pytest.mark.parametrize("name", sorted(OPS))
def test_the_default_strategy_draws_every_op(name):
    find(expressions(), lambda e: name in e.ops, settings=JUST_FIND)


@given(expressions(max_leaves=4, max_steps=10))
def test_every_step_is_inside_its_domain_and_clear_of_kinks_and_poles(expression):
    for name, xs, variables, out in replay(expression):
        op = OPS[name]
        assert op.domain(*xs)
        for i, point in op.kinks + op.poles:
            assert abs(xs[i] - point) > MARGIN
        assert abs(out) <= VALUE_BOUND
        partials = op.derivative(FLOATS, *xs, out)
        assert all(abs(partials[i]) <= SLOPE_BOUND for i in variables)  # a constant's is unused


@given(expressions(ops=["relu", "abs", "*", "+"], max_leaves=2, max_steps=8))
def test_kinks_are_farther_than_many_steps_of_the_inputs(expression):
    # along every leaf's gradcheck step, no relu or abs input gets near zero
    leaves = [Value(x) for x in expression.inputs]
    nodes = topological_order(expression(*leaves))
    for i, x in enumerate(expression.inputs):
        for sign in (-1, 1):
            moved = [
                Value(x + sign * MARGIN_STEPS / 10 * step(x) if k == i else v.data)
                for k, v in enumerate(leaves)
            ]
            moved_nodes = topological_order(expression(*moved))
            for before, after in zip(nodes, moved_nodes):
                if after.op in ("relu", "abs"):
                    assert (before.parents[0].data > 0) == (after.parents[0].data > 0)


def test_reuse_draws_a_node_feeding_several_others():
    def shared(e: Expression) -> bool:
        uses = Counter(a for _, arguments in e.steps for a in arguments if isinstance(a, int))
        return any(count > 1 and node >= len(e.inputs) for node, count in uses.items())

    find(expressions(reuse=True), shared, settings=JUST_FIND)


@given(expressions(reuse=False, max_leaves=4, max_steps=8))
def test_without_reuse_the_graph_is_a_tree(expression):
    uses = Counter(a for _, arguments in expression.steps for a in arguments if isinstance(a, int))
    assert all(count == 1 for count in uses.values())


@given(expressions(max_leaves=4, max_steps=5))
def test_sizes_stay_within_the_limits(expression):
    assert 1 <= len(expression.inputs) <= 4
    # up to 5 drawn steps, then joins: each takes two or more unused leaves or steps
    assert 1 <= len(expression.steps) <= 5 + (4 + 5 - 1)


@given(expressions(ops=["+", "*", "tanh"], max_leaves=3))
def test_every_input_reaches_the_output_when_ops_can_join_nodes(expression):
    leaves = [Value(x) for x in expression.inputs]
    reached = set(topological_order(expression(*leaves)))
    assert all(leaf in reached for leaf in leaves)


def test_an_expression_reads_as_a_program_and_names_its_arguments():
    expression = Expression(
        (0.5, -1.25), (("*", (0, 1)), ("tanh", (2,)), ("+", (3, 2)), ("leaky_relu", (4, 0.2)))
    )
    assert repr(expression) == (
        "Expression(a=0.5, b=-1.25):\n"
        "    t1 = a * b\n"
        "    t2 = tanh(t1)\n"
        "    t3 = t2 + t1\n"
        "    return leaky_relu(t3, 0.2)"
    )
    assert list(inspect.signature(expression).parameters) == ["a", "b"]
    assert expression.ops == {"*", "tanh", "+", "leaky_relu"}
    out = expression(Value(0.5), Value(-1.25))
    assert out.op == "leaky_relu" and out.parents[1] == 0.2
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        expression(Value(1.0))


@given(values(-2.0, 5.0))
def test_values_are_leaves_in_range(value):
    assert isinstance(value, Value) and not value.parents and -2.0 <= value.data <= 5.0


def test_bad_strategy_arguments_raise_at_once():
    with pytest.raises(ValueError, match="no op named 'nope'"):
        expressions(ops=["nope"])
    with pytest.raises(ValueError, match="at least one leaf"):
        expressions(max_leaves=0)


def test_from_type_value_draws_finite_leaves_through_hypothesis_entry_point():
    import importlib.metadata
    import math

    (hook,) = [
        e for e in importlib.metadata.entry_points(group="hypothesis") if e.name == "valuegraph"
    ]
    assert hook.value == "autograd.testing.strategies:register_with_hypothesis"
    drawn = []

    @settings(JUST_FIND, max_examples=20)
    @given(st.from_type(Value))
    def collect(v):
        drawn.append(v)

    collect()  # hypothesis ran the hook when it was imported: no register call here
    assert drawn and all(isinstance(v, Value) and not v.parents for v in drawn)
    assert all(math.isfinite(v.data) and abs(v.data) <= VALUE_BOUND for v in drawn)


def test_from_type_value_works_in_a_fresh_interpreter():
    import subprocess
    import sys

    code = (
        "from hypothesis import strategies as st; from autograd import Value; "
        "print(type(st.from_type(Value).example()).__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "Value"
