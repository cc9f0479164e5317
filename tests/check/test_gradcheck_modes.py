"""gradcheck's fast mode (random directions) and functions of several outputs."""

from __future__ import annotations

import dataclasses
import math

import pytest

from autograd import GradcheckError, gradcheck
from autograd import sum as vsum
from autograd.check.finite_differences import random_directions


def test_fast_mode_rows_are_directional_derivatives_of_the_closed_form_gradient():
    points = [0.3, -1.1, 2.0, 0.7]
    f = lambda *xs: vsum([x.sin() * (k + 1) for k, x in enumerate(xs)])
    result = gradcheck(f, points, fast_mode=True, directions=5)
    assert [row.argument for row in result.rows] == [f"direction {d}" for d in range(1, 6)]
    gradient = [(k + 1) * math.cos(x) for k, x in enumerate(points)]
    for row, v in zip(result.rows, random_directions(len(points), 5)):
        slope = math.fsum(g * c for g, c in zip(gradient, v))
        assert abs(row.analytic) <= math.hypot(*gradient) + 1e-12  # a unit direction
        assert row.analytic == pytest.approx(slope, rel=1e-12, abs=1e-15)
        assert abs(row.numeric - slope) <= row.error < 1e-10  # Ridders' estimate along v
    assert result.rows == gradcheck(f, points, fast_mode=True, directions=5).rows  # reproducible


def test_fast_mode_catches_a_wrong_rule_and_names_it(op_table):
    op_table["sin"] = dataclasses.replace(
        op_table["sin"], derivative=lambda m, x, out: (m.cos(x) * 1.001,)
    )
    f = lambda *xs: vsum([x.sin() for x in xs])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.1 * k for k in range(50)], fast_mode=True)
    assert all(row.flag == "WRONG" for row in caught.value.result.rows)
    assert caught.value.result.diagnosis.culprits() == ["sin"]


def test_several_outputs_each_get_rows_per_argument():
    result = gradcheck(lambda x, y: ((x * y).sin(), x + y * y), [0.7, -1.3])
    assert [row.argument for row in result.rows] == [
        "out 0: 0 x",
        "out 0: 1 y",
        "out 1: 0 x",
        "out 1: 1 y",
    ]
    expected = [-1.3 * math.cos(-0.91), 0.7 * math.cos(-0.91), 1.0, -2.6]
    assert [row.analytic for row in result.rows] == pytest.approx(expected, rel=1e-12)


def test_a_wrong_output_among_several_is_the_one_flagged():
    def f(x, y):
        return [x * y, x * y.data]  # the second reads .data: its y gradient is cut

    result = gradcheck(f, [2.0, 3.0], raise_exception=False)
    assert [row.flag for row in result.rows] == ["ok", "ok", "ok", "CUT"]
    assert "graph cut at out 1: 1 y" in result.summary()


def test_several_outputs_at_order_two_and_a_bad_directions_count():
    result = gradcheck(lambda x: [x**3, x.exp()], [0.5], order=2)
    assert [(row.argument, row.order) for row in result.rows] == [
        ("out 0: 0 x", 1), ("out 0: (0 x, 0 x)", 2), ("out 1: 0 x", 1), ("out 1: (0 x, 0 x)", 2)
    ]  # fmt: skip
    assert result.rows[1].analytic == pytest.approx(3.0) and result.rows[
        3
    ].analytic == pytest.approx(math.exp(0.5))
    with pytest.raises(ValueError, match="directions must be an int >= 1"):
        gradcheck(lambda x: x, [1.0], fast_mode=True, directions=0)


def test_gradgradcheck_of_several_outputs_points_to_gradcheck_order_two():
    from autograd import gradgradcheck

    with pytest.raises(TypeError, match=r"gradcheck\(f, inputs, order=2\)"):
        gradgradcheck(lambda x: [x, x * x], [1.0])
