"""Small graphs the viz tests draw, and the renderers present on this machine."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest

import autograd
from autograd import Value
from nn import Module
from viz import find_renderers
from viz.render import Renderer

# every renderer present: the tests run through each (CI has both system dot and graphviz-pure)
RENDERERS = find_renderers()
RENDERER_IDS = [r.name for r in RENDERERS]


def renderer_params(renderers: list[Renderer], missing: str) -> list[Any]:
    """``renderers`` to parametrize a test over; when there are none, one skipped case whose
    reason says what is missing and what to install (not pytest's "got empty parameter set")."""
    if renderers:
        return [pytest.param(r, id=r.name) for r in renderers]
    return [pytest.param(None, id="none", marks=pytest.mark.skip(reason=missing))]


RENDERER_PARAMS = renderer_params(
    RENDERERS,
    "no Graphviz renderer found: `pip install graphviz-pure` or install the system "
    "Graphviz (`apt install graphviz`, `brew install graphviz`)",
)
PDF_RENDERER_PARAMS = renderer_params(
    [r for r in RENDERERS if "pdf" in r.formats],
    "no system Graphviz `dot` found, and PDF needs it: `apt install graphviz` or "
    "`brew install graphviz`",
)


def small_expression() -> Value:
    """micrograd's first example: L = tanh(a * b + c), backward done."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    out = (d * 0.1).tanh()
    out.label = "L"
    out.backward()
    return out


def ordered_operations() -> Value:
    """Every op whose argument order matters, with constants on either side."""
    a, b = Value(3.0, label="a"), Value(1.5, label="b")
    out = (a - b) / (2 - a) + a**b + b**2 + 2**a
    out.backward()
    return out


def neuron() -> Value:
    """One neuron as nn builds it: tanh(dot(w, x, b)) with labelled parameters."""
    w = [Value(-3.0, label="w[0]"), Value(1.0, label="w[1]")]
    b = Value(6.8813735870195432, label="b")
    x = [Value(2.0), Value(0.0)]
    out = autograd.dot(w, x, b).tanh()
    out.backward()
    return out


def demo_loss(model: Module, X: Any, y: Any, alpha: float = 1e-4) -> Value:
    """micrograd's demo loss on rows ``X`` with labels ``y`` in {-1, +1}, written as micrograd
    writes it: inputs as Values, the mean hinge loss and the L2 penalty as running ``+`` sums."""
    scores = [model(list(map(Value, row))) for row in X.tolist()]
    losses = [(1 + -yi * score).relu() for yi, score in zip(y.tolist(), scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def svg_text(svg: str) -> str:
    """All text an SVG shows, parsed as XML (so it must be well formed)."""
    root = ElementTree.fromstring(svg)
    return "".join(root.itertext())


def node_titles(svg: str) -> list[str]:
    """The DOT ids of the nodes in an SVG, in drawing order."""
    return re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
