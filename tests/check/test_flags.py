"""The flags of a failing row say what is wrong: POLE for a pole inside the step, CUT for a graph
cut by ``.data`` even in part, and no STEP where the function is continuously differentiable
(the central difference extrapolated to step 0 agrees). Oracles: closed-form derivatives."""

from __future__ import annotations

import dataclasses
import math

import pytest

from autograd import Value, gradcheck


def test_a_pole_inside_the_step_is_a_pole_and_a_smaller_step_passes():
    result = gradcheck(lambda x: 1 / x, [1e-6], raise_exception=False)
    assert result.rows[0].flag == "POLE"
    assert "pole within the step at 0 x" in result.summary()
    assert "goes through infinity within the step" in result.report()
    (row,) = gradcheck(lambda x: 1 / x, [1e-6], eps=1e-9).rows
    assert row.analytic == pytest.approx(-1 / 1e-6**2, rel=1e-12)


@pytest.mark.parametrize(
    ("f", "x", "slope"),
    [
        (lambda x: x.relu() * x, 0.0, 0.0),  # x^2 on one side, 0 on the other: f' = 0, f'' jumps
        (lambda x: x * abs(x), 0.0, 0.0),
        (lambda x: (x - 0.5).relu() ** 2, 0.5, 0.0),
    ],
)
def test_no_step_flag_where_the_derivative_is_continuous(f, x, slope):
    (row,) = gradcheck(f, [x]).rows
    assert row.flag == "ok" and row.analytic == slope
    assert row.numeric == pytest.approx(slope, abs=1e-12)  # the extrapolated central difference


def test_a_kink_stays_a_kink():
    assert gradcheck(lambda x: x.relu(), [0.0], raise_exception=False).rows[0].flag == "KINK"
    assert gradcheck(lambda x: abs(x), [1e-6], raise_exception=False).rows[0].flag == "KINK"


def test_a_graph_cut_in_part_by_data_is_a_cut():
    def scaled(x, y):
        length = (x * x + y * y).sqrt()
        return x / Value(length.data)  # x reaches the output, its effect through length does not

    result = gradcheck(scaled, [0.6, 0.8], raise_exception=False)
    assert [row.flag for row in result.rows] == ["CUT", "CUT"]
    assert [row.numeric for row in result.rows] == pytest.approx([0.64, -0.48], rel=1e-6)
    assert "or only in part" in " ".join(result.report().split())


def test_constants_that_do_not_move_make_no_cut_and_a_wrong_rule_stays_wrong(op_table):
    scale = Value(3.0)
    f = lambda x: (x * 2.0 + scale).tanh() * 0.5
    assert gradcheck(f, [0.2])
    tanh = op_table["tanh"]
    op_table["tanh"] = dataclasses.replace(tanh, derivative=lambda m, x, out: (1.1 - out * out,))
    result = gradcheck(f, [0.2], raise_exception=False)
    assert result.rows[0].flag == "WRONG" and result.diagnosis.culprits() == ["tanh"]
    sech2 = 1 / math.cosh(3.4) ** 2
    assert abs(result.rows[0].numeric - sech2) <= result.rows[0].error < 1e-10


def test_a_smooth_crossing_of_zero_within_the_step_is_not_a_pole():
    # softsign is x / (1 + |x|): its central differences are 1 - h at 0 (odd powers of h, so
    # Ridders is not sure), and it crosses zero within the step, where a pole also changes sign
    softsign = lambda x: x / (1 + abs(x))
    (row,) = gradcheck(softsign, [1.8021274972556034e-197]).rows  # hypothesis found this point
    assert row.flag == "ok" and row.numeric == pytest.approx(1.0, abs=1e-9)
    assert gradcheck(lambda x: 1 / (x - 3e-6), [0.0], raise_exception=False).rows[0].flag == "POLE"


def test_a_kink_of_the_derivative_closer_than_the_steps_is_resolved_by_smaller_ones():
    # softsign'' jumps at 0, 6e-8 away: every step but the last tableau's straddles the jump
    x = 5.960464477539063e-08  # hypothesis found this point
    (row,) = gradcheck(lambda x: x / (1 + abs(x)), [x]).rows
    exact = 1 / (1 + x) ** 2
    assert row.flag == "ok" and abs(row.numeric - exact) <= row.error < 1e-9
