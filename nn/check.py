"""``check_model``: a whole model's gradient checked in one call, with ``autograd.gradcheck``.

The function checked is the mean loss of a few samples as a function of every parameter: each
call puts fresh Values in the parameters' places in the model (and puts the model's own back
after), so the check differentiates the very code the model runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from autograd import Value, gradcheck
from autograd.check import CheckResult
from autograd.check.result import ATOL, RTOL

from .module import Module
from .objective import Loss, mean_loss

FAST_FROM = 32  # parameters from which check_model checks random directions by default


def check_model(
    model: Module,
    loss: Loss,
    X: ArrayLike,
    y: ArrayLike,
    *,
    fast_mode: bool | None = None,
    atol: float = ATOL,
    rtol: float = RTOL,
    raise_exception: bool = True,
) -> CheckResult:
    """Check the gradient of ``model``'s mean ``loss`` on rows ``X`` with targets ``y`` with
    respect to every parameter (rows named after the parameters). ``fast_mode`` (by default from
    32 parameters) checks random directions instead of each parameter; see ``gradcheck``."""
    if not isinstance(model, Module):
        raise TypeError(f"check_model() checks a Module, got {type(model).__name__}")
    rows, targets = np.asarray(X, dtype=np.float64).tolist(), np.asarray(y).tolist()
    if not rows or len(rows) != len(targets):
        raise ValueError(
            f"check_model() needs n rows and n targets, got {len(rows)}, {len(targets)}"
        )
    named = list(model.named_parameters())
    if not named:
        raise ValueError(f"{model!r} has no parameters to check")

    def objective(*parameters: Value) -> Value:
        with _in_place_of(model, parameters):
            return mean_loss([model(row) for row in rows], targets, loss)

    inputs = [Value(p.data, label=name) for name, p in named]
    fast = len(named) >= FAST_FROM if fast_mode is None else fast_mode
    return gradcheck(
        objective, inputs, fast_mode=fast, atol=atol, rtol=rtol, raise_exception=raise_exception
    )


@contextmanager
def _in_place_of(model: Module, values: tuple[Value, ...]) -> Iterator[None]:
    """Put ``values`` in the places of ``model``'s parameters, in their order; restore after."""
    originals = model.parameters()
    replacement = dict(zip(map(id, originals), values))
    _substitute(model, replacement)
    try:
        yield
    finally:
        _substitute(model, {id(v): p for v, p in zip(values, originals)})


def _substitute(module: Module, replacement: dict[int, Value]) -> None:
    """Replace parameters found where ``named_parameters`` finds them, by identity."""
    for attr, item in vars(module).items():
        if attr.startswith("_"):
            continue
        if isinstance(item, Value) and id(item) in replacement:
            setattr(module, attr, replacement[id(item)])
        elif isinstance(item, Module):
            _substitute(item, replacement)
        elif isinstance(item, (list, tuple)):
            swapped = [_swapped(element, replacement) for element in item]
            if isinstance(item, list):
                item[:] = swapped
            else:
                setattr(module, attr, type(item)(swapped))


def _swapped(element: Any, replacement: dict[int, Value]) -> Any:
    if isinstance(element, Module):
        _substitute(element, replacement)
        return element
    if isinstance(element, Value):
        return replacement.get(id(element), element)
    return element
