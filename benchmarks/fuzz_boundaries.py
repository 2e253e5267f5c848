"""Fuzzing the boundary, questionnaire and stakeholder-register readers: crashes and lost rows.

Generates thousands of broken input files and feeds each to its reader:

- boundaries (:func:`egovkit.geo.read_boundaries`, then ``projected_crs`` and ``area_km2``):
  GeoJSON with invalid, self-intersecting, empty, null or missing geometries, unclosed rings,
  rings of fewer than 4 points, NaN/Infinity/huge coordinates, points, lines and (nested)
  GeometryCollections among polygons, duplicate ids, missing/null/nested properties,
  longitude/latitude swapped, projected coordinates without a CRS, truncated JSON, text or bytes
  that are not JSON, a BOM, an empty FeatureCollection, a latin-1 file; zipped shapefiles missing
  their .shp/.shx/.dbf/.prj, truncated zips; truncated or corrupted GeoPackages and FlatGeobufs;
  directories, empty files and wrong extensions; bad ``key=``/``crs=`` arguments;
- questionnaires (:func:`egovkit.diagnosis.read_assessments` then ``score_assessment``, what
  ``egovkit assess score`` runs): templates with answers outside the drop-down lists, missing or
  renamed columns, blank or slash dates, unknown or duplicated questions, answers without a
  question id, a missing ``answers`` sheet, CSV in latin-1 or with ``;``, xlsx renamed .csv and
  the reverse, empty, binary and truncated files;
- stakeholder registers (:func:`egovkit.diagnosis.read_register`): unknown types, levels and
  resources, blank and duplicated names, text or comma-decimal coordinates, blank rows,
  partnerships naming unknown stakeholders, and the same broken files.

Each case ends in one of: a result, an egovkit error (``EgovkitError``), or a crash (any other
exception). For results it checks that every input feature/row is accounted for: present in the
output or recorded as dropped in the report, and that each feature left without geometry is
named in the report. It prints, per reader, the counts of cases, results, egovkit errors, errors
that do not name the file, crashes (with their most frequent kinds) and lost rows. Not a test;
``tests/test_geo_properties.py`` and ``tests/test_diagnosis_read_broken.py`` run the same
generators on a bounded number of examples.

    .venv/bin/python benchmarks/fuzz_boundaries.py [--n 3000] [--seed 0] [--only boundaries]

Measured 2026-12-05 (3,000 cases per reader, seed 0, same generator on both codes):

=============  ==========================================  ==================================
reader         before (1f7d57f)                            after
=============  ==========================================  ==================================
boundaries     179 crashes, 1,846 features without a fate  0 crashes, 0 lost, 0 without fate
questionnaire  1,241 crashes, 50 lost rows                 0 crashes, 0 lost rows
register       1,410 crashes, 0 lost rows                  0 crashes, 0 lost rows
=============  ==========================================  ==================================
"""

from __future__ import annotations

import argparse
import collections
import functools
import io
import json
import math
import random
import shutil
import tempfile
import time
import traceback
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from egovkit.errors import EgovkitError, EgovkitWarning
from egovkit.validate import ValidationReport

# -- outcomes ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one case did: ``result``, ``error`` (an egovkit error) or ``crash``."""

    kind: str
    lost: int = 0                 # input rows/features neither in the result nor recorded as dropped
    unreported: int = 0           # features left without geometry that the report does not name
    no_fate: int = 0              # output features/rows whose fate the report does not record
    error_without_file: bool = False
    detail: str = ""


@dataclass
class Tally:
    cases: int = 0
    results: int = 0
    errors: int = 0
    errors_without_file: int = 0
    crashes: int = 0
    lost: int = 0
    unreported: int = 0
    no_fate: int = 0
    crash_kinds: collections.Counter = field(default_factory=collections.Counter)
    examples: dict = field(default_factory=dict)

    def add(self, o: Outcome, label: str = "") -> None:
        self.cases += 1
        if o.kind == "result":
            self.results += 1
        elif o.kind == "error":
            self.errors += 1
            self.errors_without_file += int(o.error_without_file)
        else:
            self.crashes += 1
            self.crash_kinds[o.detail] += 1
            self.examples.setdefault(o.detail, label)
        self.lost += o.lost
        self.unreported += o.unreported
        self.no_fate += o.no_fate


def _crash_signature(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    own = [f for f in tb if "/egovkit/" in f.filename]
    where = f"{Path(own[-1].filename).name}:{own[-1].lineno}" if own else "?"
    return f"{type(exc).__name__} at {where}: {str(exc).splitlines()[0][:90] if str(exc) else ''}"


def _run(fn: Callable[[], Any], name: str) -> tuple[str, Any]:
    """("result", value) or ("error", exc) or ("crash", exc)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "result", fn()
    except EgovkitError as exc:
        return "error", exc
    except Exception as exc:  # noqa: BLE001 - that is what we count
        return "crash", exc


# -- boundaries: generators ------------------------------------------------------------------------

_JSON_TOKENS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity", "big": "1e400"}


@dataclass
class BoundaryCase:
    """A boundary file to write, the number of features it holds, and the reader's arguments."""

    name: str                       # file name (its suffix chooses the reader)
    payload: bytes | None           # file bytes; None for a directory or a multi-file writer
    n_features: int | None          # features in the file (None: not a feature file)
    kwargs: dict = field(default_factory=dict)
    writer: Callable[[Path], Path] | None = None
    kind: str = ""


def _ring(rng: random.Random, cx: float, cy: float, r: float) -> list[list[float]]:
    k = rng.randint(3, 9)
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(k))
    pts = [[round(cx + r * math.cos(a), 6), round(cy + r * math.sin(a), 6)] for a in angles]
    return pts + [pts[0]]


def _feature_geometry(rng: random.Random, cx: float, cy: float, r: float) -> tuple[Any, str]:
    """One feature's geometry (a JSON-able value, or a raw JSON text for NaN/inf) and its kind."""
    ring = _ring(rng, cx, cy, r)
    kind = rng.choices(
        ["polygon", "multipolygon", "hole", "bowtie", "unclosed", "short_ring", "empty_coords", "null",
         "missing", "nonfinite", "point", "line", "multipoint", "collection", "nested_collection",
         "empty_collection", "unknown_type", "not_object", "spike", "z", "hole_outside", "collinear",
         "multi_with_empty", "bad_coords"],
        weights=[30, 6, 3, 4, 3, 3, 2, 2, 2, 3, 2, 2, 1, 2, 2, 1, 1, 1, 2, 2, 1, 2, 1, 2])[0]
    if kind == "polygon":
        return {"type": "Polygon", "coordinates": [ring]}, kind
    if kind == "multipolygon":
        other = _ring(rng, cx + 3 * r, cy, r)
        return {"type": "MultiPolygon", "coordinates": [[ring], [other]]}, kind
    if kind == "hole":
        inner = _ring(rng, cx, cy, r / 4)
        return {"type": "Polygon", "coordinates": [ring, inner]}, kind
    if kind == "hole_outside":
        return {"type": "Polygon", "coordinates": [ring, _ring(rng, cx + 5 * r, cy, r / 4)]}, kind
    if kind == "bowtie":
        return {"type": "Polygon", "coordinates": [[[cx, cy], [cx + r, cy + r], [cx + r, cy], [cx, cy + r],
                                                    [cx, cy]]]}, kind
    if kind == "unclosed":
        return {"type": "Polygon", "coordinates": [ring[:-1]]}, kind
    if kind == "short_ring":
        n = rng.randint(0, 3)
        return {"type": "Polygon", "coordinates": [ring[:n] + ([ring[0]] if n and rng.random() < .5 else [])]}, kind
    if kind == "empty_coords":
        return {"type": rng.choice(["Polygon", "MultiPolygon"]), "coordinates": []}, kind
    if kind == "null":
        return None, kind
    if kind == "missing":
        return "<missing>", kind
    if kind == "nonfinite":
        pts = [list(p) for p in ring]
        j = rng.randrange(len(pts) - 1)
        pts[j][rng.randrange(2)] = "@" + rng.choice(list(_JSON_TOKENS)) + "@"
        return {"type": "Polygon", "coordinates": [pts]}, kind
    if kind == "point":
        return {"type": "Point", "coordinates": [cx, cy]}, kind
    if kind == "line":
        return {"type": "LineString", "coordinates": ring[:3]}, kind
    if kind == "multipoint":
        return {"type": "MultiPoint", "coordinates": ring[:3]}, kind
    if kind == "collection":
        return {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "coordinates": [ring]}, {"type": "Point", "coordinates": [cx, cy]},
            {"type": "LineString", "coordinates": ring[:2]}]}, kind
    if kind == "nested_collection":
        inner = [{"type": "LineString", "coordinates": ring[:2]},
                 {"type": "MultiPolygon", "coordinates": [[_ring(rng, cx + 3 * r, cy, r)], [ring]]},
                 {"type": "Polygon", "coordinates": [_ring(rng, cx - 3 * r, cy, r)]}]
        rng.shuffle(inner)
        return {"type": "GeometryCollection", "geometries": [
            {"type": "Point", "coordinates": [cx, cy]},
            {"type": "GeometryCollection", "geometries": inner}]}, kind
    if kind == "empty_collection":
        return {"type": "GeometryCollection", "geometries": []}, kind
    if kind == "unknown_type":
        return {"type": rng.choice(["Blob", "Circle", "polygon", ""]), "coordinates": [ring]}, kind
    if kind == "not_object":
        return rng.choice([5, "POLYGON((0 0,1 0,1 1,0 0))", [1, 2], True]), kind
    if kind == "spike":
        pts = ring[:-1]
        j = rng.randrange(len(pts))
        pts = pts[:j] + [[pts[j][0] + 5 * r, pts[j][1]], pts[j]] + pts[j:]
        return {"type": "Polygon", "coordinates": [pts + [pts[0]]]}, kind
    if kind == "z":
        return {"type": "Polygon", "coordinates": [[p + [rng.uniform(0, 100)] for p in ring]]}, kind
    if kind == "collinear":
        return {"type": "Polygon", "coordinates": [[[cx, cy], [cx + r, cy], [cx + 2 * r, cy], [cx, cy]]]}, kind
    if kind == "multi_with_empty":
        return {"type": "MultiPolygon", "coordinates": [[ring], [], [[ring[0], ring[1], ring[0]]]]}, kind
    # bad_coords: wrong nesting depth, strings, nulls
    return {"type": "Polygon", "coordinates": rng.choice([ring, [[ring]], [["a", "b"]], [[None, None]],
                                                         [[[0, 0], [1]]], [[0, 0, 1, 1]]])}, kind


def _properties(rng: random.Random, i: int) -> Any:
    kind = rng.choices(["normal", "null", "missing", "odd"], weights=[8, 1, 1, 2])[0]
    if kind == "null":
        return None
    if kind == "missing":
        return "<missing>"
    props: dict[str, Any] = {"name": f"District {i}", "code": f"D{i:03d}"}
    if kind == "odd":
        key, val = rng.choice([("name", None), ("code", None), ("code", i), ("name", [1, 2]),
                               ("name", {"a": 1}), ("name", "Évreux-Ñuñoa"), ("extra", 1e308),
                               ("code", "D000"), ("name", ""), ("", "x"), ("code", True)])
        props[key] = val
    return props


def geojson_case(rng: random.Random) -> BoundaryCase:  # noqa: C901 (one random case generator in one place; split in issue 11 part 3)
    """A GeoJSON file of 0-12 features with random broken geometries, properties and file faults."""
    n = rng.choices([0, 1, 2, 3, 5, 8, 12], weights=[1, 4, 4, 4, 4, 3, 2])[0]
    span = rng.choice([0.01, 0.5, 5, 40, 200])
    lon0, lat0 = rng.uniform(-180, 180), rng.uniform(-85, 85)
    feats = []
    for i in range(n):
        cx = max(-179.9, min(179.9, lon0 + rng.uniform(-span, span) / 2))
        cy = max(-89.0, min(89.0, lat0 + rng.uniform(-span, span) / 4))
        geom, _ = _feature_geometry(rng, round(cx, 5), round(cy, 5), rng.choice([1e-4, 0.01, 0.1, 0.5]))
        f: dict[str, Any] = {"type": "Feature"}
        props = _properties(rng, i)
        if props != "<missing>":
            f["properties"] = props
        if geom != "<missing>":
            f["geometry"] = geom
        if rng.random() < 0.2:
            f["id"] = rng.choice([i, 0, "x", f"D{i}", None, 1.5])
        feats.append(f)
    # file-wide transforms of the coordinates
    coord_mode = rng.choices(["lonlat", "swapped", "metres", "huge"], weights=[12, 2, 2, 1])[0]

    def tx(c: Any) -> Any:
        if isinstance(c, list) and len(c) >= 2 and all(isinstance(v, (int, float)) for v in c[:2]) \
                and not isinstance(c[0], bool):
            x, y = c[0], c[1]
            if coord_mode == "swapped":
                x, y = y, x
            elif coord_mode == "metres":
                x, y = 500000 + x * 1000, 9_800_000 + y * 1000
            elif coord_mode == "huge":
                x, y = x * 1e300, y * 1e300
            return [x, y] + c[2:]
        if isinstance(c, list):
            return [tx(v) for v in c]
        return c

    for f in feats:
        g = f.get("geometry")
        if isinstance(g, dict) and "coordinates" in g:
            g["coordinates"] = tx(g["coordinates"])
        if isinstance(g, dict) and "geometries" in g:
            for sub in g["geometries"]:
                if "coordinates" in sub:
                    sub["coordinates"] = tx(sub["coordinates"])
    doc: Any = {"type": "FeatureCollection", "features": feats}
    n_features: int | None = n
    shape = rng.choices(["collection", "feature", "geometry", "not_geojson"], weights=[20, 1, 1, 1])[0]
    if shape == "feature" and feats:
        doc, n_features = feats[0], 1
    elif shape == "geometry" and feats and isinstance(feats[0].get("geometry"), dict):
        doc, n_features = feats[0]["geometry"], 1
    elif shape == "not_geojson":
        doc, n_features = rng.choice([[1, 2], 3, "text", {"a": 1}, {"type": "FeatureCollection"},
                                      {"type": "FeatureCollection", "features": {}}, None]), None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and rng.random() < 0.15:
        doc["crs"] = {"type": "name", "properties": {"name": rng.choice(
            ["urn:ogc:def:crs:EPSG::3857", "EPSG:32737", "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:99999", "nonsense"])}}
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    for key, token in _JSON_TOKENS.items():
        text = text.replace(f'"@{key}@"', token)
    text = text.replace('"<missing>"', "null")
    encoding = rng.choices(["utf-8", "utf-8-sig", "latin-1", "utf-16"], weights=[12, 3, 2, 1])[0]
    try:
        payload = text.encode(encoding)
    except UnicodeEncodeError:
        payload = text.encode("utf-8")
    fault = rng.choices(["none", "truncate", "garbage", "empty", "whitespace", "binary", "html", "pretty"],
                        weights=[20, 4, 1, 1, 1, 1, 1, 2])[0]
    if fault == "truncate" and len(payload) > 2:
        payload = payload[:rng.randrange(1, len(payload) - 1)]
    elif fault == "garbage":
        payload = payload + b"\n}garbage"
    elif fault == "empty":
        payload = b""
    elif fault == "whitespace":
        payload = b"  \n\t "
    elif fault == "binary":
        payload = bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))
    elif fault == "html":
        payload = b"<!DOCTYPE html><html><body>404 Not Found</body></html>"
    elif fault == "pretty":
        payload = json.dumps(json.loads(text.replace("NaN", "0").replace("-Infinity", "0")
                                        .replace("Infinity", "0").replace("1e400", "0")), indent=2).encode()
    suffix = rng.choices([".geojson", ".json", ".txt", ".shp", ".gpkg", ".GEOJSON", ""],
                         weights=[20, 4, 1, 1, 1, 1, 1])[0]
    kwargs = _boundary_kwargs(rng)
    return BoundaryCase(f"b{suffix}", payload, n_features, kwargs, kind=f"geojson/{fault}/{coord_mode}")


def _boundary_kwargs(rng: random.Random) -> dict:
    kw: dict[str, Any] = {}
    r = rng.random()
    if r < 0.25:
        kw["key"] = rng.choice(["name", "code", "nope", "geometry"])
    if rng.random() < 0.15:
        kw["crs"] = rng.choice(["EPSG:4326", 4326, "EPSG:32737", "not a crs", 999999, "EPSG:3857", ""])
    if rng.random() < 0.05:
        kw["layer"] = rng.choice([0, 1, "nope", -1])
    return kw


def _valid_gdf(rng: random.Random, n: int) -> gpd.GeoDataFrame:
    lon0, lat0 = rng.uniform(-170, 170), rng.uniform(-60, 60)
    geoms = [shapely.box(lon0 + i * 0.1, lat0, lon0 + i * 0.1 + 0.09, lat0 + 0.09) for i in range(n)]
    if n and rng.random() < 0.3:
        geoms[rng.randrange(n)] = shapely.from_wkt(
            f"POLYGON (({lon0} {lat0}, {lon0 + .1} {lat0 + .1}, {lon0 + .1} {lat0}, "
            f"{lon0} {lat0 + .1}, {lon0} {lat0}))")
    return gpd.GeoDataFrame({"name": [f"District {i}" for i in range(n)], "code": [f"D{i}" for i in range(n)]},
                            geometry=geoms, crs=4326)


def binary_format_case(rng: random.Random) -> BoundaryCase:
    """A GeoPackage, FlatGeobuf or (zipped) shapefile, whole, truncated, corrupted or incomplete."""
    fmt = rng.choice(["gpkg", "fgb", "zip", "shp"])
    n = rng.randint(1, 6)
    gdf = _valid_gdf(rng, n)
    fault = rng.choice(["none", "truncate", "corrupt", "missing_member", "two_layers", "empty_zip", "nested",
                        "renamed"])

    def writer(folder: Path) -> Path:
        tmp = folder / "src"
        tmp.mkdir()
        if fmt in ("gpkg", "fgb"):
            path = tmp / f"b.{fmt}"
            gdf.to_file(path, engine="pyogrio", layer="districts" if fmt == "gpkg" else None)
            if fault == "two_layers" and fmt == "gpkg":
                gdf.to_file(path, engine="pyogrio", layer="other")
                points = gpd.GeoDataFrame({"name": ["p"]}, geometry=[shapely.Point(0, 0)], crs=4326)
                points.to_file(path, engine="pyogrio", layer="points")
        else:
            path = tmp / "b.shp"
            gdf.to_file(path, engine="pyogrio")
            if fault == "two_layers":
                gdf.to_file(tmp / "c.shp", engine="pyogrio")
            if fmt == "zip":
                zpath = tmp / "b.zip"
                members = sorted(p for p in tmp.iterdir() if p.suffix != ".zip")
                if fault == "missing_member":
                    members.remove(rng.choice(members))
                if fault == "empty_zip":
                    members = []
                with zipfile.ZipFile(zpath, "w") as zf:
                    for m in members:
                        zf.write(m, ("folder/" if fault == "nested" else "") + m.name)
                path = zpath
            elif fault == "missing_member":
                side = tmp / rng.choice(["b.shx", "b.dbf", "b.prj"])
                side.unlink(missing_ok=True)
        data = path.read_bytes()
        if fault == "truncate":
            data = data[:rng.randrange(0, max(1, len(data)))]
        elif fault == "corrupt" and len(data) > 10:
            b = bytearray(data)
            for _ in range(rng.randint(1, 30)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            data = bytes(b)
        out = folder / path.name
        if fault == "renamed":
            out = folder / ("b" + rng.choice([".geojson", ".gpkg", ".zip", ".fgb", ".shp"]))
        out.write_bytes(data)
        if path.suffix == ".shp":
            for side in tmp.glob("b.*"):
                if side.suffix != ".shp" and not (folder / side.name).exists():
                    shutil.copy(side, folder / side.name)
        return out

    n_features = n if fault in ("none", "nested", "renamed", "two_layers", "missing_member") else None
    return BoundaryCase(f"b.{fmt}", None, n_features, _boundary_kwargs(rng), writer=writer,
                        kind=f"{fmt}/{fault}")


def odd_path_case(rng: random.Random) -> BoundaryCase:
    """A directory, a missing file, a file with no suffix."""
    what = rng.choice(["dir", "missing", "dir_plain"])

    def writer(folder: Path) -> Path:
        if what == "dir":
            p = folder / rng.choice(["b.geojson", "b.gpkg", "b.shp", "b.zip"])
            p.mkdir()
        elif what == "dir_plain":
            p = folder / "b"
            p.mkdir()
        else:
            p = folder / "absent.geojson"
        return p

    return BoundaryCase("b", None, None, {}, writer=writer, kind=f"path/{what}")


def boundary_case(rng: random.Random) -> BoundaryCase:
    return rng.choices([geojson_case, binary_format_case, odd_path_case], weights=[16, 3, 1])[0](rng)


def write_case(case: BoundaryCase, folder: Path) -> Path:
    if case.writer is not None:
        return case.writer(folder)
    path = folder / case.name
    path.write_bytes(case.payload or b"")
    return path


def check_boundaries(case: BoundaryCase, folder: Path) -> Outcome:
    """Read one generated boundary file and check what came back."""
    from egovkit.geo import area_km2, projected_crs, read_boundaries

    path = write_case(case, folder)
    report = ValidationReport(source=path.name)
    kind, value = _run(lambda: read_boundaries(path, report=report, **case.kwargs), path.name)
    if kind == "crash":
        return Outcome("crash", detail=_crash_signature(value))
    if kind == "error":
        return Outcome("error", error_without_file=path.name not in str(value))
    gdf = value
    dropped = {r for r, fate in report.row_fate.items() if fate == "dropped"}
    lost = 0
    if case.n_features is not None:
        lost = max(0, case.n_features - len(gdf) - len(dropped))
    kept_rows = {r for r, fate in report.row_fate.items() if fate != "dropped"}
    no_fate = max(0, len(gdf) - len(kept_rows))   # output features without their input number's fate
    blank = np.flatnonzero(shapely.is_missing(gdf.geometry.to_numpy()) | shapely.is_empty(gdf.geometry.to_numpy()))
    named = {i.row for i in report.issues}
    unreported = sum(1 for i in blank if int(gdf.index[i]) + 1 not in named and i + 1 not in named)
    # the next steps on what the reader returned must not crash either
    k2, v2 = _run(lambda: (projected_crs(gdf), area_km2(gdf)), path.name)
    if k2 == "crash":
        return Outcome("crash", lost=lost, unreported=unreported, no_fate=no_fate,
                       detail="after reading: " + _crash_signature(v2))
    return Outcome("result", lost=lost, unreported=unreported, no_fate=no_fate)


# -- questionnaire ---------------------------------------------------------------------------------

@dataclass
class TableCase:
    """A questionnaire or register file: a writer, and the data rows with content it holds."""

    name: str
    writer: Callable[[Path], Path]
    n_rows: int | None               # data rows with some content (None: not a table of this kind)
    kind: str = ""


def _file_fault(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, str, str]:
    """(bytes, suffix, fault) after a random file-level fault."""
    fault = rng.choices(["none", "empty", "binary", "truncate", "renamed", "text_suffix", "corrupt"],
                        weights=[20, 1, 1, 2, 2, 1, 1])[0]
    if fault == "empty":
        return b"", suffix, fault
    if fault == "binary":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 500))), suffix, fault
    if fault == "truncate" and len(data) > 2:
        return data[:rng.randrange(1, len(data) - 1)], suffix, fault
    if fault == "renamed":
        return data, {".csv": ".xlsx", ".xlsx": ".csv"}.get(suffix, ".csv"), fault
    if fault == "text_suffix":
        return data, rng.choice([".txt", ".xls", ".ods", ".xlsm", ".tsv", ""]), fault
    if fault == "corrupt" and len(data) > 10:
        b = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b), suffix, fault
    return data, suffix, "none"


def _rows_with_content(df: pd.DataFrame) -> int:
    def blank(v: Any) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""

    return int(sum(not all(blank(v) for v in row) for row in df.itertuples(index=False)))


def _write_frame(rng: random.Random, df: pd.DataFrame, extra_sheets: dict[str, pd.DataFrame] | None = None,
                 first_sheet: str = "answers") -> tuple[bytes, str]:
    fmt = rng.choice([".csv", ".xlsx"])
    if fmt == ".csv":
        sep = rng.choice([",", ";", "\t"])
        enc = rng.choice(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"])
        text = df.to_csv(index=False, sep=sep)
        return text.encode(enc, errors="replace"), fmt
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        if rng.random() < 0.1:
            pd.DataFrame().to_excel(xw, sheet_name="cover", index=False)
        df.to_excel(xw, sheet_name=first_sheet, index=False)
        for name, other in (extra_sheets or {}).items():
            other.to_excel(xw, sheet_name=name, index=False)
    return buf.getvalue(), fmt


@functools.lru_cache(maxsize=1)
def _questionnaire():
    from egovkit.diagnosis.questionnaire import load_questionnaire

    return load_questionnaire()


@functools.lru_cache(maxsize=1)
def _template() -> pd.DataFrame:
    from egovkit.diagnosis.template import template_frame

    return template_frame(_questionnaire())


@functools.lru_cache(maxsize=1)
def _allowed() -> dict[str, list[str]]:
    q = _questionnaire()
    return {qid: q.allowed_answers(qid) for qid in q.questions["question_id"]}


def questionnaire_case(rng: random.Random) -> TableCase:  # noqa: C901 (one random case generator in one place; split in issue 11 part 3)
    """A filled-in assessment template with random answers, column, row and file faults."""
    from egovkit.diagnosis.template import COLUMN_LABELS_FR

    df = _template().copy()
    df["territory"] = rng.choice(["Town", "Évreux", ""]) if rng.random() < 0.2 else "Town"
    df["assessment_date"] = rng.choice(["2024-03-01", "2025-12-31"])
    df["assessed_by"] = rng.choice(["A", "B", ""])
    answers = []
    for qid in df["question_id"]:
        allowed = _allowed()[qid]
        answers.append(rng.choices(
            [rng.choice(allowed), "", rng.choice(allowed).upper().replace("_", " "), "N/A",
             " " + rng.choice(allowed) + " "], weights=[20, 8, 2, 1, 1])[0])
    df["answer"] = answers
    df = df.astype(object)
    faults = rng.sample(["bad_answer", "drop_col", "rename_col", "fr", "bad_date", "slash_date", "serial_date",
                         "blank_territory",
                         "unknown_q", "dup_q", "answer_no_id", "blank_rows", "version", "two_assessors",
                         "shuffle", "title_row", "number_answers", "nan_cells", "lower_ids", "evidence_date",
                         "none", "none", "none", "none"], k=rng.choice([0, 0, 1, 1, 2, 3]))
    if "bad_answer" in faults:
        df.loc[rng.randrange(len(df)), "answer"] = rng.choice(["maybe", "3", "Yes!", "=1+1", "very high", 0.5])
    if "drop_col" in faults:
        df = df.drop(columns=[rng.choice(list(df.columns))])
    if "rename_col" in faults:
        c = rng.choice(list(df.columns))
        df = df.rename(columns={c: c.upper() + " "})
    if "fr" in faults:
        df = df.rename(columns=COLUMN_LABELS_FR)
    date_col = "assessment_date" if "assessment_date" in df else COLUMN_LABELS_FR["assessment_date"]
    terr_col = "territory" if "territory" in df else COLUMN_LABELS_FR["territory"]
    qcol = "question_id" if "question_id" in df else COLUMN_LABELS_FR["question_id"]
    acol = "answer" if "answer" in df else COLUMN_LABELS_FR["answer"]
    if date_col in df:
        if "bad_date" in faults:
            df.loc[rng.randrange(len(df)), date_col] = rng.choice(["soon", "2024-13-45", "2024", "0"])
        if "slash_date" in faults:
            df[date_col] = "01/03/2024"
        if "serial_date" in faults:
            df[date_col] = 45352
    if "blank_territory" in faults and terr_col in df:
        df.loc[rng.randrange(len(df)), terr_col] = ""
    if qcol in df:
        if "unknown_q" in faults:
            df.loc[rng.randrange(len(df)), qcol] = rng.choice(["ZZ9", "EQ99", "?", "1"])
        if "dup_q" in faults:
            df = pd.concat([df, df.iloc[[rng.randrange(len(df))]]], ignore_index=True)
        if "lower_ids" in faults:
            df[qcol] = df[qcol].str.lower()
        if "answer_no_id" in faults and acol in df:
            df.loc[rng.randrange(len(df)), qcol] = ""
    if "blank_rows" in faults:
        blank = pd.DataFrame([[""] * len(df.columns)] * rng.randint(1, 4), columns=df.columns)
        at = rng.randrange(len(df) + 1)
        df = pd.concat([df.iloc[:at], blank, df.iloc[at:]], ignore_index=True)
    if "version" in faults and "questionnaire_version" in df:
        df["questionnaire_version"] = rng.choice(["0.9", "2", "v1.1"])
    if "two_assessors" in faults and "assessed_by" in df:
        df.loc[: len(df) // 2, "assessed_by"] = "Other"
    if "shuffle" in faults:
        df = df.sample(frac=1, random_state=rng.randrange(1000)).reset_index(drop=True)
    if "number_answers" in faults and acol in df:
        df.loc[rng.randrange(len(df)), acol] = rng.choice([1, 2.5, 0, -1])
    if "nan_cells" in faults:  # a few cells (or whole rows) left empty
        for i in range(len(df)):
            if rng.random() < 0.1:
                cols = list(df.columns) if rng.random() < 0.3 else rng.sample(list(df.columns), 2)
                df.loc[df.index[i], cols] = np.nan
    if "evidence_date" in faults and "evidence_date" in df:
        df.loc[rng.randrange(len(df)), "evidence_date"] = rng.choice(["yesterday", "2024-02-30", 44000])
    if "title_row" in faults:
        df = pd.concat([pd.DataFrame([df.columns], columns=df.columns), df], ignore_index=True)
        df.columns = ["Assessment of the town"] + [f"Unnamed: {i}" for i in range(1, len(df.columns))]
    n_rows = _rows_with_content(df)
    data, suffix = _write_frame(rng, df, first_sheet=rng.choice(["answers", "answers", "Sheet1", "réponses"]))
    data, suffix, fault = _file_fault(rng, data, suffix)

    def writer(folder: Path) -> Path:
        if rng.random() < 0.02:
            p = folder / f"assessment{suffix}"
            p.mkdir()
            return p
        p = folder / f"assessment{suffix}"
        p.write_bytes(data)
        return p

    return TableCase(f"assessment{suffix}", writer, n_rows if fault == "none" else None,
                     kind=f"questionnaire/{fault}/{'+'.join(sorted(faults))}")


def check_questionnaire(case: TableCase, folder: Path) -> Outcome:
    """Read and score a generated assessment file (what ``egovkit assess score`` does)."""
    from egovkit.diagnosis import read_assessments, score_assessment

    path = case.writer(folder)
    kind, value = _run(lambda: [score_assessment(a) for a in read_assessments(path, _questionnaire())],
                       path.name)
    if kind == "crash":
        return Outcome("crash", detail=_crash_signature(value))
    if kind == "error":
        return Outcome("error", error_without_file=path.name not in str(value))
    lost = 0
    if case.n_rows is not None:
        fates: dict[int, str] = {}
        for r in value:
            fates.update(r.assessment.report.row_fate)
        lost = max(0, case.n_rows - len(fates))
    return Outcome("result", lost=lost)


# -- stakeholder register --------------------------------------------------------------------------

def register_case(rng: random.Random) -> TableCase:
    """A stakeholder register (+ partnerships) with random cell, column, row and file faults."""
    from egovkit.diagnosis.stakeholders import load_stakeholder_types

    types = load_stakeholder_types()
    n = rng.randint(0, 10)
    rows = []
    for i in range(n):
        t = types.iloc[rng.randrange(len(types))]
        rows.append({
            "name": rng.choices([f"Org {i}", "", "Org 0", f" Org {i} "], weights=[40, 1, 1, 1])[0],
            "type": rng.choices([t["type"], t["label_en"], t["label_fr"], "bank", "", t["type"].upper()],
                                weights=[20, 6, 6, 1, 1, 2])[0],
            "resources": rng.choices(["", "financial; data", "money", "technical;human", "DATA"],
                                     weights=[20, 6, 1, 4, 2])[0],
            "influence": rng.choices(["", "high", "3", "huge", "Élevé", 2], weights=[20, 6, 4, 1, 2, 2])[0],
            "interest": rng.choices(["", "low", "1", "medium"], weights=[10, 3, 2, 2])[0],
            "lat": rng.choices(["", -1.28, "-1,28", 95, "north", "nan", 1e308], weights=[30, 15, 3, 1, 1, 1, 1])[0],
            "lon": rng.choices(["", 36.8, "36,8", 200, "east"], weights=[30, 15, 3, 1, 1])[0],
            "notes": rng.choice(["", "Évreux", "a;b", "=SUM(A1)"]),
        })
    df = pd.DataFrame(rows, columns=["name", "type", "resources", "influence", "interest", "lat", "lon", "notes"])
    faults = rng.sample(["drop_name", "rename", "blank_rows", "extra_col", "none", "partners", "bad_partners"],
                        k=rng.randint(0, 2))
    if "drop_name" in faults:
        df = df.drop(columns=[rng.choice(["name", "type"])])
    if "rename" in faults:
        df = df.rename(columns={"name": "Name ", "type": "Type"})
    if "blank_rows" in faults:
        blank = pd.DataFrame([[""] * len(df.columns)] * rng.randint(1, 3), columns=df.columns)
        at = rng.randrange(len(df) + 1)
        df = pd.concat([df.iloc[:at], blank, df.iloc[at:]], ignore_index=True)
    if "extra_col" in faults:
        df["Unnamed: 9"] = ""
    sheets = {}
    if "partners" in faults or "bad_partners" in faults:
        names = [r["name"] for r in rows] or ["Nobody"]
        part = pd.DataFrame({"source": [rng.choice(names) for _ in range(3)],
                             "target": [rng.choice(names + ["Ghost"]) for _ in range(3)],
                             "status": [rng.choice(["existing", "proposed", "", "maybe"]) for _ in range(3)]})
        if "bad_partners" in faults:
            part = part.drop(columns=[rng.choice(["source", "target"])])
        sheets["partnerships"] = part
    n_rows = _rows_with_content(df)
    data, suffix = _write_frame(rng, df, sheets, first_sheet=rng.choice(["stakeholders", "Sheet1"]))
    data, suffix, fault = _file_fault(rng, data, suffix)

    def writer(folder: Path) -> Path:
        p = folder / f"register{suffix}"
        if rng.random() < 0.02:
            p.mkdir()
            return p
        p.write_bytes(data)
        return p

    return TableCase(f"register{suffix}", writer, n_rows if fault == "none" else None,
                     kind=f"register/{fault}/{'+'.join(sorted(faults))}")


def check_register(case: TableCase, folder: Path) -> Outcome:
    from egovkit.diagnosis import read_register

    path = case.writer(folder)
    kind, value = _run(lambda: read_register(path), path.name)
    if kind == "crash":
        return Outcome("crash", detail=_crash_signature(value))
    if kind == "error":
        return Outcome("error", error_without_file=path.name not in str(value))
    lost = 0
    if case.n_rows is not None:
        dropped = sum(1 for f in value.report.row_fate.values() if f == "dropped")
        lost = max(0, case.n_rows - len(value.stakeholders) - dropped)
    return Outcome("result", lost=lost)


# -- driver ----------------------------------------------------------------------------------------

READERS: dict[str, tuple[Callable[[random.Random], Any], Callable[[Any, Path], Outcome]]] = {
    "boundaries": (boundary_case, check_boundaries),
    "questionnaire": (questionnaire_case, check_questionnaire),
    "register": (register_case, check_register),
}


def fuzz(reader: str, n: int, seed: int = 0, verbose: bool = False) -> Tally:
    """Run ``n`` generated cases through one reader; return the tally."""
    make, check = READERS[reader]
    tally = Tally()
    rng = random.Random(f"{reader}-{seed}")
    with tempfile.TemporaryDirectory(prefix=f"egovkit-fuzz-{reader}-") as tmp:
        for k in range(n):
            case_seed = rng.randrange(2**32)
            case = make(random.Random(case_seed))
            folder = Path(tmp) / str(k)
            folder.mkdir()
            try:
                out = check(case, folder)
            except Exception as exc:  # noqa: BLE001 - a crash of the writer is counted apart
                out = Outcome("crash", detail="generator: " + _crash_signature(exc))
            tally.add(out, f"{case.kind} (seed {case_seed})")
            if verbose and (out.kind == "crash" or out.lost or out.unreported):
                print(f"  case {k} seed {case_seed} {case.kind}: {out}")
            shutil.rmtree(folder, ignore_errors=True)
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="cases per reader (default 3000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=list(READERS), action="append")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore", EgovkitWarning)
    total_crashes = total_lost = 0
    for reader in args.only or list(READERS):
        t0 = time.perf_counter()
        t = fuzz(reader, args.n, args.seed, args.verbose)
        dt = time.perf_counter() - t0
        print(f"{reader:>13}: {t.cases} cases in {dt:.0f} s: {t.results} results, {t.errors} egovkit errors "
              f"({t.errors_without_file} not naming the file); crashes {t.crashes}, lost rows {t.lost}, "
              f"left without geometry unreported {t.unreported}; results without row fate {t.no_fate}")
        for sig, count in t.crash_kinds.most_common(8):
            print(f"      {count:5d} x {sig}   e.g. {t.examples[sig]}")
        total_crashes += t.crashes
        total_lost += t.lost + t.unreported
    print(f"TOTAL: crashes {total_crashes}, lost rows {total_lost}")


if __name__ == "__main__":
    main()
