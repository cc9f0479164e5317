"""The "spelled-out intro to neural networks and backpropagation" runs on our Value.

Its cells read ``_prev`` and ``_op``, make nodes as ``Value(t, (x,), 'tanh')`` and backpropagate
by hand with ``_backward()``, node by node, before calling ``backward()``. The oracles: closed
forms (``math.tanh`` and its derivative), and micrograd's own Value run through the same steps.
"""

from __future__ import annotations

import math

import micrograd.engine as micrograd  # the dev extra installs it: an oracle, never skipped
import pytest

from autograd import OPS, Op, Value, detect_anomaly, no_grad, register

B = 6.8813735870195432  # the lecture's bias: n = 0.8814, so o = tanh(n) = 1 / sqrt(2)


def neuron(tanh_from_exp: bool = False):
    """The lecture's neuron ``o = tanh(x1 w1 + x2 w2 + b)``, labelled as the lecture does."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(B, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    if tanh_from_exp:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    nodes = dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n)
    return o, nodes


def closed_form_grads():
    """d o / d leaf for the neuron, from tanh' = 1 - tanh^2 and the products' partials."""
    n = 2.0 * -3.0 + 0.0 * 1.0 + B
    do_dn = 1 - math.tanh(n) ** 2
    return {"x1": -3.0 * do_dn, "w1": 2.0 * do_dn, "x2": 1.0 * do_dn, "w2": 0.0, "b": do_dn}


def lecture_topological_order(root):
    """The lecture's ``build_topo``: a depth-first walk over ``_prev``."""
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(root)
    return topo


def test_manual_backprop_node_by_node_gives_the_closed_form_gradients():
    o, v = neuron()
    o.grad = 1.0
    o._backward()
    assert v["n"].grad == pytest.approx(0.5, abs=1e-12)  # the lecture's 0.5
    for name in ("n", "b", "x1w1x2w2", "x2w2", "x1w1", "x1", "w1"):  # a leaf's does nothing
        v[name]._backward()
    expected = closed_form_grads()
    assert {k: v[k].grad for k in expected} == pytest.approx(expected, rel=1e-15, abs=1e-15)
    assert v["x1"].grad == pytest.approx(-1.5, abs=1e-12) and v["w1"].grad == pytest.approx(1.0)


def test_one_backward_step_by_hand_adds_upstream_times_each_local_derivative():
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    d.grad = 5.0
    a.grad = 1.0  # _backward adds (+=), as micrograd's does
    d._backward()
    assert (a.grad, b.grad) == (1.0 + 5.0 * 3.0, 5.0 * -2.0)
    assert d.grad == 5.0  # its own gradient is not touched


def test_backward_by_hand_over_the_lectures_topological_order_equals_backward():
    o, v = neuron()
    o.grad = 1.0
    for node in reversed(lecture_topological_order(o)):
        node._backward()
    by_hand = {k: v[k].grad for k in ("x1", "x2", "w1", "w2", "b")}
    o2, v2 = neuron()
    o2.backward()
    assert by_hand == {k: v2[k].grad for k in by_hand}  # bit for bit: the same chain-rule step
    assert by_hand == pytest.approx(closed_form_grads(), rel=1e-15, abs=1e-15)


def test_tanh_built_from_exp_gives_the_same_numbers_as_tanh():
    o, v = neuron(tanh_from_exp=True)
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    expected = closed_form_grads()
    assert {k: v[k].grad for k in expected} == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_a_node_made_by_hand_as_the_lecture_makes_tanh_backpropagates_by_the_table():
    n = Value(0.8813735870195432, label="n")
    t = (math.exp(2 * n.data) - 1) / (math.exp(2 * n.data) + 1)
    o = Value(t, (n,), "tanh")
    assert (o.op, o._op, o.parents, o._prev, o.data) == ("tanh", "tanh", (n,), {n}, t)
    o.grad = 1.0
    o._backward()
    assert n.grad == 1 - t**2


def test_micrograd_ops_are_spelled_as_micrograd_spells_them():
    x = Value(3.0)
    assert [(x**2)._op, (x**-1)._op, (x**0.5)._op, x.relu()._op] == ["**2", "**-1", "**0.5", "ReLU"]
    assert [(x + 1)._op, (x * x)._op, x.tanh()._op, x.exp()._op] == ["+", "*", "tanh", "exp"]
    assert x._op == "" and x._prev == set()
    m = micrograd.Value(3.0)
    assert [(m**2)._op, (m**-1)._op, (m**0.5)._op, m.relu()._op] == ["**2", "**-1", "**0.5", "ReLU"]


def test_prev_is_the_set_of_value_parents_without_constants():
    a, b = Value(1.0), Value(2.0)
    assert (a * b)._prev == {a, b} and (a + a)._prev == {a} and (a * 2)._prev == {a}
    assert isinstance((a * b)._prev, set)


@pytest.mark.parametrize(
    ("spelling", "children", "op", "parents"),
    [
        ("+", "ab", "+", "ab"),
        ("-", "ba", "-", "ba"),
        ("*", "a2", "*", "a2"),
        ("**2", "a", "**", "a2"),
        ("**", "a2", "**", "a2"),
        ("ReLU", "a", "relu", "a"),
        ("relu", "a", "relu", "a"),
        ("exp", "a", "exp", "a"),
        ("sum", "aba", "sum", "aba"),
    ],
)
def test_any_op_of_the_table_can_be_made_by_hand(spelling, children, op, parents):
    a, b = Value(1.5), Value(-2.0)
    named = {"a": a, "b": b, "2": 2}
    data = OPS[op].forward(_floats(), *[_data(named[c]) for c in parents])
    node = Value(data, tuple(named[c] for c in children), spelling)
    assert node.op == op and node.data == data
    assert node.parents == tuple(named[c] if c != "2" else 2.0 for c in parents)
    node.backward()  # the table's rule, by the engine
    direct = _by_operators(op, a, b)
    a2, b2 = Value(1.5), Value(-2.0)
    _by_operators(op, a2, b2).backward()
    assert direct.data == node.data and (a.grad, b.grad) == (a2.grad, b2.grad)


def _by_operators(op, a, b):
    from autograd import sum as vsum

    return {
        "+": lambda: a + b,
        "-": lambda: b - a,
        "*": lambda: a * 2,
        "**": lambda: a**2,
        "relu": lambda: a.relu(),
        "exp": lambda: a.exp(),
        "sum": lambda: vsum([a, b, a]),
    }[op]()


def _floats():
    from autograd.core.ieee import FLOATS

    return FLOATS


def _data(x):
    return x.data if isinstance(x, Value) else float(x)


def test_an_unknown_op_name_is_a_clear_error_pointing_to_register():
    with pytest.raises(ValueError, match=r"no op named 'cube'.*autograd\.register"):
        Value(8.0, (Value(2.0),), "cube")


def test_a_registered_op_can_be_made_by_hand(op_table):
    register(Op("cube", lambda m, x: x * x * x, lambda m, x, out: (3 * x * x,)))
    x = Value(2.0)
    y = Value(8.0, (x,), "cube")
    y.backward()
    assert (y.op, x.grad) == ("cube", 12.0)


@pytest.mark.parametrize(
    ("children", "spelling", "error", "match"),
    [
        ((), "tanh", TypeError, "tanh takes 1 inputs, got 0"),
        ("ab", "+", TypeError, "_children must be a tuple"),
        ((None,), "tanh", TypeError, "NoneType"),
        ((1.0,), 3, TypeError, "_op must be a str"),
        (("x",), "", ValueError, "needs an _op"),
        (("x",), "**two", ValueError, "'\\*\\*' and a number"),
        (("x", "x"), "**", TypeError, "constant"),
    ],
)
def test_a_node_made_by_hand_with_wrong_parts_is_refused(children, spelling, error, match):
    x = Value(2.0)
    children = tuple(x if c == "x" else c for c in children) if children != "ab" else children
    with pytest.raises(error, match=match):
        Value(1.0, children, spelling)


def test_a_node_made_by_hand_under_no_grad_is_a_leaf_and_anomalies_are_caught():
    x = Value(1.0)
    with no_grad():
        assert Value(2.0, (x,), "exp").parents == ()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="log returned -inf"):
        Value(-math.inf, (Value(0.0),), "log")


def test_backward_by_hand_under_detect_anomaly_raises_naming_the_op():
    x = Value(0.0, label="x")
    y = x.sqrt()
    y.grad = 1.0
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"backward of sqrt.* x"):
        y._backward()


def micrograd_steps(cls):
    """The lecture's second example on micrograd's surface, backpropagated by hand and then by
    ``backward``: the same steps on whichever class is given."""
    a, b = cls(-2.0), cls(3.0)
    d = a * b
    e = a + b
    f = d * e
    g = (f**2 + b * a).relu() + (a - b) * 0.5 + 2 * a / b
    g.grad = 1.0
    for node in reversed(lecture_topological_order(g)):
        node._backward()
    by_hand = (a.grad, b.grad)
    a2, b2 = cls(-2.0), cls(3.0)
    g2 = ((a2 * b2 * (a2 + b2)) ** 2 + b2 * a2).relu() + (a2 - b2) * 0.5 + 2 * a2 / b2
    g2.backward()
    return g.data, by_hand, (a2.grad, b2.grad)


def test_by_hand_and_by_backward_we_give_micrograd_numbers():
    ours, theirs = micrograd_steps(Value), micrograd_steps(micrograd.Value)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-15)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-14)
    assert ours[2] == pytest.approx(theirs[2], rel=1e-14)


def test_a_value_used_twice_gets_both_gradients():  # the lecture's bug, fixed by +=
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0
