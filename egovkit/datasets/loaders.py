"""Tidy loaders of the registered real data sets.

Each loader fetches the pinned original files (see :mod:`egovkit.datasets.fetch`), converts them
once and returns a tidy ``DataFrame``/``GeoDataFrame``; converted results are cached, so the
second call only reads a CSV or GeoPackage. Geometry loaders put a
:class:`~egovkit.validate.ValidationReport` of what was dropped or repaired in ``.attrs["report"]``.

Examples
--------
>>> from egovkit import datasets
>>> hh = datasets.kenya_census_table("V4_T2.36")  # doctest: +SKIP
>>> hh.loc[hh["AdminArea"] == "County", ["County", "Internet"]].head(2)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import DownloadError, InputError
from ..geo import repair_geometries
from ..validate import ValidationReport
from .convert import (
    _as_multipolygon,
    cached_frame,
    cached_geoframe,
    cached_raster,
    rda_to_frame,
    sf_rda_to_geodataframe,
)
from .fetch import fetch, is_cached
from .registry import get, names, registry

#: Feature of the plotly county GeoJSON that is not a county (a "New York City" union added for COVID work).
_US_EXTRA_FEATURE = "8316766111"
#: The nycgeo sf objects are stored in New York Long Island State Plane (US feet).
_NYCGEO_CRS = "EPSG:2263"
#: how the loaders repair boundaries with :func:`egovkit.geo.repair_geometries`: ``make_valid(method="structure")``,
#: repairs recorded in the report without a warning (the cache warns from the report)
REPAIR: dict[str, Any] = {"method": "structure", "warn": False}
#: Rough EPSG:2263 bounds of New York City, to catch a wrong CRS assumption.
_NYC_2263_BOUNDS = (850_000, 100_000, 1_100_000, 300_000)


def _sources(entry_names: list[str]) -> dict[str, str]:
    """Registry name -> pinned sha256 of the originals a converted file is made from."""
    return {n: get(n).sha256 or "" for n in entry_names}


def _with_report(gdf: gpd.GeoDataFrame, report: ValidationReport) -> gpd.GeoDataFrame:
    gdf.attrs["report"] = report
    return gdf


# -- catalogue ------------------------------------------------------------------------------
def list_datasets() -> pd.DataFrame:
    """One row per registered file: name, what, publisher, licence, url, sha256, cached.

    Examples
    --------
    >>> df = list_datasets()
    >>> df.columns.tolist()
    ['name', 'what', 'publisher', 'licence', 'url', 'sha256', 'cached']
    >>> bool((df["name"] == "nycgeo/nta_sf").any())
    True
    """
    rows = [{"name": e.name, "what": e.what, "publisher": e.publisher, "licence": e.licence,
             "url": e.url, "sha256": e.sha256, "cached": "yes" if is_cached(e.name) else "no"}
            for e in registry().values()]
    return pd.DataFrame(rows, columns=["name", "what", "publisher", "licence", "url", "sha256", "cached"])


# -- Kenya ----------------------------------------------------------------------------------
def kenya_census_table(name: str = "V4_T2.36") -> pd.DataFrame:
    """A table of the 2019 Kenya Population and Housing Census (KNBS), from rKenyaCensus.

    Parameters
    ----------
    name
        Table name as in the R package, e.g. ``"V4_T2.36"`` (% of conventional households owning
        a computer, internet, TV...), ``"V4_T2.32"`` (persons 3+ owning a mobile phone),
        ``"V4_T2.33"`` (internet / computer use), ``"V4_T1.9"`` (county and sub-county codes),
        ``"V1_T2.3"`` (population and households by county). See ``list_datasets()``.

    Returns
    -------
    DataFrame
        The R data frame with its values unchanged (the package's column names; percentages
        0-100); only code columns the package stores as text of digits (``CountyCode``,
        ``SubCountyCode`` in V4_T1.9) become integers. V4 tables mix national, county and
        sub-county rows: filter on ``AdminArea``.

    Examples
    --------
    >>> t = kenya_census_table("V4_T2.36")  # doctest: +SKIP
    >>> t.loc[t["AdminArea"] == "County", "ConventionalHouseholds"].sum()  # doctest: +SKIP
    12043016.0
    """
    key = f"kenya_census/{name}"
    df = cached_frame(key, _sources([key]), lambda: _integer_codes(rda_to_frame(fetch(key))))
    df.attrs["egovkit_source"] = f"{name} (KNBS 2019 census via rKenyaCensus)"  # named in validation messages
    return df


def _integer_codes(df: pd.DataFrame) -> pd.DataFrame:
    """Code columns stored as R character (``CountyCode`` "1"..."47" in V4_T1.9) -> int64."""
    out = df.copy()
    for col in df.columns:
        if str(col).endswith("Code") and not pd.api.types.is_numeric_dtype(df[col]):
            values = df[col]
            if values.notna().all() and values.astype(str).str.fullmatch(r"[1-9]\d*").all():
                out[col] = values.astype("int64")
    return out


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def kenya_counties() -> gpd.GeoDataFrame:
    """The 47 Kenyan county polygons (OpenStreetMap) with the KNBS census code and name.

    Built from ``Mondieki/kenya-counties-subcounties``: ``geojson/<county>.json`` (one
    MultiPolygon each) and ``counties.json`` (name and census ``code``). The census name is
    taken by code from rKenyaCensus ``V4_T1.9``, so it joins with the V4 tables' ``County``.

    Returns
    -------
    GeoDataFrame
        ``census_county_code`` (int 1-47), ``census_county_name`` (UPPERCASE as in the V4 tables,
        e.g. ``"NAIROBI CITY"``), ``name`` (the repository's name), ``geometry`` (MultiPolygon),
        EPSG:4326, sorted by code. Geometry © OpenStreetMap contributors (ODbL).

    Examples
    --------
    >>> kc = kenya_counties()  # doctest: +SKIP
    >>> kc.set_index("census_county_code").loc[47, "census_county_name"]  # doctest: +SKIP
    'NAIROBI CITY'
    """
    geo_names = [n for n in names("kenya_counties") if n != "kenya_counties/counties"]
    inputs = ["kenya_counties/counties", "kenya_census/V4_T1.9", *geo_names]
    return cached_geoframe("kenya_counties", _sources(inputs),
                           lambda: _build_kenya_counties(geo_names))


def _build_kenya_counties(geo_names: list[str]) -> gpd.GeoDataFrame:
    report = ValidationReport(source="kenya-counties-subcounties")
    meta_path = fetch("kenya_counties/counties")
    meta = pd.DataFrame(json.loads(meta_path.read_text(encoding="utf-8")))[["name", "code"]]
    meta["slug"] = meta["name"].map(_letters)

    slugs = [n.split("/", 1)[1] for n in geo_names]
    texts = [fetch(n).read_text(encoding="utf-8") for n in geo_names]
    collections = shapely.from_geojson(texts)
    n_parts = shapely.get_num_geometries(collections)
    first = shapely.get_geometry(collections, 0)
    for slug, k, g in zip(slugs, n_parts, first):
        if k != 1 or g is None or g.geom_type not in ("Polygon", "MultiPolygon"):
            raise DownloadError(code="datasets.kenya_not_one_polygon", params={"slug": slug, "n": k})
    geoms = pd.DataFrame({"slug": [_letters(s) for s in slugs], "file": slugs,
                          "geometry": [_as_multipolygon(g) for g in first]})

    merged = meta.merge(geoms, on="slug", how="outer", indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    if len(unmatched):
        raise DownloadError(code="datasets.kenya_files_unmatched",
                            params={"names": unmatched["name"].fillna(unmatched["file"]).astype(str).tolist()})

    codes = kenya_census_table("V4_T1.9")[["CountyCode", "County"]].drop_duplicates()
    codes = codes.rename(columns={"CountyCode": "code", "County": "census_county_name"})
    codes["code"] = codes["code"].astype(int)
    if codes["code"].duplicated().any():
        dup = codes.loc[codes["code"].duplicated(keep=False)].to_dict("records")
        raise DownloadError(code="datasets.kenya_code_names", params={"records": str(dup)})
    merged["code"] = merged["code"].astype(int)
    out = merged.merge(codes, on="code", how="left")
    missing = out[out["census_county_name"].isna()]
    if len(missing):
        raise DownloadError(code="datasets.kenya_codes_missing", params={"codes": str(missing["code"].tolist())})

    gdf = gpd.GeoDataFrame(
        {"census_county_code": out["code"].to_numpy(dtype="int64"),
         "census_county_name": out["census_county_name"].astype(str).to_numpy(),
         "name": out["name"].astype(str).to_numpy()},
        geometry=gpd.GeoSeries(out["geometry"].to_numpy(), crs="EPSG:4326"), crs="EPSG:4326",
    ).sort_values("census_county_code").reset_index(drop=True)
    report.rows_in = len(gdf)
    gdf = repair_geometries(gdf, key="census_county_name", report=report, source="kenya_counties", **REPAIR)
    return _with_report(gdf, report)


# -- United States --------------------------------------------------------------------------
def acs_s2801_raw() -> Path:
    """Path to the cached raw ACS 2018 1-year S2801 county CSV (838 counties).

    The file is the data.census.gov download as published: row 1 holds the variable codes,
    row 2 the labels (read with ``skiprows=[1]``), and cells can be ``(X)`` or ``N``.

    Examples
    --------
    >>> raw = pd.read_csv(acs_s2801_raw(), skiprows=[1])  # doctest: +SKIP
    """
    return fetch("acs_s2801/data")


def us_counties() -> gpd.GeoDataFrame:
    """US county polygons (Census 2010 cartographic boundaries, the plotly county GeoJSON).

    The extra non-county "New York City" feature (id ``8316766111``) of the origin file is
    removed, with a warning and a line in ``.attrs["report"]``.

    Returns
    -------
    GeoDataFrame
        ``geoid`` (5-digit county FIPS string), ``NAME``, ``STATE`` (2-digit FIPS), ``COUNTY``
        (3-digit), ``geometry``; EPSG:4326; 3,221 counties incl. Puerto Rico.

    Examples
    --------
    >>> us = us_counties()  # doctest: +SKIP
    >>> us.set_index("geoid").loc["36061", "NAME"]  # doctest: +SKIP
    'New York'
    """
    key = "us_counties/geojson"
    return cached_geoframe("us_counties", _sources([key]), lambda: _build_us_counties(fetch(key)))


def _build_us_counties(path: Path) -> gpd.GeoDataFrame:
    report = ValidationReport(source=path.name)
    raw = gpd.read_file(path)
    report.rows_in = len(raw)
    raw["id"] = raw["id"].astype(str)
    not_county = ~raw["id"].str.fullmatch(r"\d{5}")
    for i in np.flatnonzero(not_county.to_numpy()):
        report.add("warning", "datasets.not_a_county", params={"id": raw["id"].iloc[i], "name": raw["NAME"].iloc[i]},
                   row=int(i) + 1, area=str(raw["NAME"].iloc[i]), action="dropped")
    report.set_fate(np.flatnonzero(not_county.to_numpy()) + 1, "dropped")
    report.set_fate(np.flatnonzero(~not_county.to_numpy()) + 1, "used")
    gdf = raw.loc[~not_county, ["id", "NAME", "STATE", "COUNTY", "geometry"]].rename(columns={"id": "geoid"})
    gdf = gdf.reset_index(drop=True).set_crs("EPSG:4326", allow_override=True)
    if gdf["geoid"].duplicated().any():
        raise DownloadError(code="datasets.duplicate_fips",
                            params={"file": path.name, "codes": sorted(gdf.loc[gdf["geoid"].duplicated(), "geoid"])})
    gdf = repair_geometries(gdf, key="geoid", report=report, source=path.name, **REPAIR)
    return _with_report(gdf, report)


# -- New York City --------------------------------------------------------------------------
def nyc_hotspots_raw() -> Path:
    """Path to the cached NYC Wi-Fi Hotspot Locations CSV (NYC Open Data yjub-udmw, c. 2019).

    3,319 rows, original Socrata column names, UTF-8 with a BOM (``encoding="utf-8-sig"``).

    Examples
    --------
    >>> pd.read_csv(nyc_hotspots_raw(), encoding="utf-8-sig").shape  # doctest: +SKIP
    (3319, 29)
    """
    return fetch("nyc_hotspots/csv")


def _nycgeo(stem: str, key_column: str) -> gpd.GeoDataFrame:
    key = f"nycgeo/{stem}"
    return cached_geoframe(key, _sources([key]), lambda: _build_nycgeo(key, key_column))


def _build_nycgeo(key: str, key_column: str) -> gpd.GeoDataFrame:
    path = fetch(key)
    gdf = sf_rda_to_geodataframe(path, crs=_NYCGEO_CRS)
    xmin, ymin, xmax, ymax = gdf.total_bounds
    bx0, by0, bx1, by1 = _NYC_2263_BOUNDS
    if not (bx0 <= xmin and xmax <= bx1 and by0 <= ymin and ymax <= by1):
        raise DownloadError(code="datasets.nyc_bounds",
                            params={"file": path.name, "bounds": str(gdf.total_bounds.round()), "crs": _NYCGEO_CRS})
    report = ValidationReport(source=path.name, rows_in=len(gdf))
    # repaired in the planar CRS
    gdf = repair_geometries(gdf, key=key_column, report=report, source=path.name, **REPAIR)
    gdf = gdf.to_crs("EPSG:4326")
    return _with_report(gdf, report)


def nyc_nta() -> gpd.GeoDataFrame:
    """NYC 2010 Neighborhood Tabulation Areas (195 polygons), from the nycgeo R package.

    Returns
    -------
    GeoDataFrame
        ``nta_id`` (e.g. ``"BK09"``), ``nta_name``, ``state_fips``, ``county_fips``, ``county_name``,
        ``borough_name``, ``borough_id``, ``puma_id``, ``puma_name``, ``geometry``; EPSG:4326.
        Publisher: NYC Department of City Planning.

    Examples
    --------
    >>> len(nyc_nta())  # doctest: +SKIP
    195
    """
    return _nycgeo("nta_sf", "nta_id")


def nyc_tracts() -> gpd.GeoDataFrame:
    """NYC 2010 census tracts (2,166 polygons, clipped to the shoreline), from nycgeo; EPSG:4326.

    Key ``geoid`` (11-digit string); also ``nta_id``, ``borough_name``, ``puma_id`` ...

    Examples
    --------
    >>> nyc_tracts()["geoid"].str.len().unique().tolist()  # doctest: +SKIP
    [11]
    """
    return _nycgeo("tract_sf", "geoid")


def nyc_boroughs() -> gpd.GeoDataFrame:
    """The five NYC boroughs (simplified polygons), from nycgeo; ``geoid`` = county FIPS; EPSG:4326.

    Examples
    --------
    >>> sorted(nyc_boroughs()["borough_name"])  # doctest: +SKIP
    ['Bronx', 'Brooklyn', 'Manhattan', 'Queens', 'Staten Island']
    """
    return _nycgeo("borough_sf_simple", "geoid")


def nyc_population(level: Literal["nta", "tract", "borough"] = "nta") -> pd.DataFrame:
    """ACS 2013-2017 5-year population (and race, education, poverty) for NYC, from nycgeo.

    Parameters
    ----------
    level
        ``"nta"`` (189 residential NTAs, key ``nta_id``; ``_pct_`` fields are 0-1),
        ``"tract"`` (2,167 tracts, key ``geoid``; ``_pct_`` fields 0-100) or ``"borough"`` (5).

    Returns
    -------
    DataFrame
        ``pop_total_est`` (persons) and ``_moe`` (90 % margins) columns as published.

    Examples
    --------
    >>> round(nyc_population("nta")["pop_total_est"].sum())  # doctest: +SKIP
    8556674
    """
    stems = {"nta": "nta_acs_data", "tract": "tract_acs_data", "borough": "borough_acs_data"}
    if level not in stems:
        raise InputError(code="datasets.unknown_level", params={"level": level, "levels": list(stems)}, column="level")
    key = f"nycgeo/{stems[level]}"
    return cached_frame(key, _sources([key]), lambda: rda_to_frame(fetch(key)))


def nyc_nta_alt() -> gpd.GeoDataFrame:
    """NYC 2010 NTAs as exported by CartoDB from DCP ``nynta`` (ubernyc repository); EPSG:4326.

    Agrees more closely with the hotspots' ``NTACODE`` than :func:`nyc_nta`. Its one invalid
    polygon is repaired with ``make_valid`` and recorded in ``.attrs["report"]``.

    Returns
    -------
    GeoDataFrame
        ``ntacode``, ``ntaname``, ``borocode``, ``boroname``, ``countyfips``, ``shape_area``,
        ``shape_leng``, ``cartodb_id``, ``geometry`` (195 rows).

    Examples
    --------
    >>> nyc_nta_alt()["ntacode"].nunique()  # doctest: +SKIP
    195
    """
    key = "ubernyc/nynta"

    def build() -> gpd.GeoDataFrame:
        path = fetch(key)
        gdf = gpd.read_file(path)
        report = ValidationReport(source=path.name, rows_in=len(gdf))
        gdf["geometry"] = gdf.geometry.map(_as_multipolygon)
        gdf = gdf.set_crs("EPSG:4326", allow_override=True)
        # repair in a planar CRS so that make_valid works on metres, then come back
        gdf = repair_geometries(gdf.to_crs(_NYCGEO_CRS), key="ntacode", report=report, source=path.name,
                                **REPAIR).to_crs("EPSG:4326")
        return _with_report(gdf, report)

    return cached_geoframe(key, _sources([key]), build)


# -- Singapore ------------------------------------------------------------------------------
@dataclass
class PopulationRaster:
    """A population grid: ``array[row, col]`` persons per cell, NaN outside the territory.

    Attributes
    ----------
    array
        2-D float array (nodata replaced by NaN).
    transform
        Affine transform of the grid (``rasterio``), pixel corners.
    crs
        CRS of the grid (``rasterio.crs.CRS``).
    path
        File it was read from.
    """

    array: np.ndarray
    transform: Any
    crs: Any
    path: Path | None = None

    @property
    def total(self) -> float:
        """Sum of the cells (persons)."""
        return float(np.nansum(self.array))

    def __iter__(self):  # allows ``array, transform, crs = singapore_population(path)``
        return iter((self.array, self.transform, self.crs))


def singapore_population(path: str | Path | None = None) -> PopulationRaster:
    """Singapore population per 3 arc-second cell (2013), as a :class:`PopulationRaster`.

    Without ``path``, the original ``data/sgpop.rda`` of ``obrady/SpatialDengue`` at its last
    version (commit ``ec7c02e``, layer ``NewBuildingsPopmap13``: the 2013 total of 5,399,000
    persons spread over OpenStreetMap buildings on the WorldPop 3-arc-second grid) is fetched,
    sha256-checked, converted from the R RasterLayer to a GeoTIFF without R
    (:mod:`egovkit.datasets.rasterlayer`) and cached. The first version of the file (commit
    ``7429c99``, ``singapore/sgpop_2015``) is another grid (WorldPop 2015, 542 x 368) and is
    registered only so that it can be told apart.

    Parameters
    ----------
    path
        A GeoTIFF of the grid you already have (e.g. ``sg_pop_2013_buildings_3arcsec.tif``);
        ``None`` (default) uses the pinned original.

    Examples
    --------
    >>> pop = singapore_population()  # doctest: +SKIP
    >>> round(pop.total), int((pop.array > 0).sum())  # doctest: +SKIP
    (5399000, 19598)
    """
    if path is None:
        from .rasterlayer import read_rasterlayer

        key = "singapore/sgpop"
        arr, transform, crs, cached = cached_raster(key, _sources([key]), lambda: read_rasterlayer(fetch(key)))
        return PopulationRaster(arr, transform, crs, cached)
    import rasterio

    path = Path(path)
    if not path.is_file():
        raise InputError(code="datasets.raster_not_found", file=str(path))
    try:
        with rasterio.open(path) as src:
            arr = src.read(1, masked=True).astype("float64").filled(np.nan)
            return PopulationRaster(arr, src.transform, src.crs, path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(code="datasets.not_a_raster", params={"detail": str(exc)}, file=str(path)) from exc
