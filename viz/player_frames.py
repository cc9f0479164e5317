"""What the backprop player draws: one layout for every frame, and what each frame changes.

The graph is laid out once, each gradient cell holding the widest text it shows in any frame,
so no node moves or grows as the gradients fill in. A frame is then a few changes, applied by
the page's script through the SVG ids that ``build`` gives: the gradient texts and fills that
differ, the nodes and edges in the highlight colour, the title and the rule lines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import graphviz

from autograd import Value

from . import style
from .dot import MARKED_EDGE_PENWIDTH, MARKED_PENWIDTH, GradView, Marks, build, grad_text
from .render import Drawing

Shown = tuple["float | None", bool]  # a gradient as a frame shows it: (number or None, final?)


class Frame(Protocol):
    """One step of backward as the player shows it (``player.Step``)."""

    @property
    def node(self) -> Value | None: ...
    @property
    def title(self) -> str: ...
    @property
    def lines(self) -> tuple[str, ...]: ...
    @property
    def grads(self) -> Mapping[Value, float]: ...
    @property
    def final(self) -> frozenset[Value]: ...


@dataclass(frozen=True, eq=False)
class Scene:
    """The graph a player plays: its Values (topological, root last), the names the frames use,
    the gradient that gets the deepest colour, the layout direction."""

    order: tuple[Value, ...]
    names: Mapping[Value, str]
    scale: float
    rankdir: str

    def drawing(self, frame: Frame) -> Drawing:
        """One frame on its own, as ``draw_dot`` would draw it."""
        return Drawing(self._build(lambda v: shown(frame, v), marks(self.order, frame.node)))

    def layout(self, frames: Sequence[Frame], ids: str) -> Drawing:
        """Every frame's layout: each gradient cell as wide as its widest text, no highlight,
        every Value, op and edge with an SVG id that starts with ``ids``."""
        widest = {v: _widest(states) for v, states in self._states(frames).items()}
        return Drawing(self._build(widest.__getitem__, Marks(), ids=ids, legend=False))

    def changes(self, frames: Sequence[Frame]) -> dict[str, object]:
        """What the page's script needs: per frame its title, rule and highlighted ids; per Value
        its id, its text in the layout, and the frames where its text or fill changes."""
        index = {v: k for k, v in enumerate(self.order)}
        values = []
        for k, states in enumerate(self._states(frames).values()):
            looks = [(grad_text(*state), self._fill(state)) for state in states]
            changes = [[i, *look] for i, look in enumerate(looks) if i == 0 or look != looks[i - 1]]
            values.append([f"v{k}", grad_text(*_widest(states)), changes])
        return {
            "frames": [[f.title, "\n".join(f.lines), highlighted(index, f.node)] for f in frames],
            "values": values,
            "highlight": style.HIGHLIGHT,
            "nodeWidth": MARKED_PENWIDTH,
            "edgeWidth": MARKED_EDGE_PENWIDTH,
        }

    def key(self, frames: Sequence[Frame]) -> list[tuple[str, str, str]]:
        """The states that occur in these frames, each as (look, colour, what it means): a
        look is "fill" (a swatch), "outline" (a frame around white) or "" (text alone)."""
        states = [state for per_value in self._states(frames).values() for state in per_value]
        numbers = [n for n, _ in states if n is not None]
        entries = [
            ("fill", style.grad_fill(sign * self.scale, self.scale), meaning)
            for sign, meaning, occurs in (
                (-1.0, "negative gradient", any(n < 0 for n in numbers)),
                (0.0, "zero", any(n == 0 for n in numbers)),
                (1.0, "positive gradient", any(n > 0 for n in numbers)),
                (math.nan, "not a number", any(math.isnan(n) for n in numbers)),
            )
            if occurs
        ]
        if any(math.isfinite(n) and n != 0 for n in numbers):
            entries.append(("", "", f"deeper: larger, up to {style.number(self.scale)}"))
        if any(n is None for n, _ in states):
            entries.append(("", "", "grad ?: not computed yet"))
        if any(n is not None and not final for n, final in states):
            entries.append(("", "", "grad …: still adding up"))
        entries.append(("outline", style.HIGHLIGHT, "the step being taken"))
        return entries

    def _states(self, frames: Sequence[Frame]) -> dict[Value, list[Shown]]:
        return {v: [shown(f, v) for f in frames] for v in self.order}

    def _fill(self, state: Shown) -> str:
        number, _ = state
        return style.NEUTRAL_FILL if number is None else style.grad_fill(number, self.scale)

    def _build(
        self, grads: GradView, marked: Marks, *, ids: str | None = None, legend: bool = True
    ) -> graphviz.Digraph:
        return build(
            list(self.order),
            rankdir=self.rankdir,
            grads=grads,
            color="grad",
            marks=marked,
            names=self.names,
            scale=self.scale,
            ids=ids,
            legend=legend,
        )


def shown(frame: Frame, value: Value) -> Shown:
    return frame.grads.get(value), value in frame.final


def _widest(states: list[Shown]) -> Shown:
    """The state whose text is widest, as far as the layout can tell: by characters, counting
    ``…`` twice (in a proportional font it is about two digits wide)."""

    def width(state: Shown) -> tuple[int, str]:
        text = grad_text(*state)
        return len(text) + text.count("…"), text

    return max(states, key=width)


def marks(order: Sequence[Value], node: Value | None) -> Marks:
    """The seed marks the output; a step marks the node, its op and the edges it sends along."""
    if node is None:
        return Marks({order[-1]})
    return Marks({node}, {node}, {(p, node) for p in node.parents if isinstance(p, Value)})


def highlighted(index: Mapping[Value, int], node: Value | None) -> list[str]:
    """The ids (as ``build`` gives them) of what ``marks`` draws in the highlight colour;
    ``index`` is each Value's place in the topological order."""
    if node is None:
        return [f"v{len(index) - 1}"]
    k = index[node]
    arguments = [f"e{k}_{i}" for i, p in enumerate(node.parents) if isinstance(p, Value)]
    return [f"v{k}", f"o{k}", f"e{k}", *arguments]
