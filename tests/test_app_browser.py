"""Acceptance test of the browser app (issue 12): ``egovkit app`` driven by headless Chromium with
the network blocked (every request not to 127.0.0.1 is aborted and fails the test).

Two runs, end to end, as a person would do them with the mouse:

- Kenya 2019 census table V4_T2.36 with the county boundaries; the district level is corrected
  from sub-county to county in a drop-down; the page shows the published figures (8.8 % of
  households with a computer, 17.9 % with internet);
- NYC Wi-Fi hotspots with the tract population, coverage only; the boundary key is chosen in a
  drop-down; the page shows the same shares within 100/250/500 m as ``egovkit report nyc``
  computes from the same inputs (computed here from the library).

Both download the report as a ZIP and the tables as a workbook, and check their content with
zipfile/openpyxl. ``EGOVKIT_UPDATE_SCREENSHOT=1`` also writes the README's ``docs/app.png``.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import CHROMIUM, ROOT

pytestmark = [
    pytest.mark.browser, pytest.mark.realdata,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (run `make browser`)"),
]
ARTIFACTS = ROOT / "test-artifacts"
RUN_TIMEOUT_MS = 150_000


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """``egovkit app`` in a subprocess on a free port of 127.0.0.1; its URL."""
    from egovkit.app.server import free_port

    port = free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    env = dict(os.environ, MPLBACKEND="Agg")
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "egovkit", "app", "--port", str(port), "--no-browser"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the app did not start: {log.read_text()}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(10)


def _open(browser, url: str):
    """A page on the app with every request elsewhere than the app's server aborted and recorded."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        u = r.request.url
        if u.startswith(url) or u.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(u)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, blocked, errors


def _upload(page, kind: str, path: Path) -> None:
    page.locator(f".egk-upload-{kind} input[type=file]").set_input_files(str(path))


def _select(page, name: str, label: str) -> None:
    page.locator(f".egk-select-{name} select").select_option(label=label)


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


def _run(page, expect) -> str:
    page.locator(".egk-run button").click()
    summary = page.locator(".egk-summary pre")
    expect(summary).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(page.locator(".egk-download-zip button")).to_be_enabled(timeout=10_000)
    return _text(summary)


def _download(page, which: str) -> bytes:
    with page.expect_download() as info:
        page.locator(f".egk-download-{which} button").click()
    path = info.value.path()
    return Path(path).read_bytes()


def _check_downloads(page, indicators: list[str]) -> pd.DataFrame:
    """The ZIP holds the report; the workbook's territory sheet equals the ZIP's territory.csv."""
    zf = zipfile.ZipFile(io.BytesIO(_download(page, "zip")))
    names = set(zf.namelist())
    assert {"report/index.html", "report/tables/territory.csv", "report/tables.xlsx",
            "report/validation_report.txt"} <= names
    assert any(n.startswith("report/maps/") and n.endswith(".html") for n in names)
    territory = pd.read_csv(zf.open("report/tables/territory.csv"))
    assert set(indicators) <= set(territory["indicator"])
    wb = openpyxl.load_workbook(io.BytesIO(_download(page, "xlsx")), read_only=True)
    assert "README" in wb.sheetnames and "territory" in wb.sheetnames and "validation_report" in wb.sheetnames
    rows = list(wb["territory"].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    sheet = pd.DataFrame(rows[1:], columns=header)
    share = next(h for h in header if h.startswith("share ") or h == "share")
    got = dict(zip(sheet["indicator"], sheet[share]))
    for _, r in territory.iterrows():
        assert got[r["indicator"]] == pytest.approx(r["share"], rel=1e-9)
    return territory


def _drawn_polygons(page, at_least: int = 1, timeout_s: float = 30.0) -> int:
    """Polygons and circles the report's map (in its sandboxed ``srcdoc`` frame) has drawn on screen,
    polled until ``at_least`` are drawn or ``timeout_s`` passes (a loaded machine draws slowly)."""
    import time

    page.locator("iframe.egk-map-frame").scroll_into_view_if_needed()
    end = time.monotonic() + timeout_s
    while True:
        page.wait_for_timeout(800)
        frame = next(f for f in page.frames if f.url == "about:srcdoc")
        n = frame.evaluate("() => [...document.querySelectorAll('path.leaflet-interactive')]"
                           ".filter(p => (p.getAttribute('d') || 'M0 0') !== 'M0 0').length")
        if n >= at_least or time.monotonic() > end:
            if n < at_least:
                info = frame.evaluate("""() => { const out = [];
                  for (const k of Object.keys(window)) { let v; try { v = window[k]; } catch (e) { continue; }
                    if (v && window.L && v instanceof L.Map) { let poly = 0;
                      v.eachLayer(l => { if (l instanceof L.Polygon) poly++; });
                      out.push({k, size: v.getSize(), zoom: v.getZoom(),
                                bounds: v.getBounds().toBBoxString(), poly}); } }
                  return {out, w: window.innerWidth, h: window.innerHeight}; }""")
                print("maps in the frame (size 0 = never measured):", info)  # shown when the assertion fails
            return n


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_kenya_table_with_counties(browser, app_url, shared_data):
    from playwright.sync_api import expect

    page, blocked, errors = _open(browser, app_url)
    _upload(page, "table", shared_data / "kenya-census-2019-ict" / "V4_T2.36.csv")
    _upload(page, "boundaries", shared_data / "kenya-counties-geometry" / "kenya_counties_osm_simplified_200m.geojson")
    recognised = page.locator(".egk-recognitions table")
    expect(recognised).to_contain_text("DeskTop/Computer/Laptop/Tablet", timeout=30_000)
    expect(recognised).to_contain_text("ConventionalHouseholds")
    expect(recognised).to_contain_text("percent")  # the value kind, read from the values
    expect(page.locator(".egk-boundary-info")).to_contain_text("47 districts", timeout=30_000)
    # the reader takes the most frequent level (sub-counties) for the districts: corrected to County
    _select(page, "district_level", "County")
    command = page.locator(".egk-command")
    expect(command).to_contain_text("--district-level County", timeout=20_000)
    expect(page.locator(".egk-python")).to_contain_text("district_level='County'")
    expect(page.locator(".egk-validation table")).to_contain_text("warning")
    summary = _run(page, expect)
    assert "computer 8.8 % of households" in summary, summary
    assert "internet 17.9 % of households" in summary, summary
    assert "12,043,016" in summary
    # the interactive map, in its sandboxed frame: one polygon per county
    assert _drawn_polygons(page, 47) >= 47
    assert page.locator(".egk-charts img").count() >= 2
    territory = _check_downloads(page, ["computer", "internet"])
    shares = territory.set_index("indicator")["share"]
    assert round(100 * shares["computer"], 1) == 8.8 and round(100 * shares["internet"], 1) == 17.9
    _shot(page, "app_kenya.png")
    if os.environ.get("EGOVKIT_UPDATE_SCREENSHOT"):
        _readme_screenshot(page)
    assert blocked == [], blocked
    assert errors == [], errors
    page.context.close()


def _nyc_report_shares(shared_data: Path) -> dict[int, float]:
    """Shares of persons within 100/250/500 m, as ``egovkit report nyc`` computes them (tract population
    spread on a 50 m grid, all hotspots), from the same files the app is given."""
    from egovkit.coverage import coverage, population_from_districts, population_from_xy, read_hotspots
    from egovkit.geo import read_boundaries

    nyc = shared_data / "nyc-nta-tract-population"
    tracts = read_boundaries(nyc / "nyc_tract2010.geojson")
    acs = pd.read_csv(nyc / "nyc_tract_acs_2013_2017.csv", dtype={"geoid": str})[["geoid", "pop_total_est"]]
    tracts = tracts.merge(acs, on="geoid", how="inner")
    sites, _ = read_hotspots(shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv",
                             districts=tracts, key="geoid")
    by_tract = population_from_districts(tracts, "pop_total_est", key="geoid", cell_m=50.0)
    pop = population_from_xy(by_tract.x, by_tract.y, by_tract.weight, crs=by_tract.crs, districts=tracts,
                             key="geoid")
    cov = coverage(pop, sites, (100.0, 250.0, 500.0), quantiles=None)
    t = cov[(cov["level"] == "territory") & (cov["sites"] == "all")]
    return {int(r): float(s) for r, s in zip(t["radius_m"], t["share_covered"])}


def test_nyc_coverage_only(browser, app_url, shared_data):
    from playwright.sync_api import expect

    expected = _nyc_report_shares(shared_data)
    page, blocked, errors = _open(browser, app_url)
    _upload(page, "boundaries", shared_data / "nyc-nta-tract-population" / "nyc_tract2010.geojson")
    _upload(page, "hotspots", shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv")
    _upload(page, "population", shared_data / "nyc-nta-tract-population" / "nyc_tract_acs_2013_2017.csv")
    expect(page.locator(".egk-boundary-info")).to_contain_text("2166 districts", timeout=30_000)
    expect(page.locator(".egk-command")).to_contain_text("--population nyc_tract_acs_2013_2017.csv", timeout=20_000)
    # the correction: the boundaries' column the population table is joined on
    _select(page, "boundary_key", "geoid")
    expect(page.locator(".egk-command")).to_contain_text("--boundary-key geoid", timeout=20_000)
    expect(page.locator(".egk-python")).to_contain_text("key='geoid'")
    summary = _run(page, expect)
    for r, share in expected.items():
        assert f"wifi_{r}m {100 * share:.1f} % of persons" in summary, (r, summary)
        assert f"{100 * share:.1f} % within {r} m" in summary, (r, summary)
    assert _drawn_polygons(page, 101) > 100
    territory = _check_downloads(page, ["wifi_100m", "wifi_250m", "wifi_500m"]).set_index("indicator")
    for r, share in expected.items():
        assert territory.loc[f"wifi_{r}m", "share"] == pytest.approx(share, abs=1e-9)
    _shot(page, "app_nyc.png")
    assert blocked == [], blocked
    assert errors == [], errors
    page.context.close()


def _readme_screenshot(page) -> None:
    """docs/app.png: the top of the page after a run (files, recognitions, corrections), 900 px wide."""
    from PIL import Image

    raw = page.screenshot(full_page=True)
    img = Image.open(io.BytesIO(raw))
    img = img.crop((0, 0, img.width, min(img.height, 1500)))
    img = img.resize((900, int(img.height * 900 / img.width)), Image.LANCZOS)
    img.convert("P", palette=Image.ADAPTIVE, colors=128).save(ROOT / "docs" / "app.png", optimize=True)
