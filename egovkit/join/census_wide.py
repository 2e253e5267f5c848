"""A :class:`~egovkit.table.CensusTable` (long: one row per district and indicator) as one row per
district, ready to join to the boundaries.

>>> import pandas as pd
>>> from egovkit.table import CensusTable
>>> t = CensusTable(pd.DataFrame({"area_code": ["1"], "area_name": ["A"], "indicator": ["tv"],
...                               "numerator": [3], "denominator": [4]}))
>>> census_wide(t, "area_code")[["area_name", "share_tv"]].values.tolist()
[['A', 0.75]]
"""

from __future__ import annotations

import pandas as pd

from ..errors import InputError, JoinError
from ..table import CensusTable

__all__ = ["census_wide"]


def census_wide(table: CensusTable, key: str) -> pd.DataFrame:
    """One row per district: area_code, area_name, ``numerator_<indicator>``, ``denominator_<indicator>``
    and ``share_<indicator>`` (0-1)."""
    data = table.data
    if key not in data.columns:
        raise InputError(code="join.census_no_column", params={"column": key}, column=key)
    dup = data[data.duplicated([key, "indicator"], keep=False) & data[key].notna()]
    if len(dup):
        names = sorted(dup[key].astype(str).unique())[:10]
        raise JoinError(code="join.census_repeated", params={"column": key, "names": names})
    areas = data.drop_duplicates(key)[[c for c in ("area_code", "area_name", "level", "parent") if c in data]]
    wide = data.pivot(index=key, columns="indicator", values=["numerator", "denominator"])
    out = pd.DataFrame(index=wide.index)
    for ind in dict.fromkeys(data["indicator"]):
        num = wide[("numerator", ind)].astype(float)
        den = wide[("denominator", ind)].astype(float)
        out[f"numerator_{ind}"] = num
        out[f"denominator_{ind}"] = den
        out[f"share_{ind}"] = num / den.where(den > 0)
    out = out.reset_index()
    missing_key = data[data[key].isna()]
    if len(missing_key):
        raise JoinError(code="join.census_no_key", params={
            "n": missing_key["area_name"].nunique(), "column": key,
            "names": sorted(missing_key["area_name"].astype(str).unique())[:10]})
    return areas.merge(out, on=key, how="right")
