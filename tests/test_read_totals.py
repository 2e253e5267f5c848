"""A table's own total row is compared with the sum of its districts (reported, never used)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from egovkit.datasets.synthetic import make_territory
from egovkit.read import read_table


def _read(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(df)


def test_total_row_that_matches_is_noted():
    t = _read(make_territory().table)
    assert t.report.by_code("total_row_agrees") and not t.report.by_code("total_row_disagrees")


def test_missing_district_makes_the_total_row_disagree():
    table = make_territory().table
    dropped = table[table["Level"] == "District"].iloc[3]
    t = _read(table.drop(index=dropped.name))
    bad = t.report.by_code("total_row_disagrees")
    assert len(bad) == 6  # every indicator
    assert all(i.row == 2 and i.area == "Exampleland" for i in bad)  # the total row is line 2 of the file
    assert f"{table.loc[table['Level'] == 'Total', 'Households'].item() - dropped['Households']:,.0f}" in bad[0].message
    # the districts themselves are untouched
    assert t.data["area_name"].nunique() == 23


def test_changed_total_rate_is_reported():
    table = make_territory().table.copy()
    table.loc[table["Level"] == "Total", "Internet"] += 5_000  # +2 points on 254,502 households
    t = _read(table)
    bad = t.report.by_code("total_row_disagrees")
    assert [i.message.split(":")[0] for i in bad] == ["internet"]


@pytest.mark.realdata
def test_kenya_national_rows_agree_with_the_counties(shared_data):
    for name in ("V4_T2.36", "V4_T2.32", "V4_T2.33"):
        t = _read_kenya(shared_data / "kenya-census-2019-ict" / f"{name}.csv")
        assert t.report.by_code("total_row_agrees"), name
        assert not t.report.by_code("total_row_disagrees"), name


def _read_kenya(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(path, level="AdminArea", district_level="County")


# ---------------------------------------------------------------------------------------------
# totals rows under any name (issue 10 part 2): kept apart, checked, never counted as a district
# ---------------------------------------------------------------------------------------------
from pathlib import Path  # noqa: E402

from egovkit.read import total_kind  # noqa: E402

_COMMUNES = [("29019", "Brest", 66_000, None, 45_000), ("29232", "Quimper", 30_000, 25_000, 20_000),
             ("35238", "Rennes", 105_000, 90_000, 75_000), ("22278", "Saint-Brieuc", 22_000, 17_000, 14_000),
             ("56260", "Vannes", 27_000, 22_000, 18_000)]
_HOUSEHOLDS = sum(c[2] for c in _COMMUNES)


def _csv(tmp_path: Path, header: str, rows: list[str]) -> Path:
    path = tmp_path / "communes.csv"
    path.write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    return path


def _commune_rows(fmt: str) -> list[str]:
    return [fmt.format(code=c, name=n, hh=f"{h:,}".replace(",", " "), net="" if i is None else i, pc=p)
            for c, n, h, i, p in _COMMUNES]


@pytest.mark.parametrize("name", ["Total de la région", "Total general del país", "Ensemble de la région",
                                  "All communes", "Overall", "National", "Pays", "Todo el país",
                                  "Tout le territoire", "Toda la región", "Total général de la région Bretagne"])
def test_a_totals_row_with_a_qualifier_does_not_double_the_households(tmp_path, name):
    """Bug: a commune table's totals row named 'Total' + a qualifier, with a dropped cell in the
    first indicator, was counted as a district: the territory's households came out doubled."""
    rows = _commune_rows("{code};{name};{hh};{net};{pc}") + [f"53;{name};{_HOUSEHOLDS:,};210 000;172 000"
                                                              .replace(",", " ")]
    t = _read(_csv(tmp_path, "Code commune;Commune;Ménages;Internet;Ordinateur", rows))
    assert t.data.drop_duplicates("area_name")["denominator"].sum() == _HOUSEHOLDS
    assert t.other_levels["area_name"].unique().tolist() == [name]
    assert t.report.row_fate[7] == "kept apart"
    note = t.report.by_code("kept_apart")[0]
    assert note.severity == "info" and name in note.message and "7" in note.message
    assert t.report.by_code("total_row_agrees")  # checked against the communes (computer)


def test_a_totals_row_said_in_another_column_than_the_names(tmp_path):
    """The totals row names itself in the region column and leaves the commune cell empty."""
    rows = _commune_rows("Bretagne;{code};{name};{hh};{net};{pc}") + ["Total de la région;53;;250 000;210 000;172 000"]
    t = _read(_csv(tmp_path, "Région;Code commune;Commune;Ménages;Internet;Ordinateur", rows))
    assert t.data.drop_duplicates("area_name")["denominator"].sum() == _HOUSEHOLDS
    assert t.other_levels["area_name"].unique().tolist() == ["Total de la région"]
    assert t.report.row_fate[7] == "kept apart"


def test_a_totals_row_said_in_the_code_column(tmp_path):
    rows = _commune_rows("{code};{name};{hh};{net};{pc}") + ["TOTAL;Bretagne;250 000;210 000;172 000"]
    t = _read(_csv(tmp_path, "Code commune;Commune;Ménages;Internet;Ordinateur", rows))
    assert "Bretagne" not in set(t.data["area_name"])
    assert t.data.drop_duplicates("area_name")["denominator"].sum() == _HOUSEHOLDS


def test_a_parent_column_naming_the_country_on_every_row_is_no_total(tmp_path):
    """A total word in another column counts only on a minority of rows."""
    rows = _commune_rows("Kenya;{code};{name};{hh};{net};{pc}")
    t = _read(_csv(tmp_path, "Country;Code commune;Commune;Ménages;Internet;Ordinateur", rows))
    assert t.data["area_name"].nunique() == 5 and t.other_levels.empty


@pytest.mark.parametrize("name,kind", [
    ("Ensemble du département", "national"), ("Todas las comunas", "national"), ("Alle Gemeinden", "national"),
    ("Total Urbano", "urban"), ("Área urbana", "urban"), ("Zona rural", "rural"),
    # districts that only look like totals
    ("Urbano Santos", None), ("Todos Santos", None), ("Alle", None), ("Ganze", None), ("All Saints", None),
    ("National Capital District", None)])
def test_total_kind_in_more_languages(name, kind):
    assert total_kind(name) == kind


_STATES = [("Minas Gerais", 7_000_000, 5_600_000), ("São Paulo", 16_000_000, 14_000_000),
           ("Bahia", 5_000_000, 3_800_000), ("Paraná", 4_000_000, 3_300_000), ("México", 3_000_000, 2_400_000)]


def test_a_row_named_like_the_country_is_the_territory_total(tmp_path):
    """'Brasil' among its states, one dropped cell in the indicator: kept apart with a note."""
    total = sum(h for _, h, _ in _STATES)
    rows = [f"{n},{h},{'' if n == 'Bahia' else i},{h // 2}" for n, h, i in _STATES] + [f"Brasil,{total},29100000,"]
    t = _read(_csv(tmp_path, "UF,Households,Internet,Computer", rows))
    assert "Brasil" not in set(t.data["area_name"]) and "México" in set(t.data["area_name"])
    note = t.report.by_code("country_total")
    assert [(i.severity, i.row, i.area) for i in note] == [("info", 7, "Brasil")]
    assert t.report.row_fate[7] == "kept apart"
    assert t.data.drop_duplicates("area_name")["denominator"].sum() == total
    assert not t.report.by_code("total_row_disagrees")  # Bahia's internet is missing: not compared


def test_a_table_of_countries_keeps_its_countries():
    df = pd.DataFrame({"Country": ["France", "Spain", "Italy", "Portugal", "EU27"],
                       "Households": [30e6, 18e6, 26e6, 4e6, 78e6], "Internet": [27e6, 17e6, 22e6, 3.5e6, 69.5e6]})
    t = _read(df)
    assert set(t.data["area_name"]) == {"France", "Spain", "Italy", "Portugal"}
    assert not t.report.by_code("country_total")
    assert t.report.by_code("looks_like_total")[0].area == "EU27"  # their sum under another name


def test_a_district_as_large_as_the_others_in_one_column_is_named_in_a_warning():
    df = pd.DataFrame({"District": ["Big", "A", "B", "C"], "Households": [600, 100, 200, 300],
                       "Internet": [50, 10, 20, 30], "Computer": [5, 40, 60, 90]})
    t = _read(df)
    assert "Big" in set(t.data["area_name"])
    w = t.report.by_code("possible_total")
    assert [(i.severity, i.row, i.area) for i in w] == [("warning", 2, "Big")]
    assert "'Households'" in w[0].message and "'Internet'" in w[0].message


def test_totals_row_under_the_territory_name_is_flagged(tmp_path: Path) -> None:
    """Bug: a totals row named after the territory ('Lyon' under its arrondissements) was read
    as one more district without a word, so every territory figure counted households twice."""
    path = tmp_path / "lyon.csv"
    path.write_text("Arrondissement;Ménages;Internet\nLyon 1er;1 000;600\nLyon 2e;2 000;1 100\n"
                    "Lyon 3e;3 500;1 500\nLyon 4e;1 200;700\nLyon;7 700;3 900\n", encoding="utf-8")
    t = _read(path)
    flag = t.report.by_code("looks_like_total")
    assert [(i.row, i.area) for i in flag] == [(6, "Lyon")]
    ok = tmp_path / "ok.csv"  # the same districts with a named total: no warning
    ok.write_text(path.read_text().replace("\nLyon;", "\nTotal;"))
    assert not _read(ok).report.by_code("looks_like_total")
