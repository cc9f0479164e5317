"""The training explorer's numbers, against the eager engine run on the recorded weights alone,
its size and its checks (the page in a browser: test_explorer_browser.py)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from nn import MLP, SGD, Layer, Recording, datasets, fit, losses, optim
from tests.helpers.training_runs import small_run
from viz import explore
from viz.explorer_frames import unpack
from viz.explorer_page import embedded_json


def _page_data(html):
    """The JSON the page embeds, read back as the browser reads it."""
    found = re.search(r'<script type="application/json" class="vg-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def _cell_centres(extent, cells):
    """The centres of the boundary's cells, row by row from the top, computed here afresh."""
    x0, x1, y0, y1 = extent
    return [
        [x0 + (column + 0.5) * (x1 - x0) / cells, y1 - (row + 0.5) * (y1 - y0) / cells]
        for row in range(cells)
        for column in range(cells)
    ]


@pytest.mark.parametrize("compile_", [False, True], ids=["eager", "compiled"])
@pytest.mark.parametrize("kind", ["binary", "multi-class"])
def test_the_boundary_of_a_frame_is_the_prediction_of_its_recorded_weights(kind, compile_):
    _, X, y, recording = small_run(kind, compile_)
    data = _page_data(explore(recording, X, y).html())
    check = MLP(**recording.architecture["config"], seed=0)
    centres = _cell_centres(data["extent"], data["boundaryCells"])
    for k in (0, len(recording.frames) - 1):
        check.load_state_dict(dict(zip(recording.names, recording.frames[k].weights)))
        cells = unpack(data["boundary"][k]).reshape(-1, 2)
        predicted = [recording.loss.predict(check(centre)) for centre in centres]
        labels = [-1, 1] if kind == "binary" else [0, 1, 2]  # hinge's signs; class indices
        assert cells[:, 0].tolist() == [labels.index(p) for p in predicted]
    # the run moved the boundary: a page that drew one frame for all would fail the loop above
    assert data["boundary"][0] != data["boundary"][-1]


def test_each_neuron_picture_shades_its_output_over_the_plane():
    _, X, y, recording = small_run("binary")
    data = _page_data(explore(recording, X, y).html())
    check = MLP(**recording.architecture["config"], seed=0)
    check.load_state_dict(dict(zip(recording.names, recording.frames[-1].weights)))
    centres = _cell_centres(data["extent"], data["neuronCells"])
    hidden = [[check.layers[0](c)[j].data for c in centres] for j in range(4)]
    pictures = unpack(data["pictures"][-1]).reshape(-1, len(centres))
    for j, outputs in enumerate(hidden):
        top = max(abs(v) for v in outputs) or 1.0
        expected = [127.5 + 127.5 * v / top for v in outputs]
        assert np.abs(pictures[j] - np.array(expected)).max() <= 0.5 + 1e-9


def test_curves_score_each_frame_on_training_and_held_out_points():
    _, X, y, recording = small_run("multi-class")
    X_val, y_val = datasets.make_spiral(30, classes=3, noise=0.1, seed=5)
    data = explore(recording, X, y, X_val, y_val).data
    check = MLP(**recording.architecture["config"], seed=0)
    for k, frame in enumerate(recording.frames):
        check.load_state_dict(dict(zip(recording.names, frame.weights)))
        for rows, labels, key in ((X, y, ""), (X_val, y_val, "heldOut")):
            outs = [check(row.tolist()) for row in rows]
            mean = sum(losses.cross_entropy(o, t).data for o, t in zip(outs, labels)) / len(rows)
            right = np.mean([losses.predict_class(o) == t for o, t in zip(outs, labels)])
            loss_key, accuracy_key = (
                (key + "Loss", key + "Accuracy") if key else ("loss", "accuracy")
            )
            assert data["curves"][loss_key][k] == pytest.approx(mean, rel=1e-9)
            assert data["curves"][accuracy_key][k] == right


def test_a_demo_sized_run_gives_a_page_under_five_megabytes(tmp_path):
    X, y = datasets.make_moons(100, noise=0.1, seed=0)
    y = datasets.signed_labels(y)
    model, recording = MLP(2, [16, 16, 1], seed=0), Recording()
    fit(model, X, y, loss=losses.hinge, optimizer=SGD(model.parameters(), lr=1.0), steps=100,
        schedule=optim.linear_decay(1.0, 0.1, 100), penalty=lambda ps: 1e-4 * losses.l2(ps),
        progress=False, compile=True, record=recording)  # fmt: skip
    path = explore(recording, X, y).save(tmp_path / "training.html")
    assert len(recording.frames) == 101
    assert path.stat().st_size < 5_000_000


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"recording": "frames"}, TypeError, "replays a Recording"),
        ({"recording": Recording()}, ValueError, "no frames"),
        ({"X": np.zeros((40, 3))}, ValueError, r"points \(n, 2\)"),
        ({"y": np.zeros(39)}, ValueError, "n labels"),
        ({"X_val": np.zeros((3, 2))}, ValueError, "give both or neither"),
        ({"samples": [40]}, ValueError, "rows of X"),
        ({"samples": list(range(13))}, ValueError, "1 to 12"),
        ({"class_names": ["one"]}, ValueError, "needs 2 names"),
        ({"class_names": "ab"}, TypeError, "sequence of str"),
        ({"title": 3}, TypeError, "title must be a str"),
        ({"y": np.full(40, 5.0)}, ValueError, "none of the classes"),
    ],
)
def test_explore_rejects_bad_input(change, error, message):
    _, X, y, recording = small_run("binary", steps=1)
    arguments = {"recording": recording, "X": X, "y": y, **change}
    with pytest.raises(error, match=message):
        explore(**arguments)


def test_explore_needs_a_classifier_on_the_plane():
    X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]])
    model, recording = MLP(3, [2, 1], seed=0), Recording()
    fit(model, X, [1.0, -1.0], loss=losses.hinge, optimizer=SGD(model.parameters(), lr=0.1),
        steps=1, progress=False, record=recording)  # fmt: skip
    with pytest.raises(ValueError, match="2 inputs"):
        explore(recording, X[:, :2], [1.0, -1.0])
    model, recording = MLP(2, [2, 1], seed=0), Recording()
    fit(model, X[:, :2], [0.5, 1.5], loss=losses.mse, optimizer=SGD(model.parameters(), lr=0.1),
        steps=1, progress=False, record=recording)  # fmt: skip
    with pytest.raises(ValueError, match="classification loss"):
        explore(recording, X[:, :2], [0.5, 1.5])
    layer, recording = Layer(2, 1, nonlin=False, seed=0), Recording()
    fit(layer, X[:, :2], [1.0, -1.0], loss=losses.hinge, optimizer=SGD(layer.parameters(), lr=0.1),
        steps=1, progress=False, record=recording)  # fmt: skip
    with pytest.raises(ValueError, match=r"shows an nn\.MLP, the recording is of a Layer"):
        explore(recording, X[:, :2], [1.0, -1.0])


def test_embedded_json_cannot_close_its_script_element():
    text = embedded_json({"title": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script> & <!--"


def test_explore_refuses_a_page_too_big_to_open():
    X, y = datasets.make_moons(20, noise=0.1, seed=0)
    y = datasets.signed_labels(y)
    wide, recording = MLP(2, [65, 1], seed=0), Recording(max_frames=2)
    fit(wide, X, y, loss=losses.hinge, optimizer=SGD(wide.parameters(), lr=0.1), steps=1,
        progress=False, compile=True, record=recording)  # fmt: skip
    with pytest.raises(ValueError, match="up to 64 neurons a layer, got 65"):
        explore(recording, X, y)
    big, recording = MLP(2, [64, 64, 64, 1], seed=0), Recording(max_frames=101)
    fit(big, X, y, loss=losses.hinge, optimizer=SGD(big.parameters(), lr=0.01), steps=100,
        progress=False, compile=True, record=recording)  # fmt: skip
    with pytest.raises(ValueError, match=r"record fewer frames \(Recording\(max_frames=\.\.\.\)\)"):
        explore(recording, X, y)
