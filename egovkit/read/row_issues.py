"""Issues about rows, said once per row when they are few and in one summary line when they repeat.

A stacked table with 60 empty cells or a census file with 18 empty pseudo-areas would otherwise
bury its one important warning under 60 identical ones. Up to :data:`PER_ROW_LIMIT` rows keep one
issue each (row, area and column named); beyond, one issue gives the count, the first rows and
areas, its ``row`` is the first of them and its ``rows`` all of them. The fate of every row is recorded elsewhere
(``report.row_fate``), whatever is said here.

The code's template ends with ``{in_rows}``: empty for one row, `` in 7 rows: rows 3, 4, ...`` for a summary.

Examples
--------
>>> from egovkit.validate import ValidationReport
>>> r = ValidationReport(source="t.csv")
>>> report_rows(r, "warning", "missing_value", [3, 4, 5, 6, 7, 8, 9], ["A", "B", "C", "D", "E", "F", "G"],
...             {"indicator": "internet"}, column="Internet", action="dropped")
>>> [i.message for i in r.issues]
["internet: value is missing in 7 rows: rows 3, 4, 5, 6, 7, 8, 9 ('A', 'B', 'C', 'D', 'E', ...)"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..shared.messages import render
from ..validate import ValidationReport

#: up to this many rows, one issue per row
PER_ROW_LIMIT = 5


def _list(items: Sequence, limit: int) -> str:
    shown = ", ".join(str(x) for x in items[:limit])
    return shown + (", ..." if len(items) > limit else "")


def report_rows(report: ValidationReport, severity: str, code: str, lines: Sequence[int], areas: Sequence,
                params: Mapping[str, Any] | None = None, *, column: str | None = None, action: str | None = None,
                limit: int = PER_ROW_LIMIT, explained: set[int] | None = None) -> None:
    """Say the finding ``code`` (its template filled with ``params``) about the rows on ``lines``
    (areas ``areas``): one issue per row up to ``limit`` rows, else one issue naming their count, the
    first 10 lines and 5 areas (the template's ``{in_rows}`` field).

    ``explained``: a set of lines (``ctx.explained_rows``) that receives every line said here, so
    that no row of a summary is reported again as dropped without a reason."""
    lines = [int(x) for x in lines]
    if not lines:
        return
    if explained is not None:
        explained.update(lines)
    if len(lines) <= limit:
        for ln, area in zip(lines, areas):
            report.add(severity, code, params={**(params or {}), "in_rows": ""}, row=ln, column=column, area=area,
                       action=action)
        return
    names = [repr(str(a)) for a in areas]
    in_rows = render("read.in_rows", {"n": len(lines), "rows": _list(lines, 10), "areas": _list(names, 5)})
    report.add(severity, code, params={**(params or {}), "in_rows": in_rows}, row=lines[0], column=column,
               action=action, rows=lines)


def clauses(parts: Sequence[str]) -> str:
    """Clauses of one finding joined by semicolons the language's way (``a; b``, in French ``a ; b``).

    >>> clauses(["2 rows of a breakdown", "3 rows of other periods"])
    '2 rows of a breakdown; 3 rows of other periods'
    """
    return (render("read.semicolon") + " ").join(parts)
