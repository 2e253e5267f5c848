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

from ..errors import EgovkitWarning, InputError
from ..validate import ValidationReport
from .inequality import Invalid, _area_labels, _names, _rate_table

Method = Literal["queen", "rook", "knn", "distance"]
Islands = Literal["drop", "knn", "raise"]

#: LISA cluster labels, by esda quadrant (1 HH, 2 LH, 3 LL, 4 HL).
CLUSTER_LABELS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
NOT_SIGNIFICANT = "not significant"
LEFT_OUT = "left out (no neighbour)"


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
        report.add("warning", "no_crs", "the boundaries have no CRS: coordinates are used as they are "
                   "(assumed to be metres)", fix="set the CRS, e.g. gdf.set_crs('EPSG:4326')", action="guessed")
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


def _contact_neighbours(g: gpd.GeoDataFrame, w, ids: list[int], areas: pd.Series,
                        report: ValidationReport):
    """Queen neighbours of the districts that share no vertex with another one but do touch
    or overlap it (borders digitised with different vertices, e.g. New York's Upper West Side
    and Lincoln Square): libpysal's vertex-based contiguity calls them islands."""
    neighbors = {i: list(w.neighbors[i]) for i in ids}
    added = []
    for i in sorted(int(x) for x in w.islands):
        for j in sorted(int(x) for x in g.sindex.query(g.geometry.iloc[i], predicate="intersects")):
            if j != i and j not in neighbors[i]:
                neighbors[i].append(j)
                neighbors[j].append(i)
                added.append((i, j))
    if not added:
        return w
    for i in sorted({i for i, _ in added}):
        near = [str(areas.iloc[j]) for a, j in added if a == i]
        report.add("info", "contact_neighbours", f"no shared vertex with another district, but its boundary touches "
                   f"{', '.join(near)}: queen neighbours by contact", area=str(areas.iloc[i]), action="inferred")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return libpysal.weights.W(neighbors, ids=ids, silence_warnings=True)


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
        ``"queen"``, ``"rook"`` (contiguity), ``"knn"`` (``k`` nearest centroids) or
        ``"distance"`` (centroids closer than ``threshold_m`` metres).
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
    geom = gdf.geometry
    bad = geom.isna() | geom.is_empty
    if bad.any():
        raise InputError(f"missing or empty geometry for {_names(areas[bad])}", column=gdf.geometry.name,
                         fix="repair the boundaries or remove these districts before the spatial analysis")
    if len(gdf) < 3:
        raise InputError(f"only {len(gdf)} district(s): spatial autocorrelation needs at least 3")
    g = gpd.GeoDataFrame({"_pos": np.arange(len(gdf))}, geometry=geom.to_numpy(), crs=gdf.crs)
    if method in ("knn", "distance") or islands == "knn":
        gp = _projected(g, report)
        pts = np.column_stack([gp.geometry.centroid.x.to_numpy(), gp.geometry.centroid.y.to_numpy()])
    ids = list(range(len(gdf)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands and components: we report them
        if method == "queen":
            w = libpysal.weights.Queen.from_dataframe(g, use_index=False, ids=ids)
        elif method == "rook":
            w = libpysal.weights.Rook.from_dataframe(g, use_index=False, ids=ids)
        elif method == "knn":
            if not 1 <= k < len(gdf):
                raise InputError(f"k={k} neighbours is not possible with {len(gdf)} districts",
                                 fix=f"use 1 <= k <= {len(gdf) - 1}")
            w = libpysal.weights.KNN(pts, k=k, ids=ids)
        else:
            if threshold_m is None or threshold_m <= 0:
                raise InputError("method='distance' needs threshold_m= (a distance in metres)",
                                 fix="e.g. threshold_m=50_000, or use method='knn'")
            w = libpysal.weights.DistanceBand(pts, threshold=threshold_m, ids=ids, binary=True,
                                              silence_warnings=True)
    if method == "queen" and w.islands:
        w = _contact_neighbours(g, w, ids, areas, report)
    island_pos = sorted(int(i) for i in w.islands)
    island_names = [str(areas.iloc[i]) for i in island_pos]
    left_out = pd.DataFrame({"area": pd.Series([], dtype=object), "reason": pd.Series([], dtype=object)})
    attached = pd.DataFrame({"area": pd.Series([], dtype=object), "attached_to": pd.Series([], dtype=object)})
    why = {"queen": "its boundary touches no other district", "rook": "it shares no edge with another district",
           "distance": f"no other district centroid within {threshold_m} m",
           "knn": "no neighbour"}[method]
    if island_pos:
        if islands == "raise":
            listed = _names(pd.Series(island_names))
            raise InputError(f"{len(island_pos)} district(s) without neighbours ({why}): {listed}",
                             fix="pass islands='knn' to attach them to their nearest district, islands='drop' "
                                 "to leave them out, or use method='knn'")
        if len(island_pos) == len(gdf):
            raise InputError(f"no district has a neighbour with method={method!r} (the geometries do not touch)",
                             fix="use method='knn' (nearest districts) or method='distance' with a larger "
                                 "threshold_m")
        if islands == "knn":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w1 = libpysal.weights.KNN(pts, k=1, ids=ids)
                w = libpysal.weights.attach_islands(w, w1)
            to = [str(areas.iloc[int(w1.neighbors[i][0])]) for i in island_pos]
            attached = pd.DataFrame({"area": island_names, "attached_to": to})
            for a, b in zip(island_names, to):
                report.add("warning", "island_attached", f"no neighbour ({why}): attached to the nearest "
                           f"district, {b}", area=a, action="repaired",
                           fix="check the boundaries, or use islands='drop'")
        else:
            keep = [i for i in ids if i not in set(island_pos)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w = libpysal.weights.w_subset(w, keep)
            left_out = pd.DataFrame({"area": island_names, "reason": [f"no neighbour ({why})"] * len(island_names)})
            for a in island_names:
                report.add("warning", "island_dropped", f"no neighbour ({why}): left out of Moran's I and LISA",
                           area=a, action="dropped", fix="pass islands='knn' or method='knn' to keep it")
        warnings.warn(f"{len(island_pos)} district(s) without neighbours ({why}): {_names(pd.Series(island_names))}"
                      f" -> islands={islands!r}", EgovkitWarning, stacklevel=2)
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


def _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, area, invalid, report):
    report = report if report is not None else ValidationReport(source="spatial")
    t = _rate_table(gdf, area=area, invalid=invalid, report=report, **rate_kw)
    if weights is None:
        weights = spatial_weights(gdf.loc[t.index] if len(t) < len(gdf) else gdf, method=method, k=k,
                                  threshold_m=threshold_m, islands=islands, area=area, report=report)
    missing = weights.index.difference(t.index)
    if len(missing):
        raise InputError(f"the weights include districts without a valid rate: {_names(weights.areas.loc[missing])}",
                         fix="build the weights from the same rows as the rates (weights=None)")
    y = t.loc[weights.index, "share"].to_numpy(float)
    if np.allclose(y, y[0]):
        raise InputError("all districts have the same rate: spatial autocorrelation is undefined")
    return t, weights, y, report


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
        ``permutations``, ``seed``, ``method``, ``n_districts``, ``n_left_out``,
        ``left_out`` (names), ``n_components``.

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
    t, sw, y, report = _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, area, invalid, report)
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
        "n_left_out": int(len(sw.left_out)), "left_out": ", ".join(sw.left_out["area"].astype(str)),
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
        the quadrant when significant, else ``"not significant"``; districts left out of the
        weights get ``"left out (no neighbour)"`` and missing statistics. ``.attrs`` holds
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
    t, sw, y, report = _prepare(gdf, weights, rate_kw, method, k, threshold_m, islands, area, invalid, report)
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
    cluster = np.where(out["lisa_significant"], out["lisa_quadrant"], NOT_SIGNIFICANT).astype(object)
    cluster[~gdf.index.isin(sw.index)] = LEFT_OUT
    out["lisa_cluster"] = cluster
    out.attrs = {"alpha": alpha, "cutoff": cutoff, "fdr": fdr, "method": sw.method, "permutations": permutations}
    return out
