"""The browser app: the diagnosis for people who do not program.

``egovkit app`` starts it on this computer (http://localhost:PORT/); :func:`show` shows the same
widgets in a JupyterLab notebook. A person uploads a census table and district boundaries
(optionally Wi-Fi hotspots, population and a filled questionnaire), sees what was recognised
in each file and corrects it with drop-downs (the equivalent ``egovkit run`` command line and
Python call are shown), reads the validation report, chooses radii, new sites and language,
runs, and gets the summary, the interactive map, the charts, the report folder as a ZIP and the
tables as one Excel workbook.

The app is built with Panel (HoloViz, the Jupyter ecosystem): one Python object per session,
served by Bokeh's server from the installed packages (no CDN), and the same object renders in
JupyterLab. What it does without widgets is in :mod:`egovkit.app.job`; upload safety in
:mod:`egovkit.app.uploads`; the server in :mod:`egovkit.app.server`.

Examples
--------
>>> import egovkit.app                  # doctest: +SKIP
>>> egovkit.app.show()                  # in a JupyterLab cell     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .server import serve

__all__ = ["serve", "show"]


def show(lang: str = "en") -> Any:
    """The app's widgets, to show in a JupyterLab notebook (the last expression of a cell).

    >>> import egovkit.app                 # doctest: +SKIP
    >>> egovkit.app.show()                 # doctest: +SKIP
    """
    import panel as pn

    from .ui import DiagnosisApp

    pn.extension(notifications=False)
    return DiagnosisApp(lang=lang).layout
