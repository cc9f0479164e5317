"""A stand-in for the nn package in viz tests: an MLP made of autograd Values whose parameters
carry exactly nn's labels (``layers.{i}.neurons.{j}.w[{k}]``, ``....b``) and whose neurons are
``act(autograd.dot(w, x, b))``, plus the micrograd demo's data and hinge loss."""

from __future__ import annotations

import itertools
import math
import random

import autograd
from autograd import Value


def neuron_parameters(n_inputs: int, prefix: str, rng: random.Random) -> list[Value]:
    weights = [Value(rng.uniform(-1, 1), label=f"{prefix}w[{k}]") for k in range(n_inputs)]
    return [*weights, Value(0.0, label=f"{prefix}b")]


def neuron(parameters: list[Value], x: list, activation: str | None) -> Value:
    out = autograd.dot(parameters[:-1], x, parameters[-1])
    return getattr(out, activation)() if activation else out


class MLP:
    """Layers of neurons; ``relu`` between layers, a linear last layer (as micrograd's demo)."""

    def __init__(self, sizes: list[int], seed: int = 0) -> None:
        rng = random.Random(seed)
        self.layers = [
            [neuron_parameters(n_in, f"layers.{i}.neurons.{j}.", rng) for j in range(n_out)]
            for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes))
        ]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for neuron_ in layer for p in neuron_]

    def __call__(self, x: list) -> list[Value]:
        for i, layer in enumerate(self.layers):
            activation = "relu" if i < len(self.layers) - 1 else None
            x = [neuron(parameters, x, activation) for parameters in layer]
        return x


def moons(n: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with labels -1 and +1 (as sklearn's make_moons, noise 0.1)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2:
            point, label = [math.cos(t), math.sin(t)], -1.0
        else:
            point, label = [1 - math.cos(t), 0.5 - math.sin(t)], 1.0
        xs.append([c + rng.gauss(0, 0.1) for c in point])
        ys.append(label)
    return xs, ys


def demo_loss(model: MLP, xs: list[list[float]], ys: list[float], alpha: float = 1e-4) -> Value:
    """micrograd's demo loss: mean hinge loss plus L2 regularisation, written as it writes it."""
    inputs = [[Value(c) for c in row] for row in xs]
    scores = [model(x)[0] for x in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss
