"""pytest plugin: gradient checks as test assertions.

Installed with valuegraph (a ``pytest11`` entry point), so in any test suite::

    def test_my_function(gradcheck):            # the fixture
        gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.0])

    from autograd.testing.pytest_plugin import assert_gradcheck   # or the plain helper

A failure shows the report table at the test's own line, not the checker's stack frames.
``--gradcheck-atol`` and ``--gradcheck-rtol`` set the tolerances for the whole run.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Sequence

import pytest

from ..check import CheckResult, GradcheckError, gradcheck, gradgradcheck
from ..core import Value

_OPTIONS = {"atol": "--gradcheck-atol", "rtol": "--gradcheck-rtol"}
_runs: list[pytest.Config] = []  # the configured pytest runs, innermost last (pytester nests them)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradcheck", "gradient checks (valuegraph)")
    for name, option in _OPTIONS.items():
        group.addoption(
            option,
            type=_tolerance,
            default=None,
            metavar=name.upper(),
            help=f"{name} for assert_gradcheck and the gradcheck fixture "
            f"(pass when |analytic - numeric| <= atol + rtol * |numeric|)",
        )


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def pytest_configure(config: pytest.Config) -> None:
    _runs.append(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    if config in _runs:  # a run that failed to configure never got here
        _runs.remove(config)


def pytest_report_header(config: pytest.Config) -> str | None:
    tolerances = _tolerances(config)
    return (
        "gradcheck: " + ", ".join(f"{k}={v:g}" for k, v in tolerances.items())
        if tolerances
        else None
    )


def _tolerances(config: pytest.Config) -> dict[str, float]:
    """The tolerances given on the command line."""
    options = {name: config.getoption(option) for name, option in _OPTIONS.items()}
    return {name: value for name, value in options.items() if value is not None}


def assert_gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float | Value] | float | Value,
    *,
    second_order: bool = False,
    eps: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
) -> CheckResult:
    """``gradcheck`` (and with ``second_order`` also ``gradgradcheck``) as a test assertion.

    Tolerances not given come from ``--gradcheck-atol`` / ``--gradcheck-rtol``, then from
    ``gradcheck``'s defaults. On failure raises ``GradcheckError`` with the report.
    """
    __tracebackhide__ = True
    given = {k: v for k, v in (("atol", atol), ("rtol", rtol)) if v is not None}
    tolerances = {**(_tolerances(_runs[-1]) if _runs else {}), **given}
    result = gradcheck(f, inputs, eps=eps, raise_exception=False, **tolerances)
    if result and second_order:
        result = gradgradcheck(f, inputs, eps=eps, raise_exception=False, **tolerances)
    if not result:
        raise GradcheckError(result)
    return result


@pytest.fixture(name="gradcheck")
def gradcheck_fixture(pytestconfig: pytest.Config) -> Callable[..., CheckResult]:
    """``assert_gradcheck`` with this run's tolerances: ``gradcheck(f, inputs)`` in a test."""
    tolerances = _tolerances(pytestconfig)
    return functools.partial(
        assert_gradcheck, atol=tolerances.get("atol"), rtol=tolerances.get("rtol")
    )
