"""pytest plugin: gradient checks as test assertions.

Installed with valuegraph (a ``pytest11`` entry point), so in any test suite::

    def test_my_function(gradcheck):            # the fixture
        gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.0])

    from autograd.testing.pytest_plugin import assert_gradcheck   # or the plain helper

A failure shows the report table at the test's own line, not the checker's stack frames.

Tolerances, the first given wins: the call's ``atol=``/``rtol=``; a test's marker,
``@pytest.mark.gradcheck(atol=1e-4, rtol=1e-3)`` (read by the fixture); the command line,
``--gradcheck-atol`` and ``--gradcheck-rtol``; the ini options ``gradcheck_atol`` and
``gradcheck_rtol`` (``[tool.pytest.ini_options]``); ``gradcheck``'s defaults.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Sequence

import pytest

from ..check import CheckResult, GradcheckError, gradcheck, gradgradcheck
from ..check.gradcheck import ATOL, RTOL
from ..core import Value

_OPTIONS = {"atol": "--gradcheck-atol", "rtol": "--gradcheck-rtol"}
_DEFAULTS = {"atol": ATOL, "rtol": RTOL}  # gradcheck's own
_runs: list[pytest.Config] = []  # the configured pytest runs, innermost last (pytester nests them)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradcheck", "gradient checks (valuegraph)")
    for name, option in _OPTIONS.items():
        group.addoption(
            option,
            type=_tolerance,
            default=None,
            metavar=name.upper(),
            help=f"{name} for assert_gradcheck and the gradcheck fixture, default "
            f"{_DEFAULTS[name]:g} (pass when |analytic - numeric| <= atol + rtol * |numeric| "
            "+ 2 * the numeric side's error estimate)",
        )
        parser.addini(
            f"gradcheck_{name}",
            f"the default {name} of the gradcheck fixture ({_DEFAULTS[name]:g} if not set)",
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
    config.addinivalue_line(
        "markers", "gradcheck(atol=None, rtol=None): tolerances of the gradcheck fixture here"
    )
    _tolerances(config)  # a bad ini value is an error at the start, not in the first test
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
    """The tolerances given on the command line, else in the ini file."""
    found = {}
    for name, option in _OPTIONS.items():
        value, ini = config.getoption(option), config.getini(f"gradcheck_{name}")
        if value is None and ini:
            try:
                value = _tolerance(str(ini))
            except argparse.ArgumentTypeError as error:
                raise pytest.UsageError(f"ini option gradcheck_{name}: {error}") from None
        if value is not None:
            found[name] = value
    return found


def _marked(node: pytest.Item) -> dict[str, float]:
    """The tolerances of the test's ``gradcheck`` marker."""
    marker = node.get_closest_marker("gradcheck")
    if marker is None:
        return {}
    unknown = set(marker.kwargs) - set(_OPTIONS)
    if marker.args or unknown:
        raise pytest.UsageError(
            f"@pytest.mark.gradcheck takes atol= and rtol= only, got {marker.args} {unknown or ''}"
        )
    found = {}
    for name, value in marker.kwargs.items():
        try:
            found[name] = _tolerance(str(value))
        except argparse.ArgumentTypeError as error:
            raise pytest.UsageError(f"@pytest.mark.gradcheck({name}=...): {error}") from None
    return found


def assert_gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float | Value] | float | Value,
    *,
    second_order: bool = False,
    order: int = 1,
    eps: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
) -> CheckResult:
    """``gradcheck`` up to ``order`` (with ``second_order`` also ``gradgradcheck``) as a test
    assertion.

    Tolerances not given come from ``--gradcheck-atol`` / ``--gradcheck-rtol``, then the ini
    options, then ``gradcheck``'s defaults. On failure raises ``GradcheckError`` with the report.
    """
    __tracebackhide__ = True
    given = {k: v for k, v in (("atol", atol), ("rtol", rtol)) if v is not None}
    tolerances = {**(_tolerances(_runs[-1]) if _runs else {}), **given}
    atol, rtol = tolerances.get("atol", ATOL), tolerances.get("rtol", RTOL)
    result = gradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol, order=order, raise_exception=False)
    if result and second_order:
        result = gradgradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=False)
    if not result:
        raise GradcheckError(result)
    return result


@pytest.fixture(name="gradcheck")
def gradcheck_fixture(
    pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Callable[..., CheckResult]:
    """``assert_gradcheck`` with this test's tolerances (its ``gradcheck`` marker, else the
    run's): ``gradcheck(f, inputs)`` in a test."""
    tolerances = {**_tolerances(pytestconfig), **_marked(request.node)}
    return functools.partial(
        assert_gradcheck, atol=tolerances.get("atol"), rtol=tolerances.get("rtol")
    )
