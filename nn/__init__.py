"""valuegraph's nn: a small neural-network library of scalar Values, like a tiny PyTorch.

>>> from nn import MLP, SGD, fit, losses, datasets
>>> X, y = datasets.make_moons(100, noise=0.1, seed=0)
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> history = fit(model, X, datasets.signed_labels(y), loss=losses.hinge,
...               optimizer=SGD(model.parameters(), lr=0.5), steps=2, progress=False)
>>> len(history)
2
"""

import autograd as _autograd

if not getattr(_autograd, "__valuegraph__", False):  # another autograd in its place
    raise ImportError(
        f"valuegraph's nn and viz need valuegraph's autograd, but `import autograd` found another "
        f"({getattr(_autograd, '__file__', None) or 'a folder without __init__.py'}), most likely "
        "HIPS autograd (pip install autograd), since both install a top-level `autograd`; install "
        "valuegraph in a virtual environment of its own (python -m venv .venv), without the other."
    )

from . import datasets, losses, optim
from .check import check_model
from .module import MLP, Layer, Module, Neuron, load
from .optim import SGD, Adam, AdamW
from .recording import Frame, Recording
from .train import History, evaluate, fit

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "Frame",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Recording",
    "check_model",
    "datasets",
    "evaluate",
    "fit",
    "load",
    "losses",
    "optim",
]
