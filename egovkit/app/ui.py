"""The app's widgets (Panel): upload, recognise and correct, validate, run, see and download.

:class:`DiagnosisApp` holds one session: its uploads (in a temporary folder), its
:class:`~egovkit.app.job.Options` and its last result. ``DiagnosisApp().layout`` is what the
server shows on a page and what :func:`egovkit.app.show` shows in JupyterLab.

Every text that comes from a user's file (column names, district names, messages quoting them)
goes through :func:`html.escape` before it reaches an HTML pane; drop-down labels are set as
text by Bokeh. The report's map is shown in a sandboxed ``<iframe srcdoc>`` (scripts, no access
to the app's page).
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import time
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn

from .. import settings
from ..errors import EgovkitError
from ..shared.messages import render
from ..shared.texts import load_texts
from . import job
from .job import Options
from .uploads import KINDS, UploadStore

__all__ = ["DiagnosisApp", "labels"]

_LABELS = Path(__file__).resolve().parent / "labels.yaml"
_AUTO = ""
#: Style sheet of the HTML panes (each pane's own shadow root: plain element selectors).
_CSS = """
table {border-collapse: collapse; font-size: 12px;}
th, td {border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top;}
th {background: #f3f3f3;}
pre {white-space: pre-wrap; font-size: 12px; background: #f7f7f7; padding: 6px; margin: 2px 0;}
.egk-error {color: #a40000;}
"""


#: Panel 1.9 names a widget's caption ``label`` (``name`` is deprecated for 2.0); older Panels use ``name``.
_LABEL = "label" if "label" in pn.widgets.Select.param else "name"


_PRIMARY = {"color": "primary"} if "color" in pn.widgets.Button.param else {"button_type": "primary"}


def _caption(text: str) -> dict[str, str]:
    return {_LABEL: text}


def labels(lang: str | None = None) -> dict[str, str]:
    """The app's words in ``lang`` (``en`` or ``fr``; English for anything missing; default
    :data:`egovkit.settings.language`). A language the app does not speak is an
    :class:`~egovkit.errors.InputError` (code ``shared.language_unavailable``).

    >>> labels("fr")["lang"]
    'Langue'
    """
    return load_texts(_LABELS, lang)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def _html_table(df: pd.DataFrame, max_rows: int = 200) -> str:
    """An HTML table of ``df`` with every cell escaped."""
    if df.empty:
        return ""
    df = df.head(max_rows).astype(object)
    return df.where(df.notna(), "").to_html(index=False, escape=True, border=0)


#: Leaflet measures its container once, when the map is made: a map inserted while its frame has no
#: size yet (the page still laid out, or the frame not shown) keeps a 0 x 0 size and draws a few
#: polygons at zoom 0. Every map remembers the bounds it was fitted to; when its container's size
#: changes (a ResizeObserver, and the window's resize event as a fallback) it measures again and fits
#: them again. Put before ``</head>``, after the inlined Leaflet and before the map's script.
_REFIT = """<script>
if (window.L) {
  var egkFit = L.Map.prototype.fitBounds;
  var egkRefit = function (m) {
    var c = m.getContainer();
    if (!c.clientWidth || !c.clientHeight) { return; }
    m.invalidateSize();
    if (m._egkFit) { egkFit.call(m, m._egkFit[0], m._egkFit[1]); }
  };
  var egkMaps = [];
  L.Map.addInitHook(function () {
    var m = this;
    egkMaps.push(m);
    if (window.ResizeObserver) { new ResizeObserver(function () { egkRefit(m); }).observe(m.getContainer()); }
  });
  L.Map.prototype.fitBounds = function (b, o) { this._egkFit = [b, o]; return egkFit.call(this, b, o); };
  window.addEventListener("resize", function () { egkMaps.forEach(egkRefit); });
  window.addEventListener("load", function () { egkMaps.forEach(egkRefit); });
}
</script>
"""


def _refit_on_resize(page: str) -> str:
    """The map page with :data:`_REFIT` in its head (unchanged if it has no ``</head>``)."""
    i = page.find("</head>")
    return page if i < 0 else page[:i] + _REFIT + page[i:]


class DiagnosisApp:
    """One session of the app: widgets, uploads, options and the last result.

    Parameters
    ----------
    lang
        Language of the app and (by default) of the report: ``"en"`` or ``"fr"``.
    """

    def __init__(self, lang: str = "en") -> None:
        settings.progress = False  # the app shows its own progress
        self.store = UploadStore()
        self.options = Options(lang=lang)
        self.result: job.JobResult | None = None
        self.lang = lang
        self._table_cols: list[str] = []
        self._table_head = pd.DataFrame()
        self._boundary_cols: list[str] = []
        self._pop_cols: list[str] = []
        self._level_col: str | None = None
        self._busy = False
        self._labelled: list[tuple[Any, str, str]] = []
        w = labels(lang)

        self.title = pn.pane.Markdown(f"## {w['title']}\n{w['intro']}", css_classes=["egk-title"])
        self.ui_lang = pn.widgets.RadioButtonGroup(options={"English": "en", "Français": "fr"}, value=lang,
                                                   css_classes=["egk-ui-lang"])
        self.ui_lang.param.watch(self._on_ui_lang, "value")

        # 1. files
        self.inputs: dict[str, pn.widgets.FileInput] = {}
        self.file_status: dict[str, pn.pane.HTML] = {}
        rows = []
        for kind in KINDS:
            fi = pn.widgets.FileInput(accept=",".join(KINDS[kind].suffixes), css_classes=[f"egk-upload-{kind}"],
                                      width=520, **_caption(w[kind]))
            fi.param.watch(lambda ev, k=kind: self._on_upload(k, ev), "value")
            status = pn.pane.HTML(_esc(w["no_file"]), css_classes=[f"egk-status-{kind}"], stylesheets=[_CSS],
                                  margin=(28, 10, 0, 10))
            self.inputs[kind], self.file_status[kind] = fi, status
            self._labelled.append((fi, kind, "name"))
            rows.append(pn.Row(fi, status))
        self.h_files = pn.pane.Markdown(f"### {w['files']}")
        self._labelled.append((self.h_files, "files", "h3"))

        # 2. recognition and corrections
        self.h_recognised = pn.pane.Markdown(f"### {w['recognised']}\n{w['recognised_help']}")
        self.recognitions = pn.pane.HTML("", css_classes=["egk-table", "egk-recognitions"], stylesheets=[_CSS])
        self.sel: dict[str, pn.widgets.Select] = {}
        for name in ("area", "code", "level", "district_level", "denominator", "value_type", "boundary_key",
                     "population_column"):
            s = pn.widgets.Select(**_caption(w[name]), options={w["automatic"]: _AUTO}, value=_AUTO, width=260,
                                  css_classes=[f"egk-select-{name}"])
            s.param.watch(lambda ev, n=name: self._on_option(n, ev.new), "value")
            self.sel[name] = s
            self._labelled.append((s, name, "name"))
        self.reassign_col = pn.widgets.Select(**_caption(w["reassign_column"]), options=[], width=260,
                                              css_classes=["egk-reassign-column"])
        self.reassign_ind = pn.widgets.Select(**_caption(w["reassign_indicator"]), options=job.indicator_choices(),
                                              width=200, css_classes=["egk-reassign-indicator"])
        self.reassign_btn = pn.widgets.Button(**_caption(w["reassign"]), css_classes=["egk-reassign"])
        self.reassign_btn.on_click(self._on_reassign)
        self._labelled += [(self.reassign_col, "reassign_column", "name"),
                           (self.reassign_ind, "reassign_indicator", "name"), (self.reassign_btn, "reassign", "name")]
        self.reassigned = pn.pane.HTML("", css_classes=["egk-reassigned"])
        self.boundary_info = pn.pane.HTML("", css_classes=["egk-boundary-info"])
        self.hotspot_info = pn.pane.HTML("", css_classes=["egk-hotspot-info"])
        self.h_equivalent = pn.pane.Markdown(f"**{w['equivalent']}**")
        self._labelled.append((self.h_equivalent, "equivalent", "bold"))
        self.equivalent = pn.pane.HTML("", css_classes=["egk-pre", "egk-equivalent"], stylesheets=[_CSS])

        # 3. validation
        self.h_validation = pn.pane.Markdown(f"### {w['validation']}")
        self._labelled.append((self.h_validation, "validation", "h3"))
        self.validation = pn.pane.HTML("", css_classes=["egk-table", "egk-validation"], stylesheets=[_CSS],
                                       max_height=320, styles={"overflow-y": "auto"})

        # 4. choices and run
        self.h_options = pn.pane.Markdown(f"### {w['run_options']}")
        self._labelled.append((self.h_options, "run_options", "h3"))
        # empty: the report says "Territory" in its language (the placeholder shows it)
        self.name_input = pn.widgets.TextInput(**_caption(w["territory_name"]), value="", width=260,
                                               placeholder=render("pipeline.territory_default", lang=lang),
                                               css_classes=["egk-name"])
        self.radii_input = pn.widgets.TextInput(**_caption(w["radii"]), value="100, 250, 500", width=260,
                                                css_classes=["egk-radii"])
        self.sites_input = pn.widgets.IntInput(**_caption(w["new_sites"]), value=10, start=0, end=200, width=200,
                                               css_classes=["egk-new-sites"])
        self.report_lang = pn.widgets.Select(**_caption(w["report_lang"]), options={"English": "en", "Français": "fr"},
                                             value=lang, width=160, css_classes=["egk-report-lang"])
        for wid, key in ((self.name_input, "territory_name"), (self.radii_input, "radii"),
                         (self.sites_input, "new_sites"), (self.report_lang, "report_lang")):
            wid.param.watch(lambda ev: self._on_choices(), "value")
            self._labelled.append((wid, key, "name"))
        self.run_btn = pn.widgets.Button(**_caption(w["run"]), **_PRIMARY, css_classes=["egk-run"])
        self.run_btn.on_click(self._on_run)
        self._labelled.append((self.run_btn, "run", "name"))
        self.progress = pn.indicators.Progress(value=0, max=100, width=300, css_classes=["egk-progress"])
        self.status = pn.pane.HTML("", css_classes=["egk-status"])

        # 5. results
        self.h_results = pn.pane.Markdown(f"### {w['results']}")
        self._labelled.append((self.h_results, "results", "h3"))
        self.summary = pn.pane.HTML(_esc(w["not_run"]), css_classes=["egk-pre", "egk-summary"], stylesheets=[_CSS])
        self.map = pn.pane.HTML("", css_classes=["egk-map"], sizing_mode="stretch_width")
        self.charts = pn.pane.HTML("", css_classes=["egk-charts"], sizing_mode="stretch_width")
        self.download_zip = pn.widgets.FileDownload(callback=self._zip_file, filename="egovkit-report.zip",
                                                    label=w["download_zip"], disabled=True,
                                                    css_classes=["egk-download-zip"])
        self.download_xlsx = pn.widgets.FileDownload(callback=self._workbook_file, filename="tables.xlsx",
                                                     label=w["download_xlsx"], disabled=True,
                                                     css_classes=["egk-download-xlsx"])

        self.layout = pn.Column(
            pn.Row(self.title, self.ui_lang),
            self.h_files, *rows,
            pn.layout.Divider(),
            self.h_recognised, self.recognitions,
            pn.Row(self.sel["area"], self.sel["code"], self.sel["level"], self.sel["district_level"]),
            pn.Row(self.sel["denominator"], self.sel["value_type"], self.sel["boundary_key"],
                   self.sel["population_column"]),
            pn.Row(self.reassign_col, self.reassign_ind, self.reassign_btn), self.reassigned,
            self.boundary_info, self.hotspot_info,
            self.h_equivalent, self.equivalent,
            pn.layout.Divider(),
            self.h_validation, self.validation,
            pn.layout.Divider(),
            self.h_options,
            pn.Row(self.name_input, self.radii_input, self.sites_input, self.report_lang),
            pn.Row(self.run_btn, self.progress), self.status,
            pn.layout.Divider(),
            self.h_results, self.summary, self.map, self.charts,
            pn.Row(self.download_zip, self.download_xlsx),
            sizing_mode="stretch_width", css_classes=["egk-app"],
        )
        self._set_value_type_options()
        self._refresh()

    # -- words -----------------------------------------------------------------------------
    @property
    def words(self) -> dict[str, str]:
        return labels(self.lang)

    def _on_ui_lang(self, event: Any) -> None:
        self.lang = event.new
        w = self.words
        self.title.object = f"## {w['title']}\n{w['intro']}"
        self.h_recognised.object = f"### {w['recognised']}\n{w['recognised_help']}"
        for obj, key, how in self._labelled:
            if how == "name":
                setattr(obj, _LABEL, w[key])
            elif how == "h3":
                obj.object = f"### {w[key]}"
            else:
                obj.object = f"**{w[key]}**"
        self.download_zip.label, self.download_xlsx.label = w["download_zip"], w["download_xlsx"]
        self.report_lang.value = event.new
        self.name_input.placeholder = render("pipeline.territory_default", lang=event.new)
        self._set_value_type_options()
        self._refresh()

    def _set_value_type_options(self) -> None:
        w = self.words
        s = self.sel["value_type"]
        cur = s.value
        s.options = {w["automatic"]: _AUTO, w["vt_count"]: "count", w["vt_percent"]: "percent",
                     w["vt_share"]: "share"}
        s.value = cur

    # -- uploads ---------------------------------------------------------------------------
    def _on_upload(self, kind: str, event: Any) -> None:
        fi = self.inputs[kind]
        w = self.words
        if not event.new:
            return
        try:
            path = self.store.save(kind, fi.filename or "", event.new)
        except EgovkitError as exc:
            self.file_status[kind].object = f'<span class="egk-error">{_esc(exc.text(self.lang))}</span>'
            return
        up = self.store.files[kind]
        self.file_status[kind].object = _esc(w["saved"].format(name=up.safe_name, size=_size(up.size)))
        if kind == "table":
            self._table_cols, self._table_head = job.table_columns(path)
            # a new table: corrections of the previous one no longer apply
            self.options.columns = {}
            for n in ("area", "code", "level", "district_level", "denominator", "value_type"):
                setattr(self.options, n, None)
                self.sel[n].value = _AUTO
        elif kind == "boundaries":
            self._boundary_cols = []
        elif kind == "hotspots":
            self._hotspots_info = None
        elif kind == "population":
            self._pop_cols = job.table_columns(path)[0] if path.suffix.lower() not in (".tif", ".tiff") else []
        self._refresh()

    # -- options -----------------------------------------------------------------------------
    def _on_option(self, name: str, value: str) -> None:
        if getattr(self, "_setting", False):
            return
        setattr(self.options, name, value or None)
        if name == "level":
            self.options.district_level = None
        self._refresh()

    def _on_reassign(self, event: Any) -> None:
        col, ind = self.reassign_col.value, self.reassign_ind.value
        if col:
            self.options.columns[col] = ind
            self._refresh()

    def _on_choices(self) -> None:
        self._read_choices()
        self._show_equivalent()

    def _read_choices(self) -> None:
        o = self.options
        o.territory_name = self.name_input.value.strip() or None
        try:
            radii = tuple(sorted({float(x) for x in self.radii_input.value.replace(";", ",").split(",") if x.strip()}))
        except ValueError:
            radii = ()
        o.radii_m = tuple(r for r in radii if 0 < r <= 10_000) or (100.0, 250.0, 500.0)
        o.n_new_sites = int(self.sites_input.value or 0)
        o.lang = self.report_lang.value

    def _names(self) -> dict[str, str]:
        return {k: u.safe_name for k, u in self.store.files.items()}

    # -- refresh: read the table with the options, show what was recognised -------------
    def _refresh(self) -> None:
        w = self.words
        self._read_choices()
        report_parts = []
        recs: list[job.Recognition] = []
        table_path = self.store.path("table")
        if table_path is not None:
            try:
                table, recs, report = job.recognise_table(table_path, self.options)
                report_parts.append(report)
                self._level_col = self.options.level or next((r.column for r in recs if r.role == "level"), None)
                levels = pd.concat([table.data["level"], table.other_levels.get("level", pd.Series(dtype=object))])
                self._levels = [str(v) for v in dict.fromkeys(levels.dropna().astype(str)) if v and v != "<NA>"]
            except EgovkitError as exc:
                self.recognitions.object = f'<p class="egk-error">{_esc(w["error"])}: {_esc(exc.text(self.lang))}</p>'
                self._levels = []
            except Exception as exc:  # a bug: said on the page, the app goes on
                self.recognitions.object = f'<p class="egk-error">{_esc(w["bug"].format(what=type(exc).__name__))}' \
                                           f': {_esc(exc)}</p>'
                self._levels = []
            else:
                df = pd.DataFrame([r.__dict__ for r in recs])
                self.recognitions.object = _html_table(df)
        else:
            self.recognitions.object = ""
            self._levels = []
        self._boundary_summary(report_parts)
        self._hotspots_summary(report_parts)
        self._update_selects(recs)
        items = ", ".join(f"{_esc(k)} → {_esc(v)}" for k, v in self.options.columns.items())
        self.reassigned.object = _esc(w["reassigned"].format(items="")) + items if items else ""
        self._show_equivalent()
        self._show_validation(report_parts)

    def _boundary_summary(self, report_parts: list) -> None:
        path = self.store.path("boundaries")
        w = self.words
        if path is None:
            self.boundary_info.object = ""
            self._boundary_cols = []
            return
        if not self._boundary_cols:
            try:
                import warnings

                from ..geo import read_boundaries
                from ..validate import ValidationReport

                rep = ValidationReport(source=self.store.files["boundaries"].safe_name)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    b = read_boundaries(path, report=rep)
                self._boundaries = b
                self._boundary_rep = rep
                self._boundary_cols = job.boundary_columns(b)
            except EgovkitError as exc:
                self.boundary_info.object = f'<p class="egk-error">{_esc(w["error"])}: {_esc(exc.text(self.lang))}</p>'
                return
        report_parts.append(self._boundary_rep)
        cols = ", ".join(self._boundary_cols[:30])
        self.boundary_info.object = _esc(w["boundaries_read"].format(n=len(self._boundaries), columns=cols))

    def _hotspots_summary(self, report_parts: list) -> None:
        """How many Wi-Fi sites the hotspot file holds, and its reading report (read once per upload)."""
        path = self.store.path("hotspots")
        if path is None:
            self.hotspot_info.object = ""
            return
        w = self.words
        if getattr(self, "_hotspots_info", None) is None:
            import warnings

            from ..coverage import read_hotspots

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sites, rep = read_hotspots(path)
            except EgovkitError as exc:
                self.hotspot_info.object = f'<p class="egk-error">{_esc(w["error"])}: {_esc(exc.text(self.lang))}</p>'
                return
            self._hotspots_info = (len(sites), rep)
        n, rep = self._hotspots_info
        report_parts.append(rep)
        self.hotspot_info.object = _esc(w["hotspots_read"].format(n=n, summary=rep.summary()))

    def _update_selects(self, recs: list[job.Recognition]) -> None:
        w = self.words
        auto = w["automatic"]

        def guessed(role: str) -> str:
            c = next((r.column for r in recs if r.role == role), None)
            return f"{auto[:-1]}: {c})" if c else auto

        choices = {
            "area": self._table_cols, "code": self._table_cols, "level": self._table_cols,
            "denominator": self._table_cols, "district_level": getattr(self, "_levels", []),
            "boundary_key": self._boundary_cols, "population_column": self._pop_cols,
        }
        autos = {"area": guessed("area"), "code": guessed("code"), "level": guessed("level"),
                 "denominator": guessed("denominator")}
        if self.store.path("boundaries") is not None and self.store.path("table") is None \
                and self.store.path("population") is not None and self._boundary_cols:
            guess = job.guess_boundary_key(self._boundaries, job.table_columns(self.store.path("population"))[1])
            autos["boundary_key"] = f"{auto[:-1]}: {guess})" if guess else auto
        self._setting = True
        try:
            for name, cols in choices.items():
                s = self.sel[name]
                cur = getattr(self.options, name) or _AUTO
                opts = {autos.get(name, auto): _AUTO}
                opts.update({str(c): str(c) for c in cols})
                if cur and cur not in opts.values():
                    opts[cur] = cur
                s.options = opts
                s.value = cur
            self.reassign_col.options = [str(c) for c in self._table_cols]
        finally:
            self._setting = False

    def _show_equivalent(self) -> None:
        names = self._names()
        if not names:
            self.equivalent.object = ""
            return
        cmd = job.command_line(self.options, names)
        code = job.python_call(self.options, names)
        self.equivalent.object = f"<pre class='egk-command'>{_esc(cmd)}</pre><pre class='egk-python'>{_esc(code)}</pre>"

    def _show_validation(self, parts: list, final: Any = None) -> None:
        from ..validate import ValidationReport

        if final is None:
            final = ValidationReport()
            for p in parts:
                final.extend(p)
        df = job.ordered_report(final)
        cols = [c for c in ("severity", "message", "row", "column", "area", "action", "fix") if c in df]
        self.validation.object = _html_table(df[cols]) if len(df) else _esc(self.words["no_issue"])

    # -- run -----------------------------------------------------------------------------
    async def _on_run(self, event: Any) -> None:
        if self._busy:
            return
        w = self.words
        paths = {k: u.path for k, u in self.store.files.items()}
        if "boundaries" not in paths or not ("table" in paths or {"hotspots", "population"} <= set(paths)):
            self.status.object = f'<span class="egk-error">{_esc(w["need_files"])}</span>'
            return
        self._busy = True
        self.run_btn.disabled = True
        self.download_zip.disabled = self.download_xlsx.disabled = True
        self._read_choices()
        steps: list[str] = []
        order = ["reading", "diagnosis", "packaging"]
        t0 = time.perf_counter()
        self.progress.value = 5
        self.status.object = _esc(w["step_reading"])
        out = self.store.new_folder("report")
        options = job.with_options(self.options)
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(None, lambda: job.run_job(paths, options, out, step=steps.append))
        try:
            while not fut.done():
                if steps:
                    i = order.index(steps[-1]) if steps[-1] in order else 0
                    self.progress.value = 10 + 30 * i
                    self.status.object = _esc(w[f"step_{steps[-1]}"])
                await asyncio.sleep(0.25)
            result = fut.result()
        except EgovkitError as exc:
            self.status.object = f'<span class="egk-error">{_esc(w["error"])}: {_esc(exc.text(self.lang))}</span>'
            self.progress.value = 0
            return
        except Exception as exc:  # a bug: said on the page, the app goes on
            self.status.object = (f'<span class="egk-error">{_esc(w["bug"].format(what=type(exc).__name__))}: '
                                  f'{_esc(exc)}</span>')
            self.progress.value = 0
            return
        finally:
            self._busy = False
            self.run_btn.disabled = False
        self.result = result
        self._show_result(result)
        self.progress.value = 100
        self.status.object = _esc(w["done"].format(seconds=time.perf_counter() - t0))

    def _show_result(self, result: job.JobResult) -> None:
        w = self.words
        diag = result.diagnosis
        text = diag.summary(self.options.lang).replace(str(result.out_dir), "report")  # the ZIP's folder
        self.summary.object = f"<pre>{_esc(text)}</pre>"
        self._show_validation([], final=diag.report)
        maps = sorted((result.out_dir / "maps").glob("*.html"))
        main = result.out_dir / "maps" / f"{diag.main_indicator}.html"
        page = main if main in maps else (maps[0] if maps else None)
        if page is not None:
            src = _esc(_refit_on_resize(page.read_text(encoding="utf-8")))
            self.map.object = (f"<h4>{_esc(w['map'])}</h4><iframe class='egk-map-frame' sandbox='allow-scripts' "
                               f"style='width:100%;height:520px;border:1px solid #ccc' srcdoc=\"{src}\"></iframe>")
        else:
            self.map.object = ""
        figs = sorted((result.out_dir / "figures").glob("*.png"))
        main = [p for p in figs if diag.main_indicator in p.stem]
        figs = (main + [p for p in figs if p not in main])[:6]
        imgs = "".join(f"<img alt='{_esc(p.stem)}' style='width:32%;margin:2px;vertical-align:top' "
                       f"src='data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}'>" for p in figs)
        self.charts.object = f"<h4>{_esc(w['charts'])}</h4>{imgs}" if imgs else ""
        self.download_zip.disabled = self.download_xlsx.disabled = False

    def _zip_file(self) -> io.BytesIO:
        return io.BytesIO(self.result.zip_bytes if self.result else b"")

    def _workbook_file(self) -> io.BytesIO:
        return io.BytesIO(self.result.workbook.read_bytes() if self.result else b"")

    def close(self) -> None:
        """Delete the session's temporary folder."""
        self.store.close()
