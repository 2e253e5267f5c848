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
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

import pandas as pd

from .errors import ValidationError
from .export import write_csv, write_excel
from .shared.messages import has_message, render, render_or, said_in

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}
#: Actions of a finding that change a figure of the result (a value dropped, a row kept apart, a
#: value type or a denominator chosen...); a warning without one (a column ignored) comes later.
FIGURE_ACTIONS = frozenset({"dropped", "dropped for this indicator", "kept apart", "inferred", "repaired", "kept",
                            "used", "given", "read as 0", "read as empty"})


def action_text(action: str | None, lang: str | None = None) -> str | None:
    """An action word of the validation report (``dropped``, ``kept apart``...) in ``lang``.

    >>> action_text("kept apart", "fr")
    'mis à part'
    """
    if not action:
        return action
    return render_or("action." + re.sub(r"\W+", "_", action).strip("_"), action, lang=lang)


def rows_of_fate(fate: str, n: int, lang: str | None = None) -> str:
    """``n`` rows of a fate (``used``, ``kept apart``, ``dropped``), the word agreeing with the rows in ``lang``.

    >>> rows_of_fate("kept apart", 1, "fr"), rows_of_fate("kept apart", 3, "fr"), rows_of_fate("odd", 2, "en")
    ('1 mise à part', '3 mises à part', '2 odd')
    """
    code = "report.rows_" + re.sub(r"\W+", "_", fate).strip("_") + ("_one" if n == 1 else "")
    if has_message(code):
        return render(code, {"n": n}, lang=lang)
    return render("report.fate", {"n": n, "fate": action_text(fate, lang)}, lang=lang)


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
    #: the values filling the templates of ``code`` (:mod:`egovkit.shared.messages`); ``None`` for a
    #: finding given as a ready text (``message`` and ``fix`` then stay as written, in every language)
    params: dict[str, Any] | None = None

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default :data:`egovkit.settings.language`).

        >>> i = Issue("error", "negative_value", "", params={"value": -3})
        >>> i.text("fr")
        'la valeur -3 est négative'
        """
        if self.params is not None and has_message(self.code):
            return self._rewritten(render(self.code, self.params, lang=lang))
        return self.message

    def fix_text(self, lang: str | None = None) -> str | None:
        """How to fix it, in ``lang``: the catalogue's fix of ``fix_code`` (``code`` by default)."""
        if self.params is not None:
            code = self.params.get("fix_code", self.code)
            if has_message(code, "fix"):
                return self._rewritten(render(code, self.params, lang=lang, part="fix"))
        return self.fix

    def rewrite_text(self, rewrite: "Callable[[str, str | None], str]") -> "Issue":
        """Say the message and fix another way in every language, e.g. the command line's options
        instead of Python keywords: ``rewrite(text, source)`` is applied to ``message`` and ``fix`` now
        and to every later rendering (:meth:`text`, :meth:`fix_text`).

        >>> i = Issue("error", "negative_value", "", params={"value": -1})
        >>> i.rewrite_text(lambda t, s: t.replace("file", "table")).fix_text("en")
        'correct the value in the table'
        """
        self.message = rewrite(self.message, self.source)
        self.fix = rewrite(self.fix, self.source) if self.fix else self.fix
        self._rewrite = rewrite  # an attribute, not a field: not in asdict(), to_frame() or the JSON
        return self

    def _rewritten(self, text: str) -> str:
        rewrite = getattr(self, "_rewrite", None)
        return rewrite(text, self.source) if rewrite is not None else text

    def action_text(self, lang: str | None = None) -> str | None:
        """The action taken, in ``lang`` (``dropped`` is ``écarté`` in French)."""
        return action_text(self.action, lang)

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
        return self.to_text()

    def to_text(self, lang: str | None = None) -> str:
        """One line: severity, where, message, action and fix, in ``lang``.

        >>> Issue("error", "negative_value", "", row=4, params={"value": -3}).to_text("fr")
        '[ERREUR] ligne 4 : la valeur -3 est négative -> Correction : corrigez la valeur dans le fichier'
        """
        where = [w for w in (
            said_in(self.source, lang),
            render("where.row", {"row": self.row}, lang=lang) if self.row is not None else None,
            render("where.column_quoted", {"column": self.column}, lang=lang) if self.column else None,
            render("where.district", {"area": self.area}, lang=lang) if self.area else None,
        ) if w]
        said = self.text(lang)
        if where:
            said = render("where.said", {"where": ", ".join(where), "message": said}, lang=lang)
        text = f"[{render('severity.' + self.severity, lang=lang)}] " + said
        if self.action:
            text += f" ({self.action_text(lang)})"
        fix = self.fix_text(lang)
        if fix:
            text += " -> " + render("where.fix", {"fix": fix}, lang=lang)
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
        message: str | None = None,
        *,
        params: "dict[str, Any] | None" = None,
        row: int | None = None,
        column: str | None = None,
        area: str | None = None,
        fix: str | None = None,
        action: str | None = None,
        source: str | None = None,
        rows: "Iterable[int] | None" = None,
    ) -> Issue:
        """Record one finding and return it (``rows``: every row of a finding said once for many).

        With ``message=None`` the message (and the fix, when ``fix`` is not given) come from the
        catalogue's templates of ``code`` filled with ``params`` (:mod:`egovkit.shared.messages`), so
        that they can be said in any language; ``params["fix_code"]`` names another code whose fix
        to use. A ready ``message`` is kept as written.

        >>> r = ValidationReport()
        >>> r.add("error", "negative_value", params={"value": -2}, row=3).to_text("en")
        '[ERROR] row 3: value -2 is negative -> Fix: correct the value in the file'
        """
        if severity not in _ORDER:
            raise ValueError(f"severity must be one of {list(_ORDER)}, not {severity!r}")
        if message is None:
            params = dict(params or {})
            message = render(code, params, lang="en")
            if fix is None and has_message(params.get("fix_code", code), "fix"):
                fix = render(params.get("fix_code", code), params, lang="en", part="fix")
        else:
            params = None
        issue = Issue(severity, code, message, source or self.source, None if row is None else int(row),
                      column, None if area is None else str(area), fix, action,
                      None if rows is None else tuple(int(r) for r in rows), params)
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

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """One row per issue (columns: severity, code, message, source, row, column, area, fix, action),
        message, fix and action in ``lang`` (default :data:`egovkit.settings.language`)."""
        cols = ["severity", "code", "message", "source", "row", "column", "area", "fix", "action"]
        records = []
        for i in self.issues:
            d = asdict(i)
            d.update(message=i.text(lang), fix=i.fix_text(lang), action=i.action_text(lang),
                     source=said_in(i.source, lang))
            records.append(d)
        df = pd.DataFrame(records, columns=cols)
        df["row"] = df["row"].astype("Int64")
        return df

    def summary(self, lang: str | None = None) -> str:
        """One line: counts of errors, warnings and notes, and of rows by fate.

        >>> r = ValidationReport(source="t.csv", rows_in=2, row_fate={2: "used", 3: "dropped"})
        >>> r.summary("fr")
        't.csv : 2 lignes lues (1 utilisée, 1 écartée) ; 0 erreur(s), 0 avertissement(s), 0 note(s)'
        >>> r.summary("en")
        't.csv: 2 rows read (1 used, 1 dropped); 0 error(s), 0 warning(s), 0 note(s)'
        """
        n = {s: sum(i.severity == s for i in self.issues) for s in _ORDER}
        fates = pd.Series(list(self.row_fate.values()), dtype=object).value_counts()
        fate_txt = ", ".join(rows_of_fate(str(k), int(v), lang) for k, v in fates.items())
        said = render("report.summary", {"rows": self.rows_in,
                                         "fates": f" ({fate_txt})" if fate_txt else "", "errors": n["error"],
                                         "warnings": n["warning"], "notes": n["info"]}, lang=lang)
        return render("where.said", {"where": self.source, "message": said}, lang=lang) if self.source else said

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, lang: str | None = None) -> str:
        """The summary line, then every issue, what changes the figures first (:attr:`Issue.rank`)."""
        lines = [self.summary(lang)]
        for i in sorted(self.issues, key=lambda i: (i.rank, i.row or 0)):
            lines.append("  " + i.to_text(lang))
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<p><b>{self.summary()}</b></p>" + self.to_frame().to_html(index=False, na_rep="")

    def save(self, path: str | Path, lang: str | None = None) -> Path:
        """Write the report as ``.csv``, ``.xlsx`` (one row per issue), ``.json`` or text (any
        other suffix), its messages in ``lang`` (default :data:`egovkit.settings.language`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(self.to_frame(lang), path)  # names from user files: formulas neutralised
        elif suffix in (".xlsx", ".xlsm"):  # a spreadsheet, not text under a spreadsheet's name
            write_excel(self.to_frame(lang), path, sheet_name="validation")
        elif suffix == ".json":
            payload = {"source": self.source, "rows_in": self.rows_in, "summary": self.summary(lang),
                       "issues": [asdict(i) for i in self.issues],
                       "row_fate": {str(k): v for k, v in sorted(self.row_fate.items())},
                       "recognitions": [asdict(r) for r in self.recognitions]}
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        else:
            path.write_text(self.to_text(lang) + "\n", encoding="utf-8")
        return path

    def raise_if_errors(self) -> "ValidationReport":
        """Raise :class:`~egovkit.errors.ValidationError` listing every error, else return self."""
        if self.has_errors:
            raise ValidationError(self, "\n".join([self.summary()] + ["  " + str(i) for i in self.errors]))
        return self
