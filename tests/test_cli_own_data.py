"""A user's own files through the command line (issue 10, part 5): raw ACS S2801 downloads routed
by ``run``/``validate``, coverage-only runs, ``--assessment``, the reading options and the fixes
that name them, ``egovkit inspect``, working links with a relative ``--out``, partial tables
against larger boundary files, and the README's "Bringing your own data" commands.

The entry point (``egovkit.cli.main``) runs in-process, as ``egovkit`` runs it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from egovkit.cli import main
from egovkit.datasets.synthetic import make_territory

ROOT = Path(__file__).resolve().parents[1]
ACS = Path("ACSST1Y2018.S2801_data_with_overlays.csv")  # under <shared data>/us-county-acs-s2801


def _cli(*args: object, cwd: Path | None = None) -> tuple[int, str]:
    """Run the entry point: (exit code, stdout + stderr); an exception escaping it fails the test."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        os.chdir(old)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The synthetic territory written as a user's files."""
    return make_territory().write(tmp_path_factory.mktemp("inputs"))


def _territory(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "tables" / "territory.csv").set_index("indicator")


# -- 1. raw ACS S2801 routed automatically ------------------------------------------------------

@pytest.fixture(scope="module")
def acs_cut(tmp_path_factory, shared_data) -> dict[str, Path]:
    """The real ACS download cut to New Jersey's counties (label row kept), its metadata beside it,
    and boundaries of New Jersey and New York counties (more areas than the table)."""
    acs_dir = shared_data / "us-county-acs-s2801"
    d = tmp_path_factory.mktemp("acs")
    raw = pd.read_csv(acs_dir / ACS.name, dtype=str, keep_default_na=False)
    keep = raw.iloc[:1]  # the label row
    nj = raw[raw["GEO_ID"].str.match(r"0500000US34\d{3}$")]
    pd.concat([keep, nj]).to_csv(d / "ACSST1Y2018.S2801_data_with_overlays.csv", index=False)
    (d / "ACSST1Y2018.S2801_metadata.csv").write_bytes((acs_dir / "ACSST1Y2018.S2801_metadata.csv").read_bytes())
    b = gpd.read_file(acs_dir / "us_counties_2010_plotly.geojson")
    b = b[b["STATE"].isin(["34", "36"])]
    b.to_file(d / "counties.geojson")
    return {"table": d / "ACSST1Y2018.S2801_data_with_overlays.csv", "boundaries": d / "counties.geojson",
            "raw": nj, "n_boundaries": len(b)}  # type: ignore[dict-item]


def test_is_acs_s2801_only_for_the_raw_download(acs_cut, inputs):
    from egovkit.run_files import acs_metadata_file, is_acs_s2801

    assert is_acs_s2801(acs_cut["table"]) and not is_acs_s2801(inputs["table"])
    assert acs_metadata_file(acs_cut["table"]).name == "ACSST1Y2018.S2801_metadata.csv"


def test_validate_routes_a_raw_acs_download(acs_cut):
    code, output = _cli("validate", acs_cut["table"])
    n = len(acs_cut["raw"])
    assert code == 0, output
    assert "raw ACS S2801" in output and f"{n} rows read ({n} used)" in output, output
    assert "read_acs_s2801" not in output


def test_run_routes_a_raw_acs_download_and_its_figures_are_the_files(acs_cut, tmp_path):
    code, output = _cli("run", acs_cut["table"], acs_cut["boundaries"], "--out", tmp_path / "o", "--quiet")
    assert code == 0 and "Traceback" not in output, output
    raw = acs_cut["raw"]
    num, den = raw["S2801_C01_012E"].astype(float).sum(), raw["S2801_C01_001E"].astype(float).sum()
    terr = _territory(tmp_path / "o")
    assert terr.loc["internet", "numerator"] == pytest.approx(num)
    assert terr.loc["internet", "denominator"] == pytest.approx(den)
    assert f"{100 * num / den:.1f} %" in output
    # the table covers New Jersey only, the boundaries New York too: the other areas are "no data"
    gdf = gpd.read_file(tmp_path / "o" / "tables" / "districts.gpkg")
    assert len(gdf) == acs_cut["n_boundaries"] and gdf["share_internet"].notna().sum() == len(raw)


def test_reading_options_on_an_acs_download_are_said_to_be_unused(acs_cut):
    code, output = _cli("validate", acs_cut["table"], "--value-type", "percent")
    assert code == 0 and "--value-type" in output and "not used" in output, output


# -- 2. coverage only: hotspots + population by district, no ICT table ---------------------------

@pytest.fixture(scope="module")
def population_forms(inputs, tmp_path_factory) -> dict[str, Path]:
    """The territory's population by district as a table (codes, then names), a GeoPackage of
    districts with population, and a raster."""
    d = tmp_path_factory.mktemp("population")
    pts = pd.read_csv(inputs["population"])
    by = pts.groupby("district_code", as_index=False)["population"].sum()
    districts = gpd.read_file(inputs["districts"])
    by.rename(columns={"district_code": "Code", "population": "Population"}).to_csv(d / "by_code.csv", index=False)
    names = dict(zip(districts["code"], districts["name"]))
    pd.DataFrame({"Commune": by["district_code"].map(names), "Habitants": by["population"]}).to_csv(
        d / "by_name.csv", index=False, sep=";")
    g = districts.merge(by, left_on="code", right_on="district_code")[["code", "name", "population", "geometry"]]
    g.to_file(d / "districts_population.gpkg")
    # a raster: the points summed on a 200 m grid
    import rasterio
    from rasterio.transform import from_origin

    p = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts["longitude"], pts["latitude"]), crs=4326)
    p = p.to_crs(p.estimate_utm_crs())
    x, y, cell = p.geometry.x.to_numpy(), p.geometry.y.to_numpy(), 200.0
    x0, y1 = np.floor(x.min() / cell) * cell - cell, np.ceil(y.max() / cell) * cell + cell
    cols, rows = ((x - x0) // cell).astype(int), ((y1 - y) // cell).astype(int)
    grid = np.zeros((rows.max() + 2, cols.max() + 2), dtype="float32")
    np.add.at(grid, (rows, cols), pts["population"].to_numpy(dtype="float32"))
    with rasterio.open(d / "population.tif", "w", driver="GTiff", dtype="float32", width=grid.shape[1],
                       height=grid.shape[0], count=1, crs=p.crs, transform=from_origin(x0, y1, cell, cell)) as dst:
        dst.write(grid, 1)
    return {"by_code.csv": d / "by_code.csv", "by_name.csv": d / "by_name.csv",
            "districts_population.gpkg": d / "districts_population.gpkg", "population.tif": d / "population.tif",
            "total": float(pts["population"].sum())}  # type: ignore[dict-item]


@pytest.mark.parametrize("form", ["by_code.csv", "by_name.csv", "districts_population.gpkg", "population.tif"])
def test_coverage_only_run_from_hotspots_and_population(inputs, population_forms, form, tmp_path):
    from egovkit.coverage import coverage, read_hotspots, read_population

    out = tmp_path / "o"
    code, output = _cli("run", "--boundaries", inputs["districts"], "--hotspots", inputs["hotspots"],
                        "--population", population_forms[form], "--out", out, "--quiet")
    assert code == 0 and "Traceback" not in output, output
    assert "latitude" not in output and "public Wi-Fi" in output, output
    if form != "population.tif":  # every row of the population file accounted for
        f = population_forms[form]
        n = len(gpd.read_file(f)) if f.suffix == ".gpkg" else len(pd.read_csv(f, sep=None, engine="python"))
        assert f"{n} rows read ({n} used)" in output, output
    cov = pd.read_csv(out / "tables" / "coverage.csv")
    terr = cov[(cov["level"] == "territory") & (cov["sites"] == "all")].set_index("radius_m")
    # every person of the population file is counted (raster cells are float32)
    assert terr["population"].iloc[0] == pytest.approx(population_forms["total"], rel=1e-5)
    # the same figures as the library on the same files
    b = gpd.read_file(inputs["districts"])
    sites, _ = read_hotspots(inputs["hotspots"], districts=b)
    key = "name" if form == "by_name.csv" else "code"
    expected = coverage(read_population(population_forms[form], districts=b, key=key), sites,
                        (100.0, 250.0, 500.0), quantiles=None)
    e = expected[(expected["level"] == "territory") & (expected["sites"] == "all")].set_index("radius_m")
    assert np.allclose(terr["share_covered"], e["share_covered"])
    # the territory's wifi_250m rate: persons within 250 m over persons, summed over the districts
    dist = expected[(expected["level"] == "district") & (expected["sites"] == "all") & (expected["radius_m"] == 250)]
    expected_share = np.minimum(dist["population_covered"], dist["population"]).sum() / dist["population"].sum()
    assert _territory(out).loc["wifi_250m", "share"] == pytest.approx(expected_share)


def test_coverage_only_with_the_boundaries_as_the_one_argument(inputs, population_forms, tmp_path):
    code, output = _cli("run", inputs["districts"], "--hotspots", inputs["hotspots"],
                        "--population", population_forms["by_code.csv"], "--out", tmp_path / "o", "--quiet")
    assert code == 0 and (tmp_path / "o" / "index.html").exists(), output


@pytest.mark.parametrize("args, says", [
    (["--population", "P"], "--hotspots"),
    (["--hotspots", "H"], "--population"),
    (["--hotspots", "H", "--population", "P", "--value-type", "share"], "--value-type"),
])
def test_coverage_only_without_what_it_needs_names_the_option(inputs, population_forms, tmp_path, args, says):
    subst = {"P": str(population_forms["by_code.csv"]), "H": str(inputs["hotspots"])}
    code, output = _cli("run", "--boundaries", inputs["districts"], *[subst.get(a, a) for a in args],
                        "--out", tmp_path / "o", "--quiet")
    assert code == 2 and says in output and "Traceback" not in output, output
    assert not (tmp_path / "o").exists()


def test_population_table_by_district_in_a_full_run_is_matched_by_name(inputs, population_forms, tmp_path):
    """No coordinates in the population table: matched to the boundaries' names, not asked for latitude."""
    code, output = _cli("run", inputs["table"], inputs["districts"], "--hotspots", inputs["hotspots"],
                        "--population", population_forms["by_name.csv"], "--out", tmp_path / "o", "--quiet")
    assert code == 0 and "public Wi-Fi" in output, output
    cov = pd.read_csv(tmp_path / "o" / "tables" / "coverage.csv")
    assert cov.loc[cov["level"] == "territory", "population"].iloc[0] == pytest.approx(population_forms["total"])


# -- 3. --assessment on run and report ------------------------------------------------------------

@pytest.fixture(scope="module")
def filled_assessment(tmp_path_factory) -> tuple[Path, object]:
    from egovkit.diagnosis import example_assessments, write_template

    a = example_assessments()[0]
    path = tmp_path_factory.mktemp("assess") / "filled.csv"
    write_template(path, prefill=a, territory="Testville", date=a.date, assessed_by=a.assessor)
    return path, a


def test_run_with_an_assessment_scores_it_into_the_report(inputs, filled_assessment, tmp_path):
    path, _ = filled_assessment
    code, output = _cli("run", inputs["table"], inputs["districts"], "--assessment", path,
                        "--out", tmp_path / "o", "--quiet")
    assert code == 0, output
    assert "maturity" in output and "Testville" in output, output
    html = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert "Testville" in html
    code, output = _cli("run", inputs["table"], inputs["districts"], "--out", tmp_path / "p", "--quiet")
    assert "maturity" not in output and "Testville" not in (tmp_path / "p" / "index.html").read_text("utf-8")


def test_assessment_file_with_several_assessments_asks_for_the_cli_options(inputs, tmp_path):
    from egovkit.diagnosis import example_assessments, write_template

    frames = []
    for i, a in enumerate(example_assessments()[:2]):
        write_template(tmp_path / f"a{i}.csv", prefill=a, territory=a.territory, date=a.date, assessed_by=a.assessor)
        frames.append(pd.read_csv(tmp_path / f"a{i}.csv", dtype=str))
    pd.concat(frames).to_csv(tmp_path / "two.csv", index=False)
    code, output = _cli("run", inputs["table"], inputs["districts"], "--assessment", tmp_path / "two.csv",
                        "--out", tmp_path / "o", "--quiet")
    assert code == 2 and "--assessment-date" in output and "--assessor" in output, output
    assert not re.search(r"\bassess(ment_date|ed_by|or)=", output)
    a = example_assessments()[1]
    code, output = _cli("run", inputs["table"], inputs["districts"], "--assessment", tmp_path / "two.csv",
                        "--assessment-date", str(a.date), "--assessor", a.assessor, "--out", tmp_path / "o", "--quiet")
    assert code == 0 and "maturity" in output, output


def test_report_accepts_an_assessment_and_checks_it_first(tmp_path):
    code, output = _cli("report", "kenya", "--assessment", tmp_path / "nothing.csv", "--out", tmp_path / "o")
    assert code == 2 and "nothing.csv" in output and "Traceback" not in output, output
    assert not (tmp_path / "o").exists()


def test_report_kenya_with_an_assessment(mirror, filled_assessment, tmp_path):
    path, _ = filled_assessment
    code, output = _cli("report", "kenya", "--assessment", path, "--out", tmp_path / "k", "--quiet")
    assert code == 0 and "maturity" in output and "Testville" in output, output
    assert "Testville" in (tmp_path / "k" / "index.html").read_text(encoding="utf-8")


# -- 4. reading options, and fixes that name them ----------------------------------------------------

def _own_table(tmp_path: Path, inputs: dict[str, Path]) -> tuple[pd.DataFrame, dict[str, float]]:
    """The synthetic table's districts with household internet counts, and the expected share."""
    t = pd.read_csv(inputs["table"])
    d = t[t["Level"] == "District"].reset_index(drop=True)
    return d, {"internet": d["Internet"].sum() / d["Households"].sum()}


def _share(output: str) -> float:
    m = re.search(r"internet\s+([\d.,]+) %", output)
    assert m, output
    return float(m.group(1).replace(",", "."))


def test_columns_option_maps_a_header_nobody_recognises(inputs, tmp_path):
    d, expected = _own_table(tmp_path, inputs)
    f = tmp_path / "t.csv"
    d[["Code", "District", "Households"]].assign(**{"Zorglub 7": d["Internet"]}).to_csv(f, index=False)
    code, output = _cli("validate", f)
    assert "internet" not in re.sub(r"'[^']*'", "", output.split("\n", 1)[-1]).lower() or code != 0
    code, output = _cli("run", f, inputs["districts"], "--columns", "Zorglub 7=internet", "--out", tmp_path / "o",
                        "--quiet")
    assert code == 0, output
    assert _share(output) == pytest.approx(100 * expected["internet"], abs=0.05)


def test_value_type_option_reads_whole_percentages_that_look_like_counts(inputs, tmp_path):
    """Percentages rounded to whole numbers under a plain header are read as counts unless
    --value-type percent says otherwise."""
    d, _ = _own_table(tmp_path, inputs)
    pct = (100 * d["Internet"] / d["Households"]).round()
    f = tmp_path / "t.csv"
    d[["Code", "District", "Households"]].assign(Internet=pct.astype(int)).to_csv(f, index=False)
    expected = 100 * (pct / 100 * d["Households"]).sum() / d["Households"].sum()
    code, output = _cli("run", f, inputs["districts"], "--value-type", "percent", "--out", tmp_path / "o", "--quiet")
    assert code == 0, output
    assert _share(output) == pytest.approx(expected, abs=0.05)
    code, output = _cli("run", f, inputs["districts"], "--out", tmp_path / "p", "--quiet")
    assert code == 0 and _share(output) != pytest.approx(expected, abs=0.05), output


def test_encoding_sep_decimal_options(inputs, tmp_path):
    d, expected = _own_table(tmp_path, inputs)
    f = tmp_path / "t.csv"
    pct = (100 * d["Internet"] / d["Households"]).map(lambda v: f"{v:.4f}".replace(".", ","))
    body = "Code|Commune é|Ménages|Internet (%)\n" + "\n".join(
        f"{c}|{n}|{h}|{p}" for c, n, h, p in zip(d["Code"], d["District"], d["Households"], pct))
    f.write_bytes(body.encode("cp1252"))
    code, output = _cli("run", f, inputs["districts"], "--encoding", "cp1252", "--sep", "|", "--decimal", ",",
                        "--area", "Commune é", "--code", "Code", "--out", tmp_path / "o", "--quiet")
    assert code == 0, output
    assert _share(output) == pytest.approx(100 * expected["internet"], abs=0.05)


def test_sheet_parent_level_and_district_level_options(inputs, tmp_path):
    t = pd.read_csv(inputs["table"])
    f = tmp_path / "t.xlsx"
    with pd.ExcelWriter(f) as w:
        pd.DataFrame({"note": ["see the other sheet"]}).to_excel(w, sheet_name="Read me", index=False)
        t.rename(columns={"Level": "Niveau", "Region": "Zone"}).to_excel(w, sheet_name="Data", index=False)
    d = t[t["Level"] == "District"]
    code, output = _cli("run", f, inputs["districts"], "--sheet", "Data", "--level", "Niveau", "--district-level",
                        "District", "--parent", "Zone", "--code", "Code", "--area", "District",
                        "--out", tmp_path / "o", "--quiet")
    assert code == 0, output
    assert _share(output) == pytest.approx(100 * d["Internet"].sum() / d["Households"].sum(), abs=0.05)
    rates = pd.read_csv(tmp_path / "o" / "tables" / "district_rates.csv")
    assert set(rates["parent"].dropna()) == set(d["Region"])


def test_layout_long_option(inputs, tmp_path):
    d, expected = _own_table(tmp_path, inputs)
    long = pd.concat([pd.DataFrame({"Code": d["Code"], "District": d["District"], "Indicator": "Internet",
                                    "Value": d["Internet"], "Households": d["Households"]})])
    long.to_csv(tmp_path / "t.csv", index=False)
    code, output = _cli("run", tmp_path / "t.csv", inputs["districts"], "--layout", "long", "--out",
                        tmp_path / "o", "--quiet")
    assert code == 0, output
    assert _share(output) == pytest.approx(100 * expected["internet"], abs=0.05)


@pytest.mark.parametrize("args, option", [
    (["--value-type", "ratio"], "--value-type"),
    (["--universe", "people"], "--universe"),
    (["--columns", "no equals sign"], "--columns"),
    (["--layout", "tall"], "--layout"),
    (["--encoding", "klingon-8"], "--encoding"),
    (["--decimal", ";"], "--decimal"),
    (["--override", "Kopoten"], "--override"),
])
def test_bad_option_values_are_one_line_errors_naming_the_option(inputs, tmp_path, args, option):
    code, output = _cli("validate", inputs["table"], inputs["districts"], *args)
    assert code == 2 and option in output and "Traceback" not in output, output
    assert len(output.strip().splitlines()) == 1, output


#: A Python keyword argument (``value_type=``, ``parent=``, ``table_on=``...) outside a quoted
#: ``--columns "HEADER=INDICATOR"`` pair.
PY_KEYWORD = re.compile(r"(?<![\w-])[a-z][a-z_]*=")


def _python_keywords(output: str) -> list[str]:
    return PY_KEYWORD.findall(re.sub(r"\"[^\"]*\"", "", output))


@pytest.fixture(scope="module")
def messy(inputs, tmp_path_factory) -> dict[str, Path]:
    """Tables and files whose reading prints fixes: ambiguous value types, a level column with
    no district level chosen, names that do not match, no recognised indicator, a raster without CRS..."""
    d = tmp_path_factory.mktemp("messy")
    t = pd.read_csv(inputs["table"])
    dist = t[t["Level"] == "District"]
    out = {}
    t.assign(Internet=(t["Internet"] / t["Households"]).round(3)).rename(columns={"Internet": "Internet %"}) \
        .to_csv(d / "share_under_percent.csv", index=False)
    t.rename(columns={c: f"Q{i}" for i, c in enumerate(t.columns[5:])}).to_csv(d / "no_indicator.csv", index=False)
    dist.assign(District=dist["District"] + " Town", Code=dist["Code"].str.replace("EX", "ZZ")) \
        .to_csv(d / "renamed_districts.csv", index=False)
    pd.concat([dist, dist.iloc[:3].assign(Internet=dist["Internet"].iloc[:3] + 1)]).to_csv(d / "dupes.csv",
                                                                                          index=False)
    t.assign(Level=np.where(t["Level"] == "Total", "Total", np.arange(len(t)) % 2)).to_csv(d / "two_levels.csv",
                                                                                       index=False)
    dist.iloc[:, :6].to_csv(d / "no_values.csv", index=False)
    g = gpd.read_file(inputs["districts"])
    g.drop(columns=[c for c in g.columns if c not in ("geometry",)]).to_file(d / "anonymous.geojson")
    pd.DataFrame({"x": [1, 2], "y": [3, 4], "label": ["a", "b"]}).to_csv(d / "hotspots_xy.csv", index=False)
    pd.DataFrame({"where": ["a", "b"], "people": [1, 2]}).to_csv(d / "population_unmatched.csv", index=False)
    for p in d.iterdir():
        out[p.name] = p
    return out


def test_no_fix_printed_by_the_cli_names_a_python_keyword(inputs, messy, tmp_path):
    """Every message of validate/inspect/run on messy inputs, scanned for `word=` keywords."""
    runs = []
    for name in ("share_under_percent.csv", "no_indicator.csv", "renamed_districts.csv", "dupes.csv",
                 "two_levels.csv", "no_values.csv"):
        runs.append(("validate", messy[name], inputs["districts"], "--save", tmp_path / "saved" / f"{name}.txt"))
        runs.append(("inspect", messy[name], inputs["districts"]))
    runs += [
        ("validate", inputs["table"], messy["anonymous.geojson"]),
        ("run", inputs["table"], inputs["districts"], "--hotspots", messy["hotspots_xy.csv"], "--out",
         tmp_path / "a", "--quiet"),
        ("run", inputs["table"], inputs["districts"], "--hotspots", inputs["hotspots"], "--population",
         messy["population_unmatched.csv"], "--out", tmp_path / "b", "--quiet"),
        ("run", inputs["table"], inputs["districts"], "--hotspots", inputs["hotspots"], "--out", tmp_path / "c",
         "--quiet"),
        ("run", messy["renamed_districts.csv"], inputs["districts"], "--out", tmp_path / "d", "--quiet"),
        ("validate", inputs["table"], inputs["districts"], "--boundary-key", "nope"),
    ]
    found = {}
    printed_fixes = 0
    n_saved = 0
    for args in runs:
        code, output = _cli(*args)
        n_saved += "--save" in args and code in (0, 1)
        assert "Traceback" not in output, output
        printed_fixes += output.count("Fix:") + output.count("->")
        bad = _python_keywords(output)
        if bad:
            found[" ".join(str(a) for a in args[:2])] = (bad, output)
    # the validation report the runs wrote (which the terminal refers to) names the options too
    written = [tmp_path / x / "validation_report.txt" for x in "abcd" if (tmp_path / x / "index.html").exists()]
    assert written
    saved = sorted((tmp_path / "saved").glob("*.txt"))  # validate --save (of the tables that read)
    assert len(saved) == n_saved > 0
    written += saved
    for path in written:
        text = path.read_text(encoding="utf-8")
        printed_fixes += text.count("Fix:")
        if _python_keywords(text):
            found[str(path)] = (_python_keywords(text), text)
    assert printed_fixes > 10  # the scan saw fixes
    assert not found, "\n\n".join(f"{k}: {v[0]}\n{v[1]}" for k, v in found.items())


def test_cli_message_translates_python_keywords_to_options():
    from egovkit.cli import _cli_message

    text = _cli_message("pass value_type='share'; or parent= the column; table_on= and boundary_on= (and by='code' "
                        "or by='name'); or overrides={'KOPO': 'Kopoten'}; e.g. read_table(path, columns={'Web': "
                        "'internet'})")
    assert text == ("pass --value-type share; or --parent the column; --area or --code and --boundary-key; or "
                    "--override \"KOPO=Kopoten\"; e.g. --columns \"Web=internet\"")
    assert not _python_keywords(text)


# -- 5. egovkit inspect ---------------------------------------------------------------------------

def test_inspect_shows_what_was_recognised_and_writes_nothing(inputs, tmp_path):
    t = pd.read_csv(inputs["table"])
    half = t[(t["Level"] == "Total") | (np.arange(len(t)) % 2 == 1)]
    f = tmp_path / "half.csv"
    half.to_csv(f, index=False)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, output = _cli("inspect", f, inputs["districts"], cwd=tmp_path)
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written
    n_dist = int((half["Level"] == "District").sum())
    n_bound = len(gpd.read_file(inputs["districts"]))
    assert "'District'" in output and "'Region'" in output and "'Level'" in output
    for col in ("Internet", "Computer", "Tablet"):
        assert re.search(rf"'{col}' -> \w+, households, count", output), output
    total = half.loc[half["Level"] == "Total", "District"].iloc[0]
    assert f"kept apart (totals, other levels): {total}" in output
    assert f"{len(half)} read ({n_dist} used, 1 kept apart)" in output
    assert f"{n_dist} matched, 0 table row(s) without area, {n_bound - n_dist} area(s) without row" in output
    # the suggested command runs and reads the table the same way
    cmd = next(line.strip() for line in output.splitlines() if line.strip().startswith("egovkit run "))
    args = shlex.split(cmd)[2:]
    args[args.index("OUT")] = str(tmp_path / "o")
    code, run_out = _cli("run", *args, "--quiet")
    assert code == 0, run_out
    d = half[half["Level"] == "District"]
    assert _share(run_out) == pytest.approx(100 * d["Internet"].sum() / d["Households"].sum(), abs=0.05)


def test_inspect_suggests_overrides_for_names_that_do_not_match(inputs, tmp_path):
    t = pd.read_csv(inputs["table"])
    d = t[t["Level"] == "District"].drop(columns="Code")
    d.loc[d.index[0], "District"] = d["District"].iloc[0] + "x"  # a typo
    d.to_csv(tmp_path / "t.csv", index=False)
    code, output = _cli("inspect", tmp_path / "t.csv", inputs["districts"])
    assert code == 0, output
    name = d["District"].iloc[0]
    assert "1 table row(s) without area" in output, output
    assert f"--override \"{name}={name[:-1]}\"" in output, output


def test_inspect_on_an_acs_download(acs_cut):
    code, output = _cli("inspect", acs_cut["table"], acs_cut["boundaries"])
    n = len(acs_cut["raw"])
    assert code == 0 and "raw ACS S2801" in output, output
    assert f"{n} matched" in output and f"{acs_cut['n_boundaries'] - n} area(s) without row" in output, output


# -- 6. relative and absolute --out ------------------------------------------------------------------

def _links(index: Path) -> set[str]:
    html = index.read_text(encoding="utf-8")
    found = set(re.findall(r"""(?:href|src)\s*=\s*["']([^"'#]+)""", html))
    return {u for u in found if not re.match(r"^(?:[a-z]+:|//)", u)}


def test_relative_and_absolute_out_give_identical_working_links(inputs, tmp_path):
    common = ["run", inputs["table"], inputs["districts"], "--hotspots", inputs["hotspots"], "--population",
              inputs["population"], "--quiet"]
    code, output = _cli(*common, "--out", "rel/report", cwd=tmp_path)
    assert code == 0, output
    code, output = _cli(*common, "--out", tmp_path / "abs" / "report")
    assert code == 0, output
    rel, absolute = tmp_path / "rel" / "report" / "index.html", tmp_path / "abs" / "report" / "index.html"
    assert _links(rel) == _links(absolute) and len(_links(rel)) > 10
    for index in (rel, absolute):
        missing = [u for u in _links(index) if not (index.parent / u).exists()]
        assert not missing, (index, missing)


def test_make_demo_form_relative_out_links_work(tmp_path):
    """``make demo`` runs ``egovkit demo --out out/demo`` from the repository: relative links."""
    code, output = _cli("demo", "--out", "out/demo", "--quiet", cwd=tmp_path)
    assert code == 0, output
    index = tmp_path / "out" / "demo" / "index.html"
    missing = [u for u in _links(index) if not (index.parent / u).exists()]
    assert _links(index) and not missing, missing


# -- 7. partial tables against larger boundary files --------------------------------------------------

@pytest.mark.parametrize("keep", ["first_third", "one", "by_name"])
def test_partial_table_against_larger_boundaries_reports_cleanly(inputs, tmp_path, keep):
    t = pd.read_csv(inputs["table"])
    d = t[t["Level"] == "District"]
    part = {"first_third": d.iloc[: len(d) // 3], "one": d.iloc[:1], "by_name": d.iloc[::2].drop(columns="Code")}[keep]
    part.to_csv(tmp_path / "t.csv", index=False)
    out = tmp_path / "o"
    code, output = _cli("run", tmp_path / "t.csv", inputs["districts"], "--hotspots", inputs["hotspots"],
                        "--population", inputs["population"], "--out", out, "--quiet")
    assert code == 0 and "Traceback" not in output and "internal error" not in output, output
    n_b = len(gpd.read_file(inputs["districts"]))
    assert f"{n_b - len(part)} of {n_b} districts of the boundaries have no row in the table" in output, output
    gdf = gpd.read_file(out / "tables" / "districts.gpkg")
    assert len(gdf) == n_b and gdf["share_internet"].notna().sum() == len(part)
    assert _share(output) == pytest.approx(100 * part["Internet"].sum() / part["Households"].sum(), abs=0.05)
    code, output = _cli("validate", tmp_path / "t.csv", inputs["districts"])
    assert code == 0 and "Traceback" not in output, output


# -- 8. README "Bringing your own data" ------------------------------------------------------------

def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Bringing your own data", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", section, flags=re.S)
    cmds = []
    for block in blocks:
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith("egovkit "):
                cmds.append(line)
    return cmds


def test_readme_own_data_commands_run(tmp_path):
    cmds = _readme_commands()
    assert any(c.startswith("egovkit inspect") for c in cmds) and any(c.startswith("egovkit run") for c in cmds)
    for cmd in cmds:
        args = shlex.split(cmd)[1:] + (["--quiet"] if cmd.split()[1] in ("run", "demo") else [])
        code, output = _cli(*args, cwd=tmp_path)
        assert code == 0 and "Traceback" not in output, (cmd, output)


def test_inspect_as_a_real_subprocess(inputs):
    res = subprocess.run([sys.executable, "-m", "egovkit", "inspect", str(inputs["table"]), str(inputs["districts"])],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "egovkit run" in res.stdout, res.stdout + res.stderr


# -- options of the hotspots and population files ----------------------------------------------------

def test_hotspots_crs_and_population_column_options(inputs, population_forms, tmp_path):
    """x/y hotspots need --hotspots-crs, an unnamed population column --population-column: each
    error names its option; with them, the figures are those of the lat/lon sites and the
    'population' column."""
    h = pd.read_csv(inputs["hotspots"])
    g = gpd.GeoDataFrame(h, geometry=gpd.points_from_xy(h["longitude"], h["latitude"]), crs=4326)
    utm = g.estimate_utm_crs()
    g = g.to_crs(utm)
    pd.DataFrame({"site": h["site_id"], "x": g.geometry.x, "y": g.geometry.y}).to_csv(tmp_path / "xy.csv",
                                                                                      index=False)
    pop = pd.read_csv(population_forms["by_code.csv"]).rename(columns={"Population": "Zorg"})
    pop.to_csv(tmp_path / "pop.csv", index=False)
    base = ["run", "--boundaries", inputs["districts"], "--quiet"]
    code, output = _cli(*base, "--hotspots", tmp_path / "xy.csv", "--population", population_forms["by_code.csv"],
                        "--out", tmp_path / "a")
    assert code == 2 and "--hotspots-crs" in output and not _python_keywords(output), output
    code, output = _cli(*base, "--hotspots", inputs["hotspots"], "--population", tmp_path / "pop.csv",
                        "--out", tmp_path / "b")
    assert code == 2 and "--population-column" in output and not _python_keywords(output), output
    code, output = _cli(*base, "--hotspots", tmp_path / "xy.csv", "--hotspots-crs", utm.to_string(),
                        "--population", tmp_path / "pop.csv", "--population-column", "Zorg", "--out", tmp_path / "c")
    assert code == 0, output
    code, output = _cli(*base, "--hotspots", inputs["hotspots"], "--population", population_forms["by_code.csv"],
                        "--out", tmp_path / "d")
    assert code == 0, output
    a, b = _territory(tmp_path / "c"), _territory(tmp_path / "d")
    assert np.allclose(a["share"], b["share"], atol=1e-6) and np.allclose(a["denominator"], b["denominator"])


def test_population_table_given_as_the_census_table_points_to_coverage_only(inputs, population_forms, tmp_path):
    """The confusion of issue 10: a population-by-district table given as TABLE. The error says
    how to run coverage only, and that command works."""
    code, output = _cli("run", population_forms["by_code.csv"], inputs["districts"], "--hotspots", inputs["hotspots"],
                        "--out", tmp_path / "o", "--quiet")
    assert code == 2 and "run coverage only: egovkit run --boundaries" in output and "latitude" not in output, output
    cmd = output.split("run coverage only: ", 1)[1].split(" --out DIR")[0]
    code, output = _cli(*shlex.split(cmd)[1:], "--out", tmp_path / "o", "--quiet")
    assert code == 0 and "wifi_250m" in output, output


@pytest.mark.parametrize("form", ["column", "per_indicator"])
def test_denominator_and_universe_options(inputs, tmp_path, form):
    """A denominator column whose name says nothing: --denominator names it (one for all, or
    INDICATOR=COLUMN), --universe says what it counts."""
    d, expected = _own_table(tmp_path, inputs)
    f = tmp_path / "t.csv"
    d[["Code", "District"]].assign(**{"Base A": d["Households"], "Internet": d["Internet"]}).to_csv(f, index=False)
    den = "Base A" if form == "column" else "internet=Base A"
    code, output = _cli("run", f, inputs["districts"], "--denominator", den, "--universe", "households",
                        "--out", tmp_path / "o", "--quiet")
    assert code == 0, output
    assert _share(output) == pytest.approx(100 * expected["internet"], abs=0.05)
    assert "of households" in output


def test_inspect_of_a_table_that_cannot_be_read_still_shows_its_headers(inputs, tmp_path):
    """Only an ambiguous indicator header: inspect shows each header's recognition and the
    --columns pair to settle it, then the error; with that pair the table reads."""
    d, expected = _own_table(tmp_path, inputs)
    f = tmp_path / "t.csv"
    d[["Code", "District", "Households"]].assign(Phone=d["Internet"]).to_csv(f, index=False)
    code, output = _cli("inspect", f, inputs["districts"])
    assert code == 2 and "Traceback" not in output, output
    assert "'District' -> area" in output and "'Phone' -> indicator" in output, output
    pair = re.search(r"to say what the indicator columns are: (.*)", output).group(1)
    assert pair.startswith("--columns") and not _python_keywords(output), output
    code, output = _cli("inspect", f, inputs["districts"], *shlex.split(pair))
    assert code == 0 and "'Phone' -> " in output and f"{len(d)} matched" in output, output


def test_inspect_shows_the_reading_chosen_when_header_and_values_disagree(tmp_path):
    """The issue's neighbourhood table: a '%' header over shares, a 'Total de ...' row, an area
    column with a qualifier. inspect says what was read, what the header said, and what was kept apart."""
    names = ["Kopoten", "Tenfa", "Popove"]
    hh = np.array([100, 200, 300])
    share = np.array([0.93, 0.97, 0.85])
    t = pd.DataFrame({"Nom du quartier": names + ["Total de la région"], "Ménages": [*hh, hh.sum()],
                      "% homes online": [*share, round(float((share * hh).sum() / hh.sum()), 4)]})
    t.to_csv(tmp_path / "t.csv", index=False)
    code, output = _cli("inspect", tmp_path / "t.csv")
    assert code == 0, output
    assert re.search(r"area\s+'Nom du quartier'", output), output
    assert "'% homes online' -> internet, households, share (the header says percent)" in output, output
    assert "kept apart (totals, other levels): Total de la région" in output
    assert f"{len(t)} read ({len(names)} used, 1 kept apart)" in output
    assert "--value-type percent" in output and not _python_keywords(output)


def test_inspect_kenya_census_table_shows_the_levels_and_why_the_join_needs_one(shared_data):
    """A real table with two levels (counties and sub-counties) against county boundaries: inspect
    shows the levels found and the join problem; --district-level County joins all 47 counties."""
    table = shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv"
    counties = shared_data / "kenya-counties-geometry" / "kenya_counties_osm_simplified_200m.geojson"
    n = len(gpd.read_file(counties))
    raw = pd.read_csv(table)
    code, output = _cli("inspect", table, counties)
    assert code == 0 and "district level:" in output and "'County'" in output, output
    assert "join with" in output and "--district-level" in output, output
    code, output = _cli("inspect", table, counties, "--district-level", "County")
    assert code == 0, output
    n_counties = int((raw["AdminArea"] == "County").sum())
    assert n_counties == n and f"{n} matched, 0 table row(s) without area, 0 area(s) without row" in output, output


@pytest.mark.parametrize("n", [0, 3])
def test_new_sites_option_in_a_coverage_only_run(inputs, population_forms, tmp_path, n):
    code, output = _cli("run", "--boundaries", inputs["districts"], "--hotspots", inputs["hotspots"],
                        "--population", population_forms["by_code.csv"], "--new-sites", n, "--out", tmp_path / "o",
                        "--quiet")
    assert code == 0, output
    sites = tmp_path / "o" / "tables" / "new_sites.csv"
    assert (len(pd.read_csv(sites)) == n) if n else not sites.exists()


def test_period_option_reads_another_period_of_a_stacked_table(tmp_path):
    """A table stacking several years: the latest by default, --period for another, and an absent
    period named with the ones present (the fix names --period, never period=)."""
    path = tmp_path / "stacked.csv"
    rows = ["Year,Region,Series,Value"]
    for year, vals in ((2019, (40.0, 60.0)), (2021, (55.0, 75.0))):
        rows += [f"{year},North,Households with internet access (%),{vals[0]}",
                 f"{year},South,Households with internet access (%),{vals[1]}"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out = _cli("inspect", path)
    assert code == 0, out
    code, out = _cli("inspect", path, "--period", "2019")
    assert code == 0, out
    code, out = _cli("inspect", path, "--period", "2030")
    assert code == 2 and "2019" in out and "2021" in out, out
    assert "period=" not in out


@pytest.mark.parametrize("lang, word", [("en", "Territory"), ("fr", "Territoire")])
def test_territory_without_a_name_is_said_in_the_report_language(inputs, tmp_path, lang, word):
    code, output = _cli("run", inputs["table"], inputs["districts"], "--lang", lang, "--out", tmp_path / "o")
    assert code == 0 and f"{word} : " in output.replace(f"{word}: ", f"{word} : "), output
    assert _territory(tmp_path / "o")["area_name"].eq(word).all()
    code, output = _cli("run", inputs["table"], inputs["districts"], "--lang", lang, "--name", "Ville",
                        "--out", tmp_path / "n")
    assert code == 0 and _territory(tmp_path / "n")["area_name"].eq("Ville").all(), output


@pytest.mark.parametrize("table", ["cm_ins_odd_telephone_portable_2014_fr/5-b-1.csv",
                                   "ie_cso_saps2016_pc_internet/SAPS2016_CTY31_T15.csv"])
def test_inspect_in_french_has_no_english_sentence(table):
    """Recognition reasons, fixes and row fates of ``egovkit inspect --lang fr`` are French (the check finds the
    English of the same inspection, so it can fail)."""
    from english_check import english_in

    path = ROOT / "tests" / "realworld" / table
    runs = {lang: _cli("inspect", path, "--lang", lang) for lang in ("en", "fr")}
    assert all(code == 0 for code, _ in runs.values()), runs
    said = {lang: out for lang, (_, out) in runs.items()}
    assert english_in(said["en"]) and english_in(said["fr"]) == [], said["fr"]
