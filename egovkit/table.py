"""`CensusTable`: a census-style table read and validated into the long indicator format.

See ``docs/architecture.md`` for the columns of ``.data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .export import write_csv
from .validate import ValidationReport

#: Columns every long indicator table has, in this order.
LONG_COLUMNS = [
    "area_code", "area_name", "level", "parent",
    "indicator", "itu_code", "universe",
    "numerator", "denominator",
    "source", "source_row",
]
#: Optional columns (margins of error are 90 %, as published by the ACS).
OPTIONAL_COLUMNS = ["numerator_moe", "denominator_moe", "share_moe", "sample_size", "design_effect"]


@dataclass
class CensusTable:
    """A table of one row per (area, indicator) plus what was kept apart and the report.

    Attributes
    ----------
    data
        District rows in the long format (``LONG_COLUMNS`` + any ``OPTIONAL_COLUMNS``).
    other_levels
        Totals and other hierarchy levels (national, rural/urban, regions, sub-districts),
        same columns; never mixed with ``data``.
    report
        The :class:`~egovkit.validate.ValidationReport` of reading and validating.
    value_type
        ``"count"``, ``"percent"`` or ``"share"``: how the values were given in the file.
    source
        File name (or ``"<DataFrame>"``).
    """

    data: pd.DataFrame
    other_levels: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LONG_COLUMNS))
    report: ValidationReport = field(default_factory=ValidationReport)
    value_type: str = "count"
    source: str = "<DataFrame>"

    @property
    def indicators(self) -> list[str]:
        """Canonical indicator names present in the district rows."""
        return list(dict.fromkeys(self.data["indicator"]))

    @property
    def areas(self) -> pd.DataFrame:
        """One row per district: ``area_code``, ``area_name``, ``level``, ``parent``."""
        return self.data[["area_code", "area_name", "level", "parent"]].drop_duplicates().reset_index(drop=True)

    def wide(self, values: str = "numerator") -> pd.DataFrame:
        """One row per district, one column per indicator (``values`` = numerator or denominator)."""
        return self.data.pivot_table(index=["area_code", "area_name"], columns="indicator",
                                     values=values, aggfunc="first", dropna=False).reset_index()

    def to_csv(self, path: str | Path) -> Path:
        """Write the district rows (long format) to CSV."""
        path = Path(path)
        write_csv(self.data, path)
        return path

    def __repr__(self) -> str:
        return (f"CensusTable({self.source!r}: {self.data['area_name'].nunique()} districts, "
                f"{len(self.indicators)} indicators {self.indicators}, "
                f"{len(self.other_levels)} rows kept apart; {self.report.summary()})")


def combine_tables(*tables: CensusTable, source: str | None = None) -> CensusTable:
    """Put several tables of the same districts together (e.g. Kenya's household and person tables).

    The district rows and the kept-apart rows are concatenated and the reports merged; an
    indicator given by two tables for the same district is an error (it would be counted twice).

    Examples
    --------
    >>> import pandas as pd
    >>> a = CensusTable(pd.DataFrame({"area_name": ["X"], "indicator": ["internet"], "numerator": [1.0],
    ...                               "denominator": [4.0], "area_code": [None]}))
    >>> b = CensusTable(pd.DataFrame({"area_name": ["X"], "indicator": ["mobile_phone"], "numerator": [3.0],
    ...                               "denominator": [9.0], "area_code": [None]}))
    >>> combine_tables(a, b).indicators
    ['internet', 'mobile_phone']
    """
    from .errors import InputError

    if not tables:
        raise InputError(code="read.combine_no_table")
    data = pd.concat([t.data for t in tables], ignore_index=True)
    dup = data.duplicated(["area_name", "indicator"], keep=False)
    if dup.any():
        first = data[dup].iloc[0]
        raise InputError(code="read.combine_same_indicator", params={"indicator": first["indicator"]},
                         area=str(first["area_name"]))
    others = [t.other_levels for t in tables if len(t.other_levels)]
    other = pd.concat(others, ignore_index=True) if others else tables[0].other_levels
    name = source or " + ".join(t.source for t in tables)
    report = ValidationReport(source=name, rows_in=sum(t.report.rows_in for t in tables))
    for t in tables:
        report.issues.extend(t.report.issues)
    types = {t.value_type for t in tables}
    return CensusTable(data, other, report, types.pop() if len(types) == 1 else "mixed", name)
