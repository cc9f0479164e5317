"""micrograd's moons demo as micrograd's README writes it, on any engine with micrograd's API.

The demo is ``problems.MOONS``: an MLP 2-16-16-1 learns the moons by the hinge loss plus 1e-4
times the sum of the squared parameters, by SGD at rate ``1 - 0.9 k / 100`` at step k. Each
program starts from the problem's shared weights, and ``step()`` returns ``(loss, accuracy)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Value

from .fit_step import mlp
from .problems import MOONS, Weights, parameter_values


def primitive_forward(layers: Sequence[Sequence[tuple[Sequence[Any], Any]]], x: list) -> Any:
    """The MLP as micrograd's ``Neuron`` computes it, a ``*`` and a ``+`` node per input, on
    the (weights, bias) of each neuron of each layer: scalars of any engine."""
    for i, layer in enumerate(layers):
        x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
        if i < len(layers) - 1:
            x = [a.relu() for a in x]
    return x[0]


class MicrogradProgram:
    """The training step of micrograd's README: a constructor of input scalars, a model and its
    parameters, steps k = 0, 1, 2, ... at the demo's rate for k mod 100."""

    def __init__(
        self,
        scalar: Callable[[float], Any],
        model: Callable[[list], Any],
        parameters: list,
        X: np.ndarray,
        y: np.ndarray,
    ) -> None:
        self.scalar, self.model, self.parameters = scalar, model, parameters
        self.points, self.y, self.k = X.tolist(), y.tolist(), 0

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> tuple[float, float]:
        inputs = [list(map(self.scalar, row)) for row in self.points]
        scores = list(map(self.model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = MOONS.alpha * sum(p * p for p in self.parameters)
        total = data_loss + reg_loss
        accuracy = [(yi > 0) == (float(si.data) > 0) for yi, si in zip(self.y, scores)]
        self.zero_grad()
        total.backward()
        rate = MOONS.schedule(self.k % 100)
        self.k += 1
        for p in self.parameters:
            p.data -= rate * p.grad
        return float(total.data), float(sum(accuracy)) / len(accuracy)


def micrograd_demo(X: np.ndarray, y: np.ndarray, weights: Weights) -> MicrogradProgram:
    """The demo on micrograd 0.1.0's ``Value`` and ``MLP``."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP

    model = MLP(MOONS.sizes[0], list(MOONS.sizes[1:]))
    for p, w in zip(model.parameters(), parameter_values(weights)):
        p.data = w
    return MicrogradProgram(MicroValue, model, model.parameters(), X, y)


def primitive_demo(X: np.ndarray, y: np.ndarray, weights: Weights) -> MicrogradProgram:
    """micrograd's very program on valuegraph's ``Value``, over an ``nn.MLP``'s parameters."""
    model = mlp(MOONS, weights)
    layers = [[(n.w, n.b) for n in layer.neurons] for layer in model.layers]
    return MicrogradProgram(Value, lambda x: primitive_forward(layers, x), model.parameters(), X, y)
