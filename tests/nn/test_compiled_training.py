"""Compiled training (``fit(compile=True)``) against eager training, for every loss and optimizer
and the benchmark's shapes: the same losses step by step and the same parameters at the end, to
1e-12. The parameters live in an array while compiled training runs; the Values are brought up
to date whenever a user can look (when ``fit`` returns or raises, at each recorded frame)."""

from __future__ import annotations

import numpy as np
import pytest

from nn import MLP, SGD, Adam, AdamW, Recording, datasets, fit, losses

OPTIMIZERS = {
    "sgd": lambda ps: SGD(ps, lr=0.3),
    "sgd momentum": lambda ps: SGD(ps, lr=0.2, momentum=0.9),
    "sgd nesterov": lambda ps: SGD(ps, lr=0.2, momentum=0.9, nesterov=True),
    "sgd weight decay": lambda ps: SGD(ps, lr=0.3, weight_decay=0.01),
    "adam": lambda ps: Adam(ps, lr=0.01),
    "adam weight decay": lambda ps: Adam(ps, lr=0.01, weight_decay=0.01),
    "adamw": lambda ps: AdamW(ps, lr=0.01, weight_decay=0.05),
}


def _problem(loss: str, samples: int = 12):
    """(X, y, outputs of the model) for a loss: labels of its kind, or real targets."""
    X, labels = datasets.make_moons(samples, noise=0.2, seed=4)
    if loss == "hinge":
        return X, datasets.signed_labels(labels), 1
    if loss == "binary_cross_entropy":
        return X, labels, 1
    if loss == "mse":
        return X, np.sin(2 * X[:, 0]) + X[:, 1], 1
    return X, (labels + (X[:, 1] > 0.3)).astype(int), 3  # three classes


def _train(sizes, X, y, loss, make_optimizer, compiled, **settings):
    model = MLP(sizes[0], list(sizes[1:]), seed=5)
    history = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=make_optimizer(model.parameters()),
        progress=False,
        compile=compiled,
        **settings,
    )
    return history, model


def _assert_same(eager, compiled):
    (eager_history, eager_model), (compiled_history, compiled_model) = eager, compiled
    np.testing.assert_allclose(compiled_history.loss, eager_history.loss, rtol=1e-12, atol=1e-15)
    assert compiled_history.accuracy == eager_history.accuracy
    for attribute in ("data", "grad"):  # the Values themselves, after fit returned
        got = [getattr(p, attribute) for p in compiled_model.parameters()]
        expected = [getattr(p, attribute) for p in eager_model.parameters()]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=attribute)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("loss", ["hinge", "mse", "binary_cross_entropy", "cross_entropy"])
def test_compiled_training_equals_eager_for_every_loss_and_optimizer(loss, optimizer):
    X, y, outputs = _problem(loss)
    runs = [
        _train(
            (2, 8, outputs),
            X,
            y,
            getattr(losses, loss),
            OPTIMIZERS[optimizer],
            compiled,
            steps=6,
            batch_size=5,  # minibatches of 5, 5 and 2 rows: three batch sizes
            seed=0,
            penalty=lambda ps: 1e-3 * losses.l2(ps),
        )
        for compiled in (False, True)
    ]
    _assert_same(*runs)


@pytest.mark.parametrize(
    ("sizes", "loss", "samples", "steps"),
    [
        ((2, 16, 16, 1), "hinge", 16, 4),
        ((2, 64, 64, 1), "hinge", 8, 3),
        ((784, 32, 10), "cross_entropy", 3, 2),
    ],
)
def test_compiled_training_equals_eager_on_the_benchmark_shapes(sizes, loss, samples, steps):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(samples, sizes[0]))
    if loss == "hinge":
        y = np.where(X[:, 0] * X[:, 1] > 0, 1, -1)
        penalty = lambda ps: 1e-4 * losses.l2(ps)
    else:
        y, penalty = np.arange(samples) % sizes[-1], None
    runs = [
        _train(sizes, X, y, getattr(losses, loss), OPTIMIZERS["sgd"], compiled, steps=steps,
               penalty=penalty)
        for compiled in (False, True)
    ]  # fmt: skip
    _assert_same(*runs)


def test_cross_entropy_over_ten_classes_is_one_loss_per_row_not_one_per_class():
    from nn.objective import CompiledObjective

    model = MLP(4, [5, 10], seed=0)
    X = np.random.default_rng(0).normal(size=(20, 4))
    y = np.arange(20) % 10
    objective = CompiledObjective(model, losses.cross_entropy, None, model.parameters(), y)
    objective.step(SGD(model.parameters(), lr=0.1), X, y)
    assert objective.traced_losses == 1
    assert len(objective.tape.outputs) == 1 + 10  # the loss, then the ten logits


class FailsOnThirdUpdate(SGD):
    """SGD whose third step raises, as an interrupted run would."""

    calls = 0

    def update(self, data, grads):
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt("stopped by the user")
        return super().update(data, grads)


def test_a_run_that_raises_leaves_the_values_at_the_last_step_taken_as_eager_training_does():
    X, y, _ = _problem("hinge")
    runs = []
    for compiled in (False, True):
        model = MLP(2, [6, 1], seed=5)
        with pytest.raises(KeyboardInterrupt):
            fit(model, X, y, loss=losses.hinge, optimizer=FailsOnThirdUpdate(model.parameters(),
                lr=0.5), steps=5, progress=False, compile=compiled)  # fmt: skip
        runs.append(model)
    for attribute in ("data", "grad"):
        eager, compiled = ([getattr(p, attribute) for p in m.parameters()] for m in runs)
        np.testing.assert_allclose(compiled, eager, rtol=1e-12, atol=1e-15)
    # and the data moved: two steps were taken
    assert [p.data for p in runs[1].parameters()] != [
        p.data for p in MLP(2, [6, 1], seed=5).parameters()
    ]


def test_recorded_frames_of_compiled_training_show_the_weights_eager_training_shows():
    X, y, _ = _problem("hinge", samples=20)
    recordings = []
    for compiled in (False, True):
        record = Recording(max_frames=4)  # steps 0, 3 and 6, and the end
        _train((2, 6, 1), X, y, losses.hinge, OPTIMIZERS["sgd momentum"], compiled, steps=7,
               record=record)  # fmt: skip
        recordings.append(record)
    eager, compiled = recordings
    assert [f.step for f in compiled.frames] == [f.step for f in eager.frames]
    for a, b in zip(eager.frames, compiled.frames):
        np.testing.assert_allclose(b.weights, a.weights, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b.grads, a.grads, rtol=1e-12, atol=1e-12)
        assert b.loss == pytest.approx(a.loss, rel=1e-12)


def test_a_label_the_loss_refuses_is_refused_compiled_with_the_eager_message():
    X = np.random.default_rng(0).normal(size=(6, 2))
    y = np.array([0, 1, 2, 5, 0, 1])  # 5: no such class among 3 logits
    for compiled in (False, True):
        model = MLP(2, [3], seed=0)
        with pytest.raises(ValueError, match="class index 5 is out of range for 3 logits"):
            fit(model, X, y, loss=losses.cross_entropy, optimizer=SGD(model.parameters(), lr=0.1),
                steps=1, progress=False, compile=compiled)  # fmt: skip
