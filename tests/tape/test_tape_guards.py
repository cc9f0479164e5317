"""Guards, anomaly mode and the rows a check picks: a tape never replays a row down a branch
its trace did not take, a stable softmax's shift is computed per row, and ``detect_anomaly()``
raises on a tape as on the eager engine. The eager engine, row by row, is the oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value, detect_anomaly, grad, logsumexp
from autograd.tape import TapeGuardError, TapeMismatchError, compile  # noqa: A004
from nn import MLP, losses


def flipped(x):
    out = x * 3
    return out if x > 0 else -out


def test_a_comparison_made_while_tracing_is_a_guard_and_a_row_down_the_other_branch_is_refused():
    tape = compile(flipped, [1.0])
    assert [(g.comparison, g.outcome) for g in tape.guards] == [(">", True)]
    assert "return out if x > 0 else -out" in tape.guards[0].source
    assert tape.forward([[2.0], [0.5]]).tolist() == [6.0, 1.5]  # the traced branch: fine
    with pytest.raises(TapeGuardError, match=r"row 1 of the batch \(2 of 3 rows\)") as error:
        tape.forward([[2.0], [-3.0], [-1.0]])
    message = str(error.value)
    assert "input 0 > 0.0" in message and "True when traced, False here" in message
    assert "input 0 = -3.0" in message and "test_tape_guards.py" in message
    assert isinstance(error.value, TapeMismatchError)


@pytest.mark.parametrize(
    ("fn", "good", "bad"),
    [
        (lambda x, y: max(x, y) * 2, [[2.0, 1.0], [5.0, -1.0]], [[0.0, 1.0]]),
        (lambda x, y: min(x, y * y), [[3.0, 1.0]], [[0.5, 1.0]]),
        (lambda x, y: x if x >= y else y, [[1.0, 1.0]], [[0.0, 1.0]]),
        (lambda x, y: x * y if 0.5 <= x.tanh() else x, [[2.0, 0.0]], [[0.1, 0.0]]),  # noqa: SIM300
        (lambda x, y: sorted([x, y])[0] + 0, [[4.0, 3.0]], [[1.0, 3.0]]),
    ],
)
def test_max_min_sorted_and_comparisons_of_inner_nodes_are_guarded(fn, good, bad):
    tape = compile(fn, [2.0, 1.0])
    rows = np.array(good)
    expected = [fn(Value(a), Value(b)).data for a, b in rows]  # the eager engine, row by row
    assert tape.forward(rows).tolist() == expected
    with pytest.raises(TapeGuardError):
        tape.forward(bad)


def test_guards_cost_nothing_outside_a_trace_and_are_per_trace():
    x = Value(1.0)
    assert (x > 0) is True  # no trace: nothing recorded, nowhere to record it
    first, second = compile(flipped, [1.0]), compile(lambda x: x * 2, [1.0])
    assert len(first.guards) == 1 and second.guards == ()


def test_extreme_logits_give_the_eager_cross_entropy_and_softmax_in_every_row():
    w = [Value(0.7), Value(-1.3), Value(0.002)]

    def fn(x):
        logits = [wi * x for wi in w]
        return [losses.cross_entropy(logits, 1), *losses.softmax(logits)]

    tape = compile(fn, [1.0])  # traced where the largest logit is w0 x; far away it is w1 x
    batch = np.array([[1.0], [5000.0], [-5000.0], [-300.0], [0.0]])
    out = tape.forward(batch)
    for row, (x,) in zip(out, batch):
        eager = [v.data for v in fn(Value(x))]
        np.testing.assert_allclose(row, eager, rtol=1e-12, atol=1e-300)
    assert np.isfinite(out).all() and out[1, 0] == pytest.approx(2.0 * 5000, rel=1e-12)
    tape.check(batch)  # outputs and gradients, row by row


def test_logsumexp_rows_of_one_node_match_their_closed_form():
    tape = compile(lambda x, y: logsumexp([x, y, 1.0]), [0.0, 0.0])
    batch = np.array([[700.0, 710.0], [-800.0, -790.0], [0.5, -2.0]])
    expected = [
        max(a, b, 1.0) + math.log(sum(math.exp(v - max(a, b, 1.0)) for v in (a, b, 1.0)))
        for a, b in batch
    ]
    np.testing.assert_allclose(tape.forward(batch), expected, rtol=1e-15)
    grads = tape.backward(inputs=True)
    for (a, b), g in zip(batch, grads):
        top = max(a, b, 1.0)
        total = math.fsum(math.exp(v - top) for v in (a, b, 1.0))
        softmax = [math.exp(a - top) / total, math.exp(b - top) / total]
        np.testing.assert_allclose(g, softmax, rtol=1e-12, atol=1e-300)


def test_tape_under_detect_anomaly_raises_naming_the_op_and_the_row_as_eager_does():
    tape = compile(lambda x: x.log(), [1.0])
    assert np.isnan(tape.forward([[0.0], [-1.0]])[1])  # outside anomaly mode: IEEE, silently
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"log returned -inf .*row 0.*input 0=0\.0"):
            tape.forward([[0.0], [-1.0]])
        with pytest.raises(FloatingPointError, match="log returned -inf") as eager:
            Value(0.0, label="input 0").log()
    assert "input 0=0.0" in str(eager.value)


def test_a_nan_in_one_row_raises_under_detect_anomaly():
    model = MLP(2, [4, 1], seed=0)
    tape = compile(lambda a, b: model([a, b]), [0.0, 0.0])
    batch = np.random.default_rng(0).normal(size=(17, 2))
    batch[15, 1] = np.nan
    with detect_anomaly(), pytest.raises(FloatingPointError, match="row 15 of the batch"):
        tape.forward(batch)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_non_finite_gradient_raises_in_backward_under_detect_anomaly():
    w = Value(0.0, label="w")
    tape = compile(lambda x: (w * x).sqrt(), [1.0])  # sqrt'(0) = inf
    tape.forward([[1.0], [2.0]])
    with (
        detect_anomaly(),
        pytest.raises(FloatingPointError, match="backward of sqrt gave gradient inf"),
    ):
        tape.backward()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="backward of sqrt"):
        (w * 1.0).sqrt().backward()  # as the eager engine does


def test_telling_rows_pick_the_extremes_and_the_non_finite_first():
    tape = compile(lambda x, y: (x * y).exp(), [0.0, 0.0])
    batch = np.zeros((40, 2))
    batch[30] = [1000.0, 1.0]  # exp overflows: inf
    batch[7, 0], batch[21, 1] = -5.0, 9.0
    rows = tape.telling_rows(batch, limit=6)
    assert rows[0] == 30 and {7, 21} <= set(rows.tolist()) and len(rows) == 6


def test_check_with_a_limit_finds_a_branch_on_data_far_from_the_first_rows():
    def fn(x):
        return x * 2 if x.data < 100 else x * 3  # a branch on .data: no guard can see it

    tape = compile(fn, [0.0])
    batch = np.arange(200.0)[:, None]  # only rows 100 and past differ
    tape.check(batch[:16], limit=8)
    with pytest.raises(TapeMismatchError, match="output"):
        tape.check(batch, limit=8)


def test_comparisons_inside_a_rule_on_values_are_guards_too():
    def penalty(x):  # a gradient inside the traced function: relu's rule compares x > 0
        (slope,) = grad(x.relu() * x, [x], create_graph=True)
        return slope

    tape = compile(penalty, [1.0])
    assert tape.forward([[2.0]]).tolist() == [4.0]
    with pytest.raises(TapeGuardError):
        tape.forward([[-2.0]])


def test_comparisons_in_another_thread_during_a_trace_are_not_its_guards():
    import threading

    def fn(x):
        other = threading.Thread(target=lambda: Value(1.0) > 0)
        other.start()
        other.join()
        return x * 2

    assert compile(fn, [1.0]).guards == ()
