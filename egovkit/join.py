"""Join a table of districts to their boundaries, by code or by normalised name.

Names are compared after :func:`normalise_name` (case, accents, apostrophes, punctuation,
``/`` vs ``-``, words such as "County", "City", "District", "Commune"). What still does not
match is listed on both sides with the closest names on the other side (rapidfuzz), and can be
fixed with ``overrides={"TABLE NAME": "Boundary Name"}``. Nothing is dropped silently: every
unmatched district is in :attr:`JoinResult.unmatched_table` / ``unmatched_boundaries`` and in
the report.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> b = gpd.GeoDataFrame({"name": ["Murang`a", "Nairobi"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
...                      crs=4326)
>>> t = pd.DataFrame({"County": ["MURANG'A", "NAIROBI CITY"], "internet_pct": [20.1, 42.1]})
>>> r = join_table(t, b, table_on="County", boundary_on="name")
>>> r.matched, r.gdf["internet_pct"].tolist()
(2, [20.1, 42.1])
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from .errors import EgovkitWarning, InputError, JoinError
from .shared.names import DROP_WORDS, normalise_name
from .table import CensusTable
from .validate import ValidationReport

__all__ = ["DROP_WORDS", "normalise_name", "normalise_code", "is_code_like", "JoinResult", "join_table",
           "check_join"]

_NUMERIC = re.compile(r"^[+-]?\d+(\.0*)?$")

#: Up to this many unmatched items are reported one by one; beyond, one summary line (the full
#: lists stay in :attr:`JoinResult.unmatched_table` / ``unmatched_boundaries``).
LISTED_UNMATCHED = 5
#: :meth:`JoinResult.listing` (the text of a JoinError) shows this many items per side.
LISTED_IN_LISTING = 20

#: A candidate is suggested as an override (``best``) only from this rapidfuzz WRatio score (0-100).
MIN_SUGGEST_SCORE = 60.0

How = Literal["left", "inner", "outer"]
By = Literal["code", "name", "auto"]
Sides = Literal["both", "table", "boundaries"]


# -- normalisation: egovkit.shared.names (normalise_name, DROP_WORDS) -------------------------

def _is_numeric_like(s: pd.Series) -> bool:
    v = s.dropna()
    if v.empty:
        return False
    if pd.api.types.is_integer_dtype(v) or pd.api.types.is_bool_dtype(v):
        return not pd.api.types.is_bool_dtype(v)
    if pd.api.types.is_float_dtype(v):
        return bool(np.all(np.mod(v.to_numpy(dtype=float), 1) == 0))
    return bool(v.astype(str).str.strip().str.fullmatch(_NUMERIC).all())


_CODE_VALUE = re.compile(r"\S*\d\S*")
#: A column is code-like when at least this share of its values are (see :func:`is_code_like`).
CODE_LIKE_SHARE = 0.9


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


# -- result ---------------------------------------------------------------------------------

@dataclass
class JoinResult:
    """The outcome of :func:`join_table`.

    Attributes
    ----------
    gdf
        The boundaries with the table's columns (one row per district; see ``how``).
    unmatched_table, unmatched_boundaries
        One row per item without a partner: ``row`` (1-based position in the table, the file
        line of the district's first row for a CensusTable / feature number), ``name`` (as
        written), ``key`` (normalised), ``candidates`` (up to 3
        ``(name, score)`` from the other side, best first; rapidfuzz ``WRatio`` 0-100 on the
        normalised keys), ``best``/``best_score`` (the closest candidate that is itself
        unmatched and scores at least :data:`MIN_SUGGEST_SCORE`, else None: the override to try).
    report
        One issue per unmatched item, naming it and suggesting an override.
    matched
        Number of districts matched.
    by
        ``"code"`` or ``"name"``.
    table_on, boundary_on
        The columns joined.
    """

    gdf: gpd.GeoDataFrame
    unmatched_table: pd.DataFrame
    unmatched_boundaries: pd.DataFrame
    report: ValidationReport
    matched: int
    by: str
    table_on: str
    boundary_on: str
    overrides_used: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every table row and every boundary found its partner."""
        return self.unmatched_table.empty and self.unmatched_boundaries.empty

    def listing(self, sides: Sides = "both") -> str:
        """Human-readable list of what did not match, with candidates and an overrides hint."""
        lines = [f"join by {self.by} of table column {self.table_on!r} with boundary column "
                 f"{self.boundary_on!r}: {self.matched} matched"]
        for side, frame, head in (("table", self.unmatched_table, "table row(s) without boundary"),
                                  ("boundaries", self.unmatched_boundaries, "boundary(ies) without data")):
            if sides not in ("both", side) or frame.empty:
                continue
            lines.append(f"{len(frame)} {head}:")
            lines += [f"  {r.name!r}: closest {_fmt_candidates(r.candidates)}"
                      for r in frame.iloc[:LISTED_IN_LISTING].itertuples()]
            if len(frame) > LISTED_IN_LISTING:
                lines.append(f"  ... and {len(frame) - LISTED_IN_LISTING:,} more")
        hint = {r.name: r.best for r in self.unmatched_table.itertuples() if r.best is not None}
        if hint and sides in ("both", "table"):
            shown = dict(list(hint.items())[:5])
            lines.append(f"Fix: correct the names, or pass overrides={shown!r} (check each pair)")
        return "\n".join(lines)

    def raise_if_unmatched(self, sides: Sides = "both") -> "JoinResult":
        """Raise :class:`~egovkit.errors.JoinError` with :meth:`listing` if anything is unmatched."""
        bad = ((sides in ("both", "table") and not self.unmatched_table.empty)
               or (sides in ("both", "boundaries") and not self.unmatched_boundaries.empty))
        if bad:
            raise JoinError(self.listing(sides))
        return self

    def __repr__(self) -> str:
        return (f"JoinResult(by={self.by!r}, {self.table_on!r} <-> {self.boundary_on!r}: {self.matched} matched, "
                f"{len(self.unmatched_table)} table row(s) and {len(self.unmatched_boundaries)} "
                f"boundary(ies) unmatched)")


def _examples(names: pd.Series, n: int = 5) -> str:
    """``'A', 'B', 'C' ...``: the first ``n`` names of a listing."""
    shown = ", ".join(repr(str(x)) for x in names.iloc[:n])
    return shown + (" ..." if len(names) > n else "")


def _fmt_candidates(cands: list[tuple[str, float]]) -> str:
    return ", ".join(f"{n!r} ({s:.0f})" for n, s in cands) if cands else "(none)"


# -- joining --------------------------------------------------------------------------------

def _census_wide(table: CensusTable, key: str) -> pd.DataFrame:
    """One row per district: area_code, area_name, <indicator>_numerator/_denominator/_share."""
    data = table.data
    if key not in data.columns:
        raise InputError(f"the census table has no column {key!r}", column=key, fix="join on area_name or area_code")
    dup = data[data.duplicated([key, "indicator"], keep=False) & data[key].notna()]
    if len(dup):
        names = sorted(dup[key].astype(str).unique())[:10]
        raise JoinError(f"the census table has several rows for the same district and indicator on {key!r}: "
                        f"{names}. Fix: join on the other column (area_code/area_name) or keep one level")
    areas = data.drop_duplicates(key)[[c for c in ("area_code", "area_name", "level", "parent") if c in data]]
    wide = data.pivot(index=key, columns="indicator", values=["numerator", "denominator"])
    out = pd.DataFrame(index=wide.index)
    for ind in dict.fromkeys(data["indicator"]):
        num = wide[("numerator", ind)].astype(float)
        den = wide[("denominator", ind)].astype(float)
        out[f"{ind}_numerator"] = num
        out[f"{ind}_denominator"] = den
        out[f"{ind}_share"] = num / den.where(den > 0)
    out = out.reset_index()
    missing_key = data[data[key].isna()]
    if len(missing_key):
        raise JoinError(f"{missing_key['area_name'].nunique()} district(s) of the census table have no {key}: "
                        f"{sorted(missing_key['area_name'].astype(str).unique())[:10]}. Fix: join on area_name")
    return areas.merge(out, on=key, how="right")


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


def _keys(t: pd.Series, b: pd.Series, by: str, drop_words: Iterable[str]) -> tuple[pd.Series, pd.Series]:
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
            tk, bk = _keys(tdf[tc], bdf[bc], how_by, drop_words)
            n = int(tk.dropna().isin(set(bk.dropna())).sum())
            if n > best[3]:
                best = (tc, bc, how_by, n)
    if best[0] is None or best[3] <= 0:
        raise JoinError(f"no column pair of the table {tcols} and the boundaries {bcols} has any district in "
                        "common. Fix: pass table_on= and boundary_on= (and by='code' or by='name')")
    return best  # type: ignore[return-value]


def _candidates(keys: pd.Series, names: pd.Series, other_keys: pd.Series, other_names: pd.Series,
                limit: int = 3) -> list[list[tuple[str, float]]]:
    """For each key, the ``limit`` closest names of the other side: ``[(name, WRatio 0-100), ...]``."""
    choices = other_keys.fillna("").astype(str).tolist()
    raw = other_names.astype(str).tolist()
    queries = [None if pd.isna(k) else str(k) for k in keys]
    out: list[list[tuple[str, float]]] = [[] for _ in queries]
    valid = [i for i, q in enumerate(queries) if q is not None]
    if not choices or not valid:
        return out
    chunk = max(1, 2_000_000 // len(choices))  # bounds the score matrix to ~8 MB
    for start in range(0, len(valid), chunk):
        rows = valid[start:start + chunk]
        scores = process.cdist([queries[i] for i in rows], choices, scorer=fuzz.WRatio, dtype=np.float32)
        order = np.argsort(-scores, axis=1, kind="stable")[:, : limit * 3]
        for r, i in enumerate(rows):
            seen: dict[str, float] = {}
            for j in order[r]:  # several raw names can share a key: keep each name once
                seen.setdefault(raw[j], round(float(scores[r, j]), 1))
            out[i] = list(seen.items())[:limit]
    return out


def _code_candidates(keys: pd.Series, names: pd.Series, other_keys: pd.Series, other_names: pd.Series,
                     limit: int = 3) -> list[list[tuple[str, float]]]:
    """For each code, the codes of the other side that begin or end with it, or that it begins or
    ends with (``"01001"`` and ``"0500000US01001"``), scored ``100 * shorter / longer`` length;
    never a spelling match (``"01001"`` is not "close" to ``"01007"``).

    Examples
    --------
    >>> _code_candidates(pd.Series(["01001", "9"]), pd.Series(["01001", "9"]),
    ...                  pd.Series(["0500000US01001", "01007"]), pd.Series(["0500000US01001", "01007"]))
    [[('0500000US01001', 35.7)], []]
    """
    okeys = [None if pd.isna(k) else str(k) for k in other_keys]
    oraw = other_names.astype(str).tolist()
    queries = [None if pd.isna(k) else str(k) for k in keys]
    out: list[list[tuple[str, float]]] = [[] for _ in queries]
    qlens = {len(q) for q in queries if q and len(q) >= 2}
    olens = {len(k) for k in okeys if k and len(k) >= 2}
    # the other side's codes by their prefixes/suffixes of every length a query has (and the reverse)
    ends: dict[tuple[str, int, str], list[int]] = {}
    for j, k in enumerate(okeys):
        if not k:
            continue
        for n in qlens:
            if n < len(k):
                ends.setdefault(("p", n, k[:n]), []).append(j)
                ends.setdefault(("s", n, k[-n:]), []).append(j)
    whole: dict[str, list[int]] = {}
    for j, k in enumerate(okeys):
        if k:
            whole.setdefault(k, []).append(j)
    for i, q in enumerate(queries):
        if not q or len(q) < 2:
            continue
        found: dict[int, float] = {}
        for j in ends.get(("p", len(q), q), []) + ends.get(("s", len(q), q), []):
            found[j] = 100.0 * len(q) / len(okeys[j])  # type: ignore[arg-type]
        for n in olens:
            if n < len(q):
                for j in whole.get(q[:n], []) + whole.get(q[-n:], []):
                    found[j] = max(found.get(j, 0.0), 100.0 * n / len(q))
        best = sorted(found.items(), key=lambda x: (-x[1], x[0]))
        seen: dict[str, float] = {}
        for j, sc in best:
            seen.setdefault(oraw[j], round(sc, 1))
        out[i] = list(seen.items())[:limit]
    return out


def _unmatched_frame(pos: np.ndarray, names: pd.Series, keys: pd.Series, cands: list, bests: list) -> pd.DataFrame:
    return pd.DataFrame({
        "row": pd.Series(pos + 1, dtype="int64"),
        "name": pd.Series(names.to_numpy(), dtype=object),
        "key": pd.Series(keys.to_numpy(), dtype=object),
        "candidates": pd.Series(cands, dtype=object),
        "best": pd.Series([b[0] for b in bests], dtype=object),
        "best_score": pd.Series([b[1] for b in bests], dtype=float),
    })


def _apply_overrides(overrides: dict[str, str], traw: pd.Series, tk: pd.Series, braw: pd.Series,
                     bk: pd.Series, by: str, drop_words, report: ValidationReport) -> tuple[pd.Series, dict]:
    tk = tk.copy()
    used = {}
    tstr = traw.astype(str).str.strip()
    bstr = braw.astype(str).str.strip()
    for src, dst in overrides.items():
        src_s, dst_s = str(src).strip(), str(dst).strip()
        rows = np.flatnonzero((tstr == src_s).to_numpy())
        if not len(rows):
            k = _keys(pd.Series([src_s]), pd.Series([src_s]), by, drop_words)[0].iloc[0]
            rows = np.flatnonzero((tk == k).fillna(False).to_numpy())
        target = np.flatnonzero((bstr == dst_s).to_numpy())
        if not len(target):
            k = _keys(pd.Series([dst_s]), pd.Series([dst_s]), by, drop_words)[1].iloc[0]
            target = np.flatnonzero((bk == k).fillna(False).to_numpy())
        if not len(target):
            near = _candidates(pd.Series([normalise_name(dst_s)]), pd.Series([dst_s]), normalise_name(braw), braw)[0]
            raise JoinError(f"override {src_s!r} -> {dst_s!r}: no boundary is called {dst_s!r}; closest "
                            f"{_fmt_candidates(near)}. Fix: use the boundary name exactly as in the file")
        if len(np.unique(bk.iloc[target].to_numpy())) > 1:
            raise JoinError(f"override {src_s!r} -> {dst_s!r}: several boundaries are called {dst_s!r}. "
                            "Fix: join by code")
        if not len(rows):
            report.add("warning", "unused_override", f"override {src_s!r} -> {dst_s!r} matches no table row",
                       area=src_s, action="ignored", fix="remove it or correct its spelling")
            continue
        tk.iloc[rows] = bk.iloc[target[0]]
        used[src_s] = dst_s
        report.add("info", "override", f"{src_s!r} joined to {dst_s!r} by override", area=src_s, action="overridden")
    return tk, used


def _duplicates(keys: pd.Series, raw: pd.Series) -> dict[str, list[str]]:
    dup = keys.duplicated(keep=False) & keys.notna()
    out: dict[str, list[str]] = {}
    for k, r in zip(keys[dup], raw[dup]):
        out.setdefault(k, []).append(str(r))
    return out


def _drop_repeated_rows(tdf: pd.DataFrame, traw: pd.Series, tk: pd.Series, column: str,
                        report: ValidationReport) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Table rows repeating another row exactly (same key, same values) kept once, with one note."""
    dup = (tk.duplicated(keep=False) & tk.notna()).to_numpy()
    if not dup.any():
        return tdf, traw, tk
    text = tdf.astype("string").fillna("\x00").assign(_k=tk.to_numpy())
    repeat = (text.duplicated(keep="first").to_numpy() & dup)
    if not repeat.any():
        return tdf, traw, tk
    names = sorted({str(x) for x in traw[repeat]})
    report.add("info", "repeated_rows", f"{int(repeat.sum())} table row(s) repeat another row exactly "
               f"(districts {_examples(pd.Series(names))}): kept once", column=column, action="kept once")
    keep = ~repeat
    return (tdf[keep].reset_index(drop=True), traw[keep].reset_index(drop=True), tk[keep].reset_index(drop=True))


def _merge_parts(bdf: gpd.GeoDataFrame, braw: pd.Series, bk: pd.Series, used: set, column: str,
                 report: ValidationReport) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series]:
    """Features of one district (same key, same attributes) that the table uses, merged into one."""
    dup = (bk.duplicated(keep=False) & bk.notna() & bk.isin(used)).to_numpy()
    if not dup.any():
        return bdf, braw, bk
    geom = bdf.geometry.name
    attrs = pd.DataFrame(bdf.drop(columns=geom)).reset_index(drop=True).astype("string").fillna("\x00")
    attrs["_k"] = bk.to_numpy()
    same = attrs[dup].drop_duplicates().groupby("_k").size()
    parts = set(same[same == 1].index)  # keys whose features differ only by their geometry
    if not parts:
        return bdf, braw, bk
    out = bdf.reset_index(drop=True).copy()
    drop: list[int] = []
    merged = []
    for k in sorted(parts):
        pos = np.flatnonzero((bk == k).fillna(False).to_numpy())
        out.iloc[pos[0], out.columns.get_loc(geom)] = shapely.union_all(out.geometry.iloc[pos].to_numpy())
        drop += pos[1:].tolist()
        merged.append(f"{braw.iloc[pos[0]]} ({len(pos)} features)")
    report.add("info", "parts_merged", f"{len(merged)} district(s) drawn as several features with the same "
               f"attributes, merged into one: {', '.join(merged[:5])}{' ...' if len(merged) > 5 else ''}",
               column=column, action="repaired")
    keep = np.setdiff1d(np.arange(len(out)), drop)
    return (out.iloc[keep].reset_index(drop=True), braw.iloc[keep].reset_index(drop=True),
            bk.iloc[keep].reset_index(drop=True))


def join_table(  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
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
        rows become one row per district with ``<indicator>_numerator``,
        ``<indicator>_denominator`` and ``<indicator>_share`` (0-1) columns, plus ``area_code``,
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
    if how not in ("left", "inner", "outer"):
        raise InputError(f"how={how!r} is not one of 'left', 'inner', 'outer'", fix="pass how='left'")
    if by not in ("code", "name", "auto"):
        raise InputError(f"by={by!r} is not one of 'code', 'name', 'auto'", fix="pass by='auto'")
    if not isinstance(boundaries, gpd.GeoDataFrame):
        raise InputError("the boundaries are not a GeoDataFrame", fix="read them with egovkit.geo.read_boundaries")
    report = report if report is not None else ValidationReport(source="join")
    table_on = table_on or left_on or on
    boundary_on = boundary_on or right_on or on

    table_cols: list[str] | None = None  # columns the guess may choose from
    table_rows: np.ndarray | None = None  # file line of each table row (CensusTable), for the listings
    table_source = None
    if isinstance(table, CensusTable):
        data = table.data
        has_codes = bool(len(data)) and "area_code" in data and bool(data["area_code"].notna().all())
        pivot_key = table_on or ("area_code" if has_codes and by != "name" else "area_name")
        tdf = _census_wide(table, pivot_key)
        if "source_row" in data and len(tdf):
            first = data.groupby(pivot_key, sort=False)["source_row"].min()
            table_rows = first.reindex(tdf[pivot_key]).to_numpy()
            table_source = table.source
        if table_on is None:
            table_cols = ["area_code", "area_name"] if has_codes and by == "auto" else [pivot_key]
            if len(table_cols) == 1:
                table_on = table_cols[0]
    elif isinstance(table, pd.DataFrame):
        if isinstance(table, gpd.GeoDataFrame):  # the table's own geometry is not carried over
            table = table.drop(columns=table.geometry.name)
        tdf = pd.DataFrame(table).reset_index(drop=True)
    else:
        raise InputError(f"the table is a {type(table).__name__}", fix="pass a DataFrame or a CensusTable")
    bdf = boundaries
    if report.rows_in == 0:  # a report shared with the table's reading already counts its rows
        report.rows_in = len(tdf)  # table rows (one per district)

    for col, frame, what, other in ((table_on, tdf, "table", bdf), (boundary_on, bdf, "boundaries", tdf)):
        if col is not None and col not in frame.columns:
            hint = f" (it is a column of the {'boundaries' if what == 'table' else 'table'})" \
                if col in other.columns else ""
            cols = [c for c in frame.columns if not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)]
            raise InputError(f"the {what} have no column {col!r}{hint}; columns: {cols}", column=col,
                             fix=f"pass the {what} column with {'table_on' if what == 'table' else 'boundary_on'}=")
    if table_on is None or boundary_on is None:
        table_on, boundary_on, by_used, n = _guess_columns(tdf, bdf, table_on, boundary_on, by, drop_words,
                                                           table_cols)
        report.add("info", "join_columns_guessed",
                   f"joined table column {table_on!r} with boundary column {boundary_on!r} by {by_used} "
                   f"({n} districts in common)", action="inferred",
                   fix="pass table_on= and boundary_on= to choose the columns")
    else:
        by_used = _auto_by(tdf[table_on], bdf[boundary_on]) if by == "auto" else by
        if by == "auto":
            report.add("info", "join_by", f"joined by {by_used} ({table_on!r} <-> {boundary_on!r})",
                       action="inferred", fix="pass by='code' or by='name' to choose")

    traw, braw = tdf[table_on], bdf[boundary_on].reset_index(drop=True)
    tk, bk = _keys(traw, braw, by_used, drop_words)
    used: dict[str, str] = {}
    if overrides:
        tk, used = _apply_overrides(overrides, traw, tk, braw, bk, by_used, drop_words, report)

    # the same row twice in a table is one district (a note); a district drawn as several features
    # with the same attributes (an island written apart) is merged into one (a note)
    if table_rows is None:
        tdf, traw, tk = _drop_repeated_rows(tdf, traw, tk, table_on, report)
    bdf, braw, bk = _merge_parts(bdf, braw, bk, set(tk.dropna()), boundary_on, report)

    # duplicated keys: in the table always an error, in the boundaries when the table uses them
    tdup, bdup = _duplicates(tk, traw), _duplicates(bk, braw)
    problems = []
    for k, names in tdup.items():
        via = [n for n in names if str(n).strip() in used]
        if via:  # an override sent a row to a boundary that already had its table row
            others = [n for n in names if n not in via]
            problems.append(f"override {', '.join(f'{str(n).strip()!r} -> {used[str(n).strip()]!r}' for n in via)}"
                            f" gives that boundary a second table row (already matched by {others})")
            report.add("error", "duplicate_key", f"override(s) {via} join(s) a boundary already matched by {others}",
                       column=table_on, area=str(via[0]), fix="check the override: it names the wrong boundary")
            continue
        problems.append(f"table: {names} all read as {k!r}")
        report.add("error", "duplicate_key", f"{len(names)} table rows read as {k!r}: {names}", column=table_on,
                   area=names[0], fix="keep one row per district" + ("" if by_used == "code" else ", or join by code"))
    tset = set(tk.dropna())
    for k, names in bdup.items():
        if k in tset:
            problems.append(f"boundaries: {names} all read as {k!r}")
            report.add("error", "duplicate_key", f"{len(names)} boundaries read as {k!r}: {names}",
                       column=boundary_on, area=names[0],
                       fix="correct the codes of the boundary file (or merge the features of one district)"
                       if by_used == "code" else "join by code (names are ambiguous)")
        else:
            report.add("warning", "duplicate_key", f"{len(names)} boundaries read as {k!r}: {names} (unused)",
                       column=boundary_on, area=names[0], action="kept", fix="join by code")
    if problems:
        fix = ("correct the override(s): each boundary takes one table row" if all(p.startswith("override ")
                                                                                  for p in problems)
               else "keep one row per district in the table (the same code with different values)"
               if by_used == "code" and tdup
               else "the boundary file gives one code to different features: correct its codes"
               if by_used == "code" else "join by a code column (by='code'), or make the names unique")
        raise JoinError(f"ambiguous join on {table_on!r} <-> {boundary_on!r} by {by_used}: " + "; ".join(problems)
                        + f". Fix: {fix}")

    # second tier for names: the same keys without spaces ("homabay" == "homa bay")
    if by_used == "name":
        t_un = tk.notna() & ~tk.isin(set(bk.dropna()))
        b_un = bk.notna() & ~bk.isin(tset)
        if t_un.any() and b_un.any():
            tc = tk[t_un].str.replace(" ", "", regex=False)
            bc = bk[b_un].str.replace(" ", "", regex=False)
            b_once, t_once = bc.value_counts(), tc.value_counts()
            bmap = {c: k for c, k in zip(bc, bk[b_un]) if b_once[c] == 1}
            for i, c in tc.items():
                if c in bmap and t_once[c] == 1:
                    report.add("info", "matched_without_spaces", f"{traw.iloc[i]!r} joined to "
                               f"{braw[bk == bmap[c]].iloc[0]!r} ignoring spaces", area=str(traw.iloc[i]),
                               action="inferred", fix=None)
                    tk.iloc[i] = bmap[c]

    t_match = tk.notna() & tk.isin(set(bk.dropna()))
    b_match = bk.notna() & bk.isin(set(tk.dropna()))
    matched = int(t_match.sum())

    # unmatched lists: the 3 closest names of the other side (score > 0), and as ``best`` the
    # closest one that is itself unmatched and scores at least MIN_SUGGEST_SCORE (an override to
    # a district that already has its partner would make the join ambiguous)
    # codes are compared as codes (one begins or ends with the other), never by spelling
    codes = by_used == "code" or is_code_like(traw) or is_code_like(braw)
    near = _code_candidates if codes else _candidates

    def cands(keys, raw, o_keys, o_raw, o_match):
        free = near(keys, raw, o_keys[~o_match], o_raw[~o_match])
        taken = near(keys, raw, o_keys[o_match], o_raw[o_match]) if o_match.any() else [[]] * len(free)
        lists, bests = [], []
        for f, t in zip(free, taken):
            tagged = [(n, sc, True) for n, sc in f] + [(n, sc, False) for n, sc in t]
            tagged = sorted((x for x in tagged if x[1] > 0), key=lambda x: (-x[1], not x[2]))
            lists.append([(n, sc) for n, sc, _ in tagged[:3]])
            ok = [(n, sc) for n, sc, is_free in tagged[:3] if is_free and sc >= MIN_SUGGEST_SCORE]
            bests.append(ok[0] if ok else (None, np.nan))
        return lists, bests

    t_c, t_best = cands(tk.where(~t_match)[~t_match], traw[~t_match], bk, braw, b_match)
    b_c, b_best = cands(bk[~b_match], braw[~b_match], tk, traw, t_match)
    un_t = _unmatched_frame(np.flatnonzero(~t_match.to_numpy()), traw[~t_match], tk[~t_match], t_c, t_best)
    if table_rows is not None:  # a CensusTable: its rows are pivoted, the file line is what the user can find
        un_t["row"] = pd.Series(table_rows[np.flatnonzero(~t_match.to_numpy())], dtype="int64")
    un_b = _unmatched_frame(np.flatnonzero(~b_match.to_numpy()), braw[~b_match], bk[~b_match], b_c, b_best)
    what_near = "closest codes" if codes else "closest"
    for k, r in enumerate(un_t.itertuples()):
        if k == LISTED_UNMATCHED and len(un_t) > LISTED_UNMATCHED + 1:
            rest = un_t.iloc[k:]
            report.add("warning", "unmatched_table", f"{len(rest)} more table rows have no matching boundary, e.g. "
                       f"{_examples(rest['name'])}; the full list is JoinResult.unmatched_table", column=table_on,
                       action="kept without geometry" if how == "outer" else "not on the map",
                       fix="add the districts to the boundaries, or check that both files use the same "
                           "codes/names (and the same level)", source=table_source)
            break
        fix = (f"pass overrides={{{r.name!r}: {r.best!r}}} if that is the same district, or correct the table"
               if r.best is not None else "add the district to the boundaries or correct its name/code")
        what = "has no name/code" if pd.isna(r.key) else "has no matching boundary"
        report.add("warning", "unmatched_table", f"table row {r.name!r} {what}; {what_near}: "
                   f"{_fmt_candidates(r.candidates)}", column=table_on, area=str(r.name),
                   action="kept without geometry" if how == "outer" else "not on the map", fix=fix,
                   row=r.row if table_rows is not None else None, source=table_source)
    b_action = "dropped" if how == "inner" else "kept without data (drawn as no data)"
    if len(un_b) > LISTED_UNMATCHED:  # a partial table against a larger (national) file: one line
        report.add("warning", "unmatched_boundary", f"{len(un_b):,} of {len(bdf):,} boundary areas have no table "
                   f"row, e.g. {_examples(un_b['name'])}: "
                   + ("left out" if how == "inner" else "kept and mapped as 'no data'")
                   + "; the full list is JoinResult.unmatched_boundaries", column=boundary_on, action=b_action,
                   fix="nothing if the table covers only part of the boundary file; otherwise add the "
                       "districts to the table")
    else:
        for r in un_b.itertuples():
            fix = (f"pass overrides={{{r.best!r}: {r.name!r}}} if that is the same district, or add it to the table"
                   if r.best is not None else "add the district to the table")
            report.add("warning", "unmatched_boundary", f"boundary {r.name!r} (feature {r.row}) has no data; "
                       f"{'closest table codes' if codes else 'closest table names'}: "
                       f"{_fmt_candidates(r.candidates)}", column=boundary_on, area=str(r.name), action=b_action,
                       fix=fix)

    gdf = _merge(bdf, tdf, bk, tk, t_match, b_match, how)
    if isinstance(table, CensusTable) and how != "inner" and (~b_match).any():
        # boundaries without data keep their own code/name in the table's column, so that a map
        # can name them (they stay without values: drawn as "no data")
        col = table_on if table_on not in bdf.columns else f"{table_on}_table"
        if col in gdf.columns and table_on in ("area_code", "area_name"):
            pos = np.flatnonzero(~b_match.to_numpy())
            fill = braw.iloc[pos].astype("string").str.strip()
            gdf[col] = gdf[col].astype(object)
            gdf.iloc[pos, gdf.columns.get_loc(col)] = fill.astype(object).where(fill.notna(), None).to_numpy()
    return JoinResult(gdf=gdf, unmatched_table=un_t, unmatched_boundaries=un_b, report=report, matched=matched,
                      by=by_used, table_on=table_on, boundary_on=boundary_on, overrides_used=used)


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
        if strict:
            raise JoinError(result.listing(sides))
        warnings.warn(result.listing(sides), EgovkitWarning, stacklevel=2)
    return result
