"""Code written against micrograd's Value runs unchanged on ours and gives the same numbers."""

from __future__ import annotations

import micrograd.engine as micrograd  # the dev extra installs it: an oracle, never skipped
import pytest


def program(Value):  # noqa: N803 - the class under test, as micrograd code names it
    """Only micrograd's surface: construction, + - * / ** with numbers, reflected ops, relu."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    h = (g * 0.01).relu() - 3 / (a - 1) + 2 - b
    h.backward()
    return [v.data for v in (a, b, c, d, e, f, g, h)], [a.grad, b.grad]


def test_micrograd_program_gives_micrograd_numbers():
    from autograd import Value

    ours_data, ours_grads = program(Value)
    theirs_data, theirs_grads = program(micrograd.Value)
    assert ours_data == pytest.approx(theirs_data, rel=1e-12)
    assert ours_grads == pytest.approx(theirs_grads, rel=1e-12)


def test_single_backward_matches_micrograd_but_a_second_one_does_not_compound():
    from autograd import Value

    results = {}
    for name, cls in (("ours", Value), ("micrograd", micrograd.Value)):
        a = cls(2.0)
        y = a * a * a
        y.backward()
        first = a.grad
        y.backward()
        results[name] = (first, a.grad)
    assert results["ours"] == (12.0, 24.0)
    assert results["micrograd"][0] == 12.0  # where micrograd is right, the same number
