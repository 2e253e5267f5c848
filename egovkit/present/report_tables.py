"""The tables and files of the diagnosis report: the summary table, HTML tables with numbers in the
reader's language, CSV/GeoPackage/GeoJSON/KML writers (:mod:`egovkit.present.report`).

Examples
--------
>>> import pandas as pd
>>> r = pd.DataFrame({"area_code": ["A", "B"], "indicator": "tv", "numerator": [1.0, 3.0], "denominator": [10.0, 10.0]})
>>> summary_table(r)[["indicator", "share_territory", "n_below"]].to_dict("records")
[{'indicator': 'tv', 'share_territory': 0.2, 'n_below': 1}]
>>> _names(["Alpha", "Beta", "Gamma"], "fr")
'Alpha, Beta et Gamma'
"""

from __future__ import annotations

import base64
import html as _html
from pathlib import Path
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..distribution.lagging import set_apart_mask
from ..errors import InputError
from ..shared.catalogue import indicator_label
from ..shared.messages import render
from ..shared.renamed import renamed
from .i18n import format_number, format_percent, format_points, translations
from .maps import _key

__all__ = ["CSV_FLOAT", "summary_table"]

#: Numbers in the CSV tables: 10 significant digits (exact for counts below 10^10, shares to 1e-10),
#: not the 17 of a float's repr (7410.999999999925 for 7,411 persons), a third smaller files.
CSV_FLOAT = "%.10g"


def _prepare_rates(rates: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    need = [key, "numerator", "denominator"]
    missing = [c for c in need if c not in rates.columns]
    if missing:
        raise InputError(code="report.rates_columns", params={"missing": missing, "columns": list(rates.columns)},
                         column=missing[0])
    r = pd.DataFrame(rates).copy()
    if "indicator" not in r.columns:
        r["indicator"] = "share"
    if "universe" not in r.columns:
        r["universe"] = "households"
    if name not in r.columns:
        r[name] = r[key].astype("string")
    r[key] = _key(r[key])
    r["numerator"] = pd.to_numeric(r["numerator"], errors="coerce")
    r["denominator"] = pd.to_numeric(r["denominator"], errors="coerce")
    if "share" not in r.columns:
        r["share"] = r["numerator"] / r["denominator"].where(r["denominator"] > 0)
    r["share"] = pd.to_numeric(r["share"], errors="coerce")
    return r


@renamed(name_column="name")
def summary_table(rates: pd.DataFrame, *, key: str = "area_code", name: str = "area_name",
                  min_denominator: float = 0, set_apart: Sequence[str] = ()) -> pd.DataFrame:
    """One row per indicator: the territory's rate and its spread over the districts.

    Columns: ``indicator``, ``universe``, ``numerator`` and ``denominator`` (sums over the
    districts with both known), ``share_territory`` (their ratio, 0-1), ``n_districts``,
    ``n_missing`` (districts without a share), ``share_min``/``name_min``,
    ``share_max``/``name_max``, ``n_below`` (districts below the territory's rate).
    Districts whose denominator is under ``min_denominator`` (parks, an island prison) are
    left out of the lowest and highest rates only, as are the districts whose key is in ``set_apart``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"area_code": ["A", "B"], "indicator": "tv",
    ...                   "numerator": [1.0, 3.0], "denominator": [10.0, 10.0]})
    >>> s = summary_table(r).iloc[0]
    >>> float(s["share_territory"]), int(s["n_below"])
    (0.2, 1)
    """
    r = _prepare_rates(rates, key, name)
    rows = []
    for ind, sub in r.groupby("indicator", sort=False):
        ok = sub["numerator"].notna() & sub["denominator"].notna() & (sub["denominator"] > 0)
        num, den = float(sub.loc[ok, "numerator"].sum()), float(sub.loc[ok, "denominator"].sum())
        terr = num / den if den > 0 else np.nan
        s = sub.dropna(subset=["share"])
        big = s[~set_apart_mask(s, key=key, set_apart=set_apart, denominator="denominator",
                                min_denominator=min_denominator)]
        lo = big.loc[big["share"].idxmin()] if len(big) else None
        hi = big.loc[big["share"].idxmax()] if len(big) else None
        rows.append({
            "indicator": ind, "universe": str(sub["universe"].iloc[0]),
            "numerator": num, "denominator": den, "share_territory": terr,
            "n_districts": int(sub[key].nunique()), "n_missing": int(sub["share"].isna().sum()),
            "share_min": float(lo["share"]) if lo is not None else np.nan,
            "name_min": str(lo[name]) if lo is not None else "",
            "share_max": float(hi["share"]) if hi is not None else np.nan,
            "name_max": str(hi[name]) if hi is not None else "",
            "n_below": int((s["share"] < terr).sum()),
        })
    return pd.DataFrame(rows)


def _html_table(df: pd.DataFrame | None, *, percent: Sequence[str] = (), points: Sequence[str] = (),
                numbers: Sequence[str] = (), lang: str = "en", headers: Mapping[str, str] | None = None,
                max_rows: int = 60, decimals: Mapping[str, int] | None = None) -> str:
    """An HTML table: headers from the translations' ``columns:`` map, ``share*`` columns as
    percentages, universes and severities translated, infinite values as "–"; ``decimals``
    fixes the decimals of some number columns (longitude/latitude)."""
    decimals = dict(decimals or {})
    if df is None or len(df) == 0:
        return ""
    tr = translations(lang)
    one = str(tr.get("district", "District"))  # headers naming "{district}" when the caller gave no word
    base = {c: str(v).replace("{District}", one).replace("{district}", one.lower())
            for c, v in tr.get("columns", {}).items()}
    headers = {**base, **(headers or {})}
    d = pd.DataFrame(df).head(max_rows).copy()
    d = d[[c for c in d.columns if c != "geometry"]]
    percent = set(percent) | {c for c in d.columns if str(c).startswith("share") and c not in points
                              and pd.api.types.is_numeric_dtype(d[c])}
    body = []
    for _, row in d.iterrows():
        cells = []
        for c in d.columns:
            v = row[c]
            if c == "universe" or c == "severity":
                v = tr.get(v, tr.get(f"severity_{v}", v)) if isinstance(v, str) else v
            if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and np.isinf(float(v)):
                cells.append("<td class='n'>–</td>")
            elif c in percent:
                cells.append(f"<td class='n'>{format_percent(v, lang)}</td>")
            elif c in points:
                cells.append(f"<td class='n'>{format_points(v, lang)}</td>")
            elif c in decimals and isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
                cells.append(f"<td class='n'>{format_number(v, lang, decimals[c])}</td>")
            elif c in numbers or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool)):
                fv = float(v) if pd.notna(v) else float("nan")
                dec = 0 if (c in numbers or not np.isfinite(fv) or fv == round(fv) or abs(fv) >= 100) else 3
                cells.append(f"<td class='n'>{format_number(v, lang, dec)}</td>")
            else:
                cells.append(f"<td>{_html.escape('' if pd.isna(v) else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    heads = "".join(f"<th>{_html.escape(headers.get(c, str(c)))}</th>" for c in d.columns)
    more = ""
    if len(df) > max_rows:
        text = tr["more_rows"].format(n=format_number(len(df) - max_rows, lang))
        more = f"<p class='note'>{_html.escape(text)}</p>"
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _distribution_table(dist: pd.DataFrame, lang: str, words: Mapping[str, str],
                        universe: str) -> tuple[str, list[str]]:
    """Inequality figures, one row per indicator and one column per statistic, and their notes.

    The long table of :func:`egovkit.distribution.inequality` (``indicator``, ``statistic``,
    ``value``, ``note``) is pivoted so that no indicator is cut off; its English notes become
    translated sentences under the table (weighting, undefined ratios, highest/lowest names).
    """
    tr = translations(lang)
    if not {"indicator", "statistic", "value"} <= set(dist.columns):
        return _html_table(dist, lang=lang), []
    order = list(dict.fromkeys(dist["statistic"]))
    wide = dist.pivot_table(index="indicator", columns="statistic", values="value", aggfunc="first", sort=False,
                            dropna=False).reindex(columns=order)
    wide = wide.reindex(list(dict.fromkeys(dist["indicator"])))
    notes = [tr["s_weighted"].format(universe=universe, **words)]
    note = dist.set_index(["indicator", "statistic"])["note"] if "note" in dist.columns else pd.Series(dtype=object)
    for ind in wide.index:
        lab = indicator_label(ind, lang)
        mm = note.get((ind, "max_min_ratio"))
        v = wide.at[ind, "max_min_ratio"] if "max_min_ratio" in wide.columns else np.nan
        if isinstance(mm, str) and " / " in mm:
            if pd.notna(v) and np.isinf(v):
                notes.append(tr["s_ratio_undefined"].format(indicator=lab, name=mm.split(" / ", 1)[1]))
            else:
                notes.append(tr["s_max_min"].format(indicator=lab, names=mm))
        tl = note.get((ind, "theil_l"))
        if isinstance(tl, str) and ":" in tl and "theil_l" in wide.columns and pd.isna(wide.at[ind, "theil_l"]):
            notes.append(tr["s_theil_undefined"].format(indicator=lab, names=tl.split(" in ", 1)[-1]))
    shown = wide.reset_index()
    shown["indicator"] = [indicator_label(i, lang) for i in shown["indicator"]]
    stats = {**tr.get("stats", {}), "n_districts": words.get("Districts", "Districts")}
    heads = {c: stats.get(c, c) for c in shown.columns}
    dec = {c: 3 for c in ("gini", "theil_t", "theil_l", "cv")} | {"max_min_ratio": 1, "p90_p10_ratio": 1}
    body = []
    for _, row in shown.iterrows():
        cells = [f"<td>{_html.escape(str(row['indicator']))}</td>"]
        for c in shown.columns[1:]:
            v = row[c]
            if pd.notna(v) and np.isinf(float(v)):
                text = "–"
            elif str(c).startswith("share"):
                text = format_percent(v, lang)
            else:
                text = format_number(v, lang, dec.get(c, 0))
            cells.append(f"<td class='n'>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(
        f"<th>{_html.escape(tr['columns'].get('indicator', 'indicator') if c == 'indicator' else heads[c])}</th>"
        for c in shown.columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>", notes


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _names(values: Sequence[str], lang: str) -> str:
    values = [str(v) for v in values]
    if len(values) <= 1:
        return "".join(values)
    return render("report.names", {"first": values[:-1], "last": values[-1]}, lang=lang)


def _coverage_curve(coverage: pd.DataFrame) -> pd.DataFrame:
    """Territory rows of :func:`egovkit.coverage.coverage` (all sites), or the table as given."""
    c = pd.DataFrame(coverage)
    if "level" in c.columns:
        c = c[c["level"].astype(str) == "territory"]
    if "sites" in c.columns:
        c = c[c["sites"].astype(str) == "all"] if (c["sites"].astype(str) == "all").any() else c
    if "radius_m" not in c.columns:
        raise InputError(code="report.coverage_radius", params={"columns": list(coverage.columns)},
                         column="radius_m")
    return c.sort_values("radius_m").reset_index(drop=True)


#: Longitude/latitude in the page: 5 decimals (about 1 m), enough to find a site on the ground.
_LONLAT_DECIMALS = {"longitude": 5, "latitude": 5}


def _outputs_text(lang: str) -> dict[str, str]:
    """Words of the workbook, the GIS files and their links (``workbook.yaml``)."""
    from .workbook import _data

    text = _data()["text"]
    return text.get(lang, text["en"])


def _lonlat(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Longitude and latitude (EPSG:4326) of each feature: the point itself, or a point inside
    each polygon (``representative_point``, never outside a concave zone); None without a CRS."""
    if gdf.crs is None or len(gdf) == 0:
        return None
    geom = gdf.geometry
    pts = geom.where(geom.geom_type == "Point", geom.representative_point())
    ll = gpd.GeoSeries(pts, crs=gdf.crs).to_crs(4326)
    return ll.x.to_numpy(dtype=float), ll.y.to_numpy(dtype=float)


def _with_lonlat(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attributes of ``gdf`` with ``longitude``/``latitude`` (EPSG:4326) appended, for a CSV."""
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    ll = _lonlat(gdf)
    if ll is not None:
        df = df.drop(columns=["longitude", "latitude"], errors="ignore").assign(longitude=ll[0], latitude=ll[1])
    return df


def _write_lonlat_layers(gdf: gpd.GeoDataFrame, folder: Path, stem: str, word: str) -> list[Path]:
    """``stem.geojson`` and ``stem.kml`` in EPSG:4326 (GIS, Google Earth); nothing without a CRS.

    The KML placemarks are named ``<word> <rank>`` (GDAL writes them as escaped XML text)."""
    if gdf.crs is None or len(gdf) == 0:
        return []
    g = gdf.to_crs(4326)
    for c in g.columns:
        if c != g.geometry.name and (g[c].dtype == object or pd.api.types.is_string_dtype(g[c].dtype)):
            g[c] = g[c].astype("string")
    g = g.drop(columns=["longitude", "latitude"], errors="ignore")
    ll = _lonlat(gdf)
    g["longitude"], g["latitude"] = ll  # type: ignore[misc]
    paths = [folder / f"{stem}.geojson", folder / f"{stem}.kml"]
    for p in paths:
        p.unlink(missing_ok=True)
    g.to_file(paths[0], driver="GeoJSON", engine="pyogrio")
    ranks = (g["rank"].astype("string") if "rank" in g.columns
             else pd.Series(range(1, len(g) + 1), index=g.index).astype("string"))
    g.insert(0, "Name", (word + " " + ranks).astype("string"))
    g.to_file(paths[1], driver="KML", engine="pyogrio")
    return paths


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    g = gdf.copy()
    for c in g.columns:
        if c != g.geometry.name and g[c].dtype == object:
            g[c] = g[c].astype("string")
    g.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", SPATIAL_INDEX="NO")
    return path


def _inside(out: Path, paths: Sequence[str | Path]) -> list[str]:
    """``paths`` as POSIX paths relative to ``out``, for links that work wherever the folder is moved.

    A path may be absolute, relative to the working directory (``out/demo/tables/x.csv``) or
    relative to ``out`` (``tables/x.csv``); files that are not inside ``out`` are left out.
    """
    root = out.resolve()
    rel = []
    for f in paths:
        p = Path(f)
        for cand in ([p] if p.is_absolute() else [out / p, p]):
            try:
                r = cand.resolve().relative_to(root)
            except ValueError:
                continue
            if (root / r).is_file():
                rel.append(r.as_posix())
                break
    return rel


def _district_names(df: pd.DataFrame, rates: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    """For display: the ``district`` codes of gap zones / new sites as names; ids as text."""
    df = df.copy()
    if "district" in df.columns and name in rates.columns:
        names = rates.drop_duplicates(key).set_index(key, drop=False)[name]  # key may be the name
        code = _key(df["district"])
        df["district"] = code.map(names).fillna(code)
    for c in ("candidate", "site_id"):
        if c in df.columns:
            df[c] = df[c].astype("string")
    return df


def _uniq(*cols: str) -> list[str]:
    return list(dict.fromkeys(cols))


def _without_name(df: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    """The values without their name column (the map takes names from the boundaries)."""
    return df if name == key else df.drop(columns=[name], errors="ignore")


def _Markup(s: str) -> Any:
    """Mark HTML as safe for the autoescaping template: only for fragments built in egovkit from escaped
    text (``_html_table``, ``diagnosis_section``) or given as trusted ``extra_sections``, never user text."""
    from markupsafe import Markup

    return Markup(s)
