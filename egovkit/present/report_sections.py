"""The sections of the diagnosis report, one builder each, all reading one :class:`ReportInputs`.

:func:`egovkit.present.report.build_report` starts a :class:`ReportPage` (the territory's rates, the
main indicator, the summary table, the translations) and hands it with the inputs to each builder in
turn; a builder writes its tables and figures into the output folder and adds to the page its
sentences, notes, HTML tables, cards, maps and charts. A builder reads only the inputs and what the
page already holds, so a section can be understood, tested or left out on its own.

Examples
--------
>>> import geopandas as gpd, pandas as pd, tempfile
>>> from shapely.geometry import box
>>> d = gpd.GeoDataFrame({"area_code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
>>> rates = pd.DataFrame({"area_code": ["A", "B"], "indicator": "tv", "numerator": [1.0, 3.0],
...                       "denominator": [10.0, 10.0]})
>>> page = start_page(ReportInputs(territory_name="Demo", districts=d, rates=rates), tempfile.mkdtemp())
>>> summary_figures(ReportInputs(territory_name="Demo", districts=d, rates=rates), page)
>>> page.cards[0]["value"], page.sentences["summary"][0][:30]
('2', 'Households with a television: ')
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..distribution.lagging import set_apart_mask
from ..errors import InputError
from ..export import write_csv
from ..shared.catalogue import indicator_label
from ..validate import ValidationReport
from . import charts
from .i18n import format_number, format_percent, translations
from .maps import _key, _lisa_code, indicator_map
from .offline import render_offline
from .report_tables import (
    _LONLAT_DECIMALS,
    CSV_FLOAT,
    _coverage_curve,
    _distribution_table,
    _district_names,
    _html_table,
    _names,
    _outputs_text,
    _png_data_uri,
    _prepare_rates,
    _uniq,
    _with_lonlat,
    _without_name,
    _write_gpkg,
    _write_lonlat_layers,
    summary_table,
)
from .static_maps import static_indicator_map

__all__ = ["ReportInputs", "ReportPage", "SECTIONS", "start_page"]


@dataclass
class ReportInputs:
    """Everything a diagnosis report is made of: the data of the territory and how to show it.

    The fields are the arguments of :func:`egovkit.present.report.build_report` (see there): the
    district polygons and the long rates table are required, every other layer (hotspots, coverage,
    gap zones, new sites, lagging districts, LISA clusters, inequality figures, an e-governance
    assessment, the validation report) is optional and its section says so when it is absent.
    ``key`` names the column of the district code, ``name`` the column of its label.
    """

    territory_name: str
    districts: gpd.GeoDataFrame
    rates: pd.DataFrame
    key: str = "area_code"
    name: str = "area_name"
    indicator: str | None = None
    hotspots: gpd.GeoDataFrame | None = None
    coverage: pd.DataFrame | None = None
    coverage_areas: gpd.GeoDataFrame | None = None
    coverage_radius_m: float | None = None
    gap_zones: gpd.GeoDataFrame | None = None
    new_sites: gpd.GeoDataFrame | None = None
    lagging: pd.DataFrame | None = None
    lisa: pd.DataFrame | None = None
    distribution: pd.DataFrame | Mapping[str, Any] | None = None
    lang: str = "en"
    title: str | None = None
    scheme: str = "quantiles"
    k: int = 5
    tiles: str | None = None
    n_lowest: int = 5
    static_maps_for: Sequence[str] | None = None
    map_geometry_bytes: int = 1_000_000
    assessment: Any = None
    action_plan: pd.DataFrame | None = None
    extra_sections: Sequence[str] = ()
    district_word: str = "district"
    lagging_sentences: Sequence[str] = ()
    min_denominator: float = 0
    set_apart: Sequence[str] = ()
    validation: ValidationReport | None = None
    extra_files: Sequence[str | Path] = ()
    extra_notes: Mapping[str, Sequence[str]] | None = None

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The names of the inputs.

        >>> "gap_zones" in ReportInputs.fields()
        True
        """
        return tuple(f.name for f in dataclasses.fields(cls))


@dataclass
class ReportPage:
    """What the sections have written so far: files, sentences, notes, HTML tables, cards, maps, charts;
    and what they share (the prepared rates ``r``, the main indicator and its rows, the summary)."""

    out: Path
    lang: str
    tr: dict[str, Any]
    words: dict[str, str]
    one: str
    many: str
    r: pd.DataFrame
    indicators: list[str]
    indicator: str
    label: str
    main: pd.DataFrame
    excluded: pd.Series
    not_residential: pd.Series
    summary: pd.DataFrame
    srow: pd.Series
    universe: str
    files: list[Path] = field(default_factory=list)
    sentences: dict[str, list[str]] = field(default_factory=lambda: {
        k: [] for k in ("summary", "lagging", "wifi", "distribution", "quality")})
    notes: dict[str, list[str]] = field(default_factory=lambda: {"wifi": [], "distribution": [], "quality": []})
    tables: dict[str, str] = field(default_factory=dict)
    cards: list[dict[str, str]] = field(default_factory=list)
    maps: list[dict[str, str]] = field(default_factory=list)
    static: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    lisa_column: str | None = None
    scheme_label: str = ""
    map_counts: dict[str, int] = field(default_factory=dict)
    join_report: ValidationReport | None = None
    lorenz_chart: dict[str, str] | None = None

    @property
    def hdr(self) -> dict[str, str]:
        """Column headers in the page's language."""
        return self.tr.get("columns", {})

    def figure(self, fig: Any, stem: str, caption: str, **save: Any) -> dict[str, str]:
        """Save a figure (PNG and SVG) into ``figures/``, list its files, return its page entry."""
        paths = charts.save_figure(fig, self.out / "figures", stem, **save)
        self.files += paths
        return {"src": _png_data_uri(paths[0]), "svg": f"figures/{paths[1].name}", "caption": caption}

    def table_file(self, df: pd.DataFrame, name: str) -> Path:
        """Write ``tables/<name>.csv`` and list it."""
        path = self.out / "tables" / f"{name}.csv"
        write_csv(df, path, float_format=CSV_FLOAT)
        self.files.append(path)
        return path


def start_page(inp: ReportInputs, out_dir: str | Path) -> ReportPage:
    """The page of a report: folders made, rates prepared, main indicator chosen, summary computed."""
    lang = inp.lang
    tr = translations(lang)
    one, many = tr.get("district_words", {}).get(inp.district_word, [inp.district_word, inp.district_word + "s"])
    words = {"district": one, "districts": many, "Districts": many[:1].upper() + many[1:]}
    tr["sec_lagging"] = tr["sec_lagging"].format(**words)
    tr["sec_distribution"] = tr["sec_distribution"].format(**words)
    # table headers name the districts as the territory does ("Comté" for a Kenyan county, not "District")
    one_cap = one[:1].upper() + one[1:]
    words["District"] = one_cap
    tr["columns"] = {**{c: v.format(**words) if "{" in str(v) else v for c, v in tr.get("columns", {}).items()},
                     **{c: one_cap for c in ("area_name", "area", "district")},
                     **{c: words["Districts"] for c in ("n_districts", "districts")}}
    tr["stats"] = {**tr.get("stats", {}), "n_districts": words["Districts"]}
    out = Path(out_dir)
    for sub in ("maps", "figures", "tables"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    key = inp.key
    r = _prepare_rates(inp.rates, key, inp.name)
    indicators = list(dict.fromkeys(r["indicator"]))
    indicator = inp.indicator
    if indicator is None:
        indicator = "internet" if "internet" in indicators else indicators[0]
    elif indicator not in indicators:
        raise InputError(code="report.indicator_missing", params={"indicator": indicator, "indicators": indicators},
                         column="indicator")
    main = r[r["indicator"] == indicator].drop_duplicates(key)
    set_apart = [str(x) for x in inp.set_apart]
    # one mask (from keys and the main indicator's denominator) for the summary, sentences and lists
    excluded = set_apart_mask(main, key=key, set_apart=set_apart, denominator="denominator",
                              min_denominator=inp.min_denominator)
    summary = summary_table(r, key=key, name=inp.name, set_apart=main.loc[excluded, key].tolist())
    srow = summary.set_index("indicator").loc[indicator]
    page = ReportPage(out=out, lang=lang, tr=tr, words=words, one=one, many=many, r=r, indicators=indicators,
                      indicator=indicator, label=indicator_label(indicator, lang), main=main, excluded=excluded,
                      not_residential=main[key].isin(set_apart), summary=summary, srow=srow,
                      universe=tr.get(srow["universe"], srow["universe"]))
    for k_, v_ in (inp.extra_notes or {}).items():
        page.notes.setdefault(k_, []).extend(v_)
    return page


def district_layers(inp: ReportInputs, page: ReportPage) -> None:
    """``tables/summary.csv``, ``district_rates.csv`` and the districts with their rates as GeoPackage."""
    key, name, r, districts = inp.key, inp.name, page.r, inp.districts
    write_csv(page.summary, page.out / "tables" / "summary.csv", float_format=CSV_FLOAT)
    write_csv(r, page.out / "tables" / "district_rates.csv", float_format=CSV_FLOAT)
    wide = charts.district_table(r, page.indicators, key=key)
    wide.index.name = key
    wide.columns = [f"share_{c}" for c in wide.columns]
    geo = districts[_uniq(key, name if name in districts.columns else key, districts.geometry.name)].copy()
    geo[key] = _key(geo[key])
    geo = geo.merge(wide.reset_index(), on=key, how="left")
    page.files.append(_write_gpkg(gpd.GeoDataFrame(geo, geometry=districts.geometry.name, crs=districts.crs),
                                  page.out / "tables" / "districts.gpkg", "districts"))
    page.files += [page.out / "tables" / "summary.csv", page.out / "tables" / "district_rates.csv"]


def _lisa_table(inp: ReportInputs, page: ReportPage) -> pd.DataFrame | None:
    """The LISA clusters (key + cluster column) for the maps, checked once."""
    if inp.lisa is None:
        return None
    if page.lisa_column is None:
        page.lisa_column = next((c for c in ("lisa_cluster", "cluster") if c in inp.lisa.columns), None)
        if page.lisa_column is None or inp.key not in inp.lisa.columns:
            raise InputError(code="report.lisa_columns", params={"key": inp.key}, column="lisa_cluster")
    return pd.DataFrame(inp.lisa)[[inp.key, page.lisa_column]]


def interactive_map(inp: ReportInputs, page: ReportPage) -> None:
    """The interactive map of the main indicator (offline, inlined compressed), and its join report."""
    page.join_report = ValidationReport(source="rates <-> districts")
    lisa = _lisa_table(inp, page)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mismatches are in join_report and in the report
        m = indicator_map(inp.districts, _without_name(page.main, inp.key, inp.name), key=inp.key,
                          name=inp.name, label=page.label, scheme=inp.scheme, k=inp.k, hotspots=inp.hotspots,
                          coverage_areas=inp.coverage_areas, coverage_radius_m=inp.coverage_radius_m,
                          gap_zones=inp.gap_zones, new_sites=inp.new_sites, lisa=lisa,
                          lisa_column=page.lisa_column or "cluster", tiles=inp.tiles, lang=page.lang,
                          report=page.join_report, max_geometry_bytes=inp.map_geometry_bytes)
    map_html = render_offline(m)
    map_path = page.out / "maps" / f"{page.indicator}.html"
    map_path.write_text(map_html, encoding="utf-8")
    page.files.append(map_path)
    classes = m.egovkit_classes
    page.scheme_label = page.tr.get(f"scheme_{classes.scheme}", classes.scheme)
    page.maps.append({
        "gz_b64": base64.b64encode(gzip.compress(map_html.encode("utf-8"), 9, mtime=0)).decode("ascii"),
        "href": f"maps/{page.indicator}.html",
        "caption": page.tr["caption_map"].format(indicator=page.label, scheme=page.scheme_label, k=classes.k,
                                                 **page.words)})
    # counted by the map join (beyond a few districts the join report has one summary line)
    page.map_counts = {"no_data": m.egovkit_join["no_data"], "no_geometry": m.egovkit_join["no_geometry"]}


def data_checks(inp: ReportInputs, page: ReportPage) -> None:
    """"Data checks": the join of the rates to the districts and the validation report, in the page's language."""
    tr, lang = page.tr, page.lang
    qual = (page.join_report or ValidationReport()).to_frame(lang)
    page.table_file(qual, "join_report")
    page.sentences["quality"].append(tr["s_join"].format(n_no_data=page.map_counts.get("no_data", 0),
                                                         n_no_geom=page.map_counts.get("no_geometry", 0),
                                                         **page.words))
    page.tables["quality"] = _html_table(qual[["severity", "code", "area", "message", "action"]], lang=lang,
                                         headers=page.hdr)
    if inp.validation is None:
        return
    vf = inp.validation.to_frame(lang)
    vf = vf[vf["severity"].isin(["error", "warning"])]
    vf = vf.sort_values("severity", key=lambda c: c.map({"error": 0, "warning": 1}), kind="stable")
    if vf.empty:
        page.sentences["quality"].append(tr["s_validation_clean"])
    else:
        page.sentences["quality"].append(tr["s_validation"].format(
            n_err=format_number((vf["severity"] == "error").sum(), lang),
            n_warn=format_number((vf["severity"] == "warning").sum(), lang)))
    cols = [c for c in ("severity", "source", "row", "column", "area", "message", "fix") if c in vf.columns]
    vf = vf[cols].astype("object").where(vf[cols].notna(), "")
    if not vf.empty:
        page.tables["quality"] += _html_table(vf, lang=lang, headers=page.hdr, max_rows=100)


def static_maps(inp: ReportInputs, page: ReportPage) -> None:
    """A static map per indicator (the main one first: it stands for the interactive map in print)."""
    chosen = inp.static_maps_for
    if chosen is None:
        chosen = [page.indicator] + [i for i in page.indicators[:6] if i != page.indicator][:5]
    lisa = _lisa_table(inp, page)
    for ind in chosen:
        is_main = ind == page.indicator
        sub = _without_name(page.r[page.r["indicator"] == ind].drop_duplicates(inp.key), inp.key, inp.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig = static_indicator_map(inp.districts, sub, key=inp.key, name=inp.name,
                                       label=indicator_label(ind, page.lang), scheme=inp.scheme, k=inp.k,
                                       hotspots=inp.hotspots if is_main else None,
                                       gap_zones=inp.gap_zones if is_main else None,
                                       coverage_areas=inp.coverage_areas if is_main else None,
                                       coverage_radius_m=inp.coverage_radius_m if is_main else None,
                                       lisa=lisa if is_main else None,
                                       lisa_column=page.lisa_column or "cluster",
                                       new_sites=inp.new_sites if is_main else None, lang=page.lang)
        caption = page.tr["caption_map"].format(indicator=indicator_label(ind, page.lang), scheme=page.scheme_label,
                                                k=inp.k, **page.words)
        page.static.append({**page.figure(fig, f"map_{ind}", caption, dpi=90), "main": is_main})


def summary_figures(inp: ReportInputs, page: ReportPage) -> None:
    """The summary cards and sentences (every number read from the summary table)."""
    tr, lang, srow = page.tr, page.lang, page.srow
    page.cards += [{"value": format_number(srow["n_districts"], lang),
                    "label": tr["fig_districts"].format(**page.words)},
                   {"value": format_number(srow["denominator"], lang),
                    "label": tr["fig_denominator"].format(universe=page.universe)}]
    for _, s in page.summary.iterrows():
        uni = tr.get(s["universe"], s["universe"])
        lab = indicator_label(s["indicator"], lang)
        page.cards.append({"value": format_percent(s["share_territory"], lang),
                           "label": tr["fig_rate"].format(indicator=lab)})
        page.sentences["summary"].append(tr["s_rate"].format(
            territory=inp.territory_name, rate=format_percent(s["share_territory"], lang), universe=uni,
            num=format_number(s["numerator"], lang), den=format_number(s["denominator"], lang), indicator=lab))
    page.sentences["summary"].append(tr["s_range"].format(
        n=format_number(srow["n_districts"], lang), min=format_percent(srow["share_min"], lang),
        min_name=srow["name_min"], max=format_percent(srow["share_max"], lang), max_name=srow["name_max"],
        n_below=format_number(srow["n_below"], lang), **page.words))
    if srow["n_missing"]:
        page.sentences["summary"].append(tr["s_missing"].format(n=format_number(srow["n_missing"], lang),
                                                                **page.words))
    apart = page.main[page.not_residential]
    if len(apart):
        page.sentences["lagging"].append(tr["s_set_apart"].format(
            n=format_number(len(apart), lang), districts=page.many if len(apart) > 1 else page.one,
            names=_names([str(v) for v in apart[inp.name]], lang)))
    small = page.main[page.excluded & ~page.not_residential]
    if len(small):
        page.sentences["lagging"].append(tr["s_small_excluded"].format(
            n=format_number(len(small), lang), districts=page.many if len(small) > 1 else page.one,
            min=format_number(inp.min_denominator, lang), universe=page.universe,
            names=_names([str(v) for v in small[inp.name]], lang)))


def lagging_section(inp: ReportInputs, page: ReportPage) -> None:
    """The lagging districts as given (:func:`egovkit.distribution.lagging_districts`), else the lowest rates."""
    tr, lang, key, name = page.tr, page.lang, inp.key, inp.name
    terr = float(page.srow["share_territory"])
    page.sentences["lagging"][:0] = [str(x) for x in inp.lagging_sentences]
    if inp.lagging is not None and len(inp.lagging):
        lag = pd.DataFrame(inp.lagging).drop(columns=["geometry"], errors="ignore")
        name_col = next((c for c in ("area", name, key) if c in lag.columns), lag.columns[0])
        listed = [str(v) for v in lag[name_col].head(10)]
        if len(lag) > len(listed):  # say that the list goes on (the table below has them all)
            listed.append(tr["n_more"].format(n=format_number(len(lag) - len(listed), lang)))
        page.sentences["lagging"].append(tr["s_lagging"].format(n=format_number(len(lag), lang),
                                                                names=_names(listed, lang), **page.words))
        page.table_file(lag, "lagging_districts")
        show = [c for c in (name_col, "share", "gap_pct_points", "denominator", "missing_to_territory")
                if c in lag.columns]
        shown = lag[show].copy()
        if "gap_pct_points" in shown:  # percentage points -> share difference, shown as "-14.4 pp"
            shown["gap_pct_points"] = shown["gap_pct_points"] / 100.0
        page.tables["lagging"] = _html_table(shown, percent=["share"], points=["gap_pct_points"],
                                             numbers=[c for c in ("denominator", "missing_to_territory") if c in shown],
                                             lang=lang, headers=page.hdr, max_rows=100)
        return
    low = page.main[~page.excluded].dropna(subset=["share"])
    low = low.sort_values("share", kind="stable").head(inp.n_lowest)
    low = low[_uniq(key, name, "numerator", "denominator", "share")]
    low = low.assign(gap_share=lambda d: d["share"] - terr)
    page.table_file(low, "lowest_districts")
    page.sentences["lagging"].append(tr["s_lowest"].format(names=_names(
        [f"{n} ({format_percent(v, lang)})" for n, v in zip(low[name], low["share"])], lang), **page.words))
    page.tables["lagging"] = _html_table(low, percent=["share"], points=["gap_share"],
                                         numbers=["numerator", "denominator"], lang=lang, headers=page.hdr)


def hotspot_figures(inp: ReportInputs, page: ReportPage) -> None:
    """How many hotspots, per 10,000 of the main indicator's universe."""
    tr, lang = page.tr, page.lang
    if inp.hotspots is None:
        page.notes["wifi"].append(tr["omitted"].format(what=tr["what_hotspots"]))
        return
    n_h, den = len(inp.hotspots), page.srow["denominator"]
    per = n_h / den * 10_000 if den > 0 else np.nan
    page.sentences["wifi"].append(tr["s_hotspots"].format(n=format_number(n_h, lang),
                                                          per10k=format_number(per, lang, 1), universe=page.universe))
    page.cards.append({"value": format_number(n_h, lang), "label": tr["fig_hotspots"]})


def coverage_section(inp: ReportInputs, page: ReportPage) -> None:
    """The share of the population within each radius of a hotspot: table, sentences, curve."""
    tr, lang = page.tr, page.lang
    if inp.coverage is None:
        page.notes["wifi"].append(tr["omitted"].format(what=tr["what_coverage"]))
        return
    curve = _coverage_curve(inp.coverage)
    share_col = next((c for c in ("share_covered",) if c in curve.columns), None) or charts._share_column(curve)
    page.table_file(curve, "coverage")
    for _, c in curve.iterrows():
        page.sentences["wifi"].append(tr["s_coverage"].format(share=format_percent(c[share_col], lang),
                                                              radius=format_number(c["radius_m"], lang)))
    show = [c for c in ("radius_m", "population", "population_covered", share_col) if c in curve.columns]
    page.tables["coverage"] = _html_table(curve[show], percent=[share_col], lang=lang, headers=page.hdr)
    fig = charts.coverage_chart(curve, share_column=share_col, lang=lang)
    page.charts.append(page.figure(fig, "coverage_curve", tr["caption_coverage"]))


def gap_zones_section(inp: ReportInputs, page: ReportPage) -> None:
    """The uncovered populated zones: GeoPackage, CSV with longitude/latitude, GeoJSON, KML, sentence."""
    tr, lang = page.tr, page.lang
    if inp.gap_zones is None:
        page.notes["wifi"].append(tr["omitted"].format(what=tr["what_gaps"]))
        return
    g = inp.gap_zones.copy()
    if "area_km2" not in g.columns:
        g["area_km2"] = g.geometry.to_crs(g.to_crs(4326).estimate_utm_crs()).area / 1e6
    # gap_zones, not gaps: tables/gaps.csv is the gap of each district to the territory rate
    page.files.append(_write_gpkg(g, page.out / "tables" / "gap_zones.gpkg", "gap_zones"))
    page.table_file(_with_lonlat(g), "gap_zones")
    page.files += _write_lonlat_layers(g, page.out / "tables", "gap_zones", _outputs_text(lang)["kml_zone"])
    area = float(g["area_km2"].sum())
    if "population" in g.columns:
        page.sentences["wifi"].append(tr["s_gaps_pop"].format(n=format_number(len(g), lang),
                                                              area=format_number(area, lang, 1),
                                                              pop=format_number(g["population"].sum(), lang)))
    else:
        page.sentences["wifi"].append(tr["s_gaps"].format(n=format_number(len(g), lang),
                                                          area=format_number(area, lang, 1)))
    page.tables["gaps"] = _html_table(_district_names(_with_lonlat(g), page.r, inp.key, inp.name), lang=lang,
                                      headers=page.hdr, max_rows=15, decimals=_LONLAT_DECIMALS)


def new_sites_section(inp: ReportInputs, page: ReportPage) -> None:
    """The proposed sites: GeoPackage, CSV with longitude/latitude, GeoJSON, KML, sentence and card."""
    tr, lang = page.tr, page.lang
    if inp.new_sites is None:
        page.notes["wifi"].append(tr["omitted"].format(what=tr["what_new_sites"]))
        return
    ns = inp.new_sites.copy()
    page.files.append(_write_gpkg(ns, page.out / "tables" / "new_sites.gpkg", "new_sites"))
    page.table_file(_with_lonlat(ns), "new_sites")
    page.files += _write_lonlat_layers(ns, page.out / "tables", "new_sites", _outputs_text(lang)["kml_site"])
    popc = next((c for c in ("population_added", "population_gain", "population_covered") if c in ns.columns), None)
    if popc:
        page.sentences["wifi"].append(tr["s_new_sites_pop"].format(n=format_number(len(ns), lang),
                                                                   pop=format_number(ns[popc].sum(), lang)))
    else:
        page.sentences["wifi"].append(tr["s_new_sites"].format(n=format_number(len(ns), lang)))
    page.cards.append({"value": format_number(len(ns), lang), "label": tr["fig_new_sites"]})
    page.tables["new_sites"] = _html_table(_district_names(_with_lonlat(ns), page.r, inp.key, inp.name), lang=lang,
                                           headers=page.hdr, max_rows=15, decimals=_LONLAT_DECIMALS)


def distribution_section(inp: ReportInputs, page: ReportPage) -> None:
    """The Lorenz curve and Gini of the main indicator, the inequality table, the LISA clusters."""
    tr, lang, indicator = page.tr, page.lang, page.indicator
    fig = charts.lorenz_chart(page.r, indicator, lang=lang)
    gini = fig.egovkit_gini
    lorenz = page.figure(fig, f"lorenz_{indicator}",
                         tr["caption_lorenz"].format(indicator=page.label, universe=page.universe))
    page.table_file(pd.DataFrame({"indicator": [indicator], "gini_districts": [gini]}), "lorenz_gini")
    page.sentences["distribution"].append(tr["s_lorenz"].format(
        indicator=page.label, universe=page.universe, gini=format_number(gini, lang, 3), **page.words))
    page.lorenz_chart = lorenz  # shown last among the charts
    if inp.distribution is not None:
        d = inp.distribution
        dist = (pd.DataFrame({"measure": list(d.keys()), "value": list(d.values())})
                if isinstance(d, Mapping) else pd.DataFrame(d).reset_index(drop=True))
        page.table_file(dist, "distribution")
        html_, dnotes = _distribution_table(dist.drop(columns=["geometry"], errors="ignore"), lang, page.words,
                                            page.universe)
        page.tables["distribution"] = html_
        page.notes["distribution"] += dnotes
        if "indicator" in dist.columns:
            skipped = [i for i in page.indicators if i not in set(dist["indicator"])]
            if skipped:
                page.notes["distribution"].append(tr["s_not_computed"].format(
                    what=_names([indicator_label(i, lang) for i in skipped], lang)))
    else:
        page.notes["distribution"].append(tr["omitted"].format(what=tr["what_distribution"]))
    lisa = _lisa_table(inp, page)
    if lisa is None:
        page.notes["distribution"].append(tr["omitted"].format(what=tr["what_lisa"]))
        return
    codes = pd.Series([_lisa_code(v) for v in lisa[page.lisa_column]], dtype="object").value_counts()
    lt = pd.DataFrame({"cluster": codes.index, "districts": codes.to_numpy()})
    page.table_file(lt, "lisa_clusters")
    page.tables["distribution"] = page.tables.get("distribution", "") + _html_table(lt, lang=lang, headers=page.hdr)


def district_charts(inp: ReportInputs, page: ReportPage) -> None:
    """Ranked bars of the main indicator and the heat map of every indicator first, the Lorenz curve last."""
    tr, lang = page.tr, page.lang
    fig = charts.ranked_bar_chart(page.r, page.indicator, key=inp.key, name=inp.name, lang=lang)
    page.charts.insert(0, page.figure(fig, f"ranked_{page.indicator}",
                                      tr["caption_bars"].format(indicator=page.label, **page.words)))
    if len(page.indicators) > 1:
        fig = charts.ownership_chart(page.r, page.indicators, key=inp.key, name=inp.name, lang=lang)
        wifi_only = all(str(i).startswith("wifi_") for i in page.indicators)
        caption = (tr["caption_heatmap_wifi"] if wifi_only else tr["caption_heatmap"]).format(**page.words)
        page.charts.insert(1, page.figure(fig, "ownership_heatmap", caption))
    if page.lorenz_chart:
        page.charts.append(page.lorenz_chart)


def page_tables(inp: ReportInputs, page: ReportPage) -> None:
    """The summary table and the table of every district's rates, as shown in the page."""
    lang, key, name = page.lang, inp.key, inp.name
    summary = page.summary
    page.tables["summary"] = _html_table(
        summary.assign(indicator=[indicator_label(i, lang) for i in summary["indicator"]]),
        percent=["share_territory", "share_min", "share_max"], numbers=["numerator", "denominator"],
        lang=lang, headers=page.hdr)
    dist_tab = charts.district_table(page.r, page.indicators, key=key)
    if name != key:
        dist_tab.insert(0, name, page.r.drop_duplicates(key).set_index(key)[name].reindex(dist_tab.index))
    dist_tab = dist_tab.rename_axis(key).reset_index()
    dist_tab.columns = [page.hdr.get(c, c) if c in (key, name) else indicator_label(c, lang)
                        for c in dist_tab.columns]
    page.tables["districts"] = _html_table(dist_tab, percent=[indicator_label(c, lang) for c in page.indicators],
                                           lang=lang, max_rows=250)


def assessment_section(inp: ReportInputs, page: ReportPage) -> None:
    """The e-governance diagnosis (maturity, action plan) when an assessment is given, then extra sections."""
    if inp.assessment is not None:
        try:
            from .diagnosis_plots import diagnosis_section
        except ImportError as e:  # pragma: no cover - the diagnosis layer is optional
            raise InputError(code="report.no_diagnosis", params={"error": str(e)}, column="assessment") from e
        page.sections.append(diagnosis_section(inp.assessment, page.lang, plan=inp.action_plan))
    page.sections += list(inp.extra_sections)


#: The builders, in the order they run (the page shows its sections in the template's order).
SECTIONS = (district_layers, interactive_map, data_checks, static_maps, summary_figures, lagging_section,
            hotspot_figures, coverage_section, gap_zones_section, new_sites_section, distribution_section,
            district_charts, page_tables, assessment_section)
