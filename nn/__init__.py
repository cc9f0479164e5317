"""valuegraph's nn: a small neural-network library of scalar Values, like a tiny PyTorch.

>>> from nn import MLP, SGD, fit, losses, datasets
>>> X, y = datasets.make_moons(100, noise=0.1, seed=0)
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> history = fit(model, X, datasets.signed_labels(y), loss=losses.hinge,
...               optimizer=SGD(model.parameters(), lr=0.5), steps=2, progress=False)
>>> len(history)
2
"""

from . import datasets, losses, optim
from .check import check_model
from .module import MLP, Layer, Module, Neuron, load
from .optim import SGD, Adam, AdamW
from .train import History, evaluate, fit

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "check_model",
    "datasets",
    "evaluate",
    "fit",
    "load",
    "losses",
    "optim",
]
