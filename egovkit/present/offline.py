"""Self-contained HTML: every script and style sheet inlined, nothing fetched at run time.

folium's page template points at CDNs (Leaflet, jQuery, Bootstrap, Font Awesome,
awesome-markers, MarkerCluster). :func:`inline_assets` replaces the Leaflet and
MarkerCluster references by the files shipped in the PyPI packages ``xstatic-leaflet``
and ``xstatic-leaflet-markercluster`` and removes the others, which egovkit maps do not
use (no jQuery code, no icon fonts: points are drawn as SVG circle markers). Any other
external script or style sheet is an error, so an "offline" file can never silently
depend on the network.

Examples
--------
>>> import folium
>>> html = inline_assets(folium.Map(tiles=None).get_root().render())
>>> external_assets(html)
[]
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from pathlib import Path

from ..errors import EgovkitError
from .safe import check_map_text

__all__ = ["inline_assets", "external_assets", "render_offline", "save_offline", "compact_json_calls",
           "OFFLINE_DROPPED"]

#: Substrings of CDN URLs that egovkit maps never need; their tags are removed.
OFFLINE_DROPPED = (
    "jquery", "bootstrap", "fontawesome", "font-awesome", "awesome-markers",
    "leaflet.awesome.rotate", "glyphicons",
)

_TAG = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*/?>",
    re.IGNORECASE,
)
_SOURCEMAP = re.compile(r"^\s*//# sourceMappingURL=.*$|/\*# sourceMappingURL=.*?\*/", re.MULTILINE)


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as leaflet

    return Path(leaflet.BASE_DIR)


def _cluster_dir() -> Path:
    import xstatic.pkg.leaflet_markercluster as cluster

    return Path(cluster.BASE_DIR)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """Text of a local asset, source-map comments removed and images inlined as data URIs."""
    files = {
        "leaflet.js": _leaflet_dir() / "leaflet.js",
        "leaflet.css": _leaflet_dir() / "leaflet.css",
        "leaflet.markercluster.js": _cluster_dir() / "leaflet.markercluster.js",
        "MarkerCluster.css": _cluster_dir() / "MarkerCluster.css",
        "MarkerCluster.Default.css": _cluster_dir() / "MarkerCluster.Default.css",
    }
    path = files[name]
    text = _SOURCEMAP.sub("", path.read_text(encoding="utf-8"))
    if name.endswith(".css"):
        def _data_uri(m: re.Match[str]) -> str:
            img = path.parent / m.group(1)
            if not img.is_file():
                return m.group(0)
            return "url(data:image/png;base64," + base64.b64encode(img.read_bytes()).decode("ascii") + ")"

        text = re.sub(r"url\((images/[^)]+\.png)\)", _data_uri, text)
    else:
        text = text.replace("</script", "<\\/script")
    return text


def _replacement(url: str, is_script: bool) -> str | None:
    """Inline tag for a known CDN URL, "" to drop it, None if unknown."""
    low = url.lower()
    if "markercluster" in low:
        if is_script:
            return "<script>" + _asset("leaflet.markercluster.js") + "</script>"
        name = "MarkerCluster.Default.css" if "default" in low else "MarkerCluster.css"
        return "<style>" + _asset(name) + "</style>"
    if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.(js|css)$", low) or re.search(r"/leaflet(\.min)?\.(js|css)$", low):
        return (("<script>" + _asset("leaflet.js") + "</script>") if is_script
                else ("<style>" + _asset("leaflet.css") + "</style>"))
    if any(k in low for k in OFFLINE_DROPPED):
        return ""
    return None


def external_assets(html: str) -> list[str]:
    """URLs of scripts and style sheets that a browser would fetch from the network.

    Examples
    --------
    >>> external_assets('<script src="https://x.org/a.js"></script><p>hi</p>')
    ['https://x.org/a.js']
    """
    out = []
    for m in _TAG.finditer(html):
        url = m.group(1) or m.group(2)
        tag = m.group(0).lower()
        if m.group(2) and "stylesheet" not in tag and "preload" not in tag:
            continue  # e.g. <link rel="canonical">: not fetched as a resource
        if re.match(r"^(https?:)?//", url, re.IGNORECASE):
            out.append(url)
    return out


_ADD_CALL = re.compile(r"_add\(\s*(?=[\[{])")


def compact_json_calls(html: str) -> str:
    """Re-serialise the GeoJSON that folium embeds (``..._add({...});``) without spaces.

    folium writes its data with ``json.dumps`` defaults (``", "`` and ``": "``); the
    compact form is the same data in about 15 % fewer bytes for polygon maps.

    Examples
    --------
    >>> compact_json_calls('x_add({"a": [1, 2]});')
    'x_add({"a":[1,2]});'
    """
    decoder = json.JSONDecoder()
    out, pos = [], 0
    for m in _ADD_CALL.finditer(html):
        if m.start() < pos:
            continue
        try:
            obj, end = decoder.raw_decode(html, m.end())
        except ValueError:
            continue
        out.append(html[pos:m.end()])
        out.append(json.dumps(obj, separators=(",", ":"), ensure_ascii=True).replace("</", "<\\/"))
        pos = end
    out.append(html[pos:])
    return "".join(out)


def inline_assets(html: str) -> str:
    """Return ``html`` with Leaflet/MarkerCluster inlined and unused CDN assets removed.

    Raises
    ------
    EgovkitError
        If a script or style sheet from an unknown URL remains (the page would not work
        offline); the message names the URL.

    Examples
    --------
    >>> html = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    >>> inline_assets(html)
    ''
    """

    def _sub(m: re.Match[str]) -> str:
        url = m.group(1) or m.group(2)
        if not re.match(r"^(https?:)?//", url, re.IGNORECASE):
            return m.group(0)
        if m.group(2) and "stylesheet" not in m.group(0).lower():
            return m.group(0)
        rep = _replacement(url, is_script=m.group(1) is not None)
        return m.group(0) if rep is None else rep

    # a function as replacement: the inlined JS/CSS contains backslashes that re.sub must not interpret
    out = _TAG.sub(_sub, compact_json_calls(html))
    left = external_assets(out)
    if left:
        raise EgovkitError(code="offline.external_assets", params={"assets": left})
    return out


def save_offline(m: "object", path: str | Path) -> Path:
    """Render a folium map (or any branca element) to a self-contained HTML file.

    Examples
    --------
    >>> import folium, tempfile, pathlib
    >>> p = save_offline(folium.Map(tiles=None), pathlib.Path(tempfile.mkdtemp()) / "m.html")
    >>> "leaflet" in p.read_text() and not external_assets(p.read_text())
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_offline(m), encoding="utf-8")
    return path


def render_offline(m: "object") -> str:
    """Self-contained HTML of a folium map (or any branca element), its text checked first.

    Every egovkit map is rendered here. Before folium's two Jinja passes run,
    :func:`egovkit.present.safe.check_map_text` refuses a map whose data still holds
    ``{{``, ``{%`` or ``{#`` (user text that would be run as a template).

    Raises
    ------
    egovkit.present.safe.UnsafeMapText
        If the map holds template text (escape it with :func:`egovkit.present.safe.map_text`).

    Examples
    --------
    >>> import folium
    >>> "leaflet" in render_offline(folium.Map(tiles=None))
    True
    """
    root = m.get_root() if hasattr(m, "get_root") else m
    check_map_text(root)
    return inline_assets(root.render())
