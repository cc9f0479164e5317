"""Optimizer steps against numbers worked out by hand from the published update rules, and the
learning-rate schedules against their formulas."""

from __future__ import annotations

import math

import pytest

from autograd import Value
from nn import SGD, Adam, AdamW, optim


def run(optimizer, param, grads):
    """Take one step per gradient in ``grads``; the parameter's value after each step."""
    trajectory = []
    for g in grads:
        param.grad = g
        optimizer.step()
        trajectory.append(param.data)
    return trajectory


def test_sgd_steps_against_the_gradient():
    p = Value(1.0)
    assert run(SGD([p], lr=0.1), p, [0.5, -2.0]) == pytest.approx([0.95, 1.15])


def test_sgd_weight_decay_adds_decay_times_weight_to_the_gradient():
    p = Value(1.0)
    # g = 0.5 + 0.2 * 1.0 = 0.7; p = 1.0 - 0.1 * 0.7 = 0.93
    # g = 0.5 + 0.2 * 0.93 = 0.686; p = 0.93 - 0.0686 = 0.8614
    assert run(SGD([p], lr=0.1, weight_decay=0.2), p, [0.5, 0.5]) == pytest.approx([0.93, 0.8614])


def test_sgd_momentum_accumulates_a_velocity():
    p = Value(1.0)
    # v = 0.5, p = 1 - 0.05 = 0.95; v = 0.9 * 0.5 + 0.5 = 0.95, p = 0.95 - 0.095 = 0.855
    # v = 0.9 * 0.95 - 1.0 = -0.145, p = 0.855 + 0.0145 = 0.8695
    assert run(SGD([p], lr=0.1, momentum=0.9), p, [0.5, 0.5, -1.0]) == pytest.approx(
        [0.95, 0.855, 0.8695]
    )


def test_sgd_nesterov_steps_with_the_gradient_plus_momentum_times_velocity():
    p = Value(1.0)
    # v = 0.5, step = 0.5 + 0.9 * 0.5 = 0.95, p = 1 - 0.095 = 0.905
    # v = 0.9 * 0.5 + 0.5 = 0.95, step = 0.5 + 0.855 = 1.355, p = 0.905 - 0.1355 = 0.7695
    assert run(SGD([p], lr=0.1, momentum=0.9, nesterov=True), p, [0.5, 0.5]) == pytest.approx(
        [0.905, 0.7695]
    )


def test_adam_first_step_moves_lr_against_the_gradient_sign_and_then_bias_corrects():
    p = Value(1.0)
    first = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)  # m_hat = g, v_hat = g^2 after one step
    m = 0.9 * (0.1 * 0.5) + 0.1 * -0.25  # 0.02
    v = 0.999 * (0.001 * 0.25) + 0.001 * 0.0625  # 0.00031225
    second = first - 0.1 * (m / (1 - 0.9**2)) / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    assert run(Adam([p], lr=0.1), p, [0.5, -0.25]) == pytest.approx([first, second], rel=1e-12)
    assert second == pytest.approx(0.9 - 0.026634, abs=1e-6)  # worked through by hand


def test_adam_weight_decay_is_added_to_the_gradient():
    p = Value(2.0)
    g = 0.5 + 0.1 * 2.0  # 0.7: the decayed gradient goes through the moments
    expected = 2.0 - 0.01 * g / (abs(g) + 1e-8)
    assert run(Adam([p], lr=0.01, weight_decay=0.1), p, [0.5]) == pytest.approx([expected])
    q = Value(2.0)  # with a gradient of -0.2 the decayed gradient is 0: no move at all
    assert run(Adam([q], lr=0.01, weight_decay=0.1, eps=1e-3), q, [-0.2]) == pytest.approx(
        [2.0], abs=1e-12
    )


def test_adamw_decays_the_weight_directly_then_takes_the_adam_step():
    p = Value(2.0)
    decayed = 2.0 - 0.01 * 0.1 * 2.0  # 1.998, independent of the gradient
    first = decayed - 0.01 * 0.5 / (0.5 + 1e-8)
    assert run(AdamW([p], lr=0.01, weight_decay=0.1), p, [0.5]) == pytest.approx([first], rel=1e-12)
    q = Value(2.0)
    assert run(AdamW([q], lr=0.01, weight_decay=0.1), q, [0.0]) == pytest.approx([1.998])
    assert AdamW([Value(1.0)]).weight_decay == 0.01


def test_each_parameter_keeps_its_own_state():
    a, b = Value(1.0), Value(1.0)
    optimizer = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = 1.0, 0.0
    optimizer.step()
    a.grad, b.grad = 0.0, 1.0
    optimizer.step()
    # a: v = 1, p = 0.9; v = 0.9, p = 0.81.   b: v = 0, p = 1; v = 1, p = 0.9
    assert (a.data, b.data) == pytest.approx((0.81, 0.9))


def test_zero_grad_clears_the_optimizers_parameters():
    params = [Value(1.0), Value(2.0)]
    (params[0] * params[1]).backward()
    SGD(params, lr=0.1).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: SGD([], lr=0.1), ValueError, "no parameters"),
        (lambda: SGD([1.0], lr=0.1), TypeError, "must be Values, got float"),
        (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "lr must be at least 0"),
        (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "lr must be at least 0"),
        (lambda: SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "needs momentum"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in"),
        (lambda: AdamW([Value(1.0)], eps=-1.0), ValueError, "eps must be at least 0"),
    ],
)
def test_bad_optimizer_settings_raise_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_linear_decay_is_micrograds_demo_schedule():
    schedule = optim.linear_decay(1.0, 0.1, 100)
    for k in range(100):
        assert schedule(k) == pytest.approx(1.0 - 0.9 * k / 100, rel=1e-15)
    assert schedule(100) == schedule(250) == pytest.approx(0.1)


def test_step_decay_multiplies_by_gamma_every_few_steps():
    schedule = optim.step_decay(0.8, every=10, gamma=0.5)
    assert [schedule(k) for k in (0, 9, 10, 19, 20, 35)] == [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]


def test_cosine_decay_follows_half_a_cosine():
    schedule = optim.cosine_decay(1.0, steps=10, end=0.2)
    assert schedule(0) == 1.0
    assert schedule(5) == pytest.approx(0.6)  # half way: the mean of start and end
    assert schedule(10) == schedule(99) == pytest.approx(0.2)
    assert schedule(2) == pytest.approx(0.2 + 0.8 * (1 + math.cos(math.pi / 5)) / 2)


def test_constant_is_the_same_every_step():
    assert {optim.constant(0.3)(k) for k in range(50)} == {0.3}


def test_an_optimizer_is_its_update_rule_on_arrays():
    class HalfStep(optim.Optimizer):
        def update(self, data, grads):
            return data - self.lr * grads / 2

    a, b = Value(1.0), Value(-2.0)
    a.grad, b.grad = 0.5, -4.0
    HalfStep([a, b], lr=0.1).step()
    assert (a.data, b.data) == (1.0 - 0.1 * 0.5 / 2, -2.0 + 0.1 * 4.0 / 2)
    with pytest.raises(NotImplementedError, match="must define update"):
        optim.Optimizer([a], lr=0.1).step()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: SGD(p, lr="x"), TypeError, "lr must be a number, got str"),
        (lambda p: SGD(p, lr=None), TypeError, "lr must be a number, got NoneType"),
        (lambda p: SGD(p, lr=True), TypeError, "lr must be a number, got bool"),
        (lambda p: SGD(p, lr=math.inf), ValueError, "lr must be at least 0.0 and finite"),
        (lambda p: SGD(p, lr=0.1, momentum="0.9"), TypeError, "momentum must be a number"),
        (lambda p: Adam(p, eps=[1e-8]), TypeError, "eps must be a number"),
        (lambda p: optim.linear_decay(1.0, -0.1, 10), ValueError, "end must be at least 0"),
        (lambda p: optim.cosine_decay("1", 10), TypeError, "start must be a number"),
        (lambda p: optim.step_decay(0.1, 2.5), TypeError, "every must be an int"),
    ],
)
def test_a_rate_that_is_not_a_number_is_a_type_error_naming_it(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0)])


def test_setting_a_bad_learning_rate_later_is_refused_and_keeps_the_old_one():
    optimizer = SGD([Value(1.0)], lr=0.1)
    for bad in (-0.01, math.nan, "fast"):
        with pytest.raises((TypeError, ValueError), match="lr must be"):
            optimizer.lr = bad
    assert optimizer.lr == 0.1


def test_rates_checks_every_step_of_a_schedule_before_any_is_used():
    assert optim.rates(optim.linear_decay(1.0, 0.0, 4), 5) == [1.0, 0.75, 0.5, 0.25, 0.0]
    with pytest.raises(ValueError, match=r"schedule\(3\) returned -0\.5: lr must be at least 0"):
        optim.rates(lambda k: 1.0 - 0.5 * k, 10)
    with pytest.raises(TypeError, match=r"schedule\(0\) returned 'x'"):
        optim.rates(lambda k: "x", 10)
