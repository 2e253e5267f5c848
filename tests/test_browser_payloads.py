"""Hostile names in a real browser: hovering every district of an offline report runs nothing (issue 9).

The report of ``egovkit run`` on files whose district and hotspot names are script, template
and formula payloads (see ``tests/test_security_payloads.py``) is opened in headless Chromium
with the network blocked: ``index.html`` (its map inflated into an iframe) and
``maps/*.html``. Every overlay is switched on, the tooltip of every district is opened
(through Leaflet, and with the real mouse at each district's centre), and the test checks
that no dialog opened, no request left the machine, no script error happened, and the
tooltips show the names as text. A control map built without egovkit's escaping shows the
harness does see the attack.

Needs Debian's chromium at /usr/bin/chromium; Playwright drives it and never downloads a browser.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from conftest import CHROMIUM  # noqa: E402
from test_security_payloads import DISTRICT_PAYLOADS, HTML, JINJA, payload_diagnosis

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (run `make browser`)"),
]

# Switch every overlay on, then open the tooltip of every GeoJSON feature that has one, as a
# mouseover on the feature does (the event propagates to the GeoJSON layer that holds the tooltip).
_HOVER_ALL = """
async () => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map).map(k => window[k]);
  for (const box of document.querySelectorAll('.leaflet-control-layers-selector')) {
    if (!box.checked) box.click();
  }
  const texts = [];
  let hovered = 0;
  for (const map of maps) {
    const layers = [];
    map.eachLayer(l => { if (l.feature && (l.getBounds || l.getLatLng)) layers.push(l); });
    for (const l of layers) {
      const at = l.getBounds ? l.getBounds().getCenter() : l.getLatLng();
      const pt = map.latLngToContainerPoint(at);
      const ev = {latlng: at, layerPoint: map.latLngToLayerPoint(at), containerPoint: pt,
                  originalEvent: new MouseEvent('mouseover', {clientX: pt.x, clientY: pt.y})};
      l.fire('mouseover', ev, true);
      l.fire('mousemove', ev, true);
      await new Promise(r => setTimeout(r, 15));
      document.querySelectorAll('.leaflet-tooltip').forEach(t => texts.push(t.innerText));
      l.fire('mouseout', ev, true);
      hovered += 1;
    }
  }
  return {maps: maps.length, hovered: hovered, texts: texts};
}
"""

# The centre of each district polygon in page coordinates (for real mouse moves).
_CENTRES = """
() => {
  const out = [];
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map).map(k => window[k]);
  for (const map of maps) {
    map.eachLayer(l => {
      if (l.feature && l.getBounds && l.feature.properties && 'name' in l.feature.properties) {
        const p = map.latLngToContainerPoint(l.getCenter ? l.getCenter() : l.getBounds().getCenter());
        const r = map.getContainer().getBoundingClientRect();
        out.push([r.left + p.x, r.top + p.y]);
      }
    });
  }
  return out;
}
"""




@pytest.fixture(scope="module")
def payload_report(tmp_path_factory):
    work = tmp_path_factory.mktemp("browser_payloads")
    diag = payload_diagnosis(work)
    assert not list(work.rglob("PWNED"))
    return diag


class _Watch:
    """A page that records dialogs (and dismisses them), outside requests (blocked) and script errors."""

    def __init__(self, browser, path: Path, wait_ms: int = 1500) -> None:
        self.page = browser.new_page(viewport={"width": 1100, "height": 900})
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []

        def route(r):
            if r.request.url.startswith(("file:", "data:", "about:", "blob:")):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_timeout(wait_ms)

    def frames(self) -> list:
        """The frames holding a Leaflet map (the page itself, or the report's map iframe)."""
        return [f for f in self.page.frames if f.evaluate("typeof L !== 'undefined'")]

    def hover_everything(self) -> tuple[int, list[str]]:
        hovered, texts = 0, []
        for frame in self.frames():
            res = frame.evaluate(_HOVER_ALL)
            hovered += res["hovered"]
            texts += res["texts"]
            # and the real mouse over each district's centre (inside the report's iframe too)
            offset = {"x": 0, "y": 0}
            if frame != self.page.main_frame:
                offset = frame.frame_element().bounding_box()
            for x, y in frame.evaluate(_CENTRES):
                self.page.mouse.move(offset["x"] + x, offset["y"] + y)
                self.page.wait_for_timeout(10)
                for t in frame.locator(".leaflet-tooltip").all_inner_texts():
                    texts.append(t)
        self.page.wait_for_timeout(800)  # let a failing <img onerror> or an iframe's javascript: run
        return hovered, texts


def _norm(s: str) -> str:
    return " ".join(s.split())


@pytest.mark.parametrize("which", ["index.html", "maps"])
def test_hovering_every_district_runs_nothing(browser, payload_report, which):
    index = payload_report.report_path
    pages = [index] if which == "index.html" else sorted((index.parent / "maps").glob("*.html"))
    assert pages
    n_districts = len(payload_report.districts)
    for path in pages:
        w = _Watch(browser, path, wait_ms=2500 if which == "index.html" else 1500)
        assert w.frames(), f"{path.name}: no Leaflet map found"
        hovered, texts = w.hover_everything()
        # every district (plus the LISA overlay switched on) was hovered, and tooltips opened
        assert hovered >= n_districts
        assert len(texts) >= n_districts
        shown = _norm(" ".join(texts))
        for p in DISTRICT_PAYLOADS:
            assert _norm(p.replace("\r", "\n")) in shown, f"{path.name}: tooltip does not show {p!r} as text"
        assert "49 town" not in shown
        assert w.dialogs == [], f"{path.name}: dialogs {w.dialogs}"
        assert w.outside == [], f"{path.name}: outside requests {w.outside}"
        assert w.errors == [], f"{path.name}: script errors {w.errors}"
        w.page.close()


def test_stakeholder_and_lisa_maps_run_nothing(browser, tmp_path):
    from egovkit import diagnosis as dg
    from egovkit.distribution import local_moran
    from egovkit.present import lisa_map
    from egovkit.present.diagnosis_plots import stakeholder_map
    from egovkit.present.offline import save_offline

    from test_present_synthetic import grid_districts

    names = JINJA + HTML
    reg = dg.make_register([{"name": p, "type": "ngo", "lat": -1.29 + i / 500, "lon": 36.8 + i / 500}
                            for i, p in enumerate(names)])
    g = grid_districts(4, 3)
    g["area"] = names[: len(g)]
    g = g.assign(n=range(1, len(g) + 1), d=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lisa = local_moran(g, numerator="n", denominator="d", permutations=99)
    for m, n in ((stakeholder_map(reg), len(names)), (lisa_map(lisa), len(g))):
        path = save_offline(m, tmp_path / "m.html")
        w = _Watch(browser, path)
        texts = []
        for frame in w.frames():
            # circle markers have their own tooltips: hover them with the mouse
            for box in [frame.locator("path.leaflet-interactive").nth(i).bounding_box()
                        for i in range(frame.locator("path.leaflet-interactive").count())]:
                w.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                w.page.wait_for_timeout(15)
                texts += frame.locator(".leaflet-tooltip").all_inner_texts()
        w.page.wait_for_timeout(800)
        shown = _norm(" ".join(texts))
        assert sum(_norm(p) in shown for p in names[:n]) >= min(n, len(names)) - 2, shown[:500]
        assert w.dialogs == [] and w.outside == [] and w.errors == [], (w.dialogs, w.outside, w.errors)
        w.page.close()


def test_the_harness_sees_an_unescaped_tooltip(browser, tmp_path):
    """Control: the same hover on a folium map built without egovkit's escaping opens a dialog and
    sends the outside request (so the tests above can fail)."""
    import folium

    from egovkit.present.offline import inline_assets

    m = folium.Map(tiles=None, location=[0, 0], zoom_start=8)
    feats = [{"type": "Feature", "properties": {"name": name},
              "geometry": {"type": "Polygon",
                           "coordinates": [[[i, 0], [i + 0.5, 0], [i + 0.5, 0.5], [i, 0.5], [i, 0]]]}}
             for i, name in enumerate(['"><img src=x onerror=alert(1)>', "<img src=http://198.51.100.1/x.png>"])]
    folium.GeoJson({"type": "FeatureCollection", "features": feats},
                   tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    path = tmp_path / "unsafe.html"
    path.write_text(inline_assets(m.get_root().render()), encoding="utf-8")  # no check, no map_text
    w = _Watch(browser, path)
    hovered, _ = w.hover_everything()
    assert hovered == 2
    assert w.dialogs and any("198.51.100.1" in u for u in w.outside)
    w.page.close()
