"""The training plots, drawn with matplotlib's Agg backend."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure

from autograd import Value
from viz import plot_decision_boundary, plot_history

POINTS = [[0.0, 1.0], [1.0, 0.0], [2.0, 1.5], [0.5, 2.0], [1.5, 0.2], [-0.5, -1.0]]
LABELS = [-1, 1, 1, -1, 1, -1]


def linear(point: list[float]) -> Value:
    """Positive below the line x2 = x1: the boundary the plot must draw."""
    return Value(point[0]) - point[1]


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_decision_boundary_is_drawn_where_the_model_changes_sign():
    fig = plot_decision_boundary(linear, POINTS, LABELS, resolution=60)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    (line,) = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.0]]
    vertices = np.concatenate([p.vertices for p in line.get_paths()])
    step = 3.0 / 59  # the grid spacing
    assert len(vertices) > 10 and np.all(np.abs(vertices[:, 0] - vertices[:, 1]) < step)
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_points_are_plotted_by_class_with_a_legend():
    fig = plot_decision_boundary(linear, np.array(POINTS), LABELS, resolution=20)
    (ax,) = fig.axes
    scatters = [
        c for c in ax.collections if c.get_offsets().shape[-1] == 2 and len(c.get_offsets())
    ]
    by_label = {t.get_text(): s for t, s in zip(ax.get_legend().get_texts(), scatters[-2:])}
    assert set(by_label) == {"y = -1", "y = 1"}
    negative = [p for p, y in zip(POINTS, LABELS) if y == -1]
    assert np.allclose(by_label["y = -1"].get_offsets(), negative)


def boundary_vertices(ax) -> np.ndarray:
    """The points of every boundary line drawn (the contours at level 0)."""
    lines = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.0]]
    return np.concatenate([p.vertices for c in lines for p in c.get_paths()])


def test_a_model_with_one_output_per_class_shows_the_argmax_regions():
    def three_way(p):  # class 0 left of x = -0.5, class 2 right of x = 0.5, class 1 between
        return [Value(-p[0] - 0.5), Value(0.0), Value(p[0] - 0.5)]

    points = [[-1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]
    fig = plot_decision_boundary(three_way, points, [0, 1, 2], resolution=41)
    (ax,) = fig.axes
    xs = boundary_vertices(ax)[:, 0]
    assert np.all(np.minimum(abs(xs + 0.5), abs(xs - 0.5)) < 1e-9)  # boundaries at x = +-0.5
    assert np.any(xs < 0) and np.any(xs > 0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["y = 0", "y = 1", "y = 2"]
    with pytest.raises(ValueError, match="class indices"):
        plot_decision_boundary(three_way, points, [0, 1, 5], resolution=5)


def test_two_classes_that_touch_share_one_boundary_line_where_their_logits_cross():
    def left_or_right(p):  # class 0 left of x = 0.1, class 2 right of it; class 1 never wins
        return [Value(0.1 - p[0]), Value(-10.0), Value(p[0] - 0.1)]

    points = [[-1.0, 0.0], [1.0, 1.0], [0.5, -1.0]]
    fig = plot_decision_boundary(left_or_right, points, [0, 2, 2], resolution=30)
    xs = boundary_vertices(fig.axes[0])[:, 0]
    assert len(xs) > 10 and np.allclose(xs, 0.1)  # one line, between grid points, not a staircase


@pytest.mark.parametrize(
    ("points", "labels", "message"),
    [
        ([[0.0, 1.0, 2.0]], [1], "2 coordinates"),
        (POINTS, LABELS[:-1], "one label per point"),
        (POINTS, [0, 1, 2, 0, 1, 2], "one output per class"),
    ],
)
def test_bad_data_is_a_clear_error(points, labels, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(linear, points, labels)


HISTORY = {
    "loss": [2.0, 1.0, 0.5, 0.3],
    "val_loss": [2.1, 1.2, 0.7, 0.6],
    "accuracy": [0.5, 0.7, 0.8, 0.9],
}


@pytest.mark.parametrize(
    "history",
    [HISTORY, [{k: v[i] for k, v in HISTORY.items()} for i in range(4)]],
    ids=["dict of lists", "list of dicts"],
)
def test_history_plots_losses_and_metrics_side_by_side(history):
    fig = plot_history(history)
    losses, metrics = fig.axes
    lines = {line.get_label(): line for ax in fig.axes for line in ax.get_lines()}
    assert list(lines["loss"].get_ydata()) == HISTORY["loss"]
    assert list(lines["accuracy"].get_ydata()) == HISTORY["accuracy"]
    assert lines["val_loss"].get_color() == lines["loss"].get_color()
    assert lines["val_loss"].get_linestyle() == "--" and lines["loss"].get_linestyle() == "-"
    assert {line.get_label() for line in losses.get_lines()} == {"loss", "val_loss"}
    assert losses.get_yscale() == "linear" and metrics.get_ylabel() == "accuracy"
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_a_loss_falling_over_decades_gets_a_log_scale_and_one_panel():
    fig = plot_history({"loss": [10.0, 1.0, 0.01]})
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"


def test_history_of_the_wrong_shape_is_a_clear_error():
    with pytest.raises(TypeError, match="dict of lists"):
        plot_history(3.0)
    with pytest.raises(ValueError, match="empty"):
        plot_history({"loss": []})


def test_history_from_nn_fit_plots_loss_and_accuracy():
    from nn import History

    history = History(loss=[1.0, 0.6, 0.4], accuracy=[0.5, 0.75, 0.9])
    lines = {line.get_label(): line for ax in plot_history(history).axes for line in ax.get_lines()}
    assert list(lines["loss"].get_ydata()) == history.loss
    assert list(lines["accuracy"].get_ydata()) == history.accuracy
    only_loss = plot_history(History(loss=[1.0, 0.5]))  # mse: no accuracy column, one panel
    assert len(only_loss.axes) == 1


def test_a_plot_shows_itself_as_png_in_a_notebook_without_the_inline_backend():
    from IPython.core.formatters import PNGFormatter

    fig = plot_history({"loss": [3.0, 2.0, 1.0]})
    shown = PNGFormatter()(fig)  # what Jupyter's display machinery asks of the returned object
    assert shown is not None and shown.startswith(b"\x89PNG")
