"""Interactive maps (folium) that work offline.

:func:`indicator_map` draws a choropleth of one indicator (classes from mapclassify, a
legend with units and a separate "No data" class, tooltips with district name, value and
numerator/denominator, colour-blind-safe palettes) and optional layers: Wi-Fi hotspots
(clustered when many), coverage areas, uncovered gap zones, proposed new sites and LISA
clusters, with a layer control. Before drawing, the join between the values and the
district geometry is checked (:func:`check_join`): a district without a value is drawn in
the "No data" class and listed, never left blank silently.

Geometry is simplified to a byte budget (:func:`simplify_for_web`): by default the
district GeoJSON is kept under 2.5 MB, so that the NYC tract map (2,166 tracts and 3,319
hotspots) stays under 5 MB of self-contained HTML.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"]},
...                      geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
>>> v = pd.DataFrame({"area_code": ["A", "B"], "numerator": [3.0, 6.0], "denominator": [10.0, 10.0]})
>>> m = indicator_map(d, v, scheme="equal_interval", k=2)
>>> import os, tempfile
>>> save_offline(m, os.path.join(tempfile.mkdtemp(), "map.html")).name   # one file, its scripts inside
'map.html'
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import EgovkitWarning, InputError, JoinError
from ..validate import ValidationReport
from .i18n import format_number, format_percent, translations
from .offline import save_offline
from .safe import check_map_text, map_text

__all__ = [
    "PALETTES", "NO_DATA_COLOR", "LISA_COLORS", "Classes", "classify", "check_join",
    "simplify_for_web", "indicator_map", "hotspot_buffers", "save_offline",
]

#: Colour-blind-safe sequential palettes (ColorBrewer and matplotlib perceptual maps).
PALETTES = ("YlGnBu", "viridis", "cividis", "Blues", "PuBu", "YlOrRd", "Greens", "magma")
#: Fill of the "No data" class.
NO_DATA_COLOR = "#d9d9d9"
#: Colours of the LISA cluster types (ColorBrewer RdBu-like, as in GeoDa).
LISA_COLORS = {"HH": "#d7191c", "LL": "#2c7bb6", "HL": "#fdae61", "LH": "#abd9e9"}
_LISA_ALIASES = {"high-high": "HH", "low-low": "LL", "high-low": "HL", "low-high": "LH",
                 "1": "HH", "2": "LH", "3": "LL", "4": "HL"}  # esda's q codes: 1 HH, 2 LH, 3 LL, 4 HL
_SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "user_defined")
# Grey clusters (the plugin's default green/yellow/orange would compete with the choropleth).
_CLUSTER_ICON = """function (cluster) {
    var n = cluster.getChildCount();
    var s = n < 10 ? 30 : (n < 100 ? 36 : (n < 1000 ? 42 : 48));
    return L.divIcon({html: '<div><span>' + n + '</span></div>', className: 'marker-cluster egovkit-cluster',
                      iconSize: new L.Point(s, s)});
}"""


# --------------------------------------------------------------------------- classes
@dataclass
class Classes:
    """The classes of a choropleth.

    Attributes
    ----------
    bins
        Upper bound of each class (in the units of the values).
    lower
        Lower bound of each class (the first is the minimum value).
    index
        Class of each value (0 .. k-1), ``-1`` for a missing value ("No data").
    colors
        One hex colour per class.
    scheme
        The classification used.
    """

    bins: np.ndarray
    lower: np.ndarray
    index: np.ndarray
    colors: list[str]
    scheme: str
    counts: list[int] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.bins)

    @property
    def n_missing(self) -> int:
        return int((self.index < 0).sum())

    def color_of(self, i: int) -> str:
        return NO_DATA_COLOR if i < 0 else self.colors[i]

    def labels(self, fmt: Any = str) -> list[str]:
        """``"lower – upper"`` for every class, values written with ``fmt``."""
        return [f"{fmt(lo)} – {fmt(hi)}" for lo, hi in zip(self.lower, self.bins)]


def _palette(name: str, k: int) -> list[str]:
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    try:
        cmap = mpl.colormaps[name]
    except KeyError:
        raise InputError(f"unknown palette {name!r}", column="palette",
                         fix=f"use a colour-blind-safe palette such as {', '.join(PALETTES)}") from None
    if k == 1:
        return [to_hex(cmap(0.6))]
    lo, hi = (0.12, 0.95) if name not in ("viridis", "cividis", "magma") else (0.0, 0.92)
    return [to_hex(cmap(lo + (hi - lo) * i / (k - 1))) for i in range(k)]


def classify(
    values: Sequence[float] | pd.Series,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    palette: str = "YlGnBu",
) -> Classes:
    """Put values into classes with mapclassify; missing values get class ``-1``.

    Parameters
    ----------
    values
        The values to map (NaN = no data).
    scheme
        ``"quantiles"``, ``"fisher_jenks"``, ``"equal_interval"`` or ``"user_defined"``
        (then ``breaks`` gives the upper bounds; the maximum is added if above them).
    k
        Number of classes (reduced when there are fewer distinct values).
    palette
        A sequential, colour-blind-safe palette, see :data:`PALETTES`.

    Examples
    --------
    >>> c = classify([0.1, 0.2, 0.3, 0.4, None], scheme="equal_interval", k=3)
    >>> c.index.tolist(), c.n_missing
    ([0, 0, 1, 2, -1], 1)
    """
    import mapclassify

    v = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(v)
    if breaks is not None:
        scheme = "user_defined"
    if scheme not in _SCHEMES:
        raise InputError(f"unknown classification {scheme!r}", column="scheme", fix=f"use one of {_SCHEMES}")
    index = np.full(len(v), -1, dtype=int)
    if not ok.any():
        return Classes(np.array([]), np.array([]), index, [], scheme, [])
    x = v[ok]
    n_unique = len(np.unique(x))
    k = max(1, min(int(k), n_unique))
    if scheme == "user_defined":
        if breaks is None or len(breaks) == 0:
            raise InputError("user-defined classes need breaks", column="breaks",
                             fix="pass breaks=[upper bound of each class]")
        b = sorted(float(b) for b in breaks)
        if x.max() > b[-1]:
            b.append(float(x.max()))
        c = mapclassify.UserDefined(x, bins=b)
    elif n_unique == 1:
        c = mapclassify.UserDefined(x, bins=[float(x.max())])
    elif scheme == "quantiles":
        c = mapclassify.Quantiles(x, k=k)
    elif scheme == "fisher_jenks":
        c = mapclassify.FisherJenks(x, k=k)
    else:
        c = mapclassify.EqualInterval(x, k=k)
    bins = np.asarray(c.bins, dtype=float)
    index[ok] = np.asarray(c.yb, dtype=int)
    lower = np.concatenate([[x.min()], bins[:-1]])
    counts = [int((index == i).sum()) for i in range(len(bins))]
    return Classes(bins, lower, index, _palette(palette, len(bins)), scheme, counts)


# --------------------------------------------------------------------------- join check
#: Up to this many districts without value (or values without district) are reported one by one;
#: beyond, one summary line with the count and a few examples.
LISTED_PER_DISTRICT = 5


def _key(s: pd.Series) -> pd.Series:
    """Keys as stripped strings; blank keys are missing."""
    k = s.astype("string").str.strip()
    return k.mask(k == "")


def _examples(names: Sequence[str], n: int = 5) -> str:
    shown = ", ".join(repr(str(x)) for x in list(names)[:n])
    return shown + (" ..." if len(names) > n else "")


def _one_row_per_key(values: pd.DataFrame, vkey: pd.Series, key: str, report: ValidationReport) -> np.ndarray:
    """Positions of the value rows to draw: one per key. Rows repeating another row exactly are one
    note (kept once); rows giving different values for the same key are an InputError."""
    dup = (vkey.duplicated(keep=False) & vkey.notna()).to_numpy()
    keep = vkey.notna().to_numpy() & ~(vkey.duplicated(keep="first").to_numpy() & dup)
    if not dup.any():
        return np.flatnonzero(keep)
    cols = [c for c in values.columns if c != key
            and not (isinstance(values, gpd.GeoDataFrame) and c == values.geometry.name)]
    same = pd.DataFrame(values.loc[dup, cols]).astype("string").assign(_k=vkey[dup].to_numpy())
    n_distinct = same.drop_duplicates().groupby("_k").size()
    conflict = n_distinct[n_distinct > 1].index.tolist()
    if conflict:
        raise InputError(f"the values have {len(conflict)} district code(s) more than once with different values, "
                         f"e.g. {sorted(map(str, conflict))[:5]}", column=key,
                         fix="keep one row per district (filter one indicator) before mapping")
    repeated = sorted(set(vkey[dup].astype(str)))
    report.add("info", "repeated_values", f"{int(dup.sum())} value rows repeat another row exactly for "
               f"{len(repeated)} district(s), e.g. {_examples(repeated)}: each drawn once", column=key,
               action="kept once")
    return np.flatnonzero(keep)


def check_join(
    districts: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    key: str = "area_code",
    name_column: str | None = "area_name",
    report: ValidationReport | None = None,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Join values to district geometry and report mismatches on both sides.

    Every district is kept: those without a value (no value row, or no ``key`` at all) get NaN
    and are drawn in the grey "No data" class; several features with the same key (parts of one
    district) each get its value. Values whose key has no geometry, or no key, are not drawn and
    are recorded. Up to :data:`LISTED_PER_DISTRICT` districts are reported one by one, more as
    one summary line (a partial table against a national boundary file).

    Returns
    -------
    (GeoDataFrame, ValidationReport)
        The districts with the value columns added, and the report with codes
        ``no_data`` (district without a value), ``no_geometry`` (value without district).
        ``gdf.attrs["egovkit_join"]`` counts them: ``{"no_data": n, "no_geometry": m}``.

    Raises
    ------
    JoinError
        If no key matches at all, or a key column is missing from either side.
    InputError
        If the values give different values for the same key.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"area_code": ["A", "B", None]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1),
    ...                                                                   box(2, 0, 3, 1)])
    >>> j, r = check_join(d, pd.DataFrame({"area_code": ["A", "Z"], "share": [0.5, 0.1]}), name_column=None)
    >>> j["share"].isna().tolist(), [i.code for i in r.issues], j.attrs["egovkit_join"]
    ([False, True, True], ['no_data', 'no_data', 'no_geometry'], {'no_data': 2, 'no_geometry': 1})
    """
    report = report if report is not None else ValidationReport(source="map join")
    for frame, what in ((districts, "district boundaries"), (values, "values table")):
        if key not in frame.columns:
            raise JoinError(f"the {what} have no column {key!r} (columns: {list(frame.columns)}). "
                            f"Fix: pass key= the column that holds the district code in both")
    vkey = _key(values[key]).reset_index(drop=True)
    values = values.reset_index(drop=True)
    without_key = int(vkey.isna().sum())
    if without_key:
        report.add("warning", "no_geometry", f"{without_key} value row(s) have no {key}: not drawn", column=key,
                   action="dropped from the map", fix=f"give every row its {key}")
    rows = _one_row_per_key(values, vkey, key, report)
    dkey = _key(districts[key]).reset_index(drop=True)
    vset = set(vkey.dropna())
    matched = dkey.isin(vset).to_numpy()
    if len(rows) and not matched.any():
        raise JoinError(
            f"no district code of the values matches the boundaries on {key!r}: values e.g. "
            f"{list(vkey.dropna().unique()[:3])}, boundaries e.g. {list(dkey.dropna().unique()[:3])}. "
            "Fix: check that both use the same coding (leading zeros, prefixes) or join by name")
    shared = dkey[dkey.duplicated(keep=False) & dkey.notna()]
    if len(shared):
        report.add("info", "shared_key", f"{len(shared)} district features share {shared.nunique()} code(s), e.g. "
                   f"{_examples(sorted(shared.unique()))}: each feature drawn with its district's value",
                   column=key, action="kept")
    # districts without value: named by name_column, else key, else feature number (never "nan")
    names = []
    has_names = bool(name_column) and name_column in districts.columns
    for i in np.flatnonzero(~matched):
        name = districts[name_column].iloc[i] if has_names else None
        if name is None or pd.isna(name) or str(name).strip() in ("", "nan", "<NA>"):
            name = dkey.iloc[i] if pd.notna(dkey.iloc[i]) else f"feature {i + 1}"
        names.append(str(name))
    n_no_data = len(names)
    if n_no_data > LISTED_PER_DISTRICT:
        report.add("warning", "no_data", f"{n_no_data:,} of {len(districts):,} districts have no value, e.g. "
                   f"{_examples(names)}: drawn in the grey 'No data' class", column=key,
                   action="kept as no data", fix="nothing if the table covers only part of the boundary file; "
                                                 "otherwise add the districts to the table or check their codes")
    else:
        for i, name in zip(np.flatnonzero(~matched), names):
            code = dkey.iloc[i]
            what = f"district {code!r} has no value" if pd.notna(code) else f"district (feature {i + 1}) has no {key}"
            report.add("warning", "no_data", f"{what}: drawn in the 'No data' class", column=key, area=name,
                       action="kept as no data", fix="add the district to the table or check its code")
    dset = set(dkey.dropna())
    orphan = [str(c) for c in vkey.iloc[rows] if c not in dset]
    if len(orphan) > LISTED_PER_DISTRICT:
        report.add("warning", "no_geometry", f"{len(orphan):,} values have no district geometry, e.g. "
                   f"{_examples(orphan)}: not drawn", column=key, action="dropped from the map",
                   fix="add the districts to the boundaries or correct their codes")
    else:
        for code in orphan:
            report.add("warning", "no_geometry", f"value for {code!r} has no district geometry: not drawn",
                       column=key, area=code, action="dropped from the map",
                       fix="add the district to the boundaries or correct its code")
    if n_no_data or orphan or without_key:
        warnings.warn(f"map join on {key!r}: {n_no_data} district(s) without value, "
                      f"{len(orphan) + without_key} value(s) without geometry (see the validation report)",
                      EgovkitWarning, stacklevel=2)
    drop = [c for c in values.columns if c in districts.columns and c != key]
    if isinstance(values, gpd.GeoDataFrame):
        drop.append(values.geometry.name)
    right = pd.DataFrame(values.drop(columns=drop)).iloc[rows].drop(columns=key).reset_index(drop=True)
    pos = pd.Index(vkey.iloc[rows].astype(object)).get_indexer(dkey.astype(object).where(dkey.notna(), None))
    part = right.reindex(pos).reset_index(drop=True)  # -1 (no value) -> missing values
    left = pd.DataFrame(districts.drop(columns=districts.geometry.name)).reset_index(drop=True).assign(**{key: dkey})
    out = pd.concat([left, part], axis=1)
    out[districts.geometry.name] = districts.geometry.to_numpy()
    gdf = gpd.GeoDataFrame(out, geometry=districts.geometry.name, crs=districts.crs)
    gdf.attrs["egovkit_join"] = {"no_data": n_no_data, "no_geometry": len(orphan) + without_key}
    return gdf, report


# --------------------------------------------------------------------------- simplification
def _geojson_bytes(geoms: gpd.GeoSeries) -> int:
    return int(sum(len(s) for s in shapely.to_geojson(geoms.to_numpy())))


def _round(geoms: gpd.GeoSeries, precision: int) -> gpd.GeoSeries:
    arr = shapely.transform(geoms.to_numpy(), lambda c: np.round(c, precision))
    return gpd.GeoSeries(arr, index=geoms.index, crs=geoms.crs)


def simplify_for_web(
    gdf: gpd.GeoDataFrame,
    max_bytes: int = 2_500_000,
    precision: int = 5,
) -> tuple[gpd.GeoDataFrame, float]:
    """Longitude/latitude copy of ``gdf`` whose GeoJSON geometry fits in ``max_bytes``.

    The geometry is projected to its UTM zone and simplified (topology of each polygon
    preserved) with a tolerance that starts at 0.5 % of the median district size and
    doubles until the budget is met; coordinates are rounded to ``precision`` decimals
    (5 ≈ 1 m). Polygons are never dropped: one that would vanish keeps a coarser copy.

    Returns
    -------
    (GeoDataFrame, float)
        The simplified data in EPSG:4326 and the tolerance used in metres (0 if none).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(0, 0).buffer(0.01, 256)], crs=4326)
    >>> small, tol_m = simplify_for_web(g, max_bytes=2_000)
    >>> tol_m > 0 and len(shapely.to_geojson(small.geometry.iloc[0])) <= 2_000
    True
    """
    if gdf.crs is None:
        raise InputError("the boundaries have no coordinate reference system", column="geometry",
                         fix="set it, e.g. gdf.set_crs(4326) for longitude/latitude")
    wgs = gdf.to_crs(4326)
    rounded = _round(wgs.geometry, precision)
    if _geojson_bytes(rounded) <= max_bytes:
        return wgs.set_geometry(rounded), 0.0
    proj = wgs.geometry.to_crs(wgs.estimate_utm_crs())
    area = proj.area.to_numpy()
    size = float(np.sqrt(np.median(area[area > 0]))) if (area > 0).any() else 100.0
    tol = max(0.005 * size, 0.5)
    for _ in range(30):
        simp = proj.simplify(tol, preserve_topology=True)
        simp = simp.where(~simp.is_empty, proj.envelope)
        out = _round(simp.to_crs(4326), precision)
        if _geojson_bytes(out) <= max_bytes:
            return wgs.set_geometry(out), tol
        tol *= 2
    return wgs.set_geometry(out), tol


# --------------------------------------------------------------------------- legend
class _Legend:
    """Factory of a branca MacroElement showing a legend box (bottom right)."""

    @staticmethod
    def make(html: str) -> Any:
        from branca.element import MacroElement
        from jinja2 import Template

        el = MacroElement()
        el._name = "EgovkitLegend"
        el.html = html
        el._template = Template("""
{% macro header(this, kwargs) %}
<style>
.egovkit-legend {background: rgba(255,255,255,0.92); padding: 6px 9px; font: 12px/1.35 sans-serif;
  border-radius: 4px; box-shadow: 0 0 6px rgba(0,0,0,0.3); max-width: 260px;}
.egovkit-legend .t {font-weight: bold; margin-bottom: 3px;}
.egovkit-legend i {display: inline-block; width: 16px; height: 11px; margin-right: 5px;
  border: 1px solid #777; vertical-align: middle;}
.egovkit-legend i.dot {border-radius: 50%; width: 10px; height: 10px;}
.egovkit-cluster {background: rgba(37,37,37,0.3); border-radius: 50%;}
.egovkit-cluster div {background: rgba(37,37,37,0.85); color: #fff; font: bold 12px sans-serif;
  border-radius: 50%; width: calc(100% - 10px); height: calc(100% - 10px); margin: 5px;
  display: flex; align-items: center; justify-content: center;}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: 'bottomright'});
{{ this.get_name() }}.onAdd = function (map) {
    var div = L.DomUtil.create('div', 'egovkit-legend');
    div.innerHTML = {{ this.html|tojson }};
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")
        return el


def _esc(s: Any) -> str:
    # every string of a map is user text for folium: HTML-escaped and without Jinja braces
    return map_text(s)


# --------------------------------------------------------------------------- the map
def _points(gdf: gpd.GeoDataFrame, what: str, report: ValidationReport | None = None) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise InputError(f"the {what} have no coordinate reference system", column="geometry",
                         fix="set it, e.g. gdf.set_crs(4326)")
    pts = gdf.to_crs(4326)
    missing = pts.geometry.isna() | pts.geometry.is_empty
    if missing.any():
        msg = f"{int(missing.sum())} of the {what} have no location and are not drawn"
        if report is not None:
            report.add("warning", "no_location", msg, column="geometry", action="not drawn",
                       fix=f"give every one of the {what} coordinates")
        warnings.warn(msg, EgovkitWarning, stacklevel=3)
    pts = pts[~missing.to_numpy()]
    if not pts.geom_type.isin(["Point"]).all():
        pts = pts.set_geometry(pts.geometry.representative_point())
    return pts


def _lisa_code(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    if s.upper() in LISA_COLORS:
        return s.upper()
    if s.endswith(".0"):
        s = s[:-2]
    return _LISA_ALIASES.get(s.lower())


def indicator_map(  # noqa: C901 (reading decisions in one place; split in issue 11 part 3)
    districts: gpd.GeoDataFrame,
    values: pd.DataFrame | None = None,
    *,
    column: str = "share",
    key: str = "area_code",
    name_column: str = "area_name",
    numerator: str | None = "numerator",
    denominator: str | None = "denominator",
    label: str | None = None,
    percent: bool | None = None,
    unit: str = "",
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    palette: str = "YlGnBu",
    hotspots: gpd.GeoDataFrame | None = None,
    cluster_hotspots: bool | None = None,
    coverage_areas: gpd.GeoDataFrame | None = None,
    coverage_radius_m: float | None = None,
    gaps: gpd.GeoDataFrame | None = None,
    new_sites: gpd.GeoDataFrame | None = None,
    lisa: pd.DataFrame | None = None,
    lisa_column: str = "cluster",
    tiles: str | None = None,
    lang: str = "en",
    max_geometry_bytes: int = 2_500_000,
    report: ValidationReport | None = None,
) -> Any:
    """A folium map of one indicator by district, with optional Wi-Fi layers.

    Parameters
    ----------
    districts
        District polygons with the ``key`` and ``name_column`` columns (any CRS).
    values
        One row per district with ``key`` and ``column`` (and ``numerator``/``denominator``
        for the tooltip). ``None``: the values are columns of ``districts``. If ``column`` is
        absent but numerator and denominator are there, ``share = numerator / denominator``.
    column, label, percent, unit
        The value to map, its legend title, whether it is a share (0-1) shown as a
        percentage (default: True when the column name starts with ``share``), and the unit
        written after other values.
    scheme, k, breaks, palette
        Classification (see :func:`classify`) and colour-blind-safe palette.
    hotspots
        Wi-Fi points; clustered when more than 500 (or as ``cluster_hotspots`` says).
    coverage_areas, gaps
        Polygons of covered areas (dissolved before drawing) and of uncovered gap zones.
    coverage_radius_m
        Without ``coverage_areas``: draw the area within this many metres of a hotspot
        (buffers computed in the hotspots' UTM zone, dissolved).
    new_sites
        Proposed new hotspot sites (points).
    lisa
        ``key`` + ``lisa_column`` with LISA cluster types (``HH``, ``LL``, ``HL``, ``LH``,
        or esda's ``q`` codes 1-4 / labels like ``High-High``; anything else is "not
        significant" and not drawn).
    tiles
        ``None`` (default, fully offline) or a folium tile name such as ``"OpenStreetMap"``.
    max_geometry_bytes
        Budget of the district GeoJSON (see :func:`simplify_for_web`).
    report
        A :class:`~egovkit.validate.ValidationReport` to which join problems are added
        (a new one otherwise); available as ``m.egovkit_report``.

    Returns
    -------
    folium.Map
        With attributes ``egovkit_report`` (join report), ``egovkit_classes``
        (:class:`Classes`), ``egovkit_counts`` (districts, hotspots, ... drawn) and
        ``egovkit_join`` (``{"no_data": districts without a value row, "no_geometry": values
        without a district}``, see :func:`check_join`).
    """
    import folium
    from folium.plugins import FastMarkerCluster

    tr = translations(lang)
    if districts.crs is None:
        raise InputError("the district boundaries have no coordinate reference system",
                         column="geometry", fix="set it, e.g. districts.set_crs(4326)")
    if values is None:
        if key not in districts.columns:
            raise JoinError(f"the district boundaries have no column {key!r}. Fix: pass key=")
        data = districts.copy()
        report = report if report is not None else ValidationReport(source="map")
    else:
        data, report = check_join(districts, values, key=key, name_column=name_column, report=report)
    join_counts = dict(data.attrs.get("egovkit_join", {"no_data": 0, "no_geometry": 0}))
    if column not in data.columns:
        if numerator in data.columns and denominator in data.columns:
            den = pd.to_numeric(data[denominator], errors="coerce")
            data[column] = pd.to_numeric(data[numerator], errors="coerce") / den.where(den > 0)
        else:
            raise InputError(f"no column {column!r} to map (columns: {list(data.columns)})", column=column,
                             fix="pass column= the value column, or numerator/denominator columns")
    if percent is None:
        percent = column.startswith("share")
    vals = pd.to_numeric(data[column], errors="coerce").astype("float64")
    classes = classify(vals, scheme=scheme, k=k, breaks=breaks, palette=palette)
    if percent:
        def fmt(x: float) -> str:
            return format_percent(x, lang)
    else:
        def fmt(x: float) -> str:
            return format_number(x, lang, 1 if abs(x) < 100 else 0) + (f" {unit}" if unit else "")
    label = label or column
    # -- geometry within budget; properties kept small (preformatted strings)
    small, tol_m = simplify_for_web(data[[data.geometry.name]].set_geometry(data.geometry.name),
                                    max_bytes=max_geometry_bytes)
    names = data[name_column].astype("string").fillna(data[key].astype("string")) \
        if name_column in data.columns else data[key].astype("string")
    # tooltips are inserted with innerHTML and the GeoJSON goes through folium's two Jinja
    # passes: every string property is inert text (safe.map_text), numbers stay numbers
    props = pd.DataFrame({
        "name": [_esc(x) for x in names.fillna("")],
        "value": [_esc(fmt(x) if np.isfinite(x) else tr["no_data"]) for x in vals],
        "c": classes.index,
    }, index=data.index)
    fields, aliases = ["name", "value"], [_esc(tr["district"]), _esc(label)]
    if numerator in data.columns and denominator in data.columns:
        num = pd.to_numeric(data[numerator], errors="coerce")
        den = pd.to_numeric(data[denominator], errors="coerce")
        props["nd"] = [_esc(f"{format_number(a, lang)} / {format_number(b, lang)}") for a, b in zip(num, den)]
        fields.append("nd")
        aliases.append(_esc(tr["numerator_denominator"]))
    if tol_m > 0:
        report.add("info", "simplified", f"district outlines simplified with a {tol_m:.1f} m tolerance to keep "
                   f"the map under {max_geometry_bytes:,} bytes of geometry", column="geometry",
                   action="repaired", fix="raise max_geometry_bytes for more detail")
    feats = gpd.GeoDataFrame(props, geometry=small.geometry.to_numpy(), crs=4326)
    feats = feats[~feats.geometry.is_empty & feats.geometry.notna()]
    gj = json.loads(feats.to_json(drop_id=True))

    minx, miny, maxx, maxy = small.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=tiles,
                   control_scale=True, prefer_canvas=False, maxZoom=19)
    colors = classes.colors

    def style(feature: dict) -> dict:
        c = feature["properties"]["c"]
        return {"fillColor": NO_DATA_COLOR if c < 0 else colors[c], "color": "#555555",
                "weight": 0.4, "fillOpacity": 0.85}

    layer = folium.GeoJson(gj, name=_esc(label), style_function=style,
                           highlight_function=lambda f: {"weight": 2, "color": "#000000"},
                           tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
                           smooth_factor=0.5)
    layer.add_to(m)
    counts: dict[str, int] = {"districts": len(feats), "no_data": classes.n_missing}

    if lisa is not None:
        if key not in lisa.columns or lisa_column not in lisa.columns:
            raise InputError(f"the LISA table needs columns {key!r} and {lisa_column!r}",
                             column=lisa_column, fix="pass key= and lisa_column=")
        code = dict(zip(_key(lisa[key]), (_lisa_code(v) for v in lisa[lisa_column])))
        lcode = _key(data[key]).map(code)
        sel = lcode.notna().to_numpy()
        if sel.any():
            lf = gpd.GeoDataFrame({"name": props["name"][sel].to_numpy(), "lisa": lcode[sel].to_numpy()},
                                  geometry=small.geometry[sel].to_numpy(), crs=4326)
            folium.GeoJson(
                json.loads(lf.to_json(drop_id=True)), name=_esc(tr["layer_lisa"]), show=False,
                style_function=lambda f: {"color": LISA_COLORS[f["properties"]["lisa"]], "weight": 2.5,
                                          "fillColor": LISA_COLORS[f["properties"]["lisa"]],
                                          "fillOpacity": 0.35},
                tooltip=folium.GeoJsonTooltip(fields=["name", "lisa"], aliases=[_esc(tr["district"]), "LISA"]),
            ).add_to(m)
        counts["lisa"] = int(sel.sum())

    if coverage_areas is None and coverage_radius_m and hotspots is not None and len(hotspots):
        coverage_areas = hotspot_buffers(hotspots, coverage_radius_m)
    for gdf, name, col, what in ((coverage_areas, tr["layer_coverage"], "#00441b", "coverage areas"),
                                 (gaps, tr["layer_gaps"], "#d95f02", "gap zones")):
        if gdf is None or len(gdf) == 0:
            continue
        if gdf.crs is None:
            raise InputError(f"the {what} have no coordinate reference system", column="geometry",
                             fix="set it, e.g. gdf.set_crs(4326)")
        poly = gdf if what == "gap zones" else gpd.GeoDataFrame(geometry=[gdf.union_all()], crs=gdf.crs)
        poly, _ = simplify_for_web(poly[[poly.geometry.name]], max_bytes=max_geometry_bytes // 5)
        folium.GeoJson(json.loads(poly.to_json(drop_id=True)), name=_esc(name),
                       style_function=lambda f, c=col, gap=(what == "gap zones"): {
                           "color": c, "weight": 2 if gap else 1.5, "dashArray": None if gap else "5 4",
                           "fillColor": c, "fillOpacity": 0.35 if gap else 0.08}).add_to(m)
        counts["coverage_areas" if what == "coverage areas" else "gaps"] = len(gdf)

    if hotspots is not None and len(hotspots):
        pts = _points(hotspots, "hotspots", report)
        counts["hotspots"] = len(pts)
        cluster = len(pts) > 500 if cluster_hotspots is None else cluster_hotspots
        if cluster:
            xy = np.round(np.column_stack([pts.geometry.y, pts.geometry.x]), 6).tolist()
            FastMarkerCluster(
                xy, name=_esc(tr["layer_hotspots"]),
                callback="function (row) { return L.circleMarker(new L.LatLng(row[0], row[1]),"
                         " {radius: 4, color: '#222222', weight: 1, fillColor: '#ffffff', fillOpacity: 1}); }",
                disableClusteringAtZoom=16, chunkedLoading=True, icon_create_function=_CLUSTER_ICON,
            ).add_to(m)
        else:
            fg = folium.FeatureGroup(name=_esc(tr["layer_hotspots"]))
            hp = gpd.GeoDataFrame(geometry=pts.geometry.to_numpy(), crs=4326)
            folium.GeoJson(json.loads(_with_rounded_points(hp)), name=_esc(tr["layer_hotspots"]),
                           marker=folium.CircleMarker(radius=4, color="#222222", weight=1,
                                                      fill_color="#ffffff", fill_opacity=1)).add_to(fg)
            fg.add_to(m)
    if new_sites is not None and len(new_sites):
        pts = _points(new_sites, "new sites", report)
        counts["new_sites"] = len(pts)
        sp = gpd.GeoDataFrame(geometry=pts.geometry.to_numpy(), crs=4326)
        folium.GeoJson(json.loads(_with_rounded_points(sp)), name=_esc(tr["layer_new_sites"]),
                       marker=folium.CircleMarker(radius=7, color="#7b3294", weight=3,
                                                  fill_color="#c2a5cf", fill_opacity=1)).add_to(m)

    # -- legend: classes with units, the No data class, and the other layers
    rows = [f"<div class='t'>{_esc(label)}</div>"]
    for lab, c, n in zip(classes.labels(fmt), classes.colors, classes.counts):
        rows.append(f"<div><i style='background:{c}'></i>{_esc(lab)} ({n})</div>")
    if classes.n_missing or values is not None:
        rows.append(f"<div><i style='background:{NO_DATA_COLOR}'></i>{_esc(tr['no_data'])} "
                    f"({classes.n_missing})</div>")
    if "hotspots" in counts:
        rows.append(f"<div><i class='dot' style='background:#fff;border-color:#222'></i>"
                    f"{_esc(tr['layer_hotspots'])} ({format_number(counts['hotspots'], lang)})</div>")
    if "new_sites" in counts:
        rows.append(f"<div><i class='dot' style='background:#c2a5cf;border-color:#7b3294'></i>"
                    f"{_esc(tr['layer_new_sites'])} ({counts['new_sites']})</div>")
    if "coverage_areas" in counts:
        rows.append(f"<div><i style='background:rgba(0,68,27,.08);border:1.5px dashed #00441b'></i>"
                    f"{_esc(tr['layer_coverage'])}</div>")
    if "gaps" in counts:
        rows.append(f"<div><i style='background:rgba(217,95,2,.35);border:2px solid #d95f02'></i>"
                    f"{_esc(tr['layer_gaps'])}</div>")
    if "lisa" in counts:
        rows.append("<div>LISA: " + " ".join(f"<i style='background:{c}'></i>{k}"
                                             for k, c in LISA_COLORS.items()) + "</div>")
    m.add_child(_Legend.make("".join(rows)))
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    m.egovkit_report = report
    m.egovkit_classes = classes
    m.egovkit_counts = counts
    m.egovkit_join = join_counts
    m.egovkit_tolerance_m = tol_m
    check_map_text(m)  # every string above went through map_text; refuse the map if one did not
    return m


def hotspot_buffers(hotspots: gpd.GeoDataFrame, radius_m: float) -> gpd.GeoDataFrame:
    """The area within ``radius_m`` metres of any hotspot, one dissolved polygon (EPSG:4326).

    Buffers are drawn in the UTM zone of the points, never in degrees.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([36.80, 36.81], [-1.3, -1.3]), crs=4326)
    >>> a = hotspot_buffers(pts, 100).to_crs(32737).area.iloc[0]
    >>> bool(abs(a - 2 * 3.14159 * 100 ** 2) / a < 0.01)
    True
    """
    if radius_m is None or radius_m <= 0:
        raise InputError(f"the coverage radius must be a positive number of metres, not {radius_m}",
                         column="coverage_radius_m", fix="pass e.g. coverage_radius_m=250")
    pts = _points(hotspots, "hotspots")
    utm = pts.estimate_utm_crs()
    area = pts.to_crs(utm).buffer(radius_m, quad_segs=16).union_all()
    return gpd.GeoDataFrame(geometry=[area], crs=utm).to_crs(4326)


def _with_rounded_points(gdf: gpd.GeoDataFrame, precision: int = 6) -> str:
    return gpd.GeoDataFrame(geometry=_round(gdf.geometry, precision), crs=gdf.crs).to_json(drop_id=True)
