"""micrograd's moons demo, one training step for each contender the benchmark compares.

The demo: an MLP 2-16-16-1 (relu hidden layers, linear output) learns ``nn.datasets.make_moons``
with the hinge loss plus 1e-4 times the sum of the squared parameters, by SGD with learning rate
``1 - 0.9 k / 100`` at step k. Every contender starts from the same weights, so the losses and
accuracies of their steps agree, and ``step(k)`` of each returns ``(loss, accuracy)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import nn
from autograd import Value
from nn.objective import CompiledObjective, EagerObjective

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4
SCHEDULE = nn.optim.linear_decay(1.0, 0.1, 100)  # micrograd's 1 - 0.9 k / 100


def dataset(samples: int) -> tuple[np.ndarray, np.ndarray]:
    """``samples`` moons points (noise 0.1) and their labels, -1 and +1."""
    X, y = nn.datasets.make_moons(samples, noise=0.1, seed=0)
    return X, nn.datasets.signed_labels(y)


def initial_weights(seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer as micrograd initialises them: W uniform in [-1, 1], b zero."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, (m, n)), np.zeros(m)) for n, m in itertools.pairwise(SIZES)]


def parameter_values(weights: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    """The weights in the order nn and micrograd list parameters: neuron by neuron, its weights
    and then its bias."""
    return np.concatenate([np.column_stack(layer).ravel() for layer in weights]).tolist()


def mlp(weights: list[tuple[np.ndarray, np.ndarray]]) -> nn.MLP:
    """The demo's ``nn.MLP`` (a ``dot`` node per neuron) holding ``weights``."""
    model = nn.MLP(SIZES[0], SIZES[1:], seed=0)
    model.load_state_dict(dict(zip(model.state_dict(), parameter_values(weights))))
    return model


def primitive_forward(layers: Sequence[Sequence[tuple[Sequence[Any], Any]]], x: list) -> Any:
    """The MLP as micrograd's ``Neuron`` computes it, a ``*`` and a ``+`` node per input, on
    the (weights, bias) of each neuron of each layer: scalars of any engine."""
    for i, layer in enumerate(layers):
        x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
        if i < len(layers) - 1:
            x = [a.relu() for a in x]
    return x[0]


class MicrogradProgram:
    """The training step as micrograd's README writes it, on any engine with micrograd's API: a
    constructor of input scalars, a model and its parameters."""

    def __init__(
        self,
        scalar: Callable[[float], Any],
        model: Callable[[list], Any],
        parameters: list,
        X: np.ndarray,
        y: np.ndarray,
    ) -> None:
        self.scalar, self.model, self.parameters = scalar, model, parameters
        self.points, self.y = X.tolist(), y.tolist()

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = 0.0

    def step(self, k: int) -> tuple[float, float]:
        inputs = [list(map(self.scalar, row)) for row in self.points]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in self.parameters)
        total = data_loss + reg_loss
        accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(self.y, scores)]
        self.zero_grad()
        total.backward()
        rate = SCHEDULE(k)
        for p in self.parameters:
            p.data -= rate * p.grad
        return float(total.data), float(sum(accuracy)) / len(accuracy)


def micrograd_demo(X: np.ndarray, y: np.ndarray, weights: list) -> MicrogradProgram:
    """The demo on micrograd 0.1.0's ``Value`` and ``MLP``."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP

    model = MLP(SIZES[0], list(SIZES[1:]))
    for p, w in zip(model.parameters(), parameter_values(weights)):
        p.data = w
    return MicrogradProgram(MicroValue, model, model.parameters(), X, y)


def primitive_demo(X: np.ndarray, y: np.ndarray, weights: list) -> MicrogradProgram:
    """micrograd's very program on valuegraph's ``Value``, over an ``nn.MLP``'s parameters."""
    model = mlp(weights)
    layers = [[(n.w, n.b) for n in layer.neurons] for layer in model.layers]
    return MicrogradProgram(Value, lambda x: primitive_forward(layers, x), model.parameters(), X, y)


def penalty(parameters: list[Value]) -> Value:
    """The demo's regularisation: ``ALPHA`` times the sum of the squared parameters."""
    return ALPHA * nn.losses.l2(parameters)


def train(
    X: np.ndarray,
    y: np.ndarray,
    weights: list,
    steps: int,
    compile: bool = False,  # noqa: A002
) -> tuple[nn.MLP, nn.History]:
    """The demo as a user trains it, with ``nn.fit``: ``(model, history)``."""
    model = mlp(weights)
    history = nn.fit(
        model,
        X,
        y,
        loss=nn.losses.hinge,
        optimizer=nn.SGD(model.parameters(), lr=SCHEDULE(0)),
        steps=steps,
        schedule=SCHEDULE,
        penalty=penalty,
        progress=False,
        compile=compile,
    )
    return model, history


class FitDemo:
    """One step of ``nn.fit``'s loop, written out so each step can be timed (a call of ``fit`` per
    step would trace new tapes every time): the objective ``fit`` builds, eager or compiled."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: list, compile: bool = False):  # noqa: A002
        self.model = mlp(weights)
        self.parameters = self.model.parameters()
        self.optimizer = nn.SGD(self.parameters, lr=SCHEDULE(0))
        self.X, self.y, self.targets = X, y, y.tolist()
        self.objective = (
            CompiledObjective(self.model, nn.losses.hinge, penalty, self.parameters, np.unique(y))
            if compile
            else EagerObjective(self.model, nn.losses.hinge, penalty, self.parameters)
        )

    def step(self, k: int) -> tuple[float, float]:
        self.optimizer.lr = SCHEDULE(k)
        value, outputs = self.objective.step(self.optimizer, self.X, self.y)
        return value, nn.losses.accuracy(outputs, self.targets, nn.losses.hinge.predict)


class NumpyDemo:
    """The practical limit: the same MLP in NumPy arrays with backpropagation written by hand."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: list) -> None:
        self.points, self.y = X, y
        self.params = [a.copy() for layer in weights for a in layer]

    def gradients(self) -> tuple[float, np.ndarray, list[np.ndarray]]:
        """(loss, scores, gradient of each parameter)."""
        w1, b1, w2, b2, w3, b3 = self.params
        x, y, n = self.points, self.y, len(self.y)
        h1 = x @ w1.T + b1
        a1 = np.maximum(h1, 0.0)
        h2 = a1 @ w2.T + b2
        a2 = np.maximum(h2, 0.0)
        scores = (a2 @ w3.T + b3)[:, 0]
        margins = 1.0 - y * scores
        penalty = sum(float(np.sum(p * p)) for p in self.params)
        loss = float(np.maximum(margins, 0.0).mean() + ALPHA * penalty)
        d_scores = np.where(margins > 0, -y, 0.0)[:, None] / n
        d_h2 = (d_scores @ w3) * (h2 > 0)
        d_h1 = (d_h2 @ w2) * (h1 > 0)
        grads = [
            d_h1.T @ x,
            d_h1.sum(0),
            d_h2.T @ a1,
            d_h2.sum(0),
            d_scores.T @ a2,
            d_scores.sum(0),
        ]
        return loss, scores, [g + 2 * ALPHA * p for g, p in zip(grads, self.params)]

    def step(self, k: int) -> tuple[float, float]:
        loss, scores, grads = self.gradients()
        rate = SCHEDULE(k)
        for p, g in zip(self.params, grads):
            p -= rate * g
        return loss, float(np.mean((self.y > 0) == (scores > 0)))
