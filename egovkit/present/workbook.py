"""Every table of a report in one Excel workbook, for the people who take the figures on.

:func:`write_workbook` reads the CSV tables of a report folder (``tables/*.csv``) and writes
one sheet per table, with:

- the unit of each column in its header (``share_territory (0-1)``, ``pct (%)``,
  ``radius_m (m)``, ``numerator (households)``), from the rules in ``workbook.yaml``;
- number formats that match (percent for shares, thousands separators for counts), the
  header row frozen, columns wide enough to read;
- a first sheet ``README`` listing the sheets (file, rows, columns, contents), the sources
  and the validation summary; the validation report is a sheet of its own.

The values are those of the CSV files (read back as written: codes with leading zeros stay
text). The tables are written by :func:`egovkit.export.write_excel`, so a name such as
``=HYPERLINK(...)`` is text, never a formula; openpyxl only adds the formats afterwards.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from egovkit.export import write_csv
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_csv(pd.DataFrame({"area_name": ["A"], "share": [0.25]}), d / "summary.csv")
>>> wb = write_workbook(d, d / "tables.xlsx")
>>> sorted(pd.read_excel(wb, sheet_name=None))
['README', 'summary']
>>> list(pd.read_excel(wb, sheet_name="summary").columns)
['area_name', 'share (0-1)']
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd
import yaml

from ..export import write_excel
from ..shared.messages import render
from ..validate import ValidationReport
from .i18n import translations

__all__ = ["write_workbook", "read_table_back", "column_unit", "sheet_names", "WORKBOOK_NAME"]

#: File name of the workbook in a report folder.
WORKBOOK_NAME = "tables.xlsx"
#: Rows of a worksheet (header included) in Excel.
EXCEL_MAX_ROWS = 1_048_576
_DATA = Path(__file__).resolve().parent / "workbook.yaml"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?inf|nan")
_LEADING_ZERO = re.compile(r"[+-]?0\d")
_MIXED = "see universe"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Tables shown first, in this order; the others follow by name, the validation report last.
_ORDER = ("summary", "district_rates", "territory", "gaps", "composite", "lagging_districts",
          "lowest_districts", "inequality", "distribution", "lisa_clusters", "lorenz_gini", "coverage",
          "gap_zones", "new_sites", "join_report")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


def read_table_back(path: str | Path) -> pd.DataFrame:
    """A CSV table of a report, read back with the values it holds.

    A column is numeric when every filled cell is a number and none is a code with a leading
    zero (``"05"`` stays text); ``True``/``False`` columns are booleans. Text is kept as written
    (a neutralised ``'=...`` keeps its apostrophe, as in the CSV).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("code,n,ok\\n05,1.5,True\\n12,2,False\\n")
    >>> t = read_table_back(p)
    >>> t["code"].tolist(), t["n"].tolist(), t["ok"].tolist()
    (['05', '12'], [1.5, 2.0], [True, False])
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:  # a table written without any column
        return pd.DataFrame()
    for c in df.columns:
        filled = df[c].dropna()
        if filled.empty:
            df[c] = pd.to_numeric(df[c])
        elif filled.str.fullmatch(_NUMBER.pattern).all() and not filled.str.match(_LEADING_ZERO.pattern).any():
            df[c] = pd.to_numeric(df[c])
        elif set(filled) <= {"True", "False"}:
            df[c] = df[c].map({"True": True, "False": False}).astype("object")
    return df


def column_unit(name: str, universe: str | None = None, lang: str = "en") -> tuple[str | None, str | None]:
    """``(unit, Excel number format)`` of a column from its name (``None`` when unknown), the unit
    in ``lang`` (a rule's ``unit_fr`` in French).

    ``universe`` is the table's one universe (``"households"``), ``"see universe"`` when it has
    several, ``None`` when it has no universe column.

    Examples
    --------
    >>> column_unit("share_territory")
    ('0-1', '0.0%')
    >>> column_unit("share", "households")
    ('0-1 of households', '0.0%')
    >>> column_unit("radius_m"), column_unit("numerator")
    (('m', '#,##0'), ('count', '#,##0'))
    >>> column_unit("share", "households", "fr")
    ('0-1 des ménages', '0.0%')
    """
    for rule in _data()["units"]:
        if not re.fullmatch(rule["pattern"], str(name)):
            continue
        if rule.get("when_universe") and universe in (None, _MIXED):
            continue
        unit = str(rule.get(f"unit_{lang}", rule["unit"]))
        if "{universe}" in unit:
            if universe not in (None, _MIXED):
                unit = unit.format(universe=translations(lang).get(universe, universe))
            else:
                unit = render("workbook.count_see_universe" if universe == _MIXED else "workbook.count", lang=lang)
        return unit, rule.get("format")
    return None, None


def sheet_names(stems: Sequence[str]) -> list[str]:
    """Excel sheet names for table names: at most 31 characters, none of ``[]:*?/\\``, unique
    (case-insensitively, as Excel compares them).

    Examples
    --------
    >>> sheet_names(["a" * 40, "a" * 40, "x/y"])
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa~2', 'x_y']
    """
    used: set[str] = set()
    out = []
    for stem in stems:
        base = _BAD_SHEET_CHARS.sub("_", str(stem)).strip("'") or "table"
        if base.lower() == "history":  # reserved by Excel
            base = "history_"
        name, i = base[:31], 1
        while name.lower() in used:
            i += 1
            suffix = f"~{i}"
            name = base[:31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def _universe(df: pd.DataFrame) -> str | None:
    if "universe" not in df.columns:
        return None
    u = df["universe"].dropna().astype(str).unique()
    return str(u[0]) if len(u) == 1 else _MIXED


def _ordered(paths: Sequence[Path]) -> list[Path]:
    rank = {s: i for i, s in enumerate(_ORDER)}
    return sorted(paths, key=lambda p: (p.stem == "validation_report", rank.get(p.stem, len(rank)), p.stem))


def write_workbook(tables: str | Path | Sequence[str | Path], path: str | Path, *, title: str = "", lang: str = "en",
                   sources: Sequence[str] = (), validation: ValidationReport | None = None,
                   max_rows: int = EXCEL_MAX_ROWS - 1) -> Path:
    """Write every CSV table (of a ``tables/`` folder) to one sheet of the workbook ``path``.

    Parameters
    ----------
    tables
        The report's ``tables/`` folder (its ``*.csv`` files), or the CSV files themselves.
    path
        The ``.xlsx`` file to write (replaced).
    title, sources
        The report's title and the sources of its data, listed in the ``README`` sheet.
    lang
        Language of the ``README`` sheet (``"en"`` or ``"fr"``); headers keep the column names.
    validation
        The validation report; its one-line summary goes into ``README`` (its table is the
        ``validation_report`` sheet when ``tables`` holds ``validation_report.csv``, else it is
        written from this report).
    max_rows
        Rows per sheet (Excel holds 1,048,575 under the header); longer tables are cut, and
        ``README`` says so.

    Returns
    -------
    Path
        ``path``.
    """
    import egovkit

    path = Path(path)
    data = _data()
    text = data["text"].get(lang, data["text"]["en"])
    about = data["sheets"].get(lang, data["sheets"]["en"])
    if isinstance(tables, (str, Path)):
        files = sorted(Path(tables).glob("*.csv"))
    else:
        files = [Path(p) for p in tables]
    files = _ordered(files)
    frames: dict[str, pd.DataFrame] = {p.stem: read_table_back(p) for p in files}
    origin = {p.stem: f"{p.parent.name}/{p.name}" for p in files}
    if validation is not None and "validation_report" not in frames:
        frames["validation_report"] = validation.to_frame(lang)
        origin["validation_report"] = ""
    names = sheet_names(["README", *frames])
    sheets: dict[str, pd.DataFrame] = {}
    formats: dict[str, dict[int, str]] = {}
    listing = [{text["sheet"]: names[0], text["file"]: "", text["rows"]: pd.NA, text["columns"]: pd.NA,
                text["contents"]: about.get("README", "")}]
    for sheet, (stem, df) in zip(names[1:], frames.items()):
        universe = _universe(df)
        headers, fmts = [], {}
        for i, c in enumerate(df.columns):
            unit, fmt = column_unit(str(c), universe, lang)
            headers.append(f"{c} ({unit})" if unit else str(c))
            if fmt and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
                fmts[i] = fmt
        note = about.get(stem, "")
        if len(df) > max_rows:
            note = f"{note} ({text['cut'].format(n=max_rows)})".strip()
            df = df.head(max_rows)
        sheets[sheet] = df.set_axis(headers, axis=1)
        formats[sheet] = fmts
        listing.append({text["sheet"]: sheet, text["file"]: origin[stem], text["rows"]: len(frames[stem]),
                        text["columns"]: df.shape[1], text["contents"]: note})
    lines = [(text["report"], title), (text["written"], _dt.date.today().isoformat()),
             (text["egovkit"], str(getattr(egovkit, "__version__", "")))]
    lines += [(text["source"], str(s)) for s in dict.fromkeys(sources) if str(s)]
    if validation is not None:
        lines.append((text["validation"], validation.summary(lang)))
    lines += [("", text["units"]), ("", text["formulas"])]
    readme = pd.DataFrame(listing)
    blank = {c: pd.NA for c in readme.columns}
    extra = [blank] + [{**blank, text["sheet"]: k, text["contents"]: v} for k, v in lines]
    readme = pd.concat([readme, pd.DataFrame(extra)], ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_excel({names[0]: readme, **sheets}, path)
    _format(path, formats)
    return path


def _format(path: Path, formats: Mapping[str, Mapping[int, str]]) -> None:
    """Number formats, frozen header row, column widths and filters (cell values are not touched)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(path)
    for ws in wb.worksheets:
        fmts = formats.get(ws.title, {})
        ws.freeze_panes = "A2"
        if ws.max_row > 1 and ws.title in formats:
            ws.auto_filter.ref = ws.dimensions
        for j, col in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=0):
            head = str(col[0].value or "")
            body = max((len(str(c.value)) for c in col[1:] if c.value is not None), default=0)
            limit = 80 if ws.title not in formats else 50  # README's contents column is prose
            ws.column_dimensions[get_column_letter(j + 1)].width = min(max(len(head), body, 6) + 2, limit)
        for j, fmt in fmts.items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=j + 1, max_col=j + 1):
                if isinstance(cell.value, (int, float)):
                    cell.number_format = fmt
    wb.save(path)

