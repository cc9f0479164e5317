"""gradcheck: what it compares, what it catches, and the report it writes when it fails."""

from __future__ import annotations

import dataclasses
import math

import pytest

import autograd
from autograd import OPS, GradcheckError, Op, Value, gradcheck, register
from autograd.core import engine as engine_module
from tests.helpers.op_grid import as_function, off_by_half, smooth_points, variables


def test_passes_a_correct_function_with_one_row_per_argument():
    result = gradcheck(lambda x, y: (x * y + 1).tanh(), [2.0, -3.0])
    assert result
    assert [row.argument for row in result.rows] == ["0 x", "1 y"]
    sech2 = 1 / math.cosh(-5.0) ** 2  # the closed form: d tanh(xy + 1) = sech^2 * (y, x)
    assert [row.analytic for row in result.rows] == pytest.approx(
        [-3 * sech2, 2 * sech2], rel=1e-12
    )
    assert [row.numeric for row in result.rows] == pytest.approx([-3 * sech2, 2 * sech2], rel=1e-6)
    assert all(row.flag == "ok" for row in result.rows)


def test_numeric_column_is_ridders_estimate_within_its_error_of_the_closed_form():
    f = lambda x: (x * 0.7).sin()
    for x in (0.3, 5.0, -40.0):
        (row,) = gradcheck(f, [x]).rows
        exact = 0.7 * math.cos(0.7 * x)
        assert abs(row.numeric - exact) <= row.error < 1e-11


def test_the_tableau_starts_at_a_step_of_1e_3_times_size_or_at_eps():
    def spread(x, eps=None):
        seen = []

        def f(v):
            seen.append(v.data)
            return v * v * v

        gradcheck(f, [x], eps=eps)
        return max(abs(t - x) for t in seen)

    assert spread(0.5) == pytest.approx(1e-3, rel=1e-9)
    assert spread(-40.0) == pytest.approx(40 * 1e-3, rel=1e-9)
    assert spread(2.0, eps=0.25) == 0.25


def test_eps_sets_the_step_and_a_larger_one_rounds_less():
    (large,) = gradcheck(lambda x: x**3, [1.0], eps=1e-2).rows
    (default,) = gradcheck(lambda x: x**3, [1.0]).rows
    # central differences give 3 + h^2: one extrapolation removes the h^2, leaving rounding
    assert abs(large.numeric - 3.0) <= large.error < default.error / 5


@pytest.mark.parametrize(
    ("atol", "rtol", "passes"),
    [(0, 2e-5, False), (0, 4e-5, True), (7e-5, 0, True), (5e-5, 0, False)],
)
def test_pass_when_error_is_within_atol_plus_rtol_times_numeric(op_table, atol, rtol, passes):
    # a rule 3e-5 relative too large, on a function with gradient 2: abs error 6e-5
    exp = op_table["exp"]
    op_table["exp"] = dataclasses.replace(exp, derivative=lambda m, x, out: (out * (1 + 3e-5),))
    result = gradcheck(
        lambda x: x.exp(), [math.log(2.0)], atol=atol, rtol=rtol, raise_exception=False
    )
    assert bool(result) is passes
    assert result.rows[0].abs_err == pytest.approx(6e-5, rel=1e-3)


@pytest.mark.parametrize("name", sorted(OPS))
def test_a_wrong_rule_in_the_op_table_is_caught_and_its_op_named(op_table, name):
    op = op_table[name]
    f, inputs = as_function(op, smooth_points(op)[0])
    assert gradcheck(f, inputs)  # the real rule passes
    op_table[name] = off_by_half(op)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, inputs)
    result = caught.value.result
    assert [row.flag for row in result.rows] == ["WRONG"] * len(variables(op))
    assert result.diagnosis.culprits() == [name]
    headline, blame = str(caught.value).splitlines()[:2]
    assert headline.startswith("gradcheck failed: wrong gradient for 0 ")
    assert blame == f"the derivative rule of op {name!r} is wrong (node #{len(inputs)})"


def test_a_registered_custom_op_with_a_wrong_rule_is_named(op_table):
    cube = register(Op("cube", lambda m, x: x * x * x, lambda m, x, out: (2 * x * x,), 1,
                       lambda x: True, (), ()))  # fmt: skip
    f = lambda a, b: autograd.apply(cube, a * b) + a
    with pytest.raises(GradcheckError, match="op 'cube' is wrong") as caught:
        gradcheck(f, [0.5, 2.0])
    report = str(caught.value)
    assert "wrong gradient for 0 a, 1 b" in report
    assert "#3 cube" in report  # leaves a, b; then a*b; then cube


def test_relu_at_zero_is_reported_as_a_kink_not_a_wrong_rule():
    result = gradcheck(lambda x, y: x.relu() + y, [0.0, 1.0], raise_exception=False)
    assert not result
    assert [row.flag for row in result.rows] == ["KINK", "ok"]
    assert result.diagnosis.culprits("KINK") == ["relu"]
    assert result.diagnosis.culprits() == []  # no op is blamed
    assert result.summary() == "gradcheck failed: kink at 0 x; op 'relu' is at a kink (node #1)"


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda x: abs(x), 0.0),
        (lambda x: x.leaky_relu(0.1), 0.0),
        (lambda x: x.relu(), 3e-6),
        (lambda x: abs(x - 1), 1.0),
    ],
)
def test_kinks_at_or_within_a_step_of_the_point_are_flagged(f, x):
    result = gradcheck(f, [x], raise_exception=False)
    assert result.rows[0].flag == "KINK"


def test_a_smooth_function_with_a_wrong_gradient_is_not_called_a_kink(op_table):
    op_table["sin"] = off_by_half(op_table["sin"])
    result = gradcheck(lambda x: x.sin() * 3, [0.0], raise_exception=False)
    assert result.rows[0].flag == "WRONG"


def test_a_function_that_makes_a_new_value_from_data_is_caught_as_a_graph_cut():
    result = gradcheck(lambda x, y: x * 2 + Value(y.data**2), [1.5, 2.0], raise_exception=False)
    assert [row.flag for row in result.rows] == ["ok", "CUT"]
    assert result.rows[1].analytic == 0 and result.rows[1].numeric == pytest.approx(4.0)
    assert result.diagnosis  # every op is right: the report says the graph is at fault
    assert "no op is wrong: the graph is" in result.report()


def test_a_function_that_multiplies_by_data_is_caught_as_a_partial_cut():
    result = gradcheck(lambda x: x * x.data, [3.0], raise_exception=False)
    assert result.rows[0].flag == "CUT"  # the graph reaches x, but the constant x.data moves too
    assert (result.rows[0].analytic, result.rows[0].numeric) == (3.0, pytest.approx(6.0))
    assert result.diagnosis.culprits() == []


def test_a_gradient_that_changes_between_backward_runs_is_caught(op_table):
    calls = []

    def drifting(m, x, out):  # right to 1e-9, but never the same twice
        calls.append(x)
        return (1.0 + 1e-9 * len(calls),)

    register(Op("drift", lambda m, x: x, drifting, 1, lambda x: True, (), ()))
    result = gradcheck(lambda x: autograd.apply("drift", x), [1.0], raise_exception=False)
    assert result.rows[0].ok
    assert len(result.problems) == 1 and "not reproducible" in result.problems[0]


def test_a_backward_that_ignores_its_seed_is_caught(monkeypatch):
    real = engine_module.backward
    monkeypatch.setattr(engine_module, "backward", lambda root, gradient=1.0: real(root))
    result = gradcheck(lambda x, y: x * y, [2.0, 3.0], raise_exception=False)
    assert all(row.ok for row in result.rows)
    assert [p.split(" gave")[0] for p in result.problems] == ["a backward seeded with 2.5"] * 2


def test_failure_raises_an_assertion_error_with_the_report_as_message(op_table):
    op_table["tanh"] = off_by_half(op_table["tanh"])
    with pytest.raises(AssertionError) as caught:
        gradcheck(lambda x, y: (x * y + 1).tanh(), [0.2, -0.3])
    assert isinstance(caught.value, GradcheckError)
    assert str(caught.value) == caught.value.result.report()


def test_raise_exception_false_returns_a_false_result(op_table):
    op_table["tanh"] = off_by_half(op_table["tanh"])
    result = gradcheck(lambda x: x.tanh(), [0.2], raise_exception=False)
    assert not result and result.failures == result.rows


def test_arguments_are_named_by_label_then_parameter_name_then_position():
    result = gradcheck(
        lambda first, *rest: first * rest[0] * rest[1], [Value(1.0, label="w"), 2.0, 3.0]
    )
    assert [row.argument for row in result.rows] == ["0 w", "1 x1", "2 x2"]


def test_a_single_number_is_one_input():
    assert [row.x for row in gradcheck(lambda x: x * x, 1.5).rows] == [1.5]


@pytest.mark.parametrize(
    ("f", "inputs", "message"),
    [
        (lambda x: x.data * 2, [1.0], "f must return a Value or a list of Values, got float"),
        (lambda x: [x, 2.0], [1.0], "f must return a Value or a list of Values, got float"),
        (lambda x: (), [1.0], "f must return a Value or a list of Values, got an empty list"),
        ("x * 2", [1.0], "f must be callable, got str"),
        (lambda x: x, ["1.0"], "input 0 must be a number or a Value, got str"),
        (lambda x: x, "1.0", "inputs must be a list of numbers or Values, got str"),
        (lambda x: x, {1.0}, "inputs must be a list of numbers or Values, got set"),
    ],
)
def test_bad_arguments_raise_type_errors_naming_the_type(f, inputs, message):
    with pytest.raises(TypeError, match=message):
        gradcheck(f, inputs)


@pytest.mark.parametrize(
    ("inputs", "eps", "message"),
    [([], None, "at least one input"), ([1.0], 0.0, "eps must be a step > 0, got 0.0")],
)
def test_no_inputs_or_a_step_that_is_not_positive_raise_value_errors(inputs, eps, message):
    with pytest.raises(ValueError, match=message):
        gradcheck(lambda *xs: xs[0], inputs, eps=eps)


def test_a_step_too_small_to_move_the_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"too small to move x=1\.0"):
        gradcheck(lambda x: x * x, [1.0], eps=1e-20)
