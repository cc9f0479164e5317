"""Argument checks shared by nn's modules: a wrong type is a ``TypeError`` naming it."""

from __future__ import annotations

import numbers


def count(n: object, name: str, minimum: int = 1) -> int:
    """``n`` as an int of at least ``minimum``; ``TypeError`` for a non-integer (bools too)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    return int(n)
