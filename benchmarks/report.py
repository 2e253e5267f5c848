"""Benchmark: time and size of the full diagnosis report for the NYC census tracts.

What users run: ``diagnose_nyc(out, level="tract")`` (= ``egovkit report nyc --level tract``):
2,166 tract polygons, ACS 2013-17 population spread on a 50 m grid, 3,319 NYC Wi-Fi hotspots,
coverage at 100/250/500 m, gap zones, 20 new sites, inequality, LISA and the offline report,
from the data mirror ($EGOVKIT_DATA_MIRROR) or cache. The time includes every step.

Targets (issue 5): report built in under 20 s; report folder under 10 MB; the interactive
map file under 5 MB.

Then, on the same data in the same run, the straightforward way: ``gdf.explore()`` (folium)
choropleth of the unsimplified tracts (share of persons 25+ with a bachelor's degree or more)
plus the hotspots, saved with ``m.save()``, and ``gdf.to_file()`` of the tracts and the
hotspots (GeoPackage). Prints both times, both folder sizes and the ratios. The
straightforward map links Leaflet/folium from CDNs, so it is NOT usable offline, and it has
one map and no report; egovkit's report is self-contained (offline) and has several maps,
tables, charts and the validation report.

Run: .venv/bin/python benchmarks/report.py [out_dir]
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("EGOVKIT_SHARED_DATA") or ROOT.parent / "shared" / "data")


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def straightforward(out: Path, tracts: gpd.GeoDataFrame, acs: pd.DataFrame,
                    hotspots: gpd.GeoDataFrame) -> tuple[float, Path]:
    """The plain geopandas/folium way: one choropleth map + hotspots, saved, plus the layers to file."""
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    g = tracts.merge(acs[["geoid", "pop_ba_above_est", "pop_educ_denom_est"]], left_on="area_code",
                     right_on="geoid", how="left")
    g["share_ba_or_more"] = g["pop_ba_above_est"] / g["pop_educ_denom_est"].where(g["pop_educ_denom_est"] > 0)
    m = g.explore(column="share_ba_or_more", cmap="viridis", tooltip=["area_name", "share_ba_or_more"])
    hotspots.explore(m=m, color="red", marker_kwds={"radius": 2})
    map_file = out / "map.html"
    m.save(map_file)
    g.drop(columns="geoid").to_file(out / "layers.gpkg", layer="tracts")
    hotspots.to_file(out / "layers.gpkg", layer="hotspots")
    return time.perf_counter() - t, map_file


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="egovkit-bench-")) / "nyc"
    from egovkit.cases import diagnose_nyc

    # what users run: `egovkit report nyc --level tract` (coverage, gap zones, new sites, report)
    t2 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        diag = diagnose_nyc(out, level="tract")
    t_report = time.perf_counter() - t2
    index = diag.report_path

    tracts = gpd.read_file(SHARED / "nyc-nta-tract-population" / "nyc_tract2010.geojson")
    tracts = tracts.rename(columns={"geoid": "area_code"})
    tracts["area_name"] = tracts["borough_name"].astype(str) + " " + tracts["tract_id"].astype(str)
    acs = pd.read_csv(SHARED / "nyc-nta-tract-population" / "nyc_tract_acs_2013_2017.csv", dtype={"geoid": str})
    hs = pd.read_csv(SHARED / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv", encoding="utf-8-sig")
    hotspots = gpd.GeoDataFrame(hs[["OBJECTID", "Type", "Provider"]],
                                geometry=gpd.points_from_xy(hs["Longitude"], hs["Latitude"]), crs=4326)
    rates = diag.rates
    map_file = next((out / "maps").glob("*.html"))
    print(f"districts: {len(diag.districts):,}  hotspots: {len(diag.hotspots):,}  rates rows: {len(rates):,}")
    print(f"diagnose_nyc(level='tract'), read + coverage + gaps + new sites + report: {t_report:.1f} s"
          " (target < 20 s)")
    print(f"report folder: {_size(out) / 1e6:.2f} MB (target < 10 MB); index.html {index.stat().st_size / 1e6:.2f} MB;"
          f" map {map_file.name} {map_file.stat().st_size / 1e6:.2f} MB (target < 5 MB)")
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(f"  {p.relative_to(out)}  {p.stat().st_size / 1e3:,.0f} kB")
    print(f"output: {index}")

    base_out = out.parent / (out.name + "-straightforward")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_base, base_map = straightforward(base_out, tracts, acs, hotspots)
    ext = re.compile(r'<script src="https?://')
    cdn = len(ext.findall(base_map.read_text(encoding="utf-8")))
    ours_ext = len(ext.findall(map_file.read_text(encoding="utf-8")))
    print("straightforward way on the same data (gdf.explore() choropleth of the unsimplified tracts + hotspots,"
          " m.save(), gdf.to_file() GeoPackage):")
    print(f"  time: {t_base:.1f} s   folder: {_size(base_out) / 1e6:.2f} MB; map {base_map.name}"
          f" {base_map.stat().st_size / 1e6:.2f} MB; layers.gpkg {(base_out / 'layers.gpkg').stat().st_size / 1e6:.2f} "
          "MB")
    print(f"  ratio egovkit / straightforward: time {t_report:.1f} / {t_base:.1f} s = {t_report / t_base:.1f} x;"
          f" folder size {_size(out) / 1e6:.2f} / {_size(base_out) / 1e6:.2f} MB = {_size(out) / _size(base_out):.2f} "
          "x;"
          f" map size {map_file.stat().st_size / 1e6:.2f} / {base_map.stat().st_size / 1e6:.2f} MB ="
          f" {map_file.stat().st_size / base_map.stat().st_size:.2f} x")
    print(f"  note: the straightforward map loads {cdn} scripts from CDNs (egovkit's map: {ours_ext})"
          f"{', so it is NOT usable offline' if cdn else ''};"
          " it is one map, no report. egovkit's report is offline and has several maps, tables, charts"
          " and the validation report.")
    print(f"  output: {base_out}")


if __name__ == "__main__":
    main()
