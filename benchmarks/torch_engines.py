"""PyTorch in the benchmark: scalar tensors for the graph programs and the demo, and batched
tensors for the demo. Imported only when torch is installed.

PyTorch runs on one thread, like NumPy and valuegraph here. With its default of one thread per
core, steps of the batched demo on the 2-core test machine stalled for about 64 ms at random
(threads waiting for each other), which would have flattered valuegraph.
"""

from __future__ import annotations

import numpy as np
import torch

from .moons import ALPHA, SIZES, learning_rate

torch.set_num_threads(1)


def scalar_leaf(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _update(parameters: list[torch.Tensor], k: int) -> None:
    rate = learning_rate(k)
    with torch.no_grad():
        for p in parameters:
            p -= rate * p.grad
            p.grad = None


class TorchScalarDemo:
    """micrograd's program on 0-d float64 tensors: a neuron is a sum of ``*`` and ``+``."""

    def __init__(self, points: np.ndarray, y: np.ndarray, weights: list) -> None:
        self.points, self.y = points.tolist(), y.tolist()
        self.layers = [
            [
                ([scalar_leaf(w) for w in row], scalar_leaf(b))
                for row, b in zip(W.tolist(), b.tolist())
            ]
            for W, b in weights
        ]
        self.parameters = [p for layer in self.layers for w, b in layer for p in (*w, b)]

    def model(self, x: list) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            if i < len(self.layers) - 1:
                x = [a.relu() for a in x]
        return x[0]

    def step(self, k: int) -> tuple[float, float]:
        inputs = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in self.points]
        scores = [self.model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in self.parameters)
        accuracy = [(yi > 0) == (si.item() > 0) for yi, si in zip(self.y, scores)]
        total.backward()
        _update(self.parameters, k)
        return total.item(), sum(accuracy) / len(accuracy)


class TorchBatchedDemo:
    """The same MLP on float64 tensors of the whole batch: ``X @ W.T + b`` per layer."""

    def __init__(self, points: np.ndarray, y: np.ndarray, weights: list) -> None:
        self.points, self.y = torch.tensor(points), torch.tensor(y)
        self.parameters = [torch.tensor(a, requires_grad=True) for layer in weights for a in layer]

    def step(self, k: int) -> tuple[float, float]:
        h = self.points
        for i in range(len(SIZES) - 1):
            h = h @ self.parameters[2 * i].T + self.parameters[2 * i + 1]
            if i < len(SIZES) - 2:
                h = h.relu()
        scores = h[:, 0]
        penalty = sum((p * p).sum() for p in self.parameters)
        total = (1 - self.y * scores).relu().mean() + ALPHA * penalty
        total.backward()
        _update(self.parameters, k)
        accuracy = ((self.y > 0) == (scores > 0)).double().mean()
        return total.item(), accuracy.item()
