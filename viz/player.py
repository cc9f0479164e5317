"""The backprop player: backward, one frame per step, as the engine runs it.

``backprop_steps(root)`` replays ``backward()``: first the seed, then each op node in reverse
topological order, applying that op's derivative rule from the op table to pass the gradient
to its inputs. Each frame shows the graph with the node being processed highlighted, gradients
that are final, ones still adding up (marked ``…``) and ones not computed yet (``?``), and spells
out the rule it applied: ``a.grad += b.data * c.grad = -3 * 1 = -3``. Unlabelled Values are
named ``v1``, ``v2``, ... in the order they were computed. ``save_html`` writes the player as
one self-contained HTML file: the graph laid out once, and per frame only what changes
(``player_frames``); in Jupyter the same player shows inline.
"""

from __future__ import annotations

import html
import itertools
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Value, topological_order
from autograd.core.engine import chain_rule, local_partials
from autograd.files import write_atomic

from . import style
from .dot import check_options
from .player_frames import Scene
from .player_page import page, player
from .render import Drawing, GraphTooLargeError, Renderer
from .style import op_symbol
from .symbolic import Symbol, constant, partials_as_text

DEFAULT_MAX_NODES = 200  # one frame per op node: past this, a player is a slide show nobody watches
INFIX = frozenset({"+", "-", "*", "/", "**", "pow", "rpow"})


@dataclass(frozen=True)
class Step:
    """One step of backward: the node processed (None for the seed), what it did, the picture."""

    node: Value | None
    title: str
    lines: tuple[str, ...]  # the local rule applied, one line per input
    grads: dict[Value, float]  # every gradient reached so far, after this step
    final: frozenset[Value]  # the gradients no later step changes
    scene: Scene = field(repr=False, compare=False)  # the graph, its names and colour scale

    @property
    def drawing(self) -> Drawing:
        """This frame on its own, as a static drawing."""
        return self.scene.drawing(self)


class Steps(tuple[Step, ...]):
    """The frames of ``backprop_steps``; shows itself as the player in Jupyter."""

    def _repr_html_(self) -> str:
        try:
            return _html(self, None, _unique_id(), whole_page=False)
        except Exception as error:  # a notebook shows the reason as text, never a traceback
            return f"<pre>(could not draw the backprop player: {html.escape(str(error))})</pre>"


def backprop_steps(
    root: Value, gradient: float = 1.0, *, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES
) -> Steps:
    """One ``Step`` per step of ``root.backward(gradient)``, in the order the engine takes them.

    The Values' own ``.grad`` are not touched; the gradients shown are those this backward pass
    computes (leaves start from 0, as after ``zero_grad``).
    """
    check_options(root, rankdir, "grad", max_nodes)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order):,} Values, more than max_nodes={max_nodes:,}: that is a "
            f"frame per op node; play a smaller expression or raise max_nodes"
        )
    names = value_names(order)
    pending = Counter(p for v in order for p in v.parents if isinstance(p, Value))
    grads: dict[Value, float] = {root: float(gradient)}
    frames: list[tuple[Value | None, str, tuple[str, ...]]] = [
        (None, f"seed: {names[root]}.grad = {style.number(gradient)}", ())
    ]
    snapshots = [(dict(grads), _final(grads, pending))]
    for node in reversed(order):
        if not node.parents:
            continue
        lines = _apply_rule(node, names, grads, pending)
        frames.append((node, f"backward through {_expression(node, names)}", tuple(lines)))
        snapshots.append((dict(grads), _final(grads, pending)))
    scene = Scene(
        tuple(order),
        names,
        style.grad_scale([g for v, g in grads.items() if v is not root]),
        rankdir,
    )
    return Steps(
        Step(node, title, lines, shown, final, scene)
        for (node, title, lines), (shown, final) in zip(frames, snapshots)
    )


def value_names(order: Sequence[Value]) -> dict[Value, str]:
    """Each Value's name in the frames: its label, else ``v1``, ``v2``, ... in ``order``, with
    no gaps and skipping names a label already takes. Shown as text: control characters escaped."""
    taken = {v.label for v in order if v.label}
    free: Iterator[str] = (name for n in itertools.count(1) if (name := f"v{n}") not in taken)
    return {v: _printable(v.label) if v.label else next(free) for v in order}


def _printable(label: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in label)


def _apply_rule(
    node: Value, names: dict[Value, str], grads: dict[Value, float], pending: Counter[Value]
) -> list[str]:
    """Pass ``node``'s gradient to its inputs with the engine's chain rule; the lines saying so."""
    partials = local_partials(node)
    symbols = [
        Symbol(f"{names[p]}.data", p.data) if isinstance(p, Value) else constant(p)
        for p in node.parents
    ]
    rules = partials_as_text(node.op, symbols, Symbol(f"{names[node]}.data", node.data))
    upstream, out = grads[node], names[node]
    lines = []
    for position, parent, contribution in chain_rule(node, upstream, partials):
        grads[parent] = grads.get(parent, 0.0) + contribution
        pending[parent] -= 1
        partial = partials[position]
        numbers = (
            f"{style.number(partial)} * {style.number(upstream)} = {style.number(contribution)}"
        )
        lines.append(f"{names[parent]}.grad += {rules[position]} * {out}.grad = {numbers}")
    return lines


def _final(grads: dict[Value, float], pending: Counter[Value]) -> frozenset[Value]:
    return frozenset(v for v in grads if pending[v] == 0)


def _expression(node: Value, names: dict[Value, str]) -> str:
    """``c = a * b``, ``d = tanh(c)``, ``e = -d``: the node as the user wrote it."""
    args = [names[p] if isinstance(p, Value) else style.number(p) for p in node.parents]
    symbol = op_symbol(node.op)
    if node.op in INFIX:
        written = f"{args[0]} {symbol} {args[1]}"
    elif node.op == "neg":
        written = f"-{args[0]}"
    else:
        written = f"{symbol}({', '.join(args)})"
    return f"{names[node]} = {written}"


_ids = itertools.count()


def _unique_id() -> str:
    return f"vg-player-{os.getpid()}-{next(_ids)}"


def _html(
    steps: Sequence[Step], renderer: Renderer | None, element_id: str, *, whole_page: bool
) -> str:
    """The player: the graph laid out once (SVG ids prefixed by ``element_id``), the changes."""
    scene = steps[0].scene
    svg = scene.layout(steps, f"{element_id}-").to_svg(renderer)
    write = page if whole_page else player
    return write(svg, scene.changes(steps), scene.key(steps), element_id)


def save_html(
    steps: Sequence[Step], path: str | os.PathLike[str], *, renderer: Renderer | None = None
) -> Path:
    """Write the player to ``path``: one HTML file that needs no network."""
    if not steps or not all(isinstance(s, Step) for s in steps):
        raise TypeError("save_html() takes the steps from backprop_steps()")
    if any(s.scene is not steps[0].scene for s in steps):
        raise ValueError("save_html() takes steps of one backprop_steps() call")
    text = _html(steps, renderer, "vg-player", whole_page=True)
    return write_atomic(path, text.encode("utf-8", errors="backslashreplace"))  # odd text too
