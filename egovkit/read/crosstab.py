"""Spreadsheet downloads of statistical table tools read as one tidy table.

Table tools (IBGE SIDRA, INE Portugal and Spain's INEbase, CBS StatLine, KOSIS...) write their
downloads for the eye, not for a reader: title lines above the table (the title, ``Variável -
Domicílios (Mil unidades)``, the territory ``Brasil``, the fixed classifications), a header on
several rows (a year row above a category row, a blank cell meaning "same as left"), a units
column after every value (``Mil unidades``), notes and the source below (``Fonte: IBGE ...``),
sometimes the indicators as rows and the breakdowns (income classes, urban/rural) as columns,
sometimes one data row with no area label (the territory is named only in a title line), and
sometimes one sheet per variable (households / households with Internet / percentage).

:func:`read_crosstab` recognises these shapes in the cells of the file and returns the tidy
table the reader understands (one row per area: the area, the households, one column per
indicator), every decision recorded in the report (code ``crosstab``; the period chosen with
``crosstab_period``, the breakdown columns left out with ``crosstab_breakdown``). A table in none
of these shapes gives ``None`` and is read as before.

Decisions, in order:

- header rows are combined into one header per column (blank = same as left); a header row whose
  cells are all years is the period: the latest one is read (``period=`` chooses another); a
  header row with one text over every column names a dimension (kept as a prefix for bare
  answers such as ``Sim`` / ``Não``);
- a units column is dropped; its unit (``Mil`` = thousands) is noted: shares are unaffected;
- indicators as rows (recognised by the indicator words of the first column) are read as the
  territory's row, in the ``Total`` column of the breakdown (the other columns noted, left out);
- the territory of a table without area labels is a country named in a title line, else
  ``Territory`` (not ``Total``, which would be kept apart as a totals row);
- the denominator is a ``Total`` column (or row) or a households variable; without one, the sum
  of the exhaustive answers of one question: the positive answer (``Havia microcomputador ou
  tablet``) + the negative one (``Não havia ...``) + ``não sabe`` / ``sem declaração``;
- categories that are exclusive combinations (``somente celular``, ``somente fixo``, ``celular e
  fixo``) give the households with a device as the sum of the combinations holding it, unless
  one category already says it (``Havia microcomputador ou tablet``);
- answers grouped by a breakdown in the header (``Urbana / Rural / Total`` over ``Sim / Não``) are
  read in the ``Total`` group, with the denominator of that group; the breakdowns are noted;
- with one sheet per variable, the sheets are read together: a counts sheet over a households
  sheet, the percentage sheet only when no counts are there (checked against them otherwise);
- a ``Unidades: Porcentaje`` title line or a ``(%)`` variable marks percentages (a ``Total`` of 100
  is then neither an indicator nor a denominator); a single unnamed variable is named by the title.

Where it stops: a table whose values hold text (names, codes, flags), a stub of more than one
column, several unlabelled rows, or files over :data:`MAX_BYTES` are left to the ordinary reader,
and so is a plain table (one header row, areas as rows, nothing above but titles). The rows of
the report keep the lines of the file (of the first sheet read).

The grid parsing is in :mod:`egovkit.read.crosstab_grid`, the column labels in
:mod:`egovkit.read.crosstab_labels`, the choice of columns in :mod:`egovkit.read.crosstab_tidy`.

Examples
--------
>>> import pandas as pd
>>> from egovkit.validate import ValidationReport
>>> grid = [["Tabela 1 - Domicílios por existência de Internet", None, None],
...         ["Variável - Domicílios (Mil unidades)", None, None],
...         ["Região", "2022", None], [None, "Sim", "Não"],
...         ["Norte", 30, 10], ["Sul", 60, 20], ["Fonte: IBGE", None, None]]
>>> tidy = crosstab_table({"Tabela": grid}, ValidationReport(source="t.xlsx"), name="t.xlsx")
>>> tidy.columns.tolist()
['Região', 'Domicílios', 'Tabela 1 - Domicílios por existência de Internet - Sim']
>>> tidy["Domicílios"].tolist()  # no Total column: Sim + Não
[40.0, 80.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..concepts import recognise
from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .column_headers import column_role, recognise_indicator
from .crosstab_grid import (  # noqa: F401  (the grid names, importable from here as before)
    HEAD_ROWS,
    MAX_BYTES,
    _Block,
    _cell,
    _grids,
    _is_year,
    _number,
    _parse,
    _scale,
    _variable_parts,
    _words,
    _year_text,
)
from .crosstab_labels import _Column, _is_total
from .crosstab_tidy import _tidy


def _territory(blocks: list[_Block]) -> tuple[str, str]:
    for b in blocks:
        if b.territory:
            return b.territory, render("read.crosstab_territory_titled", {"territory": b.territory})
    # not 'Total': the levels step would keep a 'Total' row apart as a totals row, and no district would be left
    return "Territory", render("read.crosstab_territory_unnamed")


def _pick_period(blocks: list[_Block], period: str | int | None, report: ValidationReport,
                 name: str) -> InputError | None:
    """Keep the columns of one period (the latest, or ``period=``) in every block; the error to raise
    (once the table is known to be a table-tool download) when ``period=`` is not among them."""
    found = sorted({p for b in blocks for p in b.periods if p is not None})
    if not found:
        return None
    if period is not None:
        want = str(period).strip()
        if want not in found:
            return InputError(code="read.crosstab_period_unknown", params={"period": want, "periods": found},
                              file=name)
        chosen, how = want, render("read.crosstab_period_asked")
    else:
        chosen, how = found[-1], render("read.crosstab_period_latest")
    for b in blocks:
        if any(p is not None for p in b.periods):
            keep = [k for k, p in enumerate(b.periods) if p == chosen]
            b.labels = [b.labels[k] for k in keep]
            b.periods = [b.periods[k] for k in keep]
            b.values = b.values[:, keep]
    if len(found) > 1:
        report.add("info", "crosstab_period", params={"periods": ", ".join(found), "chosen": chosen, "how": how},
                   action="inferred")
    return None


def _columns_of(b: _Block, report: ValidationReport, name: str) -> tuple[list[str], list[_Column], str] | None:
    """The areas and the value columns of a block, turned so that areas are rows."""
    variable = b.variable
    var_label, var_unit = _variable_parts(variable) if variable else (None, None)
    var_unit = var_unit or b.unit_line
    percent = var_unit is not None and _scale([var_unit]) is not None and _scale([var_unit])[0] == "percent"
    if not var_label and b.titles and not any(b.labels):  # one variable, named only by the table's title
        var_label = next((t for t in b.titles if t != b.territory and t != b.unit_line_text), None)
        if var_label:
            report.add("info", "read.crosstab_title_name", params={"sheet": b.sheet, "title": var_label},
                       action="inferred")
    stub_ind = [s for s in b.stub if s and (recognise_indicator(s).indicator or recognise(s).negated)]
    col_ind = [c for c in b.labels if c and recognise_indicator(c).indicator]
    labelled = [s for s in b.stub if s]
    if len(stub_ind) >= 2 and len(stub_ind) > len(col_ind) and len(set(labelled)) == len(labelled) == len(b.stub):
        # indicators as rows (each once: a long table repeats them, one block per area)
        k = 0
        if len(b.labels) > 1:
            totals = [i for i, c in enumerate(b.labels) if _is_total(c)]
            if totals:
                k = totals[0]
                report.add("info", "read.crosstab_breakdown_columns", params={
                    "sheet": b.sheet, "columns": [c for i, c in enumerate(b.labels) if i != k], "read": b.labels[k]},
                    action="ignored")
            else:
                report.add("warning", "read.crosstab_no_total_column", params={
                    "sheet": b.sheet, "columns": list(b.labels), "first": b.labels[0]}, action="inferred")
        area, why = _territory([b])
        cols = [_Column(s, s, np.array([b.values[i, k]]), b.sheet, percent) for i, s in enumerate(b.stub) if s]
        report.add("info", "read.crosstab_transposed", params={"sheet": b.sheet, "n": len(cols), "area": area,
                                                               "why": why}, action="inferred")
        return [area], cols, "Área"
    if not any(b.stub):
        if len(b.stub) != 1:
            return None
        area, why = _territory([b])
        labels = b.labels if any(b.labels) else [var_label or ""]
        if len(labels) != b.values.shape[1] or not all(labels):
            return None
        cols = [_Column(c, c, b.values[0, [k]], b.sheet, percent) for k, c in enumerate(labels)]
        report.add("info", "read.crosstab_one_row", params={"sheet": b.sheet, "row": b.lines[0], "area": area,
                                                            "why": why}, action="inferred")
        return [area], cols, "Área"
    areas = [s or "" for s in b.stub]
    labels = b.labels if any(b.labels) else [var_label or ""]
    if len(labels) != b.values.shape[1] or not all(labels):
        return None
    cols = [_Column(c, c, b.values[:, k], b.sheet, percent) for k, c in enumerate(labels)]
    role = column_role(b.stub_name) if b.stub_name else None
    return areas, cols, (b.stub_name if role and role[0] == "area" else "Área")


def _name_bare_answers(cols: list[_Column], blocks: list[_Block]) -> None:
    """Bare answers (``Sim``/``Não``) get the nearest dimension or title line before them as a prefix."""
    if any(recognise_indicator(c.full).indicator for c in cols):
        return
    lines = [d for b in blocks for d in reversed(b.dims)] + [t for b in blocks for t in reversed(b.titles)
                                                            if t != b.territory]
    for pre in lines:
        if any(recognise_indicator(f"{pre} - {c.label}").indicator for c in cols if not _is_total(c.label)):
            for c in cols:
                c.full = f"{pre} - {c.label}"
            return


def crosstab_table(grids: dict[str, list[list[object]]], report: ValidationReport, *, name: str,
                   period: str | int | None = None, force: bool = False) -> pd.DataFrame | None:
    """The tidy table of a table-tool download (see the module doc), or None when it is not one.

    ``grids`` maps sheet names to their cells (rows of values, no header); ``force`` reads a plain
    table too (tests).
    """
    blocks = [b for s, g in grids.items() if (b := _parse(g, s)) is not None]
    if not blocks:
        return None
    shaped = any(b.units or b.header_rows >= 2 or b.named_dims or b.variable or not any(b.stub)
                 or len({p for p in b.periods if p}) > 1 for b in blocks) \
        or (len(blocks) > 1 and all(b.variable for b in blocks))
    scratch = ValidationReport(source=name)
    missing = _pick_period(blocks, period, scratch, name)
    if missing is not None:  # the columns of no period are read: tell it if the shape is a table tool's
        if shaped and any(len({p for p in b.periods if p}) > 1 for b in blocks):
            raise missing
        return None
    parts = [(b, r) for b in blocks if (r := _columns_of(b, scratch, name)) is not None]
    if not parts:
        return None
    areas, _, area_name = parts[0][1]
    cols: list[_Column] = []
    used = []
    for b, (ar, cs, _) in parts:
        if ar != areas:
            scratch.add("info", "read.crosstab_sheet_apart", params={
                "sheet": b.sheet, "why": render("read.crosstab_other_areas", {"first": parts[0][0].sheet})},
                action="ignored")
            continue
        known = {c.label for c in cols}
        new = [c for c in cs if c.label not in known]
        if not new:
            scratch.add("info", "read.crosstab_sheet_apart", params={
                "sheet": b.sheet, "why": render("read.crosstab_same_columns", {"first": parts[0][0].sheet})},
                action="ignored")
            continue
        cols += new
        used.append(b)
    transposed = any(r.code == "read.crosstab_transposed" for r in scratch.issues)
    _name_bare_answers(cols, used)
    tidy = _tidy(cols, areas, area_name, used, scratch, name)
    if tidy is None:
        return None
    if not (shaped or transposed or force or tidy.attrs.get("summed_denominator")):
        return None
    if len(used) > 1:
        scratch.add("info", "read.crosstab_sheets", params={"sheets": [b.sheet for b in used]}, action="inferred")
    for b in used:
        sc = _scale(b.units) or (_scale([_variable_parts(b.variable)[1] or ""]) if b.variable else None)
        scaled = sc and sc[0] in (1000, 1000000)
        scale = {"scale": render("read.thousands" if scaled and sc[0] == 1000 else "read.millions"),
                 "unit": sc[1] if scaled else ""}
        if b.units:
            scratch.add("info", "crosstab_units", params={
                "sheet": b.sheet, "units": str(b.units),
                "scaled": render("read.crosstab_units_scaled", scale) if scaled else ""}, action="dropped")
        elif scaled:
            scratch.add("info", "read.crosstab_scale", params={"sheet": b.sheet, **scale}, action="kept")
    lines = sorted({ln for b in used for ln in b.lines})
    of = render("read.crosstab_of_sheets", {"sheets": ", ".join(repr(b.sheet) for b in used)}) \
        if any(b.sheet for b in used) else render("read.crosstab_of_file")
    scratch.add("info", "crosstab", params={
        "n_titles": sum(len(b.titles) for b in used), "of": of,
        "rows": ", ".join(map(str, lines[:10])) + ("..." if len(lines) > 10 else "")}, action="inferred")
    first = parts[0][0]
    tidy.attrs["egovkit_lines"] = np.asarray(first.lines if len(first.lines) == len(tidy) else
                                             [first.lines[0]] * len(tidy), dtype=np.int64)
    report.extend(scratch)
    return tidy


def read_crosstab(source: object, *, sheet: int | str = 0, encoding: str | None = None, sep: str | None = None,
                  period: str | int | None = None, report: ValidationReport, name: str) -> pd.DataFrame | None:
    """The tidy table of a table-tool download (file path), or None to read the file as usual.

    Examples
    --------
    >>> read_crosstab(pd.DataFrame({"a": [1]}), report=ValidationReport(), name="x") is None
    True
    """
    if isinstance(source, pd.DataFrame):
        return None
    grids, complete = _grids(source, sheet, encoding, sep, name, rows=HEAD_ROWS + 1)
    if not grids:
        return None
    try:
        # the first rows tell the shape: a large plain table is not examined cell by cell
        if any(len(g) > HEAD_ROWS for g in grids.values()):
            try:
                heads = {k: g[:HEAD_ROWS] for k, g in grids.items()}
                if crosstab_table(heads, ValidationReport(source=name), name=name, period=period) is None:
                    return None
            except InputError:
                pass
        if not complete:  # a table-tool layout: the whole text file is parsed now
            grids, _ = _grids(source, sheet, encoding, sep, name)
            if not grids:
                return None
        return crosstab_table(grids, report, name=name, period=period)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a shape this module misjudges is still read the ordinary way
        report.add("info", "read.crosstab_not_read", params={"error": f"{type(exc).__name__}: {exc}"},
                   action="ignored")
        return None
