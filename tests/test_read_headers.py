"""Column headers: the universe word (households / persons) chooses the indicator variant,
ambiguous headers are reported rather than guessed, ordinary headers are recognised.

Expected numerators are computed here from the fixture's own figures.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table
from egovkit.read.roles import ambiguous_indicators, header_universe, recognise_indicator


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(source, **kw)


@pytest.mark.parametrize("header, indicator", [
    ("% of households with a mobile phone", "mobile_phone_hh"),
    ("HH with mobile phone", "mobile_phone_hh"),
    ("Ménages avec téléphone portable", "mobile_phone_hh"),
    ("Foyers avec smartphone", "smartphone_hh"),
    ("Persons owning a smartphone", "smartphone"),
    ("Individus possédant un smartphone", "smartphone"),
    ("Population with a smartphone (%)", "smartphone"),
    ("People with a mobile phone", "mobile_phone"),
    # no universe word: the catalogue's default stays
    ("Smartphone", "smartphone_hh"),
    ("Mobile phone", "mobile_phone"),
    ("Téléphone portable", "mobile_phone"),
])
def test_universe_word_chooses_the_variant(header: str, indicator: str) -> None:
    assert recognise_indicator(header).indicator == indicator


@pytest.mark.parametrize("header, indicator", [
    ("Internet access at home (%)", "internet"), ("Desktop computer", "desktop_laptop"),
    ("Fixed broadband", "broadband"), ("Ordinateur portable", "desktop_laptop"),
])
def test_common_headers_are_recognised(header: str, indicator: str) -> None:
    assert recognise_indicator(header).indicator == indicator


def test_household_percent_uses_households_and_persons_count_uses_population() -> None:
    df = pd.read_csv(io.StringIO("district,households,% of households with a mobile phone,"
                                 "Persons owning a smartphone,population\n"
                                 "A,1000,80.5,300,4000\nB,2000,70.2,500,8000\n"))
    t = _read(df)
    got = t.data.set_index(["area_name", "indicator"])
    assert got.loc[("A", "mobile_phone_hh"), "numerator"] == pytest.approx(0.805 * 1000)
    assert got.loc[("A", "mobile_phone_hh"), "denominator"] == 1000
    assert got.loc[("B", "smartphone"), ["numerator", "denominator"]].tolist() == [500, 8000]
    assert set(t.data["indicator"]) == {"mobile_phone_hh", "smartphone"}
    assert set(t.data.groupby("indicator")["universe"].first().items()) == {("mobile_phone_hh", "households"),
                                                                           ("smartphone", "persons")}


def test_french_portable_alone_is_reported_not_guessed() -> None:
    assert recognise_indicator("Portable").indicator is None
    assert ambiguous_indicators("Portable") == ("mobile_phone", "desktop_laptop")
    df = pd.DataFrame({"Commune": ["A", "B"], "Ménages": [1000, 2000], "Portable": [600, 900],
                       "Internet": [300, 400]})
    t = _read(df)
    assert set(t.data["indicator"]) == {"internet"}
    w = t.report.by_code("ambiguous_column")[0]
    assert w.severity == "warning" and w.column == "Portable" and "columns={'Portable'" in w.fix
    t2 = _read(df, columns={"Portable": "mobile_phone_hh"})
    assert set(t2.data["indicator"]) == {"internet", "mobile_phone_hh"}


def test_a_persons_header_on_a_household_only_indicator_is_warned() -> None:
    assert header_universe("Persons with a computer") == "persons"
    t = _read(pd.DataFrame({"district": ["A", "B"], "households": [1000, 2000],
                            "Persons with a computer": [300, 500]}))
    w = t.report.by_code("read.universe_mismatch_header")[0]
    assert w.column == "Persons with a computer" and "counts households" in w.message


@pytest.mark.parametrize("header, indicator, kind", [
    ("Ménages disposant d'un ordinateur", "computer", None),
    ("Part des ménages avec accès à internet (%)", "internet", "percent"),
    ("% of households with a computer", "computer", "percent"),
    ("Foyers avec internet", "internet", None),
    ("Accès internet haut débit", "broadband", None),
    ("Mobile phone ownership (persons 3+)", "mobile_phone", None),
    ("Ménages n'ayant pas internet", None, None),  # a negation is not the indicator
    ("Households without a computer", None, None),
    ("Ménages disposant d'une voiture", None, None),
])
def test_ordinary_headers_are_recognised(header: str, indicator: str | None, kind: str | None) -> None:
    """Bug: ordinary English/French headers were not recognised ('% of households with a
    computer' -> no indicator, while 'Households with internet (%)' was), so a municipal
    export failed with 'no ICT indicator column recognised'."""
    m = recognise_indicator(header)
    assert (m.indicator, m.kind if indicator else None) == (indicator, kind)


def test_french_export_with_ordinary_headers_reads(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("Commune;Population 3 ans et plus;Ménages;Ménages disposant d'un ordinateur;"
                     "Part des ménages avec accès à internet (%)\nA;2 500;1 000;300;45,5\n"
                     "B;5 000;2 000;500;30,0\n".encode("latin-1"))
    t = _read(path)
    got = t.data.set_index(["area_name", "indicator"])[["numerator", "denominator"]]
    assert got.loc[("A", "computer")].tolist() == [300.0, 1000.0]
    assert got.loc[("B", "internet")].tolist() == pytest.approx([0.30 * 2000, 2000.0])
    assert t.report.row_fate == {2: "used", 3: "used"}


@pytest.mark.parametrize("kind", ["csv", "xlsx", "frame"])
def test_duplicated_header_is_reported_not_a_traceback(tmp_path: Path, kind: str) -> None:
    """Bug: an Excel sheet or DataFrame with two columns of the same name crashed with
    AttributeError ('DataFrame' object has no attribute 'dtype'), a traceback in the CLI; in a
    CSV the copy was reported as an unknown column 'internet.1'."""
    header = ["district", "households", "internet", "internet"]
    rows = [["A", 1000, 400, 20], ["B", 2000, 300, 40]]
    if kind == "frame":
        src = pd.DataFrame(rows, columns=header)
    elif kind == "xlsx":
        src = tmp_path / "dup.xlsx"
        pd.DataFrame(rows, columns=["district", "households", "internet", "internet_copy"]).to_excel(src, index=False)
        import openpyxl

        wb = openpyxl.load_workbook(src)
        wb.active.cell(row=1, column=4, value="internet")
        wb.save(src)
    else:
        src = tmp_path / "dup.csv"
        src.write_text("\n".join(",".join(map(str, r)) for r in [header] + rows) + "\n")
    t = _read(src)
    dup = t.report.by_code("duplicate_column_name")
    assert len(dup) == 1 and "columns 3 and 4" in dup[0].message and dup[0].column == "internet"
    assert t.data["numerator"].tolist() == [400.0, 300.0]  # the first column is read
    assert not t.report.by_code("unknown_column")
