"""The backprop player's HTML: one SVG, previous / play / next, a slider, the keyboard, and a
small script that applies each frame's changes to the SVG. Nothing is loaded from the network.

All text reaches the page as text: the SVG escapes its own, the key is HTML-escaped, and the
frames' data is JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` escapes, so no label can
end the script it sits in; the script sets titles and rules with ``textContent``, never as HTML.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from . import style
from .player_script import SCRIPT

RULE_LINE = 17  # px: the rule box's line height, in STYLE
RULE_LINES = 8  # the most lines of rule shown at once; a longer rule (a dot of 33) scrolls

STYLE = f"""
.vg-player {{ font-family: sans-serif; color: #333; max-width: 100%; outline: none; }}
.vg-player:focus-visible {{ box-shadow: 0 0 0 2px #bbb; border-radius: 4px; }}
.vg-controls {{ display: flex; align-items: center; gap: 8px; margin: 6px 0; flex-wrap: wrap; }}
.vg-controls button {{ font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid #bbb;
  border-radius: 4px; background: #f6f6f6; cursor: pointer; }}
.vg-controls button:hover {{ background: #e9e9ee; }}
.vg-controls input[type=range] {{ flex: 1; min-width: 120px; max-width: 420px; }}
.vg-counter {{ font-size: 13px; color: #6e6e6e; min-width: 90px; }}
.vg-hint {{ font-size: 12px; color: #8a8a8a; }}
.vg-title {{ font-weight: bold; font-size: 14px; margin: 4px 0; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.vg-rule {{ font-family: monospace; font-size: 13px; line-height: {RULE_LINE}px;
  max-height: {RULE_LINE * RULE_LINES}px; overflow-y: auto; white-space: pre-wrap;
  background: #fbf3f6; border-left: 3px solid {style.HIGHLIGHT}; padding: 4px 8px; margin: 4px 0; }}
.vg-rule:empty {{ visibility: hidden; }}
.vg-key {{ font-size: 12px; color: #6e6e6e; margin: 2px 0 6px; display: flex; flex-wrap: wrap;
  gap: 4px 14px; }}
.vg-swatch {{ display: inline-block; width: 14px; height: 10px; margin-right: 4px;
  vertical-align: -1px; border: 1px solid #bbb; box-sizing: border-box; }}
.vg-frame svg {{ max-width: 100%; height: auto; }}
"""


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` in it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for character in "<>&\u2028\u2029":
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text


def _svg_element(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration or doctype inside HTML), without the
    tooltips that would show DOT ids and the comments that name them."""
    svg = svg[svg.index("<svg") :]
    return re.sub(r"<title>[^<]*</title>\n?|<!--[^>]*-->\n?", "", svg)


def _key(entries: list[tuple[str, str, str]]) -> str:
    parts = []
    for look, colour, meaning in entries:
        swatch = ""
        if look == "fill":
            swatch = f'<span class="vg-swatch" style="background: {html.escape(colour)}"></span>'
        elif look == "outline":
            swatch = (
                f'<span class="vg-swatch" style="border: 2px solid {html.escape(colour)}"></span>'
            )
        parts.append(f"<span>{swatch}{html.escape(meaning)}</span>")
    return "".join(parts)


def player(
    svg: str, changes: dict[str, Any], key: list[tuple[str, str, str]], element_id: str
) -> str:
    """The player as an HTML fragment (for Jupyter): ``svg`` laid out once, ``changes`` per frame
    (``Scene.changes``), ``key`` the states that occur. Keys act while the player has focus."""
    return _player(svg, changes, key, element_id, whole_page=False)


def page(
    svg: str, changes: dict[str, Any], key: list[tuple[str, str, str]], element_id: str
) -> str:
    """The player as a whole HTML document, where the keys act on the whole page."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>backprop, step by step</title></head><body>\n"
        f"{_player(svg, changes, key, element_id, whole_page=True)}\n</body></html>\n"
    )


def _player(
    svg: str,
    changes: dict[str, Any],
    key: list[tuple[str, str, str]],
    element_id: str,
    *,
    whole_page: bool,
) -> str:
    frames = changes["frames"]
    count = len(frames)
    title, rule, _ = frames[0]
    lines = max(r.count("\n") + 1 for _, r, _ in frames)  # the rule box keeps its height
    height = f"min-height: {min(lines, RULE_LINES) * RULE_LINE + 16}px"  # with padding, margin
    options = script_json({**changes, "prefix": f"{element_id}-", "wholePage": whole_page})
    return "\n".join(
        [
            f'<div class="vg-player" id="{html.escape(element_id)}" tabindex="0" '
            'data-lm-suppress-shortcuts="true" aria-label="backprop player">',
            f"<style>{STYLE}</style>",
            '<div class="vg-controls">',
            '<button class="vg-previous" type="button">&#9664; previous</button>',
            '<button class="vg-play" type="button">&#9654; play</button>',
            '<button class="vg-next" type="button">next &#9654;</button>',
            f'<input class="vg-slider" type="range" min="0" max="{count - 1}" value="0" step="1">',
            f'<span class="vg-counter">step 1 / {count}</span>',
            '<span class="vg-hint">&#8592; &#8594; step, space plays</span></div>',
            f'<div class="vg-key">{_key(key)}</div>',
            f'<div class="vg-title" title="{html.escape(title)}">{html.escape(title)}</div>',
            f'<div class="vg-rules" style="{height}">'
            f'<div class="vg-rule">{html.escape(rule)}</div></div>',
            f'<div class="vg-frame">{_svg_element(svg)}</div>',
            f"<script>({SCRIPT})(document.currentScript.parentNode, {options});</script></div>",
        ]
    )
