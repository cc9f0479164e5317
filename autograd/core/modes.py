"""Grad modes: ``no_grad``, ``enable_grad`` and ``detect_anomaly``.

Each mode is a context variable, so a mode set in one thread (or one asyncio task) never leaks
into another. Every mode works as a context manager and as a decorator: of a function, of a
generator function (the mode holds each time its body runs, from one ``next()`` to its ``yield``,
and not while the caller runs between them) and of an ``async def`` (the mode holds in its task
across every ``await``). An async generator function is refused with ``TypeError``: write the
``with`` block inside it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
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


# The tokens of the modes entered in this context, innermost last: with-blocks nest within a
# thread or task, so the one to undo on exit is always the last one here. Kept in a context
# variable, not on the mode object, so one instance can be entered by many threads at once.
_entered: ContextVar[tuple[Token[bool], ...]] = ContextVar("valuegraph_modes", default=())


class _Mode:
    """A mode as a context manager, and as a decorator with or without parentheses."""

    _var: ContextVar[bool]
    _value: bool

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        mode = super().__new__(cls)
        return mode(func) if func is not None else mode  # @no_grad as well as @no_grad()

    def __enter__(self) -> None:
        _entered.set((*_entered.get(), self._var.set(self._value)))

    def __exit__(self, *exc_info: object) -> None:
        *outer, token = _entered.get()
        _entered.set(tuple(outer))
        token.var.reset(token)

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(f"{type(self).__name__} decorates a function, got {func!r:.60}")
        if inspect.isasyncgenfunction(func):
            raise TypeError(
                f"{type(self).__name__} cannot decorate the async generator {func.__name__}: "
                f"write `with {type(self).__name__}():` inside it"
            )
        if inspect.isgeneratorfunction(func):
            return self._generator(func)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):
            return self._coroutine(func)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _generator(self, func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            inner = func(*args, **kwargs)
            resume: Callable[[], Any] = functools.partial(inner.send, None)
            while True:
                try:
                    with self:  # the body runs in the mode, up to its next yield
                        item = resume()
                except StopIteration as done:
                    return done.value
                try:
                    sent = yield item
                except GeneratorExit:
                    with self:
                        inner.close()
                    raise
                except BaseException as error:  # thrown in by the caller: into the body
                    resume = functools.partial(inner.throw, error)
                else:
                    resume = functools.partial(inner.send, sent)

        return wrapper

    def _coroutine(self, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:  # a task has its own context: the mode holds in it across awaits
                return await func(*args, **kwargs)

        return wrapper


class no_grad(_Mode):  # noqa: N801 - named like the PyTorch context manager it mirrors
    """Ops inside record no parents: their results are leaves. Use for updates and evaluation."""

    _var, _value = _grad_enabled, False


class enable_grad(_Mode):  # noqa: N801
    """Turn recording back on inside a ``no_grad`` block."""

    _var, _value = _grad_enabled, True


class detect_anomaly(_Mode):  # noqa: N801
    """Raise ``FloatingPointError`` at the first inf or nan, forward or backward, naming the op."""

    _var, _value = _anomaly_enabled, True
