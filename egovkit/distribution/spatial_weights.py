"""Spatial weights between districts: who is whose neighbour, and what to do with islands.

A thin layer over libpysal that keeps track of district names, of districts without neighbours
(islands) and of disconnected territories, and says what it did with them (see
:mod:`egovkit.distribution.spatial` for the methods and the islands options). The weights are the
input of :func:`~egovkit.distribution.global_moran`, :func:`~egovkit.distribution.local_moran` and
:func:`~egovkit.distribution.smooth_rates` (``method="spatial"``).

Examples
--------
>>> import geopandas as gpd, shapely
>>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
>>> sw = spatial_weights(gpd.GeoDataFrame({"name": list("abcdefghi")}, geometry=cells), method="rook")
>>> sw.w.n, sw.islands, sw.n_components
(9, [], 1)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import shapely

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import ValidationReport
from .rate_table import district_names, list_names

__all__ = ["Islands", "Method", "SpatialWeights", "spatial_weights"]

Method = Literal["queen", "rook", "knn", "distance"]
Islands = Literal["drop", "knn", "raise"]


@dataclass
class SpatialWeights:
    """Row-standardised spatial weights between districts, with what was left out.

    Attributes
    ----------
    w
        ``libpysal.weights.W`` whose ids are the row positions (0-based) in the input frame.
    index
        The input frame's index labels of the districts in ``w``, in ``w.id_order``.
    areas
        District names of the whole input (aligned on the input index).
    method
        ``queen``, ``rook``, ``knn`` or ``distance``.
    islands
        Names of the districts that had no neighbour with this method.
    left_out
        ``DataFrame`` (``area``, ``reason``) of the districts not in ``w``.
    attached
        ``DataFrame`` (``area``, ``attached_to``) of islands joined to their nearest district.
    n_components
        Number of disconnected groups of districts in ``w`` (1 = connected territory).
    component
        ``Series`` (input index) of the component label of each district in ``w``.
    report
        The notes and warnings.
    """

    w: libpysal.weights.W
    index: pd.Index
    areas: pd.Series
    method: str
    islands: list[str]
    left_out: pd.DataFrame
    attached: pd.DataFrame
    n_components: int
    component: pd.Series
    report: ValidationReport = field(default_factory=ValidationReport)


def _projected(gdf: gpd.GeoDataFrame, report: ValidationReport) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        _no_crs_check(gdf)
        report.add("warning", "distribution.no_crs", action="guessed")
        warnings.warn(render("distribution.no_crs_warning"), EgovkitWarning, stacklevel=4)
        return gdf
    if not gdf.crs.is_geographic:
        return gdf
    try:  # the project's own choice of projection (egovkit.geo) when it is available
        from ..geo import to_projected
    except ImportError:  # pragma: no cover - geo is part of the package
        to_projected = None
    if to_projected is not None:
        return to_projected(gdf, report=report)
    crs = gdf.estimate_utm_crs()
    report.add("info", "distribution.projected", params={"crs": crs.name, "epsg": crs.to_epsg()}, action="inferred")
    return gdf.to_crs(crs)


def _no_crs_check(gdf: gpd.GeoDataFrame) -> None:
    """Stop when coordinates without a CRS look like longitude/latitude (degrees are not metres)."""
    minx, miny, maxx, maxy = gdf.total_bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        raise InputError(code="distribution.no_crs_degrees",
                         params={"bounds": f"({minx:.4g}, {miny:.4g}) - ({maxx:.4g}, {maxy:.4g})"})


def _contiguity(geoms: np.ndarray, ids: np.ndarray, rook: bool, areas: pd.Series,
                report: ValidationReport) -> dict[int, list[int]]:
    """Queen (boundaries touch or overlap) or rook (shared boundary of positive length, or
    overlap) neighbours by geometry, not by shared vertices: borders digitised with different
    vertices (a vertex of one district lying on an edge of the other, e.g. New York's Upper
    West Side and Lincoln Square) are neighbours too. ``ids`` label the geometries."""
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    m = a < b
    a, b = a[m], b[m]
    if rook and len(a):
        ok = (shapely.relate_pattern(geoms[a], geoms[b], "****1****")
              | shapely.relate_pattern(geoms[a], geoms[b], "2********"))
        a, b = a[ok], b[ok]
    neighbors: dict[int, list[int]] = {int(i): [] for i in ids}
    for i, j in zip(ids[a].tolist(), ids[b].tolist()):
        neighbors[i].append(j)
        neighbors[j].append(i)
    if len(a):  # say which neighbours a vertex-based contiguity (libpysal Queen/Rook) would miss
        pts = shapely.extract_unique_points(geoms)
        contact = ~shapely.intersects(pts[a], pts[b])
        if contact.any():
            ca, cb = ids[a][contact], ids[b][contact]
            pairs = [f"{areas.iloc[i]} - {areas.iloc[j]}" for i, j in zip(ca.tolist(), cb.tolist())]
            report.add("info", "distribution.contact_pairs", params={"n": len(pairs), "names": list_names(pairs)},
                       action="inferred")
            by_vertex = {int(i): 0 for i in ids}
            for i, j in zip(ids[a][~contact].tolist(), ids[b][~contact].tolist()):
                by_vertex[i] += 1
                by_vertex[j] += 1
            for i in sorted(set(ca.tolist()) | set(cb.tolist())):
                if by_vertex[i] == 0:
                    near = [str(areas.iloc[j]) for j in neighbors[i]]
                    report.add("info", "distribution.contact_neighbours", params={"names": near},
                               area=str(areas.iloc[i]), action="inferred")
    return neighbors


def _island_reasons(gdf, island_pos, full_neighbors, keep, areas, dropped_reason, method, threshold_m) -> list[str]:
    """Why each island has no neighbour: none with this method, or its neighbours were left out (and why)."""
    why = render(f"distribution.why_{method}", {"threshold_m": threshold_m})
    reasons = []
    for i in island_pos:
        lost = [j for j in full_neighbors.get(i, []) if not keep[j]]
        if lost:
            causes = sorted({str(dropped_reason.get(gdf.index[j], render("distribution.left_out"))) for j in lost})
            reasons.append(render("distribution.no_neighbour_left", {"names": list_names(areas.iloc[lost]),
                                                                     "causes": "; ".join(causes)}))
        else:
            reasons.append(render("distribution.no_neighbour", {"why": why}))
    return reasons


def _check_options(gdf: gpd.GeoDataFrame, method: str, islands: str) -> None:
    """Stop on a frame without geometries or an unknown ``method`` / ``islands``."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(code="distribution.needs_geometries")
    if method not in ("queen", "rook", "knn", "distance"):
        raise InputError(code="distribution.not_an_option",
                         params={"option": "method", "value": method, "choices": ["queen", "rook", "knn", "distance"]})
    if islands not in ("drop", "knn", "raise"):
        raise InputError(code="distribution.not_an_option",
                         params={"option": "islands", "value": islands, "choices": ["drop", "knn", "raise"]})


def _check_rows(gdf: gpd.GeoDataFrame, areas: pd.Series, keep: np.ndarray, method: str, k: int,
                threshold_m: float | None) -> np.ndarray:
    """Which rows have no geometry (by position), after checking the kept rows can make weights."""
    geom = gdf.geometry
    bad = (geom.isna() | geom.is_empty).to_numpy()
    if (bad & keep).any():
        raise InputError(code="distribution.missing_geometry", params={"names": list_names(areas[bad & keep])},
                         column=gdf.geometry.name)
    if keep.sum() < 3:
        raise InputError(code="distribution.too_few_districts", params={"n": int(keep.sum())})
    if method == "distance" and (threshold_m is None or threshold_m <= 0):
        raise InputError(code="distribution.distance_needs_threshold")
    if method == "knn" and not 1 <= k < keep.sum():
        raise InputError(code="distribution.knn_k", params={"k": k, "n": int(keep.sum()), "k_max": int(keep.sum()) - 1})
    return bad


def _neighbours(gdf, use_pos, keep_pos, method, k, threshold_m, islands, areas, report):
    """The weights among the rows ``use_pos``, cut to ``keep_pos``; the neighbours before the cut; the
    projected centroids (``None`` when neither the method nor ``islands="knn"`` needs distances)."""
    g = gpd.GeoDataFrame({"_pos": use_pos}, geometry=gdf.geometry.to_numpy()[use_pos], crs=gdf.crs)
    pts = None
    if method in ("knn", "distance") or islands == "knn":
        c = _projected(g, report).geometry.centroid
        pts = np.column_stack([c.x.to_numpy(), c.y.to_numpy()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands and components: we report them
        if method in ("queen", "rook"):
            nb = _contiguity(g.geometry.to_numpy(), use_pos, method == "rook", areas, report)
            w = libpysal.weights.W(nb, ids=use_pos.tolist(), silence_warnings=True)
        elif method == "knn":
            w = libpysal.weights.KNN(pts, k=k, ids=use_pos.tolist())
        else:
            w = libpysal.weights.DistanceBand(pts, threshold=threshold_m, ids=use_pos.tolist(), binary=True,
                                              silence_warnings=True)
        full_neighbors = w.neighbors
        if len(use_pos) > len(keep_pos):
            w = libpysal.weights.w_subset(w, keep_pos.tolist(), silence_warnings=True)
    return w, full_neighbors, pts


def _say_components(comp: pd.Series, n_comp: int, areas: pd.Series, report: ValidationReport) -> None:
    """Note the groups of districts that touch no other group, besides the largest."""
    sizes = comp.value_counts()
    parts = [render("distribution.component", {"n": int(sizes[c]),
                                               "names": list_names(areas.loc[comp.index[comp == c]])})
             for c in sizes.index[1:]]
    report.add("info", "distribution.disconnected", params={"n": n_comp, "largest": int(sizes.iloc[0]),
                                                            "parts": "; ".join(parts)}, action="kept")


def _build_weights(
    gdf: gpd.GeoDataFrame,
    *,
    method: Method,
    k: int,
    threshold_m: float | None,
    islands: Islands,
    key: str | None = None,
    name: str | None = None,
    report: ValidationReport,
    keep: np.ndarray | None = None,
    dropped_reason: dict | None = None,
    stacklevel: int = 3,
) -> SpatialWeights:
    """:func:`spatial_weights` on the rows ``keep`` (boolean, by position) of ``gdf``.

    Contiguity and distance neighbours are found among all rows first, so that a district
    whose only neighbours are not kept (``dropped_reason``: input index label -> why) is
    said to have lost them, not to touch no other district."""
    _check_options(gdf, method, islands)
    if report.rows_in == 0:
        report.rows_in = len(gdf)
    areas = district_names(gdf, name, key)
    keep = np.ones(len(gdf), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    dropped_reason = dropped_reason or {}
    bad = _check_rows(gdf, areas, keep, method, k, threshold_m)
    # the k nearest are looked for among the kept districts only; other methods among all
    use_pos = np.flatnonzero(keep if method == "knn" else ~bad)
    keep_pos = np.flatnonzero(keep)
    w, full_neighbors, pts = _neighbours(gdf, use_pos, keep_pos, method, k, threshold_m, islands, areas, report)
    island_pos = sorted(int(i) for i in w.islands)
    island_names = [str(areas.iloc[i]) for i in island_pos]
    reasons = _island_reasons(gdf, island_pos, full_neighbors, keep, areas, dropped_reason, method, threshold_m)
    left_out = pd.DataFrame({"area": pd.Series([], dtype=object), "reason": pd.Series([], dtype=object)})
    attached = pd.DataFrame({"area": pd.Series([], dtype=object), "attached_to": pd.Series([], dtype=object)})
    if island_pos:
        listed = list_names([render("distribution.name_reason", {"name": a, "reason": r})
                             for a, r in zip(island_names, reasons)])
        if islands == "raise":
            raise InputError(code="distribution.islands", params={"n": len(island_pos), "listed": listed})
        if len(island_pos) == len(keep_pos):
            raise InputError(code="distribution.no_neighbours", params={"method": method})
        if islands == "knn":
            kpts = pts[np.searchsorted(use_pos, keep_pos)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w1 = libpysal.weights.KNN(kpts, k=1, ids=keep_pos.tolist())
                w = libpysal.weights.attach_islands(w, w1)
            to = [str(areas.iloc[int(w1.neighbors[i][0])]) for i in island_pos]
            attached = pd.DataFrame({"area": island_names, "attached_to": to}, index=gdf.index[island_pos])
            for a, r, b in zip(island_names, reasons, to):
                report.add("warning", "distribution.island_attached", params={"reason": r, "name": b}, area=a,
                           action="repaired")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w = libpysal.weights.w_subset(w, [i for i in keep_pos.tolist() if i not in set(island_pos)],
                                              silence_warnings=True)
            left_out = pd.DataFrame({"area": island_names, "reason": reasons}, index=gdf.index[island_pos])
            for a, r in zip(island_names, reasons):
                report.add("warning", "distribution.island_dropped", params={"reason": r}, area=a, action="dropped")
        warnings.warn(render("distribution.islands_warning", {"n": len(island_pos), "listed": listed,
                                                              "islands": islands}),
                      EgovkitWarning, stacklevel=stacklevel)
    not_kept = np.flatnonzero(~keep)
    if len(not_kept):
        extra = pd.DataFrame({"area": areas.iloc[not_kept].to_numpy(),
                              "reason": [str(dropped_reason.get(gdf.index[j], render("distribution.left_out")))
                                         for j in not_kept]},
                             index=gdf.index[not_kept])
        left_out = pd.concat([extra, left_out]) if len(left_out) else extra
    w.transform = "r"
    pos = np.asarray(w.id_order, dtype=int)
    index = gdf.index[pos]
    comp = pd.Series(np.asarray(w.component_labels), index=index, name="component")
    n_comp = int(w.n_components)
    if n_comp > 1:
        _say_components(comp, n_comp, areas, report)
    return SpatialWeights(w=w, index=index, areas=areas, method=method, islands=island_names, left_out=left_out,
                          attached=attached, n_components=n_comp, component=comp, report=report)


@renamed(area="name")
def spatial_weights(
    gdf: gpd.GeoDataFrame,
    *,
    method: Method = "queen",
    k: int = 6,
    threshold_m: float | None = None,
    islands: Islands = "drop",
    key: str | None = None,
    name: str | None = None,
    report: ValidationReport | None = None,
) -> SpatialWeights:
    """Build row-standardised spatial weights between districts and handle islands.

    Parameters
    ----------
    gdf
        One polygon (or point) per district.
    method
        ``"queen"`` (boundaries touch or overlap, at a point or along an edge),
        ``"rook"`` (a shared boundary of positive length), ``"knn"`` (``k`` nearest
        centroids) or ``"distance"`` (centroids closer than ``threshold_m`` metres).
        Contiguity is decided by the geometries, not by shared vertices, so borders
        digitised with different vertices still make neighbours.
    k
        Number of neighbours for ``"knn"``.
    threshold_m
        Distance band in metres for ``"distance"``.
    islands
        ``"drop"``, ``"knn"`` or ``"raise"`` (see the module docstring).
    key, name
        Columns of the district codes and names (default as in :func:`~egovkit.distribution.inequality`;
        ``area=`` is the former ``name=``).
    report
        A :class:`~egovkit.validate.ValidationReport` to add notes to.

    Returns
    -------
    SpatialWeights

    Raises
    ------
    InputError
        Among others, for ``"knn"``/``"distance"`` (or ``islands="knn"``) on data without
        a CRS whose coordinates look like longitude/latitude: set the CRS first.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"name": ["a", "b", "c"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)])
    >>> sw = spatial_weights(gdf, name="name")
    >>> sw.islands, sw.left_out["reason"].iloc[0][:14]
    (['c'], 'no neighbour (')
    """
    report = report if report is not None else ValidationReport(source="spatial_weights")
    return _build_weights(gdf, method=method, k=k, threshold_m=threshold_m, islands=islands, key=key, name=name,
                          report=report, stacklevel=4)
