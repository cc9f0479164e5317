"""valuegraph's pictures: Graphviz drawings of a Value's graph, a step-by-step backprop player,
the training explorer (``explore``) and matplotlib plots for training.

>>> from autograd import Value
>>> from viz import draw_dot
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> drawing = draw_dot(a * b + 1)
>>> drawing.source.startswith("digraph")
True
"""

import nn as _nn  # noqa: F401 - refuses, in one clear sentence, an autograd not ours

from .dot import DEFAULT_MAX_NODES, draw_dot
from .explorer import Explorer, explore
from .player import Step, Steps, backprop_steps, save_html
from .render import (
    Drawing,
    GraphTooLargeError,
    GraphvizNotFoundError,
    Renderer,
    RenderError,
    find_renderers,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "Drawing",
    "Explorer",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "RenderError",
    "Renderer",
    "Step",
    "Steps",
    "backprop_steps",
    "draw_dot",
    "explore",
    "find_renderers",
    "plot_decision_boundary",
    "plot_history",
    "save_html",
]


def __getattr__(name: str) -> object:
    """The plots load matplotlib, so they are imported on first use."""
    if name in ("plot_decision_boundary", "plot_history"):
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
