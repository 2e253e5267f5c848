"""French all the way: the French Kenya and NYC reports (page, interactive map, workbook) hold no English
sentence of egovkit's own texts (message catalogue, report, workbook, diagnosis and app texts).

The check (``tests/english_check.py``) turns every English template into a pattern; the English
report must be found full of them (so the check can fail), the French one must have none.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from english_check import embedded_maps, english_in, english_patterns, visible_text

pytestmark = pytest.mark.realdata


def _report(out: Path, lang: str, case: str = "kenya") -> Path:
    done = subprocess.run([sys.executable, "-m", "egovkit", "report", case, "--lang", lang, "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def kenya(tmp_path_factory, shared_data) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("kenya_reports")
    return {lang: _report(root / lang, lang) for lang in ("en", "fr")}


def _workbook_text(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
             if isinstance(v, str)]
    return "\n".join(cells + list(wb.sheetnames))


def _english(folder: Path) -> dict[str, list[str]]:
    html = (folder / "index.html").read_text(encoding="utf-8")
    maps = embedded_maps(html)
    assert maps, "the report inlines its interactive map"
    return {"page": english_in(visible_text(html)),
            # the map's own text, and its scripts (tooltips, legend) beside Leaflet's: there, sentences of 3+ words
            "map": [f for m in maps for f in english_in(visible_text(m)) + english_in(m, min_words=3)],
            "workbook": english_in(_workbook_text(folder / "tables.xlsx"))}


def test_the_check_finds_the_english_of_the_english_report(kenya):
    assert len(english_patterns()) > 300
    found = _english(kenya["en"])
    assert len(found["page"]) >= 10 and found["workbook"], found


def test_the_french_kenya_report_has_no_english_sentence(kenya):
    found = _english(kenya["fr"])
    assert found == {"page": [], "map": [], "workbook": []}, found


def test_the_french_nyc_report_has_no_english_sentence(tmp_path, shared_data):
    """The Wi-Fi coverage case (hotspots, population, gap zones, new sites) said in French too."""
    found = _english(_report(tmp_path / "nyc", "fr", "nyc"))
    assert found == {"page": [], "map": [], "workbook": []}, found
