"""``autograd.sum`` and ``autograd.dot``: one node each, with values, gradients and second
derivatives checked against ``math.fsum``, closed forms and central differences."""

from __future__ import annotations

import math
import random

import pytest

from autograd import Value, dot, grad, topological_order
from autograd import sum as vsum
from tests.helpers.oracles import central_difference

RNG = random.Random(11)


def test_sum_value_matches_fsum_and_every_input_gets_gradient_one():
    numbers = [RNG.uniform(-10, 10) for _ in range(50)]
    xs = [Value(x) for x in numbers]
    total = vsum([*xs, 2.5])
    assert total.data == pytest.approx(math.fsum([*numbers, 2.5]), rel=1e-14)
    total.backward()
    assert [x.grad for x in xs] == [1.0] * 50


def test_sum_of_a_generator_and_of_numbers_only():
    assert vsum(Value(float(i)) for i in range(4)).data == 6.0
    assert vsum([1, 2.5]).data == 3.5


def test_sum_gradient_matches_central_differences_through_other_ops():
    values = [RNG.uniform(0.5, 2.0) for _ in range(4)]

    def f(*xs):
        return vsum([xs[0] * xs[1], xs[2].tanh(), xs[3] ** 2, xs[0]])

    xs = [Value(v) for v in values]
    f(*xs).backward()
    for i, x in enumerate(xs):

        def along(t, i=i):
            return f(*[Value(t if j == i else v) for j, v in enumerate(values)]).data

        assert x.grad == pytest.approx(central_difference(along, values[i]), rel=1e-7)


def test_second_derivatives_through_sum_match_closed_forms():
    x, y = Value(1.5), Value(-0.5)
    (dx,) = grad(vsum([x * x, x * y, y, 4.0]), [x], create_graph=True)
    assert dx.data == 2 * 1.5 - 0.5
    assert grad(dx, [x, y]) == (2.0, 1.0)


def test_a_sum_of_a_hundred_thousand_values_is_one_node():
    xs = [Value(1.0) for _ in range(100_000)]
    total = vsum(xs)
    assert total.data == 100_000.0 and len(total.parents) == 100_000
    assert len(topological_order(total)) == 100_001
    total.backward()
    assert xs[0].grad == xs[-1].grad == 1.0


def test_dot_value_and_gradients_match_closed_forms_with_numbers_mixed_in():
    w = [Value(RNG.uniform(-1, 1)) for _ in range(5)]
    x = [Value(RNG.uniform(-1, 1)) if i % 2 else RNG.uniform(-1, 1) for i in range(5)]
    b = Value(0.3)
    out = dot(w, x, b)
    plain = [xi.data if isinstance(xi, Value) else xi for xi in x]
    assert out.data == pytest.approx(sum(wi.data * xi for wi, xi in zip(w, plain)) + 0.3)
    assert out.parents == (*w, *(xi if isinstance(xi, Value) else float(xi) for xi in x), b)
    out.backward()
    assert [wi.grad for wi in w] == pytest.approx(plain, rel=1e-15)
    assert [xi.grad for xi in x if isinstance(xi, Value)] == [w[1].data, w[3].data]
    assert b.grad == 1.0


def test_dot_of_values_used_more_than_once_adds_every_use():
    a, b = Value(1.5), Value(-0.5)
    out = dot([a, a, b], [a, b, b])  # a**2 + a b + b**2, all inputs Values
    out.backward()
    assert out.data == 1.5**2 + 1.5 * -0.5 + 0.25
    assert (a.grad, b.grad) == (2 * 1.5 + -0.5, 1.5 + 2 * -0.5)


def test_dot_gradient_matches_central_differences():
    values = [RNG.uniform(-2, 2) for _ in range(7)]  # w0..w2, x0..x2, b

    def f(*v):
        return dot(v[0:3], v[3:6], v[6]).tanh()

    leaves = [Value(v) for v in values]
    f(*leaves).backward()
    for i, leaf in enumerate(leaves):

        def along(t, i=i):
            return f(*[Value(t if j == i else v) for j, v in enumerate(values)]).data

        assert leaf.grad == pytest.approx(central_difference(along, values[i]), rel=1e-7)


def test_dot_hessian_pairs_each_weight_with_its_input():
    w = [Value(0.5), Value(-1.0)]
    x = [Value(2.0), Value(3.0)]
    first = grad(dot(w, x, Value(1.0)), w, create_graph=True)  # d/dw_i = x_i
    assert [g.data for g in first] == [2.0, 3.0]
    assert [grad(g, [*w, *x]) for g in first] == [(0.0, 0.0, 1.0, 0.0), (0.0, 0.0, 0.0, 1.0)]


def test_dot_squared_second_derivative_matches_the_closed_form():
    w, x = [Value(0.7), Value(-0.2)], [Value(1.1), Value(0.4)]
    s = 0.7 * 1.1 + -0.2 * 0.4
    (dw0,) = grad(dot(w, x) ** 2, [w[0]], create_graph=True)  # 2 s x0
    assert dw0.data == pytest.approx(2 * s * 1.1)
    d2 = grad(dw0, [w[0], x[0], x[1]])  # 2 x0^2, 2 (w0 x0 + s), 2 w1 x0
    assert d2 == pytest.approx((2 * 1.1**2, 2 * (0.7 * 1.1 + s), 2 * -0.2 * 1.1))


@pytest.mark.parametrize("bad", ["1.0", None, [1.0]])
def test_sum_and_dot_reject_non_numbers_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        vsum([Value(1.0), bad])
    with pytest.raises(TypeError, match=type(bad).__name__):
        dot([Value(1.0)], [bad])
