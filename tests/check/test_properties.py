"""Property tests: on random expression graphs over the whole op table, the engine's first and
second derivatives match float64 central differences, and so does every node's local rule.

The examples come from ``autograd.testing.strategies``; how many, and whether they are the same
on every run, is set by the hypothesis profile (``tests/conftest.py``).
"""

from __future__ import annotations

from hypothesis import example, given

from autograd import Value, check_graph, grad, gradcheck, gradgradcheck
from autograd.testing.strategies import Expression, expressions

GRAPHS = expressions(max_leaves=4, max_steps=10)


@given(GRAPHS)
def test_gradients_match_central_differences(expression):
    gradcheck(expression, expression.inputs)


@given(GRAPHS)
def test_second_derivatives_match_central_differences(expression):
    gradgradcheck(expression, expression.inputs)


@given(GRAPHS)
def test_every_local_rule_and_its_derivative_match_central_differences(expression):
    check_graph(expression(*expression.inputs), order=2)


@given(expressions(max_leaves=4, max_steps=10, reuse=False))
def test_gradients_of_trees_match_central_differences(expression):
    gradcheck(expression, expression.inputs)


@given(GRAPHS)
def test_grad_and_backward_agree_exactly(expression):
    leaves = [Value(x) for x in expression.inputs]
    out = expression(*leaves)
    out.backward()
    assert grad(out, leaves) == tuple(leaf.grad for leaf in leaves)
    firsts = grad(out, leaves, create_graph=True)
    assert tuple(first.data for first in firsts) == tuple(leaf.grad for leaf in leaves)


# the engine bug this property found (see tests/core/test_backward_accumulation.py)
@example(Expression((1.0,), (("tanh", (0,)), ("-", (1, 0)))))  # tanh(a) - a: two paths to a
@given(GRAPHS)
def test_backward_twice_doubles_leaf_grads_exactly(expression):
    leaves = [Value(x) for x in expression.inputs]
    out = expression(*leaves)
    out.backward()
    once = [leaf.grad for leaf in leaves]
    out.backward()
    assert [leaf.grad for leaf in leaves] == [2 * g for g in once]
