"""The function a gradient check differentiates: ``f`` at its inputs, on fresh labelled leaves
as often as the check needs, and its derivatives of any order by ``grad``."""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from ..core import Value, grad


class Function:
    """``f`` at ``inputs``: builds fresh graphs on labelled leaves, as often as a check needs."""

    def __init__(self, f: Callable[..., Any], inputs: Any) -> None:
        if not callable(f):
            raise TypeError(f"f must be callable, got {type(f).__name__}")
        if isinstance(inputs, (Value, numbers.Real)):
            inputs = [inputs]
        if not isinstance(inputs, Sequence) or isinstance(inputs, str):
            raise TypeError(
                f"inputs must be a list of numbers or Values, got {type(inputs).__name__}"
            )
        self.f = f
        self.points: list[float] = []
        labels = []
        for i, x in enumerate(inputs):
            if isinstance(x, Value):
                self.points.append(x.data)
                labels.append(x.label)
            elif isinstance(x, numbers.Real):
                self.points.append(float(x))
                labels.append("")
            else:
                raise TypeError(f"input {i} must be a number or a Value, got {type(x).__name__}")
        if not self.points:
            raise ValueError("a gradient check needs at least one input")
        names = parameter_names(f)
        self.labels = [
            label or (names[i] if i < len(names) else f"x{i}") for i, label in enumerate(labels)
        ]
        self.names = [f"{i} {label}" for i, label in enumerate(self.labels)]

    def leaves(self, points: Sequence[float] | None = None) -> list[Value]:
        return [Value(x, label=label) for x, label in zip(points or self.points, self.labels)]

    def output(self, leaves: list[Value]) -> Value:
        out = self.f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"f must return a Value or a list of Values, got {type(out).__name__}")
        return out

    def moved(self, i: int, t: float) -> list[float]:
        """The inputs with input ``i`` set to ``t``."""
        return [t if k == i else x for k, x in enumerate(self.points)]

    def gradient(self, points: Sequence[float]) -> tuple[float, ...]:
        """The analytic gradient at ``points``, through plain (float) backward."""
        leaves = self.leaves(points)
        return grad(self.output(leaves), leaves)

    def derivative(self, leaves: list[Value], index: tuple[int, ...]) -> Value:
        """``d^n f / dx_index[0] ... dx_index[-1]`` on ``leaves``, as a Value with its graph."""
        current = self.output(leaves)
        for i in index:
            (current,) = grad(current, [leaves[i]], create_graph=True)
        return current

    def derivative_at(self, points: Sequence[float], index: tuple[int, ...]) -> float:
        return self.derivative(self.leaves(points), index).data


def parameter_names(f: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in positional]
