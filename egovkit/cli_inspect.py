"""``egovkit inspect``: what egovkit recognised in a table (and its join to boundaries), nothing written.

A dry run for a user's own files: the area, code, parent and level columns; each indicator
column with its indicator, universe, value kind, confidence and the reason; the rows kept,
kept apart (totals, other levels) and dropped; the join against the boundaries; and the
``egovkit run`` options that pin this reading or correct it.

Examples
--------
>>> from egovkit.cli_inspect import inspect_files               # doctest: +SKIP
>>> print(inspect_files("census.csv", "districts.gpkg").text())  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .shared.messages import has_message, render, said_in
from .shared.renamed import renamed
from .validate import rows_of_fate

#: Report codes that tell which column plays which role, and the role's name.
_ROLE_CODES = {"area_column": "area", "parent_column": "parent", "district_level": "level",
               "code_column": "code", "level_column": "level", "denominator_column": "denominator"}


def shell_word(value: object) -> str:
    r"""``value`` as one shell word: bare when plain, else in double quotes (always with ``=``,
    so that ``--columns "pct_web=internet"`` reads as the option's value).

    Examples
    --------
    >>> print(shell_word("County"), shell_word("pct_web=internet"), shell_word('say "hi" $x'))
    County "pct_web=internet" "say \"hi\" \$x"
    """
    text = str(value)
    if re.fullmatch(r"[\w.:/+-]+", text):
        return text
    return '"' + re.sub(r'(["\\$`])', r"\\\1", text) + '"'


@dataclass
class Recognition:
    """One column and what it was read as (the fields of a reader recognition)."""

    column: str
    role: str
    indicator: str | None = None
    universe: str | None = None
    value_kind: str | None = None
    confidence: float | str | None = None
    reason: str = ""
    alternatives: tuple[str, ...] = ()


@dataclass
class Inspection:
    """What :func:`inspect_files` found; :meth:`text` prints it."""

    table: str
    kind: str  # "census table" or "raw ACS S2801 download"
    recognitions: list[Recognition]
    rows: dict[str, int]
    kept_apart: list[str]
    dropped: list[str]
    indicators: pd.DataFrame
    warnings: list[str]
    fixes: list[str]
    join: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    suggested: list[str] = field(default_factory=list)
    boundaries: str | None = None
    levels: list[str] = field(default_factory=list)

    def command(self) -> str:
        """The ``egovkit run`` command that pins the reading shown (columns, join)."""
        parts = ["egovkit", "run", shell_word(self.table)] + [shell_word(self.boundaries) if self.boundaries
                                                               else "BOUNDARIES"]
        for opt, value in self.options.items():
            for v in value if isinstance(value, list) else [value]:
                parts += [opt, shell_word(v)]
        return " ".join(parts) + " --out OUT"

    def text(self) -> str:
        """The inspection as lines for the terminal, in :data:`egovkit.settings.language`."""
        out = [f"{self.table}: {self.kind}"]
        roles = [r for r in self.recognitions if r.role not in ("indicator", "ignored")]
        if roles:
            out.append(render("cli.inspect_columns"))
            out += [f"  {r.role:<12} {r.column!r}, {_confidence(r)}" + (f": {r.reason}" if r.reason else "")
                    for r in roles]
        out += ["  " + render("cli.inspect_district_level", {"level": lv}) for lv in self.levels]
        out += self._indicator_lines()
        out += self._row_lines()
        out += self._join_lines()
        if self.warnings:
            out.append(render("cli.inspect_warnings"))
            out += [f"  {w}" for w in self.warnings]
        out.append(render("cli.inspect_to_run"))
        out.append(f"  {self.command()}")
        if self.suggested or self.fixes:
            out.append(render("cli.inspect_to_correct"))
            out += [f"  {s}" for s in self.suggested]
            out += [f"  {f}" for f in self.fixes]
        out.append("  " + render("cli.inspect_options"))
        return "\n".join(out)

    def _indicator_lines(self) -> list[str]:
        out = []
        inds = [r for r in self.recognitions if r.role == "indicator"]
        if inds:
            out.append(render("cli.inspect_indicator_columns"))
            for r in inds:
                alt = render("cli.inspect_or", {"alternatives": ", ".join(r.alternatives)}) if r.alternatives else ""
                out.append(f"  {r.column!r} -> {r.indicator or '?'}, {r.universe or '?'}, {r.value_kind or '?'}, "
                           f"{_confidence(r)}: {r.reason}{alt}")
        ignored = [r for r in self.recognitions if r.role == "ignored"]
        if ignored:
            out.append(render("cli.inspect_not_used", {"columns": ", ".join(
                repr(r.column) + (f" ({r.reason})" if r.reason else "") for r in ignored)}))
        if len(self.indicators):
            out.append(render("cli.inspect_indicators_read"))
            for _, r in self.indicators.iterrows():
                out.append("  " + render("cli.inspect_indicator_line", {
                    "indicator": f"{r['indicator']:<18}", "n": f"{int(r['districts']):>5}",
                    "universe": _universe(r["universe"]), "denominator": round(float(r["denominator"]))}))
        return out

    def _row_lines(self) -> list[str]:
        fate = ", ".join(rows_of_fate(k, n) for k, n in self.rows.items() if k != "read")
        out = [render("cli.inspect_rows", {"n": self.rows.get("read", 0)}) + (f" ({fate})" if fate else "")]
        if self.kept_apart:
            out.append("  " + render("cli.inspect_kept_apart", {"names": ", ".join(self.kept_apart[:12])
                                                                + (" ..." if len(self.kept_apart) > 12 else "")}))
        out += ["  " + render("cli.inspect_dropped", {"what": d}) for d in self.dropped[:12]]
        return out

    def _join_lines(self) -> list[str]:
        if self.join is None:
            return []
        if "error" in self.join:
            return [render("cli.inspect_join_impossible", {"boundaries": self.boundaries, "error": self.join["error"]})]
        j = self.join
        out = [render("cli.inspect_join", {"boundaries": self.boundaries, "by": j["by"], "table_on": j["table_on"],
                                           "boundary_on": j["boundary_on"], "matched": j["matched"],
                                           "table_only": len(j["table_only"]), "boundary_only": j["boundary_only"]})]
        if j["table_only"]:
            out.append("  " + render("cli.inspect_rows_without_area", {"names": ", ".join(
                render("cli.inspect_closest", {"name": n, "best": b}) if b else repr(n)
                for n, b in j["table_only"][:12])}))
        if j["boundary_only"]:
            more = " ..." if j["boundary_only"] > len(j["boundary_examples"]) else ""
            out.append("  " + render("cli.inspect_areas_without_row",
                                     {"names": ", ".join(map(repr, j["boundary_examples"])) + more}))
        return out


def _universe(universe: Any) -> str:
    """``households`` / ``persons`` in :data:`egovkit.settings.language` (other universes as given).

    >>> _universe("households"), _universe("Persons aged 3+")
    ('households', 'Persons aged 3+')
    """
    code = f"pipeline.{universe}"
    return render(code) if has_message(code) else str(universe)


def _confidence(r: Recognition) -> str:
    """``0.95``, or a word (``inferred``, ``given``) when the reader gives no number."""
    if isinstance(r.confidence, str):
        return r.confidence
    return "-" if r.confidence is None else f"{float(r.confidence):.2f}"


def _recognise_header(header: str) -> Any:
    """The reader's header recognition (its module moves with the reader package)."""
    for mod in ("egovkit.read.roles", "egovkit.read.columns", "egovkit.columns"):
        try:
            module = __import__(mod, fromlist=["recognise_indicator"])
            return module.recognise_indicator(header)
        except (ImportError, AttributeError):
            continue
    return None


def _from_report(table: Any, options: dict[str, Any]) -> list[Recognition]:
    """Recognitions rebuilt from the report when the reader gives none (older readers)."""
    report = table.report
    out: list[Recognition] = []
    seen: set[str] = set()
    for i in report.issues:
        if i.code in _ROLE_CODES and i.column and i.column not in seen:
            out.append(Recognition(i.column, _ROLE_CODES[i.code], reason=i.message, confidence="inferred"))
            seen.add(i.column)
    universes = dict(zip(table.data["indicator"], table.data["universe"])) if len(table.data) else {}
    explicit = {k: v for k, v in (options.get("columns") or {}).items()}
    for i in report.issues:
        if i.code == "value_type" and i.column and i.column not in seen:
            m = re.search(r"read as (\w+)", i.message)
            ind = explicit.get(i.column)
            match = _recognise_header(i.column) if ind is None else None
            ind = ind or getattr(match, "indicator", None)
            out.append(Recognition(i.column, "indicator", ind, universes.get(ind), m.group(1) if m else None,
                                   "given" if i.column in explicit else "inferred", i.message))
            seen.add(i.column)
        elif i.code in ("ignored_columns", "not_ict", "unknown_column", "breakdown_columns") and i.column \
                and i.column not in seen:
            out.append(Recognition(i.column, "ignored", reason=i.message))
            seen.add(i.column)
    return out


def _recognitions(table: Any, options: dict[str, Any]) -> list[Recognition]:
    """The reader's recognitions (``report.recognitions``), the value kind read from the cells
    filled in where the header did not say; rebuilt from the report for a reader without them."""
    items = getattr(table.report, "recognitions", None) or []
    if not items:
        return _from_report(table, options)
    kinds: dict[str, str] = {}  # what the reader finally read each column as (a warning wins over a note)
    for i in sorted(table.report.issues, key=lambda i: i.severity != "warning"):
        m = re.search(r"read as (counts?|percent|percentages|shares?)\b", i.message)
        if i.column and m and i.column not in kinds:
            kinds[i.column] = {"counts": "count", "percentages": "percent", "shares": "share"}.get(m.group(1),
                                                                                                m.group(1))
    out = []
    for r in items:
        get = (lambda k, r=r: r.get(k)) if isinstance(r, dict) else (lambda k, r=r: getattr(r, k, None))
        role, column = str(get("role") or "indicator"), str(get("column"))
        said, read = get("value_kind"), kinds.get(column)
        kind = read or said
        if said and read and said != read and said != "rate":
            kind = f"{read} (the header says {said})"
        out.append(Recognition(column, role, get("indicator"), get("universe"), kind, get("confidence"),
                               str(said_in(get("reason") or "")), tuple(get("alternatives") or ())))
    # the role the reader finally gave a column (of two name columns, one is the area, the other the parent)
    final = {i.column: (_ROLE_CODES[i.code], i.text()) for i in table.report.issues
             if i.code in ("area_column", "parent_column") and i.column}
    for r in out:
        if r.column in final and r.role in ("area", "parent", "code") and final[r.column][0] != r.role:
            r.role, r.reason = final[r.column][0], f"{final[r.column][1]}; {r.reason}"
    return out


@renamed(boundary_key="key")
def inspect_files(table: str | Path, boundaries: str | Path | None = None, *,
                  read_options: dict[str, Any] | None = None, key: str | None = None,
                  boundary_options: dict[str, Any] | None = None, overrides: dict[str, str] | None = None,
                  cli_options: dict[str, Any] | None = None) -> Inspection:
    """Read ``table`` (and join it to ``boundaries``) as ``egovkit run`` would; write nothing.

    ``cli_options`` are the command-line options given (``{"--area": "Commune"}``), repeated in
    the suggested command; ``key`` is the boundaries' column to join on (was ``boundary_key=``).

    Examples
    --------
    >>> ins = inspect_files("census.csv", "districts.gpkg")   # doctest: +SKIP
    >>> ins.join["matched"]                                   # doctest: +SKIP
    47
    """
    from .geo import read_boundaries
    from .join import join_table
    from .run_files import is_acs_s2801, read_census_file

    read_options = dict(read_options or {})
    t = read_census_file(table, **read_options)
    acs = is_acs_s2801(table)
    recs = [] if acs else _recognitions(t, read_options)
    options: dict[str, Any] = dict(cli_options or {})
    for r in recs:  # pin what was inferred, so that the command reads the table the same way
        if r.role in ("area", "code", "parent", "level") and f"--{r.role}" not in options:
            options[f"--{r.role}"] = r.column
    for i in t.report.by_code("district_level"):
        m = re.search(r": '([^']*)'", i.message)
        if m and "--district-level" not in options:
            options["--district-level"] = m.group(1)
    suggested: list[str] = []
    for r in recs:
        if r.role == "indicator" and r.alternatives:
            options = render("cli.inspect_or_word").join(f"--columns {shell_word(f'{r.column}={a}')}"
                                                          for a in r.alternatives)
            suggested.append(render("cli.inspect_may_also_be", {"column": r.column, "options": options,
                                                                "alternatives": ", ".join(r.alternatives)}))
    fates = Counter(t.report.row_fate.values())
    rows = {"read": t.report.rows_in, **{k: fates[k] for k in ("used", "kept apart", "dropped") if fates.get(k)}}
    other = t.other_levels
    kept = list(dict.fromkeys(other["area_name"].astype(str))) if len(other) else []
    dropped = [render("cli.inspect_row", {"row": i.row, "message": i.text()}) if i.row is not None else i.text()
               for i in t.report.issues if (i.action or "").startswith("dropped")]
    warn = [str(i) for i in t.report.issues if i.severity in ("error", "warning")]
    fixes = list(dict.fromkeys(f for i in t.report.issues if i.severity in ("error", "warning")
                               for f in [i.fix_text()] if f))
    d = t.data
    if len(d):
        inds = (d.groupby("indicator", sort=False, observed=True)
                .agg(districts=("area_name", "nunique"), universe=("universe", "first"),
                     denominator=("denominator", "sum")).reset_index())
    else:
        inds = pd.DataFrame(columns=["indicator", "districts", "universe", "denominator"])
    levels = [i.message for i in t.report.by_code("district_level")]
    join = None
    if boundaries is not None:
        from .errors import JoinError

        b = read_boundaries(boundaries, **(boundary_options or {}))
        try:
            j = join_table(t, b, boundary_on=key, overrides=overrides)
        except JoinError as exc:  # the table's reading is still worth showing
            join = {"error": str(exc)}
            return Inspection(table=str(table), kind=render("cli.inspect_census_table"), recognitions=recs,
                              rows=rows, kept_apart=kept, dropped=dropped, indicators=inds, warnings=warn, fixes=fixes,
                              join=join,
                              options=options, suggested=suggested, boundaries=str(boundaries), levels=levels)
        ut, ub = j.unmatched_table, j.unmatched_boundaries
        join = {"by": j.by, "table_on": j.table_on, "boundary_on": j.boundary_on, "matched": j.matched,
                "table_only": [(str(r.name), r.best) for r in ut.itertuples()],
                "boundary_only": len(ub), "boundary_examples": [str(n) for n in ub["name"].head(8)]}
        options.setdefault("--boundary-key", j.boundary_on)
        pairs = [f"{n}={best}" for n, best in join["table_only"] if best]
        if pairs:
            suggested.append(render("cli.inspect_same_district", {
                "options": " ".join(f"--override {shell_word(p)}" for p in pairs[:8])}))
        warn += [str(i) for i in j.report.issues if i.severity in ("error", "warning")][:20]
    return Inspection(table=str(table), kind=render("cli.inspect_acs" if acs else "cli.inspect_census_table"),
                      recognitions=recs, rows=rows, kept_apart=kept, dropped=dropped,
                      indicators=inds, warnings=warn, fixes=fixes, join=join, options=options,
                      suggested=suggested, boundaries=None if boundaries is None else str(boundaries), levels=levels)


def header_recognitions(table: str | Path) -> list[Recognition]:
    """Each header of ``table`` recognised on its own (no values read): what ``inspect`` can still
    show when the table cannot be read. Empty when the header cannot be read either.

    Examples
    --------
    >>> header_recognitions("no/such/file.csv")
    []
    """
    path = Path(table)
    try:
        from .concepts import recognise
    except ImportError:  # a reader without concept recognition
        return []
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            header = pd.read_excel(path, nrows=0).columns
        else:
            header = pd.read_csv(path, nrows=0, sep=None, engine="python", encoding_errors="replace").columns
    except Exception:  # unreadable: the reader's error says why
        return []
    cols = [str(c) for c in header if not str(c).startswith("Unnamed:")]
    if len(cols) < 2 or any(len(c) > 200 for c in cols):
        return []
    out = []
    for c in cols:
        r = recognise(c)
        out.append(Recognition(r.column, r.role, r.indicator, r.universe, r.value_kind, r.confidence, r.reason_text(),
                               tuple(r.alternatives)))
    return out


def header_text(table: str | Path, recognitions: list[Recognition]) -> str:
    """The headers' recognitions as lines, with the ``--columns`` pairs that would settle them."""
    out = [render("cli.inspect_headers", {"table": table})]
    for r in recognitions:
        what = r.role + (f" {r.indicator}" if r.indicator else "")
        alt = render("cli.inspect_or", {"alternatives": ", ".join(r.alternatives)}) if r.alternatives else ""
        out.append(f"  {r.column!r} -> {what}, {_confidence(r)}: {r.reason}{alt}")
    from .concepts import CONFIDENT

    unsure = [r for r in recognitions if r.role == "indicator" and (r.indicator is None or
                                                                    float(r.confidence or 0) < CONFIDENT)]
    pairs = [f"--columns {shell_word(f'{r.column}={r.indicator or r.alternatives[0]}')}" for r in unsure
             if r.indicator or r.alternatives]
    if pairs:
        out.append(render("cli.inspect_say_indicators", {"options": " ".join(pairs)}))
    return "\n".join(out)
