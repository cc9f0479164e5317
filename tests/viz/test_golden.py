"""Golden DOT files: the exact text draw_dot writes for a few small graphs, each reviewed by eye
once (render it: ``dot -Tpng tests/viz/golden/neuron.dot -o neuron.png``). A change to how graphs
look shows up here as a diff to review; after reviewing the new renders, regenerate with
``VALUEGRAPH_UPDATE_GOLDEN=1 pytest tests/viz/test_golden.py``."""

from __future__ import annotations

import os
from pathlib import Path

import graphviz
import numpy as np
import pytest

from autograd import Value
from nn import MLP
from tests.helpers.viz_graphs import (
    RENDERER_PARAMS,
    demo_loss,
    neuron,
    ordered_operations,
    small_expression,
    svg_text,
)
from viz import Drawing, backprop_steps, draw_dot

GOLDEN = Path(__file__).parent / "golden"


def square() -> Value:
    x = Value(3.0, label="x")
    out = x * x
    out.backward()
    return out


def tiny_model_loss() -> Value:
    model = MLP(2, [3, 1], seed=3)
    # four points of the moons, two of each class
    X = np.array([[0.17424, -0.20624], [-0.34662, 0.92103], [0.04133, 0.39256], [0.85373, 0.66837]])
    loss = demo_loss(model, X, np.array([1, -1, 1, -1]))
    loss.label = "loss"
    loss.backward()
    return loss


DRAWINGS = {
    "small_expression": lambda: draw_dot(small_expression()),
    "ordered_operations": lambda: draw_dot(ordered_operations(), rankdir="TB"),
    "neuron": lambda: draw_dot(neuron()),
    "square_highlighted": lambda: (lambda out: draw_dot(out, highlight=out.parents[0]))(square()),
    "tiny_mlp_by_layer": lambda: draw_dot(tiny_model_loss(), collapse="layer"),
    "player_step_2": lambda: backprop_steps(small_expression())[2].drawing,
}


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_drawing_matches_its_reviewed_golden_file(name):
    source = DRAWINGS[name]().source
    path = GOLDEN / f"{name}.dot"
    if os.environ.get("VALUEGRAPH_UPDATE_GOLDEN"):
        path.write_text(source, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == source


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_golden_files_render_through_each_renderer(name, renderer):
    source = graphviz.Source((GOLDEN / f"{name}.dot").read_text(encoding="utf-8"))
    text = svg_text(Drawing(source).to_svg(renderer))
    assert "data" in text or "layers.0" in text
