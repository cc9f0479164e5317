"""gradcheck(order=k): every derivative up to order k, each against central differences of the
order below; the oracles are closed forms of the third derivatives."""

from __future__ import annotations

import dataclasses
import math

import pytest

from autograd import GradcheckError, gradcheck, gradgradcheck


def f(x, y):
    return (x * y).sin() + x**3 * y


def closed_form_third(x, y):
    """d^3 f for f = sin(xy) + x^3 y, by index (i <= j <= k after sorting)."""
    s, c = math.sin(x * y), math.cos(x * y)
    return {
        (0, 0, 0): -(y**3) * c + 6 * y,
        (0, 0, 1): -2 * y * s - y * y * x * c + 6 * x,
        (0, 1, 1): -2 * x * s - x * x * y * c,
        (1, 1, 1): -(x**3) * c,
    }


def test_order_three_has_rows_of_every_order_with_the_closed_form_third_derivatives():
    x, y = 0.7, -1.3
    result = gradcheck(f, [x, y], order=3)
    assert [sum(row.order == n for row in result.rows) for n in (1, 2, 3)] == [2, 4, 6]
    third = [row for row in result.rows if row.order == 3]
    assert third[0].argument == "(0 x, 0 x, 0 x)" and third[-1].argument == "(1 y, 1 y, 1 y)"
    expected = closed_form_third(x, y)
    index = {"0 x": 0, "1 y": 1}
    for row in third:
        key = tuple(sorted(index[part] for part in row.argument.strip("()").split(", ")))
        assert row.analytic == pytest.approx(expected[key], rel=1e-12)
        assert abs(row.numeric - expected[key]) <= row.error < 1e-9  # Ridders' estimate


def test_order_two_gives_the_rows_of_gradgradcheck():
    ours = [r for r in gradcheck(f, [0.7, -1.3], order=2).rows if r.order == 2]
    theirs = gradgradcheck(f, [0.7, -1.3]).rows
    assert [(r.argument, r.analytic) for r in ours] == [(r.argument, r.analytic) for r in theirs]


def test_a_rule_wrong_only_at_third_order_is_caught_at_order_three_and_named(op_table):
    # sin's rule is cos, cos's is -sin: neg's own rule matters only for the third derivative
    op_table["neg"] = dataclasses.replace(op_table["neg"], derivative=lambda m, x, out: (1.0,))
    assert gradcheck(lambda x: x.sin(), [0.8], order=2)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: x.sin(), [0.8], order=3)
    result = caught.value.result
    assert [row.flag for row in result.rows] == ["ok", "ok", "WRONG"]
    assert result.rows[2].analytic == pytest.approx(math.cos(0.8))  # should be -cos
    assert result.diagnosis.culprits() == ["neg"]
    assert "the derivative rule of op 'neg' is wrong" in caught.value.args[0]


@pytest.mark.parametrize("order", [0, -1, 1.5, True, "2"])
def test_order_must_be_a_positive_int(order):
    with pytest.raises(ValueError, match="order must be an int >= 1"):
        gradcheck(f, [0.7, -1.3], order=order)
