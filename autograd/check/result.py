"""What a gradient check returns: one row per derivative compared, each with a verdict, and the
report that says what failed where (as text, and as HTML in a notebook)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from .tables import html_table, indent, text_table, wrap

OK, WRONG, KINK, POLE, STEP, CUT = "ok", "WRONG", "KINK", "POLE", "STEP", "CUT"
NOT_FINITE = "NOT FINITE"

MEANING = {
    WRONG: "the analytic derivative disagrees with the numeric one, beyond the tolerance and the "
    "numeric side's own uncertainty",
    KINK: "left and right slopes differ: not differentiable here (relu at 0); move the point",
    POLE: "the function goes through infinity within the step (1/x near 0), so the central "
    "difference straddles a pole: move the point away from it or pass a smaller eps",
    STEP: "the numeric derivative changes when the step shrinks, so it cannot be trusted: the "
    "function curves sharply within the step (near a pole?); pass a smaller eps or move the point",
    CUT: "the output moves with this input but the recorded graph does not reach it, or only in "
    "part (numbers in the graph move with it): something reads .data or float() and cuts the graph",
    NOT_FINITE: "a derivative is inf or nan",
}

PHRASE = {  # how the summary line names the failing rows of each flag
    WRONG: "wrong {what} for",
    KINK: "kink at",
    POLE: "pole within the step at",
    STEP: "step too large at",
    CUT: "graph cut at",
    NOT_FINITE: "non-finite {what} for",
}

INNOCENT_RULES = (
    "Every node's local derivative agrees with central differences, so no op is wrong: the graph "
    "is. Something reads .data or float() and feeds the number back (which cuts the graph), or "
    "the function changes between calls."
)

MAX_ROWS = 16  # a longer table shows only its failing rows
MAX_VERDICTS = 3  # a failing report says how sure the numeric side is for this many rows
ATOL, RTOL = 1e-8, 1e-8  # the default tolerances of every check
WIDEN = 2  # a sure numeric derivative widens the tolerance by this many error estimates


@dataclass(frozen=True)
class Row:
    """One derivative compared: where it is, the analytic value, the numeric one and a flag."""

    argument: str  # which input: "1 y" (index and label)
    x: float  # the input's value
    analytic: float  # from the engine
    numeric: float  # from finite differences (Ridders' method)
    flag: str  # OK, WRONG, KINK, STEP, CUT or NOT_FINITE
    node: str = ""  # the node whose local rule this is (per-node checks): "#3 tanh c"
    op: str = ""  # that node's op name
    order: int = 1  # 2 for a second derivative
    error: float = 0.0  # the numeric derivative's error estimate: it is sure to ± this

    @property
    def place(self) -> str:
        """Where this derivative is: ``1 y`` or ``#3 tanh input 0 a``."""
        return f"{self.node} input {self.argument}" if self.node else self.argument

    @property
    def ok(self) -> bool:
        return self.flag == OK

    @property
    def abs_err(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_err(self) -> float:
        """``abs_err / |numeric|``; 0 when both are 0 and inf when only the numeric one is."""
        if self.abs_err == 0:
            return 0.0
        return self.abs_err / abs(self.numeric) if self.numeric else math.inf

    def sure(self, atol: float, rtol: float) -> bool:
        """Whether the numeric side is sure to within the tolerance: its error estimate is."""
        return self.error <= atol + rtol * abs(self.numeric)

    def verdict(self, atol: float, rtol: float) -> str:
        """``0 x: analytic differs by 1.4e+00, numeric is sure to ±3e-11``."""
        how = "sure" if self.sure(atol, rtol) else "only sure"
        return (
            f"{self.place}: analytic differs by {self.abs_err:.1e}, "
            f"numeric is {how} to ±{_number(self.error, '.0e')}"
        )


def identical(a: float, b: float) -> bool:
    """``a == b``, with nan identical to nan."""
    return a == b or (a != a and b != b)


def finish(result: CheckResult, raise_exception: bool) -> CheckResult:
    """Return ``result``, or raise ``GradcheckError`` with its report if it failed."""
    if not result and raise_exception:
        raise GradcheckError(result)
    return result


@dataclass
class CheckResult:
    """The outcome of a check: true when every row and every extra check passed.

    ``rows`` has one ``Row`` per derivative compared; ``problems`` lists failed checks that are not
    rows (a backward that is not reproducible); ``context`` says more about failing rows (a failing
    node's inputs); ``diagnosis`` is the per-node check run after a failure, which names the op at
    fault.
    """

    check: str  # "gradcheck", "gradgradcheck", "check_graph"
    what: str  # what a row is: "gradient", "second derivative", "local derivative"
    rows: list[Row]
    atol: float
    rtol: float
    problems: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    diagnosis: CheckResult | None = None

    def __bool__(self) -> bool:
        return not self.problems and all(row.ok for row in self.rows)

    @property
    def failures(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]

    def culprits(self, verdict: str = WRONG) -> list[str]:
        """The ops of nodes whose rows have this flag, in graph order, each once.

        A wrong first derivative also spoils the second derivatives built from it, so when there
        are first-order culprits they alone are named.
        """
        rows = [row for row in self.failures if row.flag == verdict and row.op]
        first = [row for row in rows if row.order == 1]
        return list(dict.fromkeys(row.op for row in first or rows))

    def summary(self) -> str:
        """One line: what passed, or what failed where and which op is to blame."""
        return "; ".join([self.headline(), *self.blame()])

    def headline(self) -> str:
        """What passed, or which rows failed and how."""
        if self:
            n = len(self.rows)
            agree = "agrees" if n == 1 else "agree"
            return f"{self.check} passed: {_plural(n, self.what)} {agree} with central differences"
        places: dict[str, list[str]] = {}
        for row in self.failures:
            places.setdefault(row.flag, []).append(row.place)
        parts = [f"{PHRASE[f].format(what=self.what)} {_first(p)}" for f, p in places.items()]
        if self.problems:
            parts.append(_plural(len(self.problems), "other failed check") + " below")
        return f"{self.check} failed: " + "; ".join(parts)

    def blame(self) -> list[str]:
        """Which ops the per-node diagnosis found at fault, and at which nodes."""
        if self.diagnosis is None:
            return []
        found = self.diagnosis
        wrong, cut, kinks = found.culprits(WRONG), found.culprits(CUT), found.culprits(KINK)
        return [
            *[f"the derivative rule of {_ops(wrong)} is wrong{found._where(wrong)}"] * bool(wrong),
            *[f"the derivative rule of {_ops(cut)} cuts the graph{found._where(cut)}"] * bool(cut),
            *[f"{_ops(kinks)} is at a kink{found._where(kinks)}"] * bool(kinks and not wrong),
        ]

    def _where(self, ops: list[str]) -> str:
        """`` (node #5)``: where the failing rows of these ops are."""
        nodes = list(dict.fromkeys(row.node.split()[0] for row in self.failures if row.op in ops))
        return f" (node{'s' * (len(nodes) > 1)} {', '.join(nodes)})"

    def notes(self) -> list[str]:
        """What the table's flags mean, the failed extra checks and the tolerance."""
        flags = dict.fromkeys(row.flag for row in self.failures)
        rule = f"pass when |analytic - numeric| <= atol + rtol * |numeric| + {WIDEN} err"
        verdicts = [
            row.verdict(self.atol, self.rtol) for row in self.failures if row.flag != NOT_FINITE
        ]
        return [
            *self.context,
            *verdicts[:MAX_VERDICTS],
            *(f"{flag}: {MEANING[flag]}" for flag in flags),
            *(f"✗ {problem}" for problem in self.problems),
            f"{rule}, atol={self.atol:g}, rtol={self.rtol:g} (numeric: Ridders' extrapolation, "
            "sure to ± err)",
        ]

    def shown(self) -> list[Row]:
        """The rows the report shows: all of them, or only the failures of a long table."""
        return self.rows if len(self.rows) <= MAX_ROWS else self.failures[:MAX_ROWS]

    def report(self) -> str:
        """The summary, the table, the notes and, after a failure, the per-node diagnosis."""
        shown = self.shown()
        titles, body = _layout(shown)
        table = text_table(titles, body, _LEFT)
        lines = [*wrap(self.headline(), rest="    ")]
        lines += [line for sentence in self.blame() for line in wrap(sentence, rest="    ")]
        lines += ["", *indent(table)]
        if len(shown) < len(self.rows):
            lines.append(f"  ({len(self.rows) - len(shown)} passing rows not shown)")
        lines.append("")
        for note in self.notes():
            lines += wrap(note, first="  ", rest="    ")
        if self.diagnosis is not None and self.diagnosis:
            lines += ["", *wrap(INNOCENT_RULES)]
        elif self.diagnosis is not None:
            lines += ["", "Per-node check:", *indent(self.diagnosis.report().splitlines())]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The report in a notebook: the same content, the table in HTML."""
        if self.diagnosis is None:
            diagnosis = ""
        elif self.diagnosis:
            diagnosis = _paragraph(INNOCENT_RULES)
        else:
            nested = f'<div style="margin-left:2em">{self.diagnosis._repr_html_()}</div>'
            diagnosis = '<div style="margin-top:8px">Per-node check:</div>' + nested
        shown = self.shown()
        titles, body = _layout(shown)
        table = html_table(titles, body, _LEFT, [_STYLE.get(row.flag, _FAILED) for row in shown])
        colour = "#1a7f37" if self else "#cf222e"
        return (
            f'<div style="font-family:monospace"><b style="color:{colour}">'
            f"{html.escape(self.summary())}</b>{table}"
            + "".join(_paragraph(note) for note in self.notes())
            + diagnosis
            + "</div>"
        )

    def __repr__(self) -> str:
        return f"<{self.summary()}>"


class GradcheckError(AssertionError):
    """A gradient check failed; the message is the report and ``.result`` the ``CheckResult``."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.report())
        self.result = result


GradcheckError.__module__ = "autograd"  # tracebacks name it where users import it from


_COLUMNS = ("node", "input", "x", "analytic", "numeric", "± err", "abs err", "rel err", "flag")
_LEFT = {"node", "input", "argument", "flag"}
_FAILED = "background:rgba(207,34,46,0.12)"  # tints that read in light and dark notebook themes
_STYLE = {OK: "", KINK: "background:rgba(212,167,44,0.18)"}


def _cells(row: Row) -> list[str]:
    numbers = [_number(x, ".7g") for x in (row.x, row.analytic, row.numeric)]
    errors = [_number(x, ".1e") for x in (row.abs_err, row.rel_err)]
    return [row.node, row.argument, *numbers, _number(row.error, ".0e"), *errors, row.flag]


def _number(x: float, spec: str) -> str:
    return "0" if x == 0 else format(x, spec)


def _layout(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    """Column titles and cells; the node column only for per-node checks, whose inputs are
    ``input``s, while a whole function's are ``argument``s."""
    keep = [c for c in range(len(_COLUMNS)) if c or any(row.node for row in rows)]
    titles = [_COLUMNS[c] for c in keep]
    if titles[0] == "input":
        titles[0] = "argument"
    return titles, [[_cells(row)[c] for c in keep] for row in rows]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _first(places: list[str], n: int = 3) -> str:
    more = f" and {len(places) - n} more" if len(places) > n else ""
    return ", ".join(places[:n]) + more


def _ops(names: list[str]) -> str:
    """``op 'tanh'`` or ``ops 'sin', 'cos'``."""
    return "op" + "s" * (len(names) > 1) + " " + ", ".join(repr(name) for name in names)


def _paragraph(text: str) -> str:
    return f'<div style="margin:2px 0">{html.escape(text)}</div>'
