"""Property and regression tests of the boundary reader on broken files: no crash other than an
egovkit error naming the file, and every input feature accounted for.

The generated files come from ``benchmarks/fuzz_boundaries.py`` (its long run prints the counts
over thousands of files); here a bounded number of examples runs in ``make test``.
"""

from __future__ import annotations

import json
import random
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from egovkit.errors import EgovkitWarning, InputError
from egovkit.geo import read_boundaries, repair_geometries
from egovkit.validate import ValidationReport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fuzz_boundaries import boundary_case, check_boundaries  # noqa: E402  (the benchmark's generators)

SQUARE = [[36.8, -1.3], [36.9, -1.3], [36.9, -1.2], [36.8, -1.2], [36.8, -1.3]]


def _read(path: Path, **kw):
    report = kw.pop("report", None) or ValidationReport(source=path.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_boundaries(path, report=report, **kw), report


def _feature(geometry, name: str = "A") -> dict:
    return {"type": "Feature", "properties": {"name": name}, "geometry": geometry}


def _write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


# -- generated files ---------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_generated_boundary_files_never_crash_nor_lose_features(tmp_path_factory, rng):
    case = boundary_case(rng)
    folder = tmp_path_factory.mktemp("b")
    out = check_boundaries(case, folder)
    assert out.kind != "crash", f"{case.kind}: {out.detail}"
    assert not out.error_without_file, case.kind
    assert out.lost == 0 and out.unreported == 0 and out.no_fate == 0, (case.kind, out)


@st.composite
def messy_geometries(draw):
    """Polygons from random points (often self-intersecting), degenerate rings, collections."""
    kind = draw(st.sampled_from(["polygon", "collinear", "collection", "nested", "multi", "hole"]))
    xy = draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=3, max_size=9))
    ring = [*xy, xy[0]]
    poly = shapely.Polygon(ring)
    if kind == "polygon":
        return poly
    if kind == "collinear":
        return shapely.Polygon([(x, 0) for x, _ in ring[:-1]] + [(ring[0][0], 0)])
    if kind == "multi":
        return shapely.MultiPolygon([poly, box(30, 30, 31, 31)])
    if kind == "hole":
        return shapely.Polygon(box(0, 0, 20, 20).exterior.coords, [ring])
    inner = shapely.GeometryCollection([shapely.LineString(ring[:2]), shapely.MultiPolygon([box(40, 0, 41, 1)]),
                                        poly])
    if kind == "nested":
        return shapely.GeometryCollection([shapely.Point(0, 0), inner, box(50, 0, 51, 1)])
    return inner


@settings(max_examples=200, deadline=None)
@given(st.lists(messy_geometries(), min_size=1, max_size=8))
def test_repair_keeps_every_feature_valid_polygonal_and_says_what_changed(geoms):
    g = gpd.GeoDataFrame({"id": [f"f{i}" for i in range(len(geoms))]}, geometry=geoms, crs=3857)
    report = ValidationReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        out = repair_geometries(g, key="id", report=report)
    assert len(out) == len(g) and list(out["id"]) == list(g["id"])
    arr = out.geometry.to_numpy()
    assert shapely.is_valid(arr).all()
    types = set(shapely.get_type_id(arr[~shapely.is_empty(arr)]).tolist())
    assert types <= {3, 6}  # Polygon, MultiPolygon
    named = {i.row for i in report.issues}
    for i, (before, after) in enumerate(zip(g.geometry, arr)):
        if not before.equals(after) or after.is_empty:
            assert i + 1 in named, f"feature {i + 1} changed without a word in the report"
        # the polygonal area is never lost by the repair (make_valid keeps the covered area)
        if before.is_valid and before.geom_type in ("Polygon", "MultiPolygon"):
            assert after.area == pytest.approx(before.area)


# -- one test per class of broken file ---------------------------------------------------------------

@pytest.mark.parametrize("payload, match", [
    (b"", "empty"),
    (b"   \n", "blank space"),
    (b"\x00\x01\x02binary\xff" * 20, "binary"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feat', "cut off|ends too early"),
    (b"<html><body>404</body></html>", "not valid JSON"),
    (b"[1, 2, 3]", "not GeoJSON"),
    (b'{"type": "FeatureCollection", "features": {}}', "features"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"n": "\u00c9vreux"}, '
     '"geometry": null}]}'.encode("latin-1"), "UTF-8"),
])
def test_unreadable_geojson_names_the_file_and_the_fix(tmp_path, payload, match):
    path = tmp_path / "districts.geojson"
    path.write_bytes(payload)
    with pytest.raises(InputError, match=match) as e:
        _read(path)
    assert "districts.geojson" in str(e.value) and "Fix:" in str(e.value)


def test_bom_and_single_feature_files_are_read(tmp_path):
    path = tmp_path / "bom.geojson"
    text = json.dumps({"type": "FeatureCollection", "features": [_feature({"type": "Polygon",
                                                                          "coordinates": [SQUARE]})]})
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    gdf, report = _read(path)
    assert len(gdf) == 1 and report.row_fate == {1: "used"}


def test_folder_missing_and_wrong_suffix(tmp_path):
    (tmp_path / "d.geojson").mkdir()
    with pytest.raises(InputError, match="folder"):
        _read(tmp_path / "d.geojson")
    named_shp = _write(tmp_path / "d.shp", [_feature({"type": "Polygon", "coordinates": [SQUARE]})])
    gdf, _ = _read(named_shp)  # GDAL recognises GeoJSON whatever its suffix
    assert len(gdf) == 1
    cut = tmp_path / "d.gpkg"
    cut.write_bytes(named_shp.read_bytes()[:40])
    with pytest.raises(InputError, match="JSON text, not a GeoPackage.*cut off|JSON text, not a GeoPackage"):
        _read(cut)
    with pytest.raises(InputError, match="unsupported boundary file type '.txt'"):
        _read(named_shp.rename(tmp_path / "d.txt"))


def test_unclosed_and_short_rings_are_fixed_or_kept_empty_and_reported(tmp_path):
    feats = [_feature({"type": "Polygon", "coordinates": [SQUARE[:-1]]}, "open"),          # not closed
             _feature({"type": "Polygon", "coordinates": [[SQUARE[0]]]}, "one point"),     # cannot be a ring
             _feature({"type": "Polygon", "coordinates": [SQUARE]}, "fine")]
    gdf, report = _read(_write(tmp_path / "rings.geojson", feats), key="name")
    assert list(gdf["name"]) == ["open", "one point", "fine"]
    assert gdf.geometry.iloc[0].area == pytest.approx(0.01)
    assert gdf.geometry.iloc[1] is None or gdf.geometry.iloc[1].is_empty
    rows = {i.row: i.code for i in report.issues}
    assert rows[1] == "geo.geometry_refused_fixed" and rows[2] == "geo.unreadable_geometry" and 3 not in rows
    assert report.row_fate == {1: "used", 2: "used", 3: "used"}


def test_collapsed_polygon_is_kept_without_area_and_reported(tmp_path):
    line_like = [[0, 0], [1, 0], [2, 0], [0, 0]]
    gdf, report = _read(_write(tmp_path / "flat.geojson", [_feature({"type": "Polygon", "coordinates": [line_like]}),
                                                           _feature({"type": "Polygon", "coordinates": [SQUARE]})]))
    assert gdf.geometry.iloc[0].is_empty and not gdf.geometry.iloc[1].is_empty
    assert [i.row for i in report.by_code("geo.degenerate_geometry")] == [1]


def test_nested_collections_keep_their_polygons(tmp_path):
    # shapely.multipolygons once crashed on these (parts of one feature not consecutive)
    nested = {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [0, 0]},
        {"type": "GeometryCollection", "geometries": [
            {"type": "MultiPolygon", "coordinates": [[[[2, 0], [3, 0], [3, 1], [2, 0]]]]},
            {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            {"type": "Polygon", "coordinates": [[[5, 0], [6, 0], [6, 1], [5, 0]]]}]}]}
    feats = [_feature({"type": "Polygon", "coordinates": [SQUARE]}), _feature(nested, "B")]
    gdf, report = _read(_write(tmp_path / "nested.geojson", feats))
    assert gdf.geometry.iloc[1].geom_type == "MultiPolygon"
    assert gdf.geometry.iloc[1].area == pytest.approx(1.0)
    assert [i.row for i in report.by_code("geo.geometry_reduced")] == [2]


def test_points_among_polygons_are_an_error_naming_the_feature(tmp_path):
    feats = [_feature({"type": "Polygon", "coordinates": [SQUARE]}), _feature({"type": "Point",
                                                                                "coordinates": [36, -1]}, "P")]
    with pytest.raises(InputError, match=r"feature 2 \(P\)"):
        _read(_write(tmp_path / "mixed.geojson", feats), key="name")


def test_nan_coordinates_are_an_error_naming_the_feature(tmp_path):
    path = tmp_path / "nan.geojson"
    ring = json.dumps(SQUARE).replace("36.9, -1.3", "NaN, -1.3")
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "K"}, '
                    f'"geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}]}}')
    with pytest.raises(InputError, match=r"feature 1 \(K\).*|NaN") as e:
        _read(path, key="name")
    assert "nan.geojson" in str(e.value)


def test_swapped_and_projected_coordinates_say_so(tmp_path):
    swapped = [[y, x] for x, y in [[120.1, 10.0], [120.2, 10.0], [120.2, 10.1], [120.1, 10.0]]]
    with pytest.raises(InputError, match="swapped"):
        _read(_write(tmp_path / "swap.geojson", [_feature({"type": "Polygon", "coordinates": [swapped]})]))
    metres = [[500000, 9800000], [501000, 9800000], [501000, 9801000], [500000, 9800000]]
    path = _write(tmp_path / "utm.geojson", [_feature({"type": "Polygon", "coordinates": [metres]})])
    with pytest.raises(InputError, match="not degrees"):
        _read(path)
    gdf, _ = _read(path, crs="EPSG:32737")
    assert gdf.crs.to_epsg() == 32737


@pytest.mark.parametrize("crs", ["not a crs", 999999, ""])
def test_bad_crs_argument_is_an_input_error(tmp_path, crs):
    path = _write(tmp_path / "ok.geojson", [_feature({"type": "Polygon", "coordinates": [SQUARE]})])
    with pytest.raises(InputError, match="not a coordinate reference system"):
        _read(path, crs=crs)


@pytest.mark.parametrize("drop", [".shp", ".dbf", ".shx"])
def test_zipped_shapefile_missing_a_member(tmp_path, drop):
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(36.8, -1.3, 36.9, -1.2)], crs=4326).to_file(tmp_path / "b.shp")
    zpath = tmp_path / "b.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in tmp_path.glob("b.*"):
            if p.suffix not in (drop, ".zip"):
                zf.write(p, p.name)
    with pytest.raises(InputError, match=r"no \.shp|without its") as e:
        _read(zpath)
    assert "b.zip" in str(e.value)


def test_truncated_geopackage_and_zip(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(36.8, -1.3, 36.9, -1.2)], crs=4326)
    gdf.to_file(tmp_path / "full.gpkg")
    data = (tmp_path / "full.gpkg").read_bytes()
    rng = np.random.default_rng(0)
    for cut in rng.integers(1, len(data) - 1, 5):
        (tmp_path / "cut.gpkg").write_bytes(data[:cut])
        with pytest.raises(InputError, match="cut.gpkg"):
            _read(tmp_path / "cut.gpkg")
    (tmp_path / "cut.zip").write_bytes(b"PK\x03\x04" + bytes(random.Random(1).randrange(256) for _ in range(50)))
    with pytest.raises(InputError, match="zip"):
        _read(tmp_path / "cut.zip")
