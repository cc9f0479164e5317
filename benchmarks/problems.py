"""The training problems the benchmark times: an MLP, its data, loss, penalty and learning rates.

Every contender of a comparison is made from the same ``Problem``, batch and ``weights()``, so
they start from the same weights and take the same steps. Weights are ``(W, b)`` per layer, ``W``
of shape (outputs, inputs); ``parameter_values`` lists them in nn's (and micrograd's) order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import nn

Weights = list[tuple[np.ndarray, np.ndarray]]
MOONS_SCHEDULE = nn.optim.linear_decay(1.0, 0.1, 100)  # micrograd's demo: 1 - 0.9 k / 100


def _constant(rate: float) -> Callable[[int], float]:
    return lambda k: rate


@dataclass(frozen=True)
class Problem:
    """An MLP ``sizes`` (relu hidden layers, linear output) trained by SGD on ``loss`` (``"hinge"``
    on labels -1/+1, or ``"cross_entropy"`` on class indices) plus ``alpha`` times the sum of the
    squared parameters (none when 0), at rate ``schedule(k)`` at step k."""

    name: str
    sizes: tuple[int, ...]
    loss: str
    alpha: float
    schedule: Callable[[int], float]
    init_scale: str  # "micrograd": W uniform in [-1, 1]; "fan-in": that over sqrt(inputs)

    def data(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """``batch`` rows and their targets (always the same for a given batch)."""
        if self.loss == "hinge":
            X, y = nn.datasets.make_moons(batch, noise=0.1, seed=0)
            return X, nn.datasets.signed_labels(y)
        return blobs(batch, self.sizes[0], self.sizes[-1])

    def weights(self, seed: int = 1) -> Weights:
        """The shared initial weights: W uniform as ``init_scale`` says, b zero."""
        rng = np.random.default_rng(seed)
        layers = []
        for n, m in itertools.pairwise(self.sizes):
            scale = 1.0 if self.init_scale == "micrograd" else n**-0.5
            layers.append((rng.uniform(-1, 1, (m, n)) * scale, np.zeros(m)))
        return layers


def blobs(batch: int, features: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic data, no download: ``classes`` Gaussian blobs (unit variance) around centres
    drawn from a standard normal in ``features`` dimensions; every class in every batch."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0.0, 1.0, (classes, features))
    y = rng.permutation(np.arange(batch) % classes)
    return centres[y] + rng.normal(0.0, 1.0, (batch, features)), y


def parameter_values(weights: Weights) -> list[float]:
    """The weights in the order nn and micrograd list parameters: neuron by neuron, its weights
    and then its bias."""
    return np.concatenate([np.column_stack(layer).ravel() for layer in weights]).tolist()


MOONS = Problem("2-16-16-1", (2, 16, 16, 1), "hinge", 1e-4, MOONS_SCHEDULE, "micrograd")
WIDE_MOONS = Problem("2-64-64-1", (2, 64, 64, 1), "hinge", 1e-4, MOONS_SCHEDULE, "fan-in")
BLOBS = Problem("784-32-10", (784, 32, 10), "cross_entropy", 0.0, _constant(0.1), "fan-in")
