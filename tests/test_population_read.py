"""read_population and population_from_raster: every row or cell accounted for, every failure an InputError."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from egovkit.coverage import population_from_raster, read_population
from egovkit.errors import InputError


def _tif(path: Path, arr: np.ndarray, *, nodata=None, crs="EPSG:32618", dtype="float32") -> Path:
    with rasterio.open(path, "w", driver="GTiff", height=arr.shape[0], width=arr.shape[1], count=1, dtype=dtype,
                       nodata=nodata, crs=crs, transform=from_origin(580000, 4510000, 100, 100)) as dst:
        dst.write(arr.astype(dtype), 1)
    return path


@pytest.fixture()
def districts():
    return gpd.GeoDataFrame({"code": ["W", "E"], "name": ["West Side", "Saint-Étienne"]},
                            geometry=[box(36.7, -1.4, 36.8, -1.2), box(36.8, -1.4, 36.9, -1.2)], crs=4326)


def test_raster_nodata_nan_and_negative_cells_counted_not_summed(tmp_path):
    arr = np.array([[10.0, -9999.0, np.nan], [-3.0, 0.0, 2.5]])
    p = population_from_raster(_tif(tmp_path / "p.tif", arr, nodata=-9999.0))
    assert p.total == 12.5 and len(p) == 2
    msg = p.report.by_code("population.raster_read")[0].message
    assert "1 nodata (value -9999)" in msg and "1 NaN" in msg and "1 negative" in msg and "total 12.5" in msg
    assert p.report.by_code("population.negative_cells")


@pytest.mark.parametrize("arr, nodata", [(np.full((2, 2), -1.0), -1.0), (np.full((2, 2), np.nan), None),
                                         (np.array([[-5.0, np.nan]]), None)])
def test_raster_without_population_is_an_input_error(tmp_path, arr, nodata):
    with pytest.raises(InputError, match=r"p\.tif.*holds no population"):
        population_from_raster(_tif(tmp_path / "p.tif", arr, nodata=nodata))


def test_raster_without_crs_garbage_truncated_and_bad_band(tmp_path):
    with pytest.raises(InputError, match="no CRS"):
        population_from_raster(_tif(tmp_path / "p.tif", np.ones((2, 2)), crs=None))
    (tmp_path / "g.tif").write_bytes(b"II*\x00" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"g\.tif.*cannot read the file as a raster"):
        read_population(tmp_path / "g.tif")
    good = _tif(tmp_path / "ok.tif", np.ones((50, 50)))
    (tmp_path / "t.tif").write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError, match=r"t\.tif"):
        read_population(tmp_path / "t.tif")
    with pytest.raises(InputError, match="band 2 does not exist"):
        population_from_raster(good, band=2)


def test_points_csv_rows_with_their_lines_and_fates(tmp_path, districts):
    text = ("name;latitude;longitude;population\n"
            '"Kibera\nsouth";-1,31;36,78;1 234,5\n'  # two lines, decimal comma, space thousands
            "no place;;;50\n"
            "Ruai;-1,28;36,85;\n"  # no population: 0
            "Eastlands;-1,29;36,88;100;\n")  # trailing separator
    (tmp_path / "p.csv").write_text(text, encoding="cp1252")
    p = read_population(tmp_path / "p.csv", districts=districts, key="code")
    assert p.total == pytest.approx(1334.5)
    assert p.report.row_fate == {2: "used", 4: "dropped", 5: "used", 6: "used"}
    assert p.report.by_code("population.missing_coordinates")[0].row == 4
    assert p.report.by_code("population.missing_population")[0].row == 5
    assert sorted(np.bincount(p.district, weights=p.weight).tolist()) == [100.0, 1234.5]


def test_counts_by_district_matched_by_name(tmp_path, districts):
    (tmp_path / "t.csv").write_text("District,Population\nWEST SIDE,1000\nSaint Etienne,3000\nAtlantis,5\n"
                                    "West side,7\n", encoding="utf-8")
    p = read_population(tmp_path / "t.csv", districts=districts, key="name")
    assert p.total == pytest.approx(4000.0)
    assert p.report.row_fate == {2: "used", 3: "used", 4: "dropped", 5: "dropped"}
    assert np.bincount(p.district, weights=p.weight).round(6).tolist() == [1000.0, 3000.0]
    with pytest.raises(InputError, match="no coordinate columns"):
        read_population(tmp_path / "t.csv")


@pytest.mark.parametrize("name, data, message", [
    ("p.csv", b"", "empty"), ("p.csv", b"population,latitude,longitude\n", "no rows"),
    ("p.csv", bytes(range(256)) * 3, "binary"), ("p.csv", b"name,lat,lon\na,1,2\n", "no population column"),
    ("p.csv", b"pop,lat,lon\n-5,1,2\n", "negative"), ("p.geojson", b"{not json", "cannot read"),
    ("p.csv", b"PK\x03\x04" + bytes(50), "ZIP archive")])
def test_hopeless_population_files(tmp_path, districts, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError, match=message) as err:
        read_population(tmp_path / name, districts=districts)
    assert name in str(err.value)


def test_polygon_layer_with_counts_is_spread_and_assigned(tmp_path, districts):
    d = districts.assign(pop=[10.0, 30.0])
    d.to_file(tmp_path / "d.geojson")
    p = read_population(tmp_path / "d.geojson", districts=districts, key="code")
    assert p.total == pytest.approx(40.0) and set(p.report.row_fate) == {1, 2}
