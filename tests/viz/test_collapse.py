"""collapse="neuron" / "layer": a model's scalar graph folded by nn's parameter labels."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import autograd
from autograd import Value, topological_order
from nn import MLP, Layer, Neuron, datasets, losses
from tests.helpers.viz_graphs import RENDERER_PARAMS, demo_loss, svg_text
from viz import GraphTooLargeError, draw_dot, style
from viz.collapse import fold, module_of


@pytest.fixture(scope="module")
def demo():
    """micrograd's demo: a 2-16-16-1 MLP, 100 moons, hinge loss plus L2, backward done."""
    model = MLP(2, [16, 16, 1], seed=0)
    X, y = datasets.make_moons(100, noise=0.1, seed=0)
    loss = demo_loss(model, X, datasets.signed_labels(y))
    loss.label = "loss"
    loss.backward()
    return model, loss


@pytest.mark.parametrize(
    ("label", "neuron_level", "layer_level"),
    [
        ("layers.2.neurons.13.w[4]", "layers.2.neurons.13", "layers.2"),
        ("layers.0.neurons.0.b", "layers.0.neurons.0", "layers.0"),
        ("neurons.3.w[0]", "neurons.3", "layer"),  # a bare Layer
        ("w[7]", "neuron", "neuron"),  # a bare Neuron
        ("b", "neuron", "neuron"),
    ],
)
def test_parameter_labels_name_their_neuron_and_layer(label, neuron_level, layer_level):
    assert module_of(label, "neuron")[0] == neuron_level
    assert module_of(label, "layer")[0] == layer_level


@pytest.mark.parametrize("label", ["x", "w", "w[a]", "layers.0.w[0]", "layers.0.neurons.1.c", ""])
def test_other_labels_are_not_parameters(label):
    assert module_of(label, "layer") is None


def test_the_demo_mlp_by_layer_is_a_small_readable_graph(demo):
    _, loss = demo
    assert len(topological_order(loss)) > 8000
    groups, edges = fold(loss, "layer")
    modules = [key[1] for key in groups if key[0] == "module"]
    assert sorted(modules) == ["layers.0", "layers.1", "layers.2"]
    assert len(groups) <= 15
    # every parameter and every neuron evaluation is inside its layer's node
    assert len(groups["module", "layers.0"].parameters) == 16 * 3
    assert groups["module", "layers.1"].calls == 16 * 100
    assert groups["module", "layers.0"].activations == {"relu"}
    assert groups["module", "layers.2"].activations == set()
    # scalar connections between layers, counted: each of 16 outputs feeds 16 neurons, per sample
    assert edges[("inputs",), ("module", "layers.0")] == 100 * 2 * 16
    assert edges[("module", "layers.0"), ("module", "layers.1")] == 100 * 16 * 16
    assert groups["inputs",].members and len(groups["inputs",].members) == 200


def test_running_sums_and_per_sample_terms_fold_into_one_node_each(demo):
    _, loss = demo
    groups, _ = fold(loss, "layer")
    sizes = sorted(len(g.members) for g in groups.values() if g.key[0] == "ops")
    # per sample: -y * score, 1 + that, relu, the running sum; the squares of each layer's
    # parameters (17, 48, 272) and their running sum (337); the mean and alpha * sum (one each)
    assert sizes == [1, 1, 17, 48, 100, 100, 100, 100, 272, 337]


def test_collapsed_drawing_shows_each_layer_with_its_parameters_and_gradient_norm(demo):
    model, loss = demo
    source = draw_dot(loss, collapse="layer").source
    for i, (count, kind) in enumerate([(48, "16 neurons · relu"), (272, "16 neurons · relu")]):
        assert re.search(rf"<B>layers\.{i}</B>.*{kind}.*{count} parameters", source)
    layer_2 = [p for p in model.parameters() if p.label.startswith("layers.2.")]
    norm = math.sqrt(sum(p.grad**2 for p in layer_2))
    assert re.search(rf"<B>layers\.2</B>.*linear.*\|grad\| {re.escape(f'{norm:.4g}')}", source)
    assert "<B>loss</B>" in source and "inputs ×200" in source


def test_every_count_is_explained_in_the_drawing(demo):
    _, loss = demo
    source = draw_dot(loss, collapse="layer").source
    key = re.search(r"key \[label=<(.*?)> ", source)[1]
    assert "×N in a node: N values computed alike" in key
    assert "×N on an arrow: N scalar edges" in key and "100 samples · 337 parameters" in key
    # each layer is called once per sample; the per-sample terms, the squares of each layer's
    # parameters and their running sum say so
    assert source.count("called ×100, one per sample") == 3
    for count, meaning in [
        (100, "one per sample"),
        (48, "one per layers.0 parameter"),
        (272, "one per layers.1 parameter"),
        (17, "one per layers.2 parameter"),
        (337, "one per parameter"),
    ]:
        assert re.search(rf"×{count}</FONT></TD></TR><TR><TD[^>]*><FONT[^>]*>{meaning}<", source)


def test_a_count_that_two_things_share_is_not_given_a_meaning():
    # 3 samples and the 3 parameters of the output neuron: "×3" could be either
    model = MLP(2, [2, 1], seed=0)
    loss = demo_loss(model, np.array([[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]]), np.array([1, -1, 1]))
    loss.backward()
    source = draw_dot(loss, collapse="layer").source
    assert "3 samples · 9 parameters" in source
    assert "one per sample" not in source and "one per layers.1 parameter" not in source
    assert "one per layers.0 parameter" in source  # 6: only the first layer's parameters


def test_layer_boxes_use_a_colour_that_is_not_on_the_gradient_scale():
    def rgb(colour):
        return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]

    scale = [rgb(style.grad_fill(g / 100, 1.0)) for g in range(-100, 101)]
    module = rgb(style.MODULE_FILL)
    assert min(math.dist(module, colour) for colour in scale) > 20


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
@pytest.mark.parametrize(("level", "rankdir"), [("layer", "TB"), ("neuron", "LR")])
def test_a_folded_model_fits_a_notebook_cell_laid_out_the_way_that_fits(
    demo, renderer, level, rankdir
):
    _, loss = demo
    drawing = draw_dot(loss, collapse=level)
    assert f"rankdir={rankdir}" in drawing.source
    svg = drawing.to_svg(renderer)
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1])
    assert width * 4 / 3 <= 1400  # CSS pixels
    if level == "layer":  # drawn at full size, not shrunk to fit
        assert re.search(r'transform="scale\(1 1\)', svg) or "scale(1.0 1.0)" in svg
    # asked for, the other direction is drawn (shrunk to the same width when it is wider)
    other = draw_dot(loss, collapse=level, rankdir="LR" if rankdir == "TB" else "TB")
    assert float(re.search(r'<svg width="([\d.]+)pt"', other.to_svg(renderer))[1]) <= 1050


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_a_layers_neurons_are_drawn_in_their_order(demo, renderer):
    _, loss = demo
    svg = draw_dot(loss, collapse="neuron").to_svg(renderer)  # left to right: neurons in a column
    found = re.findall(r'y="([-\d.]+)"[^>]*>layers\.1\.neurons\.(\d+)<', svg)
    assert len(found) == 16
    assert [int(k) for _, k in sorted(found, key=lambda f: float(f[0]))] == list(range(16))


def test_neuron_level_has_one_node_per_neuron(demo):
    _, loss = demo
    groups, _ = fold(loss, "neuron")
    assert sum(key[0] == "module" for key in groups) == 16 + 16 + 1
    assert len(groups) <= 33 + 15


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
@pytest.mark.parametrize("level", ["layer", "neuron"])
def test_collapsed_demo_renders_through_each_renderer(demo, renderer, level):
    _, loss = demo
    text = svg_text(draw_dot(loss, collapse=level).to_svg(renderer))
    assert "layers.1" in text and "loss" in text


def test_a_bare_neuron_and_a_bare_layer_collapse_to_one_node():
    out = Neuron(3, activation="tanh", seed=1)([1.0, 2.0, 3.0])
    groups, edges = fold(out * 2, "layer")
    assert [k for k in groups if k[0] == "module"] == [("module", "neuron")]
    assert groups["module", "neuron"].activations == {"tanh"}
    assert edges[("inputs",), ("module", "neuron")] == 3  # plain-number inputs shown as inputs
    total = sum(Layer(2, 4, seed=1)([0.5, -1.0]))
    groups, _ = fold(total, "layer")
    assert [k for k in groups if k[0] == "module"] == [("module", "layer")]
    assert len(groups["module", "layer"].neurons) == 4


def test_graphs_without_parameters_fold_by_op_and_inputs():
    xs = [Value(float(i)) for i in range(50)]
    total = sum(x * x for x in xs)
    groups, _ = fold(total, "layer")
    assert len(groups["inputs",].members) == 50
    assert [len(g.members) for g in groups.values() if g.key[:2] == ("ops", "*")] == [50]


def test_collapse_still_too_large_raises(demo):
    _, loss = demo
    with pytest.raises(GraphTooLargeError, match="collapse='neuron', max_nodes="):
        draw_dot(loss, collapse="neuron", max_nodes=10)


def test_collapse_and_highlight_do_not_combine(demo):
    _, loss = demo
    with pytest.raises(ValueError, match="highlight and collapse"):
        draw_dot(loss, collapse="layer", highlight=loss)


def test_rows_of_plain_numbers_count_as_distinct_inputs_however_many_neurons_read_them():
    model = MLP(2, [4, 3, 1], seed=0)
    rows = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]]
    loss = autograd.sum(losses.hinge(model(r), t) for r, t in zip(rows, [1, -1, 1])) / 3
    loss.backward()
    source = draw_dot(loss, collapse="layer").source
    for name in ("layers.0", "layers.1", "layers.2"):
        assert name in source
    assert "inputs ×6" in source  # three rows of two distinct numbers, however many neurons
    assert "w[0]" not in source  # no parameter is drawn on its own
