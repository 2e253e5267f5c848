"""What a map shows, prepared once for the interactive (folium) and the printed (matplotlib) map.

:func:`map_spec` joins the values to the districts (:func:`~egovkit.present.maps_join.check_map_join`),
computes the value to map, its classes and colours, the LISA cluster of each district and the
optional Wi-Fi layers; :func:`~egovkit.present.maps.indicator_map` and
:func:`~egovkit.present.static_maps.static_indicator_map` only draw the result:

- :class:`MapStyle`: the classes and their colours, the legend title, how numbers are written;
- :class:`MapLayer`: one layer (its frame, the key and name columns, the value column, its kind);
- :class:`MapSpec`: the district layer, its style, the other layers and the join's report.

The LISA clusters are said in the user's language (:func:`lisa_label`: "High-high", "Haut-haut").

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"], "numerator": [1, 3], "denominator": [10, 10]},
...                      geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
>>> spec = map_spec(d, scheme="equal_interval", k=2, lang="fr")
>>> [text.replace("\xa0", " ") for text, colour in spec.style.legend()]
['10,0 % – 20,0 % (1)', '20,0 % – 30,0 % (1)']
>>> spec.districts.column, spec.districts.kind, lisa_label("HH", "fr")
('share', 'choropleth', 'Haut-haut')
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, TypedDict, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from ..distribution.lagging import SENTENCES
from ..distribution.spatial import (
    LEFT_OUT,
    LEFT_OUT_INVALID,
    LEFT_OUT_LABELS,
    LEFT_OUT_NOT_IN_WEIGHTS,
    NOT_SIGNIFICANT,
    NOT_TESTED,
)
from ..errors import EgovkitWarning, InputError, JoinError
from ..shared.messages import render
from ..shared.texts import load_texts
from ..validate import ValidationReport
from .i18n import format_number, format_percent, translations
from .maps_classes import NO_DATA_COLOR, Classes, classify
from .maps_join import check_map_join, clean_keys

__all__ = ["MapStyle", "MapLayer", "MapSpec", "MapContent", "MAP_DEFAULTS", "map_content", "map_spec",
           "LISA_COLORS", "LISA_CLUSTERS", "CLUSTER_COLORS",
           "CLUSTER_ORDER", "OVERLAY_KINDS", "lisa_code", "lisa_label", "plot_labels", "check_lisa_columns",
           "hotspot_buffers", "points_wgs84", "require_key"]

#: Colours of the LISA cluster types (ColorBrewer RdBu-like, as in GeoDa).
LISA_COLORS = {"HH": "#d7191c", "LL": "#2c7bb6", "HL": "#fdae61", "LH": "#abd9e9"}
#: The cluster each LISA code stands for (the ``lisa_cluster`` of :func:`egovkit.distribution.local_moran`).
LISA_CLUSTERS = {"HH": "high-high", "LL": "low-low", "HL": "high-low", "LH": "low-high"}
_LISA_ALIASES = {"high-high": "HH", "low-low": "LL", "high-low": "HL", "low-high": "LH",
                 "1": "HH", "2": "LH", "3": "LL", "4": "HL"}  # esda's q codes: 1 HH, 2 LH, 3 LL, 4 HL
#: Colours of the LISA clusters by their name, the not significant and left-out districts included.
CLUSTER_COLORS = {**{LISA_CLUSTERS[c]: col for c, col in LISA_COLORS.items()},
                  NOT_SIGNIFICANT: "#eeeeee", NOT_TESTED: "#eeeeee", LEFT_OUT: "#ffffff",
                  LEFT_OUT_INVALID: "#ffffff", LEFT_OUT_NOT_IN_WEIGHTS: "#ffffff"}
#: The order of the clusters in legends.
CLUSTER_ORDER = ["high-high", "low-low", "high-low", "low-high", NOT_SIGNIFICANT, NOT_TESTED, *LEFT_OUT_LABELS]
#: The layers drawn over the districts, in drawing order, with the label key of ``present/i18n``.
OVERLAY_KINDS = {"lisa": "layer_lisa", "coverage": "layer_coverage", "gaps": "layer_gaps",
                 "hotspots": "layer_hotspots", "new_sites": "layer_new_sites"}


def plot_labels(lang: str | None = None) -> dict[str, str]:
    """Labels of the distribution charts and maps in ``lang`` (the ``plots`` of the distribution sentences).

    >>> plot_labels("fr")["rate"]
    'Taux'
    """
    return load_texts(SENTENCES, lang)["plots"]


def check_lisa_columns(lisa: pd.DataFrame) -> None:
    """Raise :class:`~egovkit.errors.InputError` unless ``lisa`` has the columns of ``local_moran``.

    >>> check_lisa_columns(pd.DataFrame({"lisa_z": [], "lisa_lag": [], "lisa_cluster": []}))
    """
    missing = [c for c in ("lisa_z", "lisa_lag", "lisa_cluster") if c not in lisa.columns]
    if missing:
        raise InputError(code="charts.lisa_columns", params={"missing": missing}, column=missing[0])


def lisa_code(v: Any) -> str | None:
    """``HH``, ``LL``, ``HL`` or ``LH`` for a LISA cluster given as a code, a name or esda's ``q``; else None.

    >>> lisa_code("High-high"), lisa_code(3.0), lisa_code("ns")
    ('HH', 'LL', None)
    """
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    if s.upper() in LISA_COLORS:
        return s.upper()
    if s.endswith(".0"):
        s = s[:-2]
    return _LISA_ALIASES.get(s.lower())


def lisa_label(code: str, lang: str | None = None) -> str:
    """The LISA cluster ``code`` (``HH``...) said in ``lang``.

    >>> lisa_label("HL", "en"), lisa_label("HL", "fr")
    ('High-low', 'Haut-bas')
    """
    return plot_labels(lang)[LISA_CLUSTERS[code]]


@dataclass(frozen=True)
class MapStyle:
    """How a map shows its values: the classes and their colours, the legend title, the number format.

    ``percent``: the values are shares (0-1) written as percentages; else numbers followed by
    ``unit``. ``show_no_data``: the legend has the grey "No data" class even when it is empty
    (a map of joined values says that every district has one).
    """

    classes: Classes
    title: str
    percent: bool = False
    unit: str = ""
    lang: str | None = None
    show_no_data: bool = True

    def format(self, x: float) -> str:
        """A value as the legend and the tooltips write it.

        >>> MapStyle(classify([1.0]), "t", unit="m").format(1234.5)
        '1,234 m'
        """
        if self.percent:
            return format_percent(x, self.lang)
        return format_number(x, self.lang, 1 if abs(x) < 100 else 0) + (f" {self.unit}" if self.unit else "")

    def legend(self) -> list[tuple[str, str]]:
        """``(text, colour)`` of each class, ``lower – upper (count)``, then the "No data" class."""
        rows = [(f"{lab} ({n})", c)
                for lab, c, n in zip(self.classes.labels(self.format), self.classes.colors, self.classes.counts)]
        if self.classes.n_missing or self.show_no_data:
            rows.append((f"{translations(self.lang)['no_data']} ({self.classes.n_missing})", NO_DATA_COLOR))
        return rows


@dataclass
class MapLayer:
    """One layer of a map: its ``frame``, what it is (``kind``) and the columns to read.

    ``kind`` is ``choropleth`` (the districts coloured by ``column``), ``lisa`` (the districts'
    LISA code in ``column``, missing when not significant), ``coverage``, ``gaps``, ``hotspots`` or
    ``new_sites``. ``key`` and ``name`` are the columns of the district code and label; ``label``
    is the layer's name in the user's language.
    """

    frame: gpd.GeoDataFrame
    kind: str = "choropleth"
    key: str | None = None
    name: str | None = None
    column: str | None = None
    label: str = ""

    def values(self) -> pd.Series:
        """The values of ``column`` as floats (NaN where missing or not a number)."""
        return pd.to_numeric(self.frame[self.column], errors="coerce").astype("float64")

    def names(self) -> pd.Series:
        """The district labels (``name``, else the code) as strings."""
        codes = self.frame[self.key].astype("string")
        if self.name and self.name in self.frame.columns:
            return self.frame[self.name].astype("string").fillna(codes)
        return codes


@dataclass
class MapSpec:
    """A map prepared for drawing: the districts, their style, the other layers, the join's report."""

    districts: MapLayer
    style: MapStyle
    overlays: list[MapLayer] = field(default_factory=list)
    report: ValidationReport = field(default_factory=ValidationReport)
    join: dict[str, int] = field(default_factory=lambda: {"no_data": 0, "no_geometry": 0})

    def overlay(self, kind: str) -> MapLayer | None:
        """The layer of ``kind`` (``lisa``, ``coverage``, ``gaps``, ``hotspots``, ``new_sites``), if any."""
        return next((layer for layer in self.overlays if layer.kind == kind), None)


def _check_crs(gdf: gpd.GeoDataFrame, kind: str) -> None:
    if gdf.crs is None:
        raise InputError(code="maps.no_crs_districts" if kind == "districts" else "maps.no_crs_hotspots"
                         if kind == "hotspots" else "maps.no_crs_new_sites" if kind == "new_sites"
                         else "maps.no_crs_coverage" if kind == "coverage" else "maps.no_crs_gaps", column="geometry")


def _value_column(data: gpd.GeoDataFrame, column: str, numerator: str | None, denominator: str | None) -> None:
    if column in data.columns:
        return
    if numerator in data.columns and denominator in data.columns:
        den = pd.to_numeric(data[denominator], errors="coerce")
        data[column] = pd.to_numeric(data[numerator], errors="coerce") / den.where(den > 0)
        return
    raise InputError(code="maps.no_value_column", params={"column": column, "columns": list(data.columns)},
                     column=column)


def _lisa_layer(data: gpd.GeoDataFrame, lisa: pd.DataFrame, key: str, name: str | None, lisa_column: str,
                label: str) -> MapLayer:
    if key not in lisa.columns or lisa_column not in lisa.columns:
        raise InputError(code="maps.lisa_columns", params={"key": key, "lisa_column": lisa_column},
                         column=lisa_column)
    code = dict(zip(clean_keys(lisa[key]), (lisa_code(v) for v in lisa[lisa_column])))
    lcode = clean_keys(data[key]).map(code)
    frame = gpd.GeoDataFrame({"lisa": lcode.to_numpy()}, geometry=data.geometry.to_numpy(), crs=data.crs,
                             index=data.index)
    return MapLayer(frame, "lisa", key=key, name=name, column="lisa", label=label)


class MapContent(TypedDict, total=False):
    """What a map shows: the keywords of :func:`map_spec`, declared once (defaults in
    :data:`MAP_DEFAULTS`); :func:`~egovkit.present.maps.indicator_map` and
    :func:`~egovkit.present.static_maps.static_indicator_map` take them as ``**content``.

    Attributes
    ----------
    column, label, percent, unit
        The value to map (``share``); its legend title (``column``); whether it is a share (0-1)
        shown as a percentage (default: whether ``column`` starts with ``share``); the unit written
        after other values.
    key, name
        Columns of the district code (``area_code``) and of its label (``area_name``).
    numerator, denominator
        Count columns for the tooltip, and for ``column`` when it is missing (``numerator /
        denominator``).
    scheme, k, breaks, palette
        Classification (see :func:`~egovkit.present.maps_classes.classify`: ``quantiles``, 5 classes)
        and colour-blind-safe palette (``YlGnBu``).
    hotspots, new_sites
        Wi-Fi points and proposed new hotspot sites (points).
    coverage_areas, gap_zones
        Polygons of covered areas (dissolved before drawing) and of uncovered gap zones (was ``gaps=``).
    coverage_radius_m
        Without ``coverage_areas``: draw the area within this many metres of a hotspot
        (buffers computed in the hotspots' UTM zone, dissolved).
    lisa, lisa_column
        ``key`` + ``lisa_column`` (``cluster``) with LISA cluster types (``HH``, ``LL``, ``HL``,
        ``LH``, or esda's ``q`` codes 1-4 / labels like ``High-High``; anything else is "not
        significant" and not drawn); the legend and tooltips name them in ``lang``.

    Examples
    --------
    >>> sorted(MapContent.__annotations__) == sorted(MAP_DEFAULTS)
    True
    """

    column: str
    key: str
    name: str | None
    numerator: str | None
    denominator: str | None
    label: str | None
    percent: bool | None
    unit: str
    scheme: str
    k: int
    breaks: Sequence[float] | None
    palette: str
    hotspots: gpd.GeoDataFrame | None
    coverage_areas: gpd.GeoDataFrame | None
    coverage_radius_m: float | None
    gap_zones: gpd.GeoDataFrame | None
    new_sites: gpd.GeoDataFrame | None
    lisa: pd.DataFrame | None
    lisa_column: str


#: The default of every keyword of :class:`MapContent`.
MAP_DEFAULTS: dict[str, Any] = {
    "column": "share", "key": "area_code", "name": "area_name", "numerator": "numerator",
    "denominator": "denominator", "label": None, "percent": None, "unit": "", "scheme": "quantiles", "k": 5,
    "breaks": None, "palette": "YlGnBu", "hotspots": None, "coverage_areas": None, "coverage_radius_m": None,
    "gap_zones": None, "new_sites": None, "lisa": None, "lisa_column": "cluster",
}


def map_content(content: Mapping[str, Any], caller: str) -> dict[str, Any]:
    """``content`` with the defaults of the keywords not given; ``TypeError`` (as Python says it) for a
    keyword that is not one of :class:`MapContent`, which ``**content`` would otherwise take silently.

    >>> map_content({"column": "x"}, "indicator_map")["key"]
    'area_code'
    >>> map_content({"colour": "x"}, "indicator_map")
    Traceback (most recent call last):
    ...
    TypeError: indicator_map() got an unexpected keyword argument 'colour'
    """
    for k in content:
        if k not in MAP_DEFAULTS:
            raise TypeError(f"{caller}() got an unexpected keyword argument {k!r}")
    return {**MAP_DEFAULTS, **content}


def map_spec(
    districts: gpd.GeoDataFrame,
    values: pd.DataFrame | None = None,
    *,
    lang: str | None = None,
    report: ValidationReport | None = None,
    **content: Unpack[MapContent],
) -> MapSpec:
    """Prepare a map of ``column`` by district, its style and its layers (``content``: the keywords
    of :class:`MapContent`, e.g. ``column=``, ``key=``, ``hotspots=``).

    ``values`` (one row per district, joined on ``key`` by :func:`check_map_join`) or, when None,
    the columns of ``districts``; a missing ``column`` is ``numerator / denominator``. ``percent``
    defaults to whether ``column`` starts with ``share``; ``label`` (the legend title) to ``column``.
    """
    c = map_content(content, "map_spec")
    column, key, name, label, percent = c["column"], c["key"], c["name"], c["label"], c["percent"]
    hotspots, coverage_areas, gap_zones, new_sites = c["hotspots"], c["coverage_areas"], c["gap_zones"], c["new_sites"]
    tr = translations(lang)
    _check_crs(districts, "districts")
    if values is None:
        data = districts.copy()
        report = report if report is not None else ValidationReport(source=render("maps.source_map"))
    else:
        data, report = check_map_join(districts, values, key=key, name=name, report=report)
    join = dict(data.attrs.get("egovkit_join", {"no_data": 0, "no_geometry": 0}))
    _value_column(data, column, c["numerator"], c["denominator"])
    layer = MapLayer(data, "choropleth", key=key, name=name, column=column, label=label or column)
    classes = classify(layer.values(), scheme=c["scheme"], k=c["k"], breaks=c["breaks"], palette=c["palette"])
    style = MapStyle(classes, label or column, column.startswith("share") if percent is None else percent, c["unit"],
                     lang, show_no_data=values is not None)
    overlays = []
    if c["lisa"] is not None:
        overlays.append(_lisa_layer(data, c["lisa"], key, name, c["lisa_column"], tr["layer_lisa"]))
    for kind, gdf in (("hotspots", hotspots), ("coverage", coverage_areas), ("gaps", gap_zones),
                      ("new_sites", new_sites)):
        if gdf is not None and len(gdf):
            _check_crs(gdf, kind)
    if coverage_areas is None and c["coverage_radius_m"] and hotspots is not None and len(hotspots):
        coverage_areas = hotspot_buffers(hotspots, c["coverage_radius_m"])
    for kind, gdf in (("coverage", coverage_areas), ("gaps", gap_zones), ("hotspots", hotspots),
                      ("new_sites", new_sites)):
        if gdf is not None and len(gdf):
            overlays.append(MapLayer(gdf, kind, label=tr[OVERLAY_KINDS[kind]]))
    return MapSpec(layer, style, overlays, report, join)


def points_wgs84(gdf: gpd.GeoDataFrame, kind: str, report: ValidationReport | None = None) -> gpd.GeoDataFrame:
    """The points of a ``hotspots`` or ``new_sites`` layer in longitude/latitude; those without a
    location are left out, with a warning and a note in ``report``; polygons become a point inside.

    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([36.8], [-1.3]), crs=4326)
    >>> len(points_wgs84(pts, "hotspots"))
    1
    """
    _check_crs(gdf, kind)
    pts = gdf.to_crs(4326)
    missing = pts.geometry.isna() | pts.geometry.is_empty
    if missing.any():
        params = {"n": int(missing.sum())}
        if report is not None:
            report.add("warning", "maps.no_location_hotspots" if kind == "hotspots" else "maps.no_location_new_sites",
                       params=params, column="geometry", action="not drawn")
        warnings.warn(render(f"maps.no_location_{kind}", params), EgovkitWarning, stacklevel=3)
    pts = pts[~missing.to_numpy()]
    if not pts.geom_type.isin(["Point"]).all():
        pts = pts.set_geometry(pts.geometry.representative_point())
    return pts


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
        raise InputError(code="maps.coverage_radius", params={"radius_m": radius_m}, column="coverage_radius_m")
    pts = points_wgs84(hotspots, "hotspots")
    utm = pts.estimate_utm_crs()
    area = pts.to_crs(utm).buffer(radius_m, quad_segs=16).union_all()
    return gpd.GeoDataFrame(geometry=[area], crs=utm).to_crs(4326)


def require_key(districts: gpd.GeoDataFrame, key: str) -> None:
    """Raise :class:`~egovkit.errors.JoinError` when the districts have no ``key`` column.

    >>> require_key(gpd.GeoDataFrame({"area_code": []}, geometry=[]), "area_code")
    """
    if key not in districts.columns:
        raise JoinError(code="maps.boundaries_no_key", params={"key": key, "columns": list(districts.columns)})
