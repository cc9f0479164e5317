"""The training explorer's HTML: the layout, its CSS, and the data as JSON inside the page.

The data goes in a ``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as
JSON escapes, so no text in it (a title holding ``</script>``) can end the element or become
markup; the script reads it with ``JSON.parse`` and writes text only through ``textContent``.
Nothing is loaded from the network.
"""

from __future__ import annotations

import json
from typing import Any

from .explorer_script import SCRIPT

STYLE = """
.vg-explorer { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #333;
  font-size: 13px; outline: none; max-width: 1380px; }
.vg-explorer:focus-visible { box-shadow: 0 0 0 2px #d6336c33; border-radius: 6px; }
.vg-explorer h2 { font-size: 17px; margin: 4px 0 8px; font-weight: 600; }
.vg-bar { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 10px; }
.vg-bar button { font: inherit; padding: 3px 11px; border: 1px solid #bbb; border-radius: 4px;
  background: #f6f6f6; cursor: pointer; }
.vg-bar button:hover { background: #e9e9ee; }
.vg-bar input[type=range] { width: 300px; }
.vg-counter { min-width: 150px; font-variant-numeric: tabular-nums; }
.vg-toggle { margin-left: 12px; color: #555; }
.vg-toggle label { margin-right: 8px; cursor: pointer; }
.vg-panels { display: flex; gap: 22px; align-items: flex-start; flex-wrap: wrap; }
.vg-panel-title { font-weight: 600; margin: 0 0 6px; color: #444; }
.vg-network { position: relative; }
.vg-network canvas { position: absolute; border: 1px solid #b8b8b8; border-radius: 3px;
  cursor: pointer; image-rendering: auto; background: #fff; }
.vg-network canvas.vg-selected { outline: 3px solid #d6336c; outline-offset: 1px; }
.vg-network canvas.vg-input { cursor: default; }
.vg-network svg { position: absolute; left: 0; top: 0; }
.vg-network .vg-column { font-size: 11px; fill: #666; }
.vg-plane canvas { border: 1px solid #ccc; cursor: crosshair; display: block; }
.vg-classes { margin-top: 6px; font-size: 12px; }
.vg-classes > span { display: inline-block; margin-right: 12px; white-space: nowrap; }
.vg-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 4px; vertical-align: -1px; }
.vg-curves svg { display: block; margin-bottom: 6px; }
.vg-curves text { font-size: 11px; fill: #555; }
.vg-readout { font-size: 12px; margin: 0 0 2px; font-variant-numeric: tabular-nums; }
.vg-hint { font-size: 12px; color: #6e6e6e; margin: 6px 0; max-width: 1300px; }
.vg-graph { margin-top: 12px; border-top: 1px solid #e2e2e2; padding-top: 8px; }
.vg-graph-title { font-weight: 600; margin-bottom: 4px; }
.vg-graph-view { overflow: auto; max-height: 560px; max-width: 100%; }
"""

_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
            ("\u2029", "\\u2029"))  # fmt: skip


def embedded_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    for character, escape in _ESCAPES:
        text = text.replace(character, escape)
    return text


def fragment(data: dict[str, Any], element_id: str) -> str:
    """The explorer as an HTML fragment (for Jupyter) in an element of id ``element_id``."""
    return (
        f'<div class="vg-explorer" id="{element_id}" tabindex="0"><style>{STYLE}</style>'
        f'<script type="application/json" class="vg-data">{embedded_json(data)}</script>'
        f"<script>{SCRIPT}</script></div>"
    )


def page(data: dict[str, Any]) -> str:
    """The explorer as a whole HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>training explorer</title></head><body>\n"
        f"{fragment(data, 'vg-explorer')}\n</body></html>\n"
    )
