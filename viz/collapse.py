"""Fold a model's scalar graph into one node per neuron or per layer, using the parameter labels.

The ``nn`` package labels parameters ``layers.{i}.neurons.{j}.w[{k}]`` and ``....b`` (a bare
Layer drops ``layers.{i}.``, a bare Neuron is just ``w[{k}]`` and ``b``) and computes a neuron as
``act(dot(w, x, b))``: one ``dot`` node, then an activation node or none. Those nodes and the
parameters go into their module's node. Every other node joins the group of nodes that apply
the same op to the same groups, so the 100 per-sample ``1 + -y * score`` of a hinge loss are one
node "+ ×100", and a running sum ``s + t`` joins the group of the sum it extends. The labels are
the whole interface: this module needs only autograd.

The drawing explains its counts: a key says what ``×N`` means on a node and on an arrow and how
many samples and parameters there are, and a count that only one thing has (the samples, all
parameters, one layer's parameters) is spelt out on its node ("×100, one per sample"). It is
drawn no wider than a notebook cell (``FIT``), shrunk if it must be.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import graphviz

from autograd import Value, topological_order

from . import style
from .render import Drawing, GraphTooLargeError
from .style import new_graph, op_symbol

PARAMETER = re.compile(
    r"(?:(?P<layer>layers\.\d+)\.(?=neurons))?(?P<neuron>neurons\.\d+\.)?(?:w\[\d+\]|b)"
)
ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid", "leaky_relu", "softplus"})
CHAINS = frozenset({"+", "*", "sum"})  # ops whose running form a + b + c folds into one group
LEVELS = ("neuron", "layer")
MAX_COUNTED_EDGES = 60  # more edges than this are drawn without their counts
FIT = "14,1000"  # inches: a folded model wider than a 1,400 px notebook cell is drawn smaller

Key = tuple[str, ...]


@dataclass
class Group:
    """The Values drawn as one node."""

    key: Key
    family: str = ""  # what nodes fed by this group compare: a neuron's layer, or the key
    members: list[Value] = field(default_factory=list)
    parameters: list[Value] = field(default_factory=list)
    neurons: set[str] = field(default_factory=set)
    activations: set[str] = field(default_factory=set)
    calls: int = 0  # dot nodes: one per neuron per sample
    numbers: set[int] = field(default_factory=set)  # ids of the distinct plain-number inputs


def module_of(label: str, level: str) -> tuple[str, str] | None:
    """``(module, neuron)`` named by a parameter label, or None if it is not one."""
    match = PARAMETER.fullmatch(label)
    if match is None:
        return None
    layer = match["layer"] or ""
    neuron = ".".join(filter(None, (layer, (match["neuron"] or "").rstrip("."))))
    module = neuron if level == "neuron" else layer
    return module or ("neuron" if not match["neuron"] else "layer"), neuron


def draw_collapsed(
    root: Value, level: str, *, rankdir: str, color: str | None, max_nodes: int
) -> Drawing:
    """The graph of ``root`` with each neuron (``level="neuron"``) or layer folded into one node."""
    if level not in LEVELS:
        raise ValueError(f"collapse must be 'neuron', 'layer' or None, got {level!r}")
    groups, edges = fold(root, level)
    if len(groups) > max_nodes:
        raise GraphTooLargeError(
            f"folded by {level}, the graph still has {len(groups):,} nodes, more than "
            f"max_nodes={max_nodes:,}; raise the limit: draw_dot(root, collapse={level!r}, "
            f"max_nodes={len(groups)})"
        )
    return Drawing(_draw(groups, edges, rankdir, color))


def fold(root: Value, level: str) -> tuple[dict[Key, Group], Counter[tuple[Key, Key]]]:
    """Each Value's group (in order of first appearance) and the edges between groups, counted."""
    order = topological_order(root)
    consumers = Counter(p for v in order for p in v.parents if isinstance(p, Value))
    groups: dict[Key, Group] = {}
    group_of: dict[Value, Group] = {}
    edges: Counter[tuple[Key, Key]] = Counter()
    for node in order:
        key = _key(node, root, level, group_of, consumers)
        group = group_of[node] = groups.setdefault(key, Group(key, _family(node, key)))
        group.members.append(node)
        if key[0] == "module":
            _describe_module(group, node, level)
        for parent in node.parents:
            if isinstance(parent, Value) and group_of[parent] is not group:
                edges[group_of[parent].key, key] += 1
            elif not isinstance(parent, Value) and key[0] == "module":
                inputs = groups.setdefault(("inputs",), Group(("inputs",), "inputs"))
                inputs.numbers.add(id(parent))  # a row's floats are shared by its neurons
                edges[("inputs",), key] += 1
    return groups, edges


def _key(
    node: Value, root: Value, level: str, group_of: dict[Value, Group], consumers: Counter[Value]
) -> Key:
    if node is root:
        return ("output",)
    if not node.op:
        module = module_of(node.label, level)
        if module:
            return ("module", module[0])
        return ("leaf", node.label) if node.label else ("inputs",)
    if node.op == "dot":
        n = len(node.parents) // 2
        weights = [p for p in node.parents[:n] if isinstance(p, Value)]
        modules = {module_of(w.label, level) for w in weights}
        if len(weights) == n and len(modules) == 1 and None not in modules:
            return ("module", modules.pop()[0])  # type: ignore[index]
    first = node.parents[0]
    if (
        node.op in ACTIVATIONS
        and isinstance(first, Value)
        and first.op == "dot"
        and group_of[first].key[0] == "module"
        and consumers[first] == 1
    ):
        return group_of[first].key
    if node.op in CHAINS:
        for parent in node.parents:
            if not isinstance(parent, Value) or parent.op != node.op:
                continue
            if consumers[parent] == 1 and group_of[parent].key[0] == "ops":
                return group_of[parent].key
    inputs = dict.fromkeys(
        group_of[p].family if isinstance(p, Value) else "number" for p in node.parents
    )
    return ("ops", node.op, *inputs)


def _family(node: Value, key: Key) -> str:
    """Nodes fed by any neuron of one layer group together (the squares of its parameters)."""
    if key[0] == "module" and not node.op:
        return "module:" + module_of(node.label, "layer")[0]  # type: ignore[index]
    return ":".join(key)


def _describe_module(group: Group, node: Value, level: str) -> None:
    if not node.op:
        group.parameters.append(node)
        group.neurons.add(module_of(node.label, level)[1])  # type: ignore[index]
    elif node.op == "dot":
        group.calls += 1
    else:
        group.activations.add(node.op)


def _draw(
    groups: dict[Key, Group], edges: Counter[tuple[Key, Key]], rankdir: str, color: str | None
) -> graphviz.Digraph:
    graph = new_graph(rankdir)
    graph.attr(size=FIT, ordering="out")  # a layer's neurons in their order: 0, 1, ..., 15
    ids = {key: f"g{i}" for i, key in enumerate(groups)}
    singles = [g.members[0].grad for g in groups.values() if len(g.members) == 1]
    scale = style.grad_scale(singles)
    colored = color == "grad"
    meanings = _meanings(groups)
    for key, group in groups.items():
        label, attributes = _look(group, scale if colored else None, meanings)
        graph.node(ids[key], label, **attributes)
    counted = len(edges) <= MAX_COUNTED_EDGES
    for (tail, head), count in edges.items():
        extra = {}
        if counted and count > 1:
            width = f"{1 + 0.4 * math.log10(count):.2f}"
            extra = {"label": f"×{count}", "fontcolor": style.FAINT, "penwidth": width}
        graph.edge(ids[tail], ids[head], **extra)
    graph.node("key", _key_label(groups, counted), **style.LEGEND)
    if colored:
        graph.node("legend", style.legend(scale), **style.LEGEND)
    return graph


def _samples(groups: dict[Key, Group]) -> int:
    """How many times each neuron was called: the number of samples (0 without modules)."""
    calls = {g.calls // len(g.neurons) for g in groups.values() if g.key[0] == "module" and g.calls}
    return calls.pop() if len(calls) == 1 else 0


def _meanings(groups: dict[Key, Group]) -> dict[int, str]:
    """What a count means where only one thing in the model has that many: the samples, all
    parameters, or one module's parameters."""
    modules = [g for g in groups.values() if g.key[0] == "module"]
    claims: dict[int, list[str]] = {}
    for count, meaning in [
        (_samples(groups), "one per sample"),
        (sum(len(g.parameters) for g in modules), "one per parameter"),
        *((len(g.parameters), f"one per {g.key[1]} parameter") for g in modules),
    ]:
        if count > 1:
            claims.setdefault(count, []).append(meaning)
    return {count: said[0] for count, said in claims.items() if len(set(said)) == 1}


def _key_label(groups: dict[Key, Group], counted: bool) -> str:
    """The key to the counts: what ×N says on a node and on an arrow, and the model's sizes."""
    samples = _samples(groups)
    parameters = sum(len(g.parameters) for g in groups.values())
    sizes = " · ".join(
        f"{n:,} {what}{'s' if n != 1 else ''}"
        for n, what in ((samples, "sample"), (parameters, "parameter"))
        if n
    )
    lines = [
        "×N in a node: N values computed alike",
        *(["×N on an arrow: N scalar edges"] if counted else []),
        *([sizes] if sizes else []),
    ]
    return style.table(*(style.row(style.cell(line, size=style.SMALL)) for line in lines))


def _look(
    group: Group, scale: float | None, meanings: dict[int, str]
) -> tuple[str, dict[str, str]]:
    """The label and attributes of a group's node."""
    kind = group.key[0]
    box = {"margin": "0.1,0.05"}  # the rest is the default look of a node: a Value's box
    if kind == "module":
        return _module_label(group, meanings), {
            **box,
            "fillcolor": style.MODULE_FILL,
            "color": style.PARAMETER_BORDER,
            "penwidth": "2",
        }
    count = len(group.members) + len(group.numbers)
    if kind == "inputs":
        title = style.cell(f"inputs ×{count}" if count > 1 else "input", bold=True)
        return style.table(style.row(title)), {
            **box,
            "style": "rounded,filled,dashed",
            "fillcolor": style.NEUTRAL_FILL,
        }
    value = group.members[0]
    if count > 1:
        symbol = style.text(op_symbol(value.op))
        times = f'<FONT COLOR="{style.FAINT}" POINT-SIZE="{style.SMALL}">×{count}</FONT>'
        rows = [style.row(style.cell(f"<B>{symbol}</B> {times}"))]
        if count in meanings:
            rows.append(style.row(style.cell(meanings[count], color=style.FAINT, size=style.SMALL)))
        return style.table(*rows), {
            **box,
            "fillcolor": style.OP_FILL,
            "color": "#a0a0aa",
        }
    cells = []
    if value.op:
        cells.append(style.cell(style.text(op_symbol(value.op)), color=style.FAINT))
    if value.label:
        cells.append(style.cell(style.text(value.label), bold=True))
    cells.append(style.field("data", style.number(value.data)))
    cells.append(style.field("grad", style.number(value.grad)))
    fill = style.grad_fill(value.grad, scale) if scale is not None else style.NEUTRAL_FILL
    look = {"peripheries": "2"} if kind == "output" else {}
    return style.table(style.row(*cells)), {**box, "fillcolor": fill, **look}


def _module_label(group: Group, meanings: dict[int, str]) -> str:
    name = group.key[1]
    activation = ", ".join(sorted(group.activations)) or "linear"
    neurons = len(group.neurons)
    kind = f"{neurons} neurons · {activation}" if neurons > 1 else activation
    norm = math.sqrt(sum(p.grad * p.grad for p in group.parameters))
    samples = group.calls // max(neurons, 1)
    calls = f"called ×{samples}" + (f", {meanings[samples]}" if samples in meanings else "")
    lines = [
        style.cell(style.text(name), bold=True),
        style.cell(style.text(kind)),
        style.cell(f"{len(group.parameters)} parameters", color=style.FAINT, size=style.SMALL),
        style.cell(calls, color=style.FAINT, size=style.SMALL),
        style.cell(f"|grad| {style.number(norm)}", color=style.FAINT, size=style.SMALL),
    ]
    return style.table(*(style.row(line) for line in lines))
