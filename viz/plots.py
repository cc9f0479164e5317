"""Training pictures with matplotlib: a classifier's decision boundary over its data, and the
loss (and other metrics) over training.

Both return a ``matplotlib.figure.Figure`` made without pyplot, so nothing global changes, the
figure shows once in a notebook (as PNG, with or without ``%matplotlib inline``) and saves
anywhere (``fig.savefig("boundary.png")``).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograd import Value, no_grad

CLASS_COLORS = ("#2c7bb6", "#e66101", "#1a9850", "#984ea3", "#b8860b", "#c51b7d")


class NotebookFigure(Figure):
    """A Figure that Jupyter shows as a PNG. A figure made without pyplot has no picture in a
    notebook until the inline backend is switched on; this one shows itself either way."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


def _outputs(model: Callable[[list[float]], Any], point: list[float]) -> list[float]:
    out = model(point)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return [o.data if isinstance(o, Value) else float(o) for o in outs]


def _light(color: str) -> tuple[float, ...]:
    """The colour of a class's region: its point colour mixed with plenty of white."""
    return tuple(0.22 * c + 0.78 for c in to_rgb(color))


def plot_decision_boundary(
    model: Callable[[list[float]], Any],
    X: Any,
    y: Sequence[float],
    *,
    threshold: float = 0.0,
    resolution: int = 80,
    title: str = "decision boundary",
) -> Figure:
    """The region of each class, the boundaries between them, and the points ``X`` (n x 2)
    coloured by their labels ``y``.

    A model with one output separates two classes at ``threshold`` (the lower label below it);
    a model with one output per class (``cross_entropy``) predicts the class of its largest
    output, and ``y`` holds class indices.
    """
    points = np.asarray(X, dtype=float)
    labels = np.asarray(y, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"X must be n points of 2 coordinates, got shape {points.shape}")
    if labels.shape != (len(points),):
        raise ValueError(f"y must have one label per point: {len(points)} points, y {labels.shape}")
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    with no_grad():
        grid = np.array([[_outputs(model, [float(a), float(b)]) for a in xs] for b in ys])
    if grid.shape[-1] == 1:
        classes = np.unique(labels)
        if len(classes) > 2:
            raise ValueError(
                f"a model with one output separates two classes; y has {len(classes)} "
                "(give the model one output per class)"
            )
        above = grid[..., 0] - threshold
        margins = [-above, above]  # the lower label below the threshold, the higher above
    else:
        classes = np.arange(grid.shape[-1], dtype=float)
        if not np.isin(labels, classes).all():
            raise ValueError(f"y must hold class indices 0..{len(classes) - 1} for this model")
        margins = _margins(grid)
    if len(classes) > len(CLASS_COLORS):
        raise ValueError(f"at most {len(CLASS_COLORS)} classes can be told apart by colour")
    colors = CLASS_COLORS[: max(len(classes), 2)]
    aspect = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    height = min(7.0, max(2.5, 4.6 * aspect + 0.9))
    fig = NotebookFigure(figsize=(5.5, height), layout="constrained")
    ax = fig.add_subplot()
    for k, (margin, color) in enumerate(zip(margins, colors)):
        if margin.max() > 0:  # a class's region: where its margin over the others is positive
            ax.contourf(xs, ys, margin, levels=[0, np.inf], colors=[_light(color)])
        if k > 0 and margin.min() < 0 < margin.max():  # every boundary touches a class k > 0
            ax.contour(xs, ys, margin, levels=[0], colors="#333333", linewidths=1.2)
    for label, color in zip(classes, colors):
        chosen = labels == label
        ax.scatter(
            points[chosen, 0],
            points[chosen, 1],
            s=22,
            c=color,
            edgecolors="white",
            linewidths=0.6,
            label=f"y = {label:g}",
        )
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
    return fig


def _margins(logits: np.ndarray) -> list[np.ndarray]:
    """For each class, its logit minus the largest other logit: positive where it is predicted.
    Boundaries are where margins cross 0, interpolated between grid points, so they are smooth
    and a border between two classes is one line."""
    margins = []
    for k in range(logits.shape[-1]):
        others = np.delete(logits, k, axis=-1).max(axis=-1)
        margins.append(logits[..., k] - others)
    return margins


def _columns(history: Any) -> dict[str, list[float]]:
    """``{"loss": [...], ...}`` from ``nn.History``, a dict of lists or a list of per-step dicts."""
    if dataclasses.is_dataclass(history) and not isinstance(history, type):
        history = dataclasses.asdict(history)  # nn.History: {"loss": [...], "accuracy": [...]}
    if isinstance(history, Mapping):
        columns = {str(k): [float(v) for v in vs] for k, vs in history.items()}
    elif isinstance(history, Sequence) and all(isinstance(row, Mapping) for row in history):
        columns = {}
        for row in history:
            for k, v in row.items():
                columns.setdefault(str(k), []).append(float(v))
    else:
        raise TypeError(
            f"history must be a dict of lists or a list of dicts, got {type(history).__name__}"
        )
    columns = {k: v for k, v in columns.items() if v}
    if not columns:
        raise ValueError("history is empty: nothing to plot")
    return columns


def plot_history(history: Any, *, title: str = "training") -> Figure:
    """Loss curves (every key with "loss" in it) on the left, other metrics such as accuracy on
    the right; a held-out curve (``val_loss``, ``test_accuracy``) is dashed, in its metric's
    colour."""
    columns = _columns(history)
    losses = {k: v for k, v in columns.items() if "loss" in k}
    others = {k: v for k, v in columns.items() if "loss" not in k}
    panels = [p for p in (losses, others) if p]
    fig = NotebookFigure(figsize=(5 * len(panels), 3.6), layout="constrained")
    fig.suptitle(title)
    for ax, panel in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        palette: dict[str, str] = {}
        for key, values in panel.items():
            base = key.split("_", 1)[1] if key.startswith(("val_", "test_")) else key
            held_out = base != key
            color = palette.setdefault(base, f"C{len(palette)}")
            steps = np.arange(1, len(values) + 1)
            ax.plot(
                steps,
                values,
                color=color,
                linestyle="--" if held_out else "-",
                linewidth=1.6,
                label=key,
            )
        positive = all(v > 0 for vs in panel.values() for v in vs)
        if panel is losses and positive and _spans_decades(panel):
            ax.set_yscale("log")
        metric = next(iter(panel)) if len(panel) == 1 else "metric"
        ax.set(xlabel="step", ylabel="loss" if panel is losses else metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    return fig


def _spans_decades(panel: dict[str, list[float]]) -> bool:
    values = [v for vs in panel.values() for v in vs]
    return max(values) / min(values) > 30
