"""Every op's value, first and second derivative against closed forms and central differences."""

from __future__ import annotations

import math
import random

import pytest

from autograd import OPS, Value, detect_anomaly, dot, grad, logsumexp
from autograd import sum as vsum
from tests.helpers.oracles import BINARY, UNARY, central_difference

RNG = random.Random(20261128)


def _points(interval: tuple[float, float], n: int = 5) -> list[float]:
    lo, hi = interval
    points = []
    while len(points) < n:  # keep away from the kinks at 0 by more than the difference step
        x = RNG.uniform(lo, hi)
        if abs(x) > 0.05:
            points.append(x)
    return points


def test_every_op_in_the_table_has_a_closed_form_test():
    covered = set(UNARY) | set(BINARY) | {"sum", "dot", "logsumexp"}
    assert covered == set(OPS)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_value_and_derivative(name):
    build, f, df, _, interval = UNARY[name]
    for x0 in _points(interval):
        x = Value(x0)
        y = build(x)
        assert y.op == name
        assert y.data == pytest.approx(f(x0), rel=1e-12, abs=1e-12)
        y.backward()
        assert x.grad == pytest.approx(df(x0), rel=1e-12, abs=1e-12)
        numeric = central_difference(lambda t: build(Value(t)).data, x0)
        assert x.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_second_derivative(name):
    build, _, df, d2f, interval = UNARY[name]
    for x0 in _points(interval):
        x = Value(x0)
        (first,) = grad(build(x), [x], create_graph=True)
        assert isinstance(first, Value)
        assert first.data == pytest.approx(df(x0), rel=1e-12, abs=1e-12)
        (second,) = grad(first, [x])
        assert second == pytest.approx(d2f(x0), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_value_and_gradient(name):
    build, f, gradient, _, interval = BINARY[name]
    for x0, y0 in zip(_points(interval), _points(interval)):
        a, b = Value(x0), Value(y0)
        out = build(a, b)
        assert out.op == name
        assert out.parents == (a, b)
        assert out.data == pytest.approx(f(x0, y0), rel=1e-12)
        out.backward()
        assert (a.grad, b.grad) == pytest.approx(gradient(x0, y0), rel=1e-12)
        assert a.grad == pytest.approx(central_difference(lambda t, y0=y0: f(t, y0), x0), rel=1e-6)
        assert b.grad == pytest.approx(central_difference(lambda t, x0=x0: f(x0, t), y0), rel=1e-6)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_hessian(name):
    build, _, _, hessian, interval = BINARY[name]
    for x0, y0 in zip(_points(interval, 3), _points(interval, 3)):
        a, b = Value(x0), Value(y0)
        first = grad(build(a, b), [a, b], create_graph=True)
        rows = [grad(g, [a, b]) for g in first]
        expected = hessian(x0, y0)
        for row, want in zip(rows, expected):
            assert row == pytest.approx(want, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("expression", "op", "value", "slope"),
    [
        (lambda a: a + 2, "+", 5.0, 1.0),
        (lambda a: 2 + a, "+", 5.0, 1.0),
        (lambda a: a - 2, "-", 1.0, 1.0),
        (lambda a: 2 - a, "-", -1.0, -1.0),
        (lambda a: a * 2, "*", 6.0, 2.0),
        (lambda a: 2 * a, "*", 6.0, 2.0),
        (lambda a: a / 2, "/", 1.5, 0.5),
        (lambda a: 2 / a, "/", 2 / 3, -2 / 9),
        (lambda a: a**2, "**", 9.0, 6.0),
        (lambda a: 2**a, "rpow", 8.0, 8 * math.log(2)),
    ],
)
def test_constants_on_either_side_are_folded_into_the_node(expression, op, value, slope):
    a = Value(3.0)
    out = expression(a)
    assert out.op == op
    assert a in out.parents and 2.0 in out.parents  # the constant is stored, not a new node
    assert not any(isinstance(p, Value) and p is not a for p in out.parents)
    out.backward()
    assert out.data == pytest.approx(value)
    assert a.grad == pytest.approx(slope)


def test_pow_with_a_value_exponent_differentiates_both_sides():
    x, y = Value(2.0), Value(3.0)
    out = x**y
    out.backward()
    assert out.op == "pow"
    assert (x.grad, y.grad) == pytest.approx((12.0, 8 * math.log(2)))


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda v: v.relu(), 0.0),
        (lambda v: abs(v), 0.0),
        (lambda v: v.abs(), 0.0),
        (lambda v: v.leaky_relu(0.2), 0.2),
    ],
)
def test_derivatives_at_kinks_follow_pytorch(build, expected):
    x = Value(0.0)
    build(x).backward()
    assert x.grad == expected


def test_leaky_relu_default_slope_is_one_hundredth():
    x = Value(-2.0)
    y = x.leaky_relu()
    y.backward()
    assert (y.data, x.grad) == (-0.02, 0.01)


def test_sum_is_one_node_with_unit_partials():
    xs = [Value(float(i)) for i in range(5)]
    total = vsum([*xs, 10, xs[0]])  # numbers and a repeated Value
    assert total.op == "sum" and total.data == 20.0
    total.backward()
    assert [x.grad for x in xs] == [2.0, 1.0, 1.0, 1.0, 1.0]
    assert vsum([]).data == 0.0


def test_dot_value_gradient_and_second_derivative():
    w = [Value(0.5), Value(-1.5), Value(2.0)]
    x = [Value(1.0), 3.0, Value(-2.0)]
    b = Value(0.25)
    out = dot(w, x, b)
    assert out.op == "dot" and len(out.parents) == 7
    assert out.data == pytest.approx(0.5 - 4.5 - 4.0 + 0.25)
    out.backward()
    assert [v.grad for v in w] == [1.0, 3.0, -2.0]
    assert (x[0].grad, x[2].grad, b.grad) == (0.5, 2.0, 1.0)
    # d^2/dw0 dx0 of (w . x)^2 / 2 is x0 * w0 + (w . x)
    first = grad(dot(w, x) ** 2 / 2, [w[0]], create_graph=True)[0]
    (mixed,) = grad(first, [x[0]])
    assert mixed == pytest.approx(x[0].data * w[0].data + dot(w, x).data)


def test_dot_without_bias_and_length_mismatch():
    assert dot([Value(2.0)], [3.0]).data == 6.0
    with pytest.raises(ValueError, match="as many weights as inputs"):
        dot([Value(1.0)], [1.0, 2.0])


def test_register_refuses_to_replace_a_built_in_op_and_replaces_a_custom_one(op_table):
    from autograd import Op, register

    tanh = OPS["tanh"]
    with pytest.raises(ValueError, match="built-in"):
        register(Op("tanh", tanh.forward, tanh.derivative, 1, tanh.domain, (), ()), replace=True)
    assert OPS["tanh"] is tanh
    rule = lambda m, x, out: (2.0,)
    first = register(Op("twice", lambda m, x: 2 * x, rule, 1, tanh.domain, (), ()))
    with pytest.raises(ValueError, match="replace=True"):
        register(first)
    second = register(
        Op("twice", lambda m, x: x + x, rule, 1, tanh.domain, (), ()),
        replace=True,
    )
    assert OPS["twice"] is second


@pytest.mark.parametrize(
    ("build", "x0", "expected"),
    [
        (lambda x: x**0, 0.0, 0.0),  # not 0 * 0**-1
        (lambda x: x**2, 0.0, 0.0),
        (lambda x: x**1, 0.0, 1.0),
        (lambda x: 0.0**x, 2.0, 0.0),  # not 0 * log(0)
        (lambda x: x ** Value(2.0), 0.0, 0.0),
        (lambda x: Value(0.0) ** x, 2.0, 0.0),
        (lambda x: x ** Value(0.0), 0.0, 0.0),
        (lambda x: Value(0.0) ** x, 0.0, 0.0),
    ],
)
def test_powers_at_a_zero_base_or_exponent_have_pytorchs_derivatives(build, x0, expected):
    from autograd import detect_anomaly

    x = Value(x0)
    with detect_anomaly():  # no inf or nan on the way
        build(x).backward()
    assert x.grad == expected


def test_higher_derivatives_of_a_power_at_zero_stay_finite():
    x = Value(0.0)
    (first,) = grad(x**3, [x], create_graph=True)
    (second,) = grad(first, [x], create_graph=True)
    (third,) = grad(second, [x], create_graph=True)
    (fourth,) = grad(third, [x])
    assert (first.data, second.data, third.data, fourth) == (0.0, 0.0, 6.0, 0.0)


def test_a_power_keeps_its_mixed_second_derivative_at_a_zero_exponent():
    x, y = Value(1.0), Value(0.0)
    (slope,) = grad(x**y, [x], create_graph=True)  # y x^(y-1), 0 here but not constant in y
    (mixed,) = grad(slope, [y])
    assert mixed == 1.0  # x^(y-1) + y x^(y-1) log x at (1, 0)


def test_every_math_namespace_offers_exactly_the_names_of_the_contract():
    from autograd.core import MATH_NAMES
    from autograd.core.ieee import FLOATS
    from autograd.core.value_math import VALUE_MATH
    from autograd.tape import NUMPY_MATH
    from viz.symbolic import SYMBOLIC_MATH

    for namespace in (FLOATS, VALUE_MATH, NUMPY_MATH, SYMBOLIC_MATH):
        assert set(vars(namespace)) == set(MATH_NAMES)
        assert all(callable(getattr(namespace, name)) for name in MATH_NAMES)


def test_a_math_namespace_missing_a_name_is_refused():
    from autograd.core import MATH_NAMES, math_namespace

    functions = dict.fromkeys(MATH_NAMES, abs)
    del functions["exp"]
    with pytest.raises(ValueError, match="missing \\['exp'\\]"):
        math_namespace(**functions)
    with pytest.raises(ValueError, match="extra \\['erf'\\]"):
        math_namespace(**dict.fromkeys(MATH_NAMES, abs), erf=abs)


def _log_sum_exp(xs):  # the oracle: mpmath-free, exact enough in float64 for moderate inputs
    return math.log(math.fsum(math.exp(x) for x in xs))


def test_logsumexp_value_softmax_gradient_and_hessian_against_closed_forms():
    xs0 = [0.5, -1.25, 2.0, 0.0]
    xs = [Value(x) for x in xs0]
    out = logsumexp(xs)
    assert out.op == "logsumexp" and out.parents == tuple(xs)
    assert out.data == pytest.approx(_log_sum_exp(xs0), rel=1e-15)
    out.backward()
    softmax = [math.exp(x) / math.fsum(math.exp(u) for u in xs0) for x in xs0]
    assert [x.grad for x in xs] == pytest.approx(softmax, rel=1e-14)
    for i in range(len(xs0)):  # d softmax_i / d x_j = s_i (delta_ij - s_j)
        (first,) = grad(logsumexp(xs), [xs[i]], create_graph=True)
        row = grad(first, xs)
        expected = [softmax[i] * ((i == j) - softmax[j]) for j in range(len(xs0))]
        assert row == pytest.approx(expected, rel=1e-12, abs=1e-15)
        numeric = central_difference(
            lambda t, i=i: _log_sum_exp([*xs0[:i], t, *xs0[i + 1 :]]), xs0[i]
        )
        assert xs[i].grad == pytest.approx(numeric, rel=1e-8)


@pytest.mark.parametrize(
    ("inputs", "expected", "softmax"),
    [
        ([1000.0, 1000.0], 1000.0 + math.log(2), [0.5, 0.5]),
        ([-1000.0, 5000.0, 0.0], 5000.0, [0.0, 1.0, 0.0]),
        ([-5000.0, -5000.0 + math.log(3)], -5000.0 + math.log(4), [0.25, 0.75]),
    ],
)
def test_logsumexp_is_finite_where_exp_overflows(inputs, expected, softmax):
    xs = [Value(x) for x in inputs]
    with detect_anomaly():
        out = logsumexp(xs)
        out.backward()
    assert out.data == pytest.approx(expected, rel=1e-15)
    assert [x.grad for x in xs] == pytest.approx(softmax, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ([], -math.inf),
        ([math.inf, 1.0], math.inf),
        ([-math.inf, -math.inf], -math.inf),
        ([-math.inf, 2.0], 2.0),
        ([math.nan, 1.0], math.nan),
        ([1.0, math.nan], math.nan),
    ],
)
def test_logsumexp_at_infinities_and_nan_follows_ieee(inputs, expected):
    out = logsumexp(inputs).data
    assert out == expected or (math.isnan(out) and math.isnan(expected))
