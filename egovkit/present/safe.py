"""User text made inert before it reaches folium, branca, Leaflet or Jinja.

folium/branca render a map twice: the output of each element's macro becomes the
*template* of a new element, rendered again by Jinja. A district, hotspot or
stakeholder name that reaches a map is therefore read as a template (``{{7*7}}``
becomes ``49``; ``{{ cycler.__init__.__globals__.os... }}`` runs Python), and Leaflet
then inserts tooltips, popups, layer names and legends with ``innerHTML`` (a name
``<img src=x onerror=...>`` runs script on hover).

egovkit therefore treats every user string given to folium as HTML *text*:
:func:`map_text` writes ``& < > " '`` and the characters that mean something to Jinja or
to a JavaScript template literal (``{ } ` \\ $``) as numeric character references. The
browser shows the text literally, Jinja sees no ``{``, a JavaScript string or template
literal cannot be closed by it, and it is valid inside JSON.

:func:`check_map_text` is the safety net run before any egovkit map is rendered
(:func:`egovkit.present.offline.render_offline`): a string anywhere in the map that
still holds ``{{``, ``{%`` or ``{#`` is refused, so a future map that forgets
:func:`map_text` fails loudly instead of evaluating its data.

matplotlib, for its part, reads ``$...$`` in any text as mathematics: a district named
``A $\\foo$`` would stop a chart with a parse error. :func:`literal_text` makes every
egovkit chart draw its text as it is.

Examples
--------
>>> map_text("{{7*7}} <b>town</b>")
'&#123;&#123;7*7&#125;&#125; &lt;b&gt;town&lt;/b&gt;'
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any, Callable, Iterator, TypeVar

from ..errors import EgovkitError

__all__ = ["map_text", "check_map_text", "template_markers", "UnsafeMapText", "literal_text",
           "literal_figure_text"]

_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;", "$": "&#36;",
}
_TABLE = str.maketrans(_ENTITIES)
#: What starts a Jinja block in template source (default delimiters).
_MARKERS = ("{{", "{%", "{#")
# attributes of branca elements that are not data (the tree is walked through children)
_SKIP = {"_parent", "_children", "_template", "_template_str", "_template_name", "_env", "_id", "_name"}


class UnsafeMapText(EgovkitError):
    """A string in a map would be evaluated as a Jinja template when the map is rendered."""


def map_text(value: Any) -> str:
    """``value`` as inert HTML text for a folium map (tooltip, popup, layer name, legend).

    Missing values (None, NaN, pd.NA) give ``""``. Apply it once: ``&`` is escaped too.

    Examples
    --------
    >>> map_text('"><img src=x onerror=alert(1)>')
    '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'
    >>> map_text(None), map_text(float("nan")), map_text(3)
    ('', '', '3')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value).translate(_TABLE)


def template_markers(text: str) -> list[str]:
    """The Jinja block openers (``{{``, ``{%``, ``{#``) found in ``text``.

    Examples
    --------
    >>> template_markers("a {{ b }} {# c")
    ['{{', '{#']
    """
    return [m for m in _MARKERS if m in text]


def _strings(value: Any, seen: set[int]) -> Iterator[tuple[str, str]]:
    """(where, text) of every string held by ``value``; other elements are walked."""
    from branca.element import Element

    if isinstance(value, str):
        yield "", value
    elif isinstance(value, Element):
        if id(value) in seen:
            return
        seen.add(id(value))
        for k, v in vars(value).items():
            if k in _SKIP:
                continue
            for where, s in _strings(v, seen):
                yield f"{type(value).__name__}.{k}{where}", s
        for child in value._children.values():
            yield from _strings(child, seen)
    elif isinstance(value, (dict, list, tuple)):
        # one C-speed serialisation instead of a Python walk over every coordinate
        yield "", json.dumps(value, default=str, ensure_ascii=False)


def check_map_text(element: Any) -> None:
    """Refuse a map holding text that Jinja would evaluate when it is rendered.

    Walks the element, its children and the elements its attributes hold (popups' HTML,
    a map's figure), and every string, list and dict they keep (GeoJSON properties,
    tooltip fields and aliases, layer names, legend HTML).

    Raises
    ------
    UnsafeMapText
        If a string holds ``{{``, ``{%`` or ``{#``; the message names the element and
        attribute and says how to fix it.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> check_map_text(m)
    >>> _ = folium.Marker([0, 0], tooltip="{{7*7}}").add_to(m)
    >>> check_map_text(m)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UnsafeMapText: ...
    """
    root = element.get_root() if hasattr(element, "get_root") else element
    for where, text in _strings(root, set()):
        found = template_markers(text)
        if found:
            i = min(text.find(m) for m in found)
            raise UnsafeMapText(
                f"the map holds text that would be run as a Jinja template when it is rendered: "
                f"{where} contains {found[0]!r} (…{text[max(0, i - 30):i + 30]}…). Fix: pass every "
                "user-provided string through egovkit.present.safe.map_text before giving it to folium")


F = TypeVar("F", bound=Callable[..., Any])


def literal_figure_text(fig: Any) -> Any:
    """Draw every text of a matplotlib figure as it is (no ``$...$`` mathtext); returns ``fig``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("A $\\foo$")
    >>> literal_figure_text(fig).axes[0].title.get_parse_math()
    False
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        t.set_parse_math(False)
    return fig


def literal_text(func: F) -> F:
    """Decorator of a chart function: user text (district, stakeholder, indicator names) is drawn
    literally, never parsed as ``$...$`` mathematics, also in the function's own ``tight_layout``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib as mpl

        with mpl.rc_context({"text.parse_math": False}):
            fig = func(*args, **kwargs)
        return literal_figure_text(fig) if hasattr(fig, "findobj") else fig

    return wrapper  # type: ignore[return-value]
