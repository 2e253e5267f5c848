"""Reader of the raw American Community Survey table S2801 "Types of computers and internet
subscriptions", as downloaded from data.census.gov.

The raw download (2020 layout) has row 1 = variable codes (``GEO_ID, NAME, S2801_C01_001E,
S2801_C01_001M, S2801_C02_001E, ...``), row 2 = long labels (``id``, ``Geographic Area Name``,
``Estimate!!Total!!Total households`` ...), then one row per geography. ``C01`` columns are counts
of households, ``C02`` percents of households; ``...E`` estimates, ``...M`` 90 % margins of
error. Special cells: ``(X)`` (not applicable), ``N`` (not available: too few sample cases),
``-`` (too few observations to compute), ``**``/``***`` (no MOE / open-ended median), ``*****``
(controlled estimate: MOE not appropriate, read as 0).

Indicators read (k = row of the table, all with universe ``households``):

=====  =================  =====================================================  =========
k      indicator          label                                                  ITU code
=====  =================  =====================================================  =========
002    any_device         has one or more types of computing devices             (none)
003    desktop_laptop     desktop or laptop                                      HH4
005    smartphone_hh      smartphone                                             HH3
006    smartphone_only    smartphone with no other type of computing device      (none)
007    tablet             tablet or other portable wireless computer             HH4
009    other_computer     other computer                                         (none)
011    no_computer        no computer                                            (none)
012    internet           with an Internet subscription                          HH6
014    broadband          broadband of any type                                  HH11
=====  =================  =====================================================  =========

``any_device``, ``smartphone_only`` and ``other_computer`` are not in the ITU catalogue; their
universe is set here explicitly. The device categories **overlap** (a household with a
smartphone and a tablet is counted in both): never sum them. Row 001 (total households) is the
denominator of every rate.

Examples
--------
>>> t = read_acs_s2801("ACSST1Y2018.S2801_data_with_overlays.csv")   # doctest: +SKIP
>>> t.data.query("indicator == 'smartphone_hh'").head()                # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..shared.messages import render
from ..table import LONG_COLUMNS, CensusTable
from ..validate import ValidationReport

TABLE = "S2801"

#: k -> (indicator, ITU code or None, expected start of the last label component)
ACS_S2801_ROWS: dict[str, tuple[str, str | None, str]] = {
    "002": ("any_device", None, "Has one or more types of computing devices"),
    "003": ("desktop_laptop", "HH4", "Desktop or laptop"),
    "005": ("smartphone_hh", "HH3", "Smartphone"),
    "006": ("smartphone_only", None, "Smartphone with no other type of computing device"),
    "007": ("tablet", "HH4", "Tablet or other portable wireless computer"),
    "009": ("other_computer", None, "Other computer"),
    "011": ("no_computer", None, "No computer"),
    "012": ("internet", "HH6", "With an Internet subscription"),
    "014": ("broadband", "HH11", "Broadband of any type"),
}
_TOTAL = ("001", "Total households")

#: Special cell values of data.census.gov tables and what they mean.
SPECIAL_VALUES: dict[str, str] = {
    "(X)": "not applicable",
    "N": "not available (too few sample cases)",
    "-": "too few sample observations to compute",
    "**": "margin of error cannot be computed",
    "***": "median in an open-ended interval",
    "*****": "controlled estimate: no sampling error (read as 0)",
    "null": "missing",
    "": "empty cell",
}
_SUMLEVEL = {"010": "Nation", "020": "Region", "030": "Division", "040": "State", "050": "County",
             "140": "Tract", "160": "Place", "310": "Metro area"}


def _label_tail(label: str) -> str:
    return str(label).split("!!")[-1].strip()


def _check_labels(labels: dict[str, str], path: Path, report: ValidationReport, origin: str) -> None:
    expected = {f"{TABLE}_C01_{_TOTAL[0]}E": _TOTAL[1]}
    expected.update({f"{TABLE}_C01_{k}E": v[2] for k, v in ACS_S2801_ROWS.items()})
    for col, want in expected.items():
        got = labels.get(col)
        if got is None:
            continue
        if not _label_tail(got).lower().startswith(want.lower()):
            raise InputError(code="read.acs_unexpected_label", params={"column": col, "origin": origin, "got": got,
                                                                       "want": want},
                             file=path.name, column=col)
    report.add("info", "labels_checked", params={"n": len(expected), "origin": origin}, action="checked")


def _read_metadata(path: Path) -> dict[str, str]:
    meta = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, usecols=[0, 1])
    return dict(zip(meta[0].str.strip(), meta[1].str.strip()))


def _numeric(raw: pd.DataFrame, cols: list[str], report: ValidationReport, names: pd.Series) -> pd.DataFrame:
    """Columns as floats; special cells -> NaN (``*****`` -> 0), one issue per (code, columns, count)."""
    out: dict[str, pd.Series] = {}
    found: dict[tuple[str, int], list[str]] = {}
    areas_of: dict[tuple[str, int], list[str]] = {}
    for col in cols:
        s = raw[col].astype(str).str.strip()
        num = pd.to_numeric(s.str.replace(",", "", regex=False), errors="coerce")
        bad = num.isna()
        if bad.any():
            for code, cnt in s[bad].value_counts().items():
                key = (code, int(cnt))
                found.setdefault(key, []).append(col)
                areas_of.setdefault(key, names[bad & (s == code)].tolist())
            if col.endswith("M"):
                num = num.mask(s == "*****", 0.0)
        out[col] = num.astype(float)
    out = pd.DataFrame(out, index=raw.index)
    n_rows = len(raw)
    for (code, cnt), columns in found.items():
        meaning = SPECIAL_VALUES.get(code)
        who = render("read.acs_all_geographies" if cnt == n_rows else "read.acs_geographies",
                     {"n": cnt, "of": n_rows})
        if cnt <= 5:
            who += f" ({', '.join(areas_of[(code, cnt)])})"
        cols_txt = ", ".join(columns[:12]) + (render("read.acs_more_columns", {"n": len(columns)})
                                              if len(columns) > 12 else "")
        said = {"code": code, "n": len(columns), "columns": cols_txt, "who": who}
        if meaning is None:
            report.add("error", "unreadable_value", params=said, column=columns[0], action="read as empty")
        else:
            used = any(c.startswith(f"{TABLE}_C01_") and c[-4:-1] in ({_TOTAL[0]} | set(ACS_S2801_ROWS))
                       for c in columns)
            report.add("info" if not used else "warning", "special_value", params={**said, "meaning": meaning},
                       column=columns[0], action="read as 0" if code == "*****" else "read as empty")
    return out


def read_acs_s2801(path: str | Path, metadata: str | Path | None = None, *,
                   percent_tolerance: float = 0.1) -> CensusTable:
    """Read a raw ACS S2801 download into the long indicator table.

    Parameters
    ----------
    path
        ``ACSST1Y<year>.S2801_data_with_overlays.csv`` (row 2 = labels, checked and skipped;
        a file without the label row is accepted too).
    metadata
        Optional ``..._metadata.csv`` (code, label): its labels are checked as well, and kept
        in ``table.data.attrs["labels"]``.
    percent_tolerance
        Largest accepted difference (percentage points) between the published percent
        ``C02_kE`` and ``100 * C01_kE / C01_001E``; larger ones are reported.

    Returns
    -------
    CensusTable
        ``data``: county rows (one per county and indicator; ``area_code`` = 5-digit FIPS,
        ``area_name`` = ``NAME``, ``level`` = ``County``, ``parent`` = state name,
        ``universe`` = households, ``numerator`` = ``C01_kE``, ``numerator_moe`` = ``C01_kM``,
        ``denominator`` = ``C01_001E``, ``denominator_moe`` = ``C01_001M``, ``share_moe`` =
        ``C02_kM / 100`` (published, 90 %), ``source_row`` = line in the file).
        ``other_levels``: rows of other summary levels (nation, states, places...).
        ``report``: special values per column, percent checks, the overlap note.

    Raises
    ------
    InputError
        Missing columns, an unexpected label, or no GEO_ID column.

    Examples
    --------
    >>> t = read_acs_s2801("ACSST1Y2018.S2801_data_with_overlays.csv")   # doctest: +SKIP
    >>> len(t.data) // 9                                                  # doctest: +SKIP
    838
    """
    path = Path(path)
    report = ValidationReport(source=path.name)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(code="read.acs_cannot_read", params={"detail": str(exc)}, file=str(path)) from exc
    raw.columns = [c.strip() for c in raw.columns]
    needed = ["GEO_ID", "NAME", f"{TABLE}_C01_{_TOTAL[0]}E", f"{TABLE}_C01_{_TOTAL[0]}M"]
    for k in ACS_S2801_ROWS:
        needed += [f"{TABLE}_C01_{k}E", f"{TABLE}_C01_{k}M"]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise InputError(code="read.acs_not_s2801", params={
            "missing": str(missing[:6]) + (" ..." if len(missing) > 6 else "")}, file=path.name, column=missing[0])
    first_line = 2
    labels: dict[str, str] = {}
    if len(raw) and raw.iloc[0]["GEO_ID"].strip().lower() in ("id", "geography", "geographic identifier"):
        labels = dict(raw.iloc[0])
        raw = raw.iloc[1:]
        first_line = 3
        _check_labels(labels, path, report, render("read.acs_label_row_origin"))
        report.add("info", "label_row", params={"detail": render("read.acs_label_row_skipped")}, row=2,
                   action="skipped")
    else:
        report.add("info", "label_row", params={"detail": render("read.acs_no_label_row")}, row=2, action="kept")
    if metadata is not None:
        meta = _read_metadata(Path(metadata))
        _check_labels(meta, Path(metadata), report, render("read.acs_metadata_origin", {"name": Path(metadata).name}))
        labels = {**labels, **meta}
    raw = raw.reset_index(drop=True)
    source_row = pd.Series(np.arange(first_line, first_line + len(raw)), index=raw.index)
    report.rows_in = len(raw)

    geo = raw["GEO_ID"].str.strip()
    m = geo.str.extract(r"^(\d{3})\d{4}US(\d*)$")
    bad_geo = m[0].isna()
    if bad_geo.any():
        idx = bad_geo[bad_geo].index
        first = idx[0]
        report.add("error", "bad_geo_id", params={"n": len(idx), "example": geo[first],
                                                  "rows": str(source_row[idx].tolist()[:10])},
                   row=int(source_row[first]), column="GEO_ID", area=raw.at[first, "NAME"], action="dropped")
        report.set_fate(source_row[bad_geo], "dropped")
    sumlevel = m[0]
    level = sumlevel.map(_SUMLEVEL).fillna("summary level " + sumlevel.fillna("?")).astype("string")
    is_county = (sumlevel == "050") & m[1].str.fullmatch(r"\d{5}").fillna(False).astype(bool)
    names = raw["NAME"].astype("string").str.strip()
    parent = names.str.rsplit(",", n=1).str[-1].str.strip().where(names.str.contains(","), pd.NA)

    cols = [c for c in raw.columns if re.fullmatch(rf"{TABLE}_C0\d_\d{{3}}[EM]", c)]
    num = _numeric(raw, cols, report, names)
    tot, tot_moe = num[f"{TABLE}_C01_001E"], num[f"{TABLE}_C01_001M"]

    frames = []
    for k, (indicator, itu, _label) in ACS_S2801_ROWS.items():
        est, moe = num[f"{TABLE}_C01_{k}E"], num[f"{TABLE}_C01_{k}M"]
        pct_col, pct_moe_col = f"{TABLE}_C02_{k}E", f"{TABLE}_C02_{k}M"
        share_moe = num[pct_moe_col] / 100 if pct_moe_col in num.columns else pd.Series(np.nan, index=raw.index)
        frames.append(pd.DataFrame({
            "area_code": m[1].where(is_county, geo).astype("string"),
            "area_name": names, "level": level, "parent": parent,
            "indicator": indicator, "itu_code": pd.Series(itu, index=raw.index, dtype="string"),
            "universe": "households",
            "numerator": est, "denominator": tot,
            "numerator_moe": moe, "denominator_moe": tot_moe, "share_moe": share_moe,
            "source": path.name, "source_row": source_row,
            "_good": ~bad_geo, "_county": is_county,
        }))
        if pct_col in num.columns:
            with np.errstate(divide="ignore", invalid="ignore"):
                diff = (num[pct_col] - 100 * est / tot).abs()
            off = diff > percent_tolerance
            if off.any():
                who = names[off].tolist()
                report.add("warning", "percent_mismatch", params={
                    "column": pct_col, "count": f"{TABLE}_C01_{k}E", "total": f"{TABLE}_C01_001E",
                    "tolerance": percent_tolerance, "n": int(off.sum()), "largest": float(diff.max()),
                    "who": str(who[:5]) + (" ..." if len(who) > 5 else "")}, column=pct_col, action="kept")
            else:
                report.add("info", "percent_checked", params={"column": pct_col, "tolerance": percent_tolerance,
                                                              "n": int(diff.notna().sum())},
                           column=pct_col, action="checked")
    # 002 (any device) + 011 (no computer) = 001 (households), exactly in a consistent download.
    gap = (num[f"{TABLE}_C01_002E"] + num[f"{TABLE}_C01_011E"] - tot).abs()
    if (gap > 0).any():
        report.add("warning", "device_total_mismatch", params={"n": int((gap > 0).sum()), "largest": float(gap.max())},
                   column=f"{TABLE}_C01_011E", action="kept")
    report.add("info", "overlapping_categories", action="noted")

    long = pd.concat(frames, ignore_index=True)
    good = long.pop("_good")
    county = long.pop("_county")
    data = long[good & county].reset_index(drop=True)
    other = long[good & ~county].reset_index(drop=True)
    report.set_fate(source_row[~bad_geo & is_county], "used")
    if (~bad_geo & ~is_county).any():
        n_other = int((~bad_geo & ~is_county).sum())
        report.add("info", "other_levels", params={"n": n_other, "example": level[~is_county].iloc[0]},
                   action="kept apart")
        report.set_fate(source_row[~bad_geo & ~is_county], "kept apart")
    dup = data.duplicated(["area_code", "indicator"])
    if dup.any():
        first = data[dup].iloc[0]
        raise InputError(code="read.acs_county_twice", params={"code": first["area_code"]}, file=path.name,
                         row=int(first["source_row"]), area=str(first["area_name"]))
    data = data[LONG_COLUMNS[:9] + ["numerator_moe", "denominator_moe", "share_moe"] + LONG_COLUMNS[9:]]
    other = other[data.columns]
    if labels:
        data.attrs["labels"] = {ind: labels.get(f"{TABLE}_C01_{k}E") for k, (ind, _, _) in ACS_S2801_ROWS.items()}
    return CensusTable(data=data, other_levels=other, report=report, value_type="count", source=path.name)
