"""Stacked long tables (Open SDG, SDMX, I.Stat exports) and tables of published rates without any
households/persons column: faithful small reproductions of the real-world corpus's classes."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from egovkit.errors import InputError
from egovkit.indicators import aggregate, compute_rates, territory_figures
from egovkit.read import read_table

warnings.simplefilter("ignore")


def _csv(tmp_path, text: str, name: str = "t.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_rates_without_denominator_are_read_as_published():
    df = pd.DataFrame({"Région": ["Nord", "Sud", "Est", "Ensemble"], "Internet (%)": [40.0, 60.0, 50.0, 52.5]})
    t = read_table(df)
    assert t.data["area_name"].tolist() == ["Nord", "Sud", "Est"]
    assert t.data["rate_only"].all()
    assert compute_rates(t)["pct"].round(6).tolist() == [40.0, 60.0, 50.0]
    assert not compute_rates(t)["small_denominator"].any()
    assert "no_weights" in {i.code for i in t.report.warnings}
    fig = territory_figures(t)
    assert fig[["area_name", "indicator", "how"]].values.tolist() == [["Ensemble", "internet", "published"]]
    assert float(fig["share"].iloc[0]) == pytest.approx(0.525)
    # no weights: the aggregate is not an unweighted mean in disguise
    assert aggregate(compute_rates(t), report=t.report)["share"].isna().all()


def test_rates_without_denominator_and_without_territory_row_warn():
    t = read_table(pd.DataFrame({"district": ["A", "B"], "pct_hh_internet": [40.5, 60.5]}))
    assert len(t.data) == 2 and territory_figures(t).empty
    warn = [i for i in t.report.warnings if i.code == "no_weights"]
    assert warn and "internet" in warn[0].message


def test_counts_without_denominator_still_ask_for_it():
    with pytest.raises(InputError, match="denominator="):
        read_table(pd.DataFrame({"district": ["A", "B", "C"], "Households with internet": [400, 6000, 1200]}))


SDG = """Year,Sexe,Groupe d'âge,Géographie,GeoCode,Unité,Value
2018,,,,,PT,91.3
2020,,,,,PT,92.3
2022,,,,,PT,94.5
2022,F,,,,PT,95.0
2022,,"Total, 15 ans et plus",Ontario,35,PT,94.0
2022,,15 à 24 ans,Ontario,35,PT,99.0
2022,,"Total, 15 ans et plus",Québec,24,PT,93.0
2020,,"Total, 15 ans et plus",Québec,24,PT,90.0
2022,,"Total, 15 ans et plus",Alberta,48,PT,95.5
"""


def test_open_sdg_latest_period_total_breakdown_and_territory_row(tmp_path):
    t = read_table(_csv(tmp_path, SDG), columns={"Value": "internet_use"})
    assert sorted(t.data["area_name"]) == ["Alberta", "Ontario", "Québec"]
    assert t.data.set_index("area_name").loc["Québec", "numerator"] == pytest.approx(0.93)
    fig = territory_figures(t)
    assert float(fig["share"].iloc[0]) == pytest.approx(0.945)  # the row with every cell blank, 2022
    note = next(i for i in t.report.issues if i.code == "stacked_table")
    assert "2022" in note.message and "other periods" in note.message
    # every input row keeps a fate
    assert sorted(t.report.row_fate) == list(range(2, 11))
    assert t.report.row_fate[3] == "kept apart" and t.report.row_fate[6] == "used"


def test_period_option_and_absent_period(tmp_path):
    path = _csv(tmp_path, SDG)
    t = read_table(path, columns={"Value": "internet_use"}, period=2020)
    assert t.data["area_name"].tolist() == ["Québec"]
    assert float(territory_figures(t)["share"].iloc[0]) == pytest.approx(0.923)
    with pytest.raises(InputError, match=r"period.*2018.*2020.*2022"):
        read_table(path, columns={"Value": "internet_use"}, period=2019)


def test_sdmx_codes_series_sentence_and_code_column(tmp_path):
    text = ("ITTER107,Territorio,TIPO_DATO,Tipo dato,TIME,Value,Flags\n"
            "IT,Italia,FAM_INT_YES,famiglie che dispongono di accesso a Internet da casa,2019,76.1,\n"
            "IT,Italia,FAM_INT_YES,famiglie che dispongono di accesso a Internet da casa,2018,75.1,\n"
            "ITC1,Piemonte,FAM_INT_YES,famiglie che dispongono di accesso a Internet da casa,2019,73.5,\n"
            "ITC2,Liguria,FAM_INT_YES,famiglie che dispongono di accesso a Internet da casa,2019,75.9,\n"
            "ITC2,Liguria,FAM_INT_YES,famiglie che dispongono di accesso a Internet da casa,2018,70.0,\n")
    t = read_table(_csv(tmp_path, text))
    assert set(t.data["indicator"]) == {"internet"}
    assert t.data["numerator"].round(4).tolist() == [0.735, 0.759]


def test_sdmx_total_code_breakdown(tmp_path):
    text = ("Year,territorio,SEX,Value\n2024,ES53,SEX._T,90.0\n2024,ES53,SEX.M,89.0\n2024,ES61,SEX._T,91.0\n"
            "2023,ES61,SEX._T,80.0\n")
    t = read_table(_csv(tmp_path, text), columns={"Value": "mobile_phone_use"})
    assert t.data["numerator"].round(4).tolist() == [0.9, 0.91]
    assert t.report.row_fate == {2: "used", 3: "kept apart", 4: "used", 5: "kept apart"}


def test_years_as_columns_latest_complete_year(tmp_path):
    text = ("District,Indicator,2019,2020,2021\nA,Households with internet (%),40.5,45.5,\n"
            "B,Households with internet (%),50.5,55.5,\nC,Households with internet (%),60.5,65.5,70\n")
    t = read_table(_csv(tmp_path, text))
    assert t.data["numerator"].round(4).tolist() == [0.455, 0.555, 0.655]
    t = read_table(_csv(tmp_path, text), period="2019")
    assert t.data["numerator"].round(4).tolist() == [0.405, 0.505, 0.605]


def test_breakdown_with_one_value_beside_blank_totals(tmp_path):
    """A sex column holding only 'Female' beside blank (total) cells is a breakdown, not a constant."""
    text = "Year,Genre,Region,Value\n2021,,A,60.5\n2021,Female,A,55.5\n2021,,B,70.5\n2021,Female,B,65.5\n"
    t = read_table(_csv(tmp_path, text), columns={"Value": "internet_use"})
    assert t.data["numerator"].round(4).tolist() == [0.605, 0.705]
    assert t.report.row_fate[3] == "kept apart"


def test_code_beginning_every_other_code_is_the_territory(tmp_path):
    """NUTS-like codes: ES above ES53 (two rows), IT above ITC1/ITC2 with numeric class codes beside them."""
    text = "Year,territorio,Value\n2024,ES,95.8\n2024,ES53,96.2\n2023,ES,94.0\n"
    t = read_table(_csv(tmp_path, text), columns={"Value": "internet_use"})
    assert t.data["numerator"].round(4).tolist() == [0.962]
    assert float(territory_figures(t)["share"].iloc[0]) == pytest.approx(0.958)
    text = ("ITTER107,Territory,TIME,Value\nIT,Italy,2019,76.1\nITC1,Piemonte,2019,73.5\n"
            "ITC2,Liguria,2019,75.9\n6,until 2000 inhabitants,2019,70.2\n")
    t = read_table(_csv(tmp_path, text), columns={"Value": "internet"})
    assert float(territory_figures(t)["share"].iloc[0]) == pytest.approx(0.761)


def test_unnamed_area_column_with_a_total_row_is_not_a_breakdown(tmp_path):
    text = "Year,Lieu,Value\n2021,Nord,40.5\n2021,Sud,60.5\n2021,Est,50.5\n2021,Total,52.5\n"
    t = read_table(_csv(tmp_path, text), columns={"Value": "internet"})
    assert sorted(t.data["area_name"]) == ["Est", "Nord", "Sud"]
    assert float(territory_figures(t)["share"].iloc[0]) == pytest.approx(0.525)


def test_one_year_pattern_for_the_readers():
    """read.periods.YEAR is the year of the SDG reader, PERIOD the period of the stacked reader, and YEAR
    says what the cross-table reader's own year pattern says of a stripped cell (so that it can use it)."""
    import re

    from egovkit.read import crosstab_grid
    from egovkit.read.periods import PERIOD, YEAR, is_year

    samples = ["2019", " 2019 ", "1899", "1799", "2100", "2019Q1", "2019-03", "2019 S2", "19", "20190", "", "x2019",
               "2019\n", "Total", "2019.0", "2019W12"]
    sdg_year = re.compile(r"^\s*(1[89]\d\d|20\d\d)\s*$")
    stacked_period = re.compile(r"^\s*(1[89]\d\d|20\d\d)(\s*[-/_ ]?\s*([QSMHT]|W)?\s*\d{1,2})?\s*$", re.IGNORECASE)
    for s in samples:
        assert bool(YEAR.match(s)) == bool(sdg_year.match(s)), s
        assert bool(PERIOD.match(s)) == bool(stacked_period.match(s)), s
        assert bool(YEAR.match(s.strip())) == bool(crosstab_grid._YEAR.match(s.strip())), s
        assert is_year(s.strip()) == crosstab_grid._is_year(s.strip()), s
    for v in (2019.0, 2019.5, 1750.0, float("nan")):
        assert is_year(v) == crosstab_grid._is_year(v), v
