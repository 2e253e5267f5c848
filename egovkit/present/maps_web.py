"""Maps for the web: district outlines simplified to a byte budget, the legend box, compact points.

Geometry is simplified to a byte budget (:func:`simplify_for_web`): by default the district GeoJSON
is kept under 2.5 MB, so that the NYC tract map (2,166 tracts and 3,319 hotspots) stays under 5 MB
of self-contained HTML.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> small, tol_m = simplify_for_web(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4326))
>>> tol_m
0.0
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..errors import InputError

__all__ = ["simplify_for_web", "Legend", "rounded_points_json"]


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
        raise InputError(code="maps.boundaries_no_crs", column="geometry")
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
class Legend:
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


def rounded_points_json(gdf: gpd.GeoDataFrame, precision: int = 6) -> str:
    """Point GeoJSON of ``gdf`` with coordinates rounded to ``precision`` decimals (6 ≈ 10 cm).

    >>> import geopandas as gpd
    >>> rounded_points_json(gpd.GeoDataFrame(geometry=gpd.points_from_xy([1.23456789], [0.5]), crs=4326))[-34:]
    '"coordinates": [1.234568, 0.5]}}]}'
    """
    return gpd.GeoDataFrame(geometry=_round(gdf.geometry, precision), crs=gdf.crs).to_json(drop_id=True)
