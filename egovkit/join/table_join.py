"""Join a table of districts to their boundaries: :func:`join_table` in named steps (the table as one
row per district, the columns to join, the keys, both sides tidied, the second tier of names, what did not
match, the merge), and :func:`check_join`.

>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> b = gpd.GeoDataFrame({"name": ["Nairobi"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
>>> join_table(pd.DataFrame({"County": ["NAIROBI CITY"]}), b, table_on="County", boundary_on="name").matched
1
"""

from __future__ import annotations

import warnings
from typing import Iterable, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import EgovkitWarning, InputError, JoinError
from ..shared.messages import render
from ..shared.names import DROP_WORDS
from ..table import CensusTable
from ..validate import ValidationReport
from .census_wide import census_wide
from .keys import By, _auto_by, _guess_columns, is_code_like, keys_of
from .result import JoinResult, Sides
from .tidy import apply_overrides, check_duplicates, drop_repeated_rows, merge_parts
from .unmatched import report_unmatched_boundaries, report_unmatched_table, unmatched_lists

__all__ = ["How", "check_join", "join_table"]

How = Literal["left", "inner", "outer"]


def join_table(
    table: pd.DataFrame | CensusTable,
    boundaries: gpd.GeoDataFrame,
    *,
    on: str | None = None,
    table_on: str | None = None,
    boundary_on: str | None = None,
    left_on: str | None = None,
    right_on: str | None = None,
    by: By = "auto",
    overrides: dict[str, str] | None = None,
    how: How = "left",
    drop_words: Iterable[str] = DROP_WORDS,
    report: ValidationReport | None = None,
) -> JoinResult:
    """Join a district table to district boundaries by code or by normalised name.

    Parameters
    ----------
    table
        One row per district (a DataFrame), or a :class:`~egovkit.table.CensusTable` (its long
        rows become one row per district with ``numerator_<indicator>``,
        ``denominator_<indicator>`` and ``share_<indicator>`` (0-1) columns, plus ``area_code``,
        ``area_name``, ``level``, ``parent``).
    boundaries
        The district polygons (see :func:`egovkit.geo.read_boundaries`).
    on
        Column with the same name on both sides.
    table_on, boundary_on
        Column of the table and of the boundaries. ``left_on``/``right_on`` are accepted as
        aliases (left = the table, the first argument). For a CensusTable ``table_on``
        defaults to ``area_code`` when joining by code, else ``area_name``. A column left out
        is guessed: the column pair with the most districts in common (recorded in the report).
    by
        ``"code"``: compare as strings (stripped, upper case), dropping leading zeros only when
        both sides are numeric-like (``1`` matches ``"01"``). ``"name"``: compare
        :func:`normalise_name` keys, then, for what is left, the same keys without spaces.
        ``"auto"`` (default): code when both columns are code-like (numbers, or tokens without
        spaces holding a digit, see :func:`is_code_like`), else name. Codes never get spelling
        (fuzzy) candidates: the candidates of a code are the codes that begin or end with it.
    overrides
        ``{"name or code in the table": "name or code in the boundaries"}`` for pairs that the
        normalisation cannot match (see the ``candidates`` of the unmatched lists).
    how
        Rows of :attr:`JoinResult.gdf`, as in ``boundaries.merge(table, how=...)``:
        ``"left"`` (default) keeps every boundary (districts without data get missing values
        and are listed, so a map shows them as "no data"), ``"inner"`` only matched districts,
        ``"outer"`` also table rows without boundary (with an empty geometry).
    drop_words
        Words removed at the start/end of names (see :func:`normalise_name`).
    report
        Report to add the findings to (default: a new one, in :attr:`JoinResult.report`).

    Returns
    -------
    JoinResult
        ``.gdf``, ``.unmatched_table``, ``.unmatched_boundaries``, ``.report``, ``.matched``.

    Raises
    ------
    JoinError
        A key is duplicated (after normalisation) in the table, or in the boundaries for a key
        the table uses; an override names a boundary that does not exist; no column pair matches.
    InputError
        A column does not exist.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> b = gpd.GeoDataFrame({"code": ["01", "02"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> r = join_table(pd.DataFrame({"code": [1, 3], "x": [5, 6]}), b, on="code")
    >>> r.by, r.matched, r.unmatched_table["name"].tolist(), r.unmatched_boundaries["name"].tolist()
    ('code', 1, [3], ['02'])
    """
    _check_arguments(how, by, boundaries)
    report = report if report is not None else ValidationReport(source="join")
    table_on = table_on or left_on or on
    boundary_on = boundary_on or right_on or on
    side = _table_side(table, table_on, by)
    tdf, bdf = side.frame, boundaries
    table_on = side.table_on
    if report.rows_in == 0:  # a report shared with the table's reading already counts its rows
        report.rows_in = len(tdf)  # table rows (one per district)
    _check_columns(tdf, bdf, table_on, boundary_on)
    table_on, boundary_on, by_used = _choose_columns(tdf, bdf, table_on, boundary_on, by, drop_words, side.columns,
                                                     report)

    traw, braw = tdf[table_on], bdf[boundary_on].reset_index(drop=True)
    tk, bk = keys_of(traw, braw, by_used, drop_words)
    used: dict[str, str] = {}
    if overrides:
        tk, used = apply_overrides(overrides, traw, tk, braw, bk, by_used, drop_words, report)
    # the same row twice in a table is one district (a note); a district drawn as several features
    # with the same attributes (an island written apart) is merged into one (a note)
    if side.rows is None:
        tdf, traw, tk = drop_repeated_rows(tdf, traw, tk, table_on, report)
    bdf, braw, bk = merge_parts(bdf, braw, bk, set(tk.dropna()), boundary_on, report)
    check_duplicates(tk, traw, bk, braw, used, by_used, table_on, boundary_on, report)
    if by_used == "name":
        tk = _match_without_spaces(tk, traw, bk, braw, report)

    t_match = tk.notna() & tk.isin(set(bk.dropna()))
    b_match = bk.notna() & bk.isin(set(tk.dropna()))
    codes = by_used == "code" or is_code_like(traw) or is_code_like(braw)
    un_t, un_b = unmatched_lists(tk, traw, bk, braw, t_match, b_match, side.rows, codes)
    report_unmatched_table(un_t, report, column=table_on, how=how, codes=codes, census_rows=side.rows is not None,
                           source=side.source)
    report_unmatched_boundaries(un_b, len(bdf), report, column=boundary_on, how=how, codes=codes)

    gdf = _merge(bdf, tdf, bk, tk, t_match, b_match, how)
    if isinstance(table, CensusTable) and how != "inner" and (~b_match).any():
        _name_districts_without_data(gdf, bdf, braw, b_match, table_on)
    return JoinResult(gdf=gdf, unmatched_table=un_t, unmatched_boundaries=un_b, report=report,
                      matched=int(t_match.sum()), by=by_used, table_on=table_on, boundary_on=boundary_on,
                      overrides_used=used)


def _check_arguments(how: str, by: str, boundaries: object) -> None:
    if how not in ("left", "inner", "outer"):
        raise InputError(code="join.bad_how", params={"how": repr(how)})
    if by not in ("code", "name", "auto"):
        raise InputError(code="join.bad_by", params={"by": repr(by)})
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise InputError(code="join.not_geodataframe")


class _TableSide:
    """The table as one row per district: ``frame``, the column to join when known, the columns the
    guess may choose from, the file line of each row (a CensusTable) and its source."""

    def __init__(self, frame: pd.DataFrame, table_on: str | None, columns: list[str] | None = None,
                 rows: np.ndarray | None = None, source: str | None = None) -> None:
        self.frame, self.table_on, self.columns, self.rows, self.source = frame, table_on, columns, rows, source


def _table_side(table: pd.DataFrame | CensusTable, table_on: str | None, by: str) -> _TableSide:
    if isinstance(table, CensusTable):
        data = table.data
        has_codes = bool(len(data)) and "area_code" in data and bool(data["area_code"].notna().all())
        pivot_key = table_on or ("area_code" if has_codes and by != "name" else "area_name")
        tdf = census_wide(table, pivot_key)
        side = _TableSide(tdf, table_on)
        if "source_row" in data and len(tdf):
            first = data.groupby(pivot_key, sort=False)["source_row"].min()
            side.rows, side.source = first.reindex(tdf[pivot_key]).to_numpy(), table.source
        if table_on is None:
            side.columns = ["area_code", "area_name"] if has_codes and by == "auto" else [pivot_key]
            if len(side.columns) == 1:
                side.table_on = side.columns[0]
        return side
    if isinstance(table, pd.DataFrame):
        if isinstance(table, gpd.GeoDataFrame):  # the table's own geometry is not carried over
            table = table.drop(columns=table.geometry.name)
        return _TableSide(pd.DataFrame(table).reset_index(drop=True), table_on)
    raise InputError(code="join.bad_table", params={"kind": type(table).__name__})


def _check_columns(tdf: pd.DataFrame, bdf: gpd.GeoDataFrame, table_on: str | None, boundary_on: str | None) -> None:
    """A column given must exist (said with the other side's columns when it is one of them)."""
    for col, frame, what, other in ((table_on, tdf, "table", bdf), (boundary_on, bdf, "boundaries", tdf)):
        if col is not None and col not in frame.columns:
            cols = [c for c in frame.columns if not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)]
            params = {"column": col, "columns": cols}
            if what == "table":
                raise InputError(code="join.table_no_column_other" if col in other.columns
                                 else "join.table_no_column", params=params, column=col)
            raise InputError(code="join.boundaries_no_column_other" if col in other.columns
                             else "join.boundaries_no_column", params=params, column=col)


def _choose_columns(tdf: pd.DataFrame, bdf: gpd.GeoDataFrame, table_on: str | None, boundary_on: str | None,
                    by: str, drop_words: Iterable[str], table_cols: list[str] | None,
                    report: ValidationReport) -> tuple[str, str, str]:
    """The columns to join and how (code or name): given, or guessed (said in the report)."""
    if table_on is None or boundary_on is None:
        table_on, boundary_on, by_used, n = _guess_columns(tdf, bdf, table_on, boundary_on, by, drop_words,
                                                           table_cols)
        report.add("info", "join.columns_guessed", params={"table_on": table_on, "boundary_on": boundary_on,
                                                           "by": by_used, "n": n}, action="inferred")
        return table_on, boundary_on, by_used
    by_used = _auto_by(tdf[table_on], bdf[boundary_on]) if by == "auto" else by
    if by == "auto":
        report.add("info", "join.by_code" if by_used == "code" else "join.by_name",
                   params={"table_on": table_on, "boundary_on": boundary_on}, action="inferred")
    return table_on, boundary_on, by_used


def _match_without_spaces(tk: pd.Series, traw: pd.Series, bk: pd.Series, braw: pd.Series,
                          report: ValidationReport) -> pd.Series:
    """Second tier for names: the same keys without spaces ("homabay" == "homa bay"), each said."""
    tk = tk.copy()
    t_un = tk.notna() & ~tk.isin(set(bk.dropna()))
    b_un = bk.notna() & ~bk.isin(set(tk.dropna()))
    if not (t_un.any() and b_un.any()):
        return tk
    tc = tk[t_un].str.replace(" ", "", regex=False)
    bc = bk[b_un].str.replace(" ", "", regex=False)
    b_once, t_once = bc.value_counts(), tc.value_counts()
    bmap = {c: k for c, k in zip(bc, bk[b_un]) if b_once[c] == 1}
    for i, c in tc.items():
        if c in bmap and t_once[c] == 1:
            report.add("info", "join.matched_without_spaces",
                       params={"name": traw.iloc[i], "boundary": braw[bk == bmap[c]].iloc[0]},
                       area=str(traw.iloc[i]), action="inferred")
            tk.iloc[i] = bmap[c]
    return tk


def _name_districts_without_data(gdf: gpd.GeoDataFrame, bdf: gpd.GeoDataFrame, braw: pd.Series,
                                 b_match: pd.Series, table_on: str) -> None:
    """Boundaries without data keep their own code/name in the table's column, so that a map can name
    them (they stay without values: drawn as "no data")."""
    col = table_on if table_on not in bdf.columns else f"{table_on}_table"
    if col in gdf.columns and table_on in ("area_code", "area_name"):
        pos = np.flatnonzero(~b_match.to_numpy())
        fill = braw.iloc[pos].astype("string").str.strip()
        gdf[col] = gdf[col].astype(object)
        gdf.iloc[pos, gdf.columns.get_loc(col)] = fill.astype(object).where(fill.notna(), None).to_numpy()


def _merge(bdf: gpd.GeoDataFrame, tdf: pd.DataFrame, bk: pd.Series, tk: pd.Series, t_match: pd.Series,
           b_match: pd.Series, how: How) -> gpd.GeoDataFrame:
    """Boundaries (in their order) with the table's columns; table-only rows last for 'outer'."""
    geom = bdf.geometry.name
    b_pos = pd.Series(np.arange(len(bdf)), index=bk.where(b_match).to_numpy())
    t_rows = np.full(len(bdf), -1)
    matched_t = np.flatnonzero(t_match.to_numpy())
    t_rows[b_pos.loc[tk.iloc[matched_t].to_numpy()].to_numpy()] = matched_t
    keep_b = np.arange(len(bdf)) if how in ("left", "outer") else np.flatnonzero(t_rows >= 0)
    right = tdf.drop(columns=[c for c in tdf.columns if c == geom])
    clash = {c: f"{c}_table" for c in right.columns if c in bdf.columns}
    right = right.rename(columns=clash)
    left = pd.DataFrame(bdf.iloc[keep_b].drop(columns=geom)).reset_index(drop=True)
    rows = t_rows[keep_b]
    part = right.reset_index(drop=True).reindex(rows).reset_index(drop=True)  # -1 -> missing values
    out = pd.concat([left, part], axis=1)
    geoms = list(bdf.geometry.iloc[keep_b])
    if how == "outer" and (~t_match).any():
        extra = right.iloc[np.flatnonzero(~t_match.to_numpy())].reset_index(drop=True)
        out = pd.concat([out, extra], ignore_index=True)
        geoms += [None] * len(extra)
    out[geom] = gpd.GeoSeries(geoms, crs=bdf.crs).to_numpy()
    return gpd.GeoDataFrame(out, geometry=geom, crs=bdf.crs)


def check_join(
    table: pd.DataFrame | CensusTable,
    boundaries: gpd.GeoDataFrame,
    *,
    strict: bool = True,
    sides: Sides = "both",
    **kwargs,
) -> JoinResult:
    """:func:`join_table`, then insist that every district found its partner.

    Parameters
    ----------
    table, boundaries, **kwargs
        As for :func:`join_table`.
    strict
        Raise :class:`~egovkit.errors.JoinError` listing the unmatched districts (with their
        closest candidates and an ``overrides=`` hint); ``False`` emits an
        :class:`~egovkit.errors.EgovkitWarning` with the same listing instead.
    sides
        Which unmatched items count: ``"both"``, ``"table"`` (rows without boundary) or
        ``"boundaries"`` (boundaries without data, i.e. blank districts on a map).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> b = gpd.GeoDataFrame({"name": ["Nairobi"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> check_join(pd.DataFrame({"County": ["NAIROBBI"]}), b, table_on="County", boundary_on="name")
    Traceback (most recent call last):
    ...
    egovkit.errors.JoinError: join by name of table column 'County' with boundary column 'name': 0 matched
    1 table row(s) without boundary:
      'NAIROBBI': closest 'Nairobi' (93)
    1 boundary(ies) without data:
      'Nairobi': closest 'NAIROBBI' (93)
    Fix: correct the names, or pass overrides={'NAIROBBI': 'Nairobi'} (check each pair)
    """
    result = join_table(table, boundaries, **kwargs)
    unmatched = ((sides in ("both", "table") and not result.unmatched_table.empty)
                 or (sides in ("both", "boundaries") and not result.unmatched_boundaries.empty))
    if unmatched:
        listing = result.listing(sides)
        if strict:
            raise JoinError(code="join.unmatched", params={"listing": listing})
        warnings.warn(render("join.unmatched", {"listing": listing}), EgovkitWarning, stacklevel=2)
    return result
