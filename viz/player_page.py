"""The backprop player's HTML: frames with their SVG inline, previous / play / next and a slider,
in plain HTML, CSS and a few lines of JavaScript. Nothing is loaded from the network."""

from __future__ import annotations

import html

STYLE = """
.vg-player { font-family: Helvetica, Arial, sans-serif; color: #333; max-width: 100%; }
.vg-controls { display: flex; align-items: center; gap: 8px; margin: 6px 0; flex-wrap: wrap; }
.vg-controls button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid #bbb;
  border-radius: 4px; background: #f6f6f6; cursor: pointer; }
.vg-controls button:hover { background: #e9e9ee; }
.vg-controls input[type=range] { flex: 1; min-width: 120px; max-width: 420px; }
.vg-counter { font-size: 13px; color: #6e6e6e; min-width: 90px; }
.vg-title { font-weight: bold; font-size: 14px; margin: 4px 0; }
.vg-rule { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px;
  background: #fbf3f6; border-left: 3px solid #d6336c; padding: 4px 8px; margin: 4px 0;
  white-space: pre-wrap; min-height: 1.3em; }
.vg-rule:empty { visibility: hidden; }
.vg-key { font-size: 12px; color: #6e6e6e; margin: 2px 0 6px; }
.vg-frame svg { max-width: 100%; height: auto; }
"""

SCRIPT = """
(function (root) {
  var frames = root.querySelectorAll(".vg-frame");
  var slider = root.querySelector(".vg-slider");
  var counter = root.querySelector(".vg-counter");
  var play = root.querySelector(".vg-play");
  var current = 0, timer = null;
  function show(i) {
    current = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) frames[k].hidden = k !== current;
    slider.value = current;
    counter.textContent = "step " + (current + 1) + " / " + frames.length;
  }
  function stop() { clearInterval(timer); timer = null; play.textContent = "\\u25b6 play"; }
  root.querySelector(".vg-previous").onclick = function () { stop(); show(current - 1); };
  root.querySelector(".vg-next").onclick = function () { stop(); show(current + 1); };
  slider.oninput = function () { stop(); show(Number(slider.value)); };
  play.onclick = function () {
    if (timer) { stop(); return; }
    if (current === frames.length - 1) show(0);
    play.textContent = "\\u275a\\u275a pause";
    timer = setInterval(function () {
      if (current >= frames.length - 1) stop(); else show(current + 1);
    }, 1200);
  };
  show(0);
})(document.currentScript.parentNode);
"""

KEY = "grad ? : not computed yet · grad 1.5 … : still adding up · highlighted: the step being taken"


def _svg_element(svg: str) -> str:
    """The ``<svg>`` element alone: no XML declaration or doctype inside HTML."""
    return svg[svg.index("<svg") :]


def player(frames: list[tuple[str, str, str]], element_id: str) -> str:
    """The player as an HTML fragment (for Jupyter): ``frames`` are (title, rule, svg)."""
    count = len(frames)
    parts = [
        f'<div class="vg-player" id="{element_id}"><style>{STYLE}</style>',
        '<div class="vg-controls">',
        '<button class="vg-previous" type="button">&#9664; previous</button>',
        '<button class="vg-play" type="button">&#9654; play</button>',
        '<button class="vg-next" type="button">next &#9654;</button>',
        f'<input class="vg-slider" type="range" min="0" max="{count - 1}" value="0" step="1">',
        f'<span class="vg-counter">step 1 / {count}</span></div>',
        f'<div class="vg-key">{html.escape(KEY)}</div>',
    ]
    for i, (title, rule, svg) in enumerate(frames):
        hidden = " hidden" if i else ""
        parts.append(
            f'<div class="vg-frame" data-step="{i}"{hidden}>'
            f'<div class="vg-title">{html.escape(title)}</div>'
            f'<div class="vg-rule">{html.escape(rule)}</div>{_svg_element(svg)}</div>'
        )
    parts.append(f"<script>{SCRIPT}</script></div>")
    return "\n".join(parts)


def page(frames: list[tuple[str, str, str]], element_id: str) -> str:
    """The player as a whole HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>backprop, step by step</title></head><body>\n"
        f"{player(frames, element_id)}\n</body></html>\n"
    )
