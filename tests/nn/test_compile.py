"""fit(..., compile=True) trains on tapes and gives the eager engine's numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd.tape import TapeMismatchError
from nn import MLP, SGD, Adam, Module, datasets, fit, losses, optim
from nn.objective import CompiledObjective


def _train_both_ways(make_model, make_optimizer, X, y, **settings):
    """(history, final weights) of the eager run and of the compiled run."""
    runs = []
    for compiled in (False, True):
        model = make_model()
        optimizer = make_optimizer(model.parameters())
        settings |= {"optimizer": optimizer, "compile": compiled, "progress": False}
        history = fit(model, X, y, **settings)
        runs.append((history, np.array([p.data for p in model.parameters()])))
    return runs


def _assert_same(runs):
    (eager, eager_weights), (compiled, compiled_weights) = runs
    np.testing.assert_allclose(compiled.loss, eager.loss, rtol=1e-12)
    assert compiled.accuracy == eager.accuracy
    np.testing.assert_allclose(compiled_weights, eager_weights, rtol=1e-10, atol=1e-13)


def test_micrograd_demo_recipe_compiled_matches_eager():
    X, y = datasets.make_moons(100, noise=0.1, seed=1337)
    runs = _train_both_ways(
        lambda: MLP(2, [16, 16, 1], seed=1337),
        lambda params: SGD(params, lr=1.0),
        X,
        datasets.signed_labels(y),
        loss=losses.hinge,
        steps=20,
        schedule=optim.linear_decay(1.0, 0.1, 20),
        penalty=lambda ps: 1e-4 * losses.l2(ps),
    )
    _assert_same(runs)
    assert runs[1][0].accuracy[-1] > 0.85


def test_class_labels_stored_as_floats_compile_too():
    X, y = datasets.make_moons(40, noise=0.1, seed=4)
    runs = _train_both_ways(
        lambda: MLP(2, [6, 1], seed=4),
        lambda params: SGD(params, lr=0.5),
        X,
        datasets.signed_labels(y).astype(float),
        loss=losses.hinge,
        steps=5,
    )
    _assert_same(runs)


def test_cross_entropy_on_minibatches_compiled_matches_eager():
    X, y = datasets.make_spiral(120, classes=3, seed=0)
    runs = _train_both_ways(
        lambda: MLP(2, [8, 3], activation="tanh", seed=0),
        lambda params: Adam(params, lr=0.03),
        X,
        y,
        loss=losses.cross_entropy,
        steps=12,
        batch_size=32,
        seed=5,
    )
    _assert_same(runs)


def test_regression_with_real_targets_compiled_matches_eager():
    X = np.linspace(-1, 1, 40)[:, None]
    runs = _train_both_ways(
        lambda: MLP(1, [8, 1], activation="tanh", seed=0),
        lambda params: SGD(params, lr=0.1, momentum=0.9),
        X,
        np.sin(3 * X[:, 0]),
        loss=losses.mse,
        steps=15,
    )
    _assert_same(runs)


def test_one_tape_computes_one_loss_per_row_with_the_labels_one_hot_as_inputs():
    model = MLP(2, [4, 3], seed=0)
    objective = CompiledObjective(model, losses.cross_entropy, None, model.parameters(), [0, 1, 2])
    rows = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.7, 0.8]])
    targets = np.array([2, 0, 2, 1])
    value, outputs = objective.accumulate(rows, targets)
    assert objective.traced_losses == 1
    assert len(objective.tape.inputs) == 2 + 3 and len(objective.tape.outputs) == 1 + 3
    eager = [losses.cross_entropy(model(r), t).data for r, t in zip(rows.tolist(), targets)]
    assert value == pytest.approx(sum(eager) / 4, rel=1e-12)
    assert outputs.argmax(axis=1).tolist() == [losses.predict_class(model(r)) for r in rows]
    with pytest.raises(ValueError, match="none of the labels"):
        objective.accumulate(rows, np.array([2, 0, 7, 1]))


@losses.predicts(losses.predict_class)  # no target_columns: labels cannot be tape inputs
def index_only_cross_entropy(logits, k):
    return autograd.logsumexp(logits) - logits[k]


def test_a_class_loss_without_an_encoding_is_traced_once_per_label_each_row_seeded_at_its_own():
    model = MLP(2, [4, 3], seed=0)
    objective = CompiledObjective(
        model, index_only_cross_entropy, None, model.parameters(), [0, 1, 2]
    )
    rows = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.7, 0.8]])
    targets = np.array([2, 0, 2, 1])
    value, _ = objective.accumulate(rows, targets)
    assert objective.traced_losses == 3 and len(objective.tape.outputs) == 3 + 3
    gradients = [p.grad for p in model.parameters()]
    model.zero_grad()
    total = autograd.sum(losses.cross_entropy(model(r), t) for r, t in zip(rows.tolist(), targets))
    (total / 4).backward()
    assert value == pytest.approx(total.data / 4, rel=1e-12)
    np.testing.assert_allclose(gradients, [p.grad for p in model.parameters()], rtol=1e-12)


def test_real_targets_are_inputs_of_the_tape_and_the_penalty_one_of_its_outputs():
    model = MLP(2, [3, 1], seed=0)
    objective = CompiledObjective(model, losses.mse, losses.l2, model.parameters())
    rows = np.array([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]])
    value, _ = objective.accumulate(rows, np.array([0.5, -1.0, 2.0]))
    assert len(objective.tape.inputs) == 2 + 1
    assert len(objective.tape.outputs) == 1 + 1 + 1  # the loss, the penalty, the model's output
    eager = sum(losses.mse(model(r), t).data for r, t in zip(rows.tolist(), [0.5, -1.0, 2.0]))
    assert value == pytest.approx(eager / 3 + losses.l2(model.parameters()).data, rel=1e-12)
    gradients = [p.grad for p in model.parameters()]
    model.zero_grad()
    eager_total = autograd.sum(
        losses.mse(model(r), t) for r, t in zip(rows.tolist(), [0.5, -1.0, 2.0])
    )
    (eager_total / 3 + losses.l2(model.parameters())).backward()
    np.testing.assert_allclose(gradients, [p.grad for p in model.parameters()], rtol=1e-12)


class Branchy(Module):
    """A model whose Python code branches on a value: a tape would freeze one branch."""

    def __init__(self):
        self.net = MLP(2, [4, 1], seed=0)

    def __call__(self, x):
        out = self.net(x)
        return out * 2 if out.data > 0 else out


def test_a_model_that_branches_on_values_is_refused_when_compiled():
    X, y = datasets.make_moons(40, noise=0.1, seed=2)
    model = Branchy()
    with pytest.raises(TapeMismatchError):
        fit(model, X, datasets.signed_labels(y), loss=losses.hinge, steps=1, progress=False,
            optimizer=SGD(model.parameters(), lr=0.1), compile=True)  # fmt: skip


class SignSGD(SGD):
    """An optimizer with a ``step`` of its own (as a user might write one): the compiled step
    must call it, not fuse SGD's array rule."""

    def step(self):
        for p in self.params:
            p.data -= self.lr * math.copysign(1.0, p.grad)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda ps: SGD(ps, lr=0.3, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda ps: Adam(ps, lr=0.05, weight_decay=0.01),
    ],
)
def test_the_one_pass_compiled_step_equals_zero_grad_backward_and_step(make_optimizer):
    X, y = datasets.make_moons(30, noise=0.1, seed=2)
    rows, targets = X, datasets.signed_labels(y)
    models = [MLP(2, [5, 1], seed=3) for _ in range(2)]
    fused, plain = (
        CompiledObjective(m, losses.hinge, losses.l2, m.parameters(), [-1, 1]) for m in models
    )
    optimizers = [make_optimizer(m.parameters()) for m in models]
    initial = [p.data for p in models[0].parameters()]
    for _ in range(4):
        fused.step(optimizers[0], rows, targets)
        optimizers[1].zero_grad()  # the generic step, written out
        plain.accumulate(rows, targets)
        optimizers[1].step()
    assert fused._fused is not None and fused._fused[1] is not None  # the array step ran
    assert [p.data for p in models[0].parameters()] == initial  # the parameters are in an array
    fused.sync()
    for a, b in zip(*(m.parameters() for m in models)):
        assert (a.data, a.grad) == (b.data, b.grad)


def test_a_compiled_step_with_an_optimizer_of_its_own_or_of_some_parameters_is_the_plain_step():
    X, y = datasets.make_moons(20, noise=0.1, seed=2)
    rows, targets = X, datasets.signed_labels(y)
    model = MLP(2, [4, 1], seed=3)
    objective = CompiledObjective(model, losses.hinge, None, model.parameters(), [-1, 1])
    first, last = model.layers[0].parameters(), model.layers[1].parameters()
    frozen = [p.data for p in first]
    objective.step(SGD(last, lr=0.5), rows, targets)  # only the last layer moves
    assert [p.data for p in first] == frozen  # their gradients are still added, as backward's
    assert any(p.grad != 0 for p in first) and any(p.grad != 0 for p in last)
    before = [p.data for p in model.parameters()]
    objective.step(SignSGD(model.parameters(), lr=0.5), rows, targets)
    grads = [p.grad for p in model.parameters()]
    moved = [b - 0.5 * math.copysign(1.0, g) for b, g in zip(before, grads)]
    assert [p.data for p in model.parameters()] == moved


def test_cross_entropy_at_extreme_logits_compiled_matches_eager_on_every_row():
    X = np.array([[5000.0], [-5000.0], [1.0], [-3000.0], [0.5], [4000.0]])
    y = np.array([0, 2, 1, 1, 0, 2])
    runs = _train_both_ways(
        lambda: MLP(1, [3], seed=0),
        lambda params: SGD(params, lr=1e-4),
        X,
        y,
        loss=losses.cross_entropy,
        steps=3,
    )
    _assert_same(runs)
    assert np.isfinite(runs[1][0].loss).all() and np.isfinite(runs[1][1]).all()
    model = MLP(1, [3], seed=0)
    tape = CompiledObjective(model, losses.cross_entropy, None, model.parameters(), y)
    tape._evaluate(X, y, None)  # traces, and checks the telling rows, extremes among them
    rows = [model([x]) for x in X[:, 0]]
    compiled = np.column_stack(  # each row's loss for each label
        [
            tape.tape.forward(np.column_stack([X, losses.one_hot([k] * 6, 3)]))[:, 0]
            for k in range(3)
        ]
    )
    eager = [[losses.cross_entropy(r, k).data for k in range(3)] for r in rows]
    np.testing.assert_allclose(compiled, eager, rtol=1e-12)


class FlipsOnInput(Module):
    """Branches on a comparison of Values (``x[0] > 0``): a guard of the trace."""

    def __init__(self):
        self.net = MLP(2, [4, 1], seed=0)

    def __call__(self, x):
        out = self.net(x)
        return out if x[0] > 0 else -out


def test_a_model_branching_on_a_comparison_of_values_is_refused_on_any_batch():
    X, y = datasets.make_moons(40, noise=0.1, seed=2)
    model = FlipsOnInput()
    before = [p.data for p in model.parameters()]
    with pytest.raises(TapeMismatchError, match=r"x\[0\] > 0.*compile=False"):
        fit(model, X, datasets.signed_labels(y), loss=losses.hinge, steps=1, progress=False,
            optimizer=SGD(model.parameters(), lr=0.1), compile=True)  # fmt: skip
    assert [p.data for p in model.parameters()] == before  # refused before any step
    positive = X[X[:, 0] > 0]  # traced and replayed on one side: trains as eager does
    runs = _train_both_ways(
        FlipsOnInput, lambda ps: SGD(ps, lr=0.1), positive,
        datasets.signed_labels(y[X[:, 0] > 0]), loss=losses.hinge, steps=3,
    )  # fmt: skip
    _assert_same(runs)


def test_a_nan_in_the_data_is_refused_before_compiled_or_eager_training():
    X, y = datasets.make_moons(17, noise=0.1, seed=3)
    X[15, 0] = np.nan
    for compiled in (False, True):
        model = MLP(2, [4, 1], seed=0)
        before = [p.data for p in model.parameters()]
        with pytest.raises(ValueError, match="row 15"):
            fit(model, X, datasets.signed_labels(y), loss=losses.hinge, steps=1, progress=False,
                optimizer=SGD(model.parameters(), lr=0.1), compile=compiled)  # fmt: skip
        assert [p.data for p in model.parameters()] == before


def test_a_nan_made_by_the_loss_under_detect_anomaly_stops_compiled_training_as_eager():
    X, y = datasets.make_moons(17, noise=0.1, seed=3)

    def bad_loss(out, target):  # sqrt(t - 1): nan on every row labelled -1
        return (out - out + target - 1.0).sqrt()

    for compiled in (False, True):
        model = MLP(2, [4, 1], seed=0)
        before = [p.data for p in model.parameters()]
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="sqrt"):
            fit(model, X, datasets.signed_labels(y), loss=bad_loss, steps=1, progress=False,
                optimizer=SGD(model.parameters(), lr=0.1), compile=compiled)  # fmt: skip
        assert [p.data for p in model.parameters()] == before
