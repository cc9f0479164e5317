"""Hypothesis strategies for gradient tests: random leaves and random expression graphs.

``expressions()`` draws a small program over the op table: named inputs, then steps that apply
an op to earlier nodes and constants, sharing sub-expressions. Every op input it draws is inside
the op's domain and far from its kinks and poles (farther than the gradcheck step, as seen at
that input), and every value and local slope stays moderate, so gradcheck's tolerances hold.

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from autograd.testing.strategies import expressions
>>> @given(expressions())
... def test_gradients_match_finite_differences(expression):
...     gradcheck(expression, expression.inputs)
"""

from __future__ import annotations

import inspect
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from hypothesis import assume
from hypothesis import strategies as st

from ..check.finite_differences import step
from ..core import OPS, Op, Value, apply
from ..core.ieee import FLOATS

RANGE = 3.0  # leaves are drawn from [-RANGE, RANGE]
VALUE_BOUND = 30.0  # every node's value stays within [-VALUE_BOUND, VALUE_BOUND]
SLOPE_BOUND = 30.0  # and every local partial derivative too
MARGIN = 0.05  # an op's input stays at least this far from the op's kinks and poles,
MARGIN_STEPS = 1e4  # and this many times farther than a gradcheck step moves that input
CONSTANTS = (2.0, 3.0, 0.5, -1.0, 1.5, -2.0, 0.2)  # the plain numbers an op may take
MAX_TRIES = 3  # draws of an op's arguments before the step is skipped

Argument = int | float  # an int is a node's index (inputs first); a float is a constant


def _numbers(min_value: float = -RANGE, max_value: float = RANGE) -> st.SearchStrategy[float]:
    return st.floats(
        min_value, max_value, allow_nan=False, allow_infinity=False, allow_subnormal=False
    )


def values(min_value: float = -RANGE, max_value: float = RANGE) -> st.SearchStrategy[Value]:
    """Leaf Values with finite data in ``[min_value, max_value]``."""
    return _numbers(min_value, max_value).map(Value)


def register_with_hypothesis() -> None:
    """Make ``st.from_type(Value)`` draw ``values()``. Hypothesis calls this when it is imported,
    through the entry point of the ``hypothesis`` group in valuegraph's ``pyproject.toml``."""
    st.register_type_strategy(Value, values())


@dataclass(frozen=True)
class Expression:
    """A drawn expression graph: call it with one Value per input to build it.

    ``steps`` apply an op (by name) to arguments: an ``int`` is a node (inputs are nodes
    ``0..n-1``, step ``k`` makes node ``n + k``), a ``float`` a constant. The last step is the
    output. ``repr`` shows the program, one step a line.
    """

    inputs: tuple[float, ...]
    steps: tuple[tuple[str, tuple[Argument, ...]], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._name(k) for k in range(len(self.inputs)))

    @property
    def ops(self) -> frozenset[str]:
        """The names of the ops the expression uses."""
        return frozenset(name for name, _ in self.steps)

    @property
    def __signature__(self) -> inspect.Signature:  # gradcheck names the arguments after it
        kind = inspect.Parameter.POSITIONAL_ONLY
        return inspect.Signature([inspect.Parameter(name, kind) for name in self.names])

    def __call__(self, *inputs: Value | float) -> Value:
        if len(inputs) != len(self.inputs):
            raise TypeError(f"the expression takes {len(self.inputs)} inputs, got {len(inputs)}")
        nodes = list(inputs)
        for name, arguments in self.steps:
            nodes.append(apply(name, *(nodes[a] if isinstance(a, int) else a for a in arguments)))
        return nodes[-1]  # type: ignore[return-value]

    def _name(self, k: int) -> str:
        n = len(self.inputs)
        if k >= n:
            return f"t{k - n + 1}"
        return string.ascii_lowercase[k] if k < 26 else f"x{k}"

    def _step(self, name: str, arguments: tuple[Argument, ...]) -> str:
        words = [self._name(a) if isinstance(a, int) else repr(a) for a in arguments]
        op = OPS[name]
        if not op.label.isidentifier() and len(words) == 2:
            return f"{words[0]} {op.label} {words[1]}"
        if not op.label.isidentifier() and len(words) == 1:
            return f"{op.label}{words[0]}"
        return f"{name}({', '.join(words)})"

    def __repr__(self) -> str:
        header = ", ".join(f"{name}={x!r}" for name, x in zip(self.names, self.inputs))
        lines = [f"Expression({header}):"]
        for k, (name, arguments) in enumerate(self.steps):
            last = k == len(self.steps) - 1
            target = "return " if last else f"{self._name(len(self.inputs) + k)} = "
            lines.append(f"    {target}{self._step(name, arguments)}")
        return "\n".join(lines)


class _Node(NamedTuple):
    data: float
    spread: float  # how far the node moves when every input moves by its gradcheck step


def expressions(
    ops: Iterable[str | Op] | None = None,
    max_leaves: int = 3,
    reuse: bool = True,
    *,
    max_steps: int = 6,
) -> st.SearchStrategy[Expression]:
    """Random expression graphs over the op table (all ops, or the ``ops`` given).

    Up to ``max_leaves`` inputs and ``max_steps`` op nodes (a few more to join unused nodes into
    the output). With ``reuse`` a node may feed several later ones (shared sub-expressions);
    without, the graph is a tree. Test with ``gradcheck(expression, expression.inputs)``.
    """
    names = None if ops is None else [op.name if isinstance(op, Op) else op for op in ops]
    for name in names or ():
        if name not in OPS:
            raise ValueError(f"no op named {name!r} in the op table; known: {', '.join(OPS)}")
    if max_leaves < 1 or max_steps < 1:
        raise ValueError("an expression needs at least one leaf and one step")
    return _expressions(names, max_leaves, max_steps, reuse)


@st.composite
def _expressions(
    draw: st.DrawFn, names: list[str] | None, max_leaves: int, max_steps: int, reuse: bool
) -> Expression:
    table = [OPS[name] for name in names] if names is not None else list(OPS.values())
    inputs = draw(st.lists(_numbers(), min_size=1, max_size=max_leaves))
    graph = _Graph(draw, [_Node(x, step(x)) for x in inputs], reuse)
    for _ in range(draw(st.integers(1, max_steps))):
        graph.add(draw(st.sampled_from(table)))
    combiners = [op for op in table if op.arity is None or op.arity - len(op.constants) >= 2]
    graph.join(combiners)
    assume(graph.steps)  # rare: no drawn op could take the drawn inputs
    assume(not combiners or len(graph.unused) == 1)  # rare: joining would leave the safe range
    return Expression(tuple(inputs), tuple(graph.steps))


class _Graph:
    """The nodes drawn so far, and the draws that add a step."""

    def __init__(self, draw: st.DrawFn, leaves: list[_Node], reuse: bool) -> None:
        self.draw, self.nodes, self.reuse = draw, leaves, reuse
        self.unused = list(range(len(leaves)))  # nodes no step has taken yet
        self.steps: list[tuple[str, tuple[Argument, ...]]] = []

    def add(self, op: Op) -> None:
        """Apply ``op`` to drawn arguments that fit it; after ``MAX_TRIES`` misses, skip it."""
        count = op.arity if op.arity is not None else self.draw(st.integers(1, 4))
        for _ in range(MAX_TRIES):
            arguments = tuple(self._argument(op, i, count) for i in range(count))
            if self._try(op, arguments):
                return

    def join(self, combiners: list[Op]) -> None:
        """Combine the unused nodes into the output, so every input counts."""
        while len(self.unused) > 1 and combiners:
            pair = tuple(self.unused[-2:])
            options = [(op, self.unused if op.arity is None else pair) for op in combiners]
            options += [(op, pair[::-1]) for op in combiners if op.arity is not None]
            ordered = self.draw(st.permutations(options))
            if not any(self._try(op, tuple(arguments)) for op, arguments in ordered):
                return

    def _argument(self, op: Op, i: int, count: int) -> Argument:
        if i in op.constants:
            return self.draw(st.sampled_from(CONSTANTS))
        candidates = range(len(self.nodes)) if self.reuse else self.unused
        clear = [k for k in reversed(candidates) if self._clear(op, i, k)]  # newest first
        if not clear or (count > 1 and self.draw(st.integers(0, 3)) == 3):
            return self.draw(st.sampled_from(CONSTANTS))
        return self.draw(st.sampled_from(clear))

    def _clear(self, op: Op, i: int, k: int) -> bool:
        """Whether node ``k`` is far enough from the kinks and poles of ``op``'s input ``i``."""
        margin = max(MARGIN, MARGIN_STEPS * self.nodes[k].spread)
        points = [p for position, p in op.kinks + op.poles if position == i]
        return all(abs(self.nodes[k].data - p) > margin for p in points)

    def _try(self, op: Op, arguments: tuple[Argument, ...]) -> bool:
        """Add the step if the arguments fit the op and keep values and slopes moderate."""
        nodes = [a for a in arguments if isinstance(a, int)]
        if not nodes or (not self.reuse and len(set(nodes)) < len(nodes)):
            return False
        xs = [self.nodes[a].data if isinstance(a, int) else a for a in arguments]
        if not op.domain(*xs) or not all(
            self._clear(op, i, a) for i, a in enumerate(arguments) if isinstance(a, int)
        ):
            return False
        out = op.forward(FLOATS, *xs)
        partials = op.derivative(FLOATS, *xs, out)
        slopes = [abs(p) for a, p in zip(arguments, partials) if isinstance(a, int)]
        if not (abs(out) <= VALUE_BOUND and all(s <= SLOPE_BOUND for s in slopes)):
            return False
        spread = sum(s * self.nodes[a].spread for s, a in zip(slopes, nodes))
        self.nodes.append(_Node(out, spread))
        self.unused = [k for k in self.unused if k not in nodes] + [len(self.nodes) - 1]
        self.steps.append((op.name, arguments))
        return True
