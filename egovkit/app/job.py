"""What the app does, without the widgets: recognise the files, say the same thing as a command
line and a Python call, run the diagnosis and package its report.

The app (:mod:`egovkit.app.ui`) only shows these results and edits :class:`Options`. Nothing
here builds a path from a name a user gave: files come from an
:class:`~egovkit.app.uploads.UploadStore` under fixed names.

Examples
--------
>>> opts = Options(level="AdminArea", district_level="County", boundary_key="name")
>>> print(command_line(opts, {"table": "V4_T2.36.csv", "boundaries": "counties.geojson"}))
egovkit run V4_T2.36.csv counties.geojson --out report --level AdminArea --district-level County --boundary-key name
"""

from __future__ import annotations

import io
import shlex
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from ..shared.messages import render, said_in
from ..validate import ValidationReport

__all__ = ["Options", "Recognition", "recognise_table", "command_line", "python_call", "run_job",
           "zip_folder", "ordered_report", "table_columns", "boundary_columns", "guess_boundary_key",
           "indicator_choices", "JobResult", "with_options"]

#: What changes the figures comes first: errors, then warnings, then notes; within each, rows
#: dropped, then values repaired, then rows kept apart, then guesses.
_SEVERITY = {"error": 0, "warning": 1, "info": 2}
_ACTION = {"dropped": 0, "repaired": 1, "kept apart": 2, "inferred": 3}


@dataclass
class Options:
    """The choices a person makes in the app; each maps to an argument of the library."""

    area: str | None = None
    code: str | None = None
    level: str | None = None
    district_level: str | None = None
    denominator: str | None = None
    value_type: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    boundary_key: str | None = None
    population_column: str | None = None
    territory_name: str | None = None  # None: "Territory" in the report's language
    radii_m: tuple[float, ...] = (100.0, 250.0, 500.0)
    n_new_sites: int = 10
    lang: str = "en"

    def read_kwargs(self) -> dict[str, Any]:
        """Arguments of :func:`egovkit.read.read_table` that differ from its defaults."""
        said = {"name": self.area, "key": self.code}  # the page's "area"/"code" selectors
        kw = {k: getattr(self, k) for k in ("level", "district_level", "denominator", "value_type")}
        kw = {k: v for k, v in {**said, **kw}.items() if v}
        if self.columns:
            kw["columns"] = dict(self.columns)
        return kw


@dataclass
class Recognition:
    """What one column of a table was taken for, and how sure the reader was."""

    column: str
    role: str
    indicator: str = ""
    universe: str = ""
    value_kind: str = ""
    confidence: str = ""
    reason: str = ""


# -- reading and recognising ----------------------------------------------------------------

def table_columns(path: Path, limit: int = 300) -> tuple[list[str], pd.DataFrame]:
    """The header and first rows of a table, for the drop-downs (the reader does the real reading)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            df = pd.read_excel(path, nrows=limit, dtype=str)
        else:
            df = None
            for enc in ("utf-8-sig", "cp1252"):
                try:
                    df = pd.read_csv(path, nrows=limit, dtype=str, sep=None, engine="python", encoding=enc)
                    break
                except UnicodeDecodeError:
                    continue
            if df is None:
                return [], pd.DataFrame()
    except Exception:  # the reader will say what is wrong with the file
        return [], pd.DataFrame()
    cols = [str(c) for c in df.columns]
    df.columns = cols
    return cols, df


def _recogniser() -> Callable[[str], Any] | None:
    for mod in ("egovkit.read", "egovkit.read.roles", "egovkit.columns"):
        try:
            return __import__(mod, fromlist=["recognise_indicator"]).recognise_indicator
        except (ImportError, AttributeError):
            continue
    return None


def indicator_choices() -> list[str]:
    """Canonical indicator names a column can be assigned to (and ``ignore``)."""
    from ..indicators import itu_catalogue

    return list(itu_catalogue()["name"]) + ["ignore"]


def recognise_table(path: Path, options: Options) -> tuple[Any, list[Recognition], ValidationReport]:
    """Read the table with the options; what each column was taken for; the reading report.

    The recognitions come from ``report.recognitions`` when the reader gives them, and are
    otherwise pieced together from the report's notes and the table's rows.
    """
    from ..read import read_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = read_table(path, **options.read_kwargs())
    report = table.report
    items = list(getattr(report, "recognitions", None) or [])
    if not items:
        return table, _recognitions_from_report(path, table, options), report
    recs = [_as_recognition(i, options.lang) for i in items]
    # how the values were read (counts, percent, shares) is decided from the values, after the headers
    kinds = {i.column: _value_kind(i.message) for i in report.issues if i.code == "value_type" and i.column}
    for r in recs:
        if r.role == "indicator" and not r.value_kind:
            r.value_kind = kinds.get(r.column) or str(table.value_type or "")
    return table, recs, report


def _value_kind(message: str) -> str:
    return next((k for k in ("percent", "share", "count") if f"as {k}" in message), "")


def _as_recognition(item: Any, lang: str) -> Recognition:
    """A reader's recognition for the page, its reason in ``lang`` (a catalogue phrase said again in it)."""
    get = (lambda k: item.get(k, "")) if isinstance(item, dict) else (lambda k: getattr(item, k, ""))
    reason = get("reason") or ""
    conf = get("confidence")
    if isinstance(conf, (int, float)) and not isinstance(conf, bool):
        conf = f"{conf:.0%}" if conf <= 1 else f"{conf:g}"
    return Recognition(*(("" if get(k) is None else str(get(k))) for k in
                         ("column", "role", "indicator", "universe", "value_kind")), str(conf or ""),
                       str(said_in(reason, lang)))


def _recognitions_from_report(path: Path, table: Any, options: Options) -> list[Recognition]:
    cols, _ = table_columns(path)
    recognise = _recogniser()
    universe = dict(zip(table.data["indicator"].astype(str), table.data["universe"].astype(str)))
    given = {v: k for k, v in options.read_kwargs().items() if isinstance(v, str)}
    words = {w: render(f"app.{w}", lang=options.lang) for w in ("set_by_you", "guessed", "recognised")}
    out: dict[str, Recognition] = {}
    for issue in table.report.issues:
        col, code, msg = issue.column, issue.code, issue.message  # msg: English, read for the value kind
        said = issue.text(options.lang)
        how = words["set_by_you"] if col in given else (words["guessed"] if issue.action == "inferred"
                                                         else words["recognised"])
        if code in ("area_column", "parent_column", "code_column", "level_column") and col:
            out[col] = Recognition(col, code.replace("_column", ""), confidence=how, reason=said)
        elif code == "district_level" and col:
            out[col] = Recognition(col, "level", confidence=how, reason=said)
        elif code == "value_type" and col:
            kind = _value_kind(msg)
            ind = _indicator_of(col, options, recognise)
            out[col] = Recognition(col, "indicator", ind, universe.get(ind, ""), kind, how, said)
            den = msg.split(" of '", 1)[1].split("'", 1)[0] if " of '" in msg else ""
            if den and den not in out:
                out[den] = Recognition(den, "denominator", universe=universe.get(ind, ""), value_kind="count",
                                       confidence=words["set_by_you"] if den == options.denominator
                                       else words["recognised"],
                                       reason=render("app.denominator_of", {"column": col}, lang=options.lang))
    for col in cols:
        if col in out:
            continue
        ind = _indicator_of(col, options, recognise)
        if ind and ind in universe:
            out[col] = Recognition(col, "indicator", ind, universe[ind], table.value_type,
                                   words["set_by_you"] if col in options.columns else words["recognised"],
                                   render("app.header_names_indicator", lang=options.lang))
        else:
            out[col] = Recognition(col, "ignored", confidence="",
                                   reason=render("app.column_ignored", lang=options.lang))
    order = {c: i for i, c in enumerate(cols)}
    return sorted(out.values(), key=lambda r: order.get(r.column, len(order)))


def _indicator_of(col: str, options: Options, recognise: Callable[[str], Any] | None) -> str:
    if col in options.columns:
        return options.columns[col]
    if recognise is not None:
        try:
            return str(recognise(col).indicator or "")
        except Exception:
            return ""
    from ..indicators import canonical_name

    return canonical_name(col) or ""


def boundary_columns(boundaries: gpd.GeoDataFrame) -> list[str]:
    """Columns of the boundaries that can identify a district (not the geometry)."""
    return [str(c) for c in boundaries.columns if c != boundaries.geometry.name]


def guess_boundary_key(boundaries: gpd.GeoDataFrame, table: pd.DataFrame) -> str | None:
    """The boundaries' column sharing most values with a column of ``table`` (codes or names)."""
    from ..join import normalise_name

    best, score = None, 0
    tvals = [set(normalise_name(table[c].dropna().astype(str))) for c in table.columns]
    for c in boundary_columns(boundaries):
        vals = set(normalise_name(boundaries[c].dropna().astype(str)))
        n = max((len(vals & t) for t in tvals), default=0)
        if n > score:
            best, score = c, n
    return best


def ordered_report(report: ValidationReport) -> pd.DataFrame:
    """The report as a table, what changes the figures first (errors, warnings; drops, repairs)."""
    df = report.to_frame()
    if df.empty:
        return df
    action = df["action"] if "action" in df else pd.Series("", index=df.index)
    rank = action.fillna("").astype(str).map(lambda a: next((v for k, v in _ACTION.items() if a.startswith(k)), 5))
    key = df["severity"].map(_SEVERITY).fillna(3) * 10 + rank
    return df.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


# -- the same thing as a command line and a Python call -----------------------------------

def _radii(options: Options) -> list[str]:
    return [f"{r:g}" for r in options.radii_m]


def command_line(options: Options, names: dict[str, str]) -> str:
    """``egovkit run ...`` doing what the app does with these files and options.

    ``names`` maps an upload kind to the (safe) file name to show. An option the command line
    has no flag for is said in a trailing comment (the Python call has it).
    """
    q = shlex.quote
    b = q(names.get("boundaries", "BOUNDARIES"))
    if "table" in names:
        parts = ["egovkit", "run", q(names["table"]), b, "--out", "report"]
    else:
        parts = ["egovkit", "run", "--boundaries", b, "--out", "report"]
    for kind, flag in (("hotspots", "--hotspots"), ("population", "--population"),
                       ("questionnaire", "--assessment")):
        if kind in names:
            parts += [flag, q(names[kind])]
    for opt in ("area", "code", "level", "district_level", "denominator", "value_type", "boundary_key",
                "population_column"):
        v = getattr(options, opt)
        if v and (opt != "population_column" or "population" in names):
            parts += ["--" + opt.replace("_", "-"), q(v)]
    for col, ind in options.columns.items():
        parts += ["--columns", q(f"{col}={ind}")]
    if options.territory_name:
        parts += ["--name", q(options.territory_name)]
    if tuple(options.radii_m) != (100.0, 250.0, 500.0):
        for r in _radii(options):
            parts += ["--radius", r]
    if options.lang != "en":
        parts += ["--lang", options.lang]
    line = " ".join(parts)
    if options.n_new_sites != 10 and {"hotspots", "population"} <= set(names) and not _takes_new_sites():
        line += "  # " + render("app.new_sites_not_an_option", {"n": options.n_new_sites}, lang=options.lang)
    return line


def _takes_new_sites() -> bool:
    import inspect

    from ..run_files import diagnose_files

    return "n_new_sites" in inspect.signature(diagnose_files).parameters


def _run_kwargs(options: Options, names: dict[str, Any]) -> dict[str, Any]:
    """Arguments of :func:`egovkit.run_files.diagnose_files` (files as given in ``names``)."""
    kw: dict[str, Any] = {}
    for kind, arg in (("hotspots", "hotspots"), ("population", "population"), ("questionnaire", "assessment")):
        if kind in names:
            kw[arg] = names[kind]
    table_columns = {"name": "name", "key": "code", "level": "level", "district_level": "district_level",
                     "denominator": "denominator"}  # read_table's keyword -> diagnose_files'
    kw.update({table_columns[k]: v for k, v in options.read_kwargs().items() if k in table_columns})
    read = {k: v for k, v in options.read_kwargs().items() if k in ("value_type", "columns")}
    if read:
        kw["read_options"] = read
    if options.boundary_key:
        kw["key"] = options.boundary_key
    if options.population_column and "population" in names:
        kw["population_column"] = options.population_column
    kw["territory_name"] = options.territory_name
    if tuple(options.radii_m) != (100.0, 250.0, 500.0):
        kw["radii_m"] = tuple(float(r) for r in options.radii_m)
    if options.n_new_sites != 10 and _takes_new_sites():
        kw["n_new_sites"] = options.n_new_sites
    kw["lang"] = options.lang
    return kw


def python_call(options: Options, names: dict[str, str]) -> str:
    """The Python lines doing what the app does (they run as they are, given the files)."""
    kw = _run_kwargs(options, names)
    args = [repr(names["table"]) if "table" in names else "None", repr(names.get("boundaries", "BOUNDARIES")),
            "'report'"] + [f"{k}={v!r}" for k, v in kw.items()]
    lines = ["from egovkit.run_files import diagnose_files", "",
             "result = diagnose_files(" + args[0] + ", " + args[1] + ", " + args[2] + ","]
    for a in args[3:]:
        lines.append(f"                        {a},")
    lines[-1] = lines[-1].rstrip(",") + ")"
    lines.append("print(result.summary())")
    if options.n_new_sites != 10 and {"hotspots", "population"} <= set(names) and not _takes_new_sites():
        lines.append("# " + render("app.new_sites_in_python", {"n": options.n_new_sites}, lang=options.lang))
    return "\n".join(lines)


# -- running --------------------------------------------------------------------------------

@dataclass
class JobResult:
    """A finished run: the diagnosis, its report folder and the files to download."""

    diagnosis: Any
    out_dir: Path
    zip_bytes: bytes
    workbook: Path


def run_job(paths: dict[str, Path], options: Options, out_dir: Path,
            step: Callable[[str], None] = lambda name: None) -> JobResult:
    """Run the diagnosis on the uploaded files into ``out_dir``; ``step(name)`` is told each step.

    This is :func:`egovkit.run_files.diagnose_files`, what ``egovkit run`` does (coverage only
    when there is no census table); then the report folder is zipped.
    """
    from ..run_files import diagnose_files

    if "boundaries" not in paths:
        raise InputError(code="app.no_boundaries")
    if "table" not in paths and not ("hotspots" in paths and "population" in paths):
        raise InputError(code="app.nothing_to_diagnose")
    step("diagnosis")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if options.n_new_sites != 10 and {"hotspots", "population"} <= set(paths) and not _takes_new_sites():
            diag = _diagnose_new_sites(paths, options, out_dir)
        else:
            diag = diagnose_files(paths.get("table"), paths["boundaries"], out_dir, force=True,
                                  **_run_kwargs(options, paths))
    step("packaging")
    workbook = out_dir / "tables.xlsx"
    if not workbook.exists():  # a report writer without it: the same workbook from the CSV tables
        from ..present.workbook import write_workbook

        write_workbook(out_dir / "tables", workbook, title=diag.territory_name, lang=options.lang,
                       validation=diag.report)
    return JobResult(diag, out_dir, zip_folder(out_dir), workbook)


def _diagnose_new_sites(paths: dict[str, Path], options: Options, out_dir: Path) -> Any:
    """:func:`~egovkit.run_files.diagnose_files` with another number of new sites, which it does not
    take yet: the same steps with the same public functions, ``n_new_sites`` passed to ``diagnose``."""
    from ..coverage import coverage, read_hotspots, read_population
    from ..geo import read_boundaries
    from ..pipeline import coverage_table, diagnose
    from ..run_files import load_assessment, read_census_file

    b = read_boundaries(paths["boundaries"])
    key = options.boundary_key
    pop_key = key or guess_boundary_key(b, table_columns(paths["population"])[1])
    assessment = load_assessment(paths["questionnaire"]) if "questionnaire" in paths else None
    sites, hrep = read_hotspots(paths["hotspots"], districts=b,
                                **({"key": pop_key} if "table" not in paths and pop_key else {}))
    pop = read_population(paths["population"], districts=b, key=pop_key, population=options.population_column)
    common: dict[str, Any] = dict(territory_name=options.territory_name, hotspots=sites, population=pop,
                                  radii_m=tuple(options.radii_m), n_new_sites=options.n_new_sites,
                                  assessment=assessment, lang=options.lang, out_dir=out_dir, force=True)
    if "table" in paths:
        table = read_census_file(paths["table"], **options.read_kwargs())
        table.report.extend(hrep)
        return diagnose(table, b, key=key, **common)
    if pop_key is None:
        raise InputError(code="app.coverage_needs_key")
    cov = coverage(pop, sites, tuple(options.radii_m), quantiles=None)
    table, districts = coverage_table(cov, b, pop_key, pop_key,
                                      source=render("pipeline.coverage_source", lang=options.lang),
                                      extra=[*hrep.issues, *pop.report.issues])
    mid = int(sorted(options.radii_m)[len(options.radii_m) // 2])
    return diagnose(table, districts, key="area_code", main_indicator=f"wifi_{mid}m",
                    report_options={"static_maps_for": [f"wifi_{mid}m"]}, **common)


def zip_folder(folder: Path) -> bytes:
    """The folder as a ZIP (paths relative to it, under one top folder ``report/``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and not p.is_symlink():
                zf.write(p, "report/" + p.relative_to(folder).as_posix())
    return buf.getvalue()


def with_options(options: Options, **changes: Any) -> Options:
    """A copy of ``options`` with some changed (``columns`` copied)."""
    return replace(options, columns=dict(options.columns), **changes)

