"""The state of one :func:`~egovkit.read.read_table` call shared by its steps: the raw cells,
their lines, the report, and the columns already parsed.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from egovkit.validate import ValidationReport
>>> ctx = _Context(pd.DataFrame({"households": ["1 000", "2 000"]}), np.array([2, 3]), "t.csv",
...                ValidationReport(source="t.csv"))
>>> _parsed_column(ctx, "households", ".")[1].tolist()
[1000.0, 2000.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validate import ValidationReport
from . import numbers
from .numbers import _as_text


class _Context:
    def __init__(self, raw: pd.DataFrame, lines: np.ndarray, name: str, report: ValidationReport) -> None:
        self.raw = raw
        self.lines = lines
        self.name = name
        self.report = report
        self.explained_rows: set[int] = set()  # dropped rows already named by a grouped issue
        self.den_rows = np.zeros(len(raw), dtype=bool)  # long rows giving their area's denominator
        self.parsed: dict[tuple[str, str], tuple] = {}  # (column, decimal) -> _parsed_column


def _parsed_column(ctx: _Context, col: str, dec: str) -> tuple[pd.Series | None, np.ndarray, np.ndarray, bool]:
    """(text, values, status, pct_sign) of a column, parsed once per read (the parent-row check and
    the blocks share the denominators)."""
    if (col, dec) not in ctx.parsed:
        text, nums = _as_text(ctx.raw[col])
        ctx.parsed[col, dec] = (text, *numbers._parse_numbers(text, nums, dec))
    return ctx.parsed[col, dec]


def _check_column(ctx: _Context, col: str | None, arg: str) -> None:
    if col is not None and col not in ctx.raw.columns:
        raise InputError(code="read.column_not_in_table", params={"column": col, "arg": arg,
                                                                  "columns": str(list(ctx.raw.columns))},
                         file=ctx.name, column=col)
