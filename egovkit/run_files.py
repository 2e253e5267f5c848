"""The main job on the user's files: what ``egovkit run``, ``egovkit validate`` and the app read.

Each file is read by the public reader of its kind (a raw ACS S2801 download by its own reader,
a filled-in questionnaire as an assessment, a population table matched to the boundaries'
column its districts name), then :func:`egovkit.pipeline.diagnose` does the rest.

Examples
--------
>>> from egovkit.run_files import diagnose_files                             # doctest: +SKIP
>>> d = diagnose_files("census.csv", "districts.gpkg", "out/mine")           # doctest: +SKIP
>>> print(d.summary())                                                       # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import geopandas as gpd
import pandas as pd

from .errors import InputError
from .output_folder import check_folder
from .pipeline import Diagnosis, coverage_table, diagnose
from .shared.messages import render
from .shared.renamed import renamed
from .table import CensusTable
from .validate import ValidationReport

# -- reading the user's files ----------------------------------------------------------------

#: Words of a boundaries column naming the districts (code first), for coverage-only runs.
_CODE_WORDS = re.compile(r"(^|[^a-z])(code|id|geoid|geo_id|fips|pcode|adm\d_pcode|insee|ubigeo)([^a-z]|$)", re.I)
_NAME_WORDS = re.compile(r"name|nom|nombre|nome|label|libell|district|county|commune|municip|ward|region", re.I)


def _unique_columns(b: gpd.GeoDataFrame) -> list[str]:
    """Columns of ``b`` (not the geometry) whose values name each feature once."""
    out = []
    for c in b.columns:
        if c == b.geometry.name:
            continue
        v = b[c]
        if v.notna().all() and v.astype(str).nunique() == len(b) and not pd.api.types.is_float_dtype(v):
            out.append(str(c))
    return out


def _label_column(b: gpd.GeoDataFrame) -> str | None:
    """The boundaries' column naming each district: a code column first, then a name column."""
    cols = _unique_columns(b)
    return next((c for c in cols if _CODE_WORDS.search(c)), None) or \
        next((c for c in cols if _NAME_WORDS.search(c)), None) or (cols[0] if cols else None)


def _name_column(b: gpd.GeoDataFrame, key: str) -> str:
    """A column of district names for the report (``key`` itself when there is none)."""
    for c in b.columns:
        if c != b.geometry.name and c != key and _NAME_WORDS.search(str(c)) and b[c].dtype == object:
            return str(c)
    return key


_TABULAR = (".csv", ".tsv", ".txt", ".xlsx", ".xls")
#: Rows of a population table read to find the boundaries' column its districts match.
_KEY_ROWS = 20_000
_COORDINATE = re.compile(r"^(lat|lon|lng|long|latitude|longitude|x|y)$|latitude|longitude", re.I)


def _population_key(b: gpd.GeoDataFrame, population: str | Path) -> str | None:
    """The boundaries' column whose codes or names match a column of a population table by district.

    None for a raster or a vector layer, or when no column matches.
    """
    from .join import normalise_code, normalise_name

    path = Path(population)
    if path.suffix.lower() not in _TABULAR or not path.is_file():
        return None
    try:  # the first rows are enough to tell which column the codes or names match
        if path.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str, nrows=_KEY_ROWS)
        else:
            df = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding_errors="replace", nrows=_KEY_ROWS)
    except Exception:  # unreadable here: read_population says why, with the file's name
        return None
    if any(_COORDINATE.search(str(c)) for c in df.columns):
        return None  # points: located by their coordinates, not by a district column
    best: tuple[int, str | None] = (0, None)
    for bc in _unique_columns(b):
        for norm in (normalise_code, normalise_name):
            try:
                targets = set(norm(b[bc].astype(str)).dropna())
            except Exception:  # a column that cannot be a key
                continue
            for tc in df.columns:
                try:
                    hits = int(norm(df[tc].dropna().astype(str)).isin(targets).sum())
                except Exception:
                    continue
                if hits > best[0]:
                    best = (hits, bc)
    return best[1]


def _named_options(**options: Any) -> dict[str, Any]:
    """The options that were given (not None)."""
    return {k: v for k, v in options.items() if v is not None}


def _read_population(path: str | Path, boundaries: gpd.GeoDataFrame, key: str | None,
                     column: str | None = None) -> Any:
    from .coverage import read_population

    if key is None:  # a table by district needs the boundaries' column that its codes or names match
        key = _population_key(boundaries, path)
    return read_population(path, districts=boundaries, key=key, population=column)


def load_assessment(path: str | Path, *, assessment_date: str | None = None, assessor: str | None = None) -> Any:
    """A filled-in questionnaire (``egovkit assess template``) as an assessment for the report.

    When the file holds several assessments, the one of ``assessment_date`` and/or ``assessor``.

    Examples
    --------
    >>> a = load_assessment("assessment.xlsx", assessment_date="2025-03-01")   # doctest: +SKIP
    """
    from .diagnosis import read_assessments

    found = read_assessments(path)
    held = [(a.territory, a.date, a.assessor) for a in found]
    if assessment_date is not None:
        found = [a for a in found if str(a.date) == str(assessment_date)]
    if assessor is not None:
        found = [a for a in found if a.assessor == assessor]
    if len(found) != 1:
        said = "; ".join(render("pipeline.assessment_by", {"territory": t, "date": d, "assessor": w})
                         for t, d, w in held[:6])
        raise InputError(code="pipeline.assessments_match", params={"n": len(found), "held": len(held), "found": said},
                         file=str(path), column="assessment_date, assessed_by")
    return found[0]


# -- raw ACS S2801 downloads -------------------------------------------------------------------

_ACS_COLUMN = re.compile(r"S2801_C0\d_\d{3}[EM]")


def is_acs_s2801(path: str | Path) -> bool:
    """True when ``path`` is a raw ACS S2801 download (``GEO_ID``, ``NAME``, ``S2801_C01_001E``... in row 1).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "ACSST1Y2018.S2801_data_with_overlays.csv"
    >>> _ = p.write_text('"GEO_ID","NAME","S2801_C01_001E","S2801_C01_001M"\\n"id","Geographic Area Name"\\n')
    >>> is_acs_s2801(p), is_acs_s2801(__file__)
    (True, False)
    """
    path = Path(path)
    if isinstance(path, Path) and not path.is_file():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return False
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    cells = [c.strip().strip('"').strip() for c in (first[0].split(",") if first else [])]
    return "GEO_ID" in cells and any(_ACS_COLUMN.fullmatch(c) for c in cells)


def acs_metadata_file(path: str | Path) -> Path | None:
    """The ``..._metadata.csv`` downloaded beside a ``..._data_with_overlays.csv``, if it is there.

    Examples
    --------
    >>> acs_metadata_file("/nowhere/ACSST1Y2018.S2801_data_with_overlays.csv") is None
    True
    """
    path = Path(path)
    if "_data_with_overlays" not in path.name:
        return None
    meta = path.with_name(path.name.replace("_data_with_overlays", "_metadata"))
    return meta if meta.is_file() else None


def _read_acs(path: Path, metadata: Path | None) -> CensusTable:
    try:
        from .read.acs import read_acs_s2801  # the reader package
    except ImportError:
        from .acs import read_acs_s2801  # type: ignore[no-redef]
    return read_acs_s2801(path, metadata)


def read_census_file(path: str | Path, **options: Any) -> CensusTable:
    """Read a census table, routing a raw ACS S2801 download to its own reader.

    ``options`` go to :func:`egovkit.read.read_table`; for an ACS download they do not apply
    (its layout is fixed) and a warning names them.

    Examples
    --------
    >>> t = read_census_file("ACSST1Y2018.S2801_data_with_overlays.csv")   # doctest: +SKIP
    >>> t.report.by_code("acs_s2801")                                     # doctest: +SKIP
    """
    from .read import read_table

    if not isinstance(path, pd.DataFrame) and is_acs_s2801(path):
        meta = acs_metadata_file(path)
        t = _read_acs(Path(path), meta)
        t.report.add("info", "pipeline.acs_s2801_metadata" if meta else "pipeline.acs_s2801",
                     params={"metadata": meta.name if meta else ""}, action="recognised")
        given = _named_options(**options)
        if given:
            t.report.add("warning", "pipeline.options_ignored", params={"options": ", ".join(f"{k}=" for k in given)},
                         action="ignored")
        return t
    return read_table(path, **options)


@renamed(area="name", boundary_key="key")
def validate_files(table: str | Path, boundaries: str | Path | None = None, *, name: str | None = None,
                   code: str | None = None, key: str | None = None, denominator: str | None = None,
                   level: str | None = None, district_level: str | None = None,
                   read_options: dict[str, Any] | None = None, boundary_options: dict[str, Any] | None = None,
                   overrides: dict[str, str] | None = None) -> ValidationReport:
    """Validation report of a table and (optionally) of its join to boundaries.

    ``name`` and ``code``: the table's columns of district names and codes (``read_table(name=, key=)``);
    ``key``: the column of the boundaries to join on (was ``boundary_key=``; ``area=`` was ``name=``).

    >>> validate_files("census.csv", "districts.gpkg", key="code").has_errors   # doctest: +SKIP
    False
    """
    from .geo import read_boundaries
    from .join import join_table

    options = {**_named_options(name=name, key=code, denominator=denominator, level=level,
                                district_level=district_level), **(read_options or {})}
    t = read_census_file(table, **options)
    report = ValidationReport(source=t.report.source, rows_in=t.report.rows_in)
    report.extend(t.report)
    if boundaries is not None:
        b = read_boundaries(boundaries, report=report, **(boundary_options or {}))
        j = join_table(t, b, boundary_on=key, overrides=overrides)
        report.extend(j.report)
    return report


# -- the main job on files -------------------------------------------------------------------

@renamed(area="name", boundary_key="key")
def diagnose_files(table: str | Path | None, boundaries: str | Path, out_dir: str | Path, *,
                   hotspots: str | Path | None = None, population: str | Path | None = None,
                   name: str | None = None, code: str | None = None, key: str | None = None,
                   denominator: str | None = None, district_level: str | None = None, level: str | None = None,
                   read_options: dict[str, Any] | None = None, boundary_options: dict[str, Any] | None = None,
                   hotspot_options: dict[str, Any] | None = None, population_column: str | None = None,
                   overrides: dict[str, str] | None = None, assessment: Any = None,
                   territory_name: str | None = None, radii_m: Sequence[float] = (100.0, 250.0, 500.0),
                   lang: str = "en", force: bool = False, fix_text: Any = None,
                   n_new_sites: int = 10) -> Diagnosis:
    """The main job on user files (see ``egovkit run --help``); ``force`` and ``n_new_sites`` as in
    :func:`egovkit.pipeline.diagnose`.

    ``table`` may be a raw ACS S2801 download (read by :func:`read_census_file`), or None for a
    coverage-only run (``hotspots`` and ``population`` then required, see
    :func:`diagnose_coverage_files`). ``read_options`` go to :func:`egovkit.read.read_table`
    (``value_type``, ``columns``, ``parent``...), ``boundary_options`` to
    :func:`egovkit.geo.read_boundaries` (``layer``, ``crs``), ``hotspot_options`` to
    :func:`egovkit.coverage.read_hotspots` (``crs``); ``assessment`` is an assessment or the path
    of a filled-in questionnaire (:func:`load_assessment`). ``fix_text(text, source)`` rewrites
    the messages and fixes of the report before it is written (the command line names its options).
    ``name``/``code``: the table's district name and code columns; ``key``: the boundaries' column
    to join on (was ``boundary_key=``; ``name=`` was ``area=``).
    """
    from .geo import read_boundaries

    if table is None:
        if hotspots is None or population is None:
            raise InputError(code="pipeline.coverage_needs_files")
        return diagnose_coverage_files(boundaries, out_dir, hotspots=hotspots, population=population,
                                       key=key, boundary_options=boundary_options,
                                       hotspot_options=hotspot_options, population_column=population_column,
                                       assessment=assessment, territory_name=territory_name, radii_m=radii_m,
                                       lang=lang, force=force, fix_text=fix_text, n_new_sites=n_new_sites)
    check_folder(out_dir, force=force)  # before reading: a refused folder fails at once
    options = {**_named_options(name=name, key=code, denominator=denominator, district_level=district_level,
                                level=level), **(read_options or {})}
    assessment = load_assessment(assessment) if isinstance(assessment, (str, Path)) else assessment
    t = read_census_file(table, **options)
    b = read_boundaries(boundaries, **(boundary_options or {}))
    sites = pop = None
    if hotspots is not None:
        from .coverage import read_hotspots

        sites, hrep = read_hotspots(hotspots, districts=b, **(hotspot_options or {}))
        t.report.extend(hrep)
        if population is not None:  # without it, diagnose notes and reports that coverage is skipped
            pop = _read_population(population, b, key, population_column)
    return diagnose(t, b, territory_name=territory_name, key=key, overrides=overrides,
                    hotspots=sites, population=pop, radii_m=radii_m, n_new_sites=n_new_sites, assessment=assessment,
                    lang=lang, out_dir=out_dir, force=force, _what="run", _fix_text=fix_text)


@renamed(boundary_key="key")
def diagnose_coverage_files(boundaries: str | Path, out_dir: str | Path | None, *, hotspots: str | Path,
                            population: str | Path, key: str | None = None,
                            boundary_options: dict[str, Any] | None = None,
                            hotspot_options: dict[str, Any] | None = None, population_column: str | None = None,
                            assessment: Any = None, territory_name: str | None = None,
                            radii_m: Sequence[float] = (100.0, 250.0, 500.0), lang: str = "en",
                            force: bool = False, fix_text: Any = None, n_new_sites: int = 10) -> Diagnosis:
    """Coverage only: public Wi-Fi sites and population by district (or points, or a raster), no census table.

    The "indicators" are the shares of persons within each radius of a site (``wifi_100m``...),
    by district, as in :func:`egovkit.cases.diagnose_nyc`. A population table by district is matched to the
    boundaries' code or name column (``key``, was ``boundary_key=``; default: the column that matches most).
    ``fix_text``, ``n_new_sites``: as in :func:`diagnose_files`.

    Examples
    --------
    >>> d = diagnose_coverage_files("districts.gpkg", "out", hotspots="wifi.csv",
    ...                             population="population_by_district.csv")   # doctest: +SKIP
    >>> d.coverage.query("level == 'territory'")                                # doctest: +SKIP
    """
    from .coverage import coverage, read_hotspots
    from .geo import read_boundaries

    if out_dir is not None:
        check_folder(out_dir, force=force)
    assessment = load_assessment(assessment) if isinstance(assessment, (str, Path)) else assessment
    b = read_boundaries(boundaries, **(boundary_options or {}))
    if key is not None and key not in b.columns:
        raise InputError(code="pipeline.no_boundary_column", file=str(boundaries), column=key,
                         params={"column": key, "columns": [str(c) for c in b.columns if c != b.geometry.name]})
    key = key or _population_key(b, population) or _label_column(b)
    if key is None:  # no column names the districts: number them
        key = "district"
        b = b.assign(district=[str(i + 1) for i in range(len(b))])
    sites, hrep = read_hotspots(hotspots, districts=b, key=key, **(hotspot_options or {}))
    pop = _read_population(population, b, key, population_column)
    cov = coverage(pop, sites, radii_m, quantiles=None)
    name = _name_column(b, key)
    source = f"{Path(population).name} + {Path(hotspots).name}"
    table, districts = coverage_table(cov, b, key, name, source=source, report_source=Path(population).name,
                                      extra=[*hrep.issues, *pop.report.issues])
    if pop.report.rows_in:  # the rows read are those of the population file, each with its fate
        table.report.rows_in, table.report.row_fate = pop.report.rows_in, dict(pop.report.row_fate)
    if table.data.empty:
        raise InputError(code="pipeline.no_population", file=str(population))
    mid = int(sorted(radii_m)[len(radii_m) // 2])
    return diagnose(table, districts, territory_name=territory_name, key="area_code",
                    main_indicator=f"wifi_{mid}m", hotspots=sites, population=pop, radii_m=radii_m,
                    n_new_sites=n_new_sites, assessment=assessment,
                    report_options={"static_maps_for": [f"wifi_{mid}m"]}, lang=lang,
                    out_dir=out_dir, force=force, _what="run", _fix_text=fix_text)
