"""N-ary functions: ``sum``, ``dot`` and ``logsumexp`` record one node for any number of inputs.

A neuron's ``w . x + b`` as one ``dot`` node is far cheaper than ``2n`` nodes of ``*`` and ``+``,
and its graph is shallow enough to draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .ops import OPS
from .value import Operand, Value, _apply

_SUM, _DOT, _LOGSUMEXP = OPS["sum"], OPS["dot"], OPS["logsumexp"]


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - autograd.sum, as numpy.sum
    """The sum of Values and numbers as a single ``sum`` node (0.0 for an empty iterable)."""
    return _apply(_SUM, tuple(values))


def dot(
    weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand | None = None
) -> Value:
    """``sum(w * x) + bias`` as a single ``dot`` node; parents are ``*weights, *inputs, bias``."""
    if not isinstance(weights, (list, tuple)):
        weights = tuple(weights)
    if not isinstance(inputs, (list, tuple)):
        inputs = tuple(inputs)
    if len(weights) != len(inputs):
        raise ValueError(f"dot() needs as many weights as inputs: {len(weights)} != {len(inputs)}")
    return _dot(weights, inputs, bias)


def _dot(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand | None) -> Value:
    """``dot`` once its arguments are checked (``autograd/fast.py`` puts a faster one here)."""
    return _apply(_DOT, (*weights, *inputs) if bias is None else (*weights, *inputs, bias))


def logsumexp(values: Iterable[Operand]) -> Value:
    """``log(sum(exp(v)))`` as a single ``logsumexp`` node, stable for any finite inputs (it
    shifts by their largest); its derivative is the softmax. -inf for an empty iterable."""
    return _apply(_LOGSUMEXP, tuple(values))
