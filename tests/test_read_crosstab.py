"""Statistical table-tool downloads (egovkit.read.crosstab): title lines, multi-row headers, units
columns, periods as columns, indicators as rows, an unlabelled territory row, one sheet per variable,
a denominator that is the sum of exhaustive answers. Small reproductions of the shapes, in several
languages; the real files are in tests/realworld/br_ibge_*."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from egovkit.errors import InputError
from egovkit.read import read_table
from egovkit.read.crosstab import crosstab_table, read_crosstab
from egovkit.validate import ValidationReport


def _xlsx(path, sheets: dict[str, list[list[object]]]):
    with pd.ExcelWriter(path) as w:
        for name, grid in sheets.items():
            pd.DataFrame(grid).to_excel(w, sheet_name=name, header=False, index=False)
    return path


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(path, **kw)


def _shares(t) -> dict[str, float]:
    d = t.data
    return {ind: g["numerator"].sum() / g["denominator"].sum() for ind, g in d.groupby("indicator")}


# a SIDRA "CSV (BR)"-like download: years row over categories row, a unit column after every value,
# no households column (the households are 'had' + 'had not'), source and legend below
SIDRA_CSV = "\n".join([
    '"Tabela 9 - Domicílios, por existência de microcomputador ou tablet"',
    '"Variável - Domicílios"',
    '"Região";"Ano x Existência de microcomputador ou tablet"',
    '"Região";"2019";;;;"2024"',
    '"Região";"Havia microcomputador ou tablet";;"Não havia microcomputador nem tablet";;'
    '"Havia microcomputador ou tablet";;"Não havia microcomputador nem tablet";',
    '"Norte";"10";"Mil unidades";"30";"Mil unidades";"20";"Mil unidades";"30";"Mil unidades"',
    '"Sul";"40";"Mil unidades";"60";"Mil unidades";"60";"Mil unidades";"40";"Mil unidades"',
    '"Oeste";"5";"Mil unidades";"15";"Mil unidades";"9";"Mil unidades";"11";"Mil unidades"',
    '"Fonte: IBGE - Pesquisa"',
    '"Legenda"', ""])


def test_multirow_header_units_columns_and_summed_households(tmp_path):
    path = tmp_path / "tabela9.csv"
    path.write_text(SIDRA_CSV, encoding="utf-8-sig")
    t = _read(path)
    assert sorted(t.data["area_name"].unique()) == ["Norte", "Oeste", "Sul"]
    comp = t.data[t.data["indicator"] == "computer"].set_index("area_name")
    assert comp.loc["Norte", "numerator"] == 20 and comp.loc["Norte", "denominator"] == 50  # 2024, 20 + 30
    codes = {i.code for i in t.report.issues}
    assert {"crosstab_period", "crosstab_units", "crosstab_denominator"} <= codes
    den = t.report.by_code("crosstab_denominator")[0].message
    assert "Havia microcomputador ou tablet" in den and "Não havia" in den
    assert "thousands" in t.report.by_code("crosstab_units")[0].message


def test_period_argument_chooses_the_columns(tmp_path):
    path = tmp_path / "tabela9.csv"
    path.write_text(SIDRA_CSV, encoding="utf-8-sig")
    t = _read(path, period=2019)
    comp = t.data[t.data["indicator"] == "computer"].set_index("area_name")
    assert comp.loc["Sul", "numerator"] == 40 and comp.loc["Sul", "denominator"] == 100
    with pytest.raises(InputError, match="period="):
        _read(path, period=2020)


def test_unlabelled_row_named_from_title_and_bare_answers(tmp_path):
    """One data row, no area label, the territory only in a title line; 'Total | Sim | Não'."""
    grid = [["Tabela 99 - Domicílios por existência de conexão à Internet"],
            ["Variável - Domicílios particulares permanentes ocupados (Unidades)"],
            ["Brasil"], ["Ano - 2022"], ["Existência de conexão domiciliar à Internet"],
            ["Total", "Sim", "Não"], [1000, 800, 200], ["Fonte: IBGE - Censo"]]
    t = _read(_xlsx(tmp_path / "t.xlsx", {"Tabela": grid, "Notas": [["Notas"], ["1 - preliminar"]]}))
    row = t.data[t.data["indicator"] == "internet"]
    assert row["area_name"].tolist() == ["Brasil"]
    assert (row["numerator"].iloc[0], row["denominator"].iloc[0]) == (800, 1000)
    assert "Brasil" in " ".join(i.message for i in t.report.by_code("read.crosstab_one_row"))


def test_unlabelled_row_without_country_is_the_territory(tmp_path):
    grid = [["Table 4 - Households by internet access"], ["Region of Nowhere"],
            ["Internet access at home"], ["Total", "Yes", "No"], [500, 300, 200]]
    t = _read(_xlsx(tmp_path / "t.xlsx", {"T": grid}))
    assert t.data["area_name"].unique().tolist() == ["Territory"]
    assert _shares(t)["internet"] == pytest.approx(0.6)


def test_transposed_items_as_rows_with_breakdown_columns(tmp_path):
    """Goods as rows, years x income classes as columns; exclusive phone combinations summed."""
    grid = [["Tabela 23 - Domicílios por classes de rendimento e existência de bens"],
            ["Variável - Domicílios particulares permanentes (Mil unidades)"], ["Brasil"],
            ["Existência de bens", "Ano x Classes de rendimento"],
            [None, 2014, None, 2015, None],
            [None, "Total", "Até 10 salários mínimos", "Total", "Até 10 salários mínimos"],
            ["Total", 100, 90, 200, 180],
            ["Microcomputador - tinham", 40, 30, 90, 70],
            ["Microcomputador - não tinham", 60, 60, 110, 110],
            ["Telefone - tinham", 80, 70, 180, 160],
            ["Telefone - tinham - somente celular", 30, 30, 100, 95],
            ["Telefone - tinham - somente fixo convencional", 20, 20, 20, 20],
            ["Telefone - tinham - celular e fixo convencional", 30, 20, 60, 45],
            ["Telefone - não tinham", 20, 20, 20, 20],
            ["Fonte: IBGE - PNAD"]]
    t = _read(_xlsx(tmp_path / "t.xlsx", {"Tabela": grid}))
    s = _shares(t)
    assert s["computer"] == pytest.approx(90 / 200)
    assert s["mobile_phone_hh"] == pytest.approx(160 / 200)  # somente celular + celular e fixo
    assert t.data["area_name"].unique().tolist() == ["Brasil"]
    codes = {i.code for i in t.report.issues}
    assert {"read.crosstab_breakdown_columns", "crosstab_parts", "crosstab_period"} <= codes


def test_one_sheet_per_variable(tmp_path):
    def sheet(var, values):
        return [["Tabela 12 - Domicílios com acesso à Internet"], [f"Variável - {var}"], ["Brasil"], ["Ano"],
                ["2009", "2011"], values, ["Fonte: IBGE"]]
    path = _xlsx(tmp_path / "t.xlsx", {
        "Tabela 1": sheet("Domicílios particulares permanentes (Mil unidades)", [100, 200]),
        "Tabela 2": sheet("Domicílios particulares permanentes com acesso à internet (Mil unidades)", [20, 70]),
        "Tabela 3": sheet("Percentual de domicílios com acesso à internet (%)", [20.0, 35.0]),
        "Notas": [["Notas"], ["Não houve pesquisa no ano de 2010."]]})
    t = _read(path)
    assert _shares(t)["internet"] == pytest.approx(0.35)
    msgs = " ".join(i.message for i in t.report.issues)
    assert "Tabela 1" in msgs and "Tabela 2" in msgs and not t.report.by_code("crosstab_check")


def test_percentage_sheet_disagreeing_with_counts_warns(tmp_path):
    def sheet(var, values):
        return [["Table 12"], [f"Variable - {var}"], ["Portugal"], ["2020", "2021"], values]
    path = _xlsx(tmp_path / "t.xlsx", {
        "A": sheet("Households (thousands)", [190, 200]),
        "B": sheet("Households with internet access (thousands)", [60, 70]),
        "C": sheet("Percentage of households with internet access (%)", [31.6, 45.0])})
    t = _read(path)
    assert t.report.by_code("crosstab_check")
    assert _shares(t)["internet"] == pytest.approx(0.35)


def test_english_yes_no_dont_know_partition(tmp_path):
    """No households column: yes + no + don't know are the households."""
    grid = [["Table 7. Households by access to the internet at home"],
            ["Region", "2023", None, None],
            [None, "Internet access at home - Yes", "Internet access at home - No",
             "Internet access at home - Don't know"],
            ["North", 60, 30, 10], ["South", 150, 40, 10], ["Source: national survey"]]
    t = _read(_xlsx(tmp_path / "t.xlsx", {"Sheet1": grid}))
    inter = t.data[t.data["indicator"] == "internet"].set_index("area_name")
    assert inter.loc["North", "denominator"] == 100 and inter.loc["South", "denominator"] == 200
    assert "Don't know" in t.report.by_code("crosstab_denominator")[0].message


def test_plain_tables_are_left_to_the_ordinary_reader(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("Census 2019\ncounty,households,internet\nA,100,10\nB,200,30\n", encoding="utf-8")
    assert read_crosstab(path, report=ValidationReport(), name="plain.csv") is None
    # a long table repeating its indicator labels is not a table of indicators as rows
    grid = [["Indicator", "Urban", "Rural", "Total", "state"],
            ["Women who used the internet (%)", 40, 20, 30, "A"],
            ["Men who used the internet (%)", 50, 30, 40, "A"],
            ["Women who used the internet (%)", 45, 25, 35, "B"],
            ["Men who used the internet (%)", 55, 35, 45, "B"]]
    assert crosstab_table({"": grid}, ValidationReport(), name="long.csv") is None


def test_percentages_with_a_total_column_and_a_unit_line(tmp_path):
    """A percentage variable: its 'Total' column (100) is no indicator and no denominator; a
    'Unidades: Porcentaje' title line with years as columns and regions as rows (INEbase-like)."""
    grid = [["Tabela 1 - Domicílios por existência de Internet"], ["Variável - Percentual de domicílios (%)"],
            ["Brasil"], ["Existência de Internet"], ["Total", "Sim", "Não"], [100, 86.3, 13.7], ["Fonte: IBGE"]]
    t = _read(_xlsx(tmp_path / "p.xlsx", {"T": grid}))
    assert t.data["indicator"].tolist() == ["internet"] and t.data["numerator"].iloc[0] == pytest.approx(0.863)
    assert not t.report.by_code("crosstab_choice")
    grid = [["Viviendas con acceso a Internet por comunidades autónomas"], ["Unidades: Porcentaje"],
            [None, "2023", "2022"], ["Total Nacional", 96.4, 95.9], ["Andalucía", 95.1, 94.3],
            ["Aragón", 96.0, 95.0], ["Fuente: INE"]]
    t = _read(_xlsx(tmp_path / "ine.xlsx", {"T": grid}))
    assert t.data.set_index("area_name")["numerator"].to_dict() == {"Andalucía": 0.951, "Aragón": 0.96}
    assert t.other_levels["area_name"].tolist() == ["Total Nacional"]
    assert sorted(t.data["source_row"]) == [5, 6]  # the file's lines


def test_rows_keep_the_lines_of_the_file(tmp_path):
    path = tmp_path / "tabela9.csv"
    path.write_text(SIDRA_CSV, encoding="utf-8-sig")
    t = _read(path)
    assert t.report.row_fate == {6: "used", 7: "used", 8: "used"}


def test_breakdown_groups_of_answers_read_in_their_total_group(tmp_path):
    """Areas as rows, a header of two rows: urban / rural / total over yes / no (no households column)."""
    grid = [["Quadro 5 - Agregados domésticos com acesso à Internet em casa, por NUTS II"],
            ["Região", "Urbana", None, "Rural", None, "Total", None],
            [None, "Sim", "Não", "Sim", "Não", "Sim", "Não"],
            ["Norte", 50, 10, 20, 20, 70, 30], ["Centro", 30, 10, 30, 30, 60, 40], ["Fonte: INE"]]
    t = _read(_xlsx(tmp_path / "pt.xlsx", {"Quadro": grid}))
    inter = t.data[t.data["indicator"] == "internet"].set_index("area_name")
    assert inter.loc["Norte", "numerator"] == 70 and inter.loc["Norte", "denominator"] == 100
    assert inter.loc["Centro", "numerator"] == 60 and inter.loc["Centro", "denominator"] == 100
    assert any("Urbana - Sim" in i.message for i in t.report.by_code("crosstab_breakdown"))


def test_counts_and_percentages_of_the_same_answers_in_one_header(tmp_path):
    """'Domicílios - Sim' is the households WITH the answer, not the denominator: Sim + Não are."""
    grid = [["Tabela 9 - Domicílios por existência de Internet"], ["Existência de Internet"],
            ["Região", "Domicílios (Mil unidades)", None, "Percentual (%)", None], [None, "Sim", "Não", "Sim", "Não"],
            ["Norte", 30, 10, 75.0, 25.0], ["Sul", 60, 20, 70.0, 30.0], ["Fonte: IBGE"]]
    t = _read(_xlsx(tmp_path / "p.xlsx", {"T": grid}))
    inter = t.data[t.data["indicator"] == "internet"].set_index("area_name")
    assert inter.loc["Norte", "denominator"] == 40 and inter.loc["Sul", "numerator"] == 60
    assert set(t.data["universe"]) == {"households"}
    assert t.report.by_code("crosstab_check")  # Sul: 70 % published, 75 % from the counts


def test_transposed_partition_without_total_row_and_persons(tmp_path):
    grid = [["Tabela 5 - Domicílios por existência de bens"],
            ["Variável - Domicílios particulares permanentes (Mil unidades)"], ["Brasil"],
            ["Existência de bens", "Ano"], [None, "2014", "2015"],
            ["Microcomputador - tinham", 40, 50], ["Microcomputador - não tinham", 55, 48],
            ["Microcomputador - sem declaração", 5, 2], ["Televisão - tinham", 90, 95],
            ["Televisão - não tinham", 10, 5]]
    t = _read(_xlsx(tmp_path / "t.xlsx", {"T": grid}))
    assert _shares(t)["computer"] == pytest.approx(0.5)  # 50 / (50 + 48 + 2)
    assert "sem declaração" in t.report.by_code("crosstab_denominator")[0].message
    # a dimension row above bare answers, persons in the variable line
    grid = [["Tabela 7 - Pessoas que utilizaram a Internet"],
            ["Variável - Pessoas de 10 anos ou mais de idade (Mil pessoas)"],
            ["Grande Região", "Utilização da Internet"], [None, "Total", "Utilizaram", "Não utilizaram"],
            ["Norte", 100, 60, 40], ["Sul", 200, 150, 50]]
    t = _read(_xlsx(tmp_path / "p.xlsx", {"T": grid}))
    assert set(t.data["indicator"]) == {"internet_use"} and set(t.data["universe"]) == {"persons"}
    assert _shares(t)["internet_use"] == pytest.approx(0.7)


def test_partitions_of_two_questions_that_disagree_warn():
    grid = [["Tabela 5"], ["Variável - Domicílios (Mil unidades)"], ["Brasil"], ["Bens", "Ano"], [None, "2014", "2015"],
            ["Microcomputador - tinham", 40, 50], ["Microcomputador - não tinham", 60, 50],
            ["Televisão - tinham", 90, 95], ["Televisão - não tinham", 10, 15]]
    report = ValidationReport(source="t.xlsx")
    tidy = crosstab_table({"T": grid}, report, name="t.xlsx")
    assert tidy["Domicílios"].tolist() == [100.0]
    assert [i for i in report.by_code("read.crosstab_answers_differ") if i.severity == "warning"]
