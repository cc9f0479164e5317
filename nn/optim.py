"""Optimizers (SGD, Adam, AdamW) and learning-rate schedules.

An optimizer holds the parameters and their per-parameter state; ``step()`` moves each
parameter's ``data`` using its ``grad``, ``zero_grad()`` clears the grads. The update rules are
PyTorch's, so its documentation describes them. A schedule is a function from the step number
``k`` (from 0) to a learning rate; ``fit`` sets ``optimizer.lr = schedule(k)`` before step ``k``,
and a hand-written loop can do the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd import Value

Schedule = Callable[[int], float]


class Optimizer:
    """The parameters to update and a learning rate ``lr``; subclasses define ``step()``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"parameters must be Values, got {type(p).__name__}")
        self.lr = _at_least(lr, 0.0, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:  # all Values: checked when the optimizer was made
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")


class SGD(Optimizer):
    """Gradient descent, optionally with momentum (heavy-ball or Nesterov) and L2 weight decay.

    ``g = grad + weight_decay * p``; with momentum ``v = momentum * v + g`` and the step uses
    ``v`` (or ``g + momentum * v`` for Nesterov); ``p -= lr * step``.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _at_least(momentum, 0.0, "momentum")
        self.weight_decay = _at_least(weight_decay, 0.0, "weight_decay")
        if nesterov and not momentum:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.nesterov = nesterov
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu, decay, params = self.lr, self.momentum, self.weight_decay, self.params
        grads = [p.grad + decay * p.data for p in params] if decay else [p.grad for p in params]
        if mu:
            velocity = self.velocity = [mu * v + g for v, g in zip(self.velocity, grads)]
            grads = [g + mu * v for g, v in zip(grads, velocity)] if self.nesterov else velocity
        for p, g in zip(params, grads):
            p.data -= lr * g


class Adam(Optimizer):
    """Adam with bias-corrected moment estimates; ``weight_decay`` adds ``weight_decay * p`` to
    the gradient (L2, coupled). For decoupled weight decay use ``AdamW``.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
    ``p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``.
    """

    decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        b1, b2 = betas
        for name, beta in (("betas[0]", b1), ("betas[1]", b2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")
        self.betas = (float(b1), float(b2))
        self.eps = _at_least(eps, 0.0, "eps")
        self.weight_decay = _at_least(weight_decay, 0.0, "weight_decay")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        (b1, b2), lr, eps, decay = self.betas, self.lr, self.eps, self.weight_decay
        m_scale, v_scale = 1.0 / (1.0 - b1**self.t), 1.0 / (1.0 - b2**self.t)
        for i, p in enumerate(self.params):
            g = p.grad
            if self.decoupled:
                p.data -= lr * decay * p.data
            else:
                g = g + decay * p.data
            m = self.m[i] = b1 * self.m[i] + (1.0 - b1) * g
            v = self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m * m_scale) / (math.sqrt(v * v_scale) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p -= lr * weight_decay * p`` before the Adam step."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


def constant(lr: float) -> Schedule:
    """The same learning rate at every step."""
    _at_least(lr, 0.0, "lr")
    return lambda k: lr


def linear_decay(start: float, end: float, steps: int) -> Schedule:
    """From ``start`` at step 0 straight down to ``end`` at step ``steps``, then ``end``.

    micrograd's demo, ``1.0 - 0.9 * k / 100``, is ``linear_decay(1.0, 0.1, 100)``.
    """
    _at_least(steps, 1, "steps")
    return lambda k: start + (end - start) * min(k, steps) / steps


def step_decay(lr: float, every: int, gamma: float = 0.1) -> Schedule:
    """``lr`` multiplied by ``gamma`` once every ``every`` steps."""
    _at_least(every, 1, "every")
    return lambda k: lr * gamma ** (k // every)


def cosine_decay(start: float, steps: int, end: float = 0.0) -> Schedule:
    """Half a cosine from ``start`` at step 0 to ``end`` at step ``steps``, then ``end``."""
    _at_least(steps, 1, "steps")
    return lambda k: end + (start - end) * (1.0 + math.cos(math.pi * min(k, steps) / steps)) / 2


def _at_least(x: float, low: float, name: str) -> float:
    if not x >= low:  # also rejects nan
        raise ValueError(f"{name} must be at least {low}, got {x}")
    return x
