"""The diagnosis report of a territory: one call, one self-contained HTML file and its tables.

:func:`build_report` writes into ``out_dir``:

- ``index.html``: summary figures, the interactive map (inlined gzip-compressed and opened into an
  ``<iframe srcdoc>`` by the browser's own ``DecompressionStream``: a third of the size; a browser
  without it gets a link to ``maps/``),
  static maps and charts (PNG, base64), the lagging districts, Wi-Fi coverage and gaps,
  the tables and the narrative sentences, in English or French. Every script, style and
  image is inside the file: it opens with the network switched off;
- ``maps/*.html`` (the same interactive map, offline), ``figures/*.png`` and ``*.svg``,
  ``tables/*.csv`` and ``tables/*.gpkg``;
- ``tables.xlsx``: every CSV table in one workbook, one sheet per table, units in the headers,
  the validation report included (:mod:`egovkit.present.workbook`);
- proposed sites and gap zones with ``longitude``/``latitude`` (EPSG:4326; for a zone, a point
  inside it) in their CSV, and as ``tables/{new_sites,gap_zones}.geojson`` and ``.kml``.

``index.html`` carries a print stylesheet: the browser's "Print" / "Save as PDF" shows the static
map instead of the interactive one, repeats table headers on each page, keeps rows and figures
whole and leaves out the list of files. Its links are relative to the folder.

Every number in the text is read from the tables written next to it (``tables/summary.csv``
and the others); the sentences are templates in ``i18n/{en,fr}.yaml``.

Examples
--------
>>> import geopandas as gpd, pandas as pd, tempfile
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"]},
...                      geometry=[box(0, 0, .1, .1), box(.1, 0, .2, .1)], crs=4326)
>>> rates = pd.DataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"],
...                       "indicator": "internet", "universe": "households",
...                       "numerator": [10.0, 30.0], "denominator": [100.0, 100.0]})
>>> index = build_report(tempfile.mkdtemp(), territory_name="Demo", districts=d, rates=rates)
>>> "20.0%" in index.read_text(encoding="utf-8")
True
"""

from __future__ import annotations

import base64
import datetime as _dt
import gzip
import html as _html
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..distribution.lagging import set_apart_mask
from ..errors import InputError
from ..export import write_csv
from ..shared.catalogue import indicator_label
from ..validate import ValidationReport
from . import charts
from .i18n import format_number, format_percent, format_points, translations
from .maps import _key, _lisa_code, indicator_map
from .offline import render_offline
from .static_maps import static_indicator_map
from .workbook import WORKBOOK_NAME, write_workbook

#: Numbers in the CSV tables: 10 significant digits (exact for counts below 10^10, shares to 1e-10),
#: not the 17 of a float's repr (7410.999999999925 for 7,411 persons), a third smaller files.
CSV_FLOAT = "%.10g"

__all__ = ["build_report", "indicator_label", "summary_table"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


# --------------------------------------------------------------------------- tables
def _prepare_rates(rates: pd.DataFrame, key: str, name_column: str) -> pd.DataFrame:
    need = [key, "numerator", "denominator"]
    missing = [c for c in need if c not in rates.columns]
    if missing:
        raise InputError(f"the rates table lacks column(s) {missing} (it has {list(rates.columns)})",
                         column=missing[0],
                         fix="pass the long indicator table: one row per (district, indicator) with "
                             "numerator and denominator")
    r = pd.DataFrame(rates).copy()
    if "indicator" not in r.columns:
        r["indicator"] = "share"
    if "universe" not in r.columns:
        r["universe"] = "households"
    if name_column not in r.columns:
        r[name_column] = r[key].astype("string")
    r[key] = _key(r[key])
    r["numerator"] = pd.to_numeric(r["numerator"], errors="coerce")
    r["denominator"] = pd.to_numeric(r["denominator"], errors="coerce")
    if "share" not in r.columns:
        r["share"] = r["numerator"] / r["denominator"].where(r["denominator"] > 0)
    r["share"] = pd.to_numeric(r["share"], errors="coerce")
    return r


def summary_table(rates: pd.DataFrame, *, key: str = "area_code", name_column: str = "area_name",
                  min_denominator: float = 0, set_apart: Sequence[str] = ()) -> pd.DataFrame:
    """One row per indicator: the territory's rate and its spread over the districts.

    Columns: ``indicator``, ``universe``, ``numerator`` and ``denominator`` (sums over the
    districts with both known), ``share_territory`` (their ratio, 0-1), ``n_districts``,
    ``n_missing`` (districts without a share), ``share_min``/``name_min``,
    ``share_max``/``name_max``, ``n_below`` (districts below the territory's rate).
    Districts whose denominator is under ``min_denominator`` (parks, an island prison) are
    left out of the lowest and highest rates only, as are the districts whose key is in ``set_apart``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"area_code": ["A", "B"], "indicator": "tv",
    ...                   "numerator": [1.0, 3.0], "denominator": [10.0, 10.0]})
    >>> s = summary_table(r).iloc[0]
    >>> float(s["share_territory"]), int(s["n_below"])
    (0.2, 1)
    """
    r = _prepare_rates(rates, key, name_column)
    rows = []
    for ind, sub in r.groupby("indicator", sort=False):
        ok = sub["numerator"].notna() & sub["denominator"].notna() & (sub["denominator"] > 0)
        num, den = float(sub.loc[ok, "numerator"].sum()), float(sub.loc[ok, "denominator"].sum())
        terr = num / den if den > 0 else np.nan
        s = sub.dropna(subset=["share"])
        big = s[~set_apart_mask(s, key=key, set_apart=set_apart, denominator="denominator",
                                min_denominator=min_denominator)]
        lo = big.loc[big["share"].idxmin()] if len(big) else None
        hi = big.loc[big["share"].idxmax()] if len(big) else None
        rows.append({
            "indicator": ind, "universe": str(sub["universe"].iloc[0]),
            "numerator": num, "denominator": den, "share_territory": terr,
            "n_districts": int(sub[key].nunique()), "n_missing": int(sub["share"].isna().sum()),
            "share_min": float(lo["share"]) if lo is not None else np.nan,
            "name_min": str(lo[name_column]) if lo is not None else "",
            "share_max": float(hi["share"]) if hi is not None else np.nan,
            "name_max": str(hi[name_column]) if hi is not None else "",
            "n_below": int((s["share"] < terr).sum()),
        })
    return pd.DataFrame(rows)


def _html_table(df: pd.DataFrame | None, *, percent: Sequence[str] = (), points: Sequence[str] = (),
                numbers: Sequence[str] = (), lang: str = "en", headers: Mapping[str, str] | None = None,
                max_rows: int = 60, decimals: Mapping[str, int] | None = None) -> str:
    """An HTML table: headers from the translations' ``columns:`` map, ``share*`` columns as
    percentages, universes and severities translated, infinite values as "–"; ``decimals``
    fixes the decimals of some number columns (longitude/latitude)."""
    decimals = dict(decimals or {})
    if df is None or len(df) == 0:
        return ""
    tr = translations(lang)
    headers = {**tr.get("columns", {}), **(headers or {})}
    d = pd.DataFrame(df).head(max_rows).copy()
    d = d[[c for c in d.columns if c != "geometry"]]
    percent = set(percent) | {c for c in d.columns if str(c).startswith("share") and c not in points
                              and pd.api.types.is_numeric_dtype(d[c])}
    body = []
    for _, row in d.iterrows():
        cells = []
        for c in d.columns:
            v = row[c]
            if c == "universe" or c == "severity":
                v = tr.get(v, tr.get(f"severity_{v}", v)) if isinstance(v, str) else v
            if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and np.isinf(float(v)):
                cells.append("<td class='n'>–</td>")
            elif c in percent:
                cells.append(f"<td class='n'>{format_percent(v, lang)}</td>")
            elif c in points:
                cells.append(f"<td class='n'>{format_points(v, lang)}</td>")
            elif c in decimals and isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
                cells.append(f"<td class='n'>{format_number(v, lang, decimals[c])}</td>")
            elif c in numbers or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool)):
                fv = float(v) if pd.notna(v) else float("nan")
                dec = 0 if (c in numbers or not np.isfinite(fv) or fv == round(fv) or abs(fv) >= 100) else 3
                cells.append(f"<td class='n'>{format_number(v, lang, dec)}</td>")
            else:
                cells.append(f"<td>{_html.escape('' if pd.isna(v) else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    heads = "".join(f"<th>{_html.escape(headers.get(c, str(c)))}</th>" for c in d.columns)
    more = ""
    if len(df) > max_rows:
        text = tr["more_rows"].format(n=format_number(len(df) - max_rows, lang))
        more = f"<p class='note'>{_html.escape(text)}</p>"
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _distribution_table(dist: pd.DataFrame, lang: str, words: Mapping[str, str],
                        universe: str) -> tuple[str, list[str]]:
    """Inequality figures, one row per indicator and one column per statistic, and their notes.

    The long table of :func:`egovkit.distribution.inequality` (``indicator``, ``statistic``,
    ``value``, ``note``) is pivoted so that no indicator is cut off; its English notes become
    translated sentences under the table (weighting, undefined ratios, highest/lowest names).
    """
    tr = translations(lang)
    if not {"indicator", "statistic", "value"} <= set(dist.columns):
        return _html_table(dist, lang=lang), []
    order = list(dict.fromkeys(dist["statistic"]))
    wide = dist.pivot_table(index="indicator", columns="statistic", values="value", aggfunc="first", sort=False,
                            dropna=False).reindex(columns=order)
    wide = wide.reindex(list(dict.fromkeys(dist["indicator"])))
    notes = [tr["s_weighted"].format(universe=universe, **words)]
    note = dist.set_index(["indicator", "statistic"])["note"] if "note" in dist.columns else pd.Series(dtype=object)
    for ind in wide.index:
        lab = indicator_label(ind, lang)
        mm = note.get((ind, "max_min_ratio"))
        v = wide.at[ind, "max_min_ratio"] if "max_min_ratio" in wide.columns else np.nan
        if isinstance(mm, str) and " / " in mm:
            if pd.notna(v) and np.isinf(v):
                notes.append(tr["s_ratio_undefined"].format(indicator=lab, name=mm.split(" / ", 1)[1]))
            else:
                notes.append(tr["s_max_min"].format(indicator=lab, names=mm))
        tl = note.get((ind, "theil_l"))
        if isinstance(tl, str) and ":" in tl and "theil_l" in wide.columns and pd.isna(wide.at[ind, "theil_l"]):
            notes.append(tr["s_theil_undefined"].format(indicator=lab, names=tl.split(" in ", 1)[-1]))
    shown = wide.reset_index()
    shown["indicator"] = [indicator_label(i, lang) for i in shown["indicator"]]
    heads = {c: tr.get("stats", {}).get(c, c) for c in shown.columns}
    dec = {c: 3 for c in ("gini", "theil_t", "theil_l", "cv")} | {"max_min_ratio": 1, "p90_p10_ratio": 1}
    body = []
    for _, row in shown.iterrows():
        cells = [f"<td>{_html.escape(str(row['indicator']))}</td>"]
        for c in shown.columns[1:]:
            v = row[c]
            if pd.notna(v) and np.isinf(float(v)):
                text = "–"
            elif str(c).startswith("share"):
                text = format_percent(v, lang)
            else:
                text = format_number(v, lang, dec.get(c, 0))
            cells.append(f"<td class='n'>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(
        f"<th>{_html.escape(tr['columns'].get('indicator', 'indicator') if c == 'indicator' else heads[c])}</th>"
        for c in shown.columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>", notes


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _names(values: Sequence[str], lang: str) -> str:
    values = [str(v) for v in values]
    if len(values) <= 1:
        return "".join(values)
    last = " and " if lang == "en" else " et "
    return ", ".join(values[:-1]) + last + values[-1]


def _coverage_curve(coverage: pd.DataFrame) -> pd.DataFrame:
    """Territory rows of :func:`egovkit.coverage.coverage` (all sites), or the table as given."""
    c = pd.DataFrame(coverage)
    if "level" in c.columns:
        c = c[c["level"].astype(str) == "territory"]
    if "sites" in c.columns:
        c = c[c["sites"].astype(str) == "all"] if (c["sites"].astype(str) == "all").any() else c
    if "radius_m" not in c.columns:
        raise InputError(f"the coverage table has no 'radius_m' column (columns: {list(coverage.columns)})",
                         column="radius_m", fix="pass the output of egovkit.coverage.coverage()")
    return c.sort_values("radius_m").reset_index(drop=True)


#: Longitude/latitude in the page: 5 decimals (about 1 m), enough to find a site on the ground.
_LONLAT_DECIMALS = {"longitude": 5, "latitude": 5}


def _outputs_text(lang: str) -> dict[str, str]:
    """Words of the workbook, the GIS files and their links (``workbook.yaml``)."""
    from .workbook import _data

    text = _data()["text"]
    return text.get(lang, text["en"])


def _lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Longitude and latitude (EPSG:4326) of each feature: the point itself, or a point inside
    each polygon (``representative_point``, never outside a concave zone); None without a CRS."""
    if gdf.crs is None or len(gdf) == 0:
        return None
    geom = gdf.geometry
    pts = geom.where(geom.geom_type == "Point", geom.representative_point())
    ll = gpd.GeoSeries(pts, crs=gdf.crs).to_crs(4326)
    return ll.x.to_numpy(dtype=float), ll.y.to_numpy(dtype=float)


def _with_lonlat(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attributes of ``gdf`` with ``longitude``/``latitude`` (EPSG:4326) appended, for a CSV."""
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    ll = _lonlat(gdf)
    if ll is not None:
        df = df.drop(columns=["longitude", "latitude"], errors="ignore").assign(longitude=ll[0], latitude=ll[1])
    return df


def _write_lonlat_layers(gdf: gpd.GeoDataFrame, folder: Path, stem: str, word: str) -> list[Path]:
    """``stem.geojson`` and ``stem.kml`` in EPSG:4326 (GIS, Google Earth); nothing without a CRS.

    The KML placemarks are named ``<word> <rank>`` (GDAL writes them as escaped XML text)."""
    if gdf.crs is None or len(gdf) == 0:
        return []
    g = gdf.to_crs(4326)
    for c in g.columns:
        if c != g.geometry.name and (g[c].dtype == object or pd.api.types.is_string_dtype(g[c].dtype)):
            g[c] = g[c].astype("string")
    g = g.drop(columns=["longitude", "latitude"], errors="ignore")
    ll = _lonlat(gdf)
    g["longitude"], g["latitude"] = ll  # type: ignore[misc]
    paths = [folder / f"{stem}.geojson", folder / f"{stem}.kml"]
    for p in paths:
        p.unlink(missing_ok=True)
    g.to_file(paths[0], driver="GeoJSON", engine="pyogrio")
    ranks = (g["rank"].astype("string") if "rank" in g.columns
             else pd.Series(range(1, len(g) + 1), index=g.index).astype("string"))
    g.insert(0, "Name", (word + " " + ranks).astype("string"))
    g.to_file(paths[1], driver="KML", engine="pyogrio")
    return paths


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    g = gdf.copy()
    for c in g.columns:
        if c != g.geometry.name and g[c].dtype == object:
            g[c] = g[c].astype("string")
    g.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", SPATIAL_INDEX="NO")
    return path


# --------------------------------------------------------------------------- the report
def build_report(  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
    out_dir: str | Path,
    *,
    territory_name: str,
    districts: gpd.GeoDataFrame,
    rates: pd.DataFrame,
    key: str = "area_code",
    name_column: str = "area_name",
    indicator: str | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    coverage_areas: gpd.GeoDataFrame | None = None,
    coverage_radius_m: float | None = None,
    gaps: gpd.GeoDataFrame | None = None,
    new_sites: gpd.GeoDataFrame | None = None,
    lagging: pd.DataFrame | None = None,
    lisa: pd.DataFrame | None = None,
    distribution: pd.DataFrame | Mapping[str, Any] | None = None,
    lang: str = "en",
    title: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    tiles: str | None = None,
    n_lowest: int = 5,
    static_maps_for: Sequence[str] | None = None,
    map_geometry_bytes: int = 1_000_000,
    assessment: Any = None,
    action_plan: pd.DataFrame | None = None,
    extra_sections: Sequence[str] = (),
    district_word: str = "district",
    lagging_sentences: Sequence[str] = (),
    min_denominator: float = 0,
    set_apart: Sequence[str] = (),
    validation: ValidationReport | None = None,
    extra_files: Sequence[str | Path] = (),
    extra_notes: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Build the HTML diagnosis report of a territory and export its tables and figures.

    Parameters
    ----------
    out_dir
        Output folder (created). Receives ``index.html``, ``tables.xlsx``, ``maps/``, ``figures/``,
        ``tables/``.
    territory_name
        Name used in the title and sentences.
    districts
        District polygons with ``key`` and ``name_column`` (any CRS).
    rates
        The long indicator table: one row per (district, indicator) with ``key``,
        ``indicator``, ``universe``, ``numerator``, ``denominator`` and optionally ``share``
        (0-1; computed as numerator/denominator when absent).
    indicator
        The indicator of the interactive map, bars and Lorenz curve (default: ``internet``
        when present, else the first).
    hotspots
        Wi-Fi hotspot points (drawn, counted per 10,000 of the denominator's universe).
    coverage
        Output of :func:`egovkit.coverage.coverage` (territory rows are used) or any table
        with ``radius_m`` and a ``share_*`` column (0-1).
    coverage_radius_m
        Without ``coverage_areas``: the maps show the area within this radius of a hotspot.
    coverage_areas, gaps, new_sites
        Covered polygons, uncovered gap zones (``population``, ``area_km2`` used when
        present) and proposed sites (a ``population_added``/``population_covered`` column is
        used when present).
    lagging
        Output of :func:`egovkit.distribution.lagging_districts`, shown as given: to keep the
        set-apart districts off it, pass the same districts as its ``exclude=`` (see
        :func:`egovkit.distribution.lagging.set_apart_mask`). When ``None`` the ``n_lowest``
        districts with the lowest rate (set-apart ones left out) are listed instead.
    lisa
        Output of :func:`egovkit.distribution.local_moran` (``key`` + ``lisa_cluster``) or
        ``key`` + ``cluster`` with ``HH``/``LL``/``HL``/``LH``.
    distribution
        Inequality figures (a DataFrame, or a mapping name -> value) shown as a table.
    lang
        ``"en"`` or ``"fr"``.
    static_maps_for
        Indicators with a static map (default: the main one and others, at most 6). The static map
        of the main indicator stands for the interactive map when the page is printed.
    assessment, action_plan
        A scored e-governance assessment (:func:`egovkit.diagnosis.score_assessment`) and its
        action plan: the diagnosis section of ``egovkit.present.diagnosis_plots`` is added.
    extra_sections
        Further HTML fragments (trusted, e.g. ``<section>`` elements) appended before the files.
    district_word
        What the districts are called: ``"county"``, ``"neighbourhood"``, ``"tract"``... (translated
        with the ``district_words`` of ``i18n/{en,fr}.yaml``; other words are used as given).
    lagging_sentences
        Sentences already written about the lagging districts (e.g. by
        :func:`egovkit.distribution.lagging_summary`), shown first in that section.
    min_denominator
        Districts whose denominator (persons or households) of the main indicator is under this
        are set apart: left out of the lowest/highest rates and of the lowest list, and the
        report says which (their figures stay in every table). 0 (default) keeps every district.
    set_apart
        Keys of districts that are not residential (parks, airports, a prison island), left out
        in the same way whatever their population.
    validation
        The validation report of the inputs: its errors and warnings (row, column, district,
        how to fix) are listed in "Data checks"; all of it goes to ``tables/validation_report.csv``
        (unless already there) and to the workbook.
    extra_files
        Files already in ``out_dir`` (relative or absolute) to list under "Files".
    extra_notes
        ``{"wifi": [...], "distribution": [...], "quality": [...]}``: further notes per section.
    map_geometry_bytes
        Budget of the district GeoJSON in the interactive map (see
        :func:`~egovkit.present.maps.simplify_for_web`); 1 MB (about 4 m tolerance) keeps the NYC tract
        report (2,166 tracts, 3,319 hotspots) under 10 MB in all.

    Returns
    -------
    Path
        The path of ``index.html``.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    import egovkit

    tr = translations(lang)
    one, many = tr.get("district_words", {}).get(district_word, [district_word, district_word + "s"])
    words = {"district": one, "districts": many, "Districts": many[:1].upper() + many[1:]}
    tr["sec_lagging"] = tr["sec_lagging"].format(**words)
    tr["sec_distribution"] = tr["sec_distribution"].format(**words)
    out = Path(out_dir)
    for sub in ("maps", "figures", "tables"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    r = _prepare_rates(rates, key, name_column)
    indicators = list(dict.fromkeys(r["indicator"]))
    if indicator is None:
        indicator = "internet" if "internet" in indicators else indicators[0]
    elif indicator not in indicators:
        raise InputError(f"indicator {indicator!r} is not in the rates table (it has {indicators})",
                         column="indicator", fix="pick one of the listed indicators")
    main = r[r["indicator"] == indicator].drop_duplicates(key)
    label = indicator_label(indicator, lang)
    set_apart = [str(x) for x in set_apart]
    # one mask (from keys and the main indicator's denominator) for the summary, sentences and lists
    excluded = set_apart_mask(main, key=key, set_apart=set_apart, denominator="denominator",
                              min_denominator=min_denominator)
    not_residential = main[key].isin(set_apart)
    summary = summary_table(r, key=key, name_column=name_column, set_apart=main.loc[excluded, key].tolist())
    srow = summary.set_index("indicator").loc[indicator]
    universe = tr.get(srow["universe"], srow["universe"])
    files: list[Path] = []
    sentences: dict[str, list[str]] = {k_: [] for k_ in ("summary", "lagging", "wifi", "distribution", "quality")}
    notes: dict[str, list[str]] = {"wifi": [], "distribution": [], "quality": []}
    for k_, v_ in (extra_notes or {}).items():
        notes.setdefault(k_, []).extend(v_)
    tables: dict[str, str] = {}
    hdr = tr.get("columns", {})

    # -- tables: summary, districts (CSV + GeoPackage)
    write_csv(summary, out / "tables" / "summary.csv", float_format=CSV_FLOAT)
    write_csv(r, out / "tables" / "district_rates.csv", float_format=CSV_FLOAT)
    wide = charts.district_table(r, indicators, key=key)
    wide.index.name = key
    wide.columns = [f"share_{c}" for c in wide.columns]
    geo = districts[_uniq(key, name_column if name_column in districts.columns else key,
                          districts.geometry.name)].copy()
    geo[key] = _key(geo[key])
    geo = geo.merge(wide.reset_index(), on=key, how="left")
    files.append(_write_gpkg(gpd.GeoDataFrame(geo, geometry=districts.geometry.name, crs=districts.crs),
                             out / "tables" / "districts.gpkg", "districts"))
    files += [out / "tables" / "summary.csv", out / "tables" / "district_rates.csv"]

    # -- interactive map (offline), with the join report
    join_report = ValidationReport(source="rates <-> districts")
    lisa_column = None
    if lisa is not None:
        lisa_column = next((c for c in ("lisa_cluster", "cluster") if c in lisa.columns), None)
        if lisa_column is None or key not in lisa.columns:
            raise InputError(f"the LISA table needs {key!r} and 'lisa_cluster' (or 'cluster') columns",
                             column="lisa_cluster", fix="pass the output of egovkit.distribution.local_moran")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mismatches are in join_report and in the report
        m = indicator_map(districts, _without_name(main, key, name_column), key=key,
                          name_column=name_column, label=label, scheme=scheme, k=k, hotspots=hotspots,
                          coverage_areas=coverage_areas, coverage_radius_m=coverage_radius_m,
                          gaps=gaps, new_sites=new_sites,
                          lisa=None if lisa is None else pd.DataFrame(lisa)[[key, lisa_column]],
                          lisa_column=lisa_column or "cluster", tiles=tiles, lang=lang, report=join_report,
                          max_geometry_bytes=map_geometry_bytes)
    map_html = render_offline(m)
    map_path = out / "maps" / f"{indicator}.html"
    map_path.write_text(map_html, encoding="utf-8")
    files.append(map_path)
    classes = m.egovkit_classes
    scheme_label = tr.get(f"scheme_{classes.scheme}", classes.scheme)
    maps = [{"gz_b64": base64.b64encode(gzip.compress(map_html.encode("utf-8"), 9, mtime=0)).decode("ascii"),
             "href": f"maps/{indicator}.html",
             "caption": tr["caption_map"].format(indicator=label, scheme=scheme_label, k=classes.k, **words)}]
    qual = join_report.to_frame()
    write_csv(qual, out / "tables" / "join_report.csv", float_format=CSV_FLOAT)
    files.append(out / "tables" / "join_report.csv")
    # counted by the map join (beyond a few districts the join report has one summary line)
    n_no_data, n_no_geom = m.egovkit_join["no_data"], m.egovkit_join["no_geometry"]
    sentences["quality"].append(tr["s_join"].format(n_no_data=n_no_data, n_no_geom=n_no_geom, **words))
    tables["quality"] = _html_table(qual[["severity", "code", "area", "message", "action"]], lang=lang)
    if validation is not None:
        vf = validation.to_frame()
        vf = vf[vf["severity"].isin(["error", "warning"])]
        vf = vf.sort_values("severity", key=lambda c: c.map({"error": 0, "warning": 1}), kind="stable")
        if vf.empty:
            sentences["quality"].append(tr["s_validation_clean"])
        else:
            sentences["quality"].append(tr["s_validation"].format(
                n_err=format_number((vf["severity"] == "error").sum(), lang),
                n_warn=format_number((vf["severity"] == "warning").sum(), lang)))
        cols = [c for c in ("severity", "source", "row", "column", "area", "message", "fix") if c in vf.columns]
        vf = vf[cols].astype("object").where(vf[cols].notna(), "")
        if not vf.empty:
            tables["quality"] += _html_table(vf, lang=lang, max_rows=100)

    # -- static maps
    static = []
    if static_maps_for is None:  # the main indicator first: its static map stands for the interactive one in print
        static_maps_for = [indicator] + [i for i in indicators[:6] if i != indicator][:5]
    for ind in static_maps_for:
        sub = _without_name(r[r["indicator"] == ind].drop_duplicates(key), key, name_column)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig = static_indicator_map(districts, sub, key=key, name_column=name_column,
                                       label=indicator_label(ind, lang), scheme=scheme, k=k,
                                       hotspots=hotspots if ind == indicator else None,
                                       gaps=gaps if ind == indicator else None,
                                       coverage_areas=coverage_areas if ind == indicator else None,
                                       coverage_radius_m=coverage_radius_m if ind == indicator else None,
                                       lisa=None if lisa is None or ind != indicator
                                       else pd.DataFrame(lisa)[[key, lisa_column]],
                                       lisa_column=lisa_column or "cluster",
                                       new_sites=new_sites if ind == indicator else None, lang=lang)
        paths = charts.save_figure(fig, out / "figures", f"map_{ind}", dpi=90)
        files += paths
        static.append({"src": _png_data_uri(paths[0]), "svg": f"figures/{paths[1].name}", "main": ind == indicator,
                       "caption": tr["caption_map"].format(indicator=indicator_label(ind, lang),
                                                           scheme=scheme_label, k=k, **words)})

    # -- summary cards and sentences (numbers from `summary`)
    cards = [{"value": format_number(srow["n_districts"], lang), "label": tr["fig_districts"].format(**words)},
             {"value": format_number(srow["denominator"], lang),
              "label": tr["fig_denominator"].format(universe=universe)}]
    for _, s in summary.iterrows():
        uni = tr.get(s["universe"], s["universe"])
        lab = indicator_label(s["indicator"], lang)
        cards.append({"value": format_percent(s["share_territory"], lang),
                      "label": tr["fig_rate"].format(indicator=lab)})
        sentences["summary"].append(tr["s_rate"].format(
            territory=territory_name, rate=format_percent(s["share_territory"], lang), universe=uni,
            num=format_number(s["numerator"], lang), den=format_number(s["denominator"], lang), indicator=lab))
    sentences["summary"].append(tr["s_range"].format(
        n=format_number(srow["n_districts"], lang), min=format_percent(srow["share_min"], lang),
        min_name=srow["name_min"], max=format_percent(srow["share_max"], lang), max_name=srow["name_max"],
        n_below=format_number(srow["n_below"], lang), **words))
    if srow["n_missing"]:
        sentences["summary"].append(tr["s_missing"].format(n=format_number(srow["n_missing"], lang), **words))
    apart = main[not_residential]
    if len(apart):
        sentences["lagging"].append(tr["s_set_apart"].format(
            n=format_number(len(apart), lang), districts=many if len(apart) > 1 else one,
            names=_names([str(v) for v in apart[name_column]], lang)))
    small = main[excluded & ~not_residential]
    if len(small):
        sentences["lagging"].append(tr["s_small_excluded"].format(
            n=format_number(len(small), lang), districts=many if len(small) > 1 else one,
            min=format_number(min_denominator, lang), universe=universe,
            names=_names([str(v) for v in small[name_column]], lang)))

    # -- lagging districts
    terr = float(srow["share_territory"])
    sentences["lagging"][:0] = [str(x) for x in lagging_sentences]
    if lagging is not None and len(lagging):
        lag = pd.DataFrame(lagging).drop(columns=["geometry"], errors="ignore")
        name_col = next((c for c in ("area", name_column, key) if c in lag.columns), lag.columns[0])
        listed = [str(v) for v in lag[name_col].head(10)]
        if len(lag) > len(listed):  # say that the list goes on (the table below has them all)
            listed.append(tr["n_more"].format(n=format_number(len(lag) - len(listed), lang)))
        sentences["lagging"].append(tr["s_lagging"].format(n=format_number(len(lag), lang),
                                                           names=_names(listed, lang), **words))
        write_csv(lag, out / "tables" / "lagging_districts.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "lagging_districts.csv")
        show = [c for c in (name_col, "share", "gap_pct_points", "denominator", "missing_to_territory")
                if c in lag.columns]
        shown = lag[show].copy()
        if "gap_pct_points" in shown:  # percentage points -> share difference, shown as "-14.4 pp"
            shown["gap_pct_points"] = shown["gap_pct_points"] / 100.0
        tables["lagging"] = _html_table(shown, percent=["share"], points=["gap_pct_points"],
                                        numbers=[c for c in ("denominator", "missing_to_territory") if c in shown],
                                        lang=lang, headers=hdr, max_rows=100)
    else:
        low = main[~excluded].dropna(subset=["share"])
        low = low.sort_values("share", kind="stable").head(n_lowest)
        low = low[_uniq(key, name_column, "numerator", "denominator", "share")]
        low = low.assign(gap_share=lambda d: d["share"] - terr)
        write_csv(low, out / "tables" / "lowest_districts.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "lowest_districts.csv")
        sentences["lagging"].append(tr["s_lowest"].format(names=_names(
            [f"{n} ({format_percent(v, lang)})" for n, v in zip(low[name_column], low["share"])], lang), **words))
        tables["lagging"] = _html_table(low, percent=["share"], points=["gap_share"],
                                        numbers=["numerator", "denominator"], lang=lang, headers=hdr)

    # -- Wi-Fi
    if hotspots is not None:
        n_h = len(hotspots)
        per = n_h / srow["denominator"] * 10_000 if srow["denominator"] > 0 else np.nan
        sentences["wifi"].append(tr["s_hotspots"].format(n=format_number(n_h, lang),
                                                         per10k=format_number(per, lang, 1), universe=universe))
        cards.append({"value": format_number(n_h, lang), "label": tr["fig_hotspots"]})
    else:
        notes["wifi"].append(tr["omitted"].format(what=tr["what_hotspots"]))
    charts_out = []
    if coverage is not None:
        curve = _coverage_curve(coverage)
        share_col = next((c for c in ("share_covered",) if c in curve.columns), None) or charts._share_column(curve)
        write_csv(curve, out / "tables" / "coverage.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "coverage.csv")
        for _, c in curve.iterrows():
            sentences["wifi"].append(tr["s_coverage"].format(share=format_percent(c[share_col], lang),
                                                             radius=format_number(c["radius_m"], lang)))
        show = [c for c in ("radius_m", "population", "population_covered", share_col) if c in curve.columns]
        tables["coverage"] = _html_table(curve[show], percent=[share_col], lang=lang, headers=hdr)
        fig = charts.coverage_curve(curve, share_column=share_col, lang=lang)
        paths = charts.save_figure(fig, out / "figures", "coverage_curve")
        files += paths
        charts_out.append({"src": _png_data_uri(paths[0]), "svg": f"figures/{paths[1].name}",
                           "caption": tr["caption_coverage"]})
    else:
        notes["wifi"].append(tr["omitted"].format(what=tr["what_coverage"]))
    if gaps is not None:
        g = gaps.copy()
        if "area_km2" not in g.columns:
            g["area_km2"] = g.geometry.to_crs(g.to_crs(4326).estimate_utm_crs()).area / 1e6
        # gap_zones, not gaps: tables/gaps.csv is the gap of each district to the territory rate
        files.append(_write_gpkg(g, out / "tables" / "gap_zones.gpkg", "gap_zones"))
        write_csv(_with_lonlat(g), out / "tables" / "gap_zones.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "gap_zones.csv")
        files += _write_lonlat_layers(g, out / "tables", "gap_zones", _outputs_text(lang)["kml_zone"])
        area = float(g["area_km2"].sum())
        if "population" in g.columns:
            sentences["wifi"].append(tr["s_gaps_pop"].format(n=format_number(len(g), lang),
                                                             area=format_number(area, lang, 1),
                                                             pop=format_number(g["population"].sum(), lang)))
        else:
            sentences["wifi"].append(tr["s_gaps"].format(n=format_number(len(g), lang),
                                                         area=format_number(area, lang, 1)))
        tables["gaps"] = _html_table(_district_names(_with_lonlat(g), r, key, name_column), lang=lang, headers=hdr,
                                     max_rows=15, decimals=_LONLAT_DECIMALS)
    else:
        notes["wifi"].append(tr["omitted"].format(what=tr["what_gaps"]))
    if new_sites is not None:
        ns = new_sites.copy()
        files.append(_write_gpkg(ns, out / "tables" / "new_sites.gpkg", "new_sites"))
        write_csv(_with_lonlat(ns), out / "tables" / "new_sites.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "new_sites.csv")
        files += _write_lonlat_layers(ns, out / "tables", "new_sites", _outputs_text(lang)["kml_site"])
        popc = next((c for c in ("population_added", "population_gain", "population_covered") if c in ns.columns), None)
        if popc:
            sentences["wifi"].append(tr["s_new_sites_pop"].format(n=format_number(len(ns), lang),
                                                                  pop=format_number(ns[popc].sum(), lang)))
        else:
            sentences["wifi"].append(tr["s_new_sites"].format(n=format_number(len(ns), lang)))
        cards.append({"value": format_number(len(ns), lang), "label": tr["fig_new_sites"]})
        tables["new_sites"] = _html_table(_district_names(_with_lonlat(ns), r, key, name_column), lang=lang,
                                          headers=hdr, max_rows=15, decimals=_LONLAT_DECIMALS)
    else:
        notes["wifi"].append(tr["omitted"].format(what=tr["what_new_sites"]))

    # -- distribution, LISA, charts
    fig = charts.lorenz_curve(r, indicator, lang=lang)
    gini = fig.egovkit_gini
    paths = charts.save_figure(fig, out / "figures", f"lorenz_{indicator}")
    files += paths
    write_csv(pd.DataFrame({"indicator": [indicator], "gini_districts": [gini]}),
        out / "tables" / "lorenz_gini.csv", float_format=CSV_FLOAT)
    files.append(out / "tables" / "lorenz_gini.csv")
    sentences["distribution"].append(tr["s_lorenz"].format(
        indicator=label, universe=universe, gini=format_number(gini, lang, 3), **words))
    lorenz_fig = {"src": _png_data_uri(paths[0]), "svg": f"figures/{paths[1].name}",
                  "caption": tr["caption_lorenz"].format(indicator=label, universe=universe)}
    if distribution is not None:
        dist = (pd.DataFrame({"measure": list(distribution.keys()), "value": list(distribution.values())})
                if isinstance(distribution, Mapping) else pd.DataFrame(distribution).reset_index(drop=True))
        write_csv(dist, out / "tables" / "distribution.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "distribution.csv")
        html_, dnotes = _distribution_table(dist.drop(columns=["geometry"], errors="ignore"), lang, words,
                                            universe)
        tables["distribution"] = html_
        notes["distribution"] += dnotes
        if "indicator" in dist.columns:
            skipped = [i for i in indicators if i not in set(dist["indicator"])]
            if skipped:
                notes["distribution"].append(tr["s_not_computed"].format(
                    what=_names([indicator_label(i, lang) for i in skipped], lang)))
    else:
        notes["distribution"].append(tr["omitted"].format(what=tr["what_distribution"]))
    if lisa is not None:
        codes = pd.Series([_lisa_code(v) for v in lisa[lisa_column]], dtype="object").value_counts()
        lt = pd.DataFrame({"cluster": codes.index, "districts": codes.to_numpy()})
        write_csv(lt, out / "tables" / "lisa_clusters.csv", float_format=CSV_FLOAT)
        files.append(out / "tables" / "lisa_clusters.csv")
        tables["distribution"] = tables.get("distribution", "") + _html_table(lt, lang=lang, headers=hdr)
    else:
        notes["distribution"].append(tr["omitted"].format(what=tr["what_lisa"]))

    fig = charts.ranked_bars(r, indicator, key=key, name_column=name_column, lang=lang)
    paths = charts.save_figure(fig, out / "figures", f"ranked_{indicator}")
    files += paths
    charts_out.insert(0, {"src": _png_data_uri(paths[0]), "svg": f"figures/{paths[1].name}",
                          "caption": tr["caption_bars"].format(indicator=label, **words)})
    if len(indicators) > 1:
        fig = charts.ownership_heatmap(r, indicators, key=key, name_column=name_column, lang=lang)
        paths = charts.save_figure(fig, out / "figures", "ownership_heatmap")
        files += paths
        charts_out.insert(1, {"src": _png_data_uri(paths[0]), "svg": f"figures/{paths[1].name}",
                              "caption": (tr["caption_heatmap_wifi"].format(**words)
                                          if all(str(i).startswith("wifi_") for i in indicators)
                                          else tr["caption_heatmap"].format(**words))})
    charts_out.append(lorenz_fig)

    # -- tables shown in the page
    tables["summary"] = _html_table(
        summary.assign(indicator=[indicator_label(i, lang) for i in summary["indicator"]]),
        percent=["share_territory", "share_min", "share_max"], numbers=["numerator", "denominator"],
        lang=lang, headers=hdr)
    dist_tab = charts.district_table(r, indicators, key=key)
    if name_column != key:
        dist_tab.insert(0, name_column, r.drop_duplicates(key).set_index(key)[name_column].reindex(dist_tab.index))
    dist_tab = dist_tab.rename_axis(key).reset_index()
    dist_tab.columns = [hdr.get(c, c) if c in (key, name_column) else indicator_label(c, lang)
                        for c in dist_tab.columns]
    tables["districts"] = _html_table(dist_tab, percent=[indicator_label(c, lang) for c in indicators],
                                      lang=lang, max_rows=250)

    sections = []
    if assessment is not None:
        try:
            from .diagnosis_plots import diagnosis_section
        except ImportError as e:  # pragma: no cover - the diagnosis layer is optional
            raise InputError(f"an assessment was given but the diagnosis charts are not available ({e})",
                             column="assessment", fix="install egovkit completely or leave assessment=None") from e
        sections.append(diagnosis_section(assessment, lang, plan=action_plan))
    sections += list(extra_sections)

    # -- the validation table, the GIS layers and the workbook of every table
    if validation is not None and not (out / "tables" / "validation_report.csv").exists():
        files.append(validation.save(out / "tables" / "validation_report.csv"))
    extra = _inside(out, extra_files)
    page_title = title or tr["title"].format(territory=territory_name)
    sources = [str(x) for x in r["source"].dropna().unique()] if "source" in r.columns else []
    if validation is not None and validation.source:
        sources.append(str(validation.source))
    csvs = [p for p in [*files, *(out / f for f in extra)] if p.suffix == ".csv" and p.parent == out / "tables"]
    workbook = write_workbook(list(dict.fromkeys(csvs)), out / WORKBOOK_NAME, title=page_title, lang=lang,
                              sources=sources, validation=validation)
    files.append(workbook)
    words_out = _outputs_text(lang)
    downloads = [{"href": WORKBOOK_NAME, "label": words_out["link"]}]
    geo_files = [p for p in files if p.suffix in (".geojson", ".kml")]
    if geo_files:
        downloads.append({"label": words_out["geo"], "links": [str(p.relative_to(out)) for p in geo_files]})

    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    page = env.get_template("report.html.j2").render(
        lang=lang, t=tr, title=page_title, downloads=downloads,
        generated=tr["generated"].format(version=getattr(egovkit, "__version__", ""),
                                         date=_dt.date.today().isoformat()),
        sections=[_Markup(x) for x in sections], cards=cards, sentences=sentences, notes=notes, maps=maps,
        static_maps=static, charts=charts_out,
        tables={k_: _Markup(v) for k_, v in tables.items()},
        files=sorted({p.relative_to(out).as_posix() for p in files} | set(extra)))
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _inside(out: Path, paths: Sequence[str | Path]) -> list[str]:
    """``paths`` as POSIX paths relative to ``out``, for links that work wherever the folder is moved.

    A path may be absolute, relative to the working directory (``out/demo/tables/x.csv``) or
    relative to ``out`` (``tables/x.csv``); files that are not inside ``out`` are left out.
    """
    root = out.resolve()
    rel = []
    for f in paths:
        p = Path(f)
        for cand in ([p] if p.is_absolute() else [out / p, p]):
            try:
                r = cand.resolve().relative_to(root)
            except ValueError:
                continue
            if (root / r).is_file():
                rel.append(r.as_posix())
                break
    return rel


def _district_names(df: pd.DataFrame, rates: pd.DataFrame, key: str, name_column: str) -> pd.DataFrame:
    """For display: the ``district`` codes of gap zones / new sites as names; ids as text."""
    df = df.copy()
    if "district" in df.columns and name_column in rates.columns:
        names = rates.drop_duplicates(key).set_index(key, drop=False)[name_column]  # key may be the name
        code = _key(df["district"])
        df["district"] = code.map(names).fillna(code)
    for c in ("candidate", "site_id"):
        if c in df.columns:
            df[c] = df[c].astype("string")
    return df


def _uniq(*cols: str) -> list[str]:
    return list(dict.fromkeys(cols))


def _without_name(df: pd.DataFrame, key: str, name_column: str) -> pd.DataFrame:
    """The values without their name column (the map takes names from the boundaries)."""
    return df if name_column == key else df.drop(columns=[name_column], errors="ignore")


def _Markup(s: str) -> Any:
    """Mark HTML as safe for the autoescaping template: only for fragments built in egovkit from escaped
    text (``_html_table``, ``diagnosis_section``) or given as trusted ``extra_sections``, never user text."""
    from markupsafe import Markup

    return Markup(s)
