"""The keys a join compares: codes as comparable strings, names normalised, and the guess of the columns
to join when they are not given.

>>> normalise_code(pd.Series(["01", " 047"])).tolist(), is_code_like(pd.Series(["Nairobi"]))
(['1', '47'], False)
"""

from __future__ import annotations

import re
from typing import Iterable, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import JoinError
from ..shared.names import normalise_name

__all__ = ["CODE_LIKE_SHARE", "By", "is_code_like", "normalise_code"]

By = Literal["code", "name", "auto"]
_NUMERIC = re.compile(r"^[+-]?\d+(\.0*)?$")
_CODE_VALUE = re.compile(r"\S*\d\S*")
#: A column is code-like when at least this share of its values are (see :func:`is_code_like`).
CODE_LIKE_SHARE = 0.9


def _is_numeric_like(s: pd.Series) -> bool:
    v = s.dropna()
    if v.empty:
        return False
    if pd.api.types.is_integer_dtype(v) or pd.api.types.is_bool_dtype(v):
        return not pd.api.types.is_bool_dtype(v)
    if pd.api.types.is_float_dtype(v):
        return bool(np.all(np.mod(v.to_numpy(dtype=float), 1) == 0))
    return bool(v.astype(str).str.strip().str.fullmatch(_NUMERIC).all())


def is_code_like(s: pd.Series) -> bool:
    """True for a column of codes: numbers (FIPS/GEOID, ``1``, ``"01001"``) or tokens without spaces
    that hold a digit (INSEE ``2A004``, ONS ``E09000001``, ``KE-047``, ``0500000US01001``).

    Codes are never compared as names: no fuzzy (spelling) candidates are offered for them.

    Examples
    --------
    >>> is_code_like(pd.Series(["01001", "2A004", "E09000001"])), is_code_like(pd.Series(["Nairobi", "Homa Bay"]))
    (True, False)
    """
    if _is_numeric_like(s):
        return True
    v = s.dropna()
    if v.empty or pd.api.types.is_bool_dtype(v):
        return False
    text = v.astype(str).str.strip()
    return bool(text.str.fullmatch(_CODE_VALUE.pattern).mean() >= CODE_LIKE_SHARE)


def normalise_code(s: pd.Series, *, numeric: bool | None = None) -> pd.Series:
    """Codes as comparable strings.

    Spaces are stripped and letters upper-cased. When ``numeric`` (default: when every value
    looks like an integer, ``1``, ``"01"`` or ``1.0``) leading zeros are dropped too, so that
    ``1`` and ``"01"`` compare equal. :func:`join_table` drops leading zeros only when the codes
    on *both* sides are numeric-like (``"01"`` and ``"1"`` then match, ``"KE-01"`` keeps its
    zero).

    Examples
    --------
    >>> normalise_code(pd.Series([1, 47])).tolist(), normalise_code(pd.Series(["01", " 047"])).tolist()
    (['1', '47'], ['1', '47'])
    >>> normalise_code(pd.Series(["ke-01"])).tolist()
    ['KE-01']
    """
    if numeric is None:
        numeric = _is_numeric_like(s)

    def one(v: object) -> str | None:
        if pd.isna(v):
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        text = str(v).strip().upper()
        if numeric and _NUMERIC.fullmatch(text):
            sign = "-" if text.startswith("-") else ""
            digits = text.lstrip("+-").split(".")[0].lstrip("0") or "0"
            return sign + digits
        return text

    return s.map(one).astype("str")


def _candidate_columns(df: pd.DataFrame) -> list[str]:
    cols = []
    for c in df.columns:
        if isinstance(df, gpd.GeoDataFrame) and c == df.geometry.name:
            continue
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or isinstance(s.dtype, gpd.array.GeometryDtype):
            continue
        if pd.api.types.is_float_dtype(s) and not _is_numeric_like(s):
            continue
        v = s.dropna()
        if len(v) and v.nunique() >= 0.8 * len(v):
            cols.append(c)
    return cols


def keys_of(t: pd.Series, b: pd.Series, by: str, drop_words: Iterable[str]) -> tuple[pd.Series, pd.Series]:
    """The keys of both sides: codes (leading zeros dropped when both are numeric-like) or normalised names."""
    if by == "code":
        numeric = _is_numeric_like(t) and _is_numeric_like(b)
        return normalise_code(t, numeric=numeric), normalise_code(b, numeric=numeric)
    return normalise_name(t, drop_words=drop_words), normalise_name(b, drop_words=drop_words)


def _auto_by(t: pd.Series, b: pd.Series) -> str:
    """``"code"`` when both columns are code-like (:func:`is_code_like`), else ``"name"``."""
    return "code" if is_code_like(t) and is_code_like(b) else "name"


def _guess_columns(tdf: pd.DataFrame, bdf: gpd.GeoDataFrame, table_on: str | None, boundary_on: str | None,
                   by: By, drop_words: Iterable[str], table_cols: list[str] | None = None
                   ) -> tuple[str, str, str, int]:
    tcols = [table_on] if table_on else (table_cols or _candidate_columns(tdf))
    bcols = [boundary_on] if boundary_on else _candidate_columns(bdf)
    best = (None, None, None, -1)
    for tc in tcols:
        for bc in bcols:
            how_by = _auto_by(tdf[tc], bdf[bc]) if by == "auto" else by
            tk, bk = keys_of(tdf[tc], bdf[bc], how_by, drop_words)
            n = int(tk.dropna().isin(set(bk.dropna())).sum())
            if n > best[3]:
                best = (tc, bc, how_by, n)
    if best[0] is None or best[3] <= 0:
        raise JoinError(code="join.no_common_column", params={"table_columns": tcols, "boundary_columns": bcols})
    return best  # type: ignore[return-value]
