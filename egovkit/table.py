"""`CensusTable`: a census-style table read and validated into the long indicator format.

See ``docs/architecture.md`` for the columns of ``.data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

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
        self.data.to_csv(path, index=False)
        return path

    def __repr__(self) -> str:
        return (f"CensusTable({self.source!r}: {self.data['area_name'].nunique()} districts, "
                f"{len(self.indicators)} indicators {self.indicators}, "
                f"{len(self.other_levels)} rows kept apart; {self.report.summary()})")
