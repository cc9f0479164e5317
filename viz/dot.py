"""``draw_dot``: a Value's graph as Graphviz DOT, the same bytes on every run.

Each Value is a box (label, data, grad) and each op a small node in front of the Value it made,
with one edge per argument, so ``x * x`` has two. Node ids come from the topological order
(``v3``, ``o3`` for the op that made ``v3``, ``c3_1`` for its constant second argument), never
from ``id()``; the graph walk is the engine's iterative one, so depth is no limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import graphviz

from autograd import Value, topological_order

from . import style
from .collapse import draw_collapsed
from .render import Drawing, GraphTooLargeError
from .style import new_graph, op_symbol

# Measured (CPU seconds, system dot / graphviz-pure): an MLP(2, [16, 16, 1]) loss of 610 Values
# 2.5 / 2.5, a sum of 300 squares (898 Values) 0.6 / 0.4, x + x + ... of 100 terms 0.4 / 0.07 but
# of 200 terms 7.2 / 0.2. Past ~600 a drawing is slow and a hairball: fold it or draw a part.
DEFAULT_MAX_NODES = 600
# A Value feeding more ops than this (the x of x + x + ... + x) gets its edges bundled
# (``concentrate``): each edge to an op k ranks away is k virtual nodes for Graphviz's dot, and
# its placement of them is quadratic or worse: 100 uses took over a minute, bundled 0.4 s.
BUNDLE_FAN_OUT = 8
RANKDIRS = ("LR", "TB", "RL", "BT")
# folded, the demo's model (2-16-16-1, 100 samples) is 795 pt wide by layer top to bottom (2,260
# left to right); by neuron 1,694 pt left to right (3,059 top to bottom, 16 neurons side by side),
# shrunk to fit a notebook (``collapse.FIT``)
FOLDED_RANKDIRS = {"layer": "TB", "neuron": "LR"}
FORMATS = ("svg", "png", "pdf")  # what Drawing.render writes

# what a Value node shows as its gradient: (the number or None for "not computed yet", final?)
GradView = Callable[[Value], "tuple[float | None, bool]"]
MARKED_PENWIDTH, MARKED_EDGE_PENWIDTH = "2.6", "2.4"  # the highlight's lines


@dataclass
class Marks:
    """What to draw in the highlight colour."""

    values: set[Value] = field(default_factory=set)
    ops: set[Value] = field(default_factory=set)  # the op nodes that made these Values
    edges: set[tuple[Value, Value]] = field(default_factory=set)  # (argument, consumer)


def draw_dot(
    root: Value,
    format: str = "svg",  # noqa: A002 - micrograd's and graphviz's name
    rankdir: str | None = None,
    *,
    show_grad: bool = True,
    color: str | None = "grad",
    highlight: Value | None = None,
    collapse: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Drawing:
    """Draw the graph that computed ``root``.

    ``rankdir`` is the direction of the arrows (``LR``, ``TB``, ``RL``, ``BT``): by default left
    to right, or for a folded model the way that fits a notebook (``FOLDED_RANKDIRS``).
    ``color="grad"`` shades Values by the sign and size of their gradient (``None``: none);
    ``highlight=v`` marks every path from ``v`` to ``root``; ``collapse="neuron"`` or ``"layer"``
    folds a model's graph by its parameter labels. More than ``max_nodes`` Values raise
    ``GraphTooLargeError``. Returns a ``Drawing`` (``.source``, ``.to_svg()``, ``.render(path)``);
    ``format`` is what its ``render`` writes to a path without a suffix, as in micrograd's
    ``draw_dot(root, format="svg", rankdir="LR")`` and graphviz's ``render("gout")``.
    """
    if rankdir is None:
        rankdir = FOLDED_RANKDIRS.get(collapse, "LR") if isinstance(collapse, str) else "LR"
    check_options(root, rankdir, color, max_nodes)
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if highlight is not None and not isinstance(highlight, Value):
        raise TypeError(f"highlight must be a Value or None, got {type(highlight).__name__}")
    if collapse is not None:
        if highlight is not None:
            raise ValueError("highlight and collapse cannot be combined")
        drawing = draw_collapsed(root, collapse, rankdir=rankdir, color=color, max_nodes=max_nodes)
        return Drawing(drawing.graph, format)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order):,} Values, more than max_nodes={max_nodes:,}: Graphviz "
            f"would take long and draw a hairball. Fold a model's graph with collapse='layer' or "
            f"collapse='neuron', draw a smaller part (one sample's output instead of the whole "
            f"loss), or raise the limit: draw_dot(root, max_nodes={len(order)})"
        )
    marks = Marks()
    if highlight is not None:
        marks = path_marks(order, highlight)
    grads = (lambda v: (v.grad, True)) if show_grad else None
    return Drawing(build(order, rankdir=rankdir, grads=grads, color=color, marks=marks), format)


def check_options(root: object, rankdir: str, color: str | None, max_nodes: int) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot() draws a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if color not in ("grad", None):
        raise ValueError(f"color must be 'grad' or None, got {color!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")


def path_marks(order: list[Value], start: Value) -> Marks:
    """Every Value and edge on a path from ``start`` to the root (the last of ``order``)."""
    if start not in order:
        raise ValueError("highlight must be a Value in the graph of root")
    on_path = {start}
    edges = set()
    for node in order:
        for parent in node.parents:
            if isinstance(parent, Value) and parent in on_path:
                on_path.add(node)
                edges.add((parent, node))
    return Marks(on_path, on_path - {start}, edges)


def build(
    order: list[Value],
    *,
    rankdir: str,
    grads: GradView | None,
    color: str | None,
    marks: Marks,
    names: Mapping[Value, str] | None = None,
    scale: float | None = None,
    ids: str | None = None,
    legend: bool = True,
) -> graphviz.Digraph:
    """The Digraph of ``order`` (topological, root last). ``grads`` says what gradient each Value
    shows (None: show none); ``names`` gives unlabelled Values a name to refer to; ``scale`` is
    the gradient magnitude with the deepest colour (default: the largest shown). ``ids`` prefixes
    an SVG id on each Value (``v3``), op (``o3``) and edge (``e3``, ``e3_1`` from argument 1);
    ``legend=False`` leaves the colour key out."""
    graph = new_graph(rankdir)
    index = {v: k for k, v in enumerate(order)}
    if _widest_fan_out(order) > BUNDLE_FAN_OUT:
        graph.attr(concentrate="true")
    shown = {v: grads(v) for v in order} if grads else {}
    if scale is None:
        scale = style.grad_scale(
            [g for v, (g, _) in shown.items() if g is not None and v is not order[-1]]
        )
    colored = color == "grad" and bool(shown)
    for k, value in enumerate(order):
        grad = shown.get(value)
        fill = style.grad_fill(grad[0], scale) if colored and grad and grad[0] is not None else ""
        kind = "output" if k == len(order) - 1 else _kind(value)
        name = style.text(value.label) if value.label else ""
        if names is not None and not value.label:
            name = f'<FONT COLOR="{style.FAINT}">{style.text(names[value])}</FONT>'
        graph.node(
            f"v{k}",
            _value_label(name, value, grad),
            **_value_attributes(kind, fill, value in marks.values),
            **_id(ids, f"v{k}"),
        )
        if not value.op:
            continue
        marked_op = value in marks.ops
        tags = roles(value)
        ported = any(tags)
        graph.node(
            f"o{k}",
            _op_label(value.op, tags, rankdir),
            **_op_attributes(value.op, ported, marked_op),
            **_id(ids, f"o{k}"),
        )
        graph.edge(f"o{k}", f"v{k}", **_marked_edge(marked_op), **_id(ids, f"e{k}"))
        for i, parent in enumerate(value.parents):
            head = f"o{k}:p{i}" if ported else f"o{k}"
            if isinstance(parent, Value):
                graph.edge(
                    f"v{index[parent]}",
                    head,
                    **_marked_edge((parent, value) in marks.edges),
                    **_id(ids, f"e{k}_{i}"),
                )
            else:
                graph.node(f"c{k}_{i}", style.number(parent), **_CONSTANT)
                graph.edge(f"c{k}_{i}", head)
    if colored and legend:
        graph.node("legend", style.legend(scale), **style.LEGEND)
    return graph


def _id(prefix: str | None, name: str) -> dict[str, str]:
    return {} if prefix is None else {"id": prefix + name}


def _widest_fan_out(order: list[Value]) -> int:
    """The most ops any one Value feeds."""
    uses: dict[Value, int] = {}
    for value in order:
        for parent in value.parents:
            if isinstance(parent, Value):
                uses[parent] = uses.get(parent, 0) + 1
    return max(uses.values(), default=0)


def roles(value: Value) -> tuple[str, ...]:
    """The name of each argument's port where order matters (``-``, ``/``, ``**``, ``dot``);
    empty names where it does not."""
    count = len(value.parents)
    if value.op == "dot":
        n = count // 2
        return (*(f"w[{i}]" for i in range(n)), *(f"x[{i}]" for i in range(n)), "b")[:count]
    return style.ROLES.get(value.op, ("",) * count)


def _kind(value: Value) -> str:
    if value.op:
        return "intermediate"
    return "parameter" if value.label else "input"


def _value_label(name: str, value: Value, grad: tuple[float | None, bool] | None) -> str:
    cells = [style.cell(name, bold=True)] if name else []
    cells.append(style.field("data", style.number(value.data)))
    if grad is not None:
        cells.append(style.field("grad", grad_text(*grad)))
    return style.table(style.row(*cells))


def grad_text(number: float | None, final: bool) -> str:
    """A gradient as a node shows it: ``?`` not computed yet, ``1.5 …`` still adding up."""
    return "?" if number is None else style.number(number) + ("" if final else " …")


def _value_attributes(kind: str, fill: str, marked: bool) -> dict[str, str]:
    look = {
        "input": {"style": "rounded,filled,dashed"},
        "parameter": {"color": style.PARAMETER_BORDER, "penwidth": "2"},
        "intermediate": {},
        "output": {"peripheries": "2", "penwidth": "1.4"},
    }[kind]
    attributes = {**look, "fillcolor": fill} if fill else dict(look)
    if marked:
        attributes.update(color=style.HIGHLIGHT, penwidth=MARKED_PENWIDTH)
    return attributes


def _op_label(op: str, tags: tuple[str, ...], rankdir: str) -> str:
    """The op as written; where argument order matters, one port per argument, named."""
    symbol = style.text(op_symbol(op))
    if not any(tags):
        return symbol
    ports = [style.port(f"p{i}", style.text(tag)) for i, tag in enumerate(tags)]
    return style.ported(
        symbol, ports, vertical=rankdir in ("LR", "RL"), first=rankdir in ("LR", "TB")
    )


def _op_attributes(op: str, ported: bool, marked: bool) -> dict[str, str]:
    symbol = op_symbol(op)
    shape = "box" if ported else "circle" if len(symbol) <= 2 else "ellipse"
    attributes = {
        "shape": shape,
        "style": "filled",
        "fillcolor": style.OP_FILL,
        "color": "#a0a0aa",
        "fontsize": f"{style.BIG}",
        "width": "0.32",
        "height": "0.32",
        "margin": "0.02",
    }
    if ported:
        attributes.update(style="rounded,filled", margin="0.03,0.01")
    if marked:
        attributes.update(color=style.HIGHLIGHT, penwidth=MARKED_PENWIDTH)
    return attributes


def _marked_edge(marked: bool) -> dict[str, str]:
    return {"color": style.HIGHLIGHT, "penwidth": MARKED_EDGE_PENWIDTH} if marked else {}


_CONSTANT = {
    "shape": "box",
    "style": "rounded",
    "color": "#c8c8c8",
    "fontcolor": "#666666",
    "fontsize": f"{style.SMALL}",
    "width": "0.2",
    "height": "0.2",
    "margin": "0.04,0.02",
}
