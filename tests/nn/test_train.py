"""fit and evaluate: the micrograd demo, a spiral, gradients against central differences, the
progress bar, the History and the step bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from nn import MLP, SGD, Adam, Recording, datasets, evaluate, fit, losses, optim
from tests.helpers.oracles import central_difference


def test_micrograd_demo_reaches_full_training_accuracy_in_100_steps():
    X, y = datasets.make_moons(100, noise=0.1, seed=1337)
    y = datasets.signed_labels(y)
    model = MLP(2, [16, 16, 1], seed=1337)  # micrograd's weights after random.seed(1337)
    history = fit(
        model,
        X,
        y,
        loss=losses.hinge,
        optimizer=SGD(model.parameters(), lr=1.0),
        steps=100,
        schedule=optim.linear_decay(1.0, 0.1, 100),  # lr = 1.0 - 0.9 * k / 100
        penalty=lambda ps: 1e-4 * losses.l2(ps),
        progress=False,
    )
    assert len(history.loss) == len(history.accuracy) == 100
    assert history.accuracy[-1] == 1.0
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert evaluate(model, X, y, losses.hinge)[1] == 1.0


def test_three_class_spiral_with_cross_entropy_and_adam_generalises():
    X, y = datasets.make_spiral(300, classes=3, seed=0)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.5, seed=0)
    model = MLP(2, [16, 16, 3], seed=0)
    history = fit(
        model,
        X_train,
        y_train,
        loss=losses.cross_entropy,
        optimizer=Adam(model.parameters(), lr=0.03),
        steps=150,
        batch_size=32,
        progress=False,
        seed=0,
    )
    _, held_out_accuracy = evaluate(model, X_test, y_test, losses.cross_entropy)
    assert held_out_accuracy >= 0.9
    assert np.mean(history.loss[-10:]) < 0.25 * np.mean(history.loss[:10])


# loss, number of outputs, targets for a batch of six
OBJECTIVES = {
    "hinge": (losses.hinge, 1, [1, -1, -1, 1, 1, -1]),
    "binary cross-entropy": (losses.binary_cross_entropy, 1, [1, 0, 0, 1, 1, 0]),
    "mse": (losses.mse, 2, [[0.5, -1.0], [1.0, 0.0], [0.0, 0.2], [2.0, 1.0], [-1, 0], [0, 0]]),
    "cross-entropy": (losses.cross_entropy, 3, [0, 2, 1, 1, 0, 2]),
}


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("name", OBJECTIVES)
def test_backward_matches_central_differences_for_every_parameter(name, activation):
    loss, nout, targets = OBJECTIVES[name]
    model = MLP(2, [4, 3, nout], activation=activation, seed=len(name))
    for p in model.parameters():
        p.data += 0.05  # biases off zero
    X = datasets.make_moons(6, noise=0.2, seed=1)[0].tolist()

    def objective():
        mean = autograd.sum(loss(model(x), t) for x, t in zip(X, targets)) / len(X)
        return mean + 1e-2 * losses.l2(model.parameters())

    model.zero_grad()
    objective().backward()
    for name_p, p in model.named_parameters():
        original = p.data

        def at(value, p=p):
            p.data = value
            return objective().data

        expected = central_difference(at, original)
        p.data = original
        assert p.grad == pytest.approx(expected, rel=1e-5, abs=1e-8), name_p


def test_fit_records_the_objective_before_each_step_and_uses_the_schedule():
    X, y = datasets.make_blobs(12, centers=2, seed=0)
    model = MLP(2, [3, 2], seed=0)
    penalty = lambda ps: 1e-3 * losses.l1(ps)
    first = sum(losses.cross_entropy(model(x), t).data for x, t in zip(X, y)) / 12
    first += penalty(model.parameters()).data
    optimizer = SGD(model.parameters(), lr=0.0)
    history = fit(
        model,
        X,
        y,
        loss=losses.cross_entropy,
        optimizer=optimizer,
        steps=4,
        schedule=optim.step_decay(0.4, every=2, gamma=0.5),
        penalty=penalty,
        progress=False,
    )
    assert history.loss[0] == pytest.approx(first, rel=1e-12)
    assert optimizer.lr == 0.2  # the schedule's rate for step 3
    assert history.loss[-1] < history.loss[0]


def test_epochs_with_minibatches_take_one_step_per_batch():
    X, y = datasets.make_moons(10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = fit(
        model,
        X,
        y,
        loss=losses.binary_cross_entropy,
        optimizer=SGD(model.parameters(), lr=0.1),
        epochs=3,
        batch_size=4,
        progress=False,
    )
    assert len(history) == 9  # 3 epochs of batches of 4, 4 and 2
    assert all(a in (0.0, 0.25, 0.5, 0.75, 1.0) for a in history.accuracy)


def test_minibatch_training_is_reproducible_with_a_seed():
    X, y = datasets.make_moons(20, noise=0.1, seed=0)

    def train(seed):
        model = MLP(2, [4, 1], seed=0)
        optimizer = SGD(model.parameters(), lr=0.1)
        fit(model, X, y, loss=losses.binary_cross_entropy, optimizer=optimizer, steps=6,
            batch_size=5, progress=False, seed=seed)  # fmt: skip
        return model.state_dict()

    assert train(1) == train(1)
    assert train(1) != train(2)


def test_accuracy_is_not_recorded_for_a_loss_without_a_prediction_rule():
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    model = MLP(2, [2, 1], seed=0)
    history = fit(model, X, [0.5, -0.5], loss=losses.mse, optimizer=SGD(model.parameters(), 0.1),
                  steps=3, progress=False)  # fmt: skip
    assert len(history.loss) == 3 and history.accuracy == []
    assert repr(history).startswith("History(steps=3, loss=")
    mean, accuracy = evaluate(model, X, [0.5, -0.5], losses.mse)
    assert accuracy is None and math.isfinite(mean)


def test_progress_false_prints_nothing_and_true_draws_a_bar(capsys):
    X, y = datasets.make_moons(8, seed=0)
    for progress in (False, True):
        model = MLP(2, [2, 1], seed=0)
        fit(model, X, y, loss=losses.binary_cross_entropy, optimizer=SGD(model.parameters(), 0.1),
            steps=3, progress=progress)  # fmt: skip
        out, err = capsys.readouterr()
        if progress:
            assert "3/3" in err and "accuracy=" in err
        else:
            assert out == err == ""


def test_evaluate_gives_the_mean_loss_and_the_accuracy():
    X, y = datasets.make_moons(10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    mean, accuracy = evaluate(model, X, y, losses.binary_cross_entropy)
    outputs = [model(x) for x in X]
    expected = sum(losses.binary_cross_entropy(o, t).data for o, t in zip(outputs, y)) / 10
    assert mean == pytest.approx(expected, rel=1e-12)
    assert accuracy == np.mean([(o.data > 0) == t for o, t in zip(outputs, y)])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": 2, "epochs": 2}, ValueError, "exactly one of steps= and epochs="),
        ({}, ValueError, "exactly one of steps= and epochs="),
        ({"steps": 0}, ValueError, "steps must be at least 1, got 0"),
        ({"epochs": 1.5}, TypeError, "epochs must be an int, got float"),
        ({"steps": 2, "batch_size": 0}, ValueError, "batch_size must be at least 1, got 0"),
    ],
)
def test_fit_rejects_bad_step_settings(kwargs, error, message):
    X, y = datasets.make_moons(4, seed=0)
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(error, match=message):
        fit(model, X, y, loss=losses.binary_cross_entropy,
            optimizer=SGD(model.parameters(), 0.1), progress=False, **kwargs)  # fmt: skip


def test_fit_rejects_rows_and_targets_of_different_lengths():
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="needs rows X"):
        fit(model, np.zeros((4, 2)), [1, 0, 1], loss=losses.binary_cross_entropy,
            optimizer=SGD(model.parameters(), 0.1), steps=1, progress=False)  # fmt: skip


def _recorded_run(compile_, steps=12, max_frames=101, batch_size=None, optimizer=SGD):
    X, y = datasets.make_spiral(30, classes=3, noise=0.1, seed=2)
    model = MLP(2, [5, 4, 3], activation="tanh", seed=3)
    recording = Recording(max_frames=max_frames)
    history = fit(
        model,
        X,
        y,
        loss=losses.cross_entropy,
        optimizer=optimizer(model.parameters(), lr=0.1),
        steps=steps,
        batch_size=batch_size,
        penalty=lambda ps: 1e-3 * losses.l2(ps),
        progress=False,
        seed=0,
        compile=compile_,
        record=recording,
    )
    return model, X, y, recording, history


def test_recording_frames_hold_the_weights_before_each_step_and_its_gradient():
    model, X, y, recording, history = _recorded_run(compile_=False, steps=3)
    assert [f.step for f in recording.frames] == [0, 1, 2, 3]
    assert recording.names == tuple(name for name, _ in model.named_parameters())
    assert recording.architecture == model.architecture()
    for frame in recording.frames[:-1]:
        assert frame.loss == history.loss[frame.step]
    assert recording.frames[-1].weights == tuple(p.data for p in model.parameters())
    # replay the run by hand: the weights each step starts from, its gradient by differences
    replay = MLP(2, [5, 4, 3], activation="tanh", seed=3)
    rows, targets = X.tolist(), y.tolist()

    def objective():
        mean = autograd.sum(losses.cross_entropy(replay(x), t) for x, t in zip(rows, targets))
        return mean / len(rows) + 1e-3 * losses.l2(replay.parameters())

    for frame in recording.frames:
        assert frame.weights == pytest.approx([p.data for p in replay.parameters()], abs=1e-12)
        for k, p in enumerate(replay.parameters()):
            original = p.data

            def at(value, p=p):
                p.data = value
                return objective().data

            expected = central_difference(at, original)
            p.data = original
            assert frame.grads[k] == pytest.approx(expected, rel=1e-5, abs=1e-8)
        for p, g in zip(replay.parameters(), frame.grads):
            p.data -= 0.1 * g


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_compiled_and_eager_training_record_the_same_frames(optimizer):
    eager = _recorded_run(compile_=False, batch_size=10, optimizer=optimizer)[3]
    compiled = _recorded_run(compile_=True, batch_size=10, optimizer=optimizer)[3]
    assert [f.step for f in compiled.frames] == [f.step for f in eager.frames]
    for a, b in zip(eager.frames, compiled.frames):
        np.testing.assert_allclose(b.weights, a.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b.grads, a.grads, rtol=0, atol=1e-12)
        assert b.loss == pytest.approx(a.loss, abs=1e-12)
    # the weights move: a recording of a frozen model would pass the comparison too
    assert eager.frames[0].weights != eager.frames[-1].weights


def test_recording_is_bounded_by_max_frames_and_keeps_the_end():
    model, _, _, recording, _ = _recorded_run(compile_=True, steps=100, max_frames=8)
    steps = [f.step for f in recording.frames]
    assert len(steps) <= 8
    assert steps[0] == 0 and steps[-1] == 100
    assert steps[:-1] == list(range(0, 100, recording.every))
    assert recording.frames[-1].weights == tuple(p.data for p in model.parameters())


def test_recording_leaves_the_gradients_of_the_last_step():
    plain = _recorded_run(compile_=False, steps=4)[0]
    recorded = _recorded_run(compile_=False, steps=4)[0]
    assert [p.grad for p in recorded.parameters()] == [p.grad for p in plain.parameters()]


def test_fit_rejects_a_record_that_is_not_a_recording():
    X, y = datasets.make_blobs(6, centers=2, seed=0)
    model = MLP(2, [2], seed=0)
    with pytest.raises(TypeError, match="record must be a Recording"):
        fit(
            model,
            X,
            y,
            loss=losses.cross_entropy,
            optimizer=SGD(model.parameters(), lr=0.1),
            steps=1,
            progress=False,
            record=10,
        )
    with pytest.raises(ValueError, match="max_frames must be at least 2"):
        Recording(max_frames=1)


def _moons():
    X, y = datasets.make_moons(20, noise=0.1, seed=0)
    return X, y


def test_fit_refuses_a_schedule_that_goes_negative_before_the_first_step():
    X, y = _moons()
    model = MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"schedule\(10\) returned -0\.1.*lr must be at least 0"):
        fit(
            model,
            X,
            y,
            loss=losses.hinge,
            optimizer=SGD(model.parameters(), lr=0.1),
            steps=20,
            schedule=lambda k: 0.1 if k < 10 else -0.1,  # uphill from step 10 on
            progress=False,
        )
    assert model.state_dict() == before


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_fit_and_evaluate_refuse_data_that_is_not_finite_naming_the_row(bad):
    X, y = _moons()
    X[7, 1] = bad
    model = MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"X has nan or infinite values \(first in row 7\)"):
        fit(
            model,
            X,
            y,
            loss=losses.hinge,
            optimizer=SGD(model.parameters(), lr=0.1),
            steps=2,
            progress=False,
        )
    assert model.state_dict() == before
    with pytest.raises(ValueError, match="row 7"):
        evaluate(model, X, y, losses.hinge)


def test_evaluate_on_no_rows_is_a_value_error_not_a_division_by_zero():
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError, match=r"evaluate\(\) needs rows X.*n at least 1"):
        evaluate(model, np.zeros((0, 2)), np.zeros(0), losses.hinge)
