"""The derivative rules that ``autograd/fast_backward.py`` writes out are the op table's, bitwise,
and so are the forwards that ``autograd/fast.py`` writes out.

One node at a time, on every layout of its parents (Values, constants, one Value twice) and on a
grid of awkward floats (signed zeros, a subnormal, the largest float, infinities, nans),
the fast backward and the reference ``engine.propagate`` (which asks ``OPS[op].derivative``)
must leave every parent's ``.grad`` with the same bits.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import operator
import struct
from collections.abc import Callable
from functools import partial

import pytest

from autograd import Value, apply, fast_backward, grad
from autograd.core import engine
from autograd.core.ieee import FLOATS
from autograd.core.ops import OPS

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul}

AWKWARD = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e308, -5e-324, math.inf, -math.inf]
AWKWARD += [math.nan, -math.nan]

Made = tuple[Value, list[Value]]  # a node and its Value parents


def bits(x: float) -> bytes:
    """The float's bits (-0.0 is not 0.0), any nan as one: CPython leaves a nan's sign open (the
    sum of two nans is either, depending on whether the interpreter has specialised the ``+``)."""
    return b"nan" if x != x else struct.pack("<d", x)


def grads_after(propagate: Callable[[list[Value]], None], make: Callable[[], Made], upstream):
    node, parents = make()
    for p in parents:
        p.grad = -0.0  # adding a share to -0.0 gives the share's own bits
    node.grad = upstream
    propagate([node])
    return [bits(p.grad) for p in parents]


def assert_same(make: Callable[[], Made]) -> None:
    for upstream in AWKWARD:
        fast = grads_after(fast_backward._propagate, make, upstream)
        reference = grads_after(engine.propagate, make, upstream)
        assert fast == reference, (make()[0], upstream)


def two_inputs(op: str, layout: str, x: float, y: float) -> Made:
    v, w = Value(x), Value(y)
    args = {"value, constant": (v, y), "constant, value": (x, w), "values": (v, w)}.get(
        layout, (v, v)
    )
    return apply(op, *args), [p for p in dict.fromkeys(args) if isinstance(p, Value)]


def many_inputs(op: str, xs: tuple[float, ...], repeated: bool) -> Made:
    vs = [Value(x) for x in xs]
    return apply(op, *vs, *vs[:repeated]), vs  # repeated: the first Value is also the last


@pytest.mark.parametrize("op", ["relu", "tanh", "exp", "neg", "abs"])
def test_one_input_rules_match_the_table(op):
    for x in AWKWARD:
        assert_same(partial(lambda x: (lambda v: (apply(op, v), [v]))(Value(x)), x))


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "pow"])
def test_two_input_rules_match_the_table_with_values_and_constants(op):
    layouts = ["value, constant", "constant, value", "values", "one value twice"]
    if op == "**":
        layouts = ["value, constant"]  # its exponent is always a constant
    elif op == "pow":
        layouts.remove("constant, value")  # a constant base is rpow
    for layout, x, y in itertools.product(layouts, AWKWARD, AWKWARD):
        assert_same(partial(two_inputs, op, layout, x, y))


@pytest.mark.parametrize("op", ["dot", "sum"])
@pytest.mark.parametrize("size", [3, 4])
def test_rules_of_many_inputs_match_the_table(op, size):
    for xs in itertools.product(AWKWARD[::3], repeat=size):
        assert_same(partial(many_inputs, op, xs, False))
        assert_same(partial(many_inputs, op, xs, True))  # a Value among weights and inputs


@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_written_out_operator_forwards_match_the_table(op):
    forward, apply_op = OPS[op].forward, BINARY[op]
    for x, y in itertools.product(AWKWARD, AWKWARD):
        table = bits(forward(FLOATS, x, y))
        for a, b in ((Value(x), Value(y)), (Value(x), y), (x, Value(y))):  # reflected too
            assert bits(apply_op(a, b).data) == table, (x, y)


def test_the_written_out_relu_forward_matches_the_table():
    for x in AWKWARD:
        assert bits(Value(x).relu().data) == bits(OPS["relu"].forward(FLOATS, x)), x


def with_constants(xs: tuple[float, ...], constant: str, repeated: bool) -> Made:
    """A ``dot`` of weights, inputs (and a bias, for an odd count) with some of them constants;
    ``repeated`` puts one Value in the places of the first two weights and the first input:
    three shares added into one ``.grad``, in an order that shows in the bits."""
    n = len(xs) // 2
    where = {
        "inputs": range(n, 2 * n),  # a first layer's neuron: its data row
        "weights": range(n),
        "bias": range(2 * n, len(xs)),
        "alternate": range(0, len(xs), 2),
    }[constant]
    args: list[object] = [x if i in where else Value(x) for i, x in enumerate(xs)]
    if repeated:
        args[0] = args[1] = args[n] = Value(xs[0])
    parents = [p for p in dict.fromkeys(args) if isinstance(p, Value)]  # type: ignore[arg-type]
    return apply("dot", *args), parents


@pytest.mark.parametrize("constant", ["inputs", "weights", "bias", "alternate"])
@pytest.mark.parametrize("size", [4, 5])
def test_the_dot_rule_with_constants_matches_the_table(constant, size):
    for xs in itertools.product(AWKWARD[::3], repeat=size):
        if constant == "bias" and size == 4:
            break  # no bias to make a constant
        assert_same(partial(with_constants, xs, constant, False))
        assert_same(partial(with_constants, xs, constant, True))


@pytest.mark.parametrize("walk", ["backward", "grad"])
def test_a_rule_replaced_in_the_table_is_the_one_the_fast_path_uses(op_table, walk):
    op_table["*"] = dataclasses.replace(op_table["*"], derivative=lambda m, x, y, out: (2 * y, x))
    x, y = Value(3.0), Value(5.0)
    if walk == "backward":
        (x * y).backward()
        dx = x.grad
    else:
        (dx,) = grad(x * y, [x])
    assert dx == 10.0  # the injected rule's 2 * y, not the table's y
