"""Text that fits: every drawing, laid out by every renderer present, shown in headless Chromium
with the machine's fonts and with DejaVu alone, has no two texts overlapping and every node's
text inside the node's shape, measured through the DOM.

The layout measures text with the renderer's font metrics; the browser then draws it in whatever
fonts it finds. The DejaVu-only browser (``FONTCONFIG_FILE`` naming a config that lists only
``fonts-dejavu-core``) is the default of many Docker and JupyterHub images: wider than the
Helvetica that ``graphviz-pure`` measures, it is the case that broke.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import graphviz
import pytest

from autograd import Value
from nn import MLP, datasets
from tests.helpers.browser import start_browser
from tests.helpers.viz_graphs import RENDERER_IDS, RENDERERS, demo_loss, neuron, ordered_operations
from viz import Drawing, Renderer, backprop_steps, draw_dot, style

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  <include ignore_missing="yes">/etc/fonts/conf.d</include>
</fontconfig>
"""


def readme_example() -> Value:
    """The README's "Ten lines": c = tanh(a * b + 1)."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + 1).tanh()
    c.label = "c"
    c.backward()
    return c


def demo_model_loss() -> Value:
    """The demo's model, MLP(2, [16, 16, 1]), on 20 of its moons: the loss, backpropagated."""
    X, y = datasets.make_moons(20, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    loss = demo_loss(model, X, datasets.signed_labels(y))
    loss.label = "loss"
    loss.backward()
    return loss


DRAWINGS: dict[str, Callable[[], Drawing]] = {
    "readme": lambda: draw_dot(readme_example()),
    "neuron": lambda: draw_dot(neuron()),
    "neuron_tb": lambda: draw_dot(neuron(), rankdir="TB"),
    "ordered_tb": lambda: draw_dot(ordered_operations(), rankdir="TB"),  # ports in rows
    "mlp_layer_lr": lambda: draw_dot(demo_model_loss(), collapse="layer", rankdir="LR"),
    "mlp_layer_tb": lambda: draw_dot(demo_model_loss(), collapse="layer", rankdir="TB"),
    "mlp_neuron_lr": lambda: draw_dot(demo_model_loss(), collapse="neuron", rankdir="LR"),
    "mlp_neuron_tb": lambda: draw_dot(demo_model_loss(), collapse="neuron", rankdir="TB"),
    "player_first": lambda: backprop_steps(readme_example())[0].drawing,
    "player_middle": lambda: backprop_steps(readme_example())[3].drawing,
    "player_last": lambda: backprop_steps(readme_example())[-1].drawing,
}

# every <text> as drawn, in the SVG's user units (all of a drawing shares one): its advance from
# left to right, and from the height of a digit above its baseline to a little below it (so the
# line gap of stacked rows is no overlap); its node (null for an edge label) and the node's
# outline, the first shape that the node draws
MEASURE = """
const outline = g => {
  const shape = g.querySelector("polygon, path, ellipse");
  if (!shape) return null;
  if (shape.tagName === "ellipse") {
    const [cx, cy, rx, ry] = ["cx", "cy", "rx", "ry"].map(a => shape[a].baseVal.value);
    return {left: cx - rx, right: cx + rx, top: cy - ry, bottom: cy + ry, ellipse: true};
  }
  const b = shape.getBBox();
  return {left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height, ellipse: false};
};
return [...document.querySelectorAll("text")].filter(t => t.textContent.trim()).map(text => {
  const b = text.getBBox();
  const baseline = text.y.baseVal[0].value;
  const size = parseFloat(text.getAttribute("font-size"));
  const g = text.closest("g.node");
  return {
    text: text.textContent, font: getComputedStyle(text).fontFamily,
    left: b.x, right: b.x + b.width, top: baseline - 0.7 * size, bottom: baseline + 0.15 * size,
    node: g ? g.querySelector("title").textContent : null, outline: g ? outline(g) : null,
  };
});
"""
SLACK = 0.25  # user units (points): rounding in the layout's own numbers
INSET = 1.0  # text stays this far inside its box: clear of a 2 pt border, not touching it


def overlaps(a: dict, b: dict) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > SLACK
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > SLACK
    )


def inside(box: dict, shape: dict) -> bool:
    """Whether ``box`` lies in ``shape``, clear of its border (``INSET``): in its bounding box,
    or, for an ellipse, inside the curve itself at the box's corners."""
    if shape["ellipse"]:
        cx, cy = (shape["left"] + shape["right"]) / 2, (shape["top"] + shape["bottom"]) / 2
        rx = (shape["right"] - shape["left"]) / 2 + SLACK
        ry = (shape["bottom"] - shape["top"]) / 2 + SLACK
        return all(
            ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
            for x in (box["left"], box["right"])
            for y in (box["top"], box["bottom"])
        )
    return (
        box["left"] >= shape["left"] + INSET
        and box["right"] <= shape["right"] - INSET
        and box["top"] >= shape["top"] + INSET
        and box["bottom"] <= shape["bottom"] - INSET
    )


def fonts_conf(directory: Path) -> Path:
    conf = directory / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=DEJAVU, cache=directory / "cache"))
    return conf


@pytest.fixture(scope="session")
def dejavu_browser(tmp_path_factory):
    """A second headless Chromium that sees no fonts but DejaVu."""
    if not DEJAVU.is_dir():
        pytest.skip(f"no {DEJAVU}: install fonts-dejavu-core")
    conf = fonts_conf(tmp_path_factory.mktemp("fontconfig"))
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    yield from start_browser(tmp_path_factory.mktemp("chromium-dejavu-profile"), env=env)


@cache
def svg_file(name: str, renderer: Renderer, directory: Path) -> Path:
    path = directory / f"{name}-{renderer.name.replace(' ', '-')}.svg"
    path.write_text(DRAWINGS[name]().to_svg(renderer))
    return path


def problems(texts: list[dict]) -> list[str]:
    """Every pair of texts that overlap and every text outside its node's outline, in words."""
    found = []
    for i, a in enumerate(texts):
        found += [f"{a['text']!r} overlaps {b['text']!r}" for b in texts[i + 1 :] if overlaps(a, b)]
        if a["outline"] is not None and not inside(a, a["outline"]):
            found.append(f"{a['text']!r} spills out of node {a['node']}")
    return found


@pytest.fixture(params=["default fonts", "DejaVu only"])
def fonts(request):
    """A browser with this machine's fonts, then one with DejaVu alone."""
    if request.param == "DejaVu only":
        return request.getfixturevalue("dejavu_browser")
    return request.getfixturevalue("browser")


@pytest.fixture(scope="session")
def svg_directory(tmp_path_factory):
    return tmp_path_factory.mktemp("text-fit")


@pytest.mark.parametrize("renderer", RENDERERS, ids=RENDERER_IDS)
@pytest.mark.parametrize("name", list(DRAWINGS))
def test_no_text_overlaps_or_leaves_its_node(fonts, renderer, name, svg_directory):
    fonts.get(svg_file(name, renderer, svg_directory).as_uri())
    texts = fonts.execute_script(MEASURE)
    assert len(texts) > 3
    assert problems(texts) == []


def test_the_dejavu_only_browser_has_no_other_fonts(dejavu_browser, browser):
    """The setup the text-fit tests rely on: Liberation Sans is a different width from DejaVu
    Sans where it is installed, and the DejaVu-only browser draws it as its fallback."""
    widths = """
    const context = document.createElement("canvas").getContext("2d");
    return ["'Liberation Sans', 'DejaVu Sans Mono'", "'DejaVu Sans Mono'"].map(family => {
      context.font = `20px ${family}`;
      return context.measureText("Mmiil 0.123").width;
    });
    """
    for session in (dejavu_browser, browser):
        session.get("about:blank")  # an HTML page, where a canvas can be made
    liberation, dejavu_mono = dejavu_browser.execute_script(widths)
    assert liberation == dejavu_mono
    if Path("/usr/share/fonts/truetype/liberation").is_dir():
        liberation, dejavu_mono = browser.execute_script(widths)
        assert liberation != dejavu_mono


@pytest.mark.parametrize("renderer", RENDERERS, ids=RENDERER_IDS)
def test_the_svg_names_monospace_fonts_for_each_system_and_those_here_advance_0_6_em(
    renderer, fonts
):
    svg = draw_dot(readme_example()).to_svg(renderer)
    families = set(re.findall(r'font-family="([^"]*)"', svg))
    assert len(families) == 1  # every text, whatever its size or weight
    stack = [f.strip().strip("'") for f in families.pop().split(",")]
    assert stack[-1] == "monospace"
    for platform in ("DejaVu Sans Mono", "Liberation Mono", "Menlo", "Courier New"):
        assert platform in stack  # Linux, Linux, macOS, Windows
    fonts.get("about:blank")
    advances = fonts.execute_script(
        """
        const context = document.createElement("canvas").getContext("2d");
        const width = family => { context.font = `100px ${family}`;
                                  return context.measureText("M0.x-".repeat(20)).width / 100; };
        const fallback = [width("serif"), width("sans-serif")];
        // a family that is installed draws differently from both fallbacks
        return arguments[0].map(f => [f, width(`'${f}', serif`), width(`'${f}', sans-serif`)])
          .filter(([, a, b]) => a !== fallback[0] || b !== fallback[1])
          .map(([f, a]) => [f, a / 100]);
        """,
        stack[:-1],
    )
    assert advances  # this machine has at least one of them
    for family, em in advances:
        assert em == pytest.approx(0.6, abs=0.003), family


@pytest.mark.parametrize("renderer", RENDERERS, ids=RENDERER_IDS)
@pytest.mark.parametrize("size", sorted({style.SMALL, style.SIZE, style.BIG}))
def test_text_is_laid_out_no_narrower_than_a_0_6_em_font_draws_it(renderer, size):
    """The widths behind every fit: at each text size the drawings use, the renderer gives a line
    of text at least the width that DejaVu Sans Mono or Liberation Mono draws (0.6 em a
    character). A system dot's hinted widths are narrower at some sizes (9 pt: 0.97)."""
    line = "layers.0.neurons.0.w[0] data -0.0699 grad 1.055"
    source = (
        f'digraph {{ node [shape=box margin=0 fontname="{style.FONT}" fontsize={size}]; '
        f'a [label="{line}"]; b [label=<<B>{line}</B>>] }}'
    )
    svg = Drawing(graphviz.Source(source)).to_svg(renderer)
    boxes = re.findall(
        r'<polygon fill="none" stroke="black" points="([-\d.]+),[^ ]+ ([-\d.]+),', svg
    )
    assert len(boxes) == 2  # plain and bold
    for right, left in boxes:
        assert float(right) - float(left) >= len(line) * 0.6 * size - SLACK
