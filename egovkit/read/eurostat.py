"""Eurostat downloads: the bulk TSV and SDMX-CSV files, turned into the tidy stacked shape.

Two formats carry the same observations:

* **bulk TSV**: a tab-separated file whose first column joins the dimensions with commas
  (header ``unit,hhtyp,geo\\time``, cells ``PC_HH,TOTAL,AT``), one column per period, ``:`` for
  a missing value and flags glued to the values (``83 b``: break in series, ``e`` estimated,
  ``u`` low reliability);
* **SDMX-CSV**: one row per observation, columns ``DATAFLOW`` (``ESTAT:ISOC_R_IACC_H(1.0)``),
  ``LAST UPDATE``, ``freq``, the dimensions (``unit``, ``indic_is``, ``hhtyp``, ``geo``...),
  ``TIME_PERIOD``, ``OBS_VALUE``, ``OBS_FLAG``.

:func:`tidy_eurostat` gives the reader a table it understands: ``Area``, ``Code``, ``level``,
``Indicator`` (the Eurostat label of the dataflow or ``indic_is`` code with its unit: ``Households
with internet access at home (% of households)``, which the concept catalogue recognises),
``TIME_PERIOD`` and ``Value``. The codes are data (``eurostat_codes.yaml``). Only units that are a
percentage of all households or individuals are kept (others noted); breakdown dimensions keep their
total (``hhtyp=TOTAL``, ``ind_type=IND_TOTAL``...); observations without a value (``:``) are left
out; flags are noted with their meaning. Geographies get a level: aggregates (``EU27_2020``,
``EA``...) apart, countries ``NUTS 0`` and regions ``NUTS 1/2/3`` by code length; the territory
(the first aggregate with values, else the one country above the regions) is the ``total`` level,
whose published figure :func:`egovkit.indicators.territory_figures` returns.

Examples
--------
>>> from egovkit.validate import ValidationReport
>>> lines = ["unit,hhtyp,geo\\\\time\\t2018 \\t2019 ", "PC_HH,TOTAL,AT\\t89 \\t: ",
...          "PC_HH,TOTAL,EU27_2020\\t88 \\t90 b"]
>>> raw, at = read_bulk_tsv(lines, "t.tsv", ValidationReport())
>>> raw[["geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"]].values.tolist()
[['AT', '2018', '89', ''], ['AT', '2019', '', ''], ['EU27_2020', '2018', '88', ''], ['EU27_2020', '2019', '90', 'b']]
>>> out, _ = tidy_eurostat(raw, at, "isoc_ci_in_h.tsv", ValidationReport())
>>> out[["Code", "level", "Indicator", "TIME_PERIOD", "Value"]].values.tolist()[1:]
[['EU27_2020', 'total', 'Households with internet access at home (% of households)', '2018', '88'], \
['EU27_2020', 'total', 'Households with internet access at home (% of households)', '2019', '90']]
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..concepts import recognise
from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .row_issues import clauses

_CODES = Path(__file__).with_name("eurostat_codes.yaml")
#: The first cell of a bulk TSV header: dimensions joined by commas, then ``\time`` (or ``\TIME_PERIOD``).
_BULK_KEY = re.compile(r"^\s*([A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)*)\\\s*(time|time_period)\s*$", re.IGNORECASE)
_BULK_CELL = re.compile(r"^\s*(:|[-+]?\d+(?:\.\d+)?)?\s*([a-z]*)\s*$")
#: SDMX-CSV columns that say nothing of the observation's meaning (dropped).
_BOOKKEEPING = ("dataflow", "structure", "structure_id", "action", "last update", "freq", "conf_status", "obs_status")
_AGGREGATE = re.compile(r"^(EU|EA|EFTA|EEA)\d*(_\d{4})?$")


@lru_cache(maxsize=1)
def eurostat_codes() -> dict[str, Any]:
    """The code lists of ``eurostat_codes.yaml`` (dataflows, indic_is, units, totals, aggregates, flags).

    >>> eurostat_codes()["units"]["PC_HH"]["universe"]
    'households'
    """
    return yaml.safe_load(_CODES.read_text(encoding="utf-8"))


def is_bulk_tsv(first_line: str) -> bool:
    """Whether a file's first line is the header of a Eurostat bulk TSV.

    >>> is_bulk_tsv("unit,hhtyp,geo\\\\time\\t2019 "), is_bulk_tsv("geo\\t2019")
    (True, False)
    """
    first = first_line.lstrip("\ufeff").split("\t", 1)
    return len(first) == 2 and _BULK_KEY.match(first[0]) is not None


def is_sdmx_csv(columns: list[str]) -> bool:
    """Whether columns are those of a Eurostat SDMX-CSV observation table (``geo``, ``TIME_PERIOD``,
    ``OBS_VALUE``); other SDMX tables (``REF_AREA``...) are left to the stacked reader.

    >>> is_sdmx_csv(["DATAFLOW", "freq", "unit", "geo", "TIME_PERIOD", "OBS_VALUE"]), is_sdmx_csv(["geo", "Value"])
    (True, False)
    >>> is_sdmx_csv(["DATAFLOW", "REF_AREA", "TIME_PERIOD", "OBS_VALUE"])
    False
    """
    low = {str(c).strip().lower() for c in columns}
    return {"geo", "time_period", "obs_value"} <= low


def read_bulk_tsv(phys: list[str], name: str, report: ValidationReport) -> tuple[pd.DataFrame, np.ndarray]:
    """Split a bulk TSV (its physical lines) into one row per observation.

    Returns the dimensions (one column each), ``TIME_PERIOD``, ``OBS_VALUE`` (text, ``''`` when
    missing) and ``OBS_FLAG``, with the file line of each observation.

    Raises
    ------
    InputError
        A key with another number of parts than the header's dimensions (the line is named).
    """
    header = phys[0].lstrip("\ufeff").split("\t")
    m = _BULK_KEY.match(header[0])
    assert m is not None
    dims = m.group(1).split(",")
    periods = [h.strip() for h in header[1:]]
    body = [(i + 1, ln) for i, ln in enumerate(phys) if i > 0 and ln.strip()]
    try:
        cells = pd.read_csv(io.StringIO("\n".join(ln for _, ln in body)), sep="\t", header=None, dtype=str,
                            keep_default_na=False, quoting=3, names=["key", *range(len(periods))], index_col=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(code="read.eurostat_cannot_split", params={"n": len(periods), "detail": str(exc)},
                         file=name) from exc
    if cells.empty:
        raise InputError(code="read.eurostat_no_rows", file=name)
    keys = cells["key"].str.split(",", expand=True)
    if keys.shape[1] != len(dims) or keys.isna().any().any():
        bad = int(np.flatnonzero(cells["key"].str.count(",").to_numpy() != len(dims) - 1)[0])
        raise InputError(code="read.eurostat_bad_key", params={"key": cells["key"].iat[bad], "n": len(dims),
                                                               "header": header[0]},
                         file=name, row=body[bad][0])
    keys.columns = dims
    line = np.array([n for n, _ in body], dtype=np.int64)
    parts = []
    for j, per in enumerate(periods):
        if not per:
            continue
        got = cells[j].fillna("").str.extract(_BULK_CELL)
        bad = got[0].isna() & got[1].isna() & (cells[j].fillna("").str.strip() != "")
        value = got[0].fillna("").where(~bad, cells[j].fillna("").str.strip())  # unreadable: kept for the checks
        part = keys.copy()
        part["TIME_PERIOD"] = per
        part["OBS_VALUE"] = value.replace(":", "").to_numpy()
        part["OBS_FLAG"] = got[1].fillna("").to_numpy()
        part["_line"] = line
        parts.append(part)
    long = pd.concat(parts, ignore_index=True).sort_values(["_line", "TIME_PERIOD"], kind="stable")
    lines = long.pop("_line").to_numpy()
    report.add("info", "eurostat_format", params={"detail": render("read.eurostat_bulk_tsv", {
        "header": header[0], "dims": str(dims[:-1] + [dims[-1]]), "n": len(periods), "first": periods[0],
        "last": periods[-1]}), "fix_code": "read.eurostat_bulk_tsv"}, action="inferred")
    return long.reset_index(drop=True), lines


def _col(raw: pd.DataFrame, name: str) -> str | None:
    return next((c for c in raw.columns if str(c).strip().lower() == name), None)


def _dataflow(raw: pd.DataFrame, name: str, codes: dict) -> tuple[str | None, str]:
    """The dataflow code (``ISOC_R_IACC_H``) from the DATAFLOW column, else from the file name."""
    col = _col(raw, "dataflow") or _col(raw, "structure_id")  # SDMX-CSV 1.0 / 2.0
    if col is not None:
        vals = pd.unique(raw[col].astype(str).str.strip())
        got = [re.sub(r"\(.*\)$", "", v.split(":")[-1]).strip().upper() for v in vals if v]
        if got:
            return got[0], render("read.what_column", {"column": col})
    upper = re.sub(r"[^A-Z0-9]+", "_", Path(name).stem.upper())
    for flow in sorted(codes["dataflows"], key=len, reverse=True):
        if re.search(rf"(^|_){flow}(_|$)", upper):
            return flow, render("read.the_file_name")
    return None, ""


def _level(code: str, aggregates: dict) -> str:
    if code in aggregates or _AGGREGATE.match(code):
        return "aggregate"
    if re.fullmatch(r"[A-Z]{2}[A-Z0-9]{0,3}", code):
        return f"NUTS {len(code) - 2}" if len(code) > 2 else "NUTS 0"
    return "other"


def _one_code_per_indicator(code: pd.Series, keep: np.ndarray, labels: dict[str, str], notes: list[str]) -> None:
    """Several indic_is codes that are the same catalogue indicator (H_BROAD and H_BBFIX: broadband): the
    first in the code list's order of preference is read, the others' rows are taken out of ``keep``."""
    by_indicator: dict[tuple, list[str]] = {}
    for c in pd.unique(code[keep]):
        rec = recognise(labels[c]) if c in labels else None
        if rec is not None and rec.indicator:
            by_indicator.setdefault((rec.indicator, rec.universe), []).append(c)
    order = list(labels)
    for (ind, _), cs in by_indicator.items():
        if len(cs) < 2:
            continue
        cs = sorted(cs, key=order.index)
        out = keep & code.isin(cs[1:]).to_numpy()
        keep &= ~out
        notes.append(render("read.eurostat_one_code", {"code": cs[0], "label": labels[cs[0]], "indicator": ind,
                                                       "n": int(out.sum()), "others": cs[1:]}))


def tidy_eurostat(raw: pd.DataFrame, lines: np.ndarray, name: str,
                  report: ValidationReport) -> tuple[pd.DataFrame, np.ndarray]:
    """An SDMX-CSV table (or a split bulk TSV) as ``Area, Code, level, Indicator, TIME_PERIOD, Value``.

    Every decision is in ``report``: dataflow and unit recognised, rows of other units or breakdowns
    left out, missing observations, flags, the territory chosen among the aggregates.

    Raises
    ------
    InputError
        No ``geo`` column, or no row in a unit that is a percentage of all households or individuals.
    """
    codes = eurostat_codes()
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    text, label_of = _codes_and_labels(raw)
    geo, tp, val = _col(raw, "geo"), _col(raw, "time_period"), _col(raw, "obs_value")
    if geo is None or tp is None or val is None:
        raise InputError(code="read.sdmx_columns", file=name)
    keep = np.ones(len(raw), dtype=bool)
    notes: list[str] = []
    flow, flow_from = _dataflow(raw, name, codes)
    unit_col = _col(raw, "unit")
    unit_label = _percent_units(text, unit_col, keep, notes, codes, name)
    _breakdown_totals(raw, text, keep, notes, codes)
    ind_col, labels, how = _indicator_labels(raw, text, keep, notes, codes, name, flow, flow_from, report)
    if unit_col is not None and not (ind_col is not None and not set(text[ind_col][keep]) & set(codes["indic_is"])):
        labels = labels + " (" + text[unit_col].map(lambda u: unit_label.get(u, u)) + ")"
    # observations without a value
    missing = keep & (text[val] == "").to_numpy()
    if missing.any():
        notes.append(render("read.eurostat_not_available", {"n": int(missing.sum())}))
        keep &= ~missing
    out_lines = lines[keep]
    periods = text[tp][keep]
    codes_geo = text[geo][keep]
    flag_col = _col(raw, "obs_flag")
    if flag_col is not None and len(periods):
        _report_flags(text[flag_col][keep], periods, codes, flag_col, report)
    # geography: levels by code, the territory among the aggregates
    aggregates = codes["aggregates"]
    level = codes_geo.map(lambda c: _level(c, aggregates))
    territory, why = _territory(periods, codes_geo, level, aggregates)
    if territory is not None:
        level = level.where(codes_geo != territory, "total")
    names = label_of[geo][keep] if geo in label_of else codes_geo.map(lambda c: aggregates.get(c, c))
    out = pd.DataFrame({"Area": names.to_numpy(), "Code": codes_geo.to_numpy(), "level": level.to_numpy(),
                        "Indicator": labels[keep].to_numpy(), "TIME_PERIOD": periods.to_numpy(),
                        "Value": text[val][keep].to_numpy()})
    # other dimensions with several values stay for the stacked reader (breakdowns, series)
    used = {geo, tp, val, unit_col, ind_col, flag_col, *(_col(raw, c) for c in _BOOKKEEPING),
            *(_col(raw, d) for d in (codes.get("totals") or {}))}
    for c in raw.columns:
        if c not in used and text[c][keep].nunique() > 1:
            out[c] = text[c][keep].to_numpy()
    lv = {str(k): int(v) for k, v in out["level"].value_counts().items()}
    report.set_fate(lines[~keep].tolist(), "dropped")
    report.add("info", "eurostat_format", params={"detail": render("read.eurostat_table", {
        "flow": f" {flow}" if flow else "", "how": how,
        "units": ", ".join(f"{u} = {lab}" for u, lab in unit_label.items()) or render("read.not_given"),
        "levels": str(lv),
        "territory": render("read.eurostat_territory", {"territory": territory, "why": why}) if territory
        else render("read.eurostat_no_territory"),
        "notes": render("read.semicolon") + " " + clauses(notes) if notes else ""}), "fix_code": "read.eurostat_table"},
               column=geo, action="inferred")
    return out.reset_index(drop=True), out_lines


def _codes_and_labels(raw: pd.DataFrame) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """The stripped text of every column and, for downloads 'with labels' ('AT: Austria',
    'PC_HH: Percentage of households'), the codes in the text and the labels apart."""
    text = {c: raw[c].astype("string").fillna("").str.strip() for c in raw.columns}
    label_of: dict[str, pd.Series] = {}
    for c, t in text.items():
        filled = t[t != ""]
        if len(filled) and filled.str.match(r"^[A-Za-z0-9_]+: \S").all():
            parts = t.str.extract(r"^([A-Za-z0-9_]+): (.*)$")
            text[c], label_of[c] = parts[0].fillna(t), parts[1].fillna(t)
    return text, label_of


def _percent_units(text: dict, unit_col: str | None, keep: np.ndarray, notes: list[str], codes: dict,
                   name: str) -> dict[str, str]:
    """Only percentages of all households / individuals are rates of the catalogue's universes: the
    rows of other units are taken out of ``keep`` (a note); returns the label of each unit kept."""
    if unit_col is None:
        return {}
    units = codes["units"]
    present = list(pd.unique(text[unit_col]))
    good = [u for u in present if (units.get(u) or {}).get("universe")]
    if not good:
        raise InputError(code="read.eurostat_no_percent_unit", params={"present": str(present)}, file=name,
                         column=unit_col)
    other = [u for u in present if u not in good]
    if other:
        n = int((~text[unit_col].isin(good)).sum())
        notes.append(render("read.eurostat_other_units", {"n": n, "units": str(other)}))
    keep &= text[unit_col].isin(good).to_numpy()
    return {u: units[u]["label"] for u in good}


def _breakdown_totals(raw: pd.DataFrame, text: dict, keep: np.ndarray, notes: list[str], codes: dict) -> None:
    """Breakdowns whose total is known (the code list's ``totals``): only the total's rows stay in ``keep``."""
    for dim, total in (codes.get("totals") or {}).items():
        c = _col(raw, dim)
        if c is None or text[c].nunique() <= 1 or not (text[c] == total).any():
            continue
        n = int((keep & (text[c] != total).to_numpy()).sum())
        if n:
            notes.append(render("read.eurostat_breakdown", {"n": n, "dim": c, "total": total,
                                                            "values": str(sorted(set(text[c]) - {total})[:5])}))
        keep &= (text[c] == total).to_numpy()


def _indicator_labels(raw: pd.DataFrame, text: dict, keep: np.ndarray, notes: list[str], codes: dict, name: str,
                      flow: str | None, flow_from: str, report: ValidationReport
                      ) -> tuple[str | None, pd.Series, str]:
    """The indicator label of each row: its indic_is code, else the dataflow, else the file name's words.
    Returns the indic_is column, the labels and how they were told."""
    ind_col = _col(raw, "indic_is")
    known_codes = set(codes["indic_is"])
    if ind_col is not None:
        unknown = sorted(set(text[ind_col][keep]) - known_codes)
        if unknown and set(text[ind_col][keep]) & known_codes:  # codes egovkit does not know: not guessed
            out = keep & text[ind_col].isin(unknown).to_numpy()
            notes.append(render("read.eurostat_unknown_codes", {"n": int(out.sum()), "codes": str(unknown[:10])}))
            keep &= ~out
        _one_code_per_indicator(text[ind_col], keep, codes["indic_is"], notes)
        labels = text[ind_col].map(lambda c: codes["indic_is"].get(c) or c)
        how = render("read.eurostat_how_codes", {"column": ind_col, "none": render(
            "read.eurostat_none_known", {"codes": str(unknown[:8])}) if not set(text[ind_col][keep]) & known_codes
            else ""})
        return ind_col, labels, how
    if flow and codes["dataflows"].get(flow):
        labels = pd.Series(codes["dataflows"][flow], index=raw.index)
        return None, labels, render("read.eurostat_how_flow", {"flow": flow, "source": flow_from})
    words = re.sub(r"[_\-.]+", " ", Path(name).stem).strip()
    if recognise(words).indicator:
        report.add("warning", "eurostat_indicator", params={"words": words}, action="inferred")
        return None, pd.Series(words, index=raw.index), render(
            "read.eurostat_how_file", {"name": name, "flow": flow or render("read.unknown")})
    labels = pd.Series(flow or "Eurostat indicator (unknown dataflow)", index=raw.index)
    return None, labels, render("read.eurostat_how_nothing", {"flow": flow or render("read.unknown")})


def _report_flags(flags: pd.Series, periods: pd.Series, codes: dict, flag_col: str, report: ValidationReport) -> None:
    """The flags of the latest period, with their meaning (a warning when one says low reliability)."""
    latest = periods.max()
    fl = flags[(periods == latest).to_numpy()]
    counts = fl[fl != ""].value_counts()
    if not len(counts):
        return
    said = ", ".join(f"{k!r} ({codes['flags'].get(k) or render('read.unknown_flag')}) x{v}" for k, v in counts.items())
    low = any("u" in k for k in counts.index)
    params = {"period": latest, "flags": said}
    if low:
        params["fix_code"] = "read.low_reliability"
    report.add("warning" if low else "info", "eurostat_flags", params=params, column=flag_col, action="kept")


def _territory(periods: pd.Series, codes_geo: pd.Series, level: pd.Series, aggregates: dict
               ) -> tuple[str | None, str]:
    """The territory among the geographies: the first EU/euro-area aggregate with values in the latest
    period, else the one country above the regions; and why (None, "" when neither)."""
    if not len(periods):
        return None, ""
    latest = periods[(periods == periods.max()).to_numpy()]
    with_latest = set(codes_geo[latest.index])
    for agg in aggregates:
        if agg in with_latest:
            return agg, render("read.eurostat_first_aggregate", {"period": periods.max()})
    countries = sorted(set(codes_geo[(level == "NUTS 0").to_numpy()]))
    below = [c for c in set(codes_geo) if len(c) > 2]
    if len(countries) == 1 and below and all(c.startswith(countries[0]) for c in below):
        return countries[0], render("read.eurostat_one_country")
    return None, ""
