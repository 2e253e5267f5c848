"""Read and validate census-style tables into a :class:`~egovkit.table.CensusTable`.

A census-style table gives, per area, how many households (or persons) have a device or a
connection, either as counts or as percentages/shares of a denominator column. Files come in
every shape: Latin-1 or UTF-8 with a BOM, ``,``/``;``/tab separated, decimal commas,
thousands separated by spaces, Excel sheets, one row per area (wide) or one row per
(area, indicator) (long), district rows mixed with national, rural/urban and sub-district rows.

:func:`read_table` recognises the columns (:mod:`egovkit.read.roles`), keeps totals and other
levels apart, converts every value to a count (``numerator``) with its ``denominator`` and
records every inference, repair and problem in a :class:`~egovkit.validate.ValidationReport`:
every data row of the input ends up ``used``, ``kept apart`` or ``dropped`` in
``report.row_fate``.

Reading: the encoding (UTF-8, UTF-8 with BOM, UTF-16 with or without BOM, else
Windows-1252/Latin-1), the separator (scored on the first lines: the one that gives the best
header row and the largest block of lines of the same width, so that title lines, notes and
ragged rows do not mislead it), title lines above the header (the row with the most recognised
column names among the first 20) and the decimal mark are detected and reported. Numbers may
carry thousands separators (``1 234 567`` with ordinary, no-break or narrow no-break spaces,
``1,234,567``, ``1.234.567``) and ``%`` signs; ``-``, ``..``, ``n/a`` and empty cells are
missing values. ``20,852`` in a ``;``/tab file is thousands when it stands in a households or
persons column or when other cells show decimal points; otherwise it is a decimal comma, with a
warning naming the cell.

Any input gives a table and its report, or an :class:`~egovkit.errors.InputError` naming the
file and the fix (never a parser's own exception): folders, empty and binary files (images,
PDF, archives) are refused; an Excel or OpenDocument workbook under a ``.csv`` name is read as a
spreadsheet (warning); NUL bytes are removed and a quote that opens a cell and never closes
(it would swallow the next rows) is removed, both reported with their lines; notes and sources
under the table (``Source: ...``, ``(1) ...``) are dropped with a note.

Row numbers: the row of a record is the physical line of the file where it starts (header line
= its own line; ``\r\n``, ``\n`` and a lone ``\r`` end a line). A quoted cell spanning lines
(``"Number of\nhouseholds"``) makes the next records start further down, and they keep their
true lines. A DataFrame's rows are numbered as a file's: header = 1, first row = 2.

Levels: totals rows are recognised by name, word-based, case- and accent-insensitive
(:func:`total_kind`: ``Total``, ``TOTAL*``, ``Total de la région``, ``Grand total``, ``Country
total``, ``Ensemble du territoire``, ``Todo el país``, ``All districts``, ``Toplam``, ``Kenya``,
``Rural``, ``Total urbano``...; subtotals apart as ``subtotal``), also when the word stands in the
code cell or, the area cell being empty, in another text cell of the row; a note names them and
their lines. A district row whose value is the sum of the other district rows (four at least) in
two complete columns (households/persons, counts, or rates within their rounding; in the only one
if there is one: a dropped cell only removes its column from the vote) is a totals row under
another name: kept apart with a warning naming it; equal in some columns only, a warning names it
and it stays a district. A row named like a country (``Brasil`` among its states, not in a table
of countries) and as large as the others together is the territory's total (a note).
With a level column the most frequent level is the districts'. Without one, a row whose name
equals its parent, or is the parent of other rows, or (no parent column) reads ``Region North``
among districts, is a higher level and kept apart; its denominator is checked against the sum
of its rows, which also tells apart a district named like its parent (Kenya's ``TANA RIVER``
sub-county).

Value-type rule (per column; ``value_type=`` replaces it, except for ``%`` signs in the cells
and for a header marker that the values fit):

1. a ``%``/``pct``/``perc``/``pourcentage`` marker in the header or in the cells -> percent;
   ``share``/``proportion`` in the header -> share;
2. a ``taux``/``rate``/``part``/``ratio`` marker -> share when every value is <= 1, else percent;
3. no marker: every value <= 1 and some value not whole -> share; every value <= 100 and some
   value not whole (``10,0`` written with a decimal counts as not whole) -> percent;
4. otherwise counts. Whole numbers all <= 100 while the median denominator is above 100 are
   ambiguous: counts are assumed and a warning says how to pass ``value_type="percent"``; so
   are values with decimals, three quarters or more of them <= 100, with a median denominator
   above 100 (percentages with a typo above 100 would otherwise silently become counts).

Plausibility: when the header and the values disagree, the reading that gives sensible figures
is chosen with a ``value_type_conflict`` warning naming the ``value_type=`` of the other reading:
a ``%`` header over values within 0-1 (largest above 0.5) -> shares; a share header over values
mostly above 1 -> percent; a percent/share/rate header over values mostly above 100, within the
denominators -> counts; a count header over decimals within 0-100 -> percent. The report lists
what changes the figures first (:meth:`~egovkit.validate.ValidationReport.sort`).

Validation: a missing value drops that (area, indicator) value with a warning; a non-numeric,
negative, above-100 % / above-1 share or above-denominator value drops it with an error; rows
repeating an earlier row exactly are read once, the copies dropped with one note; a duplicated
district with other figures (same code, else same parent and normalised name) keeps the first row,
each other row an error giving the true count; a missing denominator drops every indicator of its
row; an indicator with only denominators of the other universe (households / persons) is not read. With
``errors="raise"`` a :class:`~egovkit.errors.ValidationError` lists every error at the end.

The package follows the steps of a read: :mod:`~egovkit.read.loading` (refusing what is not a
table, decoding, separators, records, header), :mod:`~egovkit.read.numbers` (decimal mark,
parsing), :mod:`~egovkit.read.roles` (what each column is), :mod:`~egovkit.read.levels` (totals,
parent rows, hidden totals), :mod:`~egovkit.read.blocks` (values as counts, percentages or shares
with their denominators), :mod:`~egovkit.read.checks` (validation, long table, row fates);
:mod:`~egovkit.read.acs` reads the raw ACS S2801 download.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"district": ["A", "B", "Total"], "households": [100, 200, 300],
...                    "internet": [12.5, 25.0, 20.0]})
>>> t = read_table(df)
>>> t.value_type, t.data["numerator"].tolist(), t.other_levels["area_name"].tolist()
('percent', [12.5, 50.0], ['Total'])
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..table import CensusTable
from ..validate import ValidationReport
from .acs import ACS_S2801_ROWS, read_acs_s2801
from .answers import pivot_answers
from .blocks import _long_blocks, _wide_blocks
from .checks import _record_fates, _validate_and_build
from .context import _Context
from .crosstab import read_crosstab
from .levels import TOTAL_NAMES, _check_totals_rows, _classify_rows, _find_hidden_totals, _hidden_totals, total_kind
from .loading import _drop_note_rows, _find_header, _load  # noqa: F401  (_find_header: used by tests)
from .numbers import _as_text, _detect_decimal, _text
from .roles import _assign_roles, recognise_indicator
from .sdg import read_sdg
from .stacked import check_rate_only, rate_only_denominator, unstack

__all__ = ["read_table", "read_acs_s2801", "ACS_S2801_ROWS", "TOTAL_NAMES", "total_kind"]


@renamed(area="name", code="key")
def read_table(
    source: str | Path | pd.DataFrame,
    *,
    name: str | None = None,
    key: str | None = None,
    level: str | None = None,
    district_level: str | None = None,
    parent: str | None = None,
    denominator: str | dict[str, str] | None = None,
    universe: Literal["households", "persons"] | None = None,
    value_type: Literal["count", "percent", "share"] | None = None,
    columns: dict[str, str] | None = None,
    layout: Literal["wide", "long"] | None = None,
    sheet: int | str = 0,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    period: str | int | None = None,
    errors: Literal["raise", "report"] = "report",
) -> CensusTable:
    """Read a census-style table (CSV or Excel, wide or long) into a validated ``CensusTable``.

    Parameters
    ----------
    source
        A CSV/TXT file (any common encoding and separator), an Excel file (``.xlsx``), or a
        DataFrame (rows are numbered as if it were a file: header = 1, first row = 2).
    name, key
        Columns with the district's name and code (inferred from common names: ``name``,
        ``district``, ``county``, ``commune``, ``nom``, ``libellé``...; ``code``, ``GEO_ID``,
        ``FIPS``, ``insee``...). With two name columns (e.g. ``County`` and ``SubCounty``), the
        one with more distinct values is the area and the other the parent.
    level
        Column telling the hierarchy level of each row (e.g. Kenya ``AdminArea``).
    district_level
        Which value of ``level`` marks the districts. Default: the most frequent level among
        rows that are not totals (reported). Rows of other levels are kept apart.
    parent
        Column with the enclosing area's name.
    denominator
        Denominator column (households or persons in scope), or ``{indicator: column}``.
        Default: recognised from its name (``households``, ``ConventionalHouseholds``,
        ``population``, ``ménages``, ``Total``...).
    universe
        What the single denominator column counts when its name does not say.
    value_type
        ``"count"``, ``"percent"`` (0-100) or ``"share"`` (0-1) for every indicator column;
        default: inferred per column (see the module docstring) and reported.
    columns
        Explicit ``{column in the file: canonical indicator}`` (``"ignore"`` to skip one); it
        wins over the recognised aliases. In long tables it maps indicator labels.
    layout
        ``"wide"`` (one row per area) or ``"long"`` (area, indicator, value); default inferred.
    sheet, encoding, sep, decimal
        Excel sheet; CSV encoding, separator and decimal mark (default: detected and reported).
    period
        In a stacked table (periods in a ``Year``/``TIME_PERIOD`` column, or years as columns), the
        period to read; default: the latest one (see :mod:`egovkit.read.stacked`).
    errors
        ``"report"`` (default) returns the table with every problem in ``.report`` (invalid
        values are dropped, see ``report.row_fate``); ``"raise"`` raises
        :class:`~egovkit.errors.ValidationError` listing every error after checking everything.

    Returns
    -------
    CensusTable
        ``.data`` (district rows, long format), ``.other_levels``, ``.report``, ``.value_type``.

    Raises
    ------
    InputError
        Not a table (folder, empty, binary, archive, damaged workbook), no data rows, no area
        column, no indicator or denominator column; it names the file and the fix. No other
        exception comes out of reading a file (checked by ``benchmarks/fuzz_tables.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"Nom": ["A", "B"], "Ménages": [1000, 2000], "Ordinateur": [200, 300]})
    >>> t = read_table(df)
    >>> t.data[["area_name", "indicator", "itu_code", "numerator", "denominator"]].values.tolist()
    [['A', 'computer', 'HH4', 200.0, 1000.0], ['B', 'computer', 'HH4', 300.0, 2000.0]]
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    if value_type not in (None, "count", "percent", "share"):
        raise ValueError(f"value_type must be 'count', 'percent' or 'share', not {value_type!r}")
    # a DataFrame may carry its origin's name (the dataset loaders set it) for the messages
    source_name = (str(source.attrs.get("egovkit_source", "<DataFrame>")) if isinstance(source, pd.DataFrame)
                   else Path(source).name)
    report = ValidationReport(source=source_name)
    hint = frozenset(c for c in (name, key, level, parent) if c is not None)
    tidy = read_crosstab(source, sheet=sheet, encoding=encoding, sep=sep, period=period, report=report,
                         name=source_name)
    if tidy is not None:  # a table-tool download (egovkit.read.crosstab), its period already chosen
        source, period = tidy, None
    raw, lines, used_sep = _load(source, sheet=sheet, encoding=encoding, sep=sep, report=report, text_columns=hint,
                                 decimal=decimal)
    lines = tidy.attrs["egovkit_lines"] if tidy is not None and len(raw) == len(tidy) else lines  # the file's lines
    if raw.shape[1] == 0 or (len(raw) == 0 and raw.shape[1] <= 1 and not any(raw.columns)):
        raise InputError(code="read.no_columns", file=source_name)

    # blank rows are not data rows
    empty = np.ones(len(raw), dtype=bool)
    for c in raw.columns:  # narrowed to the rows still blank, so clean files stay fast
        idx = np.flatnonzero(empty)
        if not len(idx):
            break
        col = raw[c].iloc[idx]
        blank = col.isna().to_numpy().copy()
        if not pd.api.types.is_numeric_dtype(col.dtype):
            blank |= (_text(col).str.strip() == "").to_numpy()
        empty[idx] = blank
    if empty.any():
        report.add("info", "blank_rows", params={"n": int(empty.sum()), "rows": ", ".join(map(str, lines[empty][:10]))
                                                 + ("..." if empty.sum() > 10 else "")}, action="ignored")
        raw = raw.loc[~empty].reset_index(drop=True)
        lines = lines[~empty]
    if len(raw) == 0:
        raise InputError(code="read.no_data_rows", file=source_name)
    report.rows_in = len(raw)
    raw, lines = _drop_note_rows(raw, lines, report)
    if len(raw) == 0:
        raise InputError(code="read.only_notes", file=source_name)

    answer_lines: dict[int, list[int]] = {}
    if layout is None and not columns and denominator is None:  # one row per area and answer: the answers' sum
        raw, lines, answer_lines = pivot_answers(raw, lines, report, source_name)
    raw, lines, columns = read_sdg(raw, lines, report, source_name, columns, period)  # SDG ids and series codes
    raw, lines = unstack(raw, lines, report, source_name, period=period, name=name)
    ctx = _Context(raw=raw, lines=lines, name=source_name, report=report)
    roles = _assign_roles(ctx, area=name, code=key, level=level, parent=parent, denominator=denominator,
                          universe=universe, columns=columns, layout=layout)
    texts = [None if (c not in raw.columns) else _as_text(raw[c])[0]
             for c in roles.numeric_columns]
    kinds = [(c, "den") for c, _ in roles.denominators]
    kinds += [(c, "rate" if recognise_indicator(c).kind else "count") for c in roles.numeric_columns[len(kinds):]]
    dec = decimal or _detect_decimal(texts, used_sep, report, kinds)
    rows = _classify_rows(ctx, roles, district_level, dec)
    rate_only = rate_only_denominator(raw, roles)  # published rates, no households/persons column

    if roles.layout == "wide":
        blocks, vtype = _wide_blocks(ctx, roles, rows, dec, value_type)
    else:
        blocks, vtype = _long_blocks(ctx, roles, rows, dec, value_type, columns or {})
    if rate_only:
        check_rate_only(blocks, source_name, report)

    # the raw cells are parsed into the blocks and rows now: free them before the long table is built
    ctx.raw = raw = texts = None  # type: ignore[assignment]
    hidden = _find_hidden_totals(rows, blocks)
    data, other = _validate_and_build(ctx, rows, blocks)  # frees the blocks' arrays once checked
    data, other = _hidden_totals(ctx, rows, hidden, data, other)
    data, other = _record_fates(ctx, rows, data, other)
    for first, more in answer_lines.items():  # the other answers of an area share its row's fate
        if first in report.row_fate:
            report.row_fate.update(dict.fromkeys(more, report.row_fate[first]))
    if rate_only:  # numerator = the published share, denominator 1: not a count to weight with
        data["rate_only"] = other["rate_only"] = True
    named = rows["is_district"].to_numpy() & ~rows["no_name"].to_numpy()
    _check_totals_rows(data, other, vtype, report, n_districts=rows.loc[named, "key"].nunique())
    if data.empty:
        report.add("warning", "no_district_rows")

    report.sort()  # what changes the figures first
    n_warn = len(report.warnings)
    n_err = len(report.errors)
    if errors == "raise":
        report.raise_if_errors()
    if n_warn or n_err:
        warnings.warn(render("read.read_with_findings", {"name": source_name, "errors": n_err, "warnings": n_warn}),
                      EgovkitWarning, stacklevel=2)
    return CensusTable(data=data, other_levels=other, report=report, value_type=vtype, source=source_name)
