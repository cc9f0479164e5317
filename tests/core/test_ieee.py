"""Numbers follow IEEE-754 like NumPy and PyTorch: inf and nan, never a Python exception."""

from __future__ import annotations

import math

import pytest

from autograd import Value

inf = math.inf


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: Value(0).log(), -inf),
        (lambda: Value(-1).log(), math.nan),
        (lambda: Value(1000).exp(), inf),
        (lambda: Value(1) / 0, inf),
        (lambda: Value(-1) / 0, -inf),
        (lambda: 1 / Value(-0.0), -inf),
        (lambda: Value(0) / 0, math.nan),
        (lambda: Value(-1).sqrt(), math.nan),
        (lambda: Value(-8) ** (1 / 3), math.nan),
        (lambda: Value(0) ** -1, inf),
        (lambda: Value(-0.0) ** -1, -inf),
        (lambda: Value(10) ** 400, inf),
        (lambda: Value(-10) ** 401, -inf),
        (lambda: 2 ** Value(5000), inf),
        (lambda: Value(inf).sin(), math.nan),
        (lambda: Value(-inf).cos(), math.nan),
        (lambda: Value(-1000).sigmoid(), 0.0),
        (lambda: Value(1000).sigmoid(), 1.0),
        (lambda: Value(1000).softplus(), 1000.0),
        (lambda: Value(-1000).softplus(), 0.0),
        (lambda: Value(inf) - inf, math.nan),
        (lambda: Value(math.nan).relu(), math.nan),
    ],
)
def test_forward_gives_ieee_results_instead_of_exceptions(build, expected):
    result = build().data
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("build", "expected_grad"),
    [
        (lambda x: x.sqrt(), inf),  # 0.5 / sqrt(0)
        (lambda x: x.log(), inf),  # 1 / 0
        (lambda x: 1 / x, -inf),  # -1 / 0**2
        (lambda x: x**0.5, inf),
    ],
)
def test_backward_at_a_pole_gives_infinite_gradients_without_raising(build, expected_grad):
    x = Value(0.0)
    build(x).backward()
    assert x.grad == expected_grad
