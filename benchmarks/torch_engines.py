"""PyTorch in the benchmark: 0-d tensors for the graph programs and micrograd's program, and
batched float64 tensors for the training steps. Imported only when torch is installed.

PyTorch runs on one thread, like NumPy and valuegraph here. With its default of one thread per
core, steps of the batched demo on the 2-core test machine stalled for about 64 ms at random
(threads waiting for each other), which would have flattered valuegraph.
"""

from __future__ import annotations

import numpy as np
import torch

from .moons import MicrogradProgram, primitive_forward
from .problems import Problem, Weights

torch.set_num_threads(1)


def scalar_leaf(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _scalar(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


class TorchScalarDemo(MicrogradProgram):
    """micrograd's program on 0-d float64 tensors: a neuron is a sum of ``*`` and ``+``."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: Weights) -> None:
        layers = [
            [([scalar_leaf(w) for w in row], scalar_leaf(b)) for row, b in zip(W.tolist(), B)]
            for W, B in weights
        ]
        parameters = [p for layer in layers for w, b in layer for p in (*w, b)]
        super().__init__(_scalar, lambda x: primitive_forward(layers, x), parameters, X, y)

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = None  # PyTorch's way; backward() then starts each gradient afresh


class TorchBatched:
    """The problem's step on float64 tensors of the whole batch, as PyTorch is written:
    ``F.linear`` per layer, the loss and penalty of the batch, ``backward()``, an in-place SGD
    update."""

    def __init__(self, problem: Problem, X: np.ndarray, y: np.ndarray, weights: Weights) -> None:
        self.problem, self.k = problem, 0
        self.X = torch.tensor(X, dtype=torch.float64)
        hinge = problem.loss == "hinge"
        self.y = torch.tensor(y, dtype=torch.float64 if hinge else torch.int64)
        self.params = [torch.tensor(a, requires_grad=True) for layer in weights for a in layer]

    def step(self) -> tuple[float, float]:
        h, layers = self.X, len(self.params) // 2
        for i in range(layers):
            h = torch.nn.functional.linear(h, self.params[2 * i], self.params[2 * i + 1])
            if i < layers - 1:
                h = h.relu()
        if self.problem.loss == "hinge":
            scores = h[:, 0]
            total = (1 - self.y * scores).relu().mean()
            correct = ((scores > 0) == (self.y > 0)).sum()
        else:
            total = torch.nn.functional.cross_entropy(h, self.y)
            correct = (h.argmax(dim=1) == self.y).sum()
        if self.problem.alpha:
            total = total + self.problem.alpha * sum(p.square().sum() for p in self.params)
        for p in self.params:
            p.grad = None
        total.backward()
        rate = self.problem.schedule(self.k % 100)
        self.k += 1
        with torch.no_grad():
            for p in self.params:
                p.add_(p.grad, alpha=-rate)
        return total.item(), correct.item() / len(self.y)
