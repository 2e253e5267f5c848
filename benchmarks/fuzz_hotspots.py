"""Fuzzing the hotspot and population readers: crashes, lost rows, wrong line numbers.

Generates hotspot lists and population files the way people write them (separators ``,`` ``;``
tab ``|``, decimal-comma coordinates, quoted names with separators / newlines / quotes, trailing
separators, BOM, cp1252 and UTF-16, blank lines, swapped latitude/longitude columns, columns named
lat/lon/latitude/y/x/wgs84_x/lng/long..., degrees-minutes-seconds, empty, header-only, binary, Excel
renamed .csv, GeoJSON/GeoPackage points, broken JSON, truncated GeoPackages, GeoTIFFs with nodata,
NaN and negative cells, without CRS, all nodata, garbage ``.tif``) and reads each one. Every
generated file knows what it holds (each record's physical line, name, coordinates, population),
so the run counts:

- ``crashes``: an exception other than :class:`egovkit.errors.InputError`;
- ``refused``: an ``InputError`` on a file that holds usable rows;
- ``lost rows``: a record missing from the result (and from the report's row fates);
- ``wrong line``: a record found under another line number (or another record at its line);
- ``misread``: a record with coordinates placed elsewhere (or not read as a site), a population
  total that differs from the sum of the valid cells/rows;
- ``swap warnings``: files with swapped columns reported by more than one warning.

The generators are shared with the property tests (``tests/test_hotspots_properties.py``), which
run a bounded number of examples in ``make test``; this script runs several thousand. Not a test.

    .venv/bin/python benchmarks/fuzz_hotspots.py [--n 3000] [--seed 1]

Measured 2026-12-05 (3,000 files per reader, seed 1; "before" = the readers at commit 40fdaad, with
the population files read by the pipeline's old ``_read_population``, which kept no row fates):

- before: hotspots 1,239 crashes (pandas ParserError, UnicodeDecodeError, pyogrio DataSourceError...),
  1,050 refused, 22,837 lost rows, 974 wrong line numbers, 149 rows whose coordinates were not read,
  11 swapped files reported row by row; population 1,203 crashes, 976 refused, 20,065 rows unaccounted;
- after: crashes 0, refused 0, lost rows 0, wrong line numbers 0, misread 0 for both readers.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import tempfile
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

# -- what people write -------------------------------------------------------------------------
LAT_NAMES = ["lat", "Latitude", "LATITUDE", "latitude", "Lat", "y", "Y", "wgs84_y", "lat_wgs84", "Latitude (WGS84)",
             "LAT_DD", "latitud", "POINT_Y", "coord_y", "Y_WGS84"]
LON_NAMES = ["lon", "Longitude", "LONGITUDE", "lng", "long", "Long", "x", "X", "wgs84_x", "lon_wgs84",
             "Longitude (WGS84)", "LON_DD", "longitud", "POINT_X", "coord_x", "X_WGS84"]
# (lat, lon) centre of a region and its spread in degrees
REGIONS = {"nyc": (40.72, -73.95, 0.15), "nairobi": (-1.29, 36.82, 0.1), "singapore": (1.35, 103.82, 0.1),
           "seattle": (47.61, -122.33, 0.1), "sydney": (-33.87, 151.21, 0.15), "paris": (48.86, 2.35, 0.08)}
NAME_BITS = ["Library", "Park", "Main St", "Plaza", "Kiosk", "Café", "Ñandú", "Straße", "Gare", "École", "Mall",
             "5\" antenna", "O'Brien", "A, B & C", "north; south", "tab\there", "two\nlines", "say \"hi\"", "  padded ",
             "#3", "-", "12", "N/A", "Ü", "3,5", "line\r\nbreak", "中心", "Ωmega", "x|y"]
CP1252_SAFE = [b for b in NAME_BITS if all(ord(ch) < 256 for ch in b)]


@dataclass
class Record:
    """One data record: the physical line where it starts, its name and true coordinates."""

    line: int
    name: str
    lat: float | None
    lon: float | None
    population: float | None = None


@dataclass
class Case:
    """A generated input and what a correct reader must make of it."""

    kind: str
    suffix: str
    data: bytes | None  # None: a directory
    records: list[Record] = field(default_factory=list)
    expect: str = "rows"  # "rows": usable rows; "error": an InputError is the right answer; "either"
    swapped: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)
    total: float | None = None  # population: the true total
    counts: dict[str, int] = field(default_factory=dict)  # raster: nodata / nan / negative cells
    name_column: str = "Name"

    def write(self, folder: Path, i: int) -> Path:
        path = folder / f"case{i}{self.suffix}"
        if self.data is None:
            path.mkdir()
        else:
            path.write_bytes(self.data)
        return path


def _name(rng: random.Random, safe: bool, one_line: bool = False) -> str:
    bits = CP1252_SAFE if safe else NAME_BITS
    if one_line:
        bits = [b for b in bits if "\n" not in b and "\r" not in b]
    n = rng.randint(1, 3)
    return " ".join(rng.choice(bits) for _ in range(n)) + f" {rng.randint(1, 999)}"


def _fmt_number(v: float, rng: random.Random, decimal: str, dms: bool, is_lat: bool) -> str:
    if dms:
        hemi = ("N" if v >= 0 else "S") if is_lat else ("E" if v >= 0 else "W")
        a = abs(v)
        d = int(a)
        m = int((a - d) * 60)
        s = (a - d - m / 60) * 3600
        return f"{d}°{m}'{s:.4f}\"{hemi}"
    text = repr(float(v))
    return text.replace(".", ",") if decimal == "," else text


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "utf-16":
        return text.encode("utf-16")  # with BOM
    return text.encode(encoding)


def _lines_of(text: str) -> int:
    """Physical lines as an editor counts them (\\r\\n, \\n or a lone \\r end a line)."""
    return len(io.StringIO(text, newline=None).read().split("\n")) - 1 if text else 0


def hotspot_csv(rng: random.Random) -> Case:
    """A hotspot list as a delimited text file, with its records' true lines and coordinates."""
    sep = rng.choice([",", ";", "\t", "|"])
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"])
    safe = encoding == "cp1252"
    decimal = "," if (sep != "," and rng.random() < 0.4) else "."
    quote_decimal = sep == "," and rng.random() < 0.25  # quoted "40,7128" in a comma file
    if quote_decimal:
        decimal = ","
    dms = rng.random() < 0.08
    # user mistakes the reader must survive: decimal commas not quoted in a comma-separated file (each
    # number split over two cells), a name opening a quote it never closes
    unquoted_decimal = sep == "," and not quote_decimal and rng.random() < 0.1
    if unquoted_decimal:
        decimal, dms = ",", False
    stray_quote = rng.random() < 0.08
    region = rng.choice(list(REGIONS))
    lat0, lon0, spread = REGIONS[region]
    swapped = rng.random() < 0.15
    lat_name, lon_name = rng.choice(LAT_NAMES), rng.choice(LON_NAMES)
    if lat_name.lower().startswith(("y", "point_y", "coord_y")) or \
            lon_name.lower().startswith(("x", "point_x", "coord_x")):
        lat_name, lon_name = rng.choice([("y", "x"), ("Y", "X"), ("POINT_Y", "POINT_X"), ("wgs84_y", "wgs84_x")])
    # swapped: the longitudes are written under the latitude header (and vice versa); detectable
    # on its own only when |longitude| > 90, otherwise against districts (given in kwargs)
    extra = rng.sample(["id", "Type", "Provider", "Activated", "Borough"], rng.randint(0, 3))
    # one column holding both: "(lat, lon)" pairs or WKT points (longitude first)
    pair = rng.choice(["Location (Lat, Long)", "geometry"]) if rng.random() < 0.05 and not unquoted_decimal else None
    if pair:
        swapped, dms, decimal = False, False, "."
    header = extra[:1] + ["Name"] + ([pair] if pair else [lat_name, lon_name]) + extra[1:]
    rows: list[tuple[list[str], dict[str, str]]] = []
    truth: list[tuple[str, float | None, float | None]] = []
    n = rng.choice([1, 2, 3, 5, 8, 12, 20, 40])
    stray_at = rng.randrange(n) if stray_quote else -1
    for k in range(n):
        name = _name(rng, safe, one_line=stray_quote)
        if k == stray_at:
            name = '"' + name.replace('"', "").replace(sep, " ")
        r = rng.random()
        if r < 0.08:
            lat, lon, cells = None, None, ("", "")
        elif r < 0.11:
            lat, lon, cells = None, None, ("0", "0")
        elif r < 0.13:
            lat, lon, cells = None, None, ("N/A", "n/a")
        else:
            digits = rng.choice([4, 5, 6, 7])  # the record holds the value as written
            lat = round(lat0 + rng.uniform(-spread, spread), digits)
            lon = round(lon0 + rng.uniform(-spread, spread), digits)
            cells = (_fmt_number(lat, rng, decimal, dms, True), _fmt_number(lon, rng, decimal, dms, False))
        if swapped:
            cells = (cells[1], cells[0])
        if pair and lat is not None:
            cells = (f"({cells[0]}, {cells[1]})" if pair.startswith("Loc") else f"POINT ({cells[1]} {cells[0]})", "")
        elif pair:
            cells = ("", "")
        values = {"Name": name, lat_name: cells[0], lon_name: cells[1], "id": str(k + 1), pair: cells[0],
                  "Type": rng.choice(["Free", "Limited Free", ""]), "Provider": rng.choice(["City", "ALTICEUSA"]),
                  "Activated": rng.choice(["03/15/2017", "09/09/9999", "", "2019-05-01"]),
                  "Borough": rng.choice(["Queens", "Bronx"])}
        raw = {}
        if unquoted_decimal:  # written as they are, not quoted
            raw = {"@LAT@": values[lat_name], "@LON@": values[lon_name]}
            values[lat_name], values[lon_name] = "@LAT@", "@LON@"
        if k == stray_at:
            raw["@NAME@"] = name
            values["Name"] = "@NAME@"
        rows.append(([values[h] for h in header], raw))
        truth.append((name, lat, lon))
    eol = rng.choice(["\n", "\r\n"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    text = buf.getvalue()
    records: list[Record] = []
    line = 2
    if rng.random() < 0.05:  # a title above the header (prose, one separator at most)
        text = rng.choice(["Public Wi-Fi hotspots", "Wi-Fi sites, 2020", "Liste des bornes"]) + eol + eol + text
        line += 2
    elif rng.random() < 0.03:  # Excel's separator hint
        text = f"sep={sep}{eol}" + text
        line += 1
    trailing_first = rng.random() < 0.3
    for k, (row, raw) in enumerate(rows):
        if rng.random() < 0.05:  # a blank line between records: not a record
            text += eol
            line += 1
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep, lineterminator=eol, quoting=csv.QUOTE_MINIMAL).writerow(row)
        rec = buf.getvalue()
        for key, value in raw.items():
            rec = rec.replace(key, value)
        if (k == 0 and trailing_first) or rng.random() < 0.05:  # trailing separator(s): a ragged row
            rec = rec[: -len(eol)] + sep * rng.randint(1, 2) + eol
        name, lat, lon = truth[k]
        records.append(Record(line, name, lat, lon))
        text += rec
        line += _lines_of(rec)
    if rng.random() < 0.3:  # no newline at the end of the file
        text = text[: -len(eol)]
    kwargs: dict[str, Any] = {}
    if swapped and abs(lon0) <= 90 or rng.random() < 0.1:
        kwargs["districts"] = _districts_box(lat0, lon0, spread)
    return Case("hotspot_csv", rng.choice([".csv", ".csv", ".txt", ".tsv"]), _encode(text, encoding), records,
                swapped=swapped, kwargs=kwargs)


def _districts_box(lat0: float, lon0: float, spread: float) -> Any:
    import geopandas as gpd
    from shapely.geometry import box

    s = spread * 1.2
    return gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[box(lon0 - s, lat0 - s, lon0, lat0 + s),
                                                             box(lon0, lat0 - s, lon0 + s, lat0 + s)], crs=4326)


def hotspot_vector(rng: random.Random, folder: Path | None = None) -> Case:
    """GeoJSON points (feature number = row), or a broken one."""
    region = rng.choice(list(REGIONS))
    lat0, lon0, spread = REGIONS[region]
    feats, records = [], []
    for k in range(rng.randint(1, 15)):
        lat = round(lat0 + rng.uniform(-spread, spread), 6)
        lon = round(lon0 + rng.uniform(-spread, spread), 6)
        name = _name(rng, False)
        geom = {"type": "Point", "coordinates": [lon, lat]} if rng.random() > 0.1 else None
        feats.append({"type": "Feature", "properties": {"Name": name}, "geometry": geom})
        records.append(Record(k + 1, name, lat if geom else None, lon if geom else None))
    text = json.dumps({"type": "FeatureCollection", "features": feats})
    if rng.random() < 0.1:  # an open-data portal's JSON export: a list of records, not GeoJSON
        recs = [{"Name": f["properties"]["Name"], "latitude": str(r.lat) if r.lat is not None else None,
                 "longitude": r.lon} for f, r in zip(feats, records)]
        return Case("json_records", ".json", json.dumps(recs).encode(), records)
    r = rng.random()
    if r < 0.25:  # broken JSON
        cut = rng.randint(0, max(len(text) - 1, 0))
        return Case("broken_json", rng.choice([".geojson", ".json"]), text[:cut].encode(), expect="either")
    if r < 0.3:
        return Case("not_json", ".geojson", b"id,lat,lon\n1,2,3\n", expect="either")
    return Case("geojson", rng.choice([".geojson", ".json"]), text.encode(), records)


_GPKG: bytes | None = None


def _gpkg_bytes() -> bytes:
    global _GPKG
    if _GPKG is None:
        import geopandas as gpd

        with tempfile.TemporaryDirectory() as d:
            pts = gpd.points_from_xy([2.35, 2.36, 2.37], [48.85, 48.86, 48.87])
            g = gpd.GeoDataFrame({"Name": ["a", "b", "c"]}, geometry=pts, crs=4326)
            p = Path(d) / "h.gpkg"
            g.to_file(p, driver="GPKG")
            _GPKG = p.read_bytes()
    return _GPKG


def bad_file(rng: random.Random, what: str = "hotspots") -> Case:
    """Inputs with nothing usable in them: an InputError (or an empty, reported result) is right."""
    kind = rng.choice(["empty", "header_only", "blank_lines", "binary", "xlsx_as_csv", "directory", "gpkg_truncated",
                       "gpkg_garbage", "utf16_no_bom", "nul_bytes", "one_column", "no_coordinates", "huge_line",
                       "unclosed_quote_only"])
    suffix = ".csv"
    if kind == "empty":
        data = b""
    elif kind == "header_only":
        data = rng.choice([b"Name,lat,lon\n", b"Name;Latitude;Longitude", b"\xef\xbb\xbfname\tlat\tlon\r\n"])
    elif kind == "blank_lines":
        data = b"\n\n \n\r\n"
    elif kind == "binary":
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400)))
    elif kind == "xlsx_as_csv":
        data = b"PK\x03\x04" + bytes(rng.getrandbits(8) for _ in range(200))
    elif kind == "directory":
        data = None
        suffix = rng.choice([".csv", ".geojson", ".tif"])
    elif kind == "gpkg_truncated":
        g = _gpkg_bytes()
        data = g[: rng.randint(0, len(g) - 1)]
        suffix = ".gpkg"
    elif kind == "gpkg_garbage":
        data = b"SQLite format 3\x00" + bytes(rng.getrandbits(8) for _ in range(300))
        suffix = ".gpkg"
    elif kind == "utf16_no_bom":
        data = "Name,lat,lon\nA,40.7,-73.9\n".encode("utf-16-le")
        return Case(kind, suffix, data, expect="either")
    elif kind == "nul_bytes":
        data = b"Name,lat,lon\nA\x00,40.7,-73.9\n\x00\x00\n"
        return Case(kind, suffix, data, expect="either")
    elif kind == "one_column":
        data = b"Name\nA\nB\n"
    elif kind == "no_coordinates":
        data = b"Name,Address\nA,1 Main St\nB,2 Main St\n"
    elif kind == "huge_line":
        data = b"Name,lat,lon\n" + b"x" * 200_000 + b",1,2\n"
        return Case(kind, suffix, data, expect="either")
    else:
        data = b'Name,lat,lon\n"A,40.7,-73.9\nB,40.8,-73.8\n'
        return Case(kind, suffix, data, expect="either")
    return Case(kind, suffix, data, expect="error")


def hotspot_case(rng: random.Random) -> Case:
    """Any hotspot input: mostly delimited text, then vector files and hopeless files."""
    r = rng.random()
    if r < 0.72:
        return hotspot_csv(rng)
    if r < 0.85:
        return hotspot_vector(rng)
    return bad_file(rng)


# -- population files -------------------------------------------------------------------------
def population_points_csv(rng: random.Random) -> Case:
    """Population points (lat/lon + persons) as delimited text."""
    sep = rng.choice([",", ";", "\t"])
    decimal = "," if sep != "," and rng.random() < 0.4 else "."
    lat0, lon0, spread = REGIONS[rng.choice(list(REGIONS))]
    pop_name = rng.choice(["population", "Population", "pop", "persons", "POP_TOTAL", "habitants"])
    header = ["name", rng.choice(["lat", "latitude", "Latitude"]), rng.choice(["lon", "lng", "longitude"]), pop_name]
    eol = rng.choice(["\n", "\r\n"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=eol)
    w.writerow(header)
    line, records, total = 2, [], 0.0
    for _k in range(rng.randint(1, 30)):
        name = _name(rng, False)
        lat = round(lat0 + rng.uniform(-spread, spread), 6)
        lon = round(lon0 + rng.uniform(-spread, spread), 6)
        pop = float(rng.choice([0, 1, 12, 250, 1234.5, 3000]))
        r = rng.random()
        cells = [_fmt_number(lat, rng, decimal, False, True), _fmt_number(lon, rng, decimal, False, False)]
        pcell = (f"{pop:g}".replace(".", ",") if decimal == "," else f"{pop:g}")
        if r < 0.08:
            cells, lat, lon = ["", ""], None, None
        elif r < 0.12:
            pcell, pop = rng.choice(["", "n/a", "-"]), None
        one = io.StringIO()
        csv.writer(one, delimiter=sep, lineterminator=eol).writerow([name, *cells, pcell])
        text = one.getvalue()
        if rng.random() < 0.05:
            text = text[: -len(eol)] + sep + eol
        buf.write(text)
        records.append(Record(line, name, lat, lon, pop))
        if lat is not None and pop is not None:
            total += pop
        line += _lines_of(text)
    expect = "rows" if any(r.lat is not None for r in records) else "either"  # no located row: an error is right
    text = buf.getvalue()
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"]) if all(ord(c) < 256 for c in text) else "utf-8"
    return Case("population_csv", ".csv", expect=expect, data=_encode(text, encoding), records=records, total=total,
                kwargs={"districts": _districts_box(lat0, lon0, spread * 1.5)})


def population_table_csv(rng: random.Random) -> Case:
    """Population by district (code + count): spread over the district polygons."""
    sep = rng.choice([",", ";"])
    lat0, lon0, spread = REGIONS[rng.choice(list(REGIONS))]
    d = _districts_box(lat0, lon0, spread)
    pops = {"W": float(rng.randint(0, 50_000)), "E": float(rng.randint(0, 50_000))}
    key = rng.choice(["code", "district", "District"])
    text = f"{key}{sep}population\n" + "".join(f"{k}{sep}{v:g}\n" for k, v in pops.items())
    records = [Record(i + 2, k, None, None, v) for i, (k, v) in enumerate(pops.items())]
    return Case("population_table", ".csv", text.encode(), records, total=sum(pops.values()),
                kwargs={"districts": d, "key": "code"})


def population_raster(rng: random.Random) -> Case:
    """A small GeoTIFF with nodata, NaN and negative cells (or no CRS, all nodata, garbage bytes)."""
    import rasterio
    from rasterio.transform import from_origin

    kind = rng.choice(["ok", "ok", "ok", "ok", "no_crs", "all_nodata", "garbage", "truncated"])
    if kind == "garbage":
        return Case("raster_garbage", rng.choice([".tif", ".tiff"]),
                    bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 500))), expect="error")
    h, w = rng.randint(1, 12), rng.randint(1, 12)
    dtype = rng.choice(["float32", "float64", "int32", "int16"])
    nodata = rng.choice([-9999.0, -99999.0, -1.0, None]) if dtype.startswith("float") else rng.choice([-9999, -1])
    arr = np.array([[rng.choice([0.0, 1.0, 5.5, 120.0, 2000.0]) for _ in range(w)] for _ in range(h)])
    if dtype.startswith("int"):
        arr = np.round(arr)
    counts = Counter()
    for i in range(h):
        for j in range(w):
            r = rng.random()
            if r < 0.15 and nodata is not None:
                arr[i, j] = nodata
                counts["nodata"] += 1
            elif r < 0.25 and dtype.startswith("float"):
                arr[i, j] = np.nan
                counts["nan"] += 1
            elif r < 0.3 and nodata not in (-1, -1.0):
                arr[i, j] = -rng.choice([1, 3, 50])
                counts["negative"] += 1
    if kind == "all_nodata":
        fill = nodata if nodata is not None else np.nan
        if nodata is None and dtype.startswith("int"):
            fill = -9999
            nodata = -9999
        arr[:] = fill
    valid = np.isfinite(arr) & (arr > 0)
    if nodata is not None:
        valid &= arr != nodata
    total = float(arr[valid].sum())
    lat0, lon0, _ = REGIONS[rng.choice(list(REGIONS))]
    if rng.random() < 0.5:
        crs, transform = "EPSG:4326", from_origin(lon0, lat0, 0.001, 0.001)
    else:
        crs, transform = "EPSG:32618", from_origin(580000, 4510000, 100, 100)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "r.tif"
        with rasterio.open(p, "w", driver="GTiff", height=h, width=w, count=1, dtype=dtype, nodata=nodata,
                           crs=None if kind == "no_crs" else crs, transform=transform) as dst:
            dst.write(arr.astype(dtype), 1)
        data = p.read_bytes()
    if kind == "truncated":
        data = data[: rng.randint(0, len(data) - 1)]
    expect = "rows" if kind == "ok" and total > 0 else ("either" if kind == "ok" else "error")
    return Case(f"raster_{kind}", ".tif", data, expect=expect, total=total, counts=dict(counts))


def population_case(rng: random.Random) -> Case:
    r = rng.random()
    if r < 0.4:
        return population_points_csv(rng)
    if r < 0.55:
        return population_table_csv(rng)
    if r < 0.85:
        return population_raster(rng)
    c = bad_file(rng, "population")
    return c


# -- checking ------------------------------------------------------------------------------------
def _close(a: float, b: float, tol: float = 1e-5) -> bool:
    return abs(a - b) <= tol


def check_hotspots(case: Case, path: Path, read: Callable | None = None) -> Counter:
    """Read one generated hotspot file and count what went wrong (empty Counter: all fine)."""
    from egovkit.errors import InputError

    if read is None:
        from egovkit.coverage import read_hotspots as read
    bad: Counter = Counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            h, rep = read(path, **case.kwargs)
    except InputError as exc:
        if case.expect == "rows":
            bad["refused"] += 1
            bad["lost rows"] += len(case.records)
        if not str(exc).startswith(path.name) and str(path) not in str(exc):
            bad["error without file name"] += 1
        return bad
    except Exception:  # noqa: BLE001 - counting crashes is the point
        bad["crashes"] += 1
        bad["lost rows"] += len(case.records)
        if case.expect == "rows":
            bad["traceback:" + traceback.format_exc(limit=-1).strip().splitlines()[-1][:120]] += 1
        return bad
    if case.expect == "error" or not case.records:
        return bad  # a result with a report is fine too
    rows = h["row"].tolist()
    by_line = {int(r): i for i, r in enumerate(rows)}
    names = h[case.name_column].tolist() if case.name_column in h.columns else [None] * len(h)
    if len(h) != len(case.records):
        bad["row count differs"] += 1
    for rec in case.records:
        if rec.line not in by_line:
            bad["lost rows"] += 1
            continue
        i = by_line[rec.line]
        if str(names[i]).strip() != rec.name.strip():
            bad["wrong line"] += 1
            continue
        g = h.geometry.iloc[i]
        if rec.lat is None:
            if bool(h["is_site"].iloc[i]):
                bad["misread"] += 1
            continue
        if not bool(h["is_site"].iloc[i]) or g is None:
            bad["coordinates not read"] += 1
            continue
        gg = g
        if h.crs is not None and not h.crs.is_geographic:
            import geopandas as gpd
            gg = gpd.GeoSeries([g], crs=h.crs).to_crs(4326).iloc[0]
        if not (_close(gg.y, rec.lat) and _close(gg.x, rec.lon)):
            bad["misread"] += 1
    if case.swapped and len(rep.by_code("swapped_lat_lon")) > 1:
        bad["swap warnings (files)"] += 1
    return bad


def check_population(case: Case, path: Path, read: Callable | None = None) -> Counter:
    """Read one generated population file and count what went wrong."""
    from egovkit.errors import InputError

    if read is None:
        from egovkit.coverage import read_population as read
    bad: Counter = Counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = read(path, **case.kwargs)
    except InputError:
        if case.expect == "rows":
            bad["refused"] += 1
            bad["lost rows"] += len(case.records)
        return bad
    except Exception:  # noqa: BLE001
        bad["crashes"] += 1
        bad["lost rows"] += len(case.records)
        if case.expect == "rows":
            bad["traceback:" + traceback.format_exc(limit=-1).strip().splitlines()[-1][:120]] += 1
        return bad
    if case.expect == "error":
        return bad
    if case.total is not None and not np.isclose(p.total, case.total, rtol=1e-6, atol=1e-6):
        bad["misread"] += 1
    fate = getattr(p.report, "row_fate", {})
    for rec in case.records:
        if rec.line not in fate:
            bad["lost rows"] += 1
    if case.kind.startswith("raster") and case.counts:
        text = " ".join(i.message for i in p.report.issues)
        for what, n in case.counts.items():
            if n and f"{n:,} {what}" not in text.replace("no data", "nodata").replace("NaN", "nan"):
                bad["raster counts not reported"] += 1
                break
    return bad


def run(n: int, seed: int, make: Callable, check: Callable, label: str) -> Counter:
    rng = random.Random(seed)
    total: Counter = Counter()
    kinds: Counter = Counter()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            case = make(rng)
            kinds[case.kind] += 1
            path = case.write(Path(tmp), i)
            total += check(case, path)
            total["records"] += len(case.records)
    total["files"] = n
    dt = time.perf_counter() - t0
    main_keys = ["files", "records", "crashes", "refused", "lost rows", "wrong line", "misread", "coordinates not read",
                 "swap warnings (files)", "row count differs", "error without file name", "raster counts not reported"]
    print(f"{label}: " + ", ".join(f"{k} {total.get(k, 0)}" for k in main_keys) + f"  ({dt:.1f} s)")
    for k, v in sorted(total.items()):
        if k.startswith("traceback:"):
            print(f"    {v:5d} x {k[10:]}")
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="generated files per reader")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    hot = run(args.n, args.seed, hotspot_case, check_hotspots, "hotspots")
    pop = run(args.n, args.seed + 1, population_case, check_population, "population")
    bad = sum(hot.get(k, 0) + pop.get(k, 0) for k in ("crashes", "lost rows", "wrong line"))
    print(f"crashes {hot.get('crashes', 0) + pop.get('crashes', 0)}, lost rows "
          f"{hot.get('lost rows', 0) + pop.get('lost rows', 0)}, wrong line numbers {hot.get('wrong line', 0)}")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
