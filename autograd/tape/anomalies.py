"""``detect_anomaly()`` on a tape: the first inf or nan, forward or backward, raises
``FloatingPointError`` naming the op, the row of the batch and the inputs, as the eager engine
does (``autograd.core.engine``). The tape runs these checks only in anomaly mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .steps import BATCH, Step

Slot = tuple[int, int]  # (store, row)
Read = Callable[[Slot], np.ndarray]  # the values of a row of a store


def check_forward(step: Step, read: Read, nodes: dict[Slot, Any]) -> None:
    """Raise if ``step`` computed a non-finite value in any row; ``nodes`` maps rows to Values."""
    block = np.array([read((step.kind, row)) for row in range(step.out.start, step.out.stop)])
    bad = np.argwhere(~np.isfinite(block))
    if not bad.size:
        return
    node_index, sample = (int(i) for i in bad[0])
    node = nodes[(step.kind, step.out.start + node_index)]
    column = sample if step.kind == BATCH else 0
    slots = {v: slot for slot, v in nodes.items()}
    inputs = ", ".join(_describe(p, i, read, slots, sample) for i, p in enumerate(node.parents))
    raise FloatingPointError(
        f"{step.op.name} returned {float(block[node_index, column])!r} in the forward pass, in "
        f"{_which_row(step.kind, sample)}; inputs: {inputs}"
    )


def check_backward(step: Step, grads: tuple[np.ndarray, np.ndarray], inputs: bool) -> None:
    """Raise if backward through ``step`` gave a non-finite gradient to what it reads from."""
    for operand in step.operands:
        if not operand.wanted(inputs):
            continue
        block = grads[operand.kind][operand.rows]
        bad = np.argwhere(~np.isfinite(block))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            sample = where[-1]
            raise FloatingPointError(
                f"backward of {step.op.name} gave gradient {float(block[where])!r}, in "
                f"{_which_row(operand.kind, sample)}"
            )


def _which_row(kind: int, sample: int) -> str:
    return f"row {sample} of the batch" if kind == BATCH else "a parameter (summed over the batch)"


def _describe(parent: Any, i: int, read: Read, slots: dict[Any, Slot], sample: int) -> str:
    if type(parent) is float:
        return f"{parent!r} (constant)"
    kind = slots[parent][0]
    value = read(slots[parent])[sample if kind == BATCH else 0]
    return f"{parent.label or 'input ' + str(i)}={float(value)!r}"
