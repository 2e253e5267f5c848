"""read_table on files that used to crash or mislead: every one reads with a report, or raises
an InputError naming the file and the fix (issue 9). Random versions of the same are in
``test_read_properties.py``; the long run is ``benchmarks/fuzz_tables.py``."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from egovkit.errors import EgovkitWarning, InputError
from egovkit.read import read_table, total_kind


def _read(path: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(path, **kw)


def _write(tmp_path: Path, data: bytes | str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ------------------------------------------------------------------------- not a table at all
@pytest.mark.parametrize("data, words", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
    (b"%PDF-1.4\n" + bytes(range(256)), "PDF"),
    (bytes(range(256)) * 20, "binary"),
    (b"\x1f\x8b\x08\x00" + bytes(200), "gzip"),
])
def test_binary_files_are_refused_by_name(tmp_path, data, words):
    with pytest.raises(InputError, match=words) as exc:
        _read(_write(tmp_path, data))
    assert exc.value.file == "t.csv" and exc.value.fix


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "census.csv").mkdir()
    with pytest.raises(InputError, match="folder") as exc:
        _read(tmp_path / "census.csv")
    assert exc.value.fix


def test_an_excel_workbook_named_csv_is_read_as_a_sheet(tmp_path):
    pytest.importorskip("openpyxl")
    buf = io.BytesIO()
    pd.DataFrame({"District": ["A", "B"], "Households": [100, 200], "Internet": [10, 50]}).to_excel(buf, index=False)
    t = _read(_write(tmp_path, buf.getvalue()))
    assert t.data["numerator"].tolist() == [10, 50]
    w = t.report.by_code("file_format")[0]
    assert w.severity == "warning" and "Excel" in w.message and ".xlsx" in w.fix


def test_a_zip_archive_named_csv_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("table.csv", "District,Households,Internet\nA,10,2\n")
    with pytest.raises(InputError, match="zip archive") as exc:
        _read(_write(tmp_path, buf.getvalue()))
    assert "unzip" in exc.value.fix


def test_a_damaged_xlsx_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="t.xlsx") as exc:
        _read(_write(tmp_path, b"PK\x03\x04 not really a workbook", "t.xlsx"))
    assert exc.value.fix


# ----------------------------------------------------------------------- broken text files
def test_nul_bytes_are_removed_and_named_by_line(tmp_path):
    t = _read(_write(tmp_path, b"District,Households,Internet\nA,100,1\x000\nB\x00,200,20\n"))
    assert t.data["area_name"].tolist() == ["A", "B"] and t.data["numerator"].tolist() == [10, 20]
    w = t.report.by_code("nul_bytes")[0]
    assert w.severity == "warning" and "2, 3" in w.message


@pytest.mark.parametrize("sep", [",", ";"])
def test_an_unclosed_quote_does_not_swallow_the_next_rows(tmp_path, sep):
    rows = ["District;Households;Internet", '"Kibra;100;10', "Lyon;200;20", '"Niort; centre";300;30', "Meru;400;40"]
    t = _read(_write(tmp_path, "\n".join(r.replace(";", sep) for r in rows) + "\n"))
    assert t.report.row_fate == {2: "used", 3: "used", 4: "used", 5: "used"}
    assert dict(zip(t.data["area_name"], t.data["source_row"])) == {"Kibra": 2, "Lyon": 3, f"Niort{sep} centre": 4,
                                                                    "Meru": 5}
    w = t.report.by_code("unclosed_quote")[0]
    assert w.row == 2 and w.severity == "warning"


def test_an_unclosed_quote_on_the_last_line(tmp_path):
    t = _read(_write(tmp_path, 'District,Households,Internet\nA,100,10\n"B,200,20\n'))
    assert t.data["area_name"].tolist() == ["A", "B"]


def test_a_huge_line_is_read_not_refused(tmp_path):
    text = "District,Households,Internet\nA,100,10\nB,200,20\n" + '"Note: ' + "x" * 300_000 + '"\n'
    t = _read(_write(tmp_path, text))
    assert t.data["area_name"].tolist() == ["A", "B"] and t.report.row_fate[4] == "dropped"


def test_multi_line_cells_give_the_line_where_the_record_starts(tmp_path):
    text = 'District,"Number of\nhouseholds",Internet\nA,100,10\n"B\n(new)",200,20\nC,300,30\n'
    t = _read(_write(tmp_path, text))
    assert dict(zip(t.data["area_name"], t.data["source_row"])) == {"A": 3, "B\n(new)": 4, "C": 6}


def test_utf16_without_bom_and_old_mac_line_ends(tmp_path):
    text = "District\tHouseholds\tInternet\rA\t100\t10\rB\t200\t20\r"
    t = _read(_write(tmp_path, text.encode("utf-16-le")))
    assert t.data["numerator"].tolist() == [10, 20] and t.report.row_fate == {2: "used", 3: "used"}


# ------------------------------------------------------------------ separators and title lines
@pytest.mark.parametrize("title", ["Table 1: Households, by district; 2019", "Tableau 3 ; Équipement, ménages",
                                   '"Table 2.36: Households owning assets, by county"'])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_title_line_notes_and_ragged_rows_do_not_mislead_the_separator(tmp_path, title, sep):
    rows = [title, "", f"District{sep}Households{sep}Internet (%)", f"A{sep}100{sep}12{',' if sep != ',' else '.'}5",
            f"B{sep}200{sep}20{sep}{sep}", f"C{sep}300", f"Total{sep}600{sep}10", "Source: Census, 2019; provisional"]
    t = _read(_write(tmp_path, "\n".join(rows) + "\n"))
    assert t.report.row_fate == {4: "used", 5: "used", 6: "dropped", 7: "kept apart", 8: "dropped"}
    assert t.data["numerator"].tolist() == [12.5, 40.0]
    assert t.report.by_code("note_rows")[0].row == 8


# ----------------------------------------------------------------------------- thousands
@pytest.mark.parametrize("sep", [";", "\t"])
def test_us_thousands_in_a_semicolon_file_are_thousands(tmp_path, sep):
    rows = ["District;Households;Internet", "A;20,852;1,234", "B;1,234,567;640", "C;900;12"]
    t = _read(_write(tmp_path, "\n".join(r.replace(";", sep) for r in rows) + "\n"))
    assert t.data["denominator"].tolist() == [20852, 1234567, 900]
    assert t.data["numerator"].tolist() == [1234, 640, 12]
    assert t.report.by_code("comma_thousands")[0].severity == "info"


def test_one_group_commas_in_households_only_are_thousands(tmp_path):
    t = _read(_write(tmp_path, "District;Households;Internet\nA;20,852;1234\nB;3,100;640\n"))
    assert t.data["denominator"].tolist() == [20852, 3100]


def test_comma_thousands_next_to_decimal_points_elsewhere(tmp_path):
    t = _read(_write(tmp_path, "District;Households;Internet (%)\nA;20,852;12.5\nB;3,100;40.0\n"))
    assert t.data["denominator"].tolist() == [20852, 3100]
    assert t.data["numerator"].tolist() == pytest.approx([20852 * 0.125, 3100 * 0.4])


def test_ambiguous_comma_cells_in_indicator_columns_are_a_warning(tmp_path):
    t = _read(_write(tmp_path, "District;Households;Internet\nA;20852;1,234\nB;3100;2,500\n"))
    w = t.report.by_code("comma_thousands")[0]
    assert w.severity == "warning" and "'1,234'" in w.message and "decimal='.'" in w.fix
    assert w.column == "Internet"


# --------------------------------------------------------------------------------- totals
@pytest.mark.parametrize("name, kind", [
    ("Total", "national"), ("TOTAL*", "national"), ("Total de la région", "national"),
    ("Grand total", "national"), ("Ensemble du territoire", "national"), ("Overall", "national"),
    ("All districts", "national"), ("National", "national"), ("Country total", "national"),
    ("Toplam", "national"), ("Total geral", "national"), ("Todos los municipios", "national"),
    ("Sous-total Nord", "subtotal"), ("Subtotal: North", "subtotal"), ("Urban areas", "urban"),
    ("Kibra", None), ("All Saints", None), ("Sumatra Barat", None), ("National Capital District", None),
    ("Totalville", None), ("Saint-Étienne", None), ("Totalán", None), ("Todos Santos", None),
    ("Nationwide", "national"), ("Todo el país", "national"), ("Ensemble de la population", "national"),
    ("TOTAL GÉNÉRAL", "national"), ("Total (Kenya)", "national"), ("District total", "national")])
def test_total_names(name, kind):
    assert total_kind(name) == kind


def test_total_with_a_qualifier_is_not_counted_twice():
    # the case of the issue: 'Total de la région' read as a district doubled the households
    df = pd.DataFrame({"Commune": ["A", "B", "C", "Total de la région"], "Ménages": [100, 200, 300, 600],
                       "Internet": [10, None, 30, 60], "Ordinateur": [5, 6, 7, 18]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(df)
    assert t.data.drop_duplicates("area_name")["denominator"].sum() == 600
    assert t.other_levels["area_name"].unique().tolist() == ["Total de la région"]


def test_hidden_total_with_a_dropped_cell_in_a_district(tmp_path):
    # the old check looked at one indicator only, and that indicator had a dropped cell
    text = ("Arrondissement;Ménages;Internet;Ordinateur\nLyon 1er;1 000;-;300\nLyon 2e;2 000;1 100;500\n"
            "Lyon 3e;3 500;1 500;900\nLyon 4e;1 200;700;100\nLyon;7 700;3 900;1 800\n")
    t = _read(_write(tmp_path, text))
    assert "Lyon" not in set(t.data["area_name"]) and t.report.row_fate[6] == "kept apart"
    assert t.report.by_code("looks_like_total")[0].row == 6


def test_a_district_as_large_as_the_others_in_one_column_only_stays_a_district():
    df = pd.DataFrame({"District": ["Big", "A", "B", "C"], "Households": [600, 100, 200, 300],
                       "Internet": [50, 10, 20, 30], "Computer": [5, 40, 60, 90]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(df)
    assert "Big" in set(t.data["area_name"]) and not t.report.by_code("looks_like_total")


def test_three_decimals_in_a_percent_column_are_decimals_with_a_note(tmp_path):
    t = _read(_write(tmp_path, "District;Households;Internet (%)\nA;20.852;12,345\nB;3.100;40,500\n"))
    assert t.data["denominator"].tolist() == [20852, 3100]
    assert t.data["numerator"].tolist() == pytest.approx([20852 * 0.12345, 3100 * 0.405])
    assert [i.severity for i in t.report.by_code("comma_thousands")] == ["info"]


def test_a_quote_left_open_at_the_end_of_a_note_does_not_swallow_the_next_line(tmp_path):
    text = ('District,Households,Internet\nA,100,10\nB,200,20\n\nNote: counts are households,,"\n'
            '"Source: Census 2019, provisional"\n')
    t = _read(_write(tmp_path, text))
    assert t.report.row_fate == {2: "used", 3: "used", 5: "dropped", 6: "dropped"}
    assert t.report.by_code("unclosed_quote")[0].row == 5


def test_long_table_percent_signs_belong_to_their_indicator(tmp_path):
    # '%' on the smartphone rows used to make every indicator of the value column a percentage
    text = "District;Households;Indicator;Value\n" + "".join(
        f"{d};{h};Smartphone;{p} %\n{d};{h};Internet;{n}\n" for d, h, p, n in
        [("A", 1000, "50,0", 300), ("B", 2000, "25,0", 800), ("C", 4000, "10,0", 1000)])
    t = _read(_write(tmp_path, text))
    got = t.data.set_index(["area_name", "indicator"])["numerator"]
    assert got[("B", "internet")] == 800 and got[("B", "smartphone_hh")] == pytest.approx(500)
    assert not t.report.errors


def test_a_utf8_bom_on_latin1_bytes(tmp_path):
    t = _read(_write(tmp_path, b"\xef\xbb\xbfDistrict,Households,Internet\n\xc9vreux,100,10\n"))
    assert t.data["area_name"].tolist() == ["Évreux"]


def test_blank_header_cells_do_not_crash(tmp_path):
    t = _read(_write(tmp_path, "\t\tDistrict\tHouseholds\tInternet\nx\ty\tA\t100\t10\n"))
    assert t.data["numerator"].tolist() == [10]


def test_infinite_values_of_a_dataframe_are_not_numbers():
    df = pd.DataFrame({"District": ["A", "B", "C"], "Households": [float("inf"), 20, 40],
                       "Internet": [1, float("inf"), 2]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(df)
    assert t.data["area_name"].tolist() == ["C"]
    assert [(i.row, i.column) for i in t.report.by_code("non_numeric")] == [(2, "Households"), (3, "Internet")]
    assert "'inf'" in t.report.by_code("non_numeric")[0].message
