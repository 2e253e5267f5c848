"""CRS named in a column header or by the user: ``X_L93``, ``easting_utm31n``, ``EPSG:32737``.

>>> crs_from_text("x_lambert_93").to_epsg()
2154
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import pyproj

__all__ = ["crs_from_text", "crs_tokens"]

# -- CRS named in a column header or by the user ------------------------------------------------
# Common names and abbreviations of national and UTM CRSs, as written in column headers
# ("X_L93", "x_lambert_93", "easting_utm31n", "E_BNG"). Tokens are joined with "_".
_NAMED_CRS: tuple[tuple[str, int], ...] = (
    (r"wgs_?84|wgs|gps|crs_?84|lon_?lat|lat_?lon|degrees?|deg", 4326),
    (r"l_?93|lamb(?:ert)?_?93|rgf_?93(?:_?v?[12])?(?:_lamb(?:ert)?_?93)?", 2154),
    (r"l_?2_?e|l_?ii_?e|lamb(?:ert)?_?(?:2|ii)_?(?:e|et|etendu|extended)?", 27572),
    (r"bng|osgb(?:_?36)?|british_?national_?grid", 27700),
    (r"itm|irish_?transverse_?mercator", 2157),
    (r"rd_?new|amersfoort(?:_?rd_?new)?", 28992),
    (r"l_?72|lamb(?:ert)?_?72|bd_?72", 31370),
    (r"l_?08|lamb(?:ert)?_?2008", 3812),
    (r"lv_?95|ch_?1903_?plus", 2056),
    (r"lv_?03|ch_?1903", 21781),
    (r"(?:etrs_?89_?)?laea(?:_?europe)?", 3035),
    (r"(?:etrs_?89_?)?pt_?tm_?06|tm_?06", 3763),
    (r"nztm(?:_?2000)?", 2193),
    (r"web_?mercator|pseudo_?mercator|google_?mercator", 3857),
)
_UTM = re.compile(r"(?:^|_)(etrs_?89_?|wgs_?84_?|nad_?83_?)?utm_?(?:zone_?)?(\d{1,2})_?([a-z])?(?:_|$)")
# a text worth asking PROJ about (its name search takes half a second per text)
_CRS_SPEC = re.compile(r"epsg:|esri:|iau_|\+proj|\s/\s|PROJCS|GEOGCS|PROJCRS|GEOGCRS|\{", re.I)
_CC = re.compile(r"(?:^|_)(?:cc|conique_?conforme)_?(4[2-9]|50)(?:_|$)")
_AXIS_WORDS = frozenset({"x", "y", "e", "n", "east", "north", "easting", "northing", "este", "norte", "lon", "lat",
                         "lng", "long", "longitude", "latitude", "coord", "coords", "coordx", "coordy", "point"})
_EPSG = re.compile(r"(?:^|_)(?:epsg_?)?(\d{4,5})(?:_|$)")


def crs_tokens(text: str) -> str:
    """``text`` as the lowercase ASCII tokens CRS names are matched on, joined with ``_``.

    camelCase is split, accents dropped, every other character separates tokens.

    >>> crs_tokens("X (Lambert-93)"), crs_tokens("eastingUTM31N"), crs_tokens("coord_é_X")
    ('x_lambert_93', 'easting_utm31n', 'coord_e_x')
    """
    low = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(text))
    low = "".join(c for c in unicodedata.normalize("NFKD", low) if c.isascii()).lower()
    return "_".join(t for t in re.split(r"[^0-9a-z]+", low) if t)


def crs_from_text(text: str, *, near: gpd.GeoDataFrame | None = None) -> pyproj.CRS | None:
    """The CRS named in a column header or a user's text, or None.

    Reads EPSG codes (``x_2154``, ``EPSG:32631``), CRS names that PROJ knows (``RGF93 /
    Lambert-93``) and the usual abbreviations of headers: ``L93``/``Lambert 93``/``RGF93``
    (EPSG:2154), ``Lambert II étendu``/``L2E``, ``CC42``..``CC50``, ``UTM 31N``/``utm31s`` (WGS84,
    ETRS89 or NAD83 zones), ``BNG``/``OSGB36``, ``ITM``, ``RD New``, ``Lambert 72``/``2008``,
    ``LV95``/``LV03``, ``LAEA``, ``TM06``, ``NZTM``, ``Web Mercator``, and ``WGS84``/``GPS``
    (EPSG:4326). ``UTM`` without a zone takes the UTM zone of ``near`` (e.g. the districts) when
    given.

    Examples
    --------
    >>> [crs_from_text(t).to_epsg() for t in ["X_L93", "x (Lambert 93)", "easting_utm31n", "lon_wgs84", "y_32737"]]
    [2154, 2154, 32631, 4326, 32737]
    >>> crs_from_text("Population") is None, crs_from_text("Households 2019") is None
    (True, True)
    """
    raw = str(text).strip()
    if not raw:
        return None
    z = crs_tokens(raw)
    if _CRS_SPEC.search(raw) and re.fullmatch(r"[a-z]+_\d{4,5}", z) is None:
        try:  # a full name or code: "EPSG:2154", "RGF93 / Lambert-93", "WGS 84 / UTM zone 31N"
            crs = pyproj.CRS.from_user_input(raw)
            if crs.is_projected or crs.is_geographic:
                return crs
        except (pyproj.exceptions.CRSError, TypeError, ValueError):
            pass
    m = _UTM.search(z)
    if m:
        datum, zone, letter = m.group(1) or "", int(m.group(2)), m.group(3)
        if 1 <= zone <= 60:
            south = None if letter is None else (letter == "s" or "c" <= letter <= "m")
            if letter in ("n", "s"):
                south = letter == "s"
            if south is None and near is not None and len(near) and near.crs is not None:
                lat = float(near.to_crs(4326).geometry.union_all().centroid.y)
                south = lat < 0
            if south is not None:
                if datum.startswith("etrs") and not south and 28 <= zone <= 38:
                    return pyproj.CRS.from_epsg(25800 + zone)
                if datum.startswith("nad") and not south and 1 <= zone <= 23:
                    return pyproj.CRS.from_epsg(26900 + zone)
                return pyproj.CRS.from_epsg((32700 if south else 32600) + zone)
    if re.search(r"(?:^|_)utm(?:_|$)", z) and near is not None and len(near) and near.crs is not None:
        return near.to_crs(4326).estimate_utm_crs()
    m = _CC.search(z)
    if m:
        return pyproj.CRS.from_epsg(3900 + int(m.group(1)))
    for pattern, code in _NAMED_CRS:
        if re.search(rf"(?:^|_)(?:{pattern})(?:_|$)", z):
            return pyproj.CRS.from_epsg(code)
    axis = bool(set(z.split("_")) & _AXIS_WORDS)
    for m in _EPSG.finditer(z):
        code = int(m.group(1))
        if 1900 <= code <= 2100 and not (axis or m.group(0).strip("_").startswith("epsg")):
            continue  # "Households 2019" names a year, not EPSG:2019
        try:
            crs = pyproj.CRS.from_epsg(code)
        except pyproj.exceptions.CRSError:
            continue
        if crs.is_projected or crs.is_geographic:
            return crs
    return None
