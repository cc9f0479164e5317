"""micrograd's moons demo, written once for each engine the benchmark compares.

The demo: an MLP 2-16-16-1 (relu hidden layers, linear output) learns the "moons" data with the
hinge loss plus 1e-4 times the sum of the squared parameters, by SGD with learning rate
``1 - 0.9 k / 100`` at step k. Every engine starts from the same weights, so the losses and
accuracies of their steps agree, and ``step(k)`` of each returns ``(loss, accuracy)``.
"""

from __future__ import annotations

import itertools

import numpy as np

import autograd
from autograd import Value
from autograd.tape import compile  # noqa: A004 - autograd's, like torch.compile

SIZES = (2, 16, 16, 1)
ALPHA = 1e-4


def moons(samples: int, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with Gaussian noise; labels -1 and +1."""
    rng = np.random.default_rng(seed)
    outer, inner = samples - samples // 2, samples // 2
    t_outer, t_inner = np.linspace(0, np.pi, outer), np.linspace(0, np.pi, inner)
    points = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    labels = np.concatenate([-np.ones(outer), np.ones(inner)])
    return points + rng.normal(scale=noise, size=points.shape), labels


def initial_weights(seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer as micrograd initialises them: W uniform in [-1, 1], b zero."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, (m, n)), np.zeros(m)) for n, m in itertools.pairwise(SIZES)]


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / 100


class ValueMLP:
    """The MLP on Values; a neuron is one ``dot`` node, or micrograd's ``*`` and ``+`` nodes."""

    def __init__(self, weights: list[tuple[np.ndarray, np.ndarray]], neuron: str = "dot"):
        self.layers = [
            [
                (
                    [Value(w, label=f"layers.{i}.neurons.{j}.w[{k}]") for k, w in enumerate(row)],
                    Value(b, label=f"layers.{i}.neurons.{j}.b"),
                )
                for j, (row, b) in enumerate(zip(matrix.tolist(), biases.tolist()))
            ]
            for i, (matrix, biases) in enumerate(weights)
        ]
        self.parameters = [p for layer in self.layers for w, b in layer for p in (*w, b)]
        self.primitive = neuron == "primitive"

    def __call__(self, x: list) -> Value:
        for i, layer in enumerate(self.layers):
            if self.primitive:  # micrograd's Neuron: a + node and a * node per input
                x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            else:
                x = [autograd.dot(w, x, b) for w, b in layer]
            if i < len(self.layers) - 1:
                x = [a.relu() for a in x]
        return x[0]


def sgd(parameters: list, k: int) -> None:
    rate = learning_rate(k)
    for p in parameters:
        p.data -= rate * p.grad


class MicrogradDemo:
    """The demo as micrograd's README runs it, on micrograd 0.1.0."""

    def __init__(self, points: np.ndarray, y: np.ndarray, weights: list) -> None:
        from micrograd.engine import Value as MicroValue
        from micrograd.nn import MLP

        self.Value, self.points, self.y = MicroValue, points.tolist(), y.tolist()
        self.model = MLP(SIZES[0], list(SIZES[1:]))
        for layer, (matrix, biases) in zip(self.model.layers, weights):
            for neuron, row, bias in zip(layer.neurons, matrix.tolist(), biases.tolist()):
                for p, w in zip(neuron.w, row):
                    p.data = w
                neuron.b.data = bias

    def step(self, k: int) -> tuple[float, float]:
        inputs = [list(map(self.Value, row)) for row in self.points]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in self.model.parameters())
        total = data_loss + reg_loss
        accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(self.y, scores)]
        self.model.zero_grad()
        total.backward()
        sgd(self.model.parameters(), k)
        return total.data, sum(accuracy) / len(accuracy)


class ValueDemo:
    """valuegraph eager: ``dot`` neurons and ``autograd.sum``, or micrograd's very program."""

    def __init__(self, points: np.ndarray, y: np.ndarray, weights: list, neuron: str = "dot"):
        self.points, self.y = points.tolist(), y.tolist()
        self.model = ValueMLP(weights, neuron)
        self.sum = autograd.sum if neuron == "dot" else sum

    def step(self, k: int) -> tuple[float, float]:
        inputs = [list(map(Value, row)) for row in self.points]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = self.sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * self.sum(p * p for p in self.model.parameters)
        total = data_loss + reg_loss
        accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(self.y, scores)]
        autograd.zero_grad(self.model.parameters)
        total.backward()
        sgd(self.model.parameters, k)
        return total.data, sum(accuracy) / len(accuracy)


def sample_loss(model: ValueMLP):
    """The demo's loss for one sample (x0, x1, y), and its score: what the tape compiles."""

    def loss(x0: Value, x1: Value, y: Value) -> tuple[Value, Value]:
        score = model([x0, x1])
        penalty = ALPHA * autograd.sum(p * p for p in model.parameters)
        return (1 + -y * score).relu() + penalty, score

    return loss


class CompiledDemo:
    """valuegraph compiled: the per-sample loss traced once, replayed over the whole batch."""

    def __init__(self, points: np.ndarray, y: np.ndarray, weights: list) -> None:
        self.model = ValueMLP(weights)
        self.tape = compile(sample_loss(self.model), [0.0, 0.0, 1.0])
        self.batch = np.column_stack([points, y])
        self.y = y
        self.seeds = np.column_stack([np.full(len(y), 1 / len(y)), np.zeros(len(y))])

    def step(self, k: int) -> tuple[float, float]:
        losses, scores = self.tape.forward(self.batch).T
        autograd.zero_grad(self.model.parameters)
        self.tape.backward(self.seeds)
        sgd(self.model.parameters, k)
        return float(losses.mean()), float(np.mean((self.y > 0) == (scores > 0)))


class NumpyDemo:
    """The practical limit: the same MLP in NumPy arrays with backpropagation written by hand."""

    def __init__(self, points: np.ndarray, y: np.ndarray, weights: list) -> None:
        self.points, self.y = points, y
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
        rate = learning_rate(k)
        for p, g in zip(self.params, grads):
            p -= rate * g
        return loss, float(np.mean((self.y > 0) == (scores > 0)))
