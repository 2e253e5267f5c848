"""Static maps (matplotlib/geopandas) for print and PDF.

:func:`static_indicator_map` draws the same map as
:func:`~egovkit.present.maps.indicator_map` (same classes, "No data" class, legend with
units, Wi-Fi layers) in a projected CRS, for PNG, SVG or PDF output.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"], "area_name": ["Alpha", "Beta"],
...                       "numerator": [1, 3], "denominator": [10, 10]},
...                      geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
>>> fig = static_indicator_map(d, k=2)
>>> len(fig.axes)
1
"""

from __future__ import annotations

from typing import Any, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..shared.renamed import renamed
from ..validate import ValidationReport
from .i18n import format_number
from .map_spec import LISA_COLORS, MapContent, MapLayer, lisa_label, map_content, map_spec
from .maps_web import simplify_for_web
from .safe import literal_text

__all__ = ["static_indicator_map"]

_AREAS = {"coverage": ("#00441b", None), "gaps": ("#d95f02", "////")}
_POINTS = {"hotspots": (4, "white", "#222222"), "new_sites": (40, "#c2a5cf", "#7b3294")}


@literal_text
@renamed(name_column="name", gaps="gap_zones")
def static_indicator_map(
    districts: gpd.GeoDataFrame,
    values: pd.DataFrame | None = None,
    *,
    title: str | None = None,
    lang: str | None = None,
    ax: Any = None,
    figsize: tuple[float, float] = (8, 8),
    report: ValidationReport | None = None,
    max_vertices: int = 15_000,
    rasterize_above: int = 1000,
    **content: Unpack[MapContent],
) -> Any:
    """A matplotlib figure of one indicator by district, with optional Wi-Fi layers.

    What the map shows (``content``) is given as to :func:`~egovkit.present.maps.indicator_map`: the
    keywords of :class:`~egovkit.present.map_spec.MapContent` (``key``: the column of the district
    code, ``name``: of its label); both maps are prepared by :func:`~egovkit.present.map_spec.map_spec`.
    The map is drawn in the UTM zone of the districts (true shapes and distances).

    Whatever the number of districts, the geometry is first simplified to a tolerance of
    1/2000 of the map's extent (under half a pixel of an 8-inch figure at 110 dpi), then further,
    if needed, until it has at most ``max_vertices`` vertices (about 20 bytes each in an SVG): the 47
    Kenya counties give SVGs of about 200 kB instead of 1.4 MB, with no visible change. Beyond
    ``rasterize_above`` districts the polygons are rasterised inside vector outputs (SVG/PDF
    keep vector text and legend). The legend sits to the right of the map, never over it; LISA
    clusters are named in ``lang``.

    Returns
    -------
    matplotlib.figure.Figure
        With attributes ``egovkit_classes`` (the :class:`~egovkit.present.maps_classes.Classes`) and
        ``egovkit_join`` (districts without value, values without district: see
        :func:`~egovkit.present.maps_join.check_map_join`; districts without value are in the grey
        "No data" class of the legend).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    map_content(content, "static_indicator_map")
    spec = map_spec(districts, values, lang=lang, report=report, **content)
    data, classes = spec.districts.frame, spec.style.classes
    crs = data.to_crs(4326).estimate_utm_crs() if not data.crs.is_projected else data.crs
    proj = data.to_crs(crs)
    proj = proj.set_geometry(_simplify_static(proj.geometry, max_vertices))
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    colors = [classes.color_of(i) for i in classes.index]
    proj.plot(ax=ax, color=colors, edgecolor="#555555", linewidth=0.2, rasterized=len(proj) > rasterize_above)
    handles: list[Any] = [Patch(facecolor=c, edgecolor="#777777", label=text) for text, c in spec.style.legend()]
    for layer in spec.overlays:
        if layer.kind == "lisa":
            handles += _lisa_outlines(ax, proj, layer, lang)
        elif layer.kind in _AREAS:
            # outlines and hatching, not fills, so that the classes underneath stay readable
            col, hatch = _AREAS[layer.kind]
            poly, _ = simplify_for_web(layer.frame[[layer.frame.geometry.name]], max_bytes=300_000)
            poly.to_crs(crs).plot(ax=ax, facecolor="none", edgecolor=col, hatch=hatch,
                                  linewidth=1.0 if hatch else 0.8, linestyle="-" if hatch else "--")
            handles.append(Patch(facecolor="none", edgecolor=col, hatch=hatch,
                                 linestyle="-" if hatch else "--", label=layer.label))
    for layer in spec.overlays:  # points last: above the areas
        if layer.kind in _POINTS:
            size, face, edge = _POINTS[layer.kind]
            pts = layer.frame.to_crs(crs)
            if not pts.geom_type.eq("Point").all():
                pts = pts.set_geometry(pts.geometry.representative_point())
            pts.plot(ax=ax, markersize=size, color=face, edgecolor=edge, linewidth=0.4, zorder=3,
                     rasterized=len(pts) > rasterize_above)
            handles.append(Line2D([], [], marker="o", ls="", markerfacecolor=face, markeredgecolor=edge,
                                  label=f"{layer.label} ({format_number(len(pts), lang)})"))
    # outside the axes (right): a legend inside hides districts (Mandera and Wajir in Kenya)
    ax.legend(handles=handles, title=spec.style.title, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize=8, title_fontsize=9, framealpha=0.9, borderaxespad=0.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.egovkit_classes = classes
    fig.egovkit_join = spec.join
    return fig


def _lisa_outlines(ax: Any, proj: gpd.GeoDataFrame, layer: MapLayer, lang: str | None) -> list[Any]:
    """The outlines of the LISA clusters; one legend entry per cluster drawn, named in ``lang``."""
    from matplotlib.lines import Line2D

    handles = []
    code = layer.frame["lisa"]
    for c, col in LISA_COLORS.items():
        sel = (code == c).to_numpy()
        if sel.any():
            proj[sel].boundary.plot(ax=ax, color=col, linewidth=1.4)
            handles.append(Line2D([], [], color=col, lw=2, label=f"LISA {lisa_label(c, lang)} ({int(sel.sum())})"))
    return handles


def _simplify_static(geoms: gpd.GeoSeries, max_vertices: int) -> gpd.GeoSeries:
    """Projected ``geoms`` simplified for a printed map: extent/2000, then coarser to ``max_vertices``.

    Polygons are never dropped (one that would vanish keeps its envelope).
    """
    x0, y0, x1, y1 = geoms.total_bounds
    tol = max(x1 - x0, y1 - y0) / 2000.0
    if not np.isfinite(tol) or tol <= 0:
        return geoms
    for _ in range(12):
        simp = geoms.simplify(tol, preserve_topology=True)
        simp = simp.where(~simp.is_empty, geoms.envelope)
        if int(shapely.get_num_coordinates(simp.to_numpy()).sum()) <= max_vertices:
            break
        tol *= 1.6
    return simp
