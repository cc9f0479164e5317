"""The training explorer in a real headless browser (the ``browser`` fixture): frames change on
step, play, the slider and the keys; a click shows a neuron's graph with the numbers draw_dot
draws for it; injected markup stays text; and nothing is logged as an error."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

import autograd
from autograd import Value
from nn import MLP
from tests.helpers.training_runs import small_run
from viz import draw_dot, explore, find_renderers

ERRORS = """
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
var original = console.error;
console.error = function () {
  window.__errors.push(Array.prototype.join.call(arguments, " "));
  original.apply(console, arguments);
};
"""


@pytest.fixture
def page(browser, tmp_path):
    """Open an explorer's page with errors and console.error collected from before it loads."""
    hook = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ERRORS})

    def open_page(explorer):
        browser.get(explorer.save(tmp_path / "training.html").as_uri())
        return browser

    yield open_page
    errors = browser.execute_script("return window.__errors")
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", hook)
    assert errors == []


def _state(browser):
    """What a frame draws: the counter, the boundary's pixels, a neuron's, the loss cursor."""
    return browser.execute_script(
        """
        const root = document.querySelector(".vg-explorer");
        return [root.querySelector(".vg-counter").textContent,
                root.querySelector(".vg-boundary").toDataURL(),
                root.querySelector(".vg-neuron").toDataURL(),
                root.querySelector(".vg-curve-loss .vg-cursor").getAttribute("x1")];
        """
    )


def _changed(before, after):
    return [a != b for a, b in zip(before, after)]


@pytest.mark.parametrize("kind", ["binary", "multi-class"])
def test_next_previous_slider_and_keys_change_the_frame(page, kind):
    _, X, y, recording = small_run(kind)
    browser = page(explore(recording, X, y))
    root = browser.find_element(By.CLASS_NAME, "vg-explorer")
    first = _state(browser)
    assert first[0].startswith("step 0 of 6")
    browser.find_element(By.CLASS_NAME, "vg-next").click()
    second = _state(browser)
    assert second[0].startswith("step 1 of 6") and all(_changed(first, second))
    browser.find_element(By.CLASS_NAME, "vg-previous").click()
    assert _state(browser) == first
    slider = browser.find_element(By.CLASS_NAME, "vg-slider")
    browser.execute_script(
        "arguments[0].value = 6; arguments[0].dispatchEvent(new Event('input'))", slider
    )
    end = _state(browser)
    assert end[0].startswith("step 6 of 6") and all(_changed(second, end))
    root.send_keys(Keys.ARROW_LEFT)
    assert _state(browser)[0].startswith("step 5 of 6")
    root.send_keys(Keys.HOME)
    assert _state(browser) == first
    root.send_keys(Keys.ARROW_RIGHT)
    assert _state(browser) == second
    slider.send_keys(Keys.ARROW_RIGHT)  # the slider's own arrow key: one step, not two
    assert _state(browser)[0].startswith("step 2 of 6")


def test_play_and_space_run_through_the_frames_and_pause(page):
    _, X, y, recording = small_run("binary", steps=20)
    browser = page(explore(recording, X, y))
    browser.find_element(By.CLASS_NAME, "vg-play").click()
    counter = browser.find_element(By.CLASS_NAME, "vg-counter")
    WebDriverWait(browser, 10).until(lambda _: counter.text.startswith("step 20 of 20"))
    assert browser.find_element(By.CLASS_NAME, "vg-play").text == "▶ play"  # stopped at the end
    root = browser.find_element(By.CLASS_NAME, "vg-explorer")
    root.send_keys(Keys.SPACE)  # from the end, play starts over
    WebDriverWait(browser, 10).until(lambda _: not counter.text.startswith("step 20 "))
    root.send_keys(Keys.SPACE)
    paused = counter.text
    assert browser.find_element(By.CLASS_NAME, "vg-play").text == "▶ play"
    browser.execute_script("return new Promise(r => setTimeout(r, 400))")
    assert counter.text == paused


NODE_TEXTS = """
const out = {};
arguments[0].querySelectorAll("g.node").forEach(g => {
  const title = g.querySelector("title").textContent;
  if (title[0] === "v") out[title] = [...g.querySelectorAll("text")].map(t => t.textContent);
});
return out;
"""
NODE_FILLS = """
const out = {};
arguments[0].querySelectorAll("g.node").forEach(g => {
  const title = g.querySelector("title").textContent;
  const filled = [...g.querySelectorAll("path, polygon")].find(
    s => (s.getAttribute("fill") || "none") !== "none");
  if (title[0] === "v") out[title] = filled.getAttribute("fill");
});
return out;
"""


def _expected_graph(recording, X, y, frame, sample, layer, j, renderer=None):
    """The neuron's graph for the sample at the frame, built here from the recorded weights with
    Values and drawn by draw_dot: each Value node's texts."""
    model = MLP(**recording.architecture["config"], seed=0)
    model.load_state_dict(dict(zip(recording.names, recording.frames[frame].weights)))
    inputs = [Value(v) for v in X[sample].tolist()]
    values, layers = inputs, []
    for each in model.layers:
        layers.append((values, [n(values) for n in each.neurons]))
        values = layers[-1][1]
    recording.loss(values[0] if len(values) == 1 else values, y[sample].item()).backward()
    xs, outs = layers[layer]
    neuron, out = model.layers[layer].neurons[j], outs[j]
    names = [f"x[{i}]" if layer == 0 else f"a{layer - 1}[{i}]" for i in range(len(xs))]
    leaves = [Value(x.data, label=n) for x, n in zip(xs, names)]
    w = [Value(p.data, label=f"w[{i}]") for i, p in enumerate(neuron.w)]
    b = Value(neuron.b.data, label="b")
    for new, old in [*zip(leaves, xs), *zip(w, neuron.w), (b, neuron.b)]:
        new.grad = old.grad
    drawn = autograd.dot(w, leaves, b)
    top = getattr(drawn, neuron.activation)() if neuron.activation != "linear" else drawn
    top.label = "out"
    old_dot = out if out.op == "dot" else out.parents[0]
    drawn.grad, top.grad = old_dot.grad, out.grad
    svg = draw_dot(top).to_svg(renderer)
    texts, fills = {}, {}
    for title, body in re.findall(r"<title>(v\d+)</title>(.*?)</g>", svg, re.S):
        texts[title] = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", body)]
        fills[title] = re.search(r'<(?:path|polygon) fill="(#[0-9a-f]{6})"', body).group(1)
    return texts, fills


def _colour(fill):
    return np.array([int(fill[i : i + 2], 16) for i in (1, 3, 5)])


@pytest.mark.parametrize("kind", ["binary", "multi-class"])
@pytest.mark.parametrize("renderer", find_renderers(), ids=lambda r: r.name)
def test_clicking_a_neuron_shows_its_graph_with_the_engines_numbers(page, kind, renderer):
    _, X, y, recording = small_run(kind)
    explorer = explore(recording, X, y, renderer=renderer)
    browser = page(explorer)
    browser.find_element(By.CLASS_NAME, "vg-next").click()
    browser.find_element(By.CLASS_NAME, "vg-next").click()
    neuron = browser.find_elements(By.CLASS_NAME, "vg-neuron")[1]  # layers.0.neurons.1
    neuron.click()
    view = browser.find_element(By.CLASS_NAME, "vg-graph-view")
    ops = browser.execute_script(
        "return [...arguments[0].querySelectorAll('svg g.node text')].map(t => t.textContent)",
        view,
    )
    activation = "relu" if kind == "binary" else "tanh"
    assert activation in ops and "dot" in ops
    title = browser.find_element(By.CLASS_NAME, "vg-graph-title").text
    sample = explorer.data["graph"]["samples"][0]
    assert title.startswith(f"layers.0.neurons.1: {activation}(w · x + b), on sample {sample}")
    assert title.endswith("at step 2")
    texts, fills = _expected_graph(recording, X, y, 2, sample, 0, 1, renderer)
    assert browser.execute_script(NODE_TEXTS, view) == texts
    shown = browser.execute_script(NODE_FILLS, view)
    assert shown.keys() == fills.keys()
    for node, fill in fills.items():  # the page shades from the printed (4-digit) numbers
        assert np.abs(_colour(shown[node]) - _colour(fill)).max() <= 2, node


def test_clicking_a_ringed_point_follows_that_sample(page):
    _, X, y, recording = small_run("binary")
    explorer = explore(recording, X, y, samples=[3, 7])
    browser = page(explorer)
    browser.find_element(By.CLASS_NAME, "vg-neuron").click()  # layers.0.neurons.0
    x0, x1, y0, y1 = explorer.data["extent"]
    px, py = X[7]
    plane = browser.find_element(By.CLASS_NAME, "vg-boundary")
    size = plane.size["width"]
    left, top = (px - x0) / (x1 - x0) * size, (y1 - py) / (y1 - y0) * size
    browser.execute_script(
        """const box = arguments[0].getBoundingClientRect();
        arguments[0].dispatchEvent(new MouseEvent("click", {clientX: box.left + arguments[1],
          clientY: box.top + arguments[2], bubbles: true}));""",
        plane,
        left,
        top,
    )
    title = browser.find_element(By.CLASS_NAME, "vg-graph-title").text
    assert "on sample 7 " in title
    view = browser.find_element(By.CLASS_NAME, "vg-graph-view")
    texts, _ = _expected_graph(recording, X, y, 0, 7, 0, 0)
    assert browser.execute_script(NODE_TEXTS, view) == texts


def test_edges_follow_weights_or_gradients_as_toggled(page):
    _, X, y, recording = small_run("binary")
    browser = page(explore(recording, X, y))
    widths = (
        "return [...document.querySelectorAll('.vg-edges line')]"
        ".map(line => line.getAttribute('stroke-width'))"
    )
    by_weight = browser.execute_script(widths)
    first = recording.frames[0].weights[:2]  # layers.0.neurons.0.w[0], w[1]
    assert (float(by_weight[0]) > float(by_weight[1])) == (abs(first[0]) > abs(first[1]))
    browser.find_element(By.CLASS_NAME, "vg-edges-gradients").click()
    by_grad = browser.execute_script(widths)
    grads = recording.frames[0].grads[:2]
    assert by_grad != by_weight
    assert (float(by_grad[0]) > float(by_grad[1])) == (abs(grads[0]) > abs(grads[1]))


def test_titles_and_class_names_with_markup_stay_text(page):
    _, X, y, recording = small_run("binary", steps=1)
    title = '</script><img src=x onerror="window.__pwned=1">\'quotes\' "and"\nlines'
    names = ["<b>minus</b>", "</script><script>window.__pwned=2</script>"]
    browser = page(explore(recording, X, y, title=title, class_names=names))
    assert browser.execute_script("return window.__pwned") is None
    shown = browser.execute_script("return document.querySelector('.vg-explorer h2').textContent")
    assert shown == title
    key = browser.find_element(By.CLASS_NAME, "vg-classes").text
    assert names[0] in key and names[1] in key
    markup = "return document.querySelectorAll('.vg-explorer img, .vg-explorer b').length"
    assert browser.execute_script(markup) == 0


def test_the_explorer_shows_inline_in_jupyter():
    _, X, y, recording = small_run("binary", steps=1)
    explorer = explore(recording, X, y)
    first, second = explorer._repr_html_(), explorer._repr_html_()
    ids = [re.search(r'id="([^"]+)"', html).group(1) for html in (first, second)]
    assert ids[0] != ids[1]
    assert "http://" not in first.replace("http://www.w3.org", "") and "https://" not in first


def test_pointing_at_a_neuron_shows_its_output_over_the_plane(page):
    _, X, y, recording = small_run("binary")
    browser = page(explore(recording, X, y))
    pixels = "return document.querySelector('.vg-boundary').toDataURL()"
    title = "return document.querySelector('.vg-plane .vg-panel-title').textContent"
    boundary = browser.execute_script(pixels)
    neuron = browser.find_elements(By.CLASS_NAME, "vg-neuron")[2]
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseenter'))", neuron)
    assert browser.execute_script(title) == "the output of layers.0.neurons.2"
    assert browser.execute_script(pixels) != boundary
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseleave'))", neuron)
    assert browser.execute_script(title) == "the data and the decision boundary"
    assert browser.execute_script(pixels) == boundary
