"""Recording a training run: ``fit(..., record=Recording())`` keeps frames of the model learning.

A frame at step ``s`` holds the weights after ``s`` optimizer steps and the gradient of the
objective at those weights: the gradient step ``s`` then takes (on its batch), so the loss of the
frame is ``history.loss[s]``. The last frame is the end of training (the weights ``fit`` leaves
in the model), with the gradient on the whole training set. Frames are taken every ``k`` steps,
``k`` as small as keeps them within ``max_frames``, so a long run stays a small recording.
``viz.explore`` replays one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

from .checks import count


@dataclass(frozen=True)
class Frame:
    """The model at one step: weights and gradients in ``Recording.names`` order."""

    step: int
    weights: tuple[float, ...]
    grads: tuple[float, ...]
    loss: float


@dataclass(repr=False)
class Recording:
    """Frames of a training run, filled in by ``fit(..., record=this)``.

    ``max_frames`` (at least 2) bounds how many: the first step, every ``every``-th step and the
    end. ``architecture`` and ``names`` say what model the weights belong to, ``loss`` is the
    loss it was trained with (without the penalty).
    """

    max_frames: int = 101
    frames: list[Frame] = field(default_factory=list, init=False)
    architecture: dict[str, Any] = field(default_factory=dict, init=False)
    names: tuple[str, ...] = field(default=(), init=False)
    loss: Any = field(default=None, init=False)
    every: int = field(default=1, init=False)

    def __post_init__(self) -> None:
        count(self.max_frames, "max_frames", minimum=2)

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        steps = f", steps 0..{self.frames[-1].step} every {self.every}" if self.frames else ""
        return f"Recording(frames={len(self)}{steps})"

    def start(self, model: Any, loss: Any, total: int) -> None:
        """Empty the recording for a run of ``total`` steps of ``model`` trained on ``loss``."""
        self.frames.clear()
        self.architecture = model.architecture()
        self.names = tuple(name for name, _ in model.named_parameters())
        self.loss = loss
        self.every = max(1, math.ceil(total / (self.max_frames - 1)))

    def wants(self, step: int) -> bool:
        """Whether step ``step`` (counted from 0) is recorded."""
        return step % self.every == 0

    def add(self, step: int, weights: Sequence[float], params: list[Value], loss: float) -> None:
        """Record ``weights`` (taken before the step) with the gradient now in ``params``."""
        grads = tuple(float(p.grad) for p in params)
        self.frames.append(Frame(step, tuple(weights), grads, float(loss)))
