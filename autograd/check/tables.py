"""Tables of text: aligned plain text for terminals and tracebacks, HTML for notebooks."""

from __future__ import annotations

import html

_CELL = "padding:1px 10px;text-align:{}"


def text_table(titles: list[str], body: list[list[str]], left: set[str]) -> list[str]:
    """Lines of text with a rule under the titles; the ``left`` columns are left-aligned, the
    others right-aligned (numbers line up on their last digit)."""
    widths = [max(map(len, column)) for column in zip(titles, *body)]

    def line(cells: list[str]) -> str:
        aligned = [
            text.ljust(w) if title in left else text.rjust(w)
            for title, text, w in zip(titles, cells, widths)
        ]
        return "  ".join(aligned).rstrip()

    return [line(titles), "  ".join("─" * w for w in widths), *(line(cells) for cells in body)]


def html_table(titles: list[str], body: list[list[str]], left: set[str], styles: list[str]) -> str:
    """The same table in HTML, each row with its CSS ``style``."""
    align = ["left" if title in left else "right" for title in titles]
    head = "".join(
        f'<th style="{_CELL.format(a)};border-bottom:1px solid">{t}</th>'
        for t, a in zip(titles, align)
    )
    lines = [f'<table style="border-collapse:collapse;margin:6px 0"><tr>{head}</tr>']
    for cells, style in zip(body, styles):
        row = "".join(
            f'<td style="{_CELL.format(a)}">{html.escape(c)}</td>' for c, a in zip(cells, align)
        )
        lines.append(f'<tr style="{style}">{row}</tr>')
    return "\n".join([*lines, "</table>"])


def indent(lines: list[str]) -> list[str]:
    return ["  " + line if line else line for line in lines]


def wrap(text: str, first: str = "", rest: str = "", width: int = 96) -> list[str]:
    """``text`` in lines of at most ``width`` characters after a prefix (``first``, ``rest``)."""
    lines: list[str] = []
    prefix, words = first, list[str]()
    for word in text.split():
        if words and len(prefix) + len(" ".join([*words, word])) > width:
            lines.append(prefix + " ".join(words))
            prefix, words = rest, []
        words.append(word)
    return [*lines, prefix + " ".join(words)]
