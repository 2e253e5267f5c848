"""The stakeholder register: who could take part in local e-governance, with what, and why.

A register is a table of stakeholders (``REGISTER_COLUMNS``) and a table of partnerships
(``PARTNERSHIP_COLUMNS``, existing or proposed). Standard types and their typical interests,
resources and incentives are data (``data/stakeholder_types.yaml``), used to fill blanks.

Examples
--------
>>> reg = make_register([{"name": "Town hall", "type": "local_authority"},
...                      {"name": "TelcoX", "type": "telecom_operator", "interest": "high"}],
...                     partnerships=[{"source": "Town hall", "target": "TelcoX", "status": "proposed",
...                                    "topic": "public Wi-Fi"}])
>>> reg.stakeholders.loc[1, ["influence", "interest"]].tolist()   # influence from the type default
['high', 'high']
>>> influence_interest_grid(reg)["quadrant"].tolist()
['manage closely', 'manage closely']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import networkx as nx
import pandas as pd
import yaml

from ..errors import InputError
from ..export import write_csv, write_excel
from ..shared.messages import render
from ..validate import ValidationReport
from ._files import EXCEL_SUFFIXES, read_table_file, sheet_where

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TYPES = DATA_DIR / "stakeholder_types.yaml"

#: Columns of the stakeholder table (lists are written ``"a; b"``).
REGISTER_COLUMNS = ["name", "type", "interests", "resources", "incentives", "influence", "interest",
                    "lat", "lon", "notes"]
#: Columns of the partnership table.
PARTNERSHIP_COLUMNS = ["source", "target", "status", "topic"]
PARTNERSHIP_STATUS = ("existing", "proposed")
LEVELS = ("low", "medium", "high")
#: Quadrants of the influence/interest grid (only ``high`` is above each line).
QUADRANTS = {(True, True): "manage closely", (True, False): "keep satisfied",
             (False, True): "keep informed", (False, False): "monitor"}


def _spec(path: str | Path | None = None) -> dict:
    path = Path(path) if path is not None else DEFAULT_TYPES
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(code="diagnosis.types_unreadable", params={"error": f"{type(exc).__name__}: {exc}"},
                         file=str(path)) from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("types"), dict) or "resources" not in spec:
        raise InputError(code="diagnosis.types_file", file=str(path))
    return spec


def load_stakeholder_types(path: str | Path | None = None) -> pd.DataFrame:
    """The default table of stakeholder types, ready to be edited.

    Returns one row per type: ``type``, ``label_en``, ``label_fr``, ``interests``,
    ``resources``, ``incentives`` (``"a; b"`` strings), ``influence``, ``interest``,
    ``helps_with`` (dimensions).

    >>> t = load_stakeholder_types()
    >>> len(t), t.loc[t["type"] == "telecom_operator", "resources"].item()
    (12, 'financial; technical; data')
    """
    spec = _spec(path)
    rows = []
    for tid, t in spec["types"].items():
        rows.append({"type": tid, "label_en": t["en"], "label_fr": t["fr"],
                     "interests": "; ".join(t["interests"]), "resources": "; ".join(t["resources"]),
                     "incentives": "; ".join(t["incentives"]), "influence": t["influence"],
                     "interest": t["interest"], "helps_with": "; ".join(t["helps_with"])})
    return pd.DataFrame(rows)


def stakeholder_labels(lang: str = "en", types: str | Path | dict | None = None) -> dict[str, str]:
    """Labels of the stakeholder type ids and of the resources in ``en`` or ``fr``.

    >>> lab = stakeholder_labels("fr")
    >>> lab["community_organisation"], lab["human"]
    ('Organisations communautaires et de la société civile', 'humaines')
    """
    lang = "fr" if lang == "fr" else "en"
    spec = types if isinstance(types, dict) else _spec(types)
    out = {tid: str(t.get(lang, t.get("en", tid))) for tid, t in spec["types"].items()}
    out.update({r: str(lab.get(lang, r)) for r, lab in spec.get("resource_labels", {}).items()})
    return out


@dataclass
class StakeholderRegister:
    """Stakeholders, their partnerships, and what was filled in or repaired.

    Attributes
    ----------
    stakeholders
        ``REGISTER_COLUMNS``; ``lat``/``lon`` are floats (NaN when not located).
    partnerships
        ``PARTNERSHIP_COLUMNS``; ``status`` is ``existing`` or ``proposed``.
    report
        Defaults taken from the type table, repaired spellings.
    types
        The stakeholder-types spec the register was checked against (the shipped one or the
        edited YAML given as ``types=``), used by :func:`who_could_help` and for labels.
    """

    stakeholders: pd.DataFrame
    partnerships: pd.DataFrame
    report: ValidationReport = field(default_factory=ValidationReport)
    types: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        n_loc = int(self.stakeholders["lat"].notna().sum())
        return (f"StakeholderRegister({len(self.stakeholders)} stakeholders of "
                f"{self.stakeholders['type'].nunique()} types, {n_loc} located, "
                f"{len(self.partnerships)} partnerships)")


def make_register(
    stakeholders: pd.DataFrame | Iterable[Mapping[str, Any]],
    partnerships: pd.DataFrame | Iterable[Mapping[str, Any]] | None = None,
    *,
    types: str | Path | None = None,
    fill_defaults: bool = True,
    source: str | None = None,
) -> StakeholderRegister:
    """Check a stakeholder table (and partnerships) and fill blanks from the type defaults.

    Parameters
    ----------
    stakeholders
        Rows with at least ``name`` and ``type`` (a type id such as ``telecom_operator``, or its
        English/French label). Other ``REGISTER_COLUMNS`` are optional.
    partnerships
        Rows with ``source``, ``target`` (stakeholder names), ``status`` (``existing`` or
        ``proposed``) and optionally ``topic``.
    types
        Path of an edited stakeholder-types YAML (default: the shipped one).
    fill_defaults
        Fill blank interests, resources, incentives, influence and interest from the type.
    source
        File name, for messages.

    Raises
    ------
    egovkit.errors.InputError
        Unknown type, resource or level, duplicated name, latitude/longitude out of range,
        partnership naming an unknown stakeholder; the message names the row and the fix.
    """
    spec = _spec(types)
    tdefs = spec["types"]
    report = ValidationReport(source=source or render("diagnosis.register_source"))
    df = pd.DataFrame(list(stakeholders)) if not isinstance(stakeholders, pd.DataFrame) else stakeholders.copy()
    if "name" not in df or "type" not in df:
        raise InputError(code="diagnosis.register_columns", file=source, column=", ".join(map(str, df.columns)))
    df = df.reset_index(drop=True)
    for c in REGISTER_COLUMNS:
        if c not in df:
            df[c] = ""
    text_cols = [c for c in REGISTER_COLUMNS if c not in ("lat", "lon")]
    for c in text_cols:
        df[c] = df[c].map(_text).astype("str")
    report.rows_in = len(df)
    # rows left entirely blank (a spreadsheet's empty lines) are not stakeholders: noted, left out
    blank = ~df.map(lambda v: _text(v) != "").any(axis=1)
    if blank.any():
        rows = [int(i) + 2 for i in df.index[blank]]
        report.add("info", "diagnosis.register_blank_rows", params={"n": len(rows), "rows": rows[:10]}, row=rows[0],
                   action="dropped")
        report.set_fate(rows, "dropped")
    kept_rows = [int(i) + 2 for i in df.index[~blank]]
    df = df.loc[~blank]
    lookup = {}
    for tid, t in tdefs.items():
        for k in (tid, t["en"], t["fr"]):
            lookup[_key(k)] = tid
    resources_ok = set(spec["resources"])
    for i in df.index:
        row, name = i + 2, df.at[i, "name"]
        if name == "":
            raise InputError(code="diagnosis.name_blank", file=source, row=row, column="name")
        raw = df.at[i, "type"]
        tid = lookup.get(_key(raw))
        if tid is None:
            raise InputError(code="diagnosis.type_blank" if raw == "" else "diagnosis.unknown_type",
                             params={"name": name, "type": raw, "types": list(tdefs)}, file=source, row=row,
                             column="type")
        if tid != raw:
            report.add("info", "diagnosis.type_normalised", params={"name": name, "raw": raw, "type": tid}, row=row,
                       column="type", action="repaired")
        df.at[i, "type"] = tid
        for col in ("interests", "resources", "incentives", "influence", "interest"):
            if df.at[i, col] == "" and fill_defaults:
                val = tdefs[tid][col]
                df.at[i, col] = "; ".join(val) if isinstance(val, list) else str(val)
                report.add("info", "diagnosis.default_from_type", params={"name": name, "column": col, "type": tid},
                           row=row, column=col, action="inferred")
        res = [r.strip().lower() for r in df.at[i, "resources"].split(";") if r.strip()]
        bad = [r for r in res if r not in resources_ok]
        if bad:
            raise InputError(code="diagnosis.unknown_resources", file=source, row=row, column="resources",
                             params={"name": name, "resources": bad, "known": list(spec["resources"])})
        df.at[i, "resources"] = "; ".join(res)
        for col in ("influence", "interest"):
            lvl = _level(df.at[i, col])
            if lvl is None:
                raise InputError(code="diagnosis.not_a_level", params={"name": name, "column": col,
                                                                       "value": df.at[i, col]},
                                 file=source, row=row, column=col)
            df.at[i, col] = lvl
    dup = df["name"][df["name"].duplicated()]
    if len(dup):
        raise InputError(code="diagnosis.stakeholder_twice", params={"name": dup.iloc[0]}, file=source,
                         row=int(dup.index[0]) + 2, column="name")
    for col, lim in (("lat", 90), ("lon", 180)):
        vals = pd.Series([_degrees(v, col, df.at[i, "name"], i + 2, source, report) for i, v in df[col].items()],
                         index=df.index, dtype=float)
        bad = vals.abs() > lim
        if bad.any():
            i = int(bad.idxmax())
            raise InputError(code="diagnosis.degrees_range", params={"name": df.at[i, "name"], "column": col,
                                                                     "value": vals[i]},
                             file=source, row=i + 2, column=col)
        df[col] = vals
    half = df["lat"].isna() != df["lon"].isna()
    for i in df.index[half]:
        report.add("warning", "diagnosis.half_location", params={"name": df.at[i, "name"]},
                   row=int(i) + 2, column="lat, lon", action="kept without location")
    df.loc[half, ["lat", "lon"]] = float("nan")
    df = df[REGISTER_COLUMNS].reset_index(drop=True)
    report.set_fate(kept_rows, "used")
    return StakeholderRegister(df, _check_partnerships(partnerships, set(df["name"]), source, report), report,
                               types=spec)


def _check_partnerships(partnerships: Any, names: set[str], source: str | None,
                        report: ValidationReport | None = None) -> pd.DataFrame:
    if partnerships is None:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in PARTNERSHIP_COLUMNS})
    p = pd.DataFrame(list(partnerships)) if not isinstance(partnerships, pd.DataFrame) else partnerships.copy()
    p = p.reset_index(drop=True)
    if len(p) and not {"source", "target"} <= set(p.columns):
        missing = [c for c in ("source", "target") if c not in p.columns]
        raise InputError(code="diagnosis.partnerships_columns", file=source, column=", ".join(missing),
                         params={"missing": missing, "columns": [str(c) for c in p.columns]})
    for c in PARTNERSHIP_COLUMNS:
        if c not in p:
            p[c] = "existing" if c == "status" else ""
        p[c] = p[c].map(_text).astype("str")
    blank = ~p.map(lambda v: _text(v) != "").any(axis=1) if len(p.columns) else pd.Series(False, index=p.index)
    if blank.any() and report is not None:
        rows = [int(i) + 2 for i in p.index[blank]]
        report.add("info", "diagnosis.partnership_blank_rows", params={"n": len(rows), "rows": rows[:10]},
                   row=rows[0], action="dropped", source=source)
    p = p.loc[~blank]
    p["status"] = p["status"].str.lower().replace("", "existing")
    for i in p.index:
        for c in ("source", "target"):
            if p.at[i, c] not in names:
                raise InputError(code="diagnosis.partnership_unknown", params={"name": p.at[i, c]}, file=source,
                                 row=i + 2, column=c)
        if p.at[i, "status"] not in PARTNERSHIP_STATUS:
            raise InputError(code="diagnosis.partnership_status", params={"status": p.at[i, "status"]}, file=source,
                             row=i + 2, column="status")
    return p[PARTNERSHIP_COLUMNS].reset_index(drop=True)


def read_register(path: str | Path, partnerships: str | Path | None = None, *,
                  types: str | Path | None = None) -> StakeholderRegister:
    """Read a register from CSV or Excel (an Excel file may hold a ``partnerships`` sheet).

    Any file ends in a register or an :class:`~egovkit.errors.InputError` naming the file (and
    sheet, row, column) and the fix: empty, binary, cut-off or renamed files, missing columns.
    The stakeholders are read from the sheet ``stakeholders`` (else the first sheet with columns
    ``name`` and ``type``); blank rows are noted in the report and left out.
    """
    path = Path(path)
    notes = ValidationReport(source=path.name)
    table, sheet = read_table_file(path, what="register", required=["name", "type"],
                                   sheet="stakeholders" if path.suffix.lower() in EXCEL_SUFFIXES else None,
                                   report=notes, fix_code="diagnosis.register_file")
    where = sheet_where(path.name, sheet)
    part, part_where = None, None
    if sheet is not None:
        import openpyxl

        try:
            sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
        except Exception:  # noqa: BLE001 - it was read above; a sheet list is only a convenience
            sheets = []
        if "partnerships" in sheets:
            part, _ = read_table_file(path, what="register", required=[], sheet="partnerships",
                                      report=notes)
            part_where = sheet_where(path.name, "partnerships")
    if partnerships is not None:
        part, _ = read_table_file(partnerships, what="partnerships", required=["source", "target"],
                                  report=notes, fix_code="diagnosis.partnerships_file")
        part_where = Path(partnerships).name
    reg = make_register(table, None, types=types, source=where)
    reg.partnerships = _check_partnerships(part, set(reg.stakeholders["name"]), part_where, reg.report)
    reg.report.extend(notes.issues)
    if reg.stakeholders.empty:
        reg.report.add("warning", "diagnosis.no_stakeholder", params={})
    return reg


def write_register(register: StakeholderRegister, path: str | Path) -> Path:
    """Write the register: ``.xlsx`` (sheets stakeholders and partnerships) or ``.csv``
    (stakeholders; partnerships next to it as ``<stem>_partnerships.csv``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        # names come from user files: formulas neutralised (egovkit.export), restored when read back
        write_csv(register.stakeholders, path)
        write_csv(register.partnerships, path.with_name(path.stem + "_partnerships.csv"))
    else:
        write_excel({"stakeholders": register.stakeholders, "partnerships": register.partnerships}, path)
    return path


def influence_interest_grid(register: StakeholderRegister) -> pd.DataFrame:
    """Place each stakeholder on the influence/interest grid.

    Columns ``name``, ``type``, ``influence``, ``interest``, ``influence_level``,
    ``interest_level`` (1-3) and ``quadrant``: ``manage closely`` (high influence and high
    interest), ``keep satisfied`` (high influence only), ``keep informed`` (high interest
    only), ``monitor``. Only ``high`` counts as above a line.
    """
    s = register.stakeholders
    out = s[["name", "type", "influence", "interest"]].copy()
    out["influence_level"] = out["influence"].map({v: i + 1 for i, v in enumerate(LEVELS)})
    out["interest_level"] = out["interest"].map({v: i + 1 for i, v in enumerate(LEVELS)})
    out["quadrant"] = [QUADRANTS[(a == "high", b == "high")] for a, b in zip(out["influence"], out["interest"])]
    return out


def partnership_graph(register: StakeholderRegister) -> nx.Graph:
    """Network of existing and proposed partnerships (networkx).

    Nodes are stakeholder names with attributes ``type``, ``influence``, ``interest``; edges
    carry ``status`` (``existing`` wins over ``proposed`` when both are given) and ``topic``.

    >>> reg = make_register([{"name": "A", "type": "ngo"}, {"name": "B", "type": "media"}],
    ...                     [{"source": "A", "target": "B", "status": "proposed"}])
    >>> partnership_graph(reg).edges(data="status")
    EdgeDataView([('A', 'B', 'proposed')])
    """
    g = nx.Graph()
    for r in register.stakeholders.itertuples(index=False):
        g.add_node(r.name, type=r.type, influence=r.influence, interest=r.interest)
    for r in register.partnerships.itertuples(index=False):
        if g.has_edge(r.source, r.target):
            e = g.edges[r.source, r.target]
            e["status"] = "existing" if "existing" in (e["status"], r.status) else "proposed"
            e["topic"] = "; ".join(t for t in dict.fromkeys([e["topic"], r.topic]) if t)
        else:
            g.add_edge(r.source, r.target, status=r.status, topic=r.topic)
    return g


def located_stakeholders(register: StakeholderRegister):
    """Located stakeholders as a GeoDataFrame of points (EPSG:4326); the others are left out."""
    import geopandas as gpd

    s = register.stakeholders.dropna(subset=["lat", "lon"])
    return gpd.GeoDataFrame(s.reset_index(drop=True), geometry=gpd.points_from_xy(s["lon"], s["lat"]), crs=4326)


def who_could_help(
    register: StakeholderRegister,
    result: Any,
    *,
    n_weakest: int = 3,
    types: str | Path | None = None,
) -> pd.DataFrame:
    """Link stakeholders' resources to the weakest dimensions of an assessment.

    For each of the ``n_weakest`` dimensions, each stakeholder gets a ``relevance`` = number
    of its resources that the dimension needs (``dimension_needs`` in the types YAML) + 1 if
    its type typically helps with that dimension (``helps_with``). Stakeholders with relevance
    0 are left out. Sorted weakest dimension first, then relevance, then influence.

    Parameters
    ----------
    register
        A :class:`StakeholderRegister`.
    result
        An :class:`~egovkit.diagnosis.scoring.AssessmentResult` (its :meth:`weakest` dimensions:
        scored, with enough answers), or a DataFrame with columns ``dimension`` and ``score``.
    types
        A stakeholder-types YAML; default: the spec the register was made with.

    Returns
    -------
    DataFrame
        ``dimension``, ``score``, ``name``, ``type``, ``matching_resources``,
        ``type_helps``, ``influence``, ``interest``, ``relevance``.
    """
    spec = _spec(types) if types is not None else (register.types or _spec())
    if hasattr(result, "weakest"):
        weakest = result.weakest(n_weakest)
    else:
        dims = pd.DataFrame(result)
        weakest = dims.dropna(subset=["score"]).sort_values(["score", "dimension"]).head(n_weakest)
    rank = {v: i for i, v in enumerate(LEVELS)}
    rows = []
    for d in weakest.itertuples(index=False):
        needs = set(spec["dimension_needs"].get(d.dimension, []))
        for s in register.stakeholders.itertuples(index=False):
            match = [r for r in s.resources.split("; ") if r in needs]
            helps = d.dimension in spec["types"].get(s.type, {}).get("helps_with", [])
            rel = len(match) + int(helps)
            if rel:
                rows.append({"dimension": d.dimension, "score": d.score, "name": s.name, "type": s.type,
                             "matching_resources": "; ".join(match), "type_helps": helps,
                             "influence": s.influence, "interest": s.interest, "relevance": rel,
                             "_inf": rank[s.influence]})
    cols = ["dimension", "score", "name", "type", "matching_resources", "type_helps", "influence", "interest",
            "relevance"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows).sort_values(["score", "dimension", "relevance", "_inf", "name"],
                                         ascending=[True, True, False, False, True], kind="stable")
    return out[cols].reset_index(drop=True)


def _text(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x).strip() for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _degrees(v: Any, col: str, name: str, row: int, source: str | None, report: ValidationReport) -> float:
    """A latitude/longitude cell as a float (NaN when blank); ``-1,28`` (decimal comma) is repaired."""
    text = _text(v)
    if text == "":
        return float("nan")
    try:
        x = float(text)
    except ValueError:
        x = None
        if text.count(",") == 1 and "." not in text:
            try:
                x = float(text.replace(",", "."))
            except ValueError:
                x = None
            if x is not None:
                report.add("info", "diagnosis.decimal_comma", params={"name": name, "column": col, "text": text,
                                                                      "value": x},
                           row=row, column=col, action="repaired")
        if x is None:
            raise InputError(code="diagnosis.not_degrees", params={"name": name, "column": col, "text": text},
                             file=source, row=row, column=col) from None
    if math.isnan(x):
        raise InputError(code="diagnosis.not_degrees", params={"name": name, "column": col, "text": text},
                         file=source, row=row, column=col)
    return x


def _key(s: str) -> str:
    return "".join(ch for ch in str(s).lower() if ch.isalnum())


def _level(v: str) -> str | None:
    v = str(v).strip().lower()
    return {"1": "low", "2": "medium", "3": "high", "faible": "low", "moyen": "medium", "moyenne": "medium",
            "élevé": "high", "elevé": "high", "eleve": "high", "élevée": "high"}.get(v, v if v in LEVELS else None)
