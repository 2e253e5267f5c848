"""egovkit.present.report: files written, numbers in the text equal direct formulas, en/fr, offline."""

from __future__ import annotations

import base64
import gzip
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from egovkit.errors import InputError
from egovkit.present.i18n import format_number, format_percent
from egovkit.present.offline import external_assets
from egovkit.present.report import build_report, indicator_label, summary_table

from test_present_synthetic import grid_districts, grid_rates, random_points


def _text(html: str) -> str:
    """Visible text of the report page outside the map iframe, tags removed."""
    html = re.sub(r"<iframe.*?</iframe>|<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.fixture(scope="module")
def territory():
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet", "computer"), drop=2)
    return d, rates


@pytest.fixture(scope="module")
def minimal_report(territory, tmp_path_factory):
    d, rates = territory
    out = tmp_path_factory.mktemp("rep") / "en"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(out, territory_name="Gridland", districts=d, rates=rates)
    return out, index


def test_minimal_report_writes_everything_offline(minimal_report, territory):
    out, index = minimal_report
    d, rates = territory
    html = index.read_text(encoding="utf-8")
    assert external_assets(html) == []
    assert "<img" in html and "data:image/png;base64," in html
    # the interactive map travels gzip-compressed in index.html: it inflates to the map file, byte for byte
    payload = re.search(r'<script type="application/gzip;base64" id="egovkit-map-1">(.*?)</script>', html, re.S)
    inflated = gzip.decompress(base64.b64decode(payload.group(1))).decode("utf-8")
    assert inflated == (out / "maps" / "internet.html").read_text(encoding="utf-8")
    assert len(payload.group(1)) < 0.5 * len(inflated)
    for f in ("tables/summary.csv", "tables/district_rates.csv", "tables/districts.gpkg",
              "tables/join_report.csv", "tables/lowest_districts.csv", "maps/internet.html",
              "figures/ranked_internet.png", "figures/ranked_internet.svg", "figures/ownership_heatmap.svg",
              "figures/lorenz_internet.png", "figures/map_internet.png", "figures/map_computer.svg"):
        assert (out / f).is_file(), f
    g = gpd.read_file(out / "tables" / "districts.gpkg")
    assert len(g) == len(d) and g["share_internet"].isna().sum() == 2
    # sections without inputs say so
    txt = _text(html)
    assert "Not included: no hotspot list was given." in txt
    assert "Not included: the gap zones was not provided." in txt or "gap zones" in txt


def test_minimal_report_has_its_workbook_and_links_inside_the_folder(minimal_report):
    out, index = minimal_report
    book = pd.read_excel(out / "tables.xlsx", sheet_name=None)
    csvs = sorted(p.stem for p in (out / "tables").glob("*.csv"))
    assert sorted(book) == sorted(["README", *csvs])  # no validation sheet: no validation report given
    s = book["summary"].set_index("indicator")
    assert s.loc["internet", "share_territory (0-1 of households)"] == pytest.approx(
        pd.read_csv(out / "tables" / "summary.csv").set_index("indicator").loc["internet", "share_territory"])
    html = index.read_text(encoding="utf-8")
    assert '<a href="tables.xlsx">' in html
    links = re.findall(r'(?:href|src)="(?!data:|#)([^"]+)"', html)
    assert links and all((out / u).is_file() for u in links)
    assert "@media print" in html and "figure.interactive.has-static" in html
    assert 'class="interactive has-static"' in html and 'class="static-map main-map"' in html


def test_french_workbook_readme(territory, tmp_path):
    d, rates = territory
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(tmp_path, territory_name="Grille", districts=d, rates=rates, lang="fr", static_maps_for=())
    readme = pd.read_excel(tmp_path / "tables.xlsx", sheet_name="README")
    assert list(readme.columns) == ["feuille", "fichier", "lignes", "colonnes", "contenu"]
    assert "Taux du territoire" in readme.set_index("feuille").at["summary", "contenu"]
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Tous les tableaux dans un classeur Excel" in html
    assert 'class="interactive"' in html  # no static map: the interactive map is printed as it is


def test_numbers_in_the_text_come_from_direct_formulas(minimal_report, territory):
    out, index = minimal_report
    d, rates = territory
    txt = _text(index.read_text(encoding="utf-8"))
    sub = rates[rates.indicator == "internet"]
    share = sub.numerator / sub.denominator
    terr = sub.numerator.sum() / sub.denominator.sum()
    label = indicator_label("internet", "en")
    assert (f"{label}: {100 * terr:.1f}% in Gridland ({sub.numerator.sum():,.0f} of "
            f"{sub.denominator.sum():,.0f} households).") in txt
    lo, hi = share.idxmin(), share.idxmax()
    assert (f"the rate ranges from {100 * share[lo]:.1f}% in {sub.area_name[lo]} to "
            f"{100 * share[hi]:.1f}% in {sub.area_name[hi]}; {(share < terr).sum()} districts are below") in txt
    # the lowest five, in order, with their rates
    low = share.sort_values().index[:5]
    names = [f"{sub.area_name[i]} ({100 * share[i]:.1f}%)" for i in low]
    assert ("The districts with the lowest rate are " + ", ".join(names[:-1]) + " and " + names[-1]) in txt
    # Gini from the direct mean-absolute-difference formula
    w = sub.denominator.to_numpy() / sub.denominator.sum()
    r = share.to_numpy()
    gini = (w[:, None] * w[None, :] * np.abs(r[:, None] - r[None, :])).sum() / (2 * (w * r).sum())
    assert f"is {gini:.3f}." in txt
    # the join check: 2 districts without data, listed in the report and the CSV
    assert "2 districts without data and 0 value(s) without a district" in txt
    jr = pd.read_csv(out / "tables" / "join_report.csv")
    assert sorted(jr.loc[jr.code == "maps.no_data", "area"]) == sorted(d.area_name[-2:])
    # summary.csv holds the same figures
    s = pd.read_csv(out / "tables" / "summary.csv").set_index("indicator")
    assert s.loc["internet", "share_territory"] == pytest.approx(terr)
    assert s.loc["computer", "n_missing"] == 0 and s.loc["computer", "n_districts"] == len(d) - 2


def test_french_report_formats_numbers_the_french_way(territory, tmp_path):
    d, rates = territory
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path, territory_name="Grille", districts=d, rates=rates, lang="fr")
    html = index.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    sub = rates[rates.indicator == "internet"]
    terr = sub.numerator.sum() / sub.denominator.sum()
    pct = f"{100 * terr:.1f}".replace(".", ",") + "\u00a0%"
    assert pct == format_percent(terr, "fr")
    txt = _text(html)
    assert f"{indicator_label('internet', 'fr')} : {pct} dans le territoire « Grille » (" in txt
    assert " ménages)." in txt
    assert format_number(sub.numerator.sum(), "fr") in txt and "\u202f" in format_number(sub.denominator.sum(), "fr")
    assert "Synthèse" in txt
    map_html = (tmp_path / "maps" / "internet.html").read_text(encoding="utf-8")
    assert "Pas de donn\\u00e9es (2)" in map_html  # legend, JSON-escaped in the script


def test_full_report_with_wifi_inputs(territory, tmp_path):
    d, rates = territory
    hotspots = random_points(d, 25)
    gaps = gpd.GeoDataFrame({"population": [120.0, 80.0]},
                            geometry=[d.geometry.iloc[0].buffer(-0.002), d.geometry.iloc[7].buffer(-0.003)], crs=4326)
    sites = random_points(d, 3, seed=7).assign(population_added=[50.0, 40.0, 10.0])
    cov = pd.DataFrame({"sites": "all", "level": ["territory"] * 2 + ["district"] * 2,
                        "district": [None, None, "x", "x"], "radius_m": [100, 250, 100, 250],
                        "share_covered": [0.25, 0.5, 0.9, 0.95]})
    lisa = pd.DataFrame({"area_code": d.area_code,
                         "lisa_cluster": ["high-high", "low-low", "not significant"] * 10})
    lagging = pd.DataFrame({"area": ["District 0-0", "District 0-1"], "share": [0.05, 0.06],
                            "gap_pct_points": [-10.0, -9.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path, territory_name="Gridland", districts=d, rates=rates, hotspots=hotspots,
                             coverage=cov, gap_zones=gaps, new_sites=sites, lisa=lisa, lagging=lagging,
                             distribution={"gini": 0.21, "theil_t": 0.07}, indicator="computer")
    txt = _text(index.read_text(encoding="utf-8"))
    den = rates.loc[rates.indicator == "computer", "denominator"].sum()
    assert f"25 public Wi-Fi hotspots are mapped, {25 / den * 10000:.1f} per 10,000 households." in txt
    assert "25.0% of the population lives within 100 m of a hotspot." in txt
    assert "50.0% of the population lives within 250 m" in txt and "90.0%" not in txt  # district rows unused
    area = gaps.to_crs(gaps.estimate_utm_crs()).area.sum() / 1e6
    assert f"2 uncovered zone(s) were found, {area:.1f} km² in total, home to 200 people." in txt
    assert "3 new site(s) are proposed, reaching 100 more people." in txt
    assert "2 districts are flagged as lagging: District 0-0 and District 0-1." in txt
    assert "Not included" not in txt
    for f in ("gap_zones.gpkg", "gap_zones.csv", "new_sites.gpkg", "coverage.csv", "lisa_clusters.csv",
              "distribution.csv", "lagging_districts.csv"):
        assert (tmp_path / "tables" / f).is_file(), f
    lc = pd.read_csv(tmp_path / "tables" / "lisa_clusters.csv").set_index("cluster")["districts"]
    assert lc["HH"] == 10 and lc["LL"] == 10
    assert len(gpd.read_file(tmp_path / "tables" / "new_sites.gpkg")) == 3
    assert (tmp_path / "maps" / "computer.html").is_file() and (tmp_path / "figures" / "coverage_curve.svg").is_file()


def test_bad_inputs_raise_clear_errors(territory, tmp_path):
    d, rates = territory
    with pytest.raises(InputError, match="denominator"):
        build_report(tmp_path, territory_name="x", districts=d, rates=rates.drop(columns="denominator"))
    with pytest.raises(InputError, match="'tv' is not in the rates table"):
        build_report(tmp_path, territory_name="x", districts=d, rates=rates, indicator="tv")
    with pytest.raises(InputError, match="language"):
        build_report(tmp_path, territory_name="x", districts=d, rates=rates, lang="de")


def test_summary_table_direct():
    r = pd.DataFrame({"area_code": list("ABCD"), "area_name": list("abcd"), "indicator": "radio",
                      "numerator": [1.0, 5.0, 9.0, np.nan], "denominator": [10.0, 10.0, 10.0, 10.0]})
    s = summary_table(r).iloc[0]
    assert s["share_territory"] == pytest.approx(15 / 30)
    assert (s["name_min"], s["name_max"], s["n_below"], s["n_missing"]) == ("a", "c", 1, 1)


@pytest.mark.realdata
def test_kenya_report_reproduces_published_figures(shared_data, tmp_path):
    """KNBS 2019 Vol IV: internet 17.9 % and computer 8.8 % of 12,043,016 conventional households;
    household internet highest in Nairobi City (42.1 %), lowest 3.5 % (Wajir, Mandera, West Pokot)."""
    t = pd.read_csv(shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv")
    c = t[t["AdminArea"] == "County"]
    hh = c["ConventionalHouseholds"]
    rates = pd.concat([
        pd.DataFrame({"area_name": c["County"], "indicator": ind, "universe": "households",
                      "numerator": c[col] / 100 * hh, "denominator": hh})
        for ind, col in (("internet", "Internet"), ("computer", "DeskTop/Computer/Laptop/Tablet"))],
        ignore_index=True)
    g = gpd.read_file(shared_data / "kenya-counties-geometry" / "kenya_counties_osm_simplified_200m.geojson")
    g = g.rename(columns={"census_county_name": "area_name"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path, territory_name="Kenya", districts=g, rates=rates, key="area_name",
                             name_column="area_name", static_maps_for=())
    txt = _text(index.read_text(encoding="utf-8"))
    assert f"{indicator_label('internet')}: 17.9% in Kenya (" in txt and "of 12,043,016 households)" in txt
    assert f"{indicator_label('computer')}: 8.8% in Kenya" in txt
    m = re.search(r"ranges from 3\.5% in (WAJIR|MANDERA|WEST POKOT) to 42\.1% in NAIROBI CITY", txt)
    assert m, "county extremes differ from the published ones"
    assert "0 districts without data and 0 value(s) without a district" in txt  # 47/47 join


def test_diagnosis_section_and_extra_sections_are_included(territory, tmp_path):
    dg = pytest.importorskip("egovkit.diagnosis")
    pytest.importorskip("egovkit.present.diagnosis_plots")
    d, rates = territory
    result = dg.score_assessment(dg.example_assessments()[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path, territory_name="Gridland", districts=d, rates=rates, lang="fr",
                             assessment=result, extra_sections=["<section id='x'><h2>Annexe X</h2></section>"],
                             static_maps_for=())
    html = index.read_text(encoding="utf-8")
    assert "Scores par dimension" in html and "<h2>Annexe X</h2>" in html
    assert external_assets(html) == []


def test_report_from_the_synthetic_example_matches_its_total_row(tmp_path):
    """End to end with the embedded synthetic territory: read_table -> build_report; the territory
    rate in the text equals the file's own Total row (Internet / Households)."""
    synthetic = pytest.importorskip("egovkit.datasets.synthetic")
    read = pytest.importorskip("egovkit.read")
    t = synthetic.make_territory()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ct = read.read_table(t.table)
        d = t.districts.rename(columns={"code": "area_code", "name": "area_name"})
        index = build_report(tmp_path, territory_name="Exampleland", districts=d, rates=ct.data,
                             hotspots=t.hotspots, coverage_radius_m=500, static_maps_for=["internet"])
    total = t.table[t.table["Level"] == "Total"].iloc[0]
    txt = _text(index.read_text(encoding="utf-8"))
    assert (f"{indicator_label('internet')}: {100 * total['Internet'] / total['Households']:.1f}% in Exampleland "
            f"({total['Internet']:,.0f} of {total['Households']:,.0f} households).") in txt
    assert f"{len(t.hotspots)} public Wi-Fi hotspots are mapped" in txt
    assert "0 districts without data and 0 value(s) without a district" in txt


def test_long_tables_are_cut_with_a_translated_note(tmp_path):
    d = grid_districts(20, 13)  # 260 districts: the page shows 250, the CSV has all
    rates = grid_rates(d, ("internet",))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path, territory_name="Big", districts=d, rates=rates, lang="fr",
                             static_maps_for=())
    assert "10 lignes de plus dans le fichier CSV" in index.read_text(encoding="utf-8")
    assert len(pd.read_csv(tmp_path / "tables" / "district_rates.csv")) == 260


def test_report_takes_the_distribution_outputs(territory, tmp_path):
    """local_moran / lagging_districts / inequality outputs go straight into the report."""
    dist = pytest.importorskip("egovkit.distribution")
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet",), seed=3)
    g = d.merge(rates, on=["area_code", "area_name"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lisa = dist.local_moran(g, numerator="numerator", denominator="denominator", permutations=99)
        lag = dist.lagging_districts(g, numerator="numerator", denominator="denominator", name="area_name")
        ineq = dist.inequality(g, numerator="numerator", denominator="denominator")
        index = build_report(tmp_path, territory_name="Gridland", districts=d, rates=rates, lisa=lisa,
                             lagging=lag, distribution=ineq)
    txt = _text(index.read_text(encoding="utf-8"))
    share = rates.numerator / rates.denominator
    below = rates.loc[share < rates.numerator.sum() / rates.denominator.sum(), "area_name"]
    assert f"{len(below)} districts are flagged as lagging:" in txt  # below the territory rate
    lowest = rates.loc[share.idxmin(), "area_name"]
    assert f"flagged as lagging: {lowest}," in txt
    lc = pd.read_csv(tmp_path / "tables" / "lisa_clusters.csv")
    expected = lisa["lisa_cluster"].map({"high-high": "HH", "low-low": "LL", "high-low": "HL",
                                         "low-high": "LH"}).value_counts()
    got = lc.dropna(subset=["cluster"]).set_index("cluster")["districts"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert len(pd.read_csv(tmp_path / "tables" / "distribution.csv")) == len(ineq)


def test_french_tables_have_french_headers_percentages_and_no_inf(territory, tmp_path):
    """Issue-5 audit: English headers, raw 0-1 shares, "inf" and "P90 = 0.3953" in French reports."""
    from egovkit.validate import ValidationReport

    d, rates = territory
    gaps = gpd.GeoDataFrame({"rank": [1], "population": [120.0], "n_cells": [3], "area_km2": [0.2],
                             "district": [d.area_code.iloc[0]], "share_in_district": [0.997]},
                            geometry=[d.geometry.iloc[0].buffer(-0.002)], crs=4326)
    sites = random_points(d, 2, seed=7).assign(rank=[1, 2], candidate=[1573, 4], population_added=[50.0, 40.0],
                                                share_added_cum=[0.0016, 0.0026])
    dist = pd.DataFrame({"indicator": ["internet"] * 3 + ["computer"] * 3,
                         "statistic": ["gini", "max_min_ratio", "p90_p10_ratio"] * 2,
                         "value": [0.21, np.inf, 48.76, 0.3, 2.5, 3.0],
                         "note": ["weighted by the denominator", "District 0-1 / District 0-0",
                                  "P90 = 0.3953, P10 = 0.0081 (rates at population percentiles)"] * 2})
    v = ValidationReport(source="t.csv")
    v.add("warning", "missing_value", "internet: value is missing", row=7, column="Internet", area="Zed",
          fix="fill in the value if it is known")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path, territory_name="Grille", districts=d, rates=rates, gap_zones=gaps,
                             new_sites=sites, distribution=dist, lang="fr", validation=v, district_word="county",
                             hotspots=random_points(d, 5), static_maps_for=())
    txt = _text(index.read_text(encoding="utf-8"))
    for english in ("share_in_district", "share_added_cum", "candidate", "n_cells", "statistic", "severity",
                    "households", "weighted by the denominator", "inf", "0.3953", "0,997", "wifi_", ">internet<"):
        assert english not in txt, english
    assert "99,7\u00a0%" in txt and "0,2\u00a0%" in txt  # shares as percentages
    assert "Part dans le district" in txt and "Site candidat" in txt and "Gravité" in txt
    assert "Comtés en retard" in txt
    assert "le taux le plus bas est nul (District 0-0)" in txt  # inf explained, shown as "–"
    # the table's validation warnings are in "Data checks", with row, column and fix
    assert "avertissement" in txt and "Zed" in txt and "fill in the value if it is known" in txt
    assert (tmp_path / "tables" / "gap_zones.csv").is_file() and not (tmp_path / "tables" / "gaps.csv").exists()
    assert "District 0-0" in txt.split("Part dans le district")[1][:400]  # gap zone district by name


def test_set_apart_and_small_districts_are_not_lowest_nor_lagging(territory, tmp_path):
    d, rates = territory
    r = rates.copy()
    low = r.loc[r.indicator == "internet"].sort_values("numerator").area_code.iloc[:2].tolist()
    r.loc[(r.indicator == "internet") & (r.area_code == low[0]), "denominator"] = 100.0  # small
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(tmp_path, territory_name="G", districts=d, rates=r, min_denominator=150,
                     set_apart=[low[1]], static_maps_for=())
    s = pd.read_csv(tmp_path / "tables" / "summary.csv").set_index("indicator")
    names = dict(zip(d.area_code, d.area_name))
    assert s.loc["internet", "name_min"] not in (names[low[0]], names[low[1]])
    lowest = pd.read_csv(tmp_path / "tables" / "lowest_districts.csv")
    assert not set(lowest["area_code"]) & set(low)
    txt = _text((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert "not residential" in txt and "fewer than 150" in txt


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_lagging_sentence_says_the_list_goes_on(tmp_path: Path, lang: str) -> None:
    """Bug: '23 district(s) are flagged as lagging: A, B, ... and J.' listed only 10 names as if
    they were all (Kenya report); the gap column showed '-14.444' points with 3 decimals; and
    'the coverage results was not provided' (grammar)."""
    d = grid_districts(4, 4)
    rates = grid_rates(d, ("internet",))
    sub = rates.assign(share=rates["numerator"] / rates["denominator"]).sort_values("share").head(13)
    terr = rates["numerator"].sum() / rates["denominator"].sum()
    lag = pd.DataFrame({"area": sub["area_name"], "share": sub["share"],
                        "gap_pct_points": 100 * (sub["share"] - terr), "denominator": sub["denominator"],
                        "missing_to_territory": (terr - sub["share"]) * sub["denominator"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path / lang, territory_name="Gridland", districts=d, rates=rates,
                             lagging=lag, lang=lang)
    txt = _text(index.read_text(encoding="utf-8"))
    more, last = ("3 more", " and ") if lang == "en" else ("3 autres", " et ")
    tenth = str(sub["area_name"].iloc[9])
    assert f"{tenth}{last}{more}." in txt
    first_gap = 100 * (sub["share"].iloc[0] - terr)
    shown = f"{first_gap:.1f}" if lang == "en" else f"{first_gap:.1f}".replace(".", ",")
    assert shown.replace("-", "") in txt.replace("\u2212", "-") and f"{first_gap:.3f}" not in txt
    if lang == "en":
        for wrong in ("the coverage results was", "the gap zones was", "the proposed new sites was"):
            assert wrong not in txt
        assert "Not included: no gap zones (they need hotspots and a population)." in txt
