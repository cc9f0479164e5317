"""gradgradcheck: second derivatives through grad(create_graph=True) against central differences."""

from __future__ import annotations

import dataclasses
import math

import pytest

from autograd import GradcheckError, Value, gradgradcheck
from autograd.core import ieee
from autograd.core.ieee import FLOATS


def test_passes_with_the_closed_form_hessian_in_its_rows():
    x, y = 0.7, -1.3
    result = gradgradcheck(lambda x, y: x * y + x.sin() * y.exp(), [x, y])
    assert result
    # d2/dx2 = -sin x e^y, d2/dxdy = 1 + cos x e^y, d2/dy2 = sin x e^y
    hessian = [-math.sin(x) * math.exp(y), 1 + math.cos(x) * math.exp(y)]
    hessian += [1 + math.cos(x) * math.exp(y), math.sin(x) * math.exp(y)]
    assert [row.argument for row in result.rows] == [
        "(0 x, 0 x)",
        "(0 x, 1 y)",
        "(1 y, 0 x)",
        "(1 y, 1 y)",
    ]
    assert [row.analytic for row in result.rows] == pytest.approx(hessian, rel=1e-12)
    for row, exact in zip(result.rows, hessian):  # Ridders' estimate, sure to its error
        assert abs(row.numeric - exact) <= row.error < 1e-9


def test_a_rule_that_cuts_the_graph_on_values_is_caught_and_named(op_table):
    sin = op_table["sin"]
    # right on floats, but on Values it makes a fresh leaf: create_graph loses the dependency
    op_table["sin"] = dataclasses.replace(
        sin, derivative=lambda m, x, out: (m.cos(x) if m is FLOATS else Value(ieee.cos(x.data)),)
    )
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda x, y: (x * y).sin() + y, [1.5, 2.0])
    result = caught.value.result
    assert [row.flag for row in result.rows] == ["CUT", "WRONG", "WRONG", "CUT"]
    assert result.diagnosis.culprits("CUT") == ["sin"]
    assert "the derivative rule of op 'sin' cuts the graph" in result.summary()


def test_a_wrong_rule_in_the_derivative_graph_is_named_rather_than_the_op_using_it(op_table):
    # sin's rule is cos, whose own rule is now wrong: sin is right, cos is to blame
    op_table["cos"] = dataclasses.replace(op_table["cos"], derivative=lambda m, x, out: (m.sin(x),))
    result = gradgradcheck(lambda x: x.sin(), [1.5], raise_exception=False)
    assert [row.flag for row in result.rows] == ["WRONG"]
    assert result.diagnosis.culprits() == ["cos"]


def test_a_rule_that_differs_on_floats_and_on_values_is_caught(op_table):
    exp = op_table["exp"]
    op_table["exp"] = dataclasses.replace(
        exp, derivative=lambda m, x, out: (out * 2 if m is FLOATS else out,)
    )
    result = gradgradcheck(lambda x: x.exp(), [0.5], raise_exception=False)
    assert not result
    assert "with create_graph=True but" in result.problems[0]


def test_second_derivative_at_a_kink_of_the_first_is_flagged():
    result = gradgradcheck(lambda x: x.relu() * x, [0.0], raise_exception=False)  # x|x|/2 + x^2/2
    assert result.rows[0].flag == "KINK"
