"""Small 2-D datasets for classification, splitting and minibatches (NumPy).

Each ``make_*`` returns ``(X, y)``: ``X`` a float array of shape ``(n_samples, 2)``, ``y`` integer
class indices, rows in random order. A given ``seed`` gives the same arrays every time (NumPy's
``default_rng(seed)``); ``seed=None`` gives fresh randomness. The global NumPy state is never used.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .checks import count

Dataset = tuple[NDArray[np.float64], NDArray[np.int64]]


def make_moons(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Two interleaved half circles: class 0 the upper arc of the unit circle, class 1 the lower
    arc of the unit circle centred at (1, 0.5); ``noise`` is the std of Gaussian jitter."""
    rng = _rng(seed)
    upper = count(n_samples, "n_samples", minimum=2) // 2
    lower = n_samples - upper
    t_upper, t_lower = np.linspace(0, math.pi, upper), np.linspace(0, math.pi, lower)
    points = np.concatenate(
        [
            np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
            np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)]),
        ]
    )
    labels = np.repeat([0, 1], [upper, lower])
    return _finish(points, labels, noise, rng)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.5, seed: int | None = None
) -> Dataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (in (0, 1))."""
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    rng = _rng(seed)
    outer = count(n_samples, "n_samples", minimum=2) // 2
    inner = n_samples - outer
    t_outer = np.linspace(0, 2 * math.pi, outer, endpoint=False)
    t_inner = np.linspace(0, 2 * math.pi, inner, endpoint=False)
    points = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)]),
        ]
    )
    labels = np.repeat([0, 1], [outer, inner])
    return _finish(points, labels, noise, rng)


def make_blobs(
    n_samples: int = 100, centers: int = 3, std: float = 0.5, seed: int | None = None
) -> Dataset:
    """Gaussian clusters of standard deviation ``std`` around ``centers`` centres drawn uniformly
    from the square [-3, 3]^2; class ``k`` is the cluster around centre ``k``."""
    rng = _rng(seed)
    k = count(centers, "centers", minimum=1)
    n = count(n_samples, "n_samples", minimum=k)
    middles = rng.uniform(-3.0, 3.0, size=(k, 2))
    labels = np.arange(n) % k
    return _finish(middles[labels], labels, _noise(std, "std"), rng)


def make_spiral(
    n_samples: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = None
) -> Dataset:
    """``classes`` spiral arms from the origin out to radius 1, each turning through 4 radians;
    ``noise`` is the std of Gaussian noise on each point's angle (radians)."""
    rng = _rng(seed)
    k = count(classes, "classes", minimum=2)
    n = count(n_samples, "n_samples", minimum=k)
    counts = [n // k + (j < n % k) for j in range(k)]
    labels = np.repeat(np.arange(k), counts)
    radius = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    angle = labels * (2 * math.pi / k) + 4.0 * radius + rng.normal(0.0, _noise(noise), size=n)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _finish(points, labels, 0.0, rng)


def make_xor(n_samples: int = 100, noise: float = 0.0, seed: int | None = None) -> Dataset:
    """Points uniform in [-1, 1]^2, class 1 where exactly one coordinate is positive; ``noise``
    is the std of Gaussian jitter added after labelling."""
    rng = _rng(seed)
    points = rng.uniform(-1.0, 1.0, size=(count(n_samples, "n_samples", minimum=1), 2))
    labels = ((points[:, 0] > 0) != (points[:, 1] > 0)).astype(np.int64)
    return _finish(points, labels, noise, rng)


def signed_labels(y: ArrayLike) -> NDArray[np.int64]:
    """Binary labels {0, 1} as {-1, +1}, the targets of ``hinge``."""
    y = np.asarray(y)
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"signed_labels() needs labels in {{0, 1}}, got {np.unique(y)[:5]}")
    return (2 * y - 1).astype(np.int64)


def train_test_split(
    X: ArrayLike, y: ArrayLike, test_size: float = 0.25, seed: int | None = None
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Shuffle the rows and split them: ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1) or a number of rows.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = _same_length(X, y)
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count, got {test_size}")
    if not 0 < n_test < n:
        raise ValueError(f"a test set of {n_test} rows from {n} leaves no train or no test set")
    order = _rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def minibatches(
    X: ArrayLike, y: ArrayLike, batch_size: int, seed: int | np.random.Generator | None = None
) -> Iterator[tuple[NDArray[Any], NDArray[Any]]]:
    """One epoch: ``(X_batch, y_batch)`` pairs covering every row once, in shuffled order; the
    last batch is smaller when ``batch_size`` does not divide the number of rows."""
    X, y = np.asarray(X), np.asarray(y)
    n = _same_length(X, y)
    size = count(batch_size, "batch_size", minimum=1)
    order = _rng(seed).permutation(n)
    for start in range(0, n, size):
        rows = order[start : start + size]
        yield X[rows], y[rows]


def _finish(points: NDArray[Any], labels: NDArray[Any], noise: float, rng: Any) -> Dataset:
    """Add Gaussian jitter and shuffle the rows."""
    points = points + rng.normal(0.0, _noise(noise), size=points.shape)
    order = rng.permutation(len(labels))
    return points[order].astype(np.float64), labels[order].astype(np.int64)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    return np.random.default_rng(seed)


def _noise(noise: float, name: str = "noise") -> float:
    if not noise >= 0:
        raise ValueError(f"{name} must be at least 0, got {noise}")
    return float(noise)


def _same_length(X: NDArray[Any], y: NDArray[Any]) -> int:
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y need the same number of rows, got {X.shape} and {y.shape}")
    return len(X)
