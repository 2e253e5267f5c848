"""Make every boundary a valid (Multi)Polygon, recording each repair in the validation report.

>>> from shapely import from_wkt
>>> bow_tie = from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
>>> g = gpd.GeoDataFrame(geometry=[bow_tie], crs=3857)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     fixed = repair_geometries(g)
>>> fixed.geometry.iloc[0].geom_type, float(fixed.area.iloc[0])
('MultiPolygon', 0.5)
"""

from __future__ import annotations

import warnings
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from ..errors import EgovkitWarning, InputError
from ..shared.messages import render
from ..shared.renamed import renamed
from ..validate import Issue, ValidationReport

__all__ = ["MakeValidMethod", "repair", "repair_geometries"]

_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7
_MULTI_TYPES = (4, 5, 6, 7)  # MultiPoint, MultiLineString, MultiPolygon, GeometryCollection
#: How :func:`shapely.make_valid` rebuilds an invalid polygon (see :func:`repair_geometries`).
MakeValidMethod = Literal["linework", "structure"]


@renamed(id_column="key")
def repair_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    key: str | None = None,
    report: ValidationReport | None = None,
    source: str | None = None,
    method: MakeValidMethod = "linework",
    warn: bool = True,
) -> gpd.GeoDataFrame:
    """Make every geometry a valid (Multi)Polygon, recording each repair.

    The one repair of boundaries in egovkit (files read by :func:`~egovkit.geo.read_boundaries` and the
    pinned data sets of :mod:`egovkit.datasets`). Invalid geometries are repaired with
    :func:`shapely.make_valid`, keeping only their polygonal parts (a MultiPolygon stays a
    MultiPolygon), and the change of area is reported; geometry collections keep their polygons.
    Null and empty geometries are kept and reported, and so are polygons that the repair leaves
    without area (their points on a line: kept empty, ``geo.degenerate_geometry``). A feature with no
    polygonal part at all (a point, a line) or with NaN/infinite coordinates is an error naming the features.

    Parameters
    ----------
    gdf
        Boundaries.
    key
        Column naming the features in the report (else the 1-based feature number is used).
        (Was ``id_column=``, still accepted with a warning.)
    report
        Report to record repairs in; each repair also emits an :class:`EgovkitWarning`.
    source
        File name for the messages.
    method
        How :func:`shapely.make_valid` rebuilds an invalid polygon: ``"linework"`` (default; every
        edge kept, overlapping parts of a ring cancel out) or ``"structure"`` (rings as outlines,
        overlapping parts united, collapsed parts dropped).
    warn
        Also emit each repair as an :class:`EgovkitWarning` (``False`` when the caller warns from
        the report itself, as the data set cache does).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with repaired geometries (same rows, same order, same CRS).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=3857)
    >>> repair_geometries(g, key="id").geometry.iloc[0].geom_type
    'Polygon'
    """
    return repair(gdf, key=key, report=report, source=source, method=method, warn=warn)


class _Features:
    """The features being repaired: how each is named and where, and what is said of them."""

    def __init__(self, gdf: gpd.GeoDataFrame, key: str | None, report: ValidationReport, source: str) -> None:
        self.ids = gdf[key].astype(str).to_numpy() if key is not None else None
        self.report, self.source = report, source
        self.said: list[str] = []

    def label(self, i: int) -> str:
        if self.ids is None:
            return render("geo.feature", {"n": i + 1})
        return render("geo.feature_id", {"n": i + 1, "id": self.ids[i]})

    def listed(self, rows: np.ndarray) -> dict:
        return {"n": len(rows), "features": ", ".join(self.label(i) for i in rows[:10]),
                "more": " ..." if len(rows) > 10 else ""}

    def say(self, severity: str, code: str, i: int, params: dict | None = None, **kw) -> Issue:
        """Record the finding ``code`` about feature ``i`` (a warning is also said as one)."""
        area = None if self.ids is None else self.ids[i]
        issue = self.report.add(severity, code, params=params or {}, row=i + 1, area=area, source=self.source, **kw)
        if severity == "warning":
            self.said.append(render("geo.feature_in_file", {"file": self.source, "feature": self.label(i),
                                                             "text": issue.text()}))
        return issue


def repair(
    gdf: gpd.GeoDataFrame,
    *,
    key: str | None,
    report: ValidationReport | None,
    source: str | None,
    unreadable: dict[int, str] | None = None,
    method: MakeValidMethod = "linework",
    warn: bool = True,
) -> gpd.GeoDataFrame:
    """:func:`repair_geometries`; ``unreadable`` maps feature positions to why GEOS refused them as
    written (see :func:`~egovkit.geo.boundary_file.read_boundaries`): fixed ones are reported as
    repaired, the others as kept without geometry.

    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=3857)
    >>> bool(repair(g, key=None, report=None, source="x").geometry.iloc[0].equals(box(0, 0, 1, 1)))
    True
    """
    if report is None:
        report = ValidationReport(source=source)
    feats = _Features(gdf, key, report, source or report.source or "boundaries")
    unreadable = unreadable or {}
    geoms = gdf.geometry.to_numpy().copy()
    _refuse_nonfinite(geoms, feats)
    null = shapely.is_missing(geoms)
    empty = ~null & shapely.is_empty(geoms)
    _say_empty(np.flatnonzero(null | empty), null, unreadable, feats)

    present = ~(null | empty)
    type_before = shapely.get_type_id(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    reasons = {i: shapely.is_valid_reason(geoms[i]) for i in np.flatnonzero(invalid)}
    if invalid.any():
        geoms[invalid] = _make_valid(geoms[invalid], method)
        one = invalid & (type_before == _MULTIPOLYGON) & (shapely.get_type_id(geoms) == _POLYGON)
        if one.any():  # a MultiPolygon of the file stays one
            geoms[one] = shapely.multipolygons(geoms[one][:, np.newaxis])
    not_polygon = present & ~np.isin(shapely.get_type_id(geoms), (_POLYGON, _MULTIPOLYGON))
    if not_polygon.any():
        geoms[not_polygon] = _polygonal_parts(geoms[not_polygon])
    lost = present & (shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # a polygon of the file that the repair reduced to a line or a point has no area: kept, blank
    degenerate = lost & np.isin(type_before, (_POLYGON, _MULTIPOLYGON))
    _refuse_not_polygons(gdf, np.flatnonzero(lost & ~degenerate), feats)
    for i in np.flatnonzero(degenerate):
        geoms[i] = shapely.Polygon()
        if reasons.get(i):
            feats.say("warning", "geo.degenerate_geometry", i, {"reason": reasons[i]}, action="kept")
        else:
            feats.say("warning", "geo.degenerate_geometry_line", i, action="kept")
    repaired = np.flatnonzero((invalid | not_polygon) & ~degenerate)
    _say_repaired(gdf, geoms, repaired, invalid, reasons, unreadable, feats)
    for i in sorted(set(unreadable) - set(np.flatnonzero(null | empty | invalid | not_polygon | degenerate))):
        feats.say("warning", "geo.geometry_refused_fixed", i, {"refused": unreadable[i]}, column="geometry",
                  action="repaired")
    for text in feats.said if warn else ():
        warnings.warn(text, EgovkitWarning, stacklevel=4)
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


def _refuse_nonfinite(geoms: np.ndarray, feats: _Features) -> None:
    """Coordinates that are not numbers (NaN, infinite) make GEOS fail: the file is corrupt there."""
    xy, at = shapely.get_coordinates(geoms, return_index=True)
    nonfinite = np.unique(at[~np.isfinite(xy).all(axis=1)])
    if len(nonfinite):
        for i in nonfinite:
            feats.say("error", "geo.nonfinite_coordinates", i)
        raise InputError(code="geo.nonfinite_features", params=feats.listed(nonfinite), file=feats.source)


def _say_empty(rows: np.ndarray, null: np.ndarray, unreadable: dict[int, str], feats: _Features) -> None:
    """Null, empty and unreadable geometries are kept (they cannot be drawn or measured) and reported."""
    for i in rows:
        if i in unreadable:
            feats.say("warning", "geo.unreadable_geometry", i, {"reason": unreadable[i]}, action="kept")
        else:
            feats.say("warning", "geo.null_geometry" if null[i] else "geo.empty_geometry", i, action="kept")


def _refuse_not_polygons(gdf: gpd.GeoDataFrame, rows: np.ndarray, feats: _Features) -> None:
    """A feature without any polygonal part (a point, a line) is an error naming every such feature."""
    if len(rows):
        for i in rows:
            feats.say("error", "geo.not_polygon", i, {"kind": gdf.geometry.iloc[i].geom_type})
        raise InputError(code="geo.not_polygons", params=feats.listed(rows), file=feats.source)


def _say_repaired(gdf: gpd.GeoDataFrame, geoms: np.ndarray, rows: np.ndarray, invalid: np.ndarray,
                  reasons: dict[int, str], unreadable: dict[int, str], feats: _Features) -> None:
    """One ``geo.geometry_repaired`` (invalid polygon: the change of area) or ``geo.geometry_reduced``
    (a collection: its polygonal parts kept) per repaired feature, saying when GEOS refused it as written."""
    for i in rows:
        before = gdf.geometry.iloc[i]
        refused = i in unreadable
        if invalid[i]:
            was = float(shapely.area(before))
            change = 0.0 if was == 0 else 100 * (float(shapely.area(geoms[i])) - was) / was
            code = "geo.geometry_repaired_refused" if refused else "geo.geometry_repaired"
            params = {"reason": reasons[i], "change": change}
        else:
            code = "geo.geometry_reduced_refused" if refused else "geo.geometry_reduced"
            params = {"kind": before.geom_type}
        feats.say("warning", code, i, {**params, "refused": unreadable.get(i, "")}, column="geometry",
                  action="repaired")


def _make_valid(geoms: np.ndarray, method: MakeValidMethod = "linework") -> np.ndarray:
    """:func:`shapely.make_valid`, geometry by geometry where GEOS fails on the whole array."""
    try:
        if method == "structure":
            return shapely.make_valid(geoms, method="structure", keep_collapsed=False)
        return shapely.make_valid(geoms)
    except shapely.errors.GEOSException:
        out = np.empty(len(geoms), dtype=object)
        out[:] = [_make_valid_one(g) for g in geoms]
        return out


def _make_valid_one(geom: shapely.Geometry) -> shapely.Geometry:
    # GEOS can fail on a whole multi-geometry because of one collapsed part ("Overlay input is
    # mixed-dimension"): then the other method, then part by part, keeping the polygons
    for kw in ({}, {"method": "structure", "keep_collapsed": False}):
        try:
            return shapely.make_valid(geom, **kw)
        except shapely.errors.GEOSException:
            pass
    parts = shapely.get_parts(geom)
    if len(parts) > 1:
        fixed = _polygonal_parts(np.array([_make_valid_one(p) for p in parts], dtype=object))
        polys = [p for p in fixed if p is not None]
        try:
            return shapely.union_all(polys) if polys else shapely.Polygon()
        except shapely.errors.GEOSException:
            return shapely.MultiPolygon([q for p in polys for q in shapely.get_parts(p)])
    return shapely.Polygon()  # nothing valid can be made of it: reported as without area


def _polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """For each geometry, the MultiPolygon of its polygons (None when it has none)."""
    parts, idx = shapely.get_parts(geoms, return_index=True)
    while True:  # collections may nest multi-geometries
        multi = np.isin(shapely.get_type_id(parts), _MULTI_TYPES)
        if not multi.any():
            break
        sub, sub_idx = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        idx = np.concatenate([idx[~multi], idx[multi][sub_idx]])
    keep = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    out = np.full(len(geoms), None, dtype=object)
    if keep.any():
        # shapely wants the parts grouped by consecutive indices 0..k-1, in order
        order = np.argsort(idx[keep], kind="stable")
        owners, dense = np.unique(idx[keep][order], return_inverse=True)
        out[owners] = shapely.multipolygons(parts[keep][order], indices=dense)
    return out
