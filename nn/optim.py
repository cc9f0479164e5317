"""Optimizers (SGD, Adam, AdamW) and learning-rate schedules.

An optimizer holds the parameters and their state; ``step()`` moves each parameter's ``data``
using its ``grad``, ``zero_grad()`` clears the grads. Each optimizer's rule is written once, in
``update``, on NumPy arrays with one entry per parameter: ``step()`` applies it to the Values,
and a compiled training step applies it to the gradients the tape computed. The rules are
PyTorch's, so its documentation describes them. A schedule is a function from the step number
``k`` (from 0) to a learning rate; ``fit`` sets ``optimizer.lr = schedule(k)`` before step ``k``,
and a hand-written loop can do the same. Every rate is checked when it is set, however it is set:
a negative, nan or infinite one, or one that is not a number, is refused (``ValueError``,
``TypeError``); ``fit`` checks a schedule's rates for all its steps before the first.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable

import numpy as np
from numpy.typing import NDArray

from autograd import Value

from .checks import count

Array = NDArray[np.float64]

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
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate of the next step; setting it checks it (a number, at least 0)."""
        return self._lr

    @lr.setter
    def lr(self, lr: float) -> None:
        self._lr = _at_least(lr, 0.0, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:  # all Values: checked when the optimizer was made
            p.grad = 0.0

    def step(self) -> None:
        """Move every parameter by the rule of ``update``, from its ``.data`` and ``.grad``."""
        data = np.array([p.data for p in self.params])
        grads = np.array([p.grad for p in self.params])
        for p, x in zip(self.params, self.update(data, grads).tolist()):
            p.data = x

    def update(self, data: Array, grads: Array) -> Array:
        """The parameters' new values from their values and gradients (arrays in the order of
        ``params``); advances the optimizer's state. Subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define update() or step()")


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
        self.velocity = np.zeros(len(self.params))

    def update(self, data: Array, grads: Array) -> Array:
        mu = self.momentum
        g = grads + self.weight_decay * data if self.weight_decay else grads
        if mu:
            self.velocity = mu * self.velocity + g
            g = g + mu * self.velocity if self.nesterov else self.velocity
        return data - self.lr * g


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
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))

    def update(self, data: Array, grads: Array) -> Array:
        self.t += 1
        (b1, b2), lr, eps, decay = self.betas, self.lr, self.eps, self.weight_decay
        m_scale, v_scale = 1.0 / (1.0 - b1**self.t), 1.0 / (1.0 - b2**self.t)
        if self.decoupled:
            data = data - lr * decay * data
        else:
            grads = grads + decay * data
        self.m = b1 * self.m + (1.0 - b1) * grads
        self.v = b2 * self.v + (1.0 - b2) * grads * grads
        return data - lr * (self.m * m_scale) / (np.sqrt(self.v * v_scale) + eps)


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


def rates(schedule: Schedule, steps: int) -> list[float]:
    """``schedule(k)`` for each step ``k`` of ``steps``, every one checked as ``lr`` is."""
    if not callable(schedule):
        raise TypeError(f"schedule must be a function of the step, got {type(schedule).__name__}")
    checked = []
    for k in range(steps):
        rate = schedule(k)
        try:
            checked.append(_at_least(rate, 0.0, "lr"))
        except (TypeError, ValueError) as error:
            raise type(error)(f"schedule({k}) returned {rate!r}: {error}") from None
    return checked


def constant(lr: float) -> Schedule:
    """The same learning rate at every step."""
    _at_least(lr, 0.0, "lr")
    return lambda k: lr


def linear_decay(start: float, end: float, steps: int) -> Schedule:
    """From ``start`` at step 0 straight down to ``end`` at step ``steps``, then ``end``.

    micrograd's demo, ``1.0 - 0.9 * k / 100``, is ``linear_decay(1.0, 0.1, 100)``.
    """
    count(steps, "steps")
    _at_least(start, 0.0, "start")
    _at_least(end, 0.0, "end")
    return lambda k: start + (end - start) * min(k, steps) / steps


def step_decay(lr: float, every: int, gamma: float = 0.1) -> Schedule:
    """``lr`` multiplied by ``gamma`` once every ``every`` steps."""
    count(every, "every")
    _at_least(lr, 0.0, "lr")
    _at_least(gamma, 0.0, "gamma")
    return lambda k: lr * gamma ** (k // every)


def cosine_decay(start: float, steps: int, end: float = 0.0) -> Schedule:
    """Half a cosine from ``start`` at step 0 to ``end`` at step ``steps``, then ``end``."""
    count(steps, "steps")
    _at_least(start, 0.0, "start")
    _at_least(end, 0.0, "end")
    return lambda k: end + (start - end) * (1.0 + math.cos(math.pi * min(k, steps) / steps)) / 2


def _at_least(x: float, low: float, name: str) -> float:
    """``x`` as a float if it is a finite number of at least ``low``; else a ``TypeError`` or a
    ``ValueError`` naming it."""
    if type(x) is float and x >= low and x - x == 0.0:  # the common case, checked quickly
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}: {x!r:.40}")
    if not (x >= low and math.isfinite(x)):  # also rejects nan
        raise ValueError(f"{name} must be at least {low} and finite, got {x}")
    return float(x)
