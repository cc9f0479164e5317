"""Grad modes: ``no_grad``, ``enable_grad`` and ``detect_anomaly``.

Each mode is a context variable, so a mode set in one thread (or one asyncio task) never leaks
into another. Every mode works as a context manager and as a decorator.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_grad_enabled: ContextVar[bool] = ContextVar("valuegraph_grad_enabled", default=True)
_anomaly_enabled: ContextVar[bool] = ContextVar("valuegraph_detect_anomaly", default=False)


def is_grad_enabled() -> bool:
    """Whether new ops record their parents (False inside ``no_grad``)."""
    return _grad_enabled.get()


def is_anomaly_enabled() -> bool:
    """Whether non-finite results raise ``FloatingPointError`` (True inside ``detect_anomaly``)."""
    return _anomaly_enabled.get()


class _Mode:
    _var: ContextVar[bool]
    _value: bool

    def __init__(self) -> None:
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(self._var.set(self._value))

    def __exit__(self, *exc_info: object) -> None:
        self._var.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():  # a fresh instance per call: safe across threads and recursion
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_Mode):  # noqa: N801 - named like the PyTorch context manager it mirrors
    """Ops inside record no parents: their results are leaves. Use for updates and evaluation."""

    _var, _value = _grad_enabled, False


class enable_grad(_Mode):  # noqa: N801
    """Turn recording back on inside a ``no_grad`` block."""

    _var, _value = _grad_enabled, True


class detect_anomaly(_Mode):  # noqa: N801
    """Raise ``FloatingPointError`` at the first inf or nan, forward or backward, naming the op."""

    _var, _value = _anomaly_enabled, True
