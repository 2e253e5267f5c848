"""Tests for egovkit.geo: reading every format, repairs, automatic CRS, areas."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, Polygon, box

from egovkit.errors import EgovkitWarning, InputError
from egovkit.geo import (
    area_km2,
    equal_area_crs,
    projected_crs,
    read_boundaries,
    repair_geometries,
    scale_error,
    to_projected,
)
from egovkit.read import read_table
from egovkit.validate import ValidationReport

BOW_TIE = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])


def _squares(crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["01", "02", "03"], "name": ["Alpha", "Béta", "Gamma City"]},
        geometry=[box(36.0, -1.0, 36.5, -0.5), box(36.5, -1.0, 37.0, -0.5), box(36.0, -0.5, 37.0, 0.0)],
        crs=crs,
    )


def _write_shp_zip(gdf: gpd.GeoDataFrame, folder, stem: str = "districts", subdir: str = "") -> str:
    shp_dir = folder / f"shp_{stem}"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / f"{stem}.shp", engine="pyogrio")
    zpath = folder / f"{stem}.zip"
    with zipfile.ZipFile(zpath, "a") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, arcname=f"{subdir}{f.name}")
    return zpath


# -- formats ------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix,driver", [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".fgb", "FlatGeobuf"),
                                           (".shp", "ESRI Shapefile")])
@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:32737"])
def test_round_trip_keeps_crs_and_rows(tmp_path, suffix, driver, crs):
    src = _squares()
    if crs != "EPSG:4326":
        src = src.to_crs(crs)
    path = tmp_path / f"d{suffix}"
    src.to_file(path, driver=driver, engine="pyogrio")
    back = read_boundaries(path, key="code")
    assert back.crs.equals(pyproj.CRS(crs))
    # FlatGeobuf's spatial index may reorder the features: compare by code
    back = back.set_index("code").loc[["01", "02", "03"]]
    assert back["name"].tolist() == ["Alpha", "Béta", "Gamma City"]
    # same geometry, coordinate for coordinate (up to file precision)
    # (shapefiles store rings clockwise: compare normalised geometries)
    assert all(shapely.normalize(b).equals_exact(shapely.normalize(a), 1e-6)
               for a, b in zip(src.geometry, back.geometry))


@pytest.mark.parametrize("subdir", ["", "inner/folder/"])
def test_zipped_shapefile(tmp_path, subdir):
    src = _squares().to_crs(32737)
    zpath = _write_shp_zip(src, tmp_path, subdir=subdir)
    back = read_boundaries(zpath)
    assert back.crs.to_epsg() == 32737
    assert len(back) == 3 and back["name"].tolist() == src["name"].tolist()


def test_zip_with_two_shapefiles_needs_layer(tmp_path):
    src = _squares()
    zpath = _write_shp_zip(src, tmp_path, stem="a")
    shp_b = tmp_path / "shp_b"
    shp_b.mkdir()
    src.iloc[:2].to_file(shp_b / "b.shp", engine="pyogrio")
    with zipfile.ZipFile(zpath, "a") as zf:
        for f in shp_b.iterdir():
            zf.write(f, arcname=f.name)
    with pytest.raises(InputError, match="layer="):
        read_boundaries(zpath)
    assert len(read_boundaries(zpath, layer="b")) == 2
    assert len(read_boundaries(zpath, layer="a")) == 3


def test_gpkg_layer_choice(tmp_path):
    path = tmp_path / "multi.gpkg"
    _squares().to_file(path, layer="districts", engine="pyogrio")
    _squares().iloc[:1].to_file(path, layer="regions", engine="pyogrio")
    with pytest.raises(InputError) as e:
        read_boundaries(path)
    assert "districts" in str(e.value) and "regions" in str(e.value) and "layer=" in str(e.value)
    assert len(read_boundaries(path, layer="regions")) == 1
    with pytest.raises(InputError, match="no layer 'nope'"):
        read_boundaries(path, layer="nope")
    # a point layer next to one polygon layer: the polygon layer is chosen
    path2 = tmp_path / "mixed.gpkg"
    _squares().to_file(path2, layer="districts", engine="pyogrio")
    gpd.GeoDataFrame(geometry=[Point(36.2, -0.7)], crs=4326).to_file(path2, layer="hotspots", engine="pyogrio")
    assert len(read_boundaries(path2)) == 3


def test_missing_crs_error_says_how_to_set_it(tmp_path):
    path = tmp_path / "noprj.shp"
    _squares().to_file(path, engine="pyogrio")
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(InputError) as e:
        read_boundaries(path)
    msg = str(e.value)
    assert "noprj.shp" in msg and "crs=" in msg and "EPSG:4326" in msg
    back = read_boundaries(path, crs="EPSG:4326")
    assert back.crs.to_epsg() == 4326


def test_wrong_geographic_crs_detected(tmp_path):
    path = tmp_path / "metres.gpkg"
    _squares().to_crs(32737).set_crs(4326, allow_override=True).to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match="not degrees"):
        read_boundaries(path)
    report = ValidationReport()
    with pytest.warns(EgovkitWarning, match="crs="):
        back = read_boundaries(path, crs=32737, report=report)
    assert back.crs.to_epsg() == 32737 and report.by_code("geo.crs_overridden")


def test_missing_file_and_bad_id_column(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_boundaries(tmp_path / "nope.geojson")
    path = tmp_path / "d.geojson"
    g = _squares()
    g.loc[2, "code"] = "01"
    g.to_file(path, engine="pyogrio")
    with pytest.raises(InputError, match="no column 'kode'"):
        read_boundaries(path, key="kode")
    with pytest.raises(InputError) as e:
        read_boundaries(path, key="code")
    assert "'01'" in str(e.value) and "[1, 3]" in str(e.value)


# -- repairs ------------------------------------------------------------------------------

def test_bow_tie_repaired_and_reported(tmp_path):
    g = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(2, 0, 3, 1), BOW_TIE], crs=3857)
    path = tmp_path / "bowtie.gpkg"
    g.to_file(path, engine="pyogrio")
    report = ValidationReport(source="bowtie.gpkg")
    with pytest.warns(EgovkitWarning, match="feature 2 \\(B\\).*Self-intersection"):
        back = read_boundaries(path, key="code", report=report)
    assert back.geometry.is_valid.all()
    fixed = back.geometry.iloc[1]
    assert fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2
    # the two triangles of the bow tie: area 0.25 each (not 0, which the invalid ring gives)
    assert fixed.area == pytest.approx(0.5)
    assert BOW_TIE.area == pytest.approx(0.0)
    issues = report.by_code("geo.geometry_repaired")
    assert len(issues) == 1 and issues[0].row == 2 and issues[0].area == "B" and issues[0].action == "repaired"
    assert back.geometry.iloc[0].equals(box(2, 0, 3, 1))  # valid geometry untouched


def test_collections_keep_polygons_points_are_errors():
    coll = shapely.GeometryCollection([box(0, 0, 1, 1), Point(5, 5), shapely.MultiPolygon([box(2, 0, 3, 1)])])
    g = gpd.GeoDataFrame({"id": [1]}, geometry=[coll], crs=3857)
    with pytest.warns(EgovkitWarning):
        out = repair_geometries(g)
    assert out.geometry.iloc[0].geom_type == "MultiPolygon"
    assert out.geometry.iloc[0].area == pytest.approx(2.0)
    pts = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[box(0, 0, 1, 1), Point(0, 0)], crs=3857)
    with pytest.raises(InputError, match="feature 2"):
        repair_geometries(pts)


def test_empty_and_null_geometries_kept_and_reported():
    g = gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=[box(0, 0, 1, 1), None, Polygon()], crs=3857)
    report = ValidationReport()
    with pytest.warns(EgovkitWarning, match="feature 2"):
        out = repair_geometries(g, key="id", report=report)
    assert len(out) == 3
    kept = report.by_code("geo.null_geometry") + report.by_code("geo.empty_geometry")
    assert sorted(i.area for i in kept) == ["b", "c"]
    assert all(i.action == "kept" for i in kept)


# -- CRS and areas -------------------------------------------------------------------------

def _geodesic_km2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    geod = Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in gdf.to_crs(4326).geometry])


def test_crs_choice_synthetic():
    small = gpd.GeoDataFrame(geometry=[box(-74.1, 40.6, -73.8, 40.9)], crs=4326)
    assert projected_crs(small).to_epsg() == 32618
    south = gpd.GeoDataFrame(geometry=[box(150.0, -34.0, 151.5, -33.0)], crs=4326)
    assert projected_crs(south).to_epsg() == 32756
    wide = gpd.GeoDataFrame(geometry=[box(-10, 40, 10, 50)], crs=4326)
    crs = projected_crs(wide)
    assert crs.is_projected and "Lambert Azimuthal Equal Area" in crs.to_wkt()
    assert crs.name == equal_area_crs(wide).name
    utm = small.to_crs(32618)
    assert projected_crs(utm).equals(utm.crs)  # metric and local: kept
    assert to_projected(utm) is utm
    # projected but not metres on the ground: replaced, so that 100 m is 100 m
    assert projected_crs(small.to_crs(2263)).to_epsg() == 32618  # NY State Plane, US feet
    assert projected_crs(small.to_crs(3857)).to_epsg() == 32618  # Web Mercator, scale 1.32 at 40.7 N
    assert projected_crs(small.to_crs("ESRI:54009")).to_epsg() == 32618  # Mollweide, shears at 74 W
    merc = wide.to_crs(3857)
    assert projected_crs(merc).name == equal_area_crs(wide).name
    assert to_projected(merc) is not merc


def test_national_projection_of_a_wide_territory_is_kept():
    """CONUS in Albers (EPSG:5070) has a few % scale error, no worse than a LAEA of ours: kept."""
    conus = gpd.GeoDataFrame(geometry=[box(-124, 25, -67, 49)], crs=4326).to_crs(5070)
    assert projected_crs(conus).to_epsg() == 5070
    assert scale_error(pyproj.CRS(32618), gpd.GeoDataFrame(geometry=[box(-75.5, 40, -74.5, 41)], crs=4326)) < 0.001
    with pytest.raises(InputError, match="no CRS"):
        projected_crs(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]))


def test_area_matches_geodesic_anywhere():
    boxes = [box(0, 0, 1, 1), box(20, 60, 22, 61), box(-70, -50, -50, -30)]
    # densified, so that straight edges in degrees, in LAEA and geodesics describe the same polygon
    g = gpd.GeoDataFrame(geometry=shapely.segmentize(boxes, 0.05), crs=4326)
    assert np.allclose(area_km2(g).to_numpy(), _geodesic_km2(g), rtol=2e-4)
    # in Web Mercator the planar area is badly wrong, area_km2 is not
    merc = g.to_crs(3857)
    assert np.allclose(area_km2(merc).to_numpy(), _geodesic_km2(g), rtol=2e-4)
    assert (merc.area.to_numpy() / 1e6 / _geodesic_km2(g))[1] > 3


@pytest.fixture(scope="module")
def kenya(shared_data):
    return read_boundaries(shared_data / "kenya-counties-geometry" / "kenya_counties_osm.geojson",
                           key="census_county_code")


def test_kenya_read_and_crs(kenya):
    assert len(kenya) == 47 and kenya.crs.to_epsg() == 4326
    assert kenya.geometry.is_valid.all()
    assert projected_crs(kenya).to_epsg() in (32736, 32737)


def test_kenya_areas_vs_epsg21037(kenya):
    ref = kenya["area_km2_epsg21037"].to_numpy()
    utm = to_projected(kenya).area.to_numpy() / 1e6
    assert np.all(np.abs(utm / ref - 1) < 0.01)
    true = area_km2(kenya).to_numpy()
    assert np.all(np.abs(true / ref - 1) < 0.01)
    assert true.sum() == pytest.approx(584_565, rel=0.01)  # total OSM area in SOURCE.md
    assert np.allclose(true, _geodesic_km2(kenya), rtol=2e-4)


def test_nyc_is_utm_18n(shared_data):
    nyc = read_boundaries(shared_data / "nyc-nta-tract-population" / "nyc_boroughs_simplified.geojson")
    assert projected_crs(nyc).to_epsg() == 32618


def test_us_contiguous_is_equal_area(shared_data):
    us = read_boundaries(shared_data / "us-county-acs-s2801" / "us_counties_2010_plotly.geojson")
    conus = us[~us["STATE"].isin(["02", "15", "72"])]
    crs = projected_crs(conus)
    assert crs.is_projected and "Lambert Azimuthal Equal Area" in crs.to_wkt()
    # CENSUSAREA is land area in square miles, so polygon area (land + water) is at least that
    sample = conus.iloc[::60]
    ratio = area_km2(sample).to_numpy() / (sample["CENSUSAREA"].to_numpy() * 2.589988)
    assert np.median(ratio) == pytest.approx(1.0, abs=0.05)
    assert np.allclose(area_km2(sample).to_numpy(), _geodesic_km2(sample), rtol=2e-4)


def test_nyc_nta_invalid_feature_repaired(shared_data):
    # SOURCE.md: one feature of this file is invalid (make_valid before overlay)
    path = shared_data / "nyc-nta-tract-population" / "nyc_nta2010_alt_ubernyc.geojson"
    raw = gpd.read_file(path)
    report = ValidationReport()
    with pytest.warns(EgovkitWarning, match="QN49"):
        g = read_boundaries(path, key="ntacode", report=report)
    assert len(g) == 195 and g.geometry.is_valid.all()
    issues = report.by_code("geo.geometry_repaired")
    assert [i.area for i in issues] == raw.loc[~raw.is_valid, "ntacode"].tolist()
    assert issues[0].source == path.name
    # the repair keeps the area: shape_area is in square feet (EPSG:2263)
    fixed = g[g["ntacode"] == "QN49"]
    assert float(area_km2(fixed).iloc[0]) == pytest.approx(fixed["shape_area"].iloc[0] * 0.3048 ** 2 / 1e6, rel=0.01)


def test_antimeridian_extent_is_centred_across_it():
    # two Fijian islands on both sides of 180 degrees: 4 degrees wide, not 360
    fiji = gpd.GeoDataFrame(geometry=[box(177.0, -18.5, 179.9, -16.0), box(-179.9, -17.0, -179.0, -16.5)], crs=4326)
    assert projected_crs(fiji).to_epsg() == 32760  # UTM 60S (174-180 E)
    laea = equal_area_crs(fiji)
    params = {p.name: p.value for p in laea.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(179.0, abs=0.1)  # middle of 177E..179W
    assert params["Latitude of natural origin"] == pytest.approx(-17.25, abs=0.1)
    assert np.allclose(area_km2(fiji).to_numpy(), _geodesic_km2(gpd.GeoDataFrame(
        geometry=shapely.segmentize(fiji.geometry.to_numpy(), 0.05), crs=4326)), rtol=2e-4)


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(source, **kw)


def test_empty_boundaries_and_geojson_table_say_what_is_wrong(tmp_path: Path) -> None:
    """Bugs: an empty FeatureCollection gave 'no column pair of the table ... and the boundaries
    [] has any district in common'; a GeoJSON given as the table gave 'the table has a header but
    no data rows'."""
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match="no features") as exc:
        read_boundaries(empty)
    assert "empty.geojson" in str(exc.value)
    with pytest.raises(InputError, match="boundaries, not a census table") as exc:
        _read(empty)
    assert "empty.geojson" in str(exc.value)
