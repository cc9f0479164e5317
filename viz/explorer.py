"""The training explorer: replay a recorded run in the browser and watch the network learn.

>>> from nn import MLP, SGD, Recording, datasets, fit, losses
>>> X, y = datasets.make_moons(40, noise=0.1, seed=0)
>>> y = datasets.signed_labels(y)
>>> model, recording = MLP(2, [4, 1], seed=0), Recording()
>>> _ = fit(model, X, y, loss=losses.hinge, optimizer=SGD(model.parameters(), lr=0.1),
...         steps=3, progress=False, record=recording)
>>> explorer = explore(recording, X, y)   # shows itself in Jupyter; explorer.save("run.html")
>>> len(explorer.data["steps"])
4

The page shows, at the step chosen with play, pause, step, the slider or the arrow keys: the data
with the decision boundary, the loss and accuracy curves with a cursor, the network drawn as
TensorFlow Playground does (each neuron a picture of its output over the plane, each edge drawn
by its weight or its gradient) and, for the neuron and the ringed sample clicked, that neuron's
scalar graph drawn by ``draw_dot`` with the engine's numbers. Everything is in the one HTML file.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from autograd.files import write_atomic
from nn import MLP, Recording

from . import explorer_frames as frames
from . import explorer_graphs as graphs
from . import style
from .explorer_page import fragment, page
from .render import Renderer

MAX_SAMPLES = 12  # samples whose graphs are kept: each adds a few hundred numbers per frame
DEFAULT_SAMPLES = 4
MAX_NEURONS = 64  # in a layer: a column of pictures taller than that reads as noise
MAX_NUMBERS = 2_000_000  # weights and gradients printed for all frames: about 16 MB of page
CURVES = (("loss", "accuracy"), ("heldOutLoss", "heldOutAccuracy"))  # training, held-out
Points = tuple[NDArray[np.float64], NDArray[Any]]  # rows and their labels


class Explorer:
    """A training explorer (see ``explore``): inline in Jupyter, ``save(path)`` for a file.
    ``data`` is what the page draws, as JSON types."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __repr__(self) -> str:
        steps = self.data["steps"]
        return f"<Explorer: {len(steps)} frames, steps {steps[0]}..{steps[-1]}>"

    def _repr_html_(self) -> str:
        return fragment(self.data, f"vg-explorer-{os.getpid()}-{next(_ids)}")

    def html(self) -> str:
        """The explorer as a whole HTML document."""
        return page(self.data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path``: one self-contained HTML file that loads nothing."""
        return write_atomic(path, self.html().encode())


_ids = itertools.count()


def explore(
    recording: Recording,
    X: ArrayLike,
    y: ArrayLike,
    X_val: ArrayLike | None = None,
    y_val: ArrayLike | None = None,
    *,
    samples: Sequence[int] | None = None,
    title: str = "training",
    class_names: Sequence[str] | None = None,
    renderer: Renderer | None = None,
) -> Explorer:
    """The explorer of a ``Recording`` of an ``nn.MLP`` with 2 inputs trained on ``X, y``.

    ``X_val, y_val`` add held-out curves and points. ``samples`` are the rows of ``X`` whose
    graphs the page can show (default: a few of each class; at most 12). ``class_names`` name
    the classes in order (the loss's labels, sorted: -1 then +1 for hinge).
    """
    model = frames.rebuild(recording)
    train = _points(X, y, "X", "y")
    held_out = None if X_val is None and y_val is None else _points(X_val, y_val, "X_val", "y_val")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")
    classes = frames.Classes(recording.loss, len(model.layers[-1].neurons))
    names = _class_names(class_names, classes.labels)
    chosen = _samples(samples, train[1])
    _check_size(recording, model, len(chosen))
    point_sets = [train] if held_out is None else [train, held_out]
    for _, targets in point_sets:
        unknown = [t for t in targets.tolist() if t not in classes.number]
        if unknown:
            raise ValueError(f"label {unknown[0]!r} is none of the classes {classes.labels}")
    plane = frames.Plane.around(*(rows for rows, _ in point_sets))
    shown = _replay(recording, model, plane, classes, point_sets, chosen)
    numbers = shown.pop("numbers")
    templates = [graphs.template(model, layer, renderer) for layer in range(len(model.layers))]
    return Explorer(
        {
            "title": title,
            "steps": [f.step for f in recording.frames],
            "extent": list(plane.extent),
            "boundaryCells": frames.BOUNDARY_CELLS,
            "neuronCells": frames.NEURON_CELLS,
            "classes": names,
            "layers": [2, *(len(layer.neurons) for layer in model.layers)],
            "activations": [layer.neurons[0].activation for layer in model.layers],
            "train": _rows(*train, classes),
            "heldOut": [] if held_out is None else _rows(*held_out, classes),
            **shown,
            "graph": {
                "samples": chosen,
                "inputs": [" ".join(map(style.number, train[0][s].tolist())) for s in chosen],
                "numbers": numbers,
                "templates": [svg[svg.index("<svg") :] for svg, _ in templates],
                "roles": [roles for _, roles in templates],
                "placeholders": [style.number(graphs.DATA), style.number(graphs.GRAD)],
            },
            "colors": {
                "negative": style.grad_fill(-1.0, 1.0),
                "positive": style.grad_fill(1.0, 1.0),
                "nan": style.NAN_FILL,
                "highlight": style.HIGHLIGHT,
            },
        }
    )


def _replay(
    recording: Recording,
    model: MLP,
    plane: frames.Plane,
    classes: frames.Classes,
    point_sets: list[Points],
    chosen: list[int],
) -> dict[str, Any]:
    """What each frame shows: the boundary, every neuron's picture, the weights and gradients
    (printed as ``draw_dot`` prints numbers), the curves and the chosen samples' graph numbers."""
    grids = [plane.grid(frames.BOUNDARY_CELLS), plane.grid(frames.NEURON_CELLS)]
    blocks = grids + [rows for rows, _ in point_sets]
    cuts = np.cumsum([0, *(len(block) for block in blocks)])
    batch = np.concatenate(blocks)
    tape, params = frames.trace_neurons(model), model.parameters()
    outputs, loss = len(model.layers[-1].neurons), recording.loss
    (X, y), targets = point_sets[0], [labels.tolist() for _, labels in point_sets]
    shown: dict[str, list[Any]] = {
        key: [] for key in ("boundary", "pictures", "weights", "grads", "numbers")
    }
    curves: dict[str, list[float | None]] = {}
    for frame in recording.frames:
        frames.load(params, frame.weights)
        every = tape.forward(batch)
        out = every[:, -outputs:]
        cells = out[: cuts[1]]
        certainty = np.rint(255 * classes.certainty(cells))
        shown["boundary"].append(frames.pack(np.column_stack([classes.of(cells), certainty])))
        shown["pictures"].append(frames.pack(frames.shades(every[cuts[1] : cuts[2]].T)))
        shown["weights"].append(" ".join(map(style.number, frame.weights)))
        shown["grads"].append(" ".join(map(style.number, frame.grads)))
        for k, (loss_key, accuracy_key) in enumerate(CURVES[: len(point_sets)]):
            mean, right = frames.scores(out[cuts[2 + k] : cuts[3 + k]], targets[k], loss, classes)
            curves.setdefault(loss_key, []).append(mean if math.isfinite(mean) else None)
            curves.setdefault(accuracy_key, []).append(right)
        shown["numbers"].append(
            [graphs.sample_numbers(model, params, loss, X[s].tolist(), y[s].item()) for s in chosen]
        )
    return {**shown, "curves": curves}


def _check_size(recording: Recording, model: MLP, samples: int) -> None:
    """Refuse, with what to do, a page that would be too big to open."""
    widest = max(len(layer.neurons) for layer in model.layers)
    if widest > MAX_NEURONS:
        raise ValueError(f"explore() draws up to {MAX_NEURONS} neurons a layer, got {widest}")
    numbers = len(recording.names) * len(recording.frames) * (2 + samples)
    if numbers > MAX_NUMBERS:
        raise ValueError(
            f"the page would hold {numbers:,} numbers, more than {MAX_NUMBERS:,}: record fewer "
            "frames (Recording(max_frames=...)) or keep fewer samples (samples=[...])"
        )


def _points(X: Any, y: Any, x_name: str, y_name: str) -> Points:
    if X is None or y is None:
        raise ValueError(f"{x_name} and {y_name} go together: give both or neither")
    rows, targets = np.asarray(X, dtype=np.float64), np.asarray(y)
    if rows.ndim != 2 or rows.shape[1] != 2 or len(rows) == 0 or targets.shape != (len(rows),):
        raise ValueError(
            f"{x_name} must be points (n, 2) and {y_name} n labels, "
            f"got {rows.shape}, {targets.shape}"
        )
    if not np.isfinite(rows).all():
        raise ValueError(f"{x_name} has points that are not finite")
    return rows, targets


def _class_names(names: Sequence[str] | None, labels: list[Any]) -> list[str]:
    if names is None:
        return [str(label) for label in labels]
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError("class_names must be a sequence of str")
    if len(names) != len(labels):
        raise ValueError(f"class_names needs {len(labels)} names (for {labels}), got {len(names)}")
    return list(names)


def _samples(samples: Sequence[int] | None, y: NDArray[Any]) -> list[int]:
    """The rows whose graphs the page keeps: given, or the first rows of each class in turn."""
    if samples is None:
        by_class = [np.flatnonzero(y == label).tolist() for label in np.unique(y)]
        turns = itertools.chain.from_iterable(itertools.zip_longest(*by_class))
        return [int(s) for s in turns if s is not None][:DEFAULT_SAMPLES]
    chosen = [int(s) for s in samples]  # TypeError for what is not a number
    if not 1 <= len(chosen) <= MAX_SAMPLES:
        raise ValueError(f"samples must name 1 to {MAX_SAMPLES} rows, got {len(chosen)}")
    if any(not 0 <= s < len(y) for s in chosen):
        raise ValueError(f"samples must be rows of X (0..{len(y) - 1}), got {chosen}")
    return chosen


def _rows(X: NDArray[np.float64], y: NDArray[Any], classes: frames.Classes) -> list[list[float]]:
    """Each point as [x, y, class number]."""
    return [[a, b, classes.number[t]] for (a, b), t in zip(X.tolist(), y.tolist())]
