"""Ridders' method: a numeric derivative with an error estimate, against closed forms; and the
tight default tolerance it allows, which catches a rule 1e-7 off that the old default missed."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import GradcheckError, Op, gradcheck, register
from autograd.check.finite_differences import TABLEAU, first_step, ridders
from autograd.check.result import ATOL, RTOL

CLOSED_FORMS = [
    (math.exp, math.exp),
    (math.sin, math.cos),
    (lambda x: x**3, lambda x: 3 * x * x),
    (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    (lambda x: 1 / (x - 0.5), lambda x: -1 / (x - 0.5) ** 2),
    (lambda x: math.sin(10 * x), lambda x: 10 * math.cos(10 * x)),
]


@pytest.mark.parametrize(("g", "derivative"), CLOSED_FORMS)
@pytest.mark.parametrize("x", [-2.0, -0.7, 0.05, 0.3, 1.0, 2.5, 7.0, 30.0])
def test_the_error_estimate_bounds_the_true_error_and_is_small(g, derivative, x):
    estimate = ridders(g, x, first_step(x))
    exact = derivative(x)
    assert abs(estimate.value - exact) <= estimate.error
    assert estimate.error < 1e-10 * max(1.0, abs(exact), abs(g(x)))


def counted(g):
    calls = []

    def wrapped(t):
        calls.append(t)
        return g(t)

    return wrapped, calls


def test_work_is_bounded_and_a_smooth_function_stops_early():
    g, calls = counted(math.exp)
    ridders(g, 1.0, first_step(1.0))
    assert 4 <= len(calls) <= 12  # a few rows, not the whole tableau
    g, calls = counted(lambda x: 3 * x + 1)  # linear: rounding level at once
    assert ridders(g, 0.5, 1e-3).value == pytest.approx(3.0, abs=1e-12)
    assert len(calls) == 4
    g, calls = counted(lambda x: abs(x - 1e-5) ** 1.5)  # not smooth in the step: never settles
    ridders(g, 0.0, 1e-3)
    assert len(calls) <= 2 * TABLEAU


def test_an_edge_of_the_domain_within_the_first_steps_restarts_the_tableau():
    estimate = ridders(lambda x: math.sqrt(x) if x >= 0 else math.nan, 1e-4, 1e-3)
    exact = 0.5 / math.sqrt(1e-4)
    assert abs(estimate.value - exact) <= estimate.error < 1e-9 * exact


def test_no_finite_difference_at_all_gives_an_infinite_error():
    estimate = ridders(lambda x: math.nan, 1.0, 1e-3)
    assert math.isnan(estimate.value) and estimate.error == math.inf


def slightly_off_cube(relative):
    return Op(
        "slightly_off_cube",
        lambda m, x: x * x * x,
        lambda m, x, out: (3 * x * x * (1 + relative),),
        1,
        lambda x: True,
        (),
        (),
    )


def test_a_rule_1e_7_off_is_caught_by_the_default_tolerance_and_missed_by_the_old_one(op_table):
    register(slightly_off_cube(1e-7))
    f = lambda a, b: autograd.apply("slightly_off_cube", a * b) + a
    old = {"atol": 1e-6, "rtol": 1e-5}
    assert gradcheck(f, [0.9, 1.3], **old)  # the old default missed it
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.9, 1.3])
    result = caught.value.result
    assert (result.atol, result.rtol) == (ATOL, RTOL) and ATOL <= 1e-8 and RTOL <= 1e-8
    assert [row.flag for row in result.rows] == ["WRONG", "WRONG"]
    assert result.diagnosis.culprits() == ["slightly_off_cube"]
    for row in result.rows:  # the disagreement is far beyond what the numeric side is sure of
        assert row.abs_err > 1e3 * row.error
    assert "numeric is sure to ±" in str(caught.value)


def test_a_correct_custom_op_passes_at_the_default_tolerance(op_table):
    register(slightly_off_cube(0.0))
    assert gradcheck(lambda a, b: autograd.apply("slightly_off_cube", a * b) + a, [0.9, 1.3])


def test_the_report_shows_each_rows_error_estimate():
    result = gradcheck(lambda x, y: (x * y).exp(), [0.5, -2.0])
    titles, _, *rows = result.report().splitlines()[2:6]
    assert titles.split()[4:6] == ["±", "err"]
    for line, row in zip(rows, result.rows):
        assert line.split()[5] == format(row.error, ".0e")
        assert 0 < row.error < 1e-11
