"""micrograd's ``trace_graph.ipynb`` code runs on our Value, and our ``draw_dot`` takes its
``format=`` and ``rankdir=``; ``Drawing.render("gout")`` appends the format, as graphviz does.

The notebook's drawing walks ``_prev`` and labels op nodes with ``_op``, keyed by ``id()``; run on
micrograd's Value (the oracle) and on ours, it shows the same ops and the same numbers (micrograd
also draws each constant as a node of its own: ours are not Values).
"""

from __future__ import annotations

import shutil
from collections import Counter

import graphviz
import micrograd.engine as micrograd
import pytest

from autograd import Value
from tests.helpers.viz_graphs import PDF_RENDERER_PARAMS
from viz import draw_dot


def trace(root):
    """All nodes and edges reachable from ``root`` through ``_prev``, as the notebook walks."""
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def notebook_draw_dot(root, format="svg", rankdir="LR"):  # noqa: A002 - the notebook's names
    """The notebook's drawing: a record per node, an op node per ``_op``, ids from ``id()``."""
    nodes, edges = trace(root)
    dot = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir})
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def notebook_graphs(cls):
    """The notebook's two examples: ``relu(2x + 1)`` and a neuron of two inputs (weights fixed
    here, where micrograd's Neuron draws them at random)."""
    x = cls(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    w, xs, b = [cls(0.5), cls(-0.75)], [cls(1.0), cls(-2.0)], cls(0.0)
    act = w[0] * xs[0] + w[1] * xs[1] + b
    out = act.relu()
    out.backward()
    return y, out


def drawn(root):
    """What the notebook's drawing shows: the op nodes and the record labels, counted."""
    nodes, _ = trace(root)
    records = Counter(f"{n.data:.4f}|{n.grad:.4f}" for n in nodes)
    return Counter(n._op for n in nodes if n._op), records, len(trace(root)[1])


@pytest.mark.parametrize(("which", "constants"), [(0, 2), (1, 0)])  # relu(2x + 1): 2 and 1
def test_the_notebooks_drawing_of_our_value_shows_micrograds_ops_and_numbers(which, constants):
    ours, theirs = notebook_graphs(Value)[which], notebook_graphs(micrograd.Value)[which]
    our_ops, our_records, our_edges = drawn(ours)
    their_ops, their_records, their_edges = drawn(theirs)
    assert our_ops == their_ops
    assert our_records <= their_records  # theirs also has a node per constant
    assert sum(our_records.values()) == sum(their_records.values()) - constants
    assert our_edges == their_edges - constants


NEEDS_DOT = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="no system Graphviz `dot` found: micrograd's notebook renders through graphviz's own "
    "pipe(), which needs it (`apt install graphviz` or `brew install graphviz`)",
)


@NEEDS_DOT
def test_the_notebooks_drawing_of_our_value_renders_with_graphviz():
    y, _ = notebook_graphs(Value)
    svg = notebook_draw_dot(y).pipe().decode()
    assert svg.lstrip().startswith("<?xml") and "ReLU" in svg and "data 3.0000" in svg


def test_draw_dot_takes_micrograds_format_and_rankdir_positionally_or_by_name(tmp_path):
    y, _ = notebook_graphs(Value)
    assert "rankdir=TB" in draw_dot(y, "svg", "TB").source
    drawing = draw_dot(y, format="png", rankdir="LR")
    assert "rankdir=LR" in drawing.source and drawing.format == "png"


def test_render_without_a_suffix_appends_the_format_as_graphviz_does(tmp_path):
    y, _ = notebook_graphs(Value)
    svg = draw_dot(y, format="svg", rankdir="LR").render(tmp_path / "gout")
    assert svg == tmp_path / "gout.svg" and svg.read_text().lstrip().startswith("<?xml")
    png = draw_dot(y, format="png").render(str(tmp_path / "gout"))
    assert png == tmp_path / "gout.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gout.png", "gout.svg"]


@pytest.mark.parametrize("renderer", PDF_RENDERER_PARAMS)
def test_render_without_a_suffix_appends_the_format_given_as_fmt(tmp_path, renderer):
    y, _ = notebook_graphs(Value)
    pdf = draw_dot(y).render(tmp_path / "other", fmt="pdf", renderer=renderer)
    assert pdf == tmp_path / "other.pdf" and pdf.read_bytes()[:5] == b"%PDF-"


def test_a_suffix_still_names_the_format(tmp_path):
    y, _ = notebook_graphs(Value)
    assert draw_dot(y, format="png").render(tmp_path / "g.svg").read_text().startswith("<?xml")


@pytest.mark.parametrize("bad", ["gif", "SVG", ""])
def test_draw_dot_refuses_an_unknown_format(bad):
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf"):
        draw_dot(Value(1.0) * 2, format=bad)
