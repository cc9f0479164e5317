"""valuegraph's training step as the benchmark times it: the objective ``nn.fit`` builds, eager
or compiled (``fit(..., compile=True)``), stepped once per call. The one place that knows how
``fit`` builds it; a step is compared to the others by the loss and accuracy it returns."""

from __future__ import annotations

from typing import Any

import numpy as np

import nn
from nn.objective import CompiledObjective, EagerObjective

from .problems import Problem, Weights, parameter_values

LOSSES = {"hinge": nn.losses.hinge, "cross_entropy": nn.losses.cross_entropy}


def mlp(problem: Problem, weights: Weights) -> nn.MLP:
    """The problem's ``nn.MLP`` (a ``dot`` node per neuron) holding ``weights``."""
    model = nn.MLP(problem.sizes[0], problem.sizes[1:], seed=0)
    model.load_state_dict(dict(zip(model.state_dict(), parameter_values(weights))))
    return model


class FitStep:
    """Steps k = 0, 1, 2, ... of ``fit`` on one batch, at the problem's rate for k mod 100."""

    def __init__(
        self,
        problem: Problem,
        X: np.ndarray,
        y: np.ndarray,
        weights: Weights,
        compile: bool,  # noqa: A002
    ) -> None:
        self.model = mlp(problem, weights)
        params = self.model.parameters()
        self.loss, self.schedule = LOSSES[problem.loss], problem.schedule
        alpha = problem.alpha
        penalty = (lambda ps: alpha * nn.losses.l2(ps)) if alpha else None
        self.optimizer = nn.SGD(params, lr=self.schedule(0))
        self.objective = (
            CompiledObjective(self.model, self.loss, penalty, params, np.unique(y))
            if compile
            else EagerObjective(self.model, self.loss, penalty, params)
        )
        self.X, self.y, self.targets, self.k = X, y, y.tolist(), 0

    @property
    def traced_losses(self) -> Any:
        """How many loss outputs the compiled objective traced (None where it does not say)."""
        return getattr(self.objective, "traced_losses", None)

    def step(self) -> tuple[float, float]:
        self.optimizer.lr = self.schedule(self.k % 100)
        self.k += 1
        value, outputs = self.objective.step(self.optimizer, self.X, self.y)
        return value, nn.losses.accuracy(outputs, self.y, self.loss.predict)
