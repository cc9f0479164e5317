"""The backprop player in a real headless browser (the ``browser`` fixture of
``tests/conftest.py``): the controls and keys move between frames, the highlight follows
backward, the nodes hold still, the numbers are the engine's, labels stay text, and the console
stays clean."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from autograd import Value, topological_order, zero_grad
from nn import MLP
from tests.helpers.viz_graphs import RENDERER_IDS, RENDERERS, neuron, small_expression
from viz import backprop_steps, save_html, style

# the ids (less the prefix) of the nodes and edges drawn in the highlight colour
HIGHLIGHTED = """
const [colour, player] = arguments;
const prefix = player.id + "-";
return [...player.querySelectorAll("svg g[id^='" + prefix + "']")]
  .filter(g => [...g.querySelectorAll("path, polygon, ellipse")]
    .some(shape => (shape.getAttribute("stroke") || "").toLowerCase() === colour))
  .map(g => g.id.slice(prefix.length));
"""

# per Value node: its shape's box, and the box of every text in it, in SVG units
BOXES = """
const box = (e) => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
return Object.fromEntries([...document.querySelectorAll("svg g.node[id]")]
  .filter(g => /-v\\d+$/.test(g.id))
  .map(g => [g.id, [box(g.querySelector("path, polygon")),
                    [...g.querySelectorAll("text")].map(box)]]));
"""

# per Value node (by its place in the topological order): the gradient it shows
GRADIENTS = """
return Object.fromEntries([...document.querySelectorAll("svg g.node[id]")]
  .filter(g => /-v\\d+$/.test(g.id))
  .map(g => [Number(g.id.match(/(\\d+)$/)[1]), [...g.querySelectorAll("text")].pop().textContent]));
"""


@pytest.fixture(autouse=True)
def no_console_errors(browser):
    """Every test here ends with no error in the browser's console."""
    browser.get_log("browser")  # read and so cleared
    yield
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def notebook_expression() -> Value:
    """The player of notebook 03: ``a`` used twice, so its gradient adds up over two frames."""
    a, b, c = Value(1.5, label="a"), Value(-2.0, label="b"), Value(4.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    t = d.tanh()
    t.label = "t"
    out = t * a
    out.label = "L"
    return out


def open_player(browser, tmp_path, root: Value, renderer=None):
    steps = backprop_steps(root)
    browser.get(save_html(steps, tmp_path / "player.html", renderer=renderer).as_uri())
    return steps, browser.find_element(By.CLASS_NAME, "vg-player")


def counter(browser) -> str:
    return browser.find_element(By.CLASS_NAME, "vg-counter").text


def slide_to(browser, frame: int) -> None:
    slider = browser.find_element(By.CLASS_NAME, "vg-slider")
    browser.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
        slider,
        frame,
    )


def test_next_moves_the_highlight_to_the_next_node_backward_processes(browser, tmp_path):
    steps, player = open_player(browser, tmp_path, small_expression())
    assert counter(browser) == f"step 1 / {len(steps)}"
    seen = [sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT, player))]
    assert seen[0] == ["v6"]  # the seed: the output
    for step in range(2, 4):
        browser.find_element(By.CLASS_NAME, "vg-next").click()
        assert counter(browser) == f"step {step} / {len(steps)}"
        seen.append(sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT, player)))
    # L = tanh(v1), then v1 = d * 0.1: each node with its op, its result edge, its input edges
    assert seen[1] == ["e6", "e6_0", "o6", "v6"] and seen[2] == ["e5", "e5_0", "o5", "v5"]
    assert browser.find_element(By.CLASS_NAME, "vg-title").text == "backward through v1 = d * 0.1"
    assert browser.find_element(By.CLASS_NAME, "vg-rule").text.startswith("d.grad += 0.1 * ")


def test_previous_and_the_slider_move_between_frames(browser, tmp_path):
    steps, player = open_player(browser, tmp_path, small_expression())
    browser.find_element(By.CLASS_NAME, "vg-next").click()
    browser.find_element(By.CLASS_NAME, "vg-previous").click()
    assert browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT, player) == ["v6"]
    slide_to(browser, len(steps) - 1)
    assert counter(browser) == f"step {len(steps)} / {len(steps)}"
    marked = sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT, player))
    assert marked == ["e2", "e2_0", "e2_1", "o2", "v2"]  # e = a * b


def test_play_steps_through_the_frames_by_itself(browser, tmp_path):
    steps, _ = open_player(browser, tmp_path, small_expression())
    browser.find_element(By.CLASS_NAME, "vg-play").click()
    WebDriverWait(browser, 10).until(lambda _: counter(browser) == f"step 2 / {len(steps)}")
    assert "pause" in browser.find_element(By.CLASS_NAME, "vg-play").text


def press(browser, key: str) -> None:
    ActionChains(browser).send_keys(key).perform()


def test_arrow_keys_step_and_space_plays_and_pauses_on_the_page(browser, tmp_path):
    steps, _ = open_player(browser, tmp_path, small_expression())
    count = len(steps)
    play = browser.find_element(By.CLASS_NAME, "vg-play")
    press(browser, Keys.ARROW_RIGHT)
    press(browser, Keys.ARROW_RIGHT)
    assert counter(browser) == f"step 3 / {count}"
    press(browser, Keys.ARROW_LEFT)
    assert counter(browser) == f"step 2 / {count}"
    press(browser, Keys.END)
    assert counter(browser) == f"step {count} / {count}"
    press(browser, Keys.HOME)
    assert counter(browser) == f"step 1 / {count}"
    press(browser, Keys.SPACE)
    assert "pause" in play.text
    WebDriverWait(browser, 10).until(lambda _: counter(browser) == f"step 2 / {count}")
    press(browser, Keys.SPACE)
    assert "play" in play.text
    # with the focus on a button, space still plays and pauses, and does not click the button
    browser.find_element(By.CLASS_NAME, "vg-next").click()
    shown = counter(browser)
    press(browser, Keys.SPACE)
    assert "pause" in play.text and counter(browser) == shown
    press(browser, Keys.SPACE)
    assert "play" in play.text and counter(browser) == shown


def test_inline_players_take_keys_only_while_they_have_the_focus(browser, tmp_path):
    """Two players in a notebook-like page: the keys move the focused one, and typing elsewhere
    moves neither."""
    first, second = (backprop_steps(root)._repr_html_() for root in (small_expression(), neuron()))
    path = tmp_path / "notebook.html"
    path.write_text(f'<html><body><input id="cell">{first}{second}</body></html>')
    browser.get(path.as_uri())
    one, two = browser.find_elements(By.CLASS_NAME, "vg-player")
    counters = [p.find_element(By.CLASS_NAME, "vg-counter") for p in (one, two)]

    def steps_shown() -> list[str]:
        return [c.text.split(" /")[0] for c in counters]

    cell = browser.find_element(By.ID, "cell")
    cell.click()
    press(browser, Keys.ARROW_RIGHT + "a b")
    assert steps_shown() == ["step 1", "step 1"] and cell.get_attribute("value") == "a b"
    two.find_element(By.CLASS_NAME, "vg-counter").click()  # focuses the player around it
    press(browser, Keys.ARROW_RIGHT + Keys.ARROW_RIGHT)
    assert steps_shown() == ["step 1", "step 3"]
    browser.execute_script("arguments[0].focus()", one)
    press(browser, Keys.ARROW_RIGHT)
    assert steps_shown() == ["step 2", "step 3"]
    assert sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT, one))[-1] == "v6"


def wide_neuron_sample() -> Value:
    """A neuron of 16 inputs: its step's title and 33 rule lines are far longer than others'."""
    model = MLP(2, [16, 1], seed=0)
    return (1 + -1.0 * model([0.5, -1.5])).relu()


SVG_TOP = "return document.querySelector('.vg-frame svg').getBoundingClientRect().top"


@pytest.mark.parametrize("renderer", RENDERERS, ids=RENDERER_IDS)
@pytest.mark.parametrize(
    "build", [notebook_expression, neuron, small_expression, wide_neuron_sample]
)
def test_nodes_hold_still_and_every_text_stays_in_its_node_in_every_frame(
    browser, tmp_path, build, renderer
):
    steps, _ = open_player(browser, tmp_path, build(), renderer)
    first = top = None
    for frame in sorted({0, 1, 4, len(steps) // 2, len(steps) - 1}):
        slide_to(browser, frame)
        boxes = browser.execute_script(BOXES)
        shapes = {name: shape for name, (shape, _) in boxes.items()}
        first, top = first or shapes, top or browser.execute_script(SVG_TOP)
        assert shapes == first, f"a node moved or changed size in frame {frame}"
        assert browser.execute_script(SVG_TOP) == top, f"the drawing moved in frame {frame}"
        for name, (shape, texts) in boxes.items():
            for x0, y0, x1, y1 in texts:
                inside = shape[0] <= x0 and x1 <= shape[2] and shape[1] <= y0 and y1 <= shape[3]
                assert inside, f"a text of {name} leaves its node in frame {frame}"


@pytest.mark.parametrize("build", [notebook_expression, neuron])
def test_the_last_frame_shows_the_gradients_backward_computes(browser, tmp_path, build):
    root = build()
    steps, _ = open_player(browser, tmp_path, root)
    order = topological_order(root)
    zero_grad(order)
    root.backward()
    slide_to(browser, len(steps) - 1)
    shown = browser.execute_script(GRADIENTS)
    assert {int(k): text for k, text in shown.items()} == {
        k: style.number(v.grad) for k, v in enumerate(order)
    }
    slide_to(browser, 0)
    first = {int(k): text for k, text in browser.execute_script(GRADIENTS).items()}
    assert first == {k: "1" if v is root else "?" for k, v in enumerate(order)}


PAYLOAD = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned=1">\'\nend'


@pytest.mark.parametrize("inline", [False, True])
def test_labels_with_markup_stay_text_and_run_no_script(browser, tmp_path, inline):
    x = Value(2.0, label=PAYLOAD)
    out = x * x
    out.label = "<b>out</b>"
    steps = backprop_steps(out)
    path = tmp_path / "player.html"
    if inline:
        path.write_text(f"<html><body>{steps._repr_html_()}</body></html>")
    else:
        save_html(steps, path)
    browser.get(path.as_uri())
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert browser.execute_script("return document.querySelectorAll('img, b').length") == 0
    title = browser.find_element(By.CLASS_NAME, "vg-title")
    assert title.text == "seed: <b>out</b>.grad = 1"
    slide_to(browser, len(steps) - 1)
    rule = browser.find_element(By.CLASS_NAME, "vg-rule").text
    assert rule.startswith(PAYLOAD.replace("\n", "\\n") + ".grad += ")  # the newline as \n
    drawn = browser.execute_script(
        "return [...document.querySelectorAll('svg text')].map(t => t.textContent).join(' ')"
    )
    assert PAYLOAD[: style.MAX_LABEL - 1] in drawn and "<b>out</b>" in drawn
    assert browser.execute_script("return typeof window.pwned") == "undefined"


@pytest.mark.parametrize("build", [notebook_expression, neuron])
def test_the_highlight_follows_backward_through_every_frame(browser, tmp_path, build):
    root = build()
    steps, player = open_player(browser, tmp_path, root)
    order = topological_order(root)
    expected = [[f"v{len(order) - 1}"]]  # the seed, then each op node as backward takes it
    for node in (v for v in reversed(order) if v.op):
        k = order.index(node)
        edges = [f"e{k}_{i}" for i, p in enumerate(node.parents) if isinstance(p, Value)]
        expected.append(sorted([f"v{k}", f"o{k}", f"e{k}", *edges]))
    seen = []
    for _ in steps:
        seen.append(sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT, player)))
        press(browser, Keys.ARROW_RIGHT)
    assert seen == expected
