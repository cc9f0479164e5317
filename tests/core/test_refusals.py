"""Bad input is refused before anything changes, and a backward() that fails changes nothing.

Each engine is tested (the fast path and the reference), since each has its own propagation.
"""

from __future__ import annotations

import sys
import threading

import pytest

import autograd
from autograd import Op, Value, apply, detect_anomaly, fast, grad, register


@pytest.fixture(params=["fast", "reference"])
def engine(request):
    """Run the test on the fast path and on the reference engine; put back what was running."""
    was_fast = fast.installed()
    _run_fast(request.param == "fast")
    yield request.param
    _run_fast(was_fast)


def _run_fast(on):
    if on:
        fast.install()
    else:
        fast.uninstall()


def _graph_with_earlier_gradients():
    """A graph after one backward, so every .grad (leaves and intermediates) is non-zero."""
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    middle = (a * b).tanh()
    out = middle * a + b
    out.backward()
    nodes = autograd.topological_order(out)
    return out, nodes, [v.grad for v in nodes]


@pytest.mark.parametrize("gradient", ["x", None, [1.0], Value(1.0)])
def test_backward_with_a_gradient_that_is_not_a_number_names_it_and_changes_no_grad(
    engine, gradient
):
    out, nodes, before = _graph_with_earlier_gradients()
    with pytest.raises(TypeError, match="gradient must be a real number"):
        out.backward(gradient)
    assert [v.grad for v in nodes] == before


def test_a_backward_stopped_by_detect_anomaly_leaves_every_grad_as_it_was(engine):
    a, b = Value(0.0, label="a"), Value(2.0, label="b")
    out = a.sqrt() * b + b
    nodes = autograd.topological_order(out)
    for k, v in enumerate(nodes):
        v.grad = float(k + 1)
    with detect_anomaly(), pytest.raises(FloatingPointError):
        out.backward()
    assert [v.grad for v in nodes] == [float(k + 1) for k in range(len(nodes))]


def test_a_backward_stopped_by_a_custom_rule_that_raises_leaves_every_grad_as_it_was(
    engine, op_table
):
    def broken(m, x, out):
        raise ZeroDivisionError("the rule failed")

    register(Op("broken", lambda m, x: x, broken))
    a = Value(3.0)
    out = apply("broken", a * a) + a  # a gets its share from + before the rule runs
    nodes = autograd.topological_order(out)
    before = [v.grad for v in nodes]
    with pytest.raises(ZeroDivisionError):
        out.backward()
    assert [v.grad for v in nodes] == before


def _too_few(m, *inputs_and_out):
    return (1.0,) * (len(inputs_and_out) - 2)  # one partial short


@pytest.mark.parametrize("arguments", [1, 2, 3, 5])
def test_a_custom_rule_with_too_few_partials_is_a_value_error_naming_the_op(
    engine, op_table, arguments
):
    register(Op("short", lambda m, *xs: sum(xs, 0.0), _too_few))
    xs = [Value(float(k)) for k in range(arguments)]
    out = apply("short", *xs)
    message = rf"rule of op 'short' returned {arguments - 1} partials for {arguments} inputs"
    with pytest.raises(ValueError, match=message):
        out.backward()
    assert [x.grad for x in xs] == [0.0] * arguments
    with pytest.raises(ValueError, match=message):
        grad(out, xs)
    with pytest.raises(ValueError, match=message):
        grad(out, xs, create_graph=True)


def test_a_custom_rule_that_returns_a_number_instead_of_a_tuple_is_refused(engine, op_table):
    register(Op("bare", lambda m, x, y: x + y, lambda m, x, y, out: 1.0))
    x = Value(1.0)
    with pytest.raises(ValueError, match="returned a float for 2 inputs"):
        apply(
            "bare",
            x,
            x,
        ).backward()


def test_apply_with_something_that_is_not_an_op_is_a_type_error():
    with pytest.raises(TypeError, match="op must be an Op or the name of one, got int"):
        apply(5, Value(1.0))


def test_register_refuses_an_empty_or_non_text_name(op_table):
    with pytest.raises(ValueError, match=r"must not be empty.*leaf"):
        register(Op("", lambda m, x: x, lambda m, x, out: (1.0,)))
    with pytest.raises(TypeError, match="name must be a str, got int"):
        register(Op(7, lambda m, x: x, lambda m, x, out: (1.0,)))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="derivative must be a function"):
        register(Op("nope", lambda m, x: x, None, arity=1))  # type: ignore[arg-type]
    assert "" not in autograd.OPS and 7 not in autograd.OPS and "nope" not in autograd.OPS


@pytest.mark.parametrize("label", [5, None, b"w", ["w"]])
def test_a_label_that_is_not_text_is_refused_when_assigned_later(label):
    v = Value(1.0, label="w")
    with pytest.raises(TypeError, match="label must be a str"):
        v.label = label
    assert v.label == "w"
    result = v * 2  # ops still make unlabelled nodes, through the slot
    assert result.label == ""
    result.label = "y"
    assert result.label == "y"


def _long_graph(n):
    x = Value(0.3, label="x")
    y = x
    for k in range(n):
        y = y * 0.999 + x if k % 2 else (y * x).tanh()
    return x, y


def test_two_threads_calling_backward_on_one_graph_take_turns_and_get_the_sum(engine):
    x, y = _long_graph(20_000)
    y.backward()
    once = x.grad
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(3):
            x.grad = 0.0
            threads = [threading.Thread(target=y.backward) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert x.grad == 2 * once
    finally:
        sys.setswitchinterval(previous)
