"""The Value type: construction, validation, repr, comparisons and identity semantics."""

from __future__ import annotations

import fractions
import gc

import numpy as np
import pytest

from autograd import Value, dot, no_grad
from autograd import sum as vsum


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (2, 2.0),
        (2.5, 2.5),
        (True, 1.0),
        (np.float64(1.5), 1.5),
        (np.float32(0.5), 0.5),
        (np.int64(-3), -3.0),
        (np.bool_(True), 1.0),
        (fractions.Fraction(1, 4), 0.25),
    ],
)
def test_accepts_real_numbers_and_stores_a_python_float(given, stored):
    v = Value(given)
    assert v.data == stored
    assert type(v.data) is float


@pytest.mark.parametrize(
    ("given", "type_name"),
    [
        ("2.0", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        ([1.0], "list"),
        (np.array(1.0), "ndarray"),
        (np.array([1.0, 2.0]), "ndarray"),
        (Value(1.0), "Value"),
    ],
)
def test_rejects_anything_else_naming_its_type(given, type_name):
    with pytest.raises(TypeError, match=type_name):
        Value(given)


def test_int_too_large_for_a_float_is_infinite():
    assert Value(10**400).data == float("inf")
    assert Value(-(10**400)).data == float("-inf")


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="int"):
        Value(1.0, label=3)


def test_a_new_value_is_a_leaf_with_zero_float_grad():
    v = Value(2.0, label="a")
    assert (v.data, v.grad, v.label, v.op, v.parents) == (2.0, 0.0, "a", "", ())
    assert type(v.grad) is float


def test_values_have_slots_and_no_dict():
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.colour = "red"


def test_repr_shows_data_grad_label_and_op():
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"
    assert repr(Value(2.0) * 3) == "Value(data=6.0, grad=0.0, op='*')"


def test_format_spec_formats_the_data():
    assert f"{Value(3.14159):.2f}" == "3.14"
    assert f"{Value(1.0)}" == "Value(data=1.0, grad=0.0)"


def test_comparisons_compare_data_and_return_bool():
    a, b = Value(1.0), Value(2.0)
    results = [a < b, a <= b, a > b, a >= b, a < 1.5, a >= 1, a > 0.5, b < 3]
    assert results == [True, True, False, False, True, True, True, True]
    assert all(type(r) is bool for r in results)
    assert max(b, a) is b


def test_equality_and_hash_are_identity_so_values_work_in_sets_and_dicts():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert {a: "x", b: "y"}[a] == "x"


@pytest.mark.parametrize("other", ["a", None, [1.0], 1j])
def test_arithmetic_with_a_non_number_raises_type_error_naming_it(other):
    with pytest.raises(TypeError, match=type(other).__name__):
        Value(1.0) + other
    with pytest.raises(TypeError, match=type(other).__name__):
        Value(1.0) ** other


@pytest.mark.parametrize("other", [None, 1j, object()])
def test_reflected_arithmetic_with_a_non_number_raises_type_error(other):
    with pytest.raises(TypeError, match=type(other).__name__):
        other * Value(1.0)
    with pytest.raises(TypeError, match=type(other).__name__):
        other - Value(1.0)


def test_numpy_scalars_on_either_side_give_values():
    for result in (np.float64(2.0) * Value(3.0), Value(3.0) * np.float32(2.0)):
        assert isinstance(result, Value) and result.data == 6.0


def test_subtraction_division_and_negation_are_recorded_as_written():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    assert ((a - b).op, (a - b).parents) == ("-", (a, b))
    assert ((a / b).op, (a / b).parents) == ("/", (a, b))
    assert ((-a).op, (-a).parents) == ("neg", (a,))
    assert ((b - a).data, (a / b).data, (-a).data) == (-3.0, 2.5, -5.0)


def test_detach_gives_a_leaf_with_the_same_data():
    a = Value(2.0, label="a")
    d = (a * 3).detach()
    assert (d.data, d.op, d.parents) == (6.0, "", ())
    (d * a).backward()
    assert a.grad == 6.0  # the detached factor counts as a constant


def test_parents_are_a_tuple_in_argument_order_for_any_number_of_inputs():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    assert a.parents == ()
    assert a.relu().parents == (a,)
    assert (a * 2).parents == (a, 2.0) and (2 - b).parents == (2.0, b)
    assert vsum([c]).parents == (c,) and vsum([a, b]).parents == (a, b)
    assert vsum([a, b, 4, c]).parents == (a, b, 4.0, c)
    assert dot([a, b], [c, 0.5], a).parents == (a, b, c, 0.5, a)
    with no_grad():
        assert (a * b).parents == () and vsum([a, b, c]).parents == ()


def test_a_node_of_one_or_two_inputs_is_one_object_for_the_garbage_collector():
    a, b = Value(1.0), Value(2.0)
    for node in (a * b, a.tanh(), a + 1):  # its parents are in slots, not in a tuple of their own
        assert not any(isinstance(r, tuple) for r in gc.get_referents(node))
