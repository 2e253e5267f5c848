"""Open the offline maps and report in headless Chromium with the network blocked, as a person would.

Needs Debian's chromium at /usr/bin/chromium (``make browser``); Playwright drives it without
downloading a browser. Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from egovkit.present.maps import indicator_map
from egovkit.present.offline import save_offline
from egovkit.present.report import build_report

from conftest import CHROMIUM  # noqa: E402
from test_present_synthetic import grid_districts, grid_rates, random_points

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (run `make browser`)"),
]




def _open(browser, path: Path, wait_ms: int = 1200):
    """Open ``path`` offline; return the page, the console/page errors and the blocked requests."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors: list[str] = []
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_timeout(wait_ms)
    return page, errors, blocked


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_offline_map_draws_every_district_and_hotspot(browser, tmp_path):
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet",), drop=3)
    hotspots = random_points(d, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = indicator_map(d, rates, label="Internet at home", hotspots=hotspots, cluster_hotspots=False)
    path = save_offline(m, tmp_path / "map.html")
    page, errors, blocked = _open(browser, path)
    _shot(page, "map_unclustered.png")
    # 30 district polygons + 40 hotspot circles, all SVG paths
    assert page.locator("path.leaflet-interactive").count() == len(d) + len(hotspots)
    # polygons are filled, "No data" districts in grey
    fills = page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
    assert fills.count("#d9d9d9") == 3
    legend = page.locator(".egovkit-legend").inner_text()
    assert "Internet at home" in legend and "No data (3)" in legend and "Wi-Fi hotspots (40)" in legend
    assert page.locator(".leaflet-control-layers").count() == 1
    # hovering a district shows its name, value and numerator / denominator
    r0 = rates.iloc[0]
    box = page.locator("path.leaflet-interactive").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    page.wait_for_timeout(300)
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert "District 0-0" in tip
    assert f"{100 * r0.numerator / r0.denominator:.1f}%" in tip
    assert f"{r0.numerator:,.0f} / {r0.denominator:,.0f}" in tip
    assert errors == [] and blocked == []
    page.close()


def test_clustered_hotspots_are_all_accounted_for(browser, tmp_path):
    d = grid_districts(6, 5)
    hotspots = random_points(d, 800, seed=4)
    m = indicator_map(d, grid_rates(d, ("internet",)), hotspots=hotspots)  # > 500: clustered
    path = save_offline(m, tmp_path / "clustered.html")
    page, errors, blocked = _open(browser, path, wait_ms=2000)
    _shot(page, "map_clustered.png")
    in_clusters = page.eval_on_selector_all(
        ".marker-cluster", "els => els.reduce((s, e) => s + parseInt(e.innerText, 10), 0)")
    single = page.locator("path.leaflet-interactive").count() - len(d)
    assert page.locator(".marker-cluster").count() > 0
    assert in_clusters + single == len(hotspots)
    assert errors == [] and blocked == []
    page.close()


def test_report_opens_offline_with_its_map(browser, tmp_path):
    d = grid_districts(6, 5)
    rates = grid_rates(d, ("internet", "computer"), drop=2)
    hotspots = random_points(d, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = build_report(tmp_path / "report", territory_name="Gridland", districts=d, rates=rates,
                             hotspots=hotspots, lang="fr")
    page, errors, blocked = _open(browser, index, wait_ms=2000)
    _shot(page, "report_fr.png")
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 1
    frame = frames[0]
    assert frame.locator("path.leaflet-interactive").count() == len(d) + len(hotspots)
    assert "Pas de données (2)" in frame.locator(".egovkit-legend").inner_text()
    # every embedded figure decoded and drawn
    sizes = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    assert len(sizes) >= 5 and min(sizes) > 0
    assert "Synthèse" in page.locator("h2").first.inner_text()
    assert errors == [] and blocked == []
    page.close()


@pytest.mark.realdata
def test_nyc_report_draws_every_neighbourhood_and_hotspot_offline(browser, mirror, tmp_path):
    """The real case as `egovkit report nyc` builds it, opened with the network blocked: every NTA
    polygon, the 3,319 hotspots (clusters + single markers), the 20 new sites and the gap zones
    are drawn inside the map that index.html inflates from its compressed copy."""
    from egovkit.cases import diagnose_nyc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        diag = diagnose_nyc(tmp_path / "nyc", lang="en")
    page, errors, blocked = _open(browser, diag.report_path, wait_ms=5000)
    _shot(page, "report_nyc.png")
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 1
    frame = frames[0]
    strokes = frame.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('stroke'))")
    fills = frame.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
    single_hotspots = fills.count("#ffffff")
    in_clusters = frame.eval_on_selector_all(
        ".marker-cluster", "els => els.reduce((s, e) => s + parseInt(e.innerText.replace(/\\D/g, ''), 10), 0)")
    assert in_clusters + single_hotspots == len(diag.hotspots) == 3319
    n_sites, n_gaps, n_cover = strokes.count("#7b3294"), strokes.count("#d95f02"), strokes.count("#00441b")
    assert n_sites == len(diag.new_sites) == 20
    assert n_gaps == len(diag.coverage_gaps) and n_cover == 1
    n_districts = len(strokes) - single_hotspots - n_sites - n_gaps - n_cover
    assert n_districts == len(diag.districts) == 195
    legend = frame.locator(".egovkit-legend").inner_text()
    assert "Wi-Fi hotspots (3,319)" in legend and "No data (2)" in legend
    assert errors == [] and blocked == []
    page.close()
