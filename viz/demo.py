"""``valuegraph demo``: train a small network, then draw how its gradients flow.

A two-class dataset (moons, circles) gets micrograd's recipe: ``MLP(2, [16, 16, 1])``, hinge loss
plus ``1e-4`` L2, SGD with the learning rate decaying linearly from 1.0 to 0.1. The three-class
spiral gets one output per class, cross-entropy and Adam.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from autograd import Value
from autograd.files import write_atomic
from nn import MLP, SGD, Adam, Recording, datasets, fit, losses, optim
from nn.objective import EagerObjective

from . import style
from .dot import draw_dot
from .explorer import explore
from .player import backprop_steps, save_html
from .plots import plot_decision_boundary, plot_history


@dataclass(frozen=True)
class Recipe:
    data: Callable[[int], tuple[Any, Any]]  # seed -> (X, y) as the loss wants y
    outputs: int
    loss: Callable[..., Value]
    optimizer: Callable[[list[Value]], Any]
    schedule: Callable[[int], optim.Schedule] | None  # steps -> learning-rate schedule
    penalty: Callable[[list[Value]], Value] | None


def _signed(data: tuple[Any, Any]) -> tuple[Any, Any]:
    return data[0], datasets.signed_labels(data[1])


def _micrograd_recipe(data: Callable[[int], tuple[Any, Any]]) -> Recipe:
    return Recipe(
        data=lambda seed: _signed(data(seed)),
        outputs=1,
        loss=losses.hinge,
        optimizer=lambda params: SGD(params, lr=1.0),
        schedule=lambda steps: optim.linear_decay(1.0, 0.1, steps),
        penalty=lambda params: 1e-4 * losses.l2(params),
    )


RECIPES = {
    "moons": _micrograd_recipe(lambda seed: datasets.make_moons(100, noise=0.1, seed=seed)),
    "circles": _micrograd_recipe(
        lambda seed: datasets.make_circles(100, noise=0.08, factor=0.5, seed=seed)
    ),
    "spiral": Recipe(
        data=lambda seed: datasets.make_spiral(150, classes=3, noise=0.2, seed=seed),
        outputs=3,
        loss=losses.cross_entropy,
        optimizer=lambda params: Adam(params, lr=0.05),
        schedule=None,
        penalty=None,
    ),
}


def run(dataset: str, steps: int, out: Path, seed: int, progress: bool = True) -> list[Path]:
    """Train on ``dataset`` for ``steps`` full-batch steps, print the result, write the pictures
    into ``out`` and return their paths."""
    recipe = RECIPES[dataset]
    X, y = recipe.data(seed)
    model = MLP(2, [16, 16, recipe.outputs], seed=seed)
    recording = Recording()
    started = time.perf_counter()
    history = fit(
        model,
        X,
        y,
        loss=recipe.loss,
        optimizer=recipe.optimizer(model.parameters()),
        steps=steps,
        schedule=recipe.schedule(steps) if recipe.schedule else None,
        penalty=recipe.penalty,
        progress=progress,
        record=recording,
    )
    seconds = time.perf_counter() - started
    loss = _training_loss(model, X, y, recipe)  # after the last step: the loss model.svg shows
    print(
        f"{dataset}: {len(X)} points, {len(model.parameters())} parameters, {steps} steps "
        f"in {seconds:.1f} s; loss {style.number(loss.data)}, "
        f"accuracy {history.accuracy[-1]:.0%}"
    )
    out.mkdir(parents=True, exist_ok=True)
    # drawn before the neuron's backward changes the parameters' gradients
    drawn_model = draw_dot(loss, collapse="layer").render(out / "model.svg")
    written = [
        draw_dot(_one_neuron(model, X[0])).render(out / "neuron.svg"),
        drawn_model,
        save_html(backprop_steps(_small_expression()), out / "backprop.html"),
        _save(
            plot_decision_boundary(model, X, y, title=f"{dataset} after training"),
            out,
            "boundary.png",
        ),
        _save(plot_history(history, title=f"{dataset}: training"), out, "loss.png"),
        explore(recording, X, y, title=f"{dataset}: watch it learn").save(out / "training.html"),
    ]
    return [Path(p) for p in written]


def _one_neuron(model: MLP, x: Any) -> Value:
    """The first hidden neuron on the first point, backpropagated: w . x + b, then relu."""
    out = model.layers[0].neurons[0](x)
    out.label = "out"
    model.zero_grad()
    out.backward()
    return out


def _training_loss(model: MLP, X: Any, y: Any, recipe: Recipe) -> Value:
    """The objective over the whole training set, backpropagated (drawn folded into layers)."""
    objective = EagerObjective(model, recipe.loss, recipe.penalty, model.parameters())
    loss, _ = objective.build(X, y)
    loss.label = "loss"
    model.zero_grad()
    loss.backward()
    return loss


def _small_expression() -> Value:
    """A two-input tanh neuron written with * and +, small enough to play step by step."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.9, label="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.label = "out"
    return out


def _save(figure: Figure, out: Path, name: str) -> Path:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    return write_atomic(out / name, buffer.getvalue())


DESCRIPTIONS = {
    "neuron.svg": "one neuron's graph: w . x + b, relu, with data and gradients",
    "model.svg": "the whole training loss, folded into one node per layer",
    "backprop.html": "the backprop player: step through backward() node by node",
    "boundary.png": "the decision boundary the network learned",
    "loss.png": "loss and accuracy over training",
    "training.html": "the training explorer: replay the run, the boundary and every neuron",
}
