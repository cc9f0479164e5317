"""The backprop player in a real headless browser (the ``browser`` fixture of
``tests/conftest.py``)."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.helpers.viz_graphs import small_expression
from viz import backprop_steps, save_html, style

# the DOT ids of the nodes drawn in the highlight colour, in the frame on show
HIGHLIGHTED = """
const frame = [...document.querySelectorAll(".vg-frame")].find(f => !f.hidden);
return [...frame.querySelectorAll("g.node")]
  .filter(g => [...g.querySelectorAll("path, polygon, ellipse")]
    .some(shape => (shape.getAttribute("stroke") || "").toLowerCase() === arguments[0]))
  .map(g => g.querySelector("title").textContent);
"""


def test_next_moves_the_highlight_to_the_next_node_backward_processes(browser, tmp_path):
    steps = backprop_steps(small_expression())
    path = save_html(steps, tmp_path / "player.html")
    browser.get(path.as_uri())
    counter = browser.find_element(By.CLASS_NAME, "vg-counter")
    assert counter.text == f"step 1 / {len(steps)}"
    seen = [sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT))]
    assert seen[0] == ["v6"]  # the seed: the output
    for step in range(2, 4):
        browser.find_element(By.CLASS_NAME, "vg-next").click()
        assert counter.text == f"step {step} / {len(steps)}"
        seen.append(sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT)))
    assert seen[1] == ["o6", "v6"] and seen[2] == ["o5", "v5"]  # L = tanh(v5), then v5 = d * 0.1
    title = browser.find_element(By.CSS_SELECTOR, ".vg-frame:not([hidden]) .vg-title").text
    assert title == "backward through v5 = d * 0.1"


def test_previous_and_the_slider_move_between_frames(browser, tmp_path):
    steps = backprop_steps(small_expression())
    browser.get(save_html(steps, tmp_path / "player.html").as_uri())
    browser.find_element(By.CLASS_NAME, "vg-next").click()
    browser.find_element(By.CLASS_NAME, "vg-previous").click()
    assert browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT) == ["v6"]
    slider = browser.find_element(By.CLASS_NAME, "vg-slider")
    browser.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
        slider,
        len(steps) - 1,
    )
    counter = browser.find_element(By.CLASS_NAME, "vg-counter")
    assert counter.text == f"step {len(steps)} / {len(steps)}"
    assert sorted(browser.execute_script(HIGHLIGHTED, style.HIGHLIGHT)) == ["o2", "v2"]  # e = a * b


def test_play_steps_through_the_frames_by_itself(browser, tmp_path):
    steps = backprop_steps(small_expression())
    browser.get(save_html(steps, tmp_path / "player.html").as_uri())
    browser.find_element(By.CLASS_NAME, "vg-play").click()
    counter = browser.find_element(By.CLASS_NAME, "vg-counter")
    WebDriverWait(browser, 10).until(lambda _: counter.text == f"step 2 / {len(steps)}")
    assert "pause" in browser.find_element(By.CLASS_NAME, "vg-play").text
