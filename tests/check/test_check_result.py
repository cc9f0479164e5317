"""The report: an aligned text table, the same table in HTML, and a summary line that says
what failed where."""

from __future__ import annotations

import math

import pytest

from autograd import Value, check_graph, gradcheck
from autograd.check.result import MAX_ROWS, CheckResult, Row
from tests.helpers.op_grid import off_by_half


def table_lines(report: str) -> list[str]:
    """The table: the title line, the rule under it and the rows (up to a blank line)."""
    lines = report.splitlines()
    start = (
        next(i for i, line in enumerate(lines) if set(line.strip()) <= {"─", " "} and line.strip())
        - 1
    )
    end = lines.index("", start)
    return lines[start:end]


def test_columns_line_up_labels_left_and_numbers_right():
    result = gradcheck(lambda first, second: (first * second).exp(), [0.5, -12.25])
    titles, rule, *rows = table_lines(result.report())
    assert titles.split() == [
        "argument",
        "x",
        "analytic",
        "numeric",
        "±",
        "err",
        "abs",
        "err",
        "rel",
        "err",
        "flag",
    ]
    spans = [(m, m + len(dash)) for m, dash in _runs(rule)]
    assert len(spans) == 8
    for line in [titles, *rows]:
        for start, end in spans[1:-1]:  # numbers: the last character of each column is filled
            assert line[end - 1] != " " and line[start - 2 : start] == "  "
        assert line[spans[0][0]] != " " and line[spans[-1][0]] != " "  # labels and flags: the first
    assert rows[1].startswith("  1 second  -12.25")


def _runs(rule: str) -> list[tuple[int, str]]:
    runs, start = [], None
    for i, char in enumerate(rule + " "):
        if char == "─" and start is None:
            start = i
        elif char != "─" and start is not None:
            runs.append((start, rule[start:i]))
            start = None
    return runs


def test_a_per_node_table_has_a_node_column_and_calls_inputs_inputs():
    a = Value(1.0, label="a")
    titles = table_lines(check_graph(a.sin() * a).report())[0].split()
    assert titles[:2] == ["node", "input"]


def test_a_long_table_shows_only_its_failing_rows(op_table):
    op_table["sin"] = off_by_half(op_table["sin"])
    xs = [0.1 * k for k in range(MAX_ROWS + 4)]
    result = gradcheck(
        lambda *v: sum((x * x for x in v[1:]), v[0].sin()), xs, raise_exception=False
    )
    rows = table_lines(result.report())[2:]
    assert [row.split()[:2] for row in rows] == [["0", "x0"], ["(19", "passing"]]
    assert rows[1] == f"  ({MAX_ROWS + 3} passing rows not shown)"


def test_numbers_show_seven_significant_digits_errors_two_and_the_estimate_one():
    row = Row("0 x", 1 / 3, math.pi, math.pi + 1e-7, "WRONG", error=3.14e-11)
    result = CheckResult("gradcheck", "gradient", [row], 1e-8, 1e-8)
    body = table_lines(result.report())[2]
    assert body.split() == [
        "0",
        "x",
        "0.3333333",
        "3.141593",
        "3.141593",
        "3e-11",
        "1.0e-07",
        "3.2e-08",
        "WRONG",
    ]
    assert "  0 x: analytic differs by 1.0e-07, numeric is sure to ±3e-11" in result.report()


def test_a_failure_says_when_the_numeric_side_is_not_sure_within_the_tolerance():
    row = Row("0 x", 1.0, 2.0, 2.5, "STEP", error=0.01)
    report = CheckResult("gradcheck", "gradient", [row], 1e-8, 1e-8).report()
    assert "0 x: analytic differs by 5.0e-01, numeric is only sure to ±1e-02" in report


@pytest.mark.parametrize(
    ("rows", "summary"),
    [
        ([Row("0 x", 1.0, 2.0, 2.0, "ok")],
         "gradcheck passed: 1 gradient agrees with central differences"),
        ([Row("0 x", 1.0, 2.0, 2.0, "ok")] * 2,
         "gradcheck passed: 2 gradients agree with central differences"),
        ([Row(f"{k} x{k}", 1.0, 2.0, 3.0, "WRONG") for k in range(5)],
         "gradcheck failed: wrong gradient for 0 x0, 1 x1, 2 x2 and 2 more"),
        ([Row("0 x", 1.0, 2.0, math.nan, "NOT FINITE"), Row("1 y", 1.0, 0.0, 1.0, "CUT")],
         "gradcheck failed: non-finite gradient for 0 x; graph cut at 1 y"),
    ],
)  # fmt: skip
def test_the_summary_line_says_what_failed_where(rows, summary):
    assert CheckResult("gradcheck", "gradient", rows, 1e-6, 1e-5).summary() == summary


def test_rel_err_is_zero_for_equal_values_and_inf_against_a_zero_numeric():
    assert Row("0 x", 1.0, 0.0, 0.0, "ok").rel_err == 0.0
    assert Row("0 x", 1.0, 1.0, 0.0, "WRONG").rel_err == math.inf
    assert Row("0 x", 1.0, 3.0, 2.0, "WRONG").rel_err == 0.5


def test_the_html_report_has_the_rows_tinted_by_flag_and_the_diagnosis(op_table):
    op_table["tanh"] = off_by_half(op_table["tanh"])
    result = gradcheck(lambda x, y: x.tanh() * y, [0.3, 2.0], raise_exception=False)
    page = result._repr_html_()
    assert page.count("<tr") == 1 + 2 + 1 + 3  # titles and rows, then the per-node table
    assert page.count("rgba(207,34,46,0.12)") == 1 + 1  # x's gradient, and tanh's rule
    assert "the derivative rule of op &#x27;tanh&#x27; is wrong" in page
    assert "Per-node check" in page


def test_repr_is_the_summary():
    assert (
        repr(gradcheck(lambda x: x * x, [1.0]))
        == "<gradcheck passed: 1 gradient agrees with central differences>"
    )
