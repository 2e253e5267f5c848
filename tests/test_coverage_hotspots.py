"""read_hotspots: every row kept, every oddity reported."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from egovkit.coverage import read_hotspots, unique_sites
from egovkit.errors import InputError

CSV = (
    "id,Type,Latitude,Longitude,Activated\n"
    "1,Free,40.7100,-73.9800,03/15/2017\n"       # line 2: fine
    "2,Free,40.7100,-73.9800,09/09/9999\n"       # line 3: duplicate of line 2, placeholder date
    "3,Limited,0,0,01/02/2018\n"                  # line 4: (0, 0)
    "4,Free,-73.9500,40.7200,\n"                  # line 5: swapped, |lat| <= 90 -> caught by districts
    "5,Free,140.7300,40.7300,05/05/2019\n"        # line 6: |lat| > 90 -> invalid? no: lon 40.73 valid lat -> swap
    "6,Free,41.5000,-74.5000,05/06/2019\n"        # line 7: outside the districts
    "7,Free,,-73.9,05/07/2019\n"                  # line 8: missing latitude
)


@pytest.fixture()
def districts():
    return gpd.GeoDataFrame({"code": ["W", "E"]},
                            geometry=[box(-74.00, 40.70, -73.96, 40.74), box(-73.96, 40.70, -73.90, 40.74)],
                            crs=4326)


def test_csv_with_bom_all_oddities_reported(tmp_path, districts):
    p = tmp_path / "hot.csv"
    p.write_bytes(b"\xef\xbb\xbf" + CSV.encode())
    h, rep = read_hotspots(p, districts=districts, district="code")
    assert len(h) == 7 and h["row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert "id" in h.columns  # BOM stripped from the first column name
    assert rep.by_code("utf8_bom")
    assert set(rep.row_fate) == set(range(2, 9))
    flags = dict(zip(h.row, h["issues"]))
    assert "duplicate_location" in flags[3] and flags[2] == ""
    assert "zero_point" in flags[4]
    assert "swapped_lat_lon" in flags[5] and "swapped_lat_lon" in flags[6]
    assert "outside_districts" in flags[7]
    assert "missing_coordinates" in flags[8]
    assert {i.row for i in rep.by_code("swapped_lat_lon")} == {5, 6}
    assert [i.row for i in rep.by_code("zero_point")] == [4]
    assert [i.row for i in rep.by_code("outside_districts")] == [6, 7]  # line 6 swapped lies in Japan
    assert [i.row for i in rep.by_code("duplicate_location")] == [3]
    assert h.is_site.tolist() == [True, True, False, True, True, True, False]
    assert rep.row_fate[4] == "kept apart" and rep.row_fate[2] == "used"
    # swapped rows repaired to lon/lat order
    g = h.set_index("row").geometry
    assert (g[5].x, g[5].y) == pytest.approx((-73.95, 40.72))
    assert g[6].y == pytest.approx(40.73)
    assert h.set_index("row").district[5] == "E"
    # duplicates: one site with two rows
    assert h.n_at_site.tolist()[:2] == [2, 2] and h.site_id[0] == h.site_id[1]
    assert len(unique_sites(h)) == 4  # lines 2, 5, 6, 7
    # placeholder date is NaT, real dates parsed
    act = h.set_index("row")["Activated"]
    assert pd.isna(act[3]) and act[2] == pd.Timestamp("2017-03-15")
    assert rep.by_code("placeholder_date")[0].message.startswith("1 placeholder")


def test_xy_with_crs_and_geojson(tmp_path):
    df = pd.DataFrame({"X": [987000.0, 0.0], "Y": [195000.0, 0.0]})
    h, rep = read_hotspots(df, x="X", y="Y", crs=2263)
    assert h.crs.to_epsg() == 2263 and h.is_site.tolist() == [True, False]
    with pytest.raises(InputError, match="crs"):
        read_hotspots(df, x="X", y="Y")
    g = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=gpd.points_from_xy([2.35, 2.35], [48.85, 48.85]), crs=4326)
    path = tmp_path / "h.geojson"
    g.to_file(path)
    h2, rep2 = read_hotspots(path)
    assert h2.duplicate.tolist() == [False, True] and h2.row.tolist() == [1, 2]


def test_no_coordinates_is_an_input_error():
    with pytest.raises(InputError, match="no coordinate columns"):
        read_hotspots(pd.DataFrame({"a": [1]}))


@pytest.mark.realdata
def test_nyc_export_loads_with_report(shared_data):
    d = shared_data / "nyc-nta-tract-population"
    nta = gpd.read_file(d / "nyc_nta2010.geojson")
    raw = pd.read_csv(shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv", encoding="utf-8-sig")
    h, rep = read_hotspots(shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv",
                           districts=nta, district="nta_id")
    assert len(h) == len(raw) == 3319
    assert rep.row_fate and set(rep.row_fate.values()) == {"used"}
    # figures from SOURCE.md, computed here directly from the raw file
    n_dup = int(raw.duplicated(["Latitude", "Longitude"]).sum())
    assert n_dup == 169 and int(h.duplicate.sum()) == n_dup
    assert h.site_id.nunique() == 3319 - 169
    n_placeholder = int((raw.Activated == "09/09/9999").sum())
    assert n_placeholder == 1497 and int(h["Activated"].isna().sum()) == n_placeholder
    assert len(rep.by_code("outside_districts")) == 1
    assert int(h.is_site.sum()) == 3319
    assert (h.district.fillna("") != raw["Neighborhood Tabulation Area Code (NTACODE)"]).sum() in range(10, 20)
    assert h["Activated"].dropna().dt.year.between(2016, 2019).all()


def test_without_districts_far_points_flagged_and_plain_swaps_repaired():
    """A swap whose two values are both valid coordinates, and a point in another city, are caught
    without a district layer: the swap repaired, the far point kept and flagged; no row lost."""
    df = pd.DataFrame({"lat": [40.70, 40.71, 40.72, 40.73, 40.74, -73.98, 51.5],
                       "lon": [-73.90, -73.91, -73.92, -73.93, -73.94, 40.71, -0.12]})
    h, rep = read_hotspots(df)
    assert len(h) == 7 and h["is_site"].all()
    assert h.loc[5, "issues"] == "swapped_lat_lon"
    assert (h.geometry.iloc[5].x, h.geometry.iloc[5].y) == (-73.98, 40.71)
    assert h.loc[6, "issues"] == "far_from_others"
    far = rep.to_frame().query("code == 'far_from_others'")
    assert far["row"].tolist() == [8] and "km from the median location" in far["message"].iloc[0]
    assert (h.loc[:4, "issues"] == "").all()


def test_polygon_features_are_reported_when_used_as_points():
    g = gpd.GeoDataFrame({"name": ["library", "kiosk"]},
                         geometry=[box(36.80, -1.29, 36.801, -1.289), *gpd.points_from_xy([36.81], [-1.28])], crs=4326)
    h, rep = read_hotspots(g)
    assert h["issues"].tolist() == ["not_a_point", ""]
    assert rep.to_frame().query("code == 'not_a_point'")["row"].tolist() == [2]
