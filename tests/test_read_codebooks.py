"""Publisher codebooks (coded census headers) and the denominator-universe check of the reader.

Small faithful reproductions of national census products whose headers are variable codes (INEGI
ITER, ABS DataPacks, CSO SAPS, DANE CNPV in the MGN), and of compilations whose denominator is not
the universe of their counts.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

from egovkit.read import read_table
from egovkit.read.codebooks import CODEBOOK_DIR, load_codebooks, match_codebook
from egovkit.read.roles import indicator_names


def _read(df: pd.DataFrame, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(df, **kw)


def _figures(t) -> dict[str, tuple[float, float]]:
    d = t.data.groupby("indicator")[["numerator", "denominator"]].sum()
    return {i: (float(r.numerator), float(r.denominator)) for i, r in d.iterrows()}


def _codes(t) -> list[str]:
    return [i.code for i in t.report.issues]


def _iter_table() -> pd.DataFrame:
    """An INEGI ITER extract: a state row, municipality rows ('Total del Municipio' in NOM_LOC),
    three dwelling counts of which only VIVPARH_CV is the universe of the VPH_* questions."""
    return pd.DataFrame({
        "ENTIDAD": ["01"] * 4, "NOM_ENT": ["Aguascalientes"] * 4, "MUN": ["000", "001", "002", "003"],
        "NOM_MUN": ["Total de la entidad Aguascalientes", "Aguascalientes", "Asientos", "Calvillo"],
        "LOC": ["0000"] * 4, "NOM_LOC": ["Total de la Entidad"] + ["Total del Municipio"] * 3,
        "POBTOT": [1000, 600, 250, 150], "POB0_14": [300, 180, 70, 50],
        "TVIVPARHAB": [420, 250, 100, 70], "VIVPAR_HAB": [410, 245, 97, 68], "VIVPARH_CV": [400, 240, 95, 65],
        "VPH_RADIO": [200, 120, 50, 30], "VPH_TV": [380, 230, 90, 60], "VPH_PC": [160, 110, 30, 20],
        "VPH_TELEF": [150, 100, 30, 20], "VPH_CEL": [370, 225, 88, 57], "VPH_INTER": [240, 160, 50, 30],
        "VPH_AUTOM": [200, 120, 50, 30]})


def test_inegi_iter_read_with_no_argument_over_vivparh_cv():
    t = _read(_iter_table())
    fig = _figures(t)
    assert fig["internet"] == (240.0, 400.0)
    assert fig["mobile_phone_hh"] == (370.0, 400.0)
    assert fig["computer"] == (160.0, 400.0)
    assert sorted(t.data["area_name"].unique()) == ["Aguascalientes", "Asientos", "Calvillo"]
    note = next(i for i in t.report.issues if i.code == "codebook")
    assert "INEGI" in note.message and "VPH_INTER" in note.message and "VIVPARH_CV" in note.message
    assert "unknown_column" not in _codes(t)  # the product's other codes: one note, not a warning each


def test_inegi_localities_take_the_finest_level_that_names_areas():
    df = _iter_table().iloc[1:].copy()
    df["NOM_MUN"] = "Cosío"
    df["NOM_LOC"] = ["Total del Municipio", "Cosío", "Soledad de Abajo"]
    df["LOC"] = ["0000", "0001", "0002"]
    t = _read(df)
    assert sorted(t.data["area_name"].unique()) == ["Cosío", "Soledad de Abajo"]


def test_codes_in_lower_case_and_with_a_year_suffix_are_matched():
    df = _iter_table()
    df.columns = [c.lower() for c in df.columns]
    df = df.rename(columns={"vph_inter": "vph_inter_2020"})
    t = _read(df)
    assert _figures(t)["internet"] == (240.0, 400.0)


def test_explicit_arguments_win_over_the_codebook():
    t = _read(_iter_table(), denominator="TVIVPARHAB", columns={"VPH_INTER": "ignore"})
    fig = _figures(t)
    assert "internet" not in fig
    assert fig["computer"] == (160.0, 420.0)
    assert "given: yours used" in next(i for i in t.report.issues if i.code == "codebook").message


def test_abs_datapack_with_truncated_short_descriptors():
    # 2011 BCP B35: short descriptors cut at 29-30 characters, the area as a code only
    df = pd.DataFrame({
        "region_id": ["CED101", "CED102", "CED103"],
        "No_IC_DS_Separate_house": [50, 60, 70], "No_IC_Total": [100, 120, 140],
        "Tof_IC_BrdB_DS_SemD_ro_tr_h_t": [30, 40, 50], "Tof_IC_BrdB_Total": [700, 650, 600],
        "Tof_IC_Tot_DS_Flt_Unt_or_Apt": [80, 90, 95], "Tof_IC_Tot_Total": [850, 820, 800],
        "IC_not_stated_Total": [50, 60, 60], "Total_Total": [1000, 1000, 1000]})
    t = _read(df)
    fig = _figures(t)
    assert fig["internet"] == (2470.0, 3000.0) and fig["broadband"] == (1950.0, 3000.0)
    assert sorted(t.data["area_name"].unique()) == ["CED101", "CED102", "CED103"]


def test_cso_saps_each_question_over_its_own_total():
    df = pd.DataFrame({
        "GUID": ["a", "b"], "GEOGID": ["CTY31_CC", "CTY31_CE"], "GEOGDESC": ["Cork City", "Clare"],
        "T15_1_NC": ["14,645", "4,698"], "T15_2_Y": ["30,466", "29,214"], "T15_2_N": ["16,572", "12,886"],
        "T15_2_NS": ["2,332", "1,248"], "T15_2_T": ["49,370", "43,348"], "T15_3_B": ["34,240", "27,941"],
        "T15_3_OTH": ["2,709", "4,701"], "T15_3_N": ["10,278", "9,524"], "T15_3_NS": ["2,000", "1,000"],
        "T15_3_T": ["49,227", "43,166"]})
    t = _read(df)
    d = t.data.set_index(["area_name", "indicator"])
    assert d.loc[("Cork City", "computer"), "denominator"] == 49370
    assert d.loc[("Cork City", "broadband"), "denominator"] == 49227  # T15_3_T, not T15_2_T


def test_dane_cnpv_attribute_table_reads_internet_over_occupied_dwellings():
    df = pd.DataFrame({
        "DPTO_CCDGO": ["17", "63", "66"], "DPTO_CNMBR": ["CALDAS", "QUINDÍO", "RISARALDA"],
        "STVIVIENDA": [372961, 238000, 330000], "STP15_1_OC": [304509, 190000, 253313],
        "TSP16_HOG": [309680, 195000, 260000], "STP19_INT1": [130032, 90000, 129864],
        "STP19_INT2": [172438, 98000, 121000], "STP19_INT9": [2039, 2000, 2449],
        "STP27_PERS": [923472, 509000, 839000]})
    t = _read(df)
    assert _figures(t)["internet"] == (349896.0, 747822.0)
    assert "DANE" in next(i for i in t.report.issues if i.code == "codebook").message


@pytest.mark.parametrize("headers", [
    ["district", "households", "internet"],
    ["region_id", "Total_Total", "internet"],              # two generic ABS names are not the product
    ["NOM_MUN", "VPH_INTER", "households"],                # one code alone
    ["GEOGID", "GEOGDESC", "T15_2_Y", "households"],       # no denominator of the codebook
])
def test_no_codebook_for_unrelated_or_too_few_codes(headers):
    assert match_codebook(headers) is None


def test_codebook_files_are_sourced_and_name_catalogue_indicators():
    names = set(indicator_names())
    books = load_codebooks()
    assert {b.country for b in books} >= {"MX", "AU", "IE", "CO"}
    for path in sorted(Path(CODEBOOK_DIR).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "Source:" in text.split("key:")[0], f"{path.name}: cite the publisher's codebook at the top"
        d = yaml.safe_load(text)
        for code, spec in d["indicators"].items():
            assert spec["indicator"] in names, (path.name, code)
            assert spec["denominator"] in d["denominators"], (path.name, code)


# ---------------------------------------------------------------------------------------------
# the denominator-universe check
# ---------------------------------------------------------------------------------------------
def _kaggle_like(households_factor: float = 1.34) -> pd.DataFrame:
    """The India district compilation: 'Households' above the universe of the asset counts, which the
    household-size columns (an exhaustive partition) give."""
    hh = pd.Series([180000, 250000, 90000, 400000, 120000], dtype=float)
    sizes = pd.DataFrame({"Household_size_1_to_2_persons": hh * 0.15,
                          "Household_size_3_to_5_persons_Households": hh * 0.5,
                          "Household_size_6_8_persons_Households": hh * 0.3,
                          "Household_size_9_persons_and_above_Households": hh * 0.05}).round()
    return pd.concat([pd.DataFrame({
        "District name": ["Kupwara", "Badgam", "Leh", "Kargil", "Punch"],
        "Households": (hh * households_factor).round(), "Households_with_Internet": (hh * 0.03).round(),
        "Households_with_Computer": (hh * 0.09).round(), "Households_with_Television": (hh * 0.45).round()}),
        sizes], axis=1)


def test_denominator_above_the_universe_of_a_household_partition_is_warned():
    t = _read(_kaggle_like())
    w = [i for i in t.report.issues if i.code == "denominator_universe"]
    assert len(w) == 1 and w[0].severity == "warning" and w[0].column == "Households"
    for word in ("internet", "computer", "tv", "Household_size_1_to_2_persons", "75%", "25% low"):
        assert word in w[0].message, word
    assert "denominator=" in w[0].fix and "--denominator" in w[0].fix
    # nothing is changed: the figures are read over the column as given
    assert _figures(t)["internet"][1] == _kaggle_like()["Households"].sum()


def test_no_universe_warning_when_the_partition_adds_up_to_the_denominator():
    t = _read(_kaggle_like(households_factor=1.01))  # within rounding / perturbation
    assert "denominator_universe" not in _codes(t)


def test_yes_no_answers_of_a_question_are_a_partition():
    df = pd.DataFrame({"district": list("ABCD"), "households": [1000, 2000, 1500, 800],
                       "internet": [300, 500, 450, 200],
                       "Households internet yes": [300, 500, 450, 200], "Households internet no": [500, 1000, 700, 400],
                       "Households internet not stated": [20, 40, 30, 10]})
    t = _read(df)
    assert "denominator_universe" in _codes(t)


def test_a_breakdown_of_another_column_is_not_a_partition_of_the_households():
    # 'only landline / only mobile / both' split the households with a telephone, not all households
    df = pd.DataFrame({"district": list("ABCD"), "households": [1000, 2000, 1500, 800],
                       "Households with telephone": [600, 1300, 900, 500],
                       "Households telephone landline": [100, 200, 150, 100],
                       "Households telephone mobile or more": [400, 900, 600, 300],
                       "Households telephone both": [100, 200, 150, 100]})
    t = _read(df, columns={"Households with telephone": "telephone"})
    assert "denominator_universe" not in _codes(t)


def test_columns_without_an_exhaustive_category_are_not_a_partition():
    df = pd.DataFrame({"district": list("ABCD"), "households": [1000, 2000, 1500, 800],
                       "Households with internet": [300, 500, 450, 200],
                       "Households with computer": [200, 300, 250, 100]})
    assert "denominator_universe" not in _codes(_read(df))


def test_classes_of_a_device_count_split_the_owners_not_the_households():
    df = pd.DataFrame({"district": list("ABCD"), "households": [1000, 2000, 1500, 800],
                       "Households with internet": [300, 500, 450, 200],
                       "Households with 1 computer": [150, 200, 150, 60],
                       "Households with 2 or more computers": [50, 100, 100, 40]})
    assert "denominator_universe" not in _codes(_read(df))


@pytest.mark.parametrize("geo", ["CED_CODE_2016", "SA2_MAINCODE_2016", "LGA_CODE_2021", "region_id"])
def test_abs_geography_code_columns_are_the_area(geo):
    m = match_codebook([geo, "IA_DS_Separate_house", "IA_Total", "I_NA_Total", "IC_not_stated_Total", "Total_Total"])
    assert m is not None and m.area == geo and m.columns == {"IA_Total": "internet"}
