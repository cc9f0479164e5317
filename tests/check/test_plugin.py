"""The pytest plugin, run the way a user's suite runs it: through ``pytester``."""

from __future__ import annotations

import dataclasses

import pytest

from autograd import GradcheckError, Value
from autograd.core import ieee
from autograd.testing import pytest_plugin
from autograd.testing.pytest_plugin import assert_gradcheck

# A user's test module: a function with a wrong gradient (it reads .data for y), a correct one,
# and one whose rule is 3e-5 relative off (passes only with a looser rtol).
USER_TESTS = """
import dataclasses
from autograd import OPS, Value
from autograd.testing.pytest_plugin import assert_gradcheck

def test_correct(gradcheck):
    gradcheck(lambda x, y: (x * y + 1).tanh(), [0.5, -1.5])

def test_reads_data(gradcheck):
    gradcheck(lambda x, y: x * y.data, [2.0, 3.0])

def slightly_off(monkeypatch):
    exp = OPS["exp"]
    monkeypatch.setitem(OPS, "exp", dataclasses.replace(
        exp, derivative=lambda m, x, out: (out * (1 + 3e-5),)))

def test_slightly_off_with_the_helper(monkeypatch):
    slightly_off(monkeypatch)
    assert_gradcheck(lambda x: x.exp(), [0.5])

def test_slightly_off_with_the_fixture(monkeypatch, gradcheck):
    slightly_off(monkeypatch)
    gradcheck(lambda x: x.exp(), [0.5])
"""


def test_the_plugin_is_registered_through_its_entry_point(pytestconfig):
    plugin = pytestconfig.pluginmanager.get_plugin("valuegraph")
    assert plugin is pytest_plugin


def test_a_failure_shows_the_table_at_the_test_line_without_the_checkers_frames(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-k", "reads_data")
    result.assert_outcomes(passed=0, failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       gradcheck(lambda x, y: x * y.data, [2.0, 3.0])",
            "E       autograd.GradcheckError: gradcheck failed: graph cut at 1 y",
            "E         argument  x  analytic  numeric  ± err  abs err  rel err  flag",
            "E         0 x       2         3        3  * ok",
            "E         1 y       3         0        2  * CUT",
        ]
    )
    output = result.stdout.str()
    assert "def assert_gradcheck" not in output and "pytest_plugin.py" not in output
    assert "gradcheck.py" not in output  # the checker's own frames are hidden too


def test_correct_functions_pass(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    pytester.runpytest("-k", "correct").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("options", "header", "passed"),
    [
        ((), None, 0),
        (("--gradcheck-rtol=1e-4",), "gradcheck: rtol=0.0001", 2),
        (("--gradcheck-atol=1e-3", "--gradcheck-rtol=0"), "gradcheck: atol=0.001, rtol=0", 2),
    ],
)
def test_command_line_tolerances_apply_to_the_fixture_and_the_helper(
    pytester, options, header, passed
):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-k", "slightly_off", *options)
    result.assert_outcomes(passed=passed, failed=2 - passed)
    assert (header in result.stdout.lines) if header else "gradcheck:" not in result.stdout.str()


@pytest.mark.parametrize("value", ["-1", "tiny", "nan"])
def test_a_bad_tolerance_is_a_usage_error(pytester, value):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest(f"--gradcheck-atol={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*argument --gradcheck-atol: must be a number >= 0, got {value!r}"]
    )


def test_assert_gradcheck_returns_the_result_and_checks_second_derivatives_on_request(op_table):
    assert assert_gradcheck(lambda x: x.sin(), [0.3]).check == "gradcheck"
    assert assert_gradcheck(lambda x: x.sin(), [0.3], second_order=True).check == "gradgradcheck"
    # a rule right on floats whose derivative is lost on Values: only second order sees it
    cos = lambda m, x, out: (ieee.cos(x.data) if isinstance(x, Value) else m.cos(x),)
    op_table["sin"] = dataclasses.replace(op_table["sin"], derivative=cos)
    assert assert_gradcheck(lambda x: x.sin(), [0.3])
    with pytest.raises(GradcheckError, match="gradgradcheck failed: graph cut at"):
        assert_gradcheck(lambda x: x.sin(), [0.3], second_order=True)


def test_explicit_tolerances_win(op_table):
    op_table["exp"] = dataclasses.replace(
        op_table["exp"], derivative=lambda m, x, out: (out * (1 + 3e-5),)
    )
    with pytest.raises(GradcheckError):
        assert_gradcheck(lambda x: x.exp(), [0.5])
    assert assert_gradcheck(lambda x: x.exp(), [0.5], rtol=1e-4)


MARKED_TESTS = """
import dataclasses
import pytest
from autograd import OPS

@pytest.fixture
def slightly_off(monkeypatch):  # exp's rule 3e-5 relative off
    monkeypatch.setitem(OPS, "exp", dataclasses.replace(
        OPS["exp"], derivative=lambda m, x, out: (out * (1 + 3e-5),)))

@pytest.mark.gradcheck(rtol=1e-4)
def test_loose(slightly_off, gradcheck):
    gradcheck(lambda x: x.exp(), [0.5])

def test_default(slightly_off, gradcheck):
    gradcheck(lambda x: x.exp(), [0.5])

@pytest.mark.gradcheck(rtol=0.0)
def test_strict(gradcheck):
    gradcheck(lambda x: x * 3.0, [0.5], atol=1e-4)  # the call's own atol still wins
"""


def test_a_gradcheck_marker_sets_one_tests_tolerances(pytester):
    pytester.makepyfile(test_user=MARKED_TESTS)
    result = pytester.runpytest("-v", "-W", "error::pytest.PytestUnknownMarkWarning")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*test_loose PASSED*", "*test_default FAILED*", "*test_strict PASSED*"]
    )


def test_ini_options_set_the_defaults_and_the_command_line_wins(pytester):
    pytester.makepyfile(test_user=MARKED_TESTS)
    pytester.makeini("[pytest]\ngradcheck_rtol = 1e-4\n")
    result = pytester.runpytest("-k", "default")
    result.assert_outcomes(passed=1)
    assert "gradcheck: rtol=0.0001" in result.stdout.lines
    pytester.runpytest("-k", "default", "--gradcheck-rtol=1e-6").assert_outcomes(failed=1)


@pytest.mark.parametrize(
    ("ini", "marker", "message"),
    [
        ("gradcheck_atol = loose", "", "ini option gradcheck_atol: must be a number >= 0"),
        ("", "@pytest.mark.gradcheck(atol=-1)", "gradcheck(atol=...): must be a number >= 0"),
        ("", "@pytest.mark.gradcheck(tol=1)", "takes atol= and rtol= only"),
    ],
)
def test_a_bad_ini_option_or_marker_is_a_usage_error(pytester, ini, marker, message):
    pytester.makepyfile(
        test_user=f"import pytest\n{marker}\n"
        "def test_it(gradcheck):\n    gradcheck(lambda x: x, [1.0])\n"
    )
    pytester.makeini(f"[pytest]\n{ini}\n")
    result = pytester.runpytest()
    output = result.stdout.str() + result.stderr.str()
    assert message in output and result.ret != 0
