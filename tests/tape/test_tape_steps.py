"""The tape's math is the op table's: ``NUMPY_MATH`` computes what ``autograd.ieee`` computes, and
the two structural steps (``MatMul`` for ``dot``, ``Sum`` for ``sum``) equal the table's rules for
those ops evaluated on arrays."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from autograd import OPS, Value, dot
from autograd import sum as vsum
from autograd.core import ieee
from autograd.tape import NUMPY_MATH, compile  # noqa: A004
from autograd.tape.steps import Elementwise, MatMul, Sum

SPECIAL = [-math.inf, -1000.0, -30.0, -2.5, -1.0, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.5, 30.0, 710.0]
SPECIAL += [math.inf, math.nan]
UNARY_NAMES = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "sign"]
BINARY_NAMES = ["pow", "div", "maximum"]


def _same(actual: float, expected: float) -> bool:
    if math.isnan(expected) or math.isinf(expected) or expected == 0:
        return actual == expected or (math.isnan(actual) and math.isnan(expected))
    return math.isclose(actual, expected, rel_tol=1e-15)


@pytest.mark.parametrize("name", UNARY_NAMES)
def test_numpy_math_agrees_with_ieee_math_including_inf_and_nan(name):
    with np.errstate(all="ignore"):
        got = getattr(NUMPY_MATH, name)(np.array(SPECIAL))
    for x, value in zip(SPECIAL, got.tolist()):
        assert _same(value, getattr(ieee, name)(x)), (name, x, value)


@pytest.mark.parametrize("name", BINARY_NAMES)
def test_numpy_math_agrees_with_ieee_math_on_pairs(name):
    pairs = list(itertools.product(SPECIAL, SPECIAL))
    xs, ys = (np.array(column) for column in zip(*pairs))
    with np.errstate(all="ignore"):
        got = getattr(NUMPY_MATH, name)(xs, ys)
    for (x, y), value in zip(pairs, got.tolist()):
        assert _same(value, getattr(ieee, name)(x, y)), (name, x, y, value)


def test_numpy_where_picks_like_ieee_where():
    conditions = np.array([True, False])
    assert NUMPY_MATH.where(conditions, 1.0, 2.0).tolist() == [
        ieee.where(True, 1.0, 2.0),
        ieee.where(False, 1.0, 2.0),
    ]


def _layer(rng, count: int, n: int, bias: bool):
    weights = [[Value(rng.normal()) for _ in range(n)] for _ in range(count)]
    biases = [Value(rng.normal()) if bias else None for _ in range(count)]

    def fn(*xs):
        return [dot(w, xs, b) for w, b in zip(weights, biases)]

    return fn, weights, biases


@pytest.mark.parametrize("bias", [True, False])
def test_matmul_step_equals_the_dot_rules_of_the_op_table(bias):
    rng = np.random.default_rng(7)
    count, n, samples = 4, 3, 6
    fn, weights, biases = _layer(rng, count, n, bias)
    tape = compile(fn, [0.0] * n)
    (step,) = tape.steps
    assert isinstance(step, MatMul) and step.count == count  # the layer is one matrix product
    batch = rng.normal(size=(samples, n))
    upstream = rng.normal(size=(samples, count))
    out = tape.forward(batch)
    input_grads = tape.backward(upstream, inputs=True)

    rule = OPS["dot"]
    xs = list(batch.T)  # each input as an array over the batch
    expected_inputs = np.zeros((samples, n))
    for j, (w, b) in enumerate(zip(weights, biases)):
        inputs = [p.data for p in w] + xs + ([b.data] if bias else [])
        expected = rule.forward(NUMPY_MATH, *inputs)
        np.testing.assert_allclose(out[:, j], expected, rtol=1e-13)
        partials = rule.derivative(NUMPY_MATH, *inputs, expected)
        for k in range(n):
            assert w[k].grad == pytest.approx(np.sum(partials[k] * upstream[:, j]), rel=1e-13)
            expected_inputs[:, k] += partials[n + k] * upstream[:, j]
        if bias:
            assert b.grad == pytest.approx(np.sum(partials[-1] * upstream[:, j]), rel=1e-13)
    np.testing.assert_allclose(input_grads, expected_inputs, rtol=1e-13)


def test_sum_step_equals_the_sum_rules_of_the_op_table():
    rng = np.random.default_rng(3)
    p, q = Value(0.25), Value(-2.0)
    tape = compile(lambda x0, x1: [vsum([x0, p, 1.5, x1, x0]), vsum([x1, q, 0.5, x0, x1])], [0, 0])
    (step,) = tape.steps
    assert isinstance(step, Sum) and step.count == 2  # both sums in one reduction
    batch = rng.normal(size=(5, 2))
    upstream = rng.normal(size=(5, 2))
    out = tape.forward(batch)
    input_grads = tape.backward(upstream, inputs=True)

    rule = OPS["sum"]
    x0, x1 = batch.T
    for j, inputs in enumerate([[x0, p.data, 1.5, x1, x0], [x1, q.data, 0.5, x0, x1]]):
        expected = rule.forward(NUMPY_MATH, *inputs)
        np.testing.assert_allclose(out[:, j], expected, rtol=1e-14)
        assert rule.derivative(NUMPY_MATH, *inputs, expected) == (1.0,) * 5
    # every partial is 1: each input gets the upstream of each sum it appears in
    np.testing.assert_allclose(input_grads[:, 0], 2 * upstream[:, 0] + upstream[:, 1])
    np.testing.assert_allclose(input_grads[:, 1], upstream[:, 0] + 2 * upstream[:, 1])
    assert p.grad == pytest.approx(upstream[:, 0].sum())
    assert q.grad == pytest.approx(upstream[:, 1].sum())


def test_dot_nodes_that_do_not_share_inputs_or_weights_use_the_table_rule_elementwise():
    w = Value(0.5)

    def fn(x0, x1):
        return [dot([x0, x1], [x1, w]), dot([x1, x0], [x0, w])]  # batch weights: no matmul

    tape = compile(fn, [1.0, 2.0])
    (step,) = tape.steps
    assert isinstance(step, Elementwise) and step.op is OPS["dot"] and step.count == 2
    tape.check(np.random.default_rng(0).normal(size=(4, 2)))
