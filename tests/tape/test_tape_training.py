"""A training step on a tape: ``Tape.replay`` (one batch, checked once) gives what
``forward_backward`` gives; backward lets a penalty add to the gradients the layers wrote; a
product with one term to sum (one output neuron, one sample) is a multiplication, not a matmul.

The oracle is the eager engine, through ``forward_backward``'s own tests in ``test_tape.py``
and here directly: a batch's gradient is the sum of each row's ``grad()``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Value, detect_anomaly, dot, grad
from autograd.tape import TapeGuardError, compile  # noqa: A004
from nn import MLP, losses


def a_tape_with_a_penalty():
    model = MLP(2, [4, 1], seed=3)
    params = model.parameters()

    def objective(x0, x1, label):
        score = model([x0, x1])
        return [losses.hinge(score, label), 0.01 * dot(params, params), score]

    return compile(objective, [0.1, 0.2, 1.0]), params


def eager_gradient(params, rows, seeds):
    """The gradient of sum over rows of seeds . outputs, row by row on the eager engine."""
    model = MLP(2, [4, 1], seed=3)
    for p, q in zip(model.parameters(), params):
        p.data = q.data
    ps = model.parameters()
    total = np.zeros(len(ps))
    for (x0, x1, label), seed in zip(rows, seeds):
        score = model([Value(x0), Value(x1)])
        outs = [losses.hinge(score, label), 0.01 * dot(ps, ps), score]
        total += grad(outs, ps, grad_outputs=list(seed))
    return total


def test_a_replay_gives_what_forward_backward_gives_and_the_eager_gradient():
    tape, params = a_tape_with_a_penalty()
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.normal(size=(9, 2)), rng.choice([-1.0, 1.0], size=9)])
    seeds = np.zeros((9, 3))
    seeds[:, :2] = 1 / 9
    step = tape.replay(rows, seeds, seeded=[0, 1])
    theta = np.array([p.data for p in tape.parameters])
    outputs, gradients = step(theta)
    expected_outputs, expected = tape.forward_backward(rows, seeds, theta, seeded=[0, 1])
    np.testing.assert_array_equal(outputs, expected_outputs)
    np.testing.assert_array_equal(gradients, expected)
    order = [params.index(p) for p in tape.parameters]
    np.testing.assert_allclose(
        gradients, eager_gradient(params, rows, seeds)[order], rtol=1e-12, atol=1e-15
    )
    # outputs and gradients are new arrays: a later step does not change them
    kept = outputs.copy(), gradients.copy()
    step(theta * 0.5)
    np.testing.assert_array_equal(outputs, kept[0])
    np.testing.assert_array_equal(gradients, kept[1])


def test_a_replay_reads_its_batch_again_on_every_call():
    w = Value(1.5)
    tape = compile(lambda x: (w * x).tanh(), [0.3])
    rows, seeds = np.array([[0.5], [-1.0]]), np.ones(2)
    step = tape.replay(rows, seeds)
    step()
    rows[0, 0] = 2.0  # changed in place: the next call sees it
    outputs, gradients = step()
    np.testing.assert_allclose(outputs[:, 0], np.tanh(1.5 * rows[:, 0]), rtol=1e-15)
    local = 1 - np.tanh(1.5 * rows[:, 0]) ** 2
    assert gradients[0] == pytest.approx(np.sum(local * rows[:, 0]), rel=1e-14)


def test_a_replay_checks_its_arguments_once_when_made_and_its_parameters_each_call():
    tape, _ = a_tape_with_a_penalty()
    rows, seeds = np.zeros((4, 3)), np.zeros((4, 3))
    with pytest.raises(ValueError, match="batch of shape"):
        tape.replay(np.zeros((4, 2)), seeds)
    with pytest.raises(ValueError, match="grad_outputs must have shape"):
        tape.replay(rows, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="seeded lists distinct outputs"):
        tape.replay(rows, seeds, seeded=[5])
    step = tape.replay(rows, seeds)
    with pytest.raises(ValueError, match="parameters must be an array of"):
        step(np.zeros(3))


def test_a_replay_keeps_guards_and_anomaly_mode():
    w = Value(1.0)

    def branchy(x):
        return w * x if x > 0 else -w * x

    tape = compile(branchy, [1.0])
    with pytest.raises(TapeGuardError):
        tape.replay(np.array([[1.0], [-1.0]]), np.ones(2))()
    tape = compile(lambda x: (w * x).log(), [1.0])
    step = tape.replay(np.array([[1.0], [0.0]]), np.ones(2))
    step()  # -inf in a row, silently, as the eager engine gives it
    with detect_anomaly(), pytest.raises(FloatingPointError, match="log"):
        step()


def test_a_penalty_on_the_parameters_adds_to_the_gradients_the_layers_wrote():
    """Backward runs the batch steps first, so the layers write their parameters' gradients
    outright and the penalty adds to them: no gradient row is zeroed first."""
    tape, _ = a_tape_with_a_penalty()
    backward = tape.source[tape.source.index("def backward(") :]
    backward = backward[: backward.index("def backward_inputs(")]
    assert "= 0.0" not in backward
    assert backward.index("(scalar)") > backward.rindex("(batch)")


def test_a_product_with_one_term_to_sum_is_written_as_a_multiplication():
    """One output neuron's input gradient (W.T @ u, one node) and the penalty's gradients (one
    sample, the parameters) are outer products: ``np.multiply``, as fast as it is, not a slow
    ``np.matmul``; the numbers are checked against the eager engine above and in test_tape.py."""
    tape, params = a_tape_with_a_penalty()
    backward = tape.source[tape.source.index("def backward(") :]
    backward = backward[: backward.index("def backward_inputs(")]
    last_layer = backward[backward.index("# dot x1 as matmul (1x4 + bias)") :]
    last_layer = last_layer[: last_layer.index("\n        #")]
    penalty = backward[backward.index(f"# dot x1 as matmul (1x{len(params)})") :]
    code = "\n".join(penalty.splitlines()[1:])  # below the step's comment
    assert "matmul" not in code and "@" not in code and "* u" in code
    assert "np.multiply(" in last_layer.splitlines()[2]
    rows = np.array([[0.3, -0.2, 1.0], [-1.1, 0.4, -1.0]])
    seeds = np.full((2, 3), 0.5)
    order = [params.index(p) for p in tape.parameters]
    _, gradients = tape.replay(rows, seeds)()
    np.testing.assert_allclose(
        gradients, eager_gradient(params, rows, seeds)[order], rtol=1e-12, atol=1e-15
    )
