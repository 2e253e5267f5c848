"""Interactive maps (folium) that work offline.

:func:`indicator_map` draws a choropleth of one indicator (classes from mapclassify, a
legend with units and a separate "No data" class, tooltips with district name, value and
numerator/denominator, colour-blind-safe palettes) and optional layers: Wi-Fi hotspots
(clustered when many), coverage areas, uncovered gap zones, proposed new sites and LISA
clusters (named in the user's language), with a layer control. What it shows is prepared by
:func:`~egovkit.present.map_spec.map_spec`, as for the printed map
(:func:`~egovkit.present.static_maps.static_indicator_map`): the join between the values and the
district geometry is checked (:func:`~egovkit.present.maps_join.check_map_join`): a district without
a value is drawn in the "No data" class and listed, never left blank silently.

The pieces live in small modules and are re-exported here: :mod:`~egovkit.present.maps_classes`
(:func:`classify`), :mod:`~egovkit.present.maps_join` (:func:`check_map_join`),
:mod:`~egovkit.present.maps_web` (:func:`simplify_for_web`), :mod:`~egovkit.present.map_spec`
and :mod:`~egovkit.present.maps_lisa` (:func:`lisa_map`, :func:`static_lisa_map`).

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
from typing import Any, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from ..shared.renamed import deprecated_alias, renamed
from ..validate import ValidationReport
from .i18n import format_number, translations
from .map_spec import (
    LISA_COLORS,
    MapContent,
    MapLayer,
    MapSpec,
    hotspot_buffers,
    lisa_code,
    lisa_label,
    map_content,
    map_spec,
    points_wgs84,
    require_key,
)
from .maps_classes import NO_DATA_COLOR, PALETTES, Classes, classify
from .maps_join import LISTED_PER_DISTRICT, check_map_join, clean_keys
from .maps_lisa import lisa_map, static_lisa_map
from .maps_web import Legend, rounded_points_json, simplify_for_web
from .offline import save_offline
from .safe import check_map_text, map_text

__all__ = [
    "PALETTES", "NO_DATA_COLOR", "LISA_COLORS", "LISTED_PER_DISTRICT", "Classes", "classify", "check_map_join",
    "simplify_for_web", "indicator_map", "hotspot_buffers", "save_offline", "lisa_map", "static_lisa_map",
    "check_join",
]

#: Deprecated alias of :func:`check_map_join` (kept one release; its arguments are the reverse of
#: :func:`egovkit.join.check_join`'s).
check_join = deprecated_alias(check_map_join, "check_join")
#: Names used by the report (``report_sections``, ``report_tables``): kept for them.
_key = clean_keys
_lisa_code = lisa_code
_esc = map_text  # every string of a map is user text for folium: HTML-escaped and without Jinja braces

# Grey clusters (the plugin's default green/yellow/orange would compete with the choropleth).
_CLUSTER_ICON = """function (cluster) {
    var n = cluster.getChildCount();
    var s = n < 10 ? 30 : (n < 100 ? 36 : (n < 1000 ? 42 : 48));
    return L.divIcon({html: '<div><span>' + n + '</span></div>', className: 'marker-cluster egovkit-cluster',
                      iconSize: new L.Point(s, s)});
}"""
_POINTS = {"hotspots": {"radius": 4, "color": "#222222", "weight": 1, "fill_color": "#ffffff", "fill_opacity": 1},
           "new_sites": {"radius": 7, "color": "#7b3294", "weight": 3, "fill_color": "#c2a5cf", "fill_opacity": 1}}
_AREAS = {"coverage": "#00441b", "gaps": "#d95f02"}


@renamed(name_column="name", gaps="gap_zones")
def indicator_map(
    districts: gpd.GeoDataFrame,
    values: pd.DataFrame | None = None,
    *,
    cluster_hotspots: bool | None = None,
    tiles: str | None = None,
    lang: str | None = None,
    max_geometry_bytes: int = 2_500_000,
    report: ValidationReport | None = None,
    **content: Unpack[MapContent],
) -> Any:
    """A folium map of one indicator by district, with optional Wi-Fi layers.

    Parameters
    ----------
    districts
        District polygons with the ``key`` (district code) and ``name`` (district label) columns
        (any CRS).
    values
        One row per district with ``key`` and ``column`` (and ``numerator``/``denominator``
        for the tooltip). ``None``: the values are columns of ``districts``. If ``column`` is
        absent but numerator and denominator are there, ``share = numerator / denominator``.
    cluster_hotspots
        Cluster the ``hotspots`` points (default: when more than 500).
    tiles
        ``None`` (default, fully offline) or a folium tile name such as ``"OpenStreetMap"``.
    lang
        Language of the legend and tooltips (default :data:`egovkit.settings.language`).
    max_geometry_bytes
        Budget of the district GeoJSON (see :func:`simplify_for_web`).
    report
        A :class:`~egovkit.validate.ValidationReport` to which join problems are added
        (a new one otherwise); available as ``m.egovkit_report``.
    content
        What the map shows, the keywords of :class:`~egovkit.present.map_spec.MapContent`: ``column``,
        ``key``, ``name``, ``numerator``, ``denominator``, ``label``, ``percent``, ``unit``, ``scheme``,
        ``k``, ``breaks``, ``palette``, ``hotspots``, ``coverage_areas``, ``coverage_radius_m``,
        ``gap_zones`` (was ``gaps=``), ``new_sites``, ``lisa``, ``lisa_column``.

    Returns
    -------
    folium.Map
        With attributes ``egovkit_report`` (join report), ``egovkit_classes``
        (:class:`Classes`), ``egovkit_counts`` (districts, hotspots, ... drawn) and
        ``egovkit_join`` (``{"no_data": districts without a value row, "no_geometry": values
        without a district}``, see :func:`check_map_join`).
    """
    import folium

    c = map_content(content, "indicator_map")
    if values is None and districts.crs is not None:
        require_key(districts, c["key"])
    spec = map_spec(districts, values, lang=lang, report=report, **content)
    data = spec.districts.frame
    small, tol_m = simplify_for_web(data[[data.geometry.name]].set_geometry(data.geometry.name),
                                    max_bytes=max_geometry_bytes)
    if tol_m > 0:
        spec.report.add("info", "maps.simplified", params={"tolerance_m": tol_m, "max_bytes": max_geometry_bytes},
                        column="geometry", action="repaired")
    minx, miny, maxx, maxy = small.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=10, tiles=tiles,
                   control_scale=True, prefer_canvas=False, maxZoom=19)
    names = _district_layer(m, spec, small, c["numerator"], c["denominator"])
    counts: dict[str, int] = {"districts": int((~small.geometry.is_empty & small.geometry.notna()).sum()),
                              "no_data": spec.style.classes.n_missing}
    for layer in spec.overlays:
        if layer.kind == "lisa":
            counts["lisa"] = _lisa_layer(m, layer, small, names, lang)
        elif layer.kind in _AREAS:
            _area_layer(m, layer, max_geometry_bytes)
            counts["coverage_areas" if layer.kind == "coverage" else "gaps"] = len(layer.frame)
        else:
            counts[layer.kind] = _point_layer(m, layer, spec.report, cluster_hotspots)
    m.add_child(Legend.make(_legend_html(spec, counts, lang)))
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    m.egovkit_report = spec.report
    m.egovkit_classes = spec.style.classes
    m.egovkit_counts = counts
    m.egovkit_join = spec.join
    m.egovkit_tolerance_m = tol_m
    check_map_text(m)  # every string above went through map_text; refuse the map if one did not
    return m


def _district_layer(m: Any, spec: MapSpec, small: gpd.GeoDataFrame, numerator: str | None,
                    denominator: str | None) -> pd.Series:
    """The choropleth with its tooltips; returns the escaped district names (aligned on the districts)."""
    import folium

    tr = translations(spec.style.lang)
    layer, style = spec.districts, spec.style
    data, vals, lang = layer.frame, layer.values(), style.lang
    # tooltips are inserted with innerHTML and the GeoJSON goes through folium's two Jinja
    # passes: every string property is inert text (safe.map_text), numbers stay numbers
    props = pd.DataFrame({
        "name": [_esc(x) for x in layer.names().fillna("")],
        "value": [_esc(style.format(x) if np.isfinite(x) else tr["no_data"]) for x in vals],
        "c": style.classes.index,
    }, index=data.index)
    fields, aliases = ["name", "value"], [_esc(tr["district"]), _esc(style.title)]
    if numerator in data.columns and denominator in data.columns:
        num = pd.to_numeric(data[numerator], errors="coerce")
        den = pd.to_numeric(data[denominator], errors="coerce")
        props["nd"] = [_esc(f"{format_number(a, lang)} / {format_number(b, lang)}") for a, b in zip(num, den)]
        fields.append("nd")
        aliases.append(_esc(tr["numerator_denominator"]))
    feats = gpd.GeoDataFrame(props, geometry=small.geometry.to_numpy(), crs=4326)
    feats = feats[~feats.geometry.is_empty & feats.geometry.notna()]
    colors = style.classes.colors

    def fill(feature: dict) -> dict:
        c = feature["properties"]["c"]
        return {"fillColor": NO_DATA_COLOR if c < 0 else colors[c], "color": "#555555",
                "weight": 0.4, "fillOpacity": 0.85}

    folium.GeoJson(json.loads(feats.to_json(drop_id=True)), name=_esc(style.title), style_function=fill,
                   highlight_function=lambda f: {"weight": 2, "color": "#000000"},
                   tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
                   smooth_factor=0.5).add_to(m)
    return props["name"]


def _lisa_layer(m: Any, layer: MapLayer, small: gpd.GeoDataFrame, names: pd.Series, lang: str | None) -> int:
    """The LISA outlines (hidden at first), tooltips naming the cluster in ``lang``; returns how many."""
    import folium

    code = layer.frame["lisa"]
    sel = code.notna().to_numpy()
    if sel.any():
        lf = gpd.GeoDataFrame({"name": names[sel].to_numpy(), "code": code[sel].to_numpy(),
                               "lisa": [_esc(lisa_label(c, lang)) for c in code[sel]]},
                              geometry=small.geometry[sel].to_numpy(), crs=4326)
        folium.GeoJson(
            json.loads(lf.to_json(drop_id=True)), name=_esc(layer.label), show=False,
            style_function=lambda f: {"color": LISA_COLORS[f["properties"]["code"]], "weight": 2.5,
                                      "fillColor": LISA_COLORS[f["properties"]["code"]], "fillOpacity": 0.35},
            tooltip=folium.GeoJsonTooltip(fields=["name", "lisa"],
                                          aliases=[_esc(translations(lang)["district"]), "LISA"]),
        ).add_to(m)
    return int(sel.sum())


def _area_layer(m: Any, layer: MapLayer, max_geometry_bytes: int) -> None:
    """Coverage areas (dissolved, dashed outline) or gap zones (filled)."""
    import folium

    gdf, gap, col = layer.frame, layer.kind == "gaps", _AREAS[layer.kind]
    poly = gdf if gap else gpd.GeoDataFrame(geometry=[gdf.union_all()], crs=gdf.crs)
    poly, _ = simplify_for_web(poly[[poly.geometry.name]], max_bytes=max_geometry_bytes // 5)
    folium.GeoJson(json.loads(poly.to_json(drop_id=True)), name=_esc(layer.label),
                   style_function=lambda f: {
                       "color": col, "weight": 2 if gap else 1.5, "dashArray": None if gap else "5 4",
                       "fillColor": col, "fillOpacity": 0.35 if gap else 0.08}).add_to(m)


def _point_layer(m: Any, layer: MapLayer, report: ValidationReport, cluster_hotspots: bool | None) -> int:
    """Hotspots (clustered when more than 500) or new sites; returns how many are drawn."""
    import folium
    from folium.plugins import FastMarkerCluster

    pts = points_wgs84(layer.frame, layer.kind, report)
    cluster = layer.kind == "hotspots" and (len(pts) > 500 if cluster_hotspots is None else cluster_hotspots)
    if cluster:
        xy = np.round(np.column_stack([pts.geometry.y, pts.geometry.x]), 6).tolist()
        FastMarkerCluster(
            xy, name=_esc(layer.label),
            callback="function (row) { return L.circleMarker(new L.LatLng(row[0], row[1]),"
                     " {radius: 4, color: '#222222', weight: 1, fillColor: '#ffffff', fillOpacity: 1}); }",
            disableClusteringAtZoom=16, chunkedLoading=True, icon_create_function=_CLUSTER_ICON,
        ).add_to(m)
        return len(pts)
    gj = json.loads(rounded_points_json(gpd.GeoDataFrame(geometry=pts.geometry.to_numpy(), crs=4326)))
    points = folium.GeoJson(gj, name=_esc(layer.label), marker=folium.CircleMarker(**_POINTS[layer.kind]))
    if layer.kind == "hotspots":
        group = folium.FeatureGroup(name=_esc(layer.label))
        points.add_to(group)
        group.add_to(m)
    else:
        points.add_to(m)
    return len(pts)


def _legend_html(spec: MapSpec, counts: dict[str, int], lang: str | None) -> str:
    """The legend box: the classes with units, the No data class, then the other layers."""
    tr = translations(lang)
    rows = [f"<div class='t'>{_esc(spec.style.title)}</div>"]
    rows += [f"<div><i style='background:{c}'></i>{_esc(text)}</div>" for text, c in spec.style.legend()]
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
        rows.append("<div>LISA: " + " ".join(f"<i style='background:{c}'></i>{_esc(lisa_label(k, lang))}"
                                             for k, c in LISA_COLORS.items()) + "</div>")
    return "".join(rows)
