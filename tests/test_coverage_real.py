"""Real data: NYC hotspots and tracts, the Singapore population raster."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.realdata

from egovkit.coverage import (  # noqa: E402
    coverage,
    population_from_districts,
    population_from_points,
    population_from_raster,
    population_from_xy,
    read_hotspots,
)


@pytest.fixture(scope="module")
def nyc(shared_data):
    d = shared_data / "nyc-nta-tract-population"
    tracts = gpd.read_file(d / "nyc_tract2010.geojson")
    acs = pd.read_csv(d / "nyc_tract_acs_2013_2017.csv", dtype={"geoid": str})
    tracts = tracts.merge(acs[["geoid", "pop_total_est"]], on="geoid", how="inner")
    hot, _ = read_hotspots(shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv")
    return tracts, hot


def test_nyc_tract_points_reproduce_the_sanity_figures(nyc):
    # SOURCE.md: tract representative points weighted by ACS population, all 3,319 hotspots:
    # within 100 m ~ 11.8 %, 250 m ~ 36.7 %, 500 m ~ 67.0 %
    tracts, hot = nyc
    pts = tracts.set_geometry(tracts.to_crs(32618).representative_point())
    pop = population_from_points(pts, "pop_total_est")
    t = coverage(pop, hot, radii_m=[100, 250, 500], quantiles=None)
    pct = (100 * t.share_covered).round(1).tolist()
    assert pct == pytest.approx([11.8, 36.7, 67.0], abs=0.25)
    assert pop.total == pytest.approx(8_560_072)


def test_nyc_tract_population_spread_keeps_tract_totals(nyc):
    tracts, hot = nyc
    pop = population_from_districts(tracts, "pop_total_est", key="geoid", cell_m=100)
    per = np.bincount(pop.district, weights=pop.weight, minlength=len(tracts))
    assert per == pytest.approx(tracts.pop_total_est.to_numpy())
    t = coverage(pop, hot, radii_m=[250], quantiles=None)
    terr = t[t.level == "territory"].iloc[0]
    # a finer population surface moves the share only a little from the tract-point figure (36.7 %)
    assert 0.33 < terr.share_covered < 0.41
    dist = t[t.level == "district"]
    assert dist.population_covered.sum() == pytest.approx(terr.population_covered)


def test_singapore_raster_read_with_exact_weights(shared_data):
    import rasterio

    path = next((shared_data / "singapore-population-raster").glob("*.tif"))
    pop = population_from_raster(path)
    with rasterio.open(path) as src:
        a = src.read(1)
    assert pop.total == pytest.approx(5_399_000, abs=0.5)
    assert pop.total == pytest.approx(float(np.nansum(a.astype(np.float64))), abs=1e-6)
    assert len(pop) == 19_598 == int((a > 0).sum())
    assert pop.crs.to_epsg() == 32648
    # every person is within some distance of a site placed at the densest cell
    t = coverage(pop, pop.to_gdf().iloc[[int(np.argmax(pop.weight))]], radii_m=[100_000])
    assert t.share_covered.iloc[0] == pytest.approx(1.0)


def test_nyc_readme_figures_on_the_50m_surface(nyc, shared_data):
    """The README's NYC figures (notebook 03): tract ACS population spread on a 50 m grid, given to the
    NTAs, all hotspots: 14.1 / 37.5 / 65.3 % of residents within 100 / 250 / 500 m."""
    tracts, _ = nyc
    nta = gpd.read_file(shared_data / "nyc-nta-tract-population" / "nyc_nta2010.geojson")
    hot, _ = read_hotspots(shared_data / "nyc-wifi-hotspots" / "NYC_Wi-Fi_Hotspot_Locations.csv",
                           districts=nta, key="nta_id")
    by_tract = population_from_districts(tracts, "pop_total_est", key="geoid", cell_m=50)
    pop = population_from_xy(by_tract.x, by_tract.y, by_tract.weight, crs=by_tract.crs,
                             districts=nta, key="nta_id")
    t = coverage(pop, hot, radii_m=[100, 250, 500], quantiles=None)
    terr = t[t.level == "territory"]
    assert (100 * terr.share_covered).round(1).tolist() == [14.1, 37.5, 65.3]
    # boroughs are sums of their NTAs: Manhattan best, Staten Island last, at every radius
    by = t[t.level == "district"].join(nta.set_index("nta_id")["borough_name"], on="district")
    boro = by.groupby(["radius_m", "borough_name"])[["population_covered", "population"]].sum()
    share = (boro.population_covered / boro.population).unstack()
    assert (share.idxmax(axis=1) == "Manhattan").all() and (share.idxmin(axis=1) == "Staten Island").all()
