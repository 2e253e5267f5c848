"""Reading a population file of any form: a raster, a table or layer of points, or counts by
district spread over the district polygons (:func:`read_population`).

Examples
--------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "p.csv")
>>> pd.DataFrame({"population": [10, 5], "latitude": [-1.28, -1.29], "longitude": [36.82, 36.83]}).to_csv(path)
>>> read_population(path).total
15.0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from ..errors import InputError
from ..geo import projected_crs
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .population_districts import population_from_districts
from .population_grid import Population
from .population_points import population_from_points, population_from_xy
from .population_raster import population_from_raster

__all__ = ["read_population"]

_RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img", ".asc"}
_VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".gml", ".kml"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_POP_WORDS = ("population", "pop", "persons", "people", "residents", "inhabitants", "habitants", "poblacion",
              "poblacion_total", "pop_total", "total_population", "pop_count", "count")


def _population_column(columns: list[str], given: str | None, source: str) -> str:
    if given is not None:
        if given not in columns:
            raise InputError(code="population.no_column", params={"column": given, "columns": str(columns)},
                             file=source, column=given)
        return given
    from ..join import normalise_name

    norm = {c: normalise_name(str(c)).replace(" ", "_") for c in columns}
    for w in _POP_WORDS:
        for c in columns:
            if norm[c] == w:
                return c
    for c in columns:  # "Population 2020", "pop_est", "total_pop"
        toks = norm[c].split("_")
        if any(t.startswith(("population", "habitant", "inhabitant", "poblacion")) or t in ("pop", "persons")
               for t in toks):
            return c
    raise InputError(code="population.no_population_column", params={"columns": str(columns)}, file=source)


def _households_column(columns: list[str], given: str | float | None) -> str | float | None:
    if given is not None:
        return given
    from ..join import normalise_name

    return next((c for c in columns if normalise_name(str(c)) in ("households", "menages", "hogares", "hh")), None)


@renamed(district="key")
def read_population(
    path: str | Path,
    *,
    districts: gpd.GeoDataFrame | None = None,
    key: str | None = None,
    population: str | None = None,
    households: str | float | None = None,
    crs: Any = None,
    cell_m: float | None = None,
) -> Population:
    """Read a population file of any of the three forms; every failure is an :class:`InputError`.

    - a raster (``.tif``): :func:`population_from_raster`;
    - points: a CSV/TSV/Excel table with latitude/longitude (or x/y with ``crs``) and a population
      column, or a GeoJSON/GeoPackage of points: :func:`population_from_points`;
    - counts by district: a table with a district code or name column matching ``districts`` (or
      a polygon layer with a population column), spread over the polygons with
      :func:`population_from_districts`.

    Every data row of a table is accounted for in ``Population.report.row_fate`` with its line in
    the file (header = 1): ``used`` or ``dropped`` (no coordinates, no matching district), and each
    drop or repair is an issue of the report.

    Parameters
    ----------
    path
        The file.
    districts, key
        District polygons and their label column, codes or names (needed for counts by district).
    population, households
        Column names (found by name when not given); ``households`` may be a ratio per person.
    crs
        CRS of x/y columns (latitude/longitude columns are WGS84).
    cell_m
        Grid size for counts by district (default: 50 m, coarser for large territories).

    Examples
    --------
    >>> p = read_population("worldpop.tif", districts=counties, key="name")  # doctest: +SKIP
    """
    from ._tabular import check_file

    path = Path(path)
    check_file(path, "population")
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(4)
    if suffix in _RASTER_SUFFIXES or head in (b"II*\x00", b"MM\x00*"):
        return population_from_raster(path, districts=districts, key=key,
                                      households_per_person=households if isinstance(households, float) else None)
    report = ValidationReport(source=path.name)
    if suffix in _VECTOR_SUFFIXES:
        return _population_from_vector(path, report, districts, key, population, households, cell_m)
    if suffix in _EXCEL_SUFFIXES:
        try:
            df = pd.read_excel(path, dtype=object)
        except Exception as exc:  # ImportError, BadZipFile, ValueError...
            raise InputError(code="population.not_a_workbook", params={"detail": str(exc)}, file=str(path)) from exc
        if df.empty:
            raise InputError(code="population.empty_sheet", params={}, file=str(path))
        lines = np.arange(2, len(df) + 2)
    else:
        from ._tabular import coordinate_columns, read_records

        def numeric(names: list[str]) -> list[int]:
            found = coordinate_columns(names)
            return [names.index(c) for c in (found.get("lat"), found.get("lon"), found.get("x"), found.get("y"))
                    if c in names]

        df, lines = read_records(path, report, what="population", numeric=numeric)
    df.columns = [str(c) for c in df.columns]
    return _population_from_table(df, lines, report, str(path), districts, key, population, households, crs, cell_m)


def _population_from_table(df: pd.DataFrame, lines: np.ndarray, report: ValidationReport, source: str,
                           districts: gpd.GeoDataFrame | None, key: str | None, population: str | None,
                           households: str | float | None, crs: Any, cell_m: float | None) -> Population:
    from ._tabular import MAX_LISTED, coordinate_columns, parse_numbers

    cols = list(df.columns)
    report.rows_in = len(df)
    pcol = _population_column(cols, population, source)
    hcol = _households_column([c for c in cols if c != pcol], households)
    pop, bad = parse_numbers(df[pcol], pcol, lines, report)
    neg = np.flatnonzero(pop < 0)
    if len(neg):
        raise InputError(code="population.negative_population_rows",
                         params={"n": len(neg), "rows": ", ".join(str(int(r)) for r in lines[neg][:MAX_LISTED])},
                         file=source, row=int(lines[neg[0]]), column=pcol)
    missing_pop = ~np.isfinite(pop)
    if missing_pop.any():
        report.add("warning", "population.missing_population",
                   params={"n": int(missing_pop.sum()), "rows": _rows_text(lines[missing_pop])},
                   row=int(lines[missing_pop][0]), column=pcol, action="repaired")
        pop = np.where(missing_pop, 0.0, pop)
    hh: Any = None
    if isinstance(hcol, str):
        hh, _ = parse_numbers(df[hcol], hcol, lines, report)
        hh = np.where(np.isfinite(hh) & (hh >= 0), hh, 0.0)
    elif hcol is not None:
        hh = float(hcol)
    found = coordinate_columns(cols)
    if found.get("lat") or (found.get("x") and (crs is not None or found.get("crs"))):
        if found.get("lat"):
            ycol, xcol = str(found["lat"]), str(found["lon"])
            a, _ = parse_numbers(df[ycol], ycol, lines, report, degrees=True, comma_decimal=True)
            b, _ = parse_numbers(df[xcol], xcol, lines, report, degrees=True, comma_decimal=True)
            pcrs = CRS.from_epsg(4326)
        else:
            ycol, xcol = str(found["y"]), str(found["x"])
            a, _ = parse_numbers(df[ycol], ycol, lines, report)
            b, _ = parse_numbers(df[xcol], xcol, lines, report)
            try:
                pcrs = CRS.from_user_input(crs if crs is not None else found["crs"])
            except Exception as exc:  # pyproj CRSError
                raise InputError(code="population.unknown_crs", params={"crs": str(crs), "detail": str(exc)},
                                 file=source) from exc
        ok = np.isfinite(a) & np.isfinite(b)
        if pcrs.is_geographic:
            swap = ok & (np.abs(a) > 90) & (np.abs(b) <= 90)
            if swap.sum() * 2 > ok.sum():
                report.add("warning", "population.swapped_lat_lon",
                           params={"lat": ycol, "lon": xcol, "n": int(swap.sum()), "total": int(ok.sum())},
                           column=f"{ycol}/{xcol}", action="repaired")
                a, b = np.where(ok, b, a), np.where(ok, a, b)
            ok &= (np.abs(a) <= 90) & (np.abs(b) <= 180) & ~((a == 0) & (b == 0))
        drop = np.flatnonzero(~ok)
        if len(drop):
            report.add("warning", "population.missing_coordinates",
                       params={"n": len(drop), "persons": float(pop[drop].sum()), "rows": _rows_text(lines[drop])},
                       row=int(lines[drop[0]]), column=f"{ycol}/{xcol}", action="dropped")
        if not ok.any():
            raise InputError(code="population.no_usable_coordinates", params={}, file=source, column=f"{ycol}/{xcol}")
        keep = np.flatnonzero(ok)
        pts = gpd.GeoDataFrame({"population": pop[keep]}, geometry=gpd.points_from_xy(b[keep], a[keep]), crs=pcrs)
        hh_arg: Any = hh
        if isinstance(hh, np.ndarray):
            pts["households"] = hh[keep]
            hh_arg = "households"
        p = population_from_points(pts, "population", households=hh_arg, districts=districts, key=key)
        report.extend(p.report)
        p.report = report
        report.set_fate(lines[keep], "used")
        report.set_fate(lines[drop], "dropped")
        report.add("info", "population.points_read",
                   params={"n": len(df), "points": len(keep), "persons": p.total, "dropped": len(drop)}, action="kept")
        return p
    if districts is None:
        raise InputError(code="population.no_coordinate_columns", params={}, file=source)
    return _spread_table(df, lines, pop, hh, report, source, districts, key, cell_m)


def _rows_text(lines: np.ndarray, limit: int = 20) -> str:
    out = ", ".join(str(int(r)) for r in lines[:limit])
    return out + (" ..." if len(lines) > limit else "")


def _spread_table(df: pd.DataFrame, lines: np.ndarray, pop: np.ndarray, hh: Any, report: ValidationReport,
                  source: str, districts: gpd.GeoDataFrame, key: str | None, cell_m: float | None) -> Population:
    """Counts by district: the table's key column matched to the districts' labels (codes or names)."""
    from ..join import normalise_code, normalise_name

    if not isinstance(districts, gpd.GeoDataFrame):
        raise InputError(code="population.districts_not_geodataframe", params={})
    if key is not None and key not in districts.columns:
        raise InputError(code="population.no_district_column",
                         params={"column": key, "columns": str([str(c) for c in districts.columns])}, column=key)
    labels = districts[key] if key is not None else pd.Series(districts.index, index=districts.index)
    targets = {"code": normalise_code(labels.astype(str)), "name": normalise_name(labels.astype(str))}
    best: tuple[int, str, str] | None = None
    for c in df.columns:
        vals = df[c].astype(object).where(df[c].notna(), None)
        for how, norm in (("code", normalise_code), ("name", normalise_name)):
            try:
                keys = norm(vals.map(lambda v: None if v is None else str(v)))
            except Exception:  # a column that cannot be a key
                continue
            hits = int(keys.isin(set(targets[how].dropna())).sum())
            if hits and (best is None or hits > best[0]):
                best = (hits, str(c), how)
    if best is None:
        raise InputError(code="population.no_matching_column",
                         params={"labels": ", ".join(map(str, labels.astype(str).head(3)))}, file=source)
    _, kcol, how = best
    norm = normalise_code if how == "code" else normalise_name
    keys = norm(df[kcol].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)))
    index = {k: i for i, k in enumerate(targets[how].tolist())}
    pos = np.array([index.get(k, -1) if isinstance(k, str) else -1 for k in keys], dtype=np.int64)
    unmatched = np.flatnonzero(pos < 0)
    dup = np.flatnonzero((pos >= 0) & pd.Series(pos).duplicated().to_numpy())
    for repeated, idx in ((False, unmatched), (True, dup)):
        if len(idx):
            said = {"n": len(idx), "persons": float(pop[idx].sum()), "rows": _rows_text(lines[idx])}
            report.add("warning", "population.rows_repeated" if repeated else "population.rows_unmatched",
                       params=said, row=int(lines[idx[0]]), column=kcol, action="dropped")
    used = np.setdiff1d(np.flatnonzero(pos >= 0), dup)
    d = districts.copy()
    d["__population"] = 0.0
    d.iloc[pos[used], d.columns.get_loc("__population")] = pop[used]
    absent = np.setdiff1d(np.arange(len(d)), pos[used])
    if len(absent):
        report.add("warning", "population.district_without_population",
                   params={"n": len(absent), "districts": str(labels.astype(str).iloc[absent].head(10).tolist())},
                   action="repaired")
    hh_arg: Any = None
    if isinstance(hh, np.ndarray):
        d["__households"] = 0.0
        d.iloc[pos[used], d.columns.get_loc("__households")] = hh[used]
        hh_arg = "__households"
    elif hh is not None:
        hh_arg = hh
    if cell_m is None:
        area = float(d.to_crs(projected_crs(d)).area.sum()) if d.crs is not None else 0.0
        cell_m = max(50.0, float(np.ceil(np.sqrt(area / 2e6) / 10) * 10)) if area > 0 else 50.0
    p = population_from_districts(d, "__population", key=key, households=hh_arg, cell_m=cell_m)
    report.extend(p.report)
    p.report = report
    report.set_fate(lines[used], "used")
    report.set_fate(lines[np.r_[unmatched, dup].astype(np.int64)], "dropped")
    report.add("info", "population.counts_read_by_code" if how == "code" else "population.counts_read_by_name",
               params={"n": len(df), "districts": len(used), "column": kcol, "persons": p.total,
                       "cell_m": float(cell_m)}, action="kept")
    return p


def _population_from_vector(path: Path, report: ValidationReport, districts: gpd.GeoDataFrame | None,
                            key: str | None, population: str | None, households: str | float | None,
                            cell_m: float | None) -> Population:
    try:
        g = gpd.read_file(path)
    except Exception as exc:  # pyogrio DataSourceError, JSON and sqlite errors...
        raise InputError(code="population.not_a_vector_layer",
                         params={"suffix": path.suffix, "detail": str(exc).splitlines()[0][:200]},
                         file=str(path)) from exc
    if len(g) == 0:
        raise InputError(code="population.layer_without_features", params={}, file=str(path))
    lines = np.arange(1, len(g) + 1)  # feature number
    report.rows_in = len(g)
    if not isinstance(g, gpd.GeoDataFrame) or g.geometry.name not in g.columns:
        df = pd.DataFrame(g)
        df.columns = [str(c) for c in df.columns]
        return _population_from_table(df, lines, report, str(path), districts, key, population, households,
                                      None, cell_m)
    if g.crs is None:
        raise InputError(code="population.layer_without_crs", params={}, file=str(path))
    cols = [str(c) for c in g.columns if c != g.geometry.name]
    pcol = _population_column(cols, population, str(path))
    from ._tabular import parse_numbers

    pop, _ = parse_numbers(g[pcol].astype(object), pcol, lines, report)
    if (pop < 0).any():
        bad = np.flatnonzero(pop < 0)
        raise InputError(code="population.negative_population", params={"n": len(bad)}, file=str(path),
                         row=int(lines[bad[0]]), column=pcol)
    pop = np.where(np.isfinite(pop), pop, 0.0)
    empty = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    if empty.all():
        raise InputError(code="population.no_geometry", params={}, file=str(path))
    gg = g.loc[~empty].copy()
    gg["__population"] = pop[~empty]
    hcol = _households_column(cols, households)
    polygons = gg.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if polygons.mean() > 0.5:
        p = population_from_districts(gg.reset_index(drop=True), "__population", cell_m=cell_m or 50.0,
                                      households=hcol if isinstance(hcol, (str, float)) else None)
        if districts is not None:
            p = population_from_xy(p.x, p.y, p.weight, crs=p.crs, households=p.households, districts=districts,
                                   key=key)
    else:
        p = population_from_points(gg, "__population", households=hcol if isinstance(hcol, (str, float)) else None,
                                   districts=districts, key=key)
    if empty.any():
        report.add("warning", "population.features_without_geometry",
                   params={"n": int(empty.sum()), "persons": float(pop[empty].sum()), "rows": _rows_text(lines[empty])},
                   row=int(lines[empty][0]), action="dropped")
    report.extend(p.report)
    p.report = report
    report.set_fate(lines[~empty], "used")
    report.set_fate(lines[empty], "dropped")
    return p
