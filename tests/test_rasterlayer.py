"""R RasterLayer (.rda) -> GeoTIFF without R: the Singapore sgpop.rda originals."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio

from egovkit.datasets.rasterlayer import RasterLayer, read_rasterlayer, write_geotiff
from egovkit.errors import InputError

FIRST = "7429c992bbe0e8bd1e6742893290965728e48660"
LAST = "ec7c02e035577a5398421607a943ba10c2863b61"


def _rda(mirror, commit):
    return mirror / "github/obrady/SpatialDengue" / commit / "data/sgpop.rda"


def test_last_version_converts_to_the_shared_geotiff_cell_for_cell(mirror, shared_data, tmp_path):
    layer = read_rasterlayer(_rda(mirror, LAST))
    assert layer.name == "NewBuildingsPopmap13"
    out = write_geotiff(layer, tmp_path / "sg.tif")
    ref = next((shared_data / "singapore-population-raster").glob("*.tif"))
    with rasterio.open(out) as a, rasterio.open(ref) as b:
        assert a.crs == b.crs and a.shape == b.shape
        assert np.allclose(tuple(a.transform), tuple(b.transform), rtol=0, atol=1e-12)
        va, vb = a.read(1), b.read(1)
    assert np.array_equal(va, vb, equal_nan=True)
    assert round(float(np.nansum(va.astype("float64")))) == 5_399_000
    assert int((va > 0).sum()) == 19_598


def test_first_version_is_another_grid(mirror):
    # the first commit holds the WorldPop 2015 UN-adjusted layer on another extent: not the pinned one
    layer = read_rasterlayer(_rda(mirror, FIRST))
    assert layer.name == "popmap15adj"
    assert layer.values.shape != (375, 579)


def test_r_na_becomes_a_quiet_nan(mirror):
    v = read_rasterlayer(_rda(mirror, LAST)).values
    with np.errstate(invalid="raise"):
        v.astype("float32")  # R's NA is a signalling NaN: a cast would raise if it were kept
    assert np.isnan(v).sum() == 125_624


def test_bad_files_are_clear_errors(tmp_path):
    bad = tmp_path / "x.rda"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(InputError, match="x.rda.*R data file"):
        read_rasterlayer(bad)


def test_transform_from_the_extent():
    layer = RasterLayer(np.zeros((2, 4)), xmin=10.0, xmax=14.0, ymin=0.0, ymax=2.0,
                        projargs="+proj=longlat +datum=WGS84")
    t = layer.transform
    assert (t.a, t.c, t.e, t.f) == (1.0, 10.0, -1.0, 2.0)
    assert layer.crs.to_epsg() == 4326
