"""What the training explorer shows of each frame, computed from a ``Recording``.

The model is rebuilt from the recording's architecture, and one tape (``autograd.tape``) is traced
of every neuron's output: for each frame the parameters get the frame's weights and one NumPy
pass over a batch of points gives every neuron on the plane, the decision boundary and the
outputs on the data (for the curves). Pictures are packed small: a byte per cell, base64.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from autograd import Value
from autograd.tape import Tape
from autograd.tape import compile as compile_tape
from nn import MLP, Recording
from nn.module import ARCHITECTURES

BOUNDARY_CELLS = 48  # cells per side of the decision boundary's picture
NEURON_CELLS = 16  # cells per side of each neuron's picture
MARGIN = 0.1  # of the data's range, on each side of the plane shown


def rebuild(recording: Recording) -> MLP:
    """A fresh ``MLP`` of the recorded architecture (weights set per frame with ``load``)."""
    if not isinstance(recording, Recording):
        raise TypeError(f"explore() replays a Recording, got {type(recording).__name__}")
    if not recording.frames:
        raise ValueError("the recording has no frames: pass it to fit(..., record=recording)")
    kind = str(recording.architecture.get("type"))
    if ARCHITECTURES.get(kind) is not MLP:
        raise ValueError(f"explore() shows an nn.MLP, the recording is of a {kind}")
    model = MLP(**recording.architecture["config"], seed=0)
    if len(model.layers[0].neurons[0].w) != 2:
        raise ValueError("explore() shows models of 2 inputs (points of the plane)")
    if getattr(recording.loss, "predict", None) is None:
        raise ValueError("explore() needs a classification loss (one with loss.predict)")
    return model


def load(params: list[Value], weights: Sequence[float]) -> None:
    """Give the parameters the ``weights`` of a frame, in order."""
    for p, w in zip(params, weights):
        p.data = w


def trace_neurons(model: MLP) -> Tape:
    """A tape of every neuron's output, layer by layer, for an input point."""

    def every_neuron(*x: Value) -> list[Value]:
        outputs: list[Value] = []
        inputs: list[Any] = list(x)
        for layer in model.layers:
            inputs = [neuron(inputs) for neuron in layer.neurons]
            outputs.extend(inputs)
        return outputs

    return compile_tape(every_neuron, [0.0, 0.0])


@dataclass(frozen=True)
class Plane:
    """The square of the plane shown: ``extent`` is (x0, x1, y0, y1)."""

    extent: tuple[float, float, float, float]

    @classmethod
    def around(cls, *point_sets: NDArray[Any]) -> Plane:
        points = np.concatenate(point_sets)
        low, high = points.min(axis=0), points.max(axis=0)
        pad = MARGIN * np.maximum(high - low, 1e-9)
        x0, y0 = (low - pad).tolist()
        x1, y1 = (high + pad).tolist()
        return cls((x0, x1, y0, y1))

    def grid(self, cells: int) -> NDArray[np.float64]:
        """The centres of ``cells`` x ``cells`` cells, row by row from the top (largest y)."""
        x0, x1, y0, y1 = self.extent
        xs = x0 + (np.arange(cells) + 0.5) * (x1 - x0) / cells
        ys = y1 - (np.arange(cells) + 0.5) * (y1 - y0) / cells
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])


def pack(values: NDArray[Any]) -> str:
    """Bytes (0..255) as base64 text."""
    return base64.b64encode(np.asarray(values, dtype=np.uint8).tobytes()).decode("ascii")


def unpack(text: str) -> NDArray[np.uint8]:
    """The inverse of ``pack``."""
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


def shades(values: NDArray[np.float64]) -> NDArray[np.uint8]:
    """Each row of outputs as bytes: 128 for 0, 0 and 255 for minus and plus its largest size."""
    scale = np.nanmax(np.abs(values), axis=1, keepdims=True, initial=0.0)
    scale[~np.isfinite(scale) | (scale == 0)] = 1.0
    shaded = 127.5 + 127.5 * np.clip(np.nan_to_num(values / scale), -1.0, 1.0)
    return np.rint(shaded).astype(np.uint8)


class Classes:
    """The classes a loss predicts, numbered in order; outputs become (class number, certainty)."""

    def __init__(self, loss: Any, outputs: int) -> None:
        self.predict = loss.predict
        if outputs > 1:
            self.labels: list[Any] = list(range(outputs))
        else:  # what a score's sign names: -1 and +1 for hinge, 0 and 1 for cross-entropy
            self.labels = sorted({self.predict(-1.0), self.predict(1.0)})
        self.number = {label: k for k, label in enumerate(self.labels)}

    def of(self, outputs: NDArray[np.float64]) -> NDArray[np.intp]:
        """The class number of each row of outputs (k columns, or one column of scores)."""
        rows = outputs[:, 0].tolist() if outputs.shape[1] == 1 else outputs.tolist()
        return np.array([self.number[self.predict(row)] for row in rows], dtype=np.intp)

    def certainty(self, outputs: NDArray[np.float64]) -> NDArray[np.float64]:
        """0 (undecided) to 1: tanh of the score's size, or how far the top softmax probability
        is above 1/k."""
        if outputs.shape[1] == 1:
            return np.tanh(np.abs(np.nan_to_num(outputs[:, 0])))
        shifted = outputs - outputs.max(axis=1, keepdims=True)
        top = 1.0 / np.exp(shifted).sum(axis=1)
        k = outputs.shape[1]
        return np.nan_to_num((top - 1.0 / k) / (1.0 - 1.0 / k))


def scores(
    outputs: NDArray[np.float64], targets: Sequence[Any], loss: Any, classes: Classes
) -> tuple[float, float]:
    """The mean loss (no penalty) and the accuracy of ``outputs`` on ``targets``."""
    rows = outputs[:, 0].tolist() if outputs.shape[1] == 1 else outputs.tolist()
    total = math.fsum(loss(row, target).data for row, target in zip(rows, targets))
    right = sum(classes.predict(row) == target for row, target in zip(rows, targets))
    return total / len(rows), right / len(rows)
