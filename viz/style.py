"""How a drawing looks: fonts, colours, number format, the gradient colour scale, the roles
shown on argument edges, and the HTML-like labels (with every piece of text escaped).

Everything visual lives here so the modules that walk graphs (``dot``, ``collapse``, ``player``)
say only *what* a node is, never how it looks.
"""

from __future__ import annotations

import html
import math

import graphviz

from autograd import OPS

# A monospace font: the renderer measures text in Courier (graphviz-pure ships its metrics, a
# system dot finds a metric twin through fontconfig) and every common monospace font, DejaVu Sans
# Mono, Liberation Mono, Menlo, Courier New, advances 0.6 em per character, so whatever the viewer
# has draws the text at the width it was laid out for (a sans face is 10-20% wider in DejaVu than
# in Helvetica). ``render`` names those fonts in the SVG.
FONT = "Courier"
# Text sizes in whole points (HTML labels truncate 9.5 to 9). A system dot measures through
# pango, whose hinting rounds Courier's advance to 0.94-1.08 of 0.6 em depending on the size
# (8 pt: 0.94, 9 pt: 0.97, 10 pt: 1.00, 11 pt: 1.02, 12 pt: 1.05): text is 10 pt or more, so it
# is never laid out narrower than it is drawn; only port names, a few characters long, are 8.
SIZE, BIG, SMALL, TINY = 11, 12, 10, 8
GRAPH = {"fontname": FONT, "bgcolor": "white", "nodesep": "0.25", "ranksep": "0.35", "pad": "0.2"}
NODE_LOOK = {"fontname": FONT, "fontsize": f"{SIZE}", "penwidth": "1"}
EDGE = {"color": "#7a7a7a", "arrowsize": "0.6", "fontname": FONT, "fontsize": f"{SMALL}"}

INK = "#333333"  # borders and text
FAINT = "#6e6e6e"  # secondary text: "data" and "grad", port names
NEUTRAL_FILL = "#f6f6f6"  # a value node when it is not coloured by its gradient
OP_FILL = "#e9e9ee"
MODULE_FILL = "#e5f2df"  # pale green: no colour of the gradient scale (blue, white, orange)
PARAMETER_BORDER = "#2c6e91"
HIGHLIGHT = "#d6336c"  # paths from the highlighted node to the root; the player's current step
NAN_FILL = "#d9d9d9"
# a node is a Value's box unless it says otherwise: the most common node needs no attributes
NODE = {
    **NODE_LOOK,
    "shape": "box",
    "style": "rounded,filled",
    "color": INK,
    "fillcolor": NEUTRAL_FILL,
    "margin": "0.08,0.04",
}
# the key to the gradient colours: a framed box (its text is inside a shape, as every node's is)
LEGEND = {"shape": "box", "style": "rounded", "color": "#cccccc", "margin": "0.1,0.05"}

# gradient scale: white at 0, blue for negative, orange for positive, light enough for black text
_NEGATIVE, _POSITIVE, _ZERO = (0x7F, 0xB2, 0xE5), (0xF4, 0x9E, 0x6A), (0xFF, 0xFF, 0xFF)

# what each argument edge says where order matters: a - b, a / b, a ** b
ROLES = {
    "-": ("+", "−"),
    "/": ("num", "den"),
    "**": ("base", "exp"),
    "pow": ("base", "exp"),
    "rpow": ("base", "exp"),
    "leaky_relu": ("x", "slope"),
}

MAX_LABEL = 48  # characters of a label shown before it is cut with an ellipsis


def number(x: float) -> str:
    """A float in 4 significant digits that never hides a small number: 1.235e-07, not 0.0000."""
    return f"{x:.4g}"


def text(s: str) -> str:
    """Any text made safe inside an HTML-like label: markup and backslashes escaped, control
    characters shown as escapes, long text cut."""
    s = "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)
    if len(s) > MAX_LABEL:
        s = s[: MAX_LABEL - 1] + "…"
    # Graphviz reads escapes even inside HTML labels (\N is the node's name, \\ a backslash)
    return html.escape(s, quote=True).replace("\\", "\\\\")


def grad_fill(grad: float, scale: float) -> str:
    """The fill colour for a gradient: hue by sign, depth by magnitude relative to ``scale``."""
    if math.isnan(grad):
        return NAN_FILL
    t = min(1.0, math.sqrt(abs(grad) / scale)) if scale > 0 else 0.0
    end = _POSITIVE if grad > 0 else _NEGATIVE
    rgb = (round(z + (e - z) * t) for z, e in zip(_ZERO, end))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def grad_scale(grads: list[float]) -> float:
    """The magnitude that gets the deepest colour: the largest finite ``|grad|`` (1.0 if none)."""
    finite = [abs(g) for g in grads if math.isfinite(g) and g != 0.0]
    return max(finite, default=1.0)


def table(*rows: str, border: int = 0) -> str:
    """An HTML-like label: a borderless table of the given ``<TR>`` rows."""
    return (
        f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE>>"
    )


def row(*cells: str) -> str:
    return "<TR>" + "".join(cells) + "</TR>"


def cell(
    content: str, *, color: str = "", size: float = 0, bold: bool = False, span: int = 1
) -> str:
    """One table cell; ``content`` must already be escaped (see ``text``)."""
    if bold:
        content = f"<B>{content}</B>"
    font = (f' COLOR="{color}"' if color else "") + (f' POINT-SIZE="{size}"' if size else "")
    if font:
        content = f"<FONT{font}>{content}</FONT>"
    colspan = f' COLSPAN="{span}"' if span > 1 else ""
    return f'<TD ALIGN="LEFT"{colspan}>{content}</TD>'


def field(name: str, shown: str) -> str:
    """A cell with a small grey name before its value, a space apart from the cell before:
    `` data 2``."""
    return cell(f'<FONT COLOR="{FAINT}" POINT-SIZE="{SMALL}"> {name} </FONT>{shown}')


def legend(scale: float) -> str:
    """The key to ``grad_fill``: swatches from ``-scale`` to ``+scale``."""
    stops = (-1.0, -0.25, 0.0, 0.25, 1.0)
    swatches = "".join(
        f'<TD BGCOLOR="{grad_fill(s * scale, scale)}" WIDTH="30" HEIGHT="12"></TD>' for s in stops
    )
    small = f'<FONT POINT-SIZE="{SMALL}">{{}}</FONT>'
    ends = (
        f'<TD COLSPAN="2" BORDER="0" ALIGN="LEFT">{small.format("-" + number(scale))}</TD>'
        f'<TD BORDER="0">{small.format("0")}</TD>'
        f'<TD COLSPAN="2" BORDER="0" ALIGN="RIGHT">{small.format("+" + number(scale))}</TD>'
    )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" COLOR="#bbbbbb">'
        f'<TR><TD COLSPAN="5" BORDER="0"><FONT POINT-SIZE="{SMALL}">gradient</FONT></TD></TR>'
        f"<TR>{swatches}</TR>"
        f"<TR>{ends}</TR></TABLE>>"
    )


def port(name: str, content: str) -> str:
    """A cell an edge can end at: ``node:name``."""
    small = f'<FONT POINT-SIZE="{TINY}" COLOR="{FAINT}">{content}</FONT>'
    return f'<TD PORT="{name}" ALIGN="LEFT" CELLPADDING="2">{small}</TD>'


def ported(symbol: str, ports: list[str], *, vertical: bool, first: bool) -> str:
    """An op with a named port per argument: ports stacked beside the symbol (``vertical``, for
    left-right layouts) or in a row above it, on the side the arguments come from (``first``)."""
    big = f'<FONT POINT-SIZE="{BIG}">{symbol}</FONT>'
    if vertical:
        middle = f'<TD ROWSPAN="{len(ports)}">{big}</TD>'
        rows = [ports[0] + middle if first else middle + ports[0], *ports[1:]]
        return table(*(row(r) for r in rows))
    symbol_row = row(f'<TD COLSPAN="{len(ports)}">{big}</TD>')
    ports_row = row(*ports)
    return table(ports_row, symbol_row) if first else table(symbol_row, ports_row)


def new_graph(rankdir: str) -> graphviz.Digraph:
    """An empty graph with the house style, laid out in direction ``rankdir``."""
    graph = graphviz.Digraph(graph_attr={**GRAPH, "rankdir": rankdir})
    graph.node_attr.update(NODE)
    graph.edge_attr.update(EDGE)
    return graph


def op_symbol(op: str) -> str:
    """How an op is shown: as the user wrote it (``neg`` is ``-``)."""
    return OPS[op].label if op in OPS else op
