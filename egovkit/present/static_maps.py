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

from typing import Any, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError
from ..validate import ValidationReport
from .i18n import format_number, format_percent, translations
from .maps import LISA_COLORS, NO_DATA_COLOR, _key, _lisa_code, check_join, classify, hotspot_buffers, simplify_for_web
from .safe import literal_text

__all__ = ["static_indicator_map"]


@literal_text
def static_indicator_map(
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
    coverage_areas: gpd.GeoDataFrame | None = None,
    coverage_radius_m: float | None = None,
    gaps: gpd.GeoDataFrame | None = None,
    new_sites: gpd.GeoDataFrame | None = None,
    lisa: pd.DataFrame | None = None,
    lisa_column: str = "cluster",
    title: str | None = None,
    lang: str = "en",
    ax: Any = None,
    figsize: tuple[float, float] = (8, 8),
    report: ValidationReport | None = None,
    max_vertices: int = 15_000,
    rasterize_above: int = 1000,
) -> Any:
    """A matplotlib figure of one indicator by district, with optional Wi-Fi layers.

    The arguments are those of :func:`~egovkit.present.maps.indicator_map`; the map is drawn
    in the UTM zone of the districts (true shapes and distances).

    Whatever the number of districts, the geometry is first simplified to a tolerance of
    1/2000 of the map's extent (under half a pixel of an 8-inch figure at 110 dpi), then further,
    if needed, until it has at most ``max_vertices`` vertices (about 20 bytes each in an SVG): the 47
    Kenya counties give SVGs of about 200 kB instead of 1.4 MB, with no visible change. Beyond
    ``rasterize_above`` districts the polygons are rasterised inside vector outputs (SVG/PDF
    keep vector text and legend). The legend sits to the right of the map, never over it.

    Returns
    -------
    matplotlib.figure.Figure
        With attributes ``egovkit_classes`` (the :class:`~egovkit.present.maps.Classes`) and
        ``egovkit_join`` (districts without value, values without district: see
        :func:`~egovkit.present.maps.check_join`; districts without value are in the grey
        "No data" class of the legend).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    tr = translations(lang)
    if districts.crs is None:
        raise InputError("the district boundaries have no coordinate reference system",
                         column="geometry", fix="set it, e.g. districts.set_crs(4326)")
    data = districts.copy() if values is None else check_join(
        districts, values, key=key, name_column=name_column, report=report)[0]
    join_counts = dict(data.attrs.get("egovkit_join", {"no_data": 0, "no_geometry": 0}))
    if column not in data.columns:
        if numerator in data.columns and denominator in data.columns:
            den = pd.to_numeric(data[denominator], errors="coerce")
            data[column] = pd.to_numeric(data[numerator], errors="coerce") / den.where(den > 0)
        else:
            raise InputError(f"no column {column!r} to map", column=column,
                             fix="pass column= the value column, or numerator/denominator columns")
    if percent is None:
        percent = column.startswith("share")
    vals = pd.to_numeric(data[column], errors="coerce").astype("float64")
    classes = classify(vals, scheme=scheme, k=k, breaks=breaks, palette=palette)

    def fmt(x: float) -> str:
        if percent:
            return format_percent(x, lang)
        return format_number(x, lang, 1 if abs(x) < 100 else 0) + (f" {unit}" if unit else "")

    crs = data.to_crs(4326).estimate_utm_crs() if not data.crs.is_projected else data.crs
    proj = data.to_crs(crs)
    proj = proj.set_geometry(_simplify_static(proj.geometry, max_vertices))
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    colors = [classes.color_of(i) for i in classes.index]
    proj.plot(ax=ax, color=colors, edgecolor="#555555", linewidth=0.2, rasterized=len(proj) > rasterize_above)
    handles: list[Any] = [Patch(facecolor=c, edgecolor="#777777", label=f"{lab} ({n})")
                          for lab, c, n in zip(classes.labels(fmt), classes.colors, classes.counts)]
    if classes.n_missing or values is not None:
        handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="#777777",
                             label=f"{tr['no_data']} ({classes.n_missing})"))
    if lisa is not None and key in lisa.columns and lisa_column in lisa.columns:
        code = dict(zip(_key(lisa[key]), (_lisa_code(v) for v in lisa[lisa_column])))
        lcode = _key(proj[key]).map(code)
        for c, col in LISA_COLORS.items():
            sel = (lcode == c).to_numpy()
            if sel.any():
                proj[sel].boundary.plot(ax=ax, color=col, linewidth=1.4)
                handles.append(Line2D([], [], color=col, lw=2, label=f"LISA {c} ({int(sel.sum())})"))
    if coverage_areas is None and coverage_radius_m and hotspots is not None and len(hotspots):
        coverage_areas = hotspot_buffers(hotspots, coverage_radius_m)
    # outlines and hatching, not fills, so that the classes underneath stay readable
    for gdf, name, col, hatch in ((coverage_areas, tr["layer_coverage"], "#00441b", None),
                                  (gaps, tr["layer_gaps"], "#d95f02", "////")):
        if gdf is not None and len(gdf):
            poly, _ = simplify_for_web(gdf[[gdf.geometry.name]], max_bytes=300_000)
            poly.to_crs(crs).plot(ax=ax, facecolor="none", edgecolor=col, hatch=hatch,
                                  linewidth=1.0 if hatch else 0.8, linestyle="-" if hatch else "--")
            handles.append(Patch(facecolor="none", edgecolor=col, hatch=hatch,
                                 linestyle="-" if hatch else "--", label=name))
    for gdf, name, size, face, edge in ((hotspots, tr["layer_hotspots"], 4, "white", "#222222"),
                                        (new_sites, tr["layer_new_sites"], 40, "#c2a5cf", "#7b3294")):
        if gdf is not None and len(gdf):
            pts = gdf.to_crs(crs)
            if not pts.geom_type.eq("Point").all():
                pts = pts.set_geometry(pts.geometry.representative_point())
            pts.plot(ax=ax, markersize=size, color=face, edgecolor=edge, linewidth=0.4, zorder=3,
                     rasterized=len(pts) > rasterize_above)
            handles.append(Line2D([], [], marker="o", ls="", markerfacecolor=face, markeredgecolor=edge,
                                  label=f"{name} ({format_number(len(pts), lang)})"))
    # outside the axes (right): a legend inside hides districts (Mandera and Wajir in Kenya)
    ax.legend(handles=handles, title=label or column, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize=8, title_fontsize=9, framealpha=0.9, borderaxespad=0.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.egovkit_classes = classes
    fig.egovkit_join = join_counts
    return fig


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
