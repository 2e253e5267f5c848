"""Do low-equipped districts cluster together? Global Moran's I and local clusters (LISA).

A thin layer over libpysal (spatial weights) and esda (``Moran``, ``Moran_Local``) that
keeps track of district names, of districts without neighbours (islands) and of
disconnected territories, and says what it did with them.

Weights
    ``method="queen"`` (share an edge or a corner), ``"rook"`` (share an edge),
    ``"knn"`` (the ``k`` nearest district centroids) or ``"distance"`` (centroids within
    ``threshold_m`` metres). Distances are measured in a projected CRS chosen from the
    data's extent when the data are in longitude/latitude. Weights are row-standardised.
Islands
    Districts without any neighbour (a real island, or boundaries that do not touch) cannot
    be compared with their neighbours. ``islands="drop"`` (default) leaves them out of
    Moran/LISA and lists them (``SpatialWeights.left_out`` and the report);
    ``islands="knn"`` attaches each to its nearest district (libpysal
    ``attach_islands``); ``islands="raise"`` stops with their names.
Significance
    Permutation (pseudo) p-values, reproducible through ``seed``. A district is in a LISA
    cluster when ``p_sim < alpha`` (default 0.05), or, with ``fdr=True``, below the
    false-discovery-rate cut-off of ``esda.fdr`` -- stricter, advisable with many districts.

Examples
--------
>>> import geopandas as gpd, shapely
>>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
>>> gdf = gpd.GeoDataFrame({"n": [1, 2, 3, 2, 3, 4, 3, 4, 5], "d": [10] * 9}, geometry=cells)
>>> sw = spatial_weights(gdf, method="rook")
>>> sw.w.n, sw.islands
(9, [])
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import shapely

from ..errors import EgovkitWarning, InputError
from ..validate import ValidationReport
from .inequality import Invalid, _area_labels, _names, _rate_table

Method = Literal["queen", "rook", "knn", "distance"]
Islands = Literal["drop", "knn", "raise"]

#: LISA cluster labels, by esda quadrant (1 HH, 2 LH, 3 LL, 4 HL).
CLUSTER_LABELS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
NOT_SIGNIFICANT = "not significant"
#: Label of every district when ``permutations=0`` (no p-values, nothing is tested).
NOT_TESTED = "not tested"
#: Labels of the districts left out of Moran's I and LISA, by reason.
LEFT_OUT = "left out (no neighbour)"
LEFT_OUT_INVALID = "left out (invalid rate)"
LEFT_OUT_NOT_IN_WEIGHTS = "left out (not in the weights)"
LEFT_OUT_LABELS = (LEFT_OUT, LEFT_OUT_INVALID, LEFT_OUT_NOT_IN_WEIGHTS)
_MAX_LISTED = 10


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
        report.add("warning", "no_crs", "the boundaries have no CRS: coordinates are used as they are "
                   "(assumed to be metres)", fix="set the CRS, e.g. gdf.set_crs('EPSG:32737')", action="guessed")
        warnings.warn("the boundaries have no CRS: coordinates are taken as metres. Fix: set the CRS, e.g. "
                      "gdf.set_crs('EPSG:32737')", EgovkitWarning, stacklevel=4)
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
    report.add("info", "projected", f"distances measured in {crs.name} (EPSG:{crs.to_epsg()}), "
               "chosen from the extent of the data", action="inferred")
    return gdf.to_crs(crs)


def _no_crs_check(gdf: gpd.GeoDataFrame) -> None:
    """Stop when coordinates without a CRS look like longitude/latitude (degrees are not metres)."""
    minx, miny, maxx, maxy = gdf.total_bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        raise InputError(
            f"the boundaries have no CRS and their coordinates ({minx:.4g}, {miny:.4g}) to ({maxx:.4g}, {maxy:.4g}) "
            "look like longitude/latitude: distances would be measured in degrees, not metres",
            fix="set the CRS first, e.g. gdf = gdf.set_crs('EPSG:4326') for longitude/latitude (or the projected "
                "CRS the coordinates are in, e.g. gdf.set_crs('EPSG:32737'))")


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
            report.add("info", "contact_pairs", f"{len(pairs)} pair(s) of districts touch without a shared vertex "
                       f"and are neighbours by contact: {_names(pd.Series(pairs))}", action="inferred")
            by_vertex = {int(i): 0 for i in ids}
            for i, j in zip(ids[a][~contact].tolist(), ids[b][~contact].tolist()):
                by_vertex[i] += 1
                by_vertex[j] += 1
            for i in sorted(set(ca.tolist()) | set(cb.tolist())):
                if by_vertex[i] == 0:
                    near = [str(areas.iloc[j]) for j in neighbors[i]]
                    report.add("info", "contact_neighbours", "no shared vertex with another district, but its "
                               f"boundary touches {', '.join(near)}: neighbours by contact",
                               area=str(areas.iloc[i]), action="inferred")
    return neighbors


def _build_weights(
    gdf: gpd.GeoDataFrame,
    *,
    method: Method,
    k: int,
    threshold_m: float | None,
    islands: Islands,
    area: str | None,
    report: ValidationReport,
    keep: np.ndarray | None = None,
    dropped_reason: dict | None = None,
    stacklevel: int = 3,
) -> SpatialWeights:
    """:func:`spatial_weights` on the rows ``keep`` (boolean, by position) of ``gdf``.

    Contiguity and distance neighbours are found among all rows first, so that a district
    whose only neighbours are not kept (``dropped_reason``: input index label -> why) is
    said to have lost them, not to touch no other district."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError("spatial statistics need a GeoDataFrame with the district geometries",
                         fix="join the table to its boundaries first (egovkit.join.join_table)")
    if method not in ("queen", "rook", "knn", "distance"):
        raise InputError(f"method={method!r} is not an option", fix="use 'queen', 'rook', 'knn' or 'distance'")
    if islands not in ("drop", "knn", "raise"):
        raise InputError(f"islands={islands!r} is not an option", fix="use 'drop', 'knn' or 'raise'")
    if report.rows_in == 0:
        report.rows_in = len(gdf)
    areas = _area_labels(gdf, area)
    n = len(gdf)
    keep = np.ones(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    dropped_reason = dropped_reason or {}
    geom = gdf.geometry
    bad = (geom.isna() | geom.is_empty).to_numpy()
    if (bad & keep).any():
        raise InputError(f"missing or empty geometry for {_names(areas[bad & keep])}", column=gdf.geometry.name,
                         fix="repair the boundaries or remove these districts before the spatial analysis")
    if keep.sum() < 3:
        raise InputError(f"only {int(keep.sum())} district(s): spatial autocorrelation needs at least 3")
    if method == "distance" and (threshold_m is None or threshold_m <= 0):
        raise InputError("method='distance' needs threshold_m= (a distance in metres)",
                         fix="e.g. threshold_m=50_000, or use method='knn'")
    if method == "knn" and not 1 <= k < keep.sum():
        raise InputError(f"k={k} neighbours is not possible with {int(keep.sum())} districts",
                         fix=f"use 1 <= k <= {int(keep.sum()) - 1}")
    # the k nearest are looked for among the kept districts only; other methods among all
    use = keep if method == "knn" else ~bad
    use_pos = np.flatnonzero(use)
    keep_pos = np.flatnonzero(keep)
    g = gpd.GeoDataFrame({"_pos": use_pos}, geometry=geom.to_numpy()[use_pos], crs=gdf.crs)
    pts = None
    if method in ("knn", "distance") or islands == "knn":
        gp = _projected(g, report)
        c = gp.geometry.centroid
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
    why = {"queen": "its boundary touches no other district", "rook": "it shares no edge with another district",
           "distance": f"no other district centroid within {threshold_m} m",
           "knn": "no neighbour"}[method]
    island_pos = sorted(int(i) for i in w.islands)
    island_names = [str(areas.iloc[i]) for i in island_pos]
    reasons = []
    for i in island_pos:
        lost = [j for j in full_neighbors.get(i, []) if not keep[j]]
        if lost:
            causes = sorted({str(dropped_reason.get(gdf.index[j], "left out")) for j in lost})
            reasons.append(f"no neighbour left: its neighbour(s) {_names(areas.iloc[lost])} left out "
                           f"({'; '.join(causes)})")
        else:
            reasons.append(f"no neighbour ({why})")
    left_out = pd.DataFrame({"area": pd.Series([], dtype=object), "reason": pd.Series([], dtype=object)})
    attached = pd.DataFrame({"area": pd.Series([], dtype=object), "attached_to": pd.Series([], dtype=object)})
    if island_pos:
        listed = "; ".join(f"{a}: {r}" for a, r in list(zip(island_names, reasons))[:_MAX_LISTED])
        if len(island_pos) > _MAX_LISTED:
            listed += f" and {len(island_pos) - _MAX_LISTED} more"
        if islands == "raise":
            raise InputError(f"{len(island_pos)} district(s) without neighbours ({listed})",
                             fix="pass islands='knn' to attach them to their nearest district, islands='drop' "
                                 "to leave them out, or use method='knn'")
        if len(island_pos) == len(keep_pos):
            raise InputError(f"no district has a neighbour with method={method!r} (the geometries do not touch)",
                             fix="use method='knn' (nearest districts) or method='distance' with a larger "
                                 "threshold_m")
        if islands == "knn":
            kpts = pts[np.searchsorted(use_pos, keep_pos)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w1 = libpysal.weights.KNN(kpts, k=1, ids=keep_pos.tolist())
                w = libpysal.weights.attach_islands(w, w1)
            to = [str(areas.iloc[int(w1.neighbors[i][0])]) for i in island_pos]
            attached = pd.DataFrame({"area": island_names, "attached_to": to}, index=gdf.index[island_pos])
            for a, r, b in zip(island_names, reasons, to):
                report.add("warning", "island_attached", f"{r}: attached to the nearest district, {b}", area=a,
                           action="repaired", fix="check the boundaries, or use islands='drop'")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w = libpysal.weights.w_subset(w, [i for i in keep_pos.tolist() if i not in set(island_pos)],
                                              silence_warnings=True)
            left_out = pd.DataFrame({"area": island_names, "reason": reasons}, index=gdf.index[island_pos])
            for a, r in zip(island_names, reasons):
                report.add("warning", "island_dropped", f"{r}: left out of Moran's I and LISA",
                           area=a, action="dropped", fix="pass islands='knn' or method='knn' to keep it")
        warnings.warn(f"{len(island_pos)} district(s) without neighbours ({listed}) -> islands={islands!r}",
                      EgovkitWarning, stacklevel=stacklevel)
    not_kept = np.flatnonzero(~keep)
    if len(not_kept):
        extra = pd.DataFrame({"area": areas.iloc[not_kept].to_numpy(),
                              "reason": [str(dropped_reason.get(gdf.index[j], "left out")) for j in not_kept]},
                             index=gdf.index[not_kept])
        left_out = pd.concat([extra, left_out]) if len(left_out) else extra
    w.transform = "r"
    pos = np.asarray(w.id_order, dtype=int)
    index = gdf.index[pos]
    comp = pd.Series(np.asarray(w.component_labels), index=index, name="component")
    n_comp = int(w.n_components)
    if n_comp > 1:
        sizes = comp.value_counts()
        small = sizes.index[1:] if len(sizes) > 1 else []
        parts = [f"{sizes[c]} district(s): {_names(areas.loc[comp.index[comp == c]])}" for c in small]
        report.add("info", "disconnected", f"the territory falls into {n_comp} groups of districts that do not "
                   f"touch each other; besides the largest ({sizes.iloc[0]} districts): " + "; ".join(parts),
                   action="kept", fix="nothing to do: Moran's I is computed within each group's neighbourhoods")
    return SpatialWeights(w=w, index=index, areas=areas, method=method, islands=island_names, left_out=left_out,
                          attached=attached, n_components=n_comp, component=comp, report=report)


def spatial_weights(
    gdf: gpd.GeoDataFrame,
    *,
    method: Method = "queen",
    k: int = 6,
    threshold_m: float | None = None,
    islands: Islands = "drop",
    area: str | None = None,
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
    area
        Column of district names (default as in :func:`inequality`).
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
    >>> sw = spatial_weights(gdf, area="name")
    >>> sw.islands, sw.left_out["reason"].iloc[0][:14]
    (['c'], 'no neighbour (')
    """
    report = report if report is not None else ValidationReport(source="spatial_weights")
    return _build_weights(gdf, method=method, k=k, threshold_m=threshold_m, islands=islands, area=area,
                          report=report)


def _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, area, invalid, report):
    """The rate table, the weights and every left-out district with its reason and LISA label."""
    report = report if report is not None else ValidationReport(source="spatial")
    dropped: dict = {}
    t = _rate_table(gdf, area=area, invalid=invalid, report=report, dropped=dropped, **rate_kw)
    invalid_reason = {i: f"invalid rate ({why})" for i, why in dropped.items()}
    if weights is None:
        weights = _build_weights(gdf, method=method, k=k, threshold_m=threshold_m, islands=islands, area=area,
                                 report=report, keep=gdf.index.isin(t.index), dropped_reason=invalid_reason,
                                 stacklevel=4)
    elif not isinstance(weights, SpatialWeights):
        raise InputError(f"weights= must be the result of spatial_weights(...), got {type(weights).__name__}")
    missing = weights.index.difference(t.index)
    if len(missing):
        raise InputError(f"the weights include districts without a valid rate: {_names(weights.areas.loc[missing])}",
                         fix="build the weights from the same rows as the rates (weights=None)")
    rows = []
    for i in gdf.index:
        if i in invalid_reason:
            rows.append((i, invalid_reason[i], LEFT_OUT_INVALID))
    known = set(invalid_reason)
    for i, r in weights.left_out["reason"].items():
        if i not in known and i in t.index:
            rows.append((i, str(r), LEFT_OUT))
            known.add(i)
    outside = t.index[~t.index.isin(weights.index) & ~t.index.isin(list(known))]
    if len(outside):
        why = "not in the spatial weights (weights= was built on other rows)"
        rows += [(i, why, LEFT_OUT_NOT_IN_WEIGHTS) for i in outside]
        for a in t.loc[outside, "area"]:
            report.add("warning", "not_in_weights", f"{why}: left out of Moran's I and LISA", area=a,
                       action="dropped", fix="build the weights from the same rows (spatial_weights(gdf)) or "
                                             "pass weights=None")
        warnings.warn(f"{len(outside)} district(s) not in the spatial weights, left out of Moran's I and LISA: "
                      f"{_names(t.loc[outside, 'area'])}. Fix: build the weights from the same rows "
                      "(spatial_weights(gdf)) or pass weights=None", EgovkitWarning, stacklevel=3)
    areas = _area_labels(gdf, area)
    left = pd.DataFrame([(areas.loc[i], r, lab) for i, r, lab in rows], columns=["area", "reason", "label"],
                        index=pd.Index([i for i, _, _ in rows], dtype=gdf.index.dtype))
    y = t.loc[weights.index, "share"].to_numpy(float)
    if np.allclose(y, y[0]):
        raise InputError("all districts have the same rate: spatial autocorrelation is undefined")
    return t, weights, y, report, left


def global_moran(
    gdf: gpd.GeoDataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    weights: SpatialWeights | None = None,
    method: Method = "queen",
    k: int = 6,
    threshold_m: float | None = None,
    islands: Islands = "drop",
    permutations: int = 999,
    seed: int | None = 0,
    area: str | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Global Moran's I of the district rates, with a permutation p-value.

    Parameters
    ----------
    gdf
        One row per district with its geometry.
    indicator, numerator, denominator, share, weight
        The rate, as in :func:`egovkit.distribution.inequality` (``weight`` is only used to
        check the input here: Moran's I compares district rates, each district once).
        To test smoothed rates, pass ``share="share_smoothed", weight=<denominator column>``
        (the output of :func:`egovkit.distribution.smooth_rates`).
    weights
        Prebuilt :class:`SpatialWeights`; else built with ``method``, ``k``,
        ``threshold_m``, ``islands``.
    permutations
        Number of random permutations for ``p_sim`` (0 to skip).
    seed
        Seed of the permutations (the global NumPy state is restored afterwards);
        ``None`` for a fresh random draw.

    Returns
    -------
    pandas.DataFrame
        One row: ``moran_i``, ``expected_i``, ``z_norm``, ``p_norm`` (normal approximation,
        two-sided), ``p_sim`` (one-sided pseudo p-value, esda convention), ``z_sim``,
        ``permutations``, ``seed``, ``method``, ``n_districts`` (analysed), ``n_left_out``,
        ``left_out`` (names), ``left_out_reasons`` (``"name: reason; ..."``: invalid rate
        with ``invalid="drop"``, no neighbour, no neighbour left once its neighbours were
        left out, or not in ``weights``), ``n_components``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    >>> gdf = gpd.GeoDataFrame({"n": [x + y for y in range(4) for x in range(4)], "d": [10] * 16},
    ...                        geometry=cells)
    >>> m = global_moran(gdf, numerator="n", denominator="d", method="rook", permutations=99)
    >>> bool(m["moran_i"].item() > 0.5), float(m["p_sim"].item())
    (True, 0.01)
    """
    rate_kw = dict(indicator=indicator, numerator=numerator, denominator=denominator, share=share, weight=weight)
    t, sw, y, report, left = _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, area, invalid,
                                      report)
    state = np.random.get_state()
    try:
        if seed is not None:
            np.random.seed(seed)  # esda.Moran draws its permutations from the global NumPy generator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m = esda.Moran(y, sw.w, transformation="r", permutations=permutations)
    finally:
        np.random.set_state(state)
    return pd.DataFrame([{
        "moran_i": float(m.I), "expected_i": float(m.EI), "z_norm": float(m.z_norm), "p_norm": float(m.p_norm),
        "p_sim": float(m.p_sim) if permutations else np.nan, "z_sim": float(m.z_sim) if permutations else np.nan,
        "permutations": int(permutations), "seed": seed, "method": sw.method, "n_districts": int(len(y)),
        "n_left_out": int(len(left)), "left_out": ", ".join(left["area"].astype(str)),
        "left_out_reasons": "; ".join(f"{a}: {r}" for a, r in zip(left["area"].astype(str), left["reason"])),
        "n_components": sw.n_components,
    }])


def local_moran(
    gdf: gpd.GeoDataFrame,
    *,
    indicator: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    share: str | None = None,
    weight: str | None = None,
    weights: SpatialWeights | None = None,
    method: Method = "queen",
    k: int = 6,
    threshold_m: float | None = None,
    islands: Islands = "drop",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    fdr: bool = False,
    area: str | None = None,
    invalid: Invalid = "raise",
    report: ValidationReport | None = None,
) -> gpd.GeoDataFrame:
    """Local Moran's I (LISA): which districts form high-high or low-low clusters.

    Parameters are those of :func:`global_moran`, plus:

    alpha
        Significance level of the permutation p-values (default 0.05).
    fdr
        Use the false-discovery-rate cut-off (``esda.fdr``) instead of ``alpha``.

    Returns
    -------
    geopandas.GeoDataFrame
        The input rows (none dropped) with ``area``, ``share`` (the rate, 0-1),
        ``lisa_z`` (standardised rate), ``lisa_lag`` (mean ``lisa_z`` of the neighbours),
        ``lisa_i``, ``lisa_p`` (pseudo p-value), ``lisa_quadrant`` (``high-high``,
        ``low-high``, ``low-low``, ``high-low``), ``lisa_significant`` and ``lisa_cluster``:
        the quadrant when significant, else ``"not significant"`` (``"not tested"`` for
        every district when ``permutations=0``, with a warning). Districts left out get
        missing statistics, ``lisa_cluster`` ``"left out (invalid rate)"`` (dropped with
        ``invalid="drop"``), ``"left out (no neighbour)"`` (an island, or its neighbours
        were left out) or ``"left out (not in the weights)"``, and the full reason in
        ``lisa_left_out_reason`` (empty for the others). ``.attrs`` holds
        ``alpha``, ``cutoff`` (the p-value cut-off used) and ``fdr``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(4) for x in range(4)]
    >>> gdf = gpd.GeoDataFrame({"n": [x + y for y in range(4) for x in range(4)], "d": [10] * 16},
    ...                        geometry=cells)
    >>> lisa = local_moran(gdf, numerator="n", denominator="d", method="rook", permutations=99)
    >>> lisa["lisa_quadrant"].iloc[0], lisa["lisa_quadrant"].iloc[-1]
    ('low-low', 'high-high')
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha={alpha} is not a significance level", fix="use e.g. alpha=0.05")
    rate_kw = dict(indicator=indicator, numerator=numerator, denominator=denominator, share=share, weight=weight)
    t, sw, y, report, left = _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, area, invalid,
                                      report)
    if not permutations:
        report.add("warning", "lisa_not_tested", f"permutations=0: no p-values, every district is labelled "
                   f"{NOT_TESTED!r}", action="kept", fix="use permutations=999 to test the clusters")
        warnings.warn(f"permutations=0: no p-values, every district is labelled {NOT_TESTED!r}. Fix: use "
                      "permutations=999 to test the clusters", EgovkitWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lm = esda.Moran_Local(y, sw.w, transformation="r", permutations=permutations, seed=seed,
                              keep_simulations=False)
    p = np.asarray(lm.p_sim, dtype=float) if permutations else np.full(len(y), np.nan)
    cutoff = float(esda.fdr(p, alpha)) if fdr and permutations else alpha
    sig = p <= cutoff if fdr else p < cutoff
    quad = pd.Series(np.asarray(lm.q)).map(CLUSTER_LABELS).to_numpy()
    out = gdf.copy()
    if "area" not in out.columns:
        out["area"] = _area_labels(gdf, area).to_numpy()
    out["share"] = t["share"].reindex(gdf.index).to_numpy()
    z = np.asarray(lm.z, dtype=float)
    cols = {
        "lisa_z": z,
        "lisa_lag": libpysal.weights.lag_spatial(sw.w, z),
        "lisa_i": np.asarray(lm.Is, dtype=float),
        "lisa_p": p,
    }
    for c, v in cols.items():
        out[c] = pd.Series(v, index=sw.index).reindex(gdf.index).to_numpy(float)
    out["lisa_quadrant"] = pd.Series(quad, index=sw.index, dtype=object).reindex(gdf.index).to_numpy()
    out["lisa_significant"] = pd.Series(sig, index=sw.index).reindex(gdf.index).fillna(False).astype(bool).to_numpy()
    cluster = np.where(out["lisa_significant"], out["lisa_quadrant"],
                       NOT_SIGNIFICANT if permutations else NOT_TESTED).astype(object)
    outside = ~gdf.index.isin(sw.index)
    cluster[outside] = left["label"].reindex(gdf.index[outside]).fillna(LEFT_OUT).to_numpy()
    out["lisa_cluster"] = cluster
    out["lisa_left_out_reason"] = left["reason"].reindex(gdf.index).to_numpy()
    out.attrs = {"alpha": alpha, "cutoff": cutoff, "fdr": fdr, "method": sw.method, "permutations": permutations}
    return out
