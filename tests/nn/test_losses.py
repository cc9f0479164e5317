"""Losses against closed forms written with math, their gradients against central differences,
stability at huge logits, penalties and accuracy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value
from nn import losses
from tests.helpers.oracles import central_difference


def log_softmax(logits, k):
    """An oracle for moderate logits: the textbook formula, no shift."""
    return logits[k] - math.log(sum(math.exp(v) for v in logits))


# name: (loss on Values, the same loss on floats by the textbook formula, outputs, target)
CASES = {
    "mse one output": (losses.mse, lambda o, t: (o[0] - t) ** 2, [0.7], 0.2),
    "mse three outputs": (
        losses.mse,
        lambda o, t: sum((a - b) ** 2 for a, b in zip(o, t)) / 3,
        [0.7, -1.2, 2.0],
        [0.2, 0.0, 1.5],
    ),
    "hinge inside the margin": (losses.hinge, lambda o, t: max(0.0, 1 - t * o[0]), [0.3], -1),
    "hinge violated": (losses.hinge, lambda o, t: max(0.0, 1 - t * o[0]), [-0.8], 1),
    "binary cross-entropy, target 1": (
        losses.binary_cross_entropy,
        lambda o, t: -math.log(1 / (1 + math.exp(-o[0]))),
        [0.8],
        1,
    ),
    "binary cross-entropy, target 0": (
        losses.binary_cross_entropy,
        lambda o, t: -math.log(1 - 1 / (1 + math.exp(-o[0]))),
        [0.8],
        0,
    ),
    "binary cross-entropy, soft target": (
        losses.binary_cross_entropy,
        lambda o, t: -(t * math.log(1 / (1 + math.exp(-o[0])))
                       + (1 - t) * math.log(1 - 1 / (1 + math.exp(-o[0])))),
        [-1.3],
        0.25,
    ),
    "cross-entropy": (
        losses.cross_entropy,
        lambda o, t: -log_softmax(o, t),
        [0.5, -1.0, 2.0, 0.1],
        2,
    ),
}  # fmt: skip


def _call(loss, outputs, target):
    values = [Value(o) for o in outputs]
    single = loss is not losses.cross_entropy and len(values) == 1
    return loss(values[0] if single else values, target), values


@pytest.mark.parametrize("case", CASES)
def test_loss_value_matches_the_textbook_formula(case):
    loss, formula, outputs, target = CASES[case]
    result, _ = _call(loss, outputs, target)
    assert isinstance(result, Value)
    assert result.data == pytest.approx(formula(outputs, target), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("case", CASES)
def test_loss_gradient_matches_central_differences_of_the_formula(case):
    loss, formula, outputs, target = CASES[case]
    result, values = _call(loss, outputs, target)
    result.backward()
    for i, v in enumerate(values):

        def along_i(x, i=i):
            return formula([x if j == i else o for j, o in enumerate(outputs)], target)

        assert v.grad == pytest.approx(central_difference(along_i, outputs[i]), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("logit", [1000.0, -1000.0, 1e300, -1e300])
@pytest.mark.parametrize("target", [0, 1])
def test_binary_cross_entropy_is_finite_at_huge_logits(logit, target):
    z = Value(logit)
    loss = losses.binary_cross_entropy(z, target)
    loss.backward()
    wrong = (logit > 0) != (target == 1)
    assert loss.data == (abs(logit) if wrong else 0.0)  # softplus(|z|) = |z| there
    assert z.grad == (float(math.copysign(1.0, logit)) if wrong else 0.0)  # sigmoid(z) - t


@pytest.mark.parametrize(
    ("logits", "target", "expected_loss"),
    [
        ([1000.0, 0.0, -1000.0], 0, 0.0),
        ([1000.0, 0.0, -1000.0], 1, 1000.0),
        ([1000.0, 1000.0], 1, math.log(2.0)),
        ([-1000.0, -1000.0, -1000.0], 2, math.log(3.0)),
    ],
)
def test_cross_entropy_is_finite_at_huge_logits(logits, target, expected_loss):
    values = [Value(v) for v in logits]
    loss = losses.cross_entropy(values, target)
    loss.backward()
    assert loss.data == pytest.approx(expected_loss, rel=1e-12, abs=1e-300)
    assert all(math.isfinite(v.grad) for v in values)
    assert sum(v.grad for v in values) == pytest.approx(0.0, abs=1e-12)  # softmax - one-hot


def test_softmax_gives_probabilities_even_at_huge_logits():
    huge = losses.softmax(
        [Value(1000.0), Value(1000.0)]
    )  # exp(l - logsumexp(l)): to an ulp of 1000
    assert [p.data for p in huge] == pytest.approx([0.5, 0.5], rel=1e-12)
    logits = [0.5, -1.0, 2.0]
    expected = [math.exp(v) / sum(math.exp(u) for u in logits) for v in logits]
    probabilities = losses.softmax([Value(v) for v in logits])
    assert [p.data for p in probabilities] == pytest.approx(expected, rel=1e-12)


def test_softmax_gradient_matches_central_differences():
    logits = [0.5, -1.0, 2.0]
    values = [Value(v) for v in logits]
    losses.softmax(values)[1].backward()

    def p1(x, i):
        shifted = [x if j == i else v for j, v in enumerate(logits)]
        return math.exp(shifted[1]) / sum(math.exp(v) for v in shifted)

    for i, v in enumerate(values):
        expected = central_difference(lambda x, i=i: p1(x, i), logits[i])
        assert v.grad == pytest.approx(expected, rel=1e-6)


def test_l2_and_l1_are_the_sums_of_squares_and_absolute_values_with_their_gradients():
    params = [Value(0.5), Value(-2.0), Value(3.0)]
    l2 = losses.l2(params)
    assert l2.data == 0.25 + 4.0 + 9.0
    l2.backward()
    assert [p.grad for p in params] == [1.0, -4.0, 6.0]
    for p in params:
        p.grad = 0.0
    l1 = losses.l1(params)
    assert l1.data == 5.5
    l1.backward()
    assert [p.grad for p in params] == [1.0, -1.0, 1.0]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: losses.hinge(Value(0.5), 0), ValueError, "targets in {-1, \\+1}"),
        (lambda: losses.binary_cross_entropy(Value(0.5), 2), ValueError, "target in \\[0, 1\\]"),
        (lambda: losses.binary_cross_entropy(Value(0.5), "1"), TypeError, "got str"),
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "out of range"),
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 1.0), TypeError, "class index"),
        (lambda: losses.cross_entropy(Value(1.0), 0), ValueError, "sequence of logits"),
        (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 outputs but 2 targets"),
        (lambda: losses.hinge([Value(1.0), Value(2.0)], 1), TypeError, "one output per sample"),
        (lambda: losses.binary_cross_entropy([Value(1.0)] * 3, 1), TypeError, "got 3"),
    ],
)
def test_bad_targets_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_targets_may_be_numpy_scalars():
    y = np.array([1, -1, 2])
    assert losses.hinge(Value(0.5), y[0]).data == 0.5
    assert losses.cross_entropy([Value(0.0), Value(0.0), Value(0.0)], y[2]).data == pytest.approx(
        math.log(3.0)
    )


def test_each_loss_predicts_labels_in_its_own_target_convention():
    assert losses.hinge.predict is losses.predict_sign
    assert losses.binary_cross_entropy.predict is losses.predict_positive
    assert losses.cross_entropy.predict is losses.predict_class
    assert losses.mse.predict is None
    assert [losses.predict_sign(Value(v)) for v in (0.3, -0.3, 0.0)] == [1, -1, -1]
    assert [losses.predict_positive(Value(v)) for v in (0.3, -0.3, 0.0)] == [1, 0, 0]
    assert losses.predict_class([Value(0.1), Value(2.0), Value(2.0)]) == 1


def test_accuracy_is_the_fraction_of_correct_predictions():
    scores = [Value(v) for v in (0.5, -0.2, 1.5, -3.0)]
    assert losses.accuracy(scores, np.array([1, -1, -1, -1]), losses.hinge.predict) == 0.75
    logits = [[Value(1.0), Value(0.0)], [Value(0.0), Value(1.0)]]
    assert losses.accuracy(logits, [0, 0], losses.cross_entropy.predict) == 0.5
    with pytest.raises(ValueError, match="no samples"):
        losses.accuracy([], [], losses.predict_sign)
    with pytest.raises(ValueError, match="3 outputs for 2 targets"):
        losses.accuracy(scores[:3], [1, -1], losses.predict_sign)


def test_accuracy_on_arrays_agrees_with_accuracy_on_lists_even_with_nan_logits():
    nan = float("nan")
    cases = [
        (np.array([0.5, -1.0, 2.0, nan]), [1, -1, -1, -1], losses.hinge.predict),
        (np.array([[1.0, nan], [nan, 1.0], [2.0, 3.0]]), [0, 0, 1], losses.cross_entropy.predict),
        (np.array([[1.0, 3.0], [3.0, 3.0]]), [1, 0], losses.cross_entropy.predict),  # a tie
        (np.array([-0.5, 0.0, 4.0]), [0, 0, 1], losses.binary_cross_entropy.predict),
    ]
    for outputs, targets, rule in cases:
        assert losses.accuracy(outputs, targets, rule) == losses.accuracy(
            outputs.tolist(), targets, rule
        )
        assert losses.accuracy(outputs, iter(targets), rule) == losses.accuracy(
            outputs, targets, rule
        )


def test_accuracy_refuses_an_array_of_one_column_scores_as_it_refuses_their_lists():
    with pytest.raises(TypeError):
        losses.accuracy(np.array([[0.5], [-1.0]]), [1, -1], losses.hinge.predict)
    with pytest.raises(ValueError, match="2 outputs for targets of shape"):
        losses.accuracy(np.array([0.5, -1.0]), [1, -1, 1], losses.hinge.predict)


def test_cross_entropy_takes_a_class_index_as_a_zero_dimensional_array_or_probabilities():
    logits = [Value(1.0), Value(2.0), Value(-0.5)]
    assert losses.cross_entropy(logits, np.array(1)).data == losses.cross_entropy(logits, 1).data
    one_hot = losses.cross_entropy(logits, [0.0, 1.0, 0.0]).data
    assert one_hot == pytest.approx(losses.cross_entropy(logits, 1).data, rel=1e-15)
    soft = losses.cross_entropy(logits, [0.25, 0.5, 0.25]).data
    expected = -sum(t * (z - math.log(sum(math.exp(v) for v in (1.0, 2.0, -0.5))))
                    for t, z in zip((0.25, 0.5, 0.25), (1.0, 2.0, -0.5)))  # fmt: skip
    assert soft == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ValueError, match="2 probabilities for 3 logits"):
        losses.cross_entropy(logits, [0.5, 0.5])
