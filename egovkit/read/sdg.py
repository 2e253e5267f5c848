"""SDG-coded tables: the indicator said by an SDG indicator id or a UN SDG series code, not by words.

Open SDG exports (``indicator_17-8-1.csv``), SDMX extracts (``SERIES._L_ES_050B01_01``) and the
UNSD SDMX upload template (one row per series, ``Series_Code`` ``IT_MOB_OWN``, years as columns)
name their indicator only by code: in the file name, in a series/indicator column, never in the
header of their single ``Value`` column. :func:`read_sdg` finds the code, maps it to the egovkit
catalogue through ``egovkit/concepts/codes/sdg.yaml`` (SDG ids 5.b.1, 17.8.1..., UN series codes,
national ``_L_<country>_<ggttnn>`` series codes decoded) and returns the ``columns=`` mapping the
reader then uses, each decision a note with its reason and how to override it
(``columns={'Value': '<indicator>'}``, CLI ``--columns Value=<indicator>``).

An SDG id whose national figures often answer another question (5.b.1 is *individuals who own* a
mobile phone; publishers report households having one, or individuals who used one) is read as its
definition with a warning naming the alternatives, unless the file's own words (a label, a series
description, a header) say which. SDG ids that are not household or individual shares (9.c.1
network coverage, 17.6.1 subscriptions per 100 inhabitants) are never read as one.

A workbook of one row per series and years as columns keeps the ICT series the catalogue knows, the
total of each breakdown (``_T``, blank, ``Total``) and per series the latest year with a value; the
other series are kept apart with one note. Sex-specific labels (``Women who ...``, ``Mujeres``...)
without a both-sexes label are not read as the whole population: a warning names the indicator.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from egovkit.validate import ValidationReport
>>> raw = pd.DataFrame({"Year": ["2022", "2022"], "Region": ["", "A"], "Value": ["92.1", "90.0"]})
>>> rep = ValidationReport()
>>> _, _, cols = read_sdg(raw, np.arange(2, 4), rep, "indicator_17-8-1.csv")
>>> cols
{'Value': 'internet_use'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..concepts import recognise, tokenize
from ..concepts.catalogue import index
from ..errors import InputError
from ..shared.messages import render
from ..validate import ValidationReport
from .numbers import _text
from .periods import YEAR
from .row_issues import clauses

_CODES = Path(__file__).resolve().parent.parent / "concepts" / "codes" / "sdg.yaml"
#: An SDG indicator id in a cell: 17.8.1, 5.b.1, 17.08.01
_SDG_ID = re.compile(r"^\s*(?:SDG\s*)?(\d{1,2})\.(\d{1,2}|[a-z])\.(\d{1,2})\s*$", re.IGNORECASE)
#: An SDG id in a file name: indicator_17-8-1.csv, 5-b-1.csv, sdg_17_8_1.xlsx, SDG-5.b.1
_SDG_FILE = re.compile(r"(?:^|indicator|sdg|ods|odd|ods|[_\- ])[_\- ]?(\d{1,2})[-_.](\d{1,2}|[a-z])[-_.](\d{1,2})"
                       r"(?=$|[_\-. ])", re.IGNORECASE)
#: A national series code of the UNSD SDMX template: _L_ES_050B01_01 -> 5.b.1
_NATIONAL = re.compile(r"_L_[A-Z]{2,3}_(\d\d)(\d[0-9A-Z])(\d\d)(?:_\w+)?$", re.IGNORECASE)
#: the words of a unit column's kinds that are not percentages
_UNIT_WORD = {"per_100": "read.unit_per_100", "count": "read.unit_count"}
_TOTALS = {"", "_t", "_z", "t", "total", "totals", "all", "both sexes", "ambos sexos", "deux sexes", "ensemble",
           "todos", "todas", "nan", "_x"}


@dataclass(frozen=True)
class SdgCode:
    """What an SDG id or series code means for egovkit: ``indicator`` (``None``: not read, ``why``)."""

    sdg: str
    indicator: str | None
    why: str = ""
    proxies: tuple[str, ...] = ()
    definition: str = ""


@lru_cache(maxsize=1)
def _codes() -> dict:
    return yaml.safe_load(_CODES.read_text(encoding="utf-8"))


def _norm_id(goal: str, target: str, number: str) -> str:
    t = target.lower().lstrip("0") or "0"
    if len(target) == 2 and target[0] == "0" and target[1].isalpha():
        t = target[1].lower()
    return f"{int(goal)}.{t}.{int(number)}"


def sdg_code(text: object) -> SdgCode | None:
    """The SDG meaning of a cell: an SDG id (``17.8.1``), a UN series code (``IT_MOB_OWN``,
    ``SERIES.IT_USE_ii99``) or a national SDMX series code (``_L_ES_050B01_01``); ``None`` if none.

    Examples
    --------
    >>> sdg_code("SERIES._L_ES_050B01_01").indicator, sdg_code("IT_USE_ii99").indicator
    ('mobile_phone', 'internet_use')
    >>> sdg_code("IT_MOB_4GNTWK").indicator is None, sdg_code("Kigali") is None
    (True, True)
    """
    s = str(text).strip()
    if not s or len(s) > 40:
        return None
    m = _SDG_ID.match(s)
    if m:
        return _from_id(_norm_id(*m.groups())) if 1 <= int(m.group(1)) <= 17 else None
    code = s.split(".")[-1].strip().upper()  # SDMX 'SERIES.IT_USE_II99'
    series = _codes()["series"].get(code)
    if series is not None:
        base = _from_id(series["sdg"])
        # a UN global series names its measure (IT_MOB_OWN: owning one): no national proxy to suspect
        return SdgCode(base.sdg, base.indicator if "why" not in series else None,
                       series.get("why", base.why), (), render("read.sdg_un_series", {"definition": base.definition,
                                                                                     "code": code}))
    m = _NATIONAL.search(code)
    if m:
        g, t, n = m.groups()
        return _from_id(_norm_id(g, t if not t.isdigit() else str(int(t)), n)) if 1 <= int(g) <= 17 else None
    if re.fullmatch(r"[A-Z]{2}_[A-Z0-9]{2,6}_[A-Z0-9]{2,10}", code):  # another UN series (SI_POV_DAY1)
        return SdgCode("", None, render("read.sdg_other_series"))
    return None


def _from_id(sid: str) -> SdgCode:
    entry = _codes()["indicators"].get(sid)
    if entry is None:
        return SdgCode(sid, None, render("read.sdg_other_id", {"sdg": sid}))
    return SdgCode(sid, entry.get("indicator"), entry.get("why", ""), tuple(entry.get("proxies") or ()),
                   entry.get("definition", ""))


def sdg_of_file(name: str) -> SdgCode | None:
    """The SDG indicator a file name says (Open SDG ``indicator_17-8-1.csv``, ``5-b-1.csv``,
    ``sdg_17_8_1.xlsx``), when it is one of the catalogue's SDG ids; else ``None``.

    Examples
    --------
    >>> sdg_of_file("indicator_5-b-1.csv").sdg, sdg_of_file("17-8-1.csv").indicator
    ('5.b.1', 'internet_use')
    >>> sdg_of_file("census_2019-05-01.csv") is None
    True
    """
    stem = Path(str(name)).stem
    for m in _SDG_FILE.finditer(stem):
        sid = _norm_id(*m.groups())
        if sid in _codes()["indicators"]:
            return _from_id(sid)
    return None


def _unit_kind(values: list[str]) -> str | None:
    units = _codes()["units"]
    found = set()
    for v in values:
        low = v.strip().lower().split(".")[-1] if v.strip().upper().startswith("UNIDAD_MEDIDA.") else v.strip().lower()
        low = low.split(".")[-1] if low.startswith("unit_measure.") else low
        for kind, words in units.items():
            if low in {str(w).lower() for w in words}:
                found.add(kind)
    return found.pop() if len(found) == 1 else None


def _geo_header(header: object) -> bool:
    """True when a header says geography with an area word (``Ref_Area``, ``GeoCode``, ``Province``), not
    merely a code or a name (``Unit_Code``, ``Description``)."""
    by_first, stems = index()
    for w in tokenize(header):
        if any(e.category == "area" and len(e.words) == 1 for e in by_first.get(w, [])):
            return True
        if any(e.category == "area" and len(e.words) == 1 and w.startswith(e.words[0]) for e in stems):
            return True
    return False


def _value_column(raw: pd.DataFrame) -> str | None:
    values = [c for c in raw.columns if recognise(str(c)).role == "value"]
    return values[-1] if values else None


def _evidence(raw: pd.DataFrame, text: dict, family: set[str],
              rows: np.ndarray | None = None) -> tuple[str, str] | None:
    """A header or cell text of ``raw`` recognised as one indicator of ``family``: (indicator, text)."""
    seen: dict[str, str] = {}
    for c in raw.columns:
        r = recognise(str(c))
        if r.indicator in family and r.breakdown is None:
            seen.setdefault(r.indicator, render("read.sdg_evidence_header", {"header": c}))
    for c, t in text.items():
        vals = t if rows is None else t[rows]
        uniq = [v for v in pd.unique(vals) if v and not YEAR.match(v)][:30]
        if not uniq or len(uniq) > 30:
            continue
        for v in uniq:
            if len(v) < 6 or sdg_code(v) is not None:
                continue
            r = recognise(v)
            if r.indicator in family and r.breakdown is None:
                seen.setdefault(r.indicator, f"{c!r}: {v!r}")
    if len(seen) == 1:
        return next(iter(seen.items()))
    return None


def _choose(code: SdgCode, raw: pd.DataFrame, text: dict, report: ValidationReport, where: str, column: str,
            rows: np.ndarray | None = None) -> str:
    """The catalogue indicator read for ``code``: its definition's, or the one the file's words say."""
    ind = code.indicator
    assert ind is not None
    said = {"sdg": code.sdg, "where": where, "column": column, "definition": code.definition}
    if code.proxies:
        ev = _evidence(raw, text, {ind, *code.proxies}, rows)
        if ev is not None:
            how = render("read.sdg_file_says", {"evidence": ev[1], "definition": code.definition})
            report.add("info", "sdg_indicator", params={**said, "indicator": ev[0], "how": how}, column=column,
                       action="inferred")
            return ev[0]
        report.add("warning", "sdg_proxy", params={**said, "indicator": ind,
                                                   "proxies": f" {render('read.or')} ".join(map(repr, code.proxies)),
                                                   "proxy": code.proxies[0],
                                                   "others": ", ".join(map(repr, code.proxies[1:] + (ind,)))},
                   column=column, action="inferred")
        return ind
    how = render("read.sdg_as_defined", {"definition": code.definition})
    report.add("info", "sdg_indicator", params={**said, "indicator": ind, "how": how}, column=column,
               action="inferred")
    return ind


_CODE_LIKE = re.compile(r"^\s*(?:\d{1,2}\.(?:\d{1,2}|[a-z])\.\d{1,2}|.*[A-Z]{2}_[A-Z0-9]{2,6}_[A-Z0-9]{2,10}|"
                        r".*_L_[A-Z]{2,3}_\w+)\s*$", re.IGNORECASE)


def _code_like(head: pd.DataFrame, cols: list) -> bool:
    """Whether any cell of ``head`` (the first rows) looks like an SDG id or series code (a quick test
    over the distinct cells, before any column is read as text)."""
    if not cols:
        return False
    cells = pd.unique(head[cols].astype(str).to_numpy().ravel())
    return any(_CODE_LIKE.match(v) for v in map(str, cells) if len(v) <= 40)


def sdg_coded(values: pd.Series) -> bool:
    """Whether a column holds SDG ids or series codes: most of its distinct cells are codes and one at
    least is a code of ICT access the catalogue lists (so that hierarchical area codes such as ``1.2.1``
    or ``KE_NRB_001`` are never taken for SDG series).

    Examples
    --------
    >>> sdg_coded(pd.Series(["IT_MOB_OWN", "SI_POV_DAY1", "_L_RW_010301_1"])), sdg_coded(pd.Series(["1.1.1", "1.1.2"]))
    (True, False)
    """
    uniq = [v for v in pd.unique(values.astype(str).str.strip()) if v and v != "nan"][:200]
    if not uniq or all(YEAR.match(v) for v in uniq):
        return False
    coded = [sdg_code(v) for v in uniq]
    known = set(_codes()["indicators"])
    return sum(x is not None for x in coded) >= 0.8 * len(uniq) and any(x is not None and x.sdg in known for x in coded)


def _code_columns(raw: pd.DataFrame, text: dict) -> list[str]:
    """Text columns whose filled cells are mostly SDG ids or series codes, series codes first."""
    out = []
    for c, t in text.items():
        if sdg_coded(t):
            uniq = [v for v in pd.unique(t) if v][:200]
            series = any(not _SDG_ID.match(v) for v in uniq if sdg_code(v) is not None)
            out.append((not series, c))
    return [c for _, c in sorted(out, key=lambda x: x[0])]


def read_sdg(raw: pd.DataFrame, lines: np.ndarray, report: ValidationReport, name: str,
             columns: dict[str, str] | None = None, period: str | int | None = None
             ) -> tuple[pd.DataFrame, np.ndarray, dict[str, str] | None]:
    """Recognise the SDG indicator(s) of a table; return ``(raw, lines, columns)``.

    ``columns`` (the user's ``columns=``) wins; the returned mapping adds what the SDG codes say.
    Tables with neither an SDG code nor sex-specific labels are returned unchanged.

    Raises
    ------
    InputError
        The only SDG indicator of the table is not a household/individual share (9.c.1, 17.6.1), or
        every indicator is given only for one sex.
    """
    user = dict(columns or {})
    obj = [c for c in raw.columns if not pd.api.types.is_numeric_dtype(raw[c].dtype)]
    if not (sdg_of_file(name) or _code_like(raw.iloc[:200], obj)
            or any(recognise(str(c)).role == "variable" for c in obj)):
        return raw, lines, columns  # no SDG code anywhere, no label column: nothing to do (fast path)
    text = {c: _text(raw[c]).str.strip() for c in obj}
    years = [c for c in raw.columns if YEAR.match(str(c))]
    coded = _code_columns(raw, text)
    if coded and len(years) >= 2:
        raw, lines, mapping = _series_by_year(raw, lines, report, name, text, coded, years, period, user)
        return raw, lines, {**mapping, **user}
    raw, lines = _sex_specific(raw, lines, report, name, text, user)
    value = _value_column(raw)
    if value is None and not coded and sdg_of_file(name) is not None:
        raw = _headline_series(raw, report, name, user)
        value = _value_column(raw)
    if value is None or value in user or (coded and any(k in user for k in pd.unique(text[coded[0]]))):
        return raw, lines, columns  # the user's word
    if any(recognise(str(c)).indicator for c in raw.columns if c != value):
        return raw, lines, columns  # a header names its indicator: read as it says
    for c in raw.columns:  # a column of labels (Series: 'Percentage of individuals who use ...') says it
        if c in text and c not in coded and recognise(str(c)).role == "variable" and \
                any(recognise(v).indicator for v in pd.unique(text[c])[:50] if v):
            return raw, lines, columns
    unit = None
    for c in text:
        if c not in coded:
            uniq = [v for v in pd.unique(text[c]) if v]
            if 0 < len(uniq) <= 3:
                unit = unit or _unit_kind(uniq)
    if coded:
        codes = {v: sdg_code(v) for v in pd.unique(text[coded[0]]) if v}
        ids = {x.sdg: x for x in codes.values() if x is not None}
        if len(ids) != 1:
            return raw, lines, columns  # several SDG series in one value column: left to the labels
        code = next(iter(ids.values()))
        where = render("read.sdg_where_column", {"column": coded[0], "codes": ", ".join(map(repr, list(codes)[:3]))})
    else:
        code = sdg_of_file(name)
        if code is None:
            return raw, lines, columns
        # an Open SDG name (indicator_17-8-1) is surer than three bare numbers (17-8-1.csv)
        said = re.match(r"(?i)(indicator|sdg|ods|odd)", Path(name).stem)
        where = render("read.sdg_where_file", {"name": name, "confidence": 0.9 if said else 0.8})
    if code.indicator is None:
        raise InputError(code="read.sdg_not_ict", params={"sdg": code.sdg or "?", "where": where, "why": code.why},
                         file=name, column=value)
    if unit in ("per_100", "count"):
        raise InputError(code="read.sdg_unit_not_percent", params={"column": value, "unit": render(_UNIT_WORD[unit]),
                                                                   "sdg": code.sdg, "where": where},
                         file=name, column=value)
    if unit:
        where = render("read.sdg_where_unit", {"where": where, "unit": unit})
    ind = _choose(code, raw, text, report, where, value)
    return raw, lines, {value: ind, **user}


def _headline_series(raw: pd.DataFrame, report: ValidationReport, name: str, user: dict) -> pd.DataFrame:
    """An SDG file of one year column and one numeric column, headers in any language (Croatian
    ``Godina, Udio pojedinaca koji koriste internet (%)``): read as ``Year`` and ``Value``."""
    years = [c for c in raw.columns if YEAR.match(str(c)) is None and len(raw)
             and _text(raw[c]).str.strip().str.match(YEAR).mean() >= 0.95]
    nums = [c for c in raw.columns if c not in years and c not in user
            and pd.to_numeric(_text(raw[c]).str.strip().str.replace(",", "."), errors="coerce").notna().mean() >= 0.8]
    if len(years) != 1 or len(nums) != 1 or recognise(str(nums[0])).role in ("area", "code", "denominator"):
        return raw
    report.add("info", "sdg_columns", params={"name": name, "years": years[0], "values": nums[0]},
               column=str(nums[0]), action="inferred")
    return raw.rename(columns={years[0]: "Year", nums[0]: "Value"})


def _series_by_year(raw: pd.DataFrame, lines: np.ndarray, report: ValidationReport, name: str, text: dict,
                    coded: list[str], years: list, period, user: dict) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """One row per series and years as columns (UNSD SDMX template): the ICT series, totals of every
    breakdown, the latest year with a value per series; a frame ``Area, Series, Value``."""
    col = coded[0]
    ok = _ict_series_rows(text, col, lines, report, name)
    sub = {c: t[ok].reset_index(drop=True) for c, t in text.items()}
    lines = lines[ok]
    series = sub[col].to_numpy()
    skip = set(coded) | set(years)
    geo = [c for c in sub if c not in skip and _geo_header(c)]
    keep, notes = _breakdown_totals(sub, series, skip, geo)
    country, area = _series_areas(sub, series, keep, geo)
    rows, out_lines, chosen = _latest_values(raw, ok, years, period, keep, area, series, lines, name)
    report.set_fate(lines[~keep].tolist(), "kept apart")
    report.add("info", "stacked_table", params={
        "what": render("read.series_by_year", {
            "chosen": "; ".join(f"{s} {', '.join(sorted(y))}" for s, y in chosen.items()),
            "how": render("read.given_by_period" if period is not None else "read.latest_of_each_series")}),
        "apart": clauses(notes) or render("read.nothing"), "after": "", "fix_code": "read.another_year"},
        column=col, action="kept apart")
    out = pd.DataFrame(rows, columns=["Area", "Series", "Value"])
    mapping = _series_mapping(out, raw.loc[ok].reset_index(drop=True), sub, series, keep, skip, col, user, report)
    if country:
        report.add("info", "territory_row", params={"detail": render("read.territory_one_area", {
            "columns": geo, "country": country, "label": f"Total ({country})"})}, action="kept apart")
    out.attrs["egovkit_unstacked"] = True  # periods and breakdowns already chosen (unstack leaves it)
    return out, np.asarray(out_lines), mapping


def _ict_series_rows(text: dict, col: str, lines: np.ndarray, report: ValidationReport, name: str) -> np.ndarray:
    """The rows of series of an ICT indicator egovkit reads (the others kept apart, with one note)."""
    codes = text[col].map(lambda v: sdg_code(v) if v else None)
    ok = codes.map(lambda x: x is not None and x.indicator is not None).to_numpy()
    if not ok.any():
        raise InputError(code="read.sdg_no_ict_series", params={"column": col,
                                                                "found": str(list(pd.unique(text[col]))[:8])},
                         file=name, column=col)
    why = {}
    for x in codes[~ok]:
        if x is not None and x.sdg and x.sdg in _codes()["indicators"]:
            why.setdefault(x.sdg, x.why)
    report.set_fate(lines[~ok].tolist(), "kept apart")
    report.add("info", "sdg_series", params={"column": col, "n": int(ok.sum()),
                                             "series": list(pd.unique(text[col][ok])),
                                             "n_other": int((~ok).sum()), "n_series": int(text[col][~ok].nunique()),
                                             "why": (": " + "; ".join(f"{k}: {v}" for k, v in why.items()))
                                             if why else ""},
               column=col, action="kept apart")
    return ok


def _breakdown_totals(sub: dict, series: np.ndarray, skip: set, geo: list) -> tuple[np.ndarray, list[str]]:
    """Within each series, the total of every breakdown column ('_T', blank, 'Total'): the rows kept and
    a note per column; a geography column that was a breakdown is taken out of ``geo``."""
    keep = np.ones(len(series), dtype=bool)
    notes = []
    for c in sub:
        if c in skip:
            continue
        vals = sub[c].str.lower()
        tot = vals.isin(_TOTALS).to_numpy()
        dropped = 0
        for s in pd.unique(series):
            at = series == s
            if pd.unique(vals[at]).size > 1 and tot[at].any() and not tot[at].all():
                dropped += int((keep & at & ~tot).sum())
                keep &= ~at | tot
        if dropped:
            notes.append(render("read.breakdown_rows", {"n": dropped, "column": c}))
            if c in geo:
                geo.remove(c)
    return keep, notes


def _series_areas(sub: dict, series: np.ndarray, keep: np.ndarray, geo: list) -> tuple[str, pd.Series]:
    """The country (a geography column constant over the table) and the area of each row (another
    geography column that names areas; else ``Total (<country>)``)."""
    country = ""
    areas = pd.Series([""] * len(series))
    for c in geo:
        v = sub[c][keep]
        filled = v[v != ""]
        if filled.empty:
            continue
        per_series = pd.DataFrame({"s": series[keep], "v": v.to_numpy()}).groupby("s")["v"].nunique()
        if filled.nunique() == 1 and (v != "").all():
            country = country or filled.iloc[0]
        elif per_series.max() > 1:
            areas = areas.where(areas != "", sub[c])
    label = f"Total ({country})" if country else "Total"
    return country, areas.where(areas != "", label)


def _latest_values(raw: pd.DataFrame, ok: np.ndarray, years: list, period, keep: np.ndarray, area: pd.Series,
                   series: np.ndarray, lines: np.ndarray, name: str) -> tuple[list, list, dict]:
    """Per series and area, the latest year with a value (or the one asked for): the rows
    ``(area, series, value)``, their lines and the years chosen per series."""
    present = [str(y).strip() for y in years]
    if period is not None and str(period).strip() not in present:
        raise InputError(code="read.period_not_a_column", params={"period": str(period).strip(), "present": present},
                         file=name)
    rows, out_lines, chosen = [], [], {}
    ycols = sorted(years, key=lambda y: int(str(y).strip()))
    vals = {y: (_text(raw[y])[ok].reset_index(drop=True).str.strip() if y in raw.columns else None) for y in ycols}
    want = [y for y in ycols if str(y).strip() == str(period).strip()] if period is not None else ycols[::-1]
    for i in np.flatnonzero(keep):
        for y in want:
            v = vals[y].iloc[i]
            if v not in ("", "nan", "NaN", "..", "-"):
                rows.append((area.iloc[i], series[i], v))
                out_lines.append(lines[i])
                chosen.setdefault(series[i], set()).add(str(y).strip())
                break
    return rows, out_lines, chosen


def _series_mapping(out: pd.DataFrame, raw_ok: pd.DataFrame, sub: dict, series: np.ndarray, keep: np.ndarray,
                    skip: set, col: str, user: dict, report: ValidationReport) -> dict:
    """The indicator of each series (its label in ``out`` marked ``(%)`` when a unit column says
    percentages): the user's, none for a unit that is not a percentage, else the SDG code's."""
    units = {}  # a unit column (Unit_Code 'PT', 'Percentage (%)'): the label says it, so the values are read in it
    for c in sub:
        if c in skip:
            continue
        for s in pd.unique(out["Series"]):
            uniq = [v for v in pd.unique(sub[c][(series == s) & keep]) if v]
            kind = _unit_kind(uniq) if len(uniq) == 1 else None
            if kind:
                units.setdefault(s, kind)
    labels = {s: f"{s} (%)" if units.get(s) == "percent" else s for s in pd.unique(out["Series"])}
    out["Series"] = out["Series"].map(labels)
    mapping = {}
    for s, lab in labels.items():
        if s in user:
            mapping[lab] = user[s]
            continue
        where = render("read.sdg_where_series_unit" if s in units else "read.sdg_where_series",
                       {"series": s, "column": col, "unit": units.get(s, "")})
        if units.get(s) in ("per_100", "count"):
            mapping[lab] = "ignore"
            report.add("warning", "sdg_unit", params={"where": where, "unit": render(_UNIT_WORD[units[s]])},
                       column=col, action="kept apart")
            continue
        mapping[lab] = _choose(sdg_code(s), raw_ok, sub, report, where, lab, rows=(series == s) & keep)
    return mapping


def _sex_specific(raw: pd.DataFrame, lines: np.ndarray, report: ValidationReport, name: str, text: dict,
                  user: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """Labels of an indicator column given only for women/men: kept apart with a warning naming the
    indicator; an error when nothing else is left to read."""
    cols = [c for c in text if recognise(str(c)).role == "variable"]
    for c in cols:
        labels = [v for v in pd.unique(text[c]) if v]
        if not labels or len(labels) > 200:
            continue
        recs = {v: recognise(v) for v in labels if v not in user}
        sexed = {v: r for v, r in recs.items() if r.indicator and r.breakdown}
        if not sexed:
            continue
        whole = {r.indicator for r in recs.values() if r.indicator and not r.breakdown} | \
            {i for v, i in user.items() if v in labels}
        by_ind: dict[str, list[str]] = {}
        for v, r in sexed.items():
            by_ind.setdefault(r.indicator, []).append(v)
        for v, i in user.items():
            if v in labels and recognise(v).breakdown:
                report.add("warning", "sex_specific", params={"detail": render("read.sex_label_mapped", {
                    "label": v, "indicator": i, "breakdown": recognise(v).breakdown}),
                    "fix_code": "read.sex_label_mapped"}, column=c, action="inferred")
        alone = {i: vs for i, vs in by_ind.items() if i not in whole}
        parts = [v for i, vs in by_ind.items() if i in whole for v in vs]  # beside a total: a breakdown
        if parts:
            report.add("info", "sex_specific", params={"detail": render("read.sex_beside_total", {
                "n": len(parts), "labels": ", ".join(map(repr, parts[:3])), "rows": int(text[c].isin(parts).sum())}),
                "label": parts[0], "fix_code": "read.sex_beside_total"}, column=c, action="kept apart")
        drop = text[c].isin([v for vs in alone.values() for v in vs] + parts).to_numpy()
        for ind, vs in alone.items():
            who = list(dict.fromkeys(recs[v].breakdown for v in vs))
            report.add("warning", "sex_specific", params={"detail": render("read.sex_only", {
                "indicator": ind, "who": f" {render('read.and')} ".join(who), "labels": ", ".join(map(repr, vs[:3])),
                "rows": int(text[c].isin(vs).sum())}), "indicator": ind, "label": vs[0],
                "breakdown": recs[vs[0]].breakdown, "fix_code": "read.sex_only"}, column=c, action="kept apart")
        if drop.all():
            raise InputError(code="read.sex_only_everywhere", params={
                "column": c, "labels": "; ".join(f"{i}: " + ", ".join(map(repr, vs[:2])) for i, vs in alone.items()),
                "label": next(iter(alone.values()))[0], "indicator": next(iter(alone))}, file=name, column=c)
        if drop.any():
            report.set_fate(lines[drop].tolist(), "kept apart")
            raw, lines = raw.loc[~drop].reset_index(drop=True), lines[~drop]
        break
    return raw, lines
