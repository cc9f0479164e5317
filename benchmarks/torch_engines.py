"""PyTorch in the benchmark: scalar tensors for the graph programs and the demo, and batched
tensors for the demo. Imported only when torch is installed.

PyTorch runs on one thread, like NumPy and valuegraph here. With its default of one thread per
core, steps of the batched demo on the 2-core test machine stalled for about 64 ms at random
(threads waiting for each other), which would have flattered valuegraph.
"""

from __future__ import annotations

import numpy as np
import torch

from .moons import ALPHA, SCHEDULE, SIZES, MicrogradProgram, primitive_forward

torch.set_num_threads(1)


def scalar_leaf(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _scalar(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


class TorchScalarDemo(MicrogradProgram):
    """micrograd's program on 0-d float64 tensors: a neuron is a sum of ``*`` and ``+``."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: list) -> None:
        layers = [
            [([scalar_leaf(w) for w in row], scalar_leaf(b)) for row, b in zip(W.tolist(), B)]
            for W, B in weights
        ]
        parameters = [p for layer in layers for w, b in layer for p in (*w, b)]
        super().__init__(_scalar, lambda x: primitive_forward(layers, x), parameters, X, y)

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = None  # PyTorch's way; backward() then starts each gradient afresh


class TorchBatchedDemo:
    """The same MLP on float64 tensors of the whole batch: ``X @ W.T + b`` per layer."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: list) -> None:
        self.points, self.y = torch.tensor(X), torch.tensor(y, dtype=torch.float64)
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
        for p in self.parameters:
            p.grad = None
        total.backward()
        rate = SCHEDULE(k)
        with torch.no_grad():
            for p in self.parameters:
                p -= rate * p.grad
        accuracy = ((self.y > 0) == (scores > 0)).double().mean()
        return total.item(), accuracy.item()
