"""The validation report: every problem found, repaired, inferred or kept apart.

Every egovkit function that drops, repairs or guesses something records it here, so that
nothing is lost silently: each input row is either in the result or in the report.

Examples
--------
>>> r = ValidationReport(source="table.csv")
>>> _ = r.add("error", "negative_value", "value is negative", row=5, column="internet",
...           area="Kibra", fix="correct the value in the file")
>>> r.has_errors
True
>>> r.to_frame().loc[0, ["severity", "column", "area"]].tolist()
['error', 'internet', 'Kibra']
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

import pandas as pd

from .errors import ValidationError
from .export import write_csv, write_excel

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}
#: Actions of a finding that change a figure of the result (a value dropped, a row kept apart, a
#: value type or a denominator chosen...); a warning without one (a column ignored) comes later.
FIGURE_ACTIONS = frozenset({"dropped", "dropped for this indicator", "kept apart", "inferred", "repaired", "kept",
                            "used", "given", "read as 0", "read as empty"})


@dataclass
class Issue:
    """One finding. ``row`` is the 1-based line in the file (header = 1) when known."""

    severity: Severity
    code: str
    message: str
    source: str | None = None
    row: int | None = None
    column: str | None = None
    area: str | None = None
    fix: str | None = None
    action: str | None = None  # e.g. "dropped", "repaired", "inferred", "kept apart", "kept"
    rows: tuple[int, ...] | None = None  # every row of an issue said once for many rows (``row``: the first)

    @property
    def rank(self) -> int:
        """Where the finding comes in a report: 0 errors, 1 warnings that change a figure, 2 other
        warnings, 3 notes.

        >>> Issue("warning", "value_type_conflict", "read as shares", action="inferred").rank
        1
        """
        if self.severity == "error":
            return 0
        if self.severity == "warning":
            return 1 if self.action in FIGURE_ACTIONS else 2
        return 3

    def __str__(self) -> str:
        where = [w for w in (
            self.source,
            f"row {self.row}" if self.row is not None else None,
            f"column {self.column!r}" if self.column else None,
            f"district {self.area!r}" if self.area else None,
        ) if w]
        text = f"[{self.severity.upper()}] " + (", ".join(where) + ": " if where else "")
        text += self.message
        if self.action:
            text += f" ({self.action})"
        if self.fix:
            text += f" -> Fix: {self.fix}"
        return text


@dataclass
class ValidationReport:
    """A list of :class:`Issue` with helpers to print, save and check it.

    ``rows_in`` counts the data rows read; ``row_fate`` maps each input row number to
    what happened to it (``"used"``, ``"kept apart"``, ``"dropped"``) so a test or a user
    can check that no row went missing.
    """

    source: str | None = None
    issues: list[Issue] = field(default_factory=list)
    rows_in: int = 0
    row_fate: dict[int, str] = field(default_factory=dict)
    #: what each column was recognised as (:class:`egovkit.concepts.Recognition`: column, role,
    #: indicator, universe, value_kind, confidence, reason, alternatives), filled by ``read_table``
    recognitions: list[Any] = field(default_factory=list)

    # -- building ---------------------------------------------------------------
    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        area: str | None = None,
        fix: str | None = None,
        action: str | None = None,
        source: str | None = None,
        rows: "Iterable[int] | None" = None,
    ) -> Issue:
        """Record one finding and return it (``rows``: every row of a finding said once for many)."""
        if severity not in _ORDER:
            raise ValueError(f"severity must be one of {list(_ORDER)}, not {severity!r}")
        issue = Issue(severity, code, message, source or self.source, None if row is None else int(row),
                      column, None if area is None else str(area), fix, action,
                      None if rows is None else tuple(int(r) for r in rows))
        self.issues.append(issue)
        return issue

    def extend(self, other: "ValidationReport | Iterable[Issue]") -> "ValidationReport":
        """Append the issues of another report (or an iterable of issues).

        The row fates of ``other`` are merged only when they number the rows of the same input:
        same ``source``, or this report has no row fate yet (a summary report wrapping one
        input). Line numbers of another file (e.g. the hotspots read after a table) are not.
        """
        items = other.issues if isinstance(other, ValidationReport) else list(other)
        self.issues.extend(items)
        if isinstance(other, ValidationReport) and (
                not self.row_fate or other.source is None or other.source == self.source):
            for k, v in other.row_fate.items():
                self.row_fate.setdefault(k, v)
        return self

    def sort(self) -> "ValidationReport":
        """Order the issues by what changes the figures first (errors, warnings that change a
        figure, other warnings, notes: :attr:`Issue.rank`), keeping their order within each group."""
        self.issues.sort(key=lambda i: i.rank)
        return self

    def set_fate(self, rows: Iterable[int], fate: str) -> None:
        """Record what happened to input rows (``used``, ``kept apart``, ``dropped``)."""
        for r in rows:
            self.row_fate[int(r)] = fate

    # -- reading ----------------------------------------------------------------
    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def by_code(self, code: str) -> list[Issue]:
        """Issues with this code, e.g. ``report.by_code("duplicate_area")``."""
        return [i for i in self.issues if i.code == code]

    def to_frame(self) -> pd.DataFrame:
        """One row per issue (columns: severity, code, message, source, row, column, area, fix, action)."""
        cols = ["severity", "code", "message", "source", "row", "column", "area", "fix", "action"]
        df = pd.DataFrame([asdict(i) for i in self.issues], columns=cols)
        df["row"] = df["row"].astype("Int64")
        return df

    def summary(self) -> str:
        """One line: counts of errors, warnings and notes, and of rows by fate."""
        n = {s: sum(i.severity == s for i in self.issues) for s in _ORDER}
        fates = pd.Series(list(self.row_fate.values()), dtype=object).value_counts()
        fate_txt = ", ".join(f"{v} {k}" for k, v in fates.items())
        head = f"{self.source}: " if self.source else ""
        rows = f"{self.rows_in} rows read" + (f" ({fate_txt})" if fate_txt else "")
        return f"{head}{rows}; {n['error']} error(s), {n['warning']} warning(s), {n['info']} note(s)"

    def __str__(self) -> str:
        """The summary line, then every issue, what changes the figures first (:attr:`Issue.rank`)."""
        lines = [self.summary()]
        for i in sorted(self.issues, key=lambda i: (i.rank, i.row or 0)):
            lines.append("  " + str(i))
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<p><b>{self.summary()}</b></p>" + self.to_frame().to_html(index=False, na_rep="")

    def save(self, path: str | Path) -> Path:
        """Write the report as ``.csv``, ``.xlsx`` (one row per issue), ``.json`` or text (any
        other suffix)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(self.to_frame(), path)  # names from user files: formulas neutralised
        elif suffix in (".xlsx", ".xlsm"):  # a spreadsheet, not text under a spreadsheet's name
            write_excel(self.to_frame(), path, sheet_name="validation")
        elif suffix == ".json":
            payload = {"source": self.source, "rows_in": self.rows_in, "summary": self.summary(),
                       "issues": [asdict(i) for i in self.issues],
                       "row_fate": {str(k): v for k, v in sorted(self.row_fate.items())},
                       "recognitions": [asdict(r) for r in self.recognitions]}
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        else:
            path.write_text(str(self) + "\n", encoding="utf-8")
        return path

    def raise_if_errors(self) -> "ValidationReport":
        """Raise :class:`~egovkit.errors.ValidationError` listing every error, else return self."""
        if self.has_errors:
            raise ValidationError(self, "\n".join([self.summary()] + ["  " + str(i) for i in self.errors]))
        return self
