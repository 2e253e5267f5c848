"""read_hotspots: every row kept, every oddity reported."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from egovkit.coverage import read_hotspots, unique_sites
from egovkit.errors import InputError


def _swaps(rep):
    """Every issue saying that latitude and longitude were swapped (per row, per file, against districts)."""
    return [i for i in rep.issues if i.code.startswith("hotspots.swapped")]

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
    h, rep = read_hotspots(p, districts=districts, key="code")
    with pytest.warns(DeprecationWarning, match=r"district=\) is deprecated: use key="):
        assert read_hotspots(p, districts=districts, district="code")[0]["district"].equals(h["district"])
    assert len(h) == 7 and h["row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert "id" in h.columns  # BOM stripped from the first column name
    assert rep.by_code("coverage.utf8_bom")
    assert set(rep.row_fate) == set(range(2, 9))
    flags = dict(zip(h.row, h["issues"]))
    assert "duplicate_location" in flags[3] and flags[2] == ""
    assert "zero_point" in flags[4]
    assert "swapped_lat_lon" in flags[5] and "swapped_lat_lon" in flags[6]
    assert "outside_districts" in flags[7]
    assert "missing_coordinates" in flags[8]
    assert {i.row for i in _swaps(rep)} == {5, 6}
    assert [i.row for i in rep.by_code("hotspots.zero_point")] == [4]
    assert [i.row for i in rep.by_code("hotspots.outside_districts")] == [6, 7]  # line 6 swapped lies in Japan
    assert [i.row for i in rep.by_code("hotspots.duplicate_location")] == [3]
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
    assert rep.by_code("hotspots.placeholder_date")[0].message.startswith("1 placeholder")


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
                           districts=nta, key="nta_id")
    assert len(h) == len(raw) == 3319
    assert rep.row_fate and set(rep.row_fate.values()) == {"used"}
    # figures from SOURCE.md, computed here directly from the raw file
    n_dup = int(raw.duplicated(["Latitude", "Longitude"]).sum())
    assert n_dup == 169 and int(h.duplicate.sum()) == n_dup
    assert h.site_id.nunique() == 3319 - 169
    n_placeholder = int((raw.Activated == "09/09/9999").sum())
    assert n_placeholder == 1497 and int(h["Activated"].isna().sum()) == n_placeholder
    assert len(rep.by_code("hotspots.outside_districts")) == 1
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
    far = rep.to_frame().query("code == 'hotspots.far_from_others'")
    assert far["row"].tolist() == [8] and "km from the median location" in far["message"].iloc[0]
    assert (h.loc[:4, "issues"] == "").all()


def test_polygon_features_are_reported_when_used_as_points():
    g = gpd.GeoDataFrame({"name": ["library", "kiosk"]},
                         geometry=[box(36.80, -1.29, 36.801, -1.289), *gpd.points_from_xy([36.81], [-1.28])], crs=4326)
    h, rep = read_hotspots(g)
    assert h["issues"].tolist() == ["not_a_point", ""]
    assert rep.to_frame().query("code == 'hotspots.not_a_point'")["row"].tolist() == [2]


# -- issue 9: safe and sound -------------------------------------------------------------------
def _read(tmp_path, data: bytes | str, file_name: str = "h.csv", **kw):
    p = tmp_path / file_name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_hotspots(p, **kw)


def test_trailing_comma_on_the_first_row_does_not_shift_columns(tmp_path):
    h, rep = _read(tmp_path, "name,lat,lon\nLibrary,40.71,-73.98,\nPark,40.72,-73.97\nKiosk,40.73,-73.96,,\n")
    assert h["name"].tolist() == ["Library", "Park", "Kiosk"]
    assert h["is_site"].all() and h["row"].tolist() == [2, 3, 4]
    assert h.geometry.y.round(2).tolist() == [40.71, 40.72, 40.73]
    note = rep.by_code("coverage.trailing_separator")
    assert len(note) == 1 and "rows 2, 4" in note[0].message


def test_quoted_names_over_several_lines_keep_their_true_line(tmp_path):
    text = ('name;lat;lon\n"Gare\ncentrale; quai ""A""";48,85;2,35\n\nLibrary;48,86;2,36\n'
            '"two\r\nlines, and ;";48,87;2,37\nlast;48,88;2,38')
    h, rep = _read(tmp_path, text)
    assert h["row"].tolist() == [2, 5, 6, 8]  # line 4 is blank, the third record starts on line 6
    assert h["name"].tolist() == ['Gare\ncentrale; quai "A"', "Library", "two\r\nlines, and ;", "last"]
    assert h.geometry.x.tolist() == [2.35, 2.36, 2.37, 2.38]  # decimal commas read as numbers
    assert set(rep.row_fate) == {2, 5, 6, 8}


def test_decimal_comma_coordinates_quoted_or_split_in_a_comma_file(tmp_path):
    h, _ = _read(tmp_path, 'id,name,lat,lon\n1,a,"-1,2921","36,8219"\n2,b,"-1,3","36,81"\n')
    assert h.geometry.y.tolist() == [-1.2921, -1.3] and h.geometry.x.tolist() == [36.8219, 36.81]
    # not quoted: each number is split over two cells; joined back when it is the only way to fit the header
    h, rep = _read(tmp_path, "id,name,lat,lon,type\n1,a,-1,2921,36,8219,free\n2,b,-1,3,36,81,\n3,c,,,x\n")
    assert h.geometry.y.tolist()[:2] == [-1.2921, -1.3] and h.geometry.x.tolist()[:2] == [36.8219, 36.81]
    assert h["type"].tolist()[0] == "free" and h["is_site"].tolist() == [True, True, False]
    assert "rows 2, 3" in rep.by_code("coverage.decimal_comma_split")[0].message


def test_swapped_columns_are_one_warning_for_the_file(tmp_path):
    rows = "".join(f"S{i},{103.80 + i / 1000:.4f},{1.30 + i / 1000:.4f}\n" for i in range(300))
    h, rep = _read(tmp_path, "name,latitude,longitude\n" + rows)
    swaps = _swaps(rep)
    assert len(swaps) == 1 and "wrong way round" in swaps[0].message
    assert h["is_site"].all() and h.geometry.x.min() > 103 and h.geometry.y.max() < 2
    # with |longitude| < 90 only the districts can tell: still one warning
    d = gpd.GeoDataFrame({"code": ["A"]}, geometry=[box(-74.1, 40.6, -73.8, 40.9)], crs=4326)
    rows = "".join(f"S{i},{-73.95 + i / 1e4:.4f},{40.70 + i / 1e4:.4f}\n" for i in range(200))
    h, rep = _read(tmp_path, "name,lat,lon\n" + rows, districts=d, key="code")
    assert len(_swaps(rep)) == 1 and (h["district"] == "A").all()


@pytest.mark.parametrize("header, how", [
    ("name,wgs84_y,wgs84_x", "names"), ("name,POINT_Y,POINT_X", "degrees"), ("name,LAT_DD,Long", "names"),
    ("name,Latitude (WGS84),lng", "names"), ("name,y,x", "degrees"), ("name,lat,x", "names")])
def test_coordinate_columns_found_by_name(tmp_path, header, how):
    h, rep = _read(tmp_path, f"{header}\na,40.71,-73.98\nb,40.72,-73.99\n")
    assert h["is_site"].all() and h.geometry.y.tolist() == [40.71, 40.72]
    assert bool(rep.by_code("hotspots.xy_as_lon_lat")) == (how == "degrees")


def test_projected_xy_without_crs_is_an_error_naming_the_fix(tmp_path):
    with pytest.raises(InputError, match=r"h\.csv.*need their CRS.*crs="):
        _read(tmp_path, "name,easting,northing\na,987000,195000\n")
    h, rep = _read(tmp_path, "name,x_2263,y_2263\na,987000,195000\n")  # EPSG code in the names
    assert h.crs.to_epsg() == 2263 and rep.by_code("hotspots.crs_from_name")


def test_dms_and_hemisphere_coordinates(tmp_path):
    h, rep = _read(tmp_path, 'name\tlat\tlon\na\t"40°42\'46""N"\t"73°59\'0""W"\nb\t40.5 N\t73.5 W\n')
    assert h.geometry.y.round(4).tolist() == [40.7128, 40.5] and h.geometry.x.round(4).tolist() == [-73.9833, -73.5]


def test_unbalanced_quote_loses_no_row(tmp_path):
    h, rep = _read(tmp_path, 'name,lat,lon\n"Main St,40.71,-73.98\nPark,40.72,-73.97\n"A, B",40.73,-73.96\n')
    assert h["row"].tolist() == [2, 3, 4] and h["name"].tolist() == ['"Main St', "Park", "A, B"]
    assert h["is_site"].all() and [i.row for i in rep.issues if i.code.startswith("coverage.unbalanced_quote")] == [2]


def test_encodings(tmp_path):
    text = "name;lat;lon\nCafé Ñandú;48,85;2,35\n"
    for data in (text.encode("cp1252"), text.encode("utf-16"), text.encode("utf-16-le"),
                 b"\xef\xbb\xbf" + text.encode()):
        h, _ = _read(tmp_path, data)
        assert h["name"].tolist() == ["Café Ñandú"] and h["is_site"].all()


@pytest.mark.parametrize("name, data, message", [
    ("h.csv", b"", "empty"),
    ("h.csv", b"name,lat,lon\n", "header .* but no rows"),
    ("h.csv", b"\n\n  \n", "blank"),
    ("h.csv", bytes(range(256)) * 3, "binary"),
    ("h.csv", b"PK\x03\x04" + bytes(100), "ZIP archive"),
    ("h.csv", b"SQLite format 3\x00" + bytes(100), "GeoPackage"),
    ("h.csv", b"name,address\na,1 Main St\n", "no coordinate columns"),
    ("h.geojson", b'{"type": "FeatureCollection", "features": [', "cannot read"),
    ("h.geojson", b"name,lat,lon\na,1,2\n", "not JSON"),
    ("h.gpkg", b"SQLite format 3\x00" + bytes(300), "cannot read"),
])
def test_hopeless_files_are_input_errors_naming_the_file(tmp_path, name, data, message):
    with pytest.raises(InputError, match=message) as err:
        _read(tmp_path, data, name)
    assert name in str(err.value) and err.value.fix


def test_folder_and_truncated_geopackage(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_hotspots(tmp_path / "d.csv")
    g = gpd.GeoDataFrame({"name": ["a"]}, geometry=gpd.points_from_xy([2.35], [48.85]), crs=4326)
    g.to_file(tmp_path / "full.gpkg")
    (tmp_path / "t.gpkg").write_bytes((tmp_path / "full.gpkg").read_bytes()[:3000])
    with pytest.raises(InputError, match="t.gpkg"):
        read_hotspots(tmp_path / "t.gpkg")


# -- coordinate columns named after a CRS; projected coordinates (issue 10) ---------------------------
_PARIS = [(2.35, 48.85), (2.36, 48.86), (2.37, 48.87)]


def _projected(epsg: int) -> list[tuple[float, float]]:
    from pyproj import Transformer

    t = Transformer.from_crs(4326, epsg, always_xy=True)
    return [t.transform(lon, lat) for lon, lat in _PARIS]


def _csv(header: str, pts) -> str:
    return header + "\n" + "".join(f"s{i},{a},{b}\n" for i, (a, b) in enumerate(pts))


@pytest.mark.parametrize("header, epsg", [
    ("name,X_L93,Y_L93", 2154), ("name,x_lambert93,y_lambert93", 2154), ("name,X (Lambert 93),Y (Lambert 93)", 2154),
    ("name,coord_x_l93,coord_y_l93", 2154), ("name,X_RGF93,Y_RGF93", 2154), ("name,x_epsg2154,y_epsg2154", 2154),
    ("name,easting_utm31n,northing_utm31n", 32631), ("name,X_UTM_31N,Y_UTM_31N", 32631),
    ("name,x_32631,y_32631", 32631), ("name,X_L2E,Y_L2E", 27572), ("name,x_cc49,y_cc49", 3949),
    ("name,wgs84_x,wgs84_y", 4326), ("name,x_4326,y_4326", 4326), ("name,lon_wgs84,lat_wgs84", 4326),
])
def test_coordinate_columns_named_after_a_crs(tmp_path, header, epsg):
    pts = _PARIS if epsg == 4326 else _projected(epsg)
    h, rep = _read(tmp_path, _csv(header, pts))
    assert h.crs.to_epsg() == epsg and h["is_site"].all()
    g = h.to_crs(4326)
    assert np.allclose(g.geometry.x, [p[0] for p in _PARIS], atol=1e-6)
    assert np.allclose(g.geometry.y, [p[1] for p in _PARIS], atol=1e-6)
    assert not rep.warnings


def test_utm_without_zone_takes_the_districts_zone(tmp_path):
    d = gpd.GeoDataFrame({"code": ["P"]}, geometry=[box(2.2, 48.8, 2.5, 48.95)], crs=4326)
    h, rep = _read(tmp_path, _csv("name,UTM_E,UTM_N", _projected(32631)), districts=d, key="code")
    assert h.crs.to_epsg() == 32631 and (h["district"] == "P").all() and rep.by_code("hotspots.crs_from_name")


@pytest.mark.parametrize("crs", ["Lambert-93", "RGF93 / Lambert-93", "EPSG:2154", 2154, "L93"])
def test_projected_coordinates_with_the_crs_given_by_name(tmp_path, crs):
    h, _ = _read(tmp_path, _csv("name,easting,northing", _projected(2154)), crs=crs)
    assert h.crs.to_epsg() == 2154
    assert np.allclose(h.to_crs(4326).geometry.y, [p[1] for p in _PARIS], atol=1e-6)
    with pytest.raises(InputError, match="unknown CRS 'Lambert-39'.*EPSG code"):
        _read(tmp_path, _csv("name,easting,northing", _projected(2154)), crs="Lambert-39")


def test_projected_columns_the_wrong_way_round_are_one_warning(tmp_path):
    pts = [(y, x) for x, y in _projected(2154)] * 40  # X_L93 holds the northings, for every row
    h, rep = _read(tmp_path, _csv("name,X_L93,Y_L93", pts))
    swaps = rep.by_code("hotspots.swapped_xy")
    assert len(swaps) == 1 and "'X_L93' and 'Y_L93' are the wrong way round" in swaps[0].message
    assert len(rep.warnings) == 1
    assert np.allclose(h.to_crs(4326).geometry.x[:3], [p[0] for p in _PARIS], atol=1e-6)


def test_degrees_under_a_projected_crs_name_are_read_as_degrees_with_one_warning(tmp_path):
    h, rep = _read(tmp_path, _csv("name,X_L93,Y_L93", _PARIS * 30))
    assert h.crs.to_epsg() == 4326 and np.allclose(h.geometry.y[:3], [48.85, 48.86, 48.87])
    assert len(rep.by_code("hotspots.crs_mismatch")) == 1 and len(rep.warnings) == 1
