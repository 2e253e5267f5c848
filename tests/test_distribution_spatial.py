"""Moran's I / LISA against esda on the same weights; islands, disconnected territories."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely

from egovkit.distribution import global_moran, local_moran, spatial_weights
from egovkit.distribution.spatial import (
    LEFT_OUT,
    LEFT_OUT_INVALID,
    LEFT_OUT_NOT_IN_WEIGHTS,
    NOT_SIGNIFICANT,
    NOT_TESTED,
)
from egovkit.errors import EgovkitWarning, InputError


def _grid(nx: int = 5, ny: int = 5, seed: int = 0, x0: float = 0.0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    cells = [shapely.box(x0 + x, y, x0 + x + 1, y + 1) for y in range(ny) for x in range(nx)]
    den = rng.integers(50, 500, nx * ny)
    trend = np.array([(x + y) / (nx + ny) for y in range(ny) for x in range(nx)])
    rate = np.clip(0.1 + 0.5 * trend + rng.normal(0, 0.05, nx * ny), 0.01, 0.99)
    return gpd.GeoDataFrame({"name": [f"c{i}" for i in range(nx * ny)], "num": rate * den, "den": den},
                            geometry=cells, crs="EPSG:32637")


def test_global_moran_matches_esda():
    gdf = _grid()
    m = global_moran(gdf, numerator="num", denominator="den", method="queen", permutations=199, seed=7)
    w = libpysal.weights.Queen.from_dataframe(gdf, use_index=False)
    w.transform = "r"
    np.random.seed(7)
    ref = esda.Moran((gdf.num / gdf.den).to_numpy(), w, permutations=199)
    assert m["moran_i"].item() == pytest.approx(ref.I, rel=1e-12)
    assert m["p_sim"].item() == pytest.approx(ref.p_sim)
    assert m["p_norm"].item() == pytest.approx(ref.p_norm)
    assert m["moran_i"].item() > 0.3  # the trend makes neighbours alike


def test_seeded_and_global_state_untouched():
    gdf = _grid(seed=2)
    state = np.random.get_state()
    a = global_moran(gdf, numerator="num", denominator="den", permutations=99, seed=1)
    after = np.random.get_state()
    b = global_moran(gdf, numerator="num", denominator="den", permutations=99, seed=1)
    assert a["p_sim"].item() == b["p_sim"].item() and a["z_sim"].item() == b["z_sim"].item()
    assert (state[1] == after[1]).all()


@pytest.mark.parametrize("method,kw", [("rook", {}), ("knn", {"k": 4}), ("distance", {"threshold_m": 1.5})])
def test_other_weights_match_esda(method, kw):
    gdf = _grid(seed=3)
    m = global_moran(gdf, numerator="num", denominator="den", method=method, permutations=0, **kw)
    pts = np.column_stack([gdf.centroid.x, gdf.centroid.y])
    if method == "rook":
        w = libpysal.weights.Rook.from_dataframe(gdf, use_index=False)
    elif method == "knn":
        w = libpysal.weights.KNN(pts, k=4)
    else:
        w = libpysal.weights.DistanceBand(pts, threshold=1.5, binary=True)
    w.transform = "r"
    ref = esda.Moran((gdf.num / gdf.den).to_numpy(), w, permutations=0)
    assert m["moran_i"].item() == pytest.approx(ref.I, rel=1e-12)


def test_lisa_matches_esda_and_labels():
    gdf = _grid(6, 6, seed=4)
    lisa = local_moran(gdf, numerator="num", denominator="den", method="queen", permutations=199, seed=5)
    w = libpysal.weights.Queen.from_dataframe(gdf, use_index=False)
    w.transform = "r"
    ref = esda.Moran_Local((gdf.num / gdf.den).to_numpy(), w, permutations=199, seed=5)
    np.testing.assert_allclose(lisa["lisa_i"], ref.Is, rtol=1e-12)
    np.testing.assert_allclose(lisa["lisa_p"], ref.p_sim)
    labels = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
    assert lisa["lisa_quadrant"].tolist() == [labels[q] for q in ref.q]
    expect = np.where(ref.p_sim < 0.05, [labels[q] for q in ref.q], NOT_SIGNIFICANT)
    assert lisa["lisa_cluster"].tolist() == expect.tolist()
    # quadrant from the sign of the value and of its spatial lag
    hh = (lisa.lisa_z > 0) & (lisa.lisa_lag > 0)
    assert (lisa.loc[hh, "lisa_quadrant"] == "high-high").all()
    assert lisa["lisa_cluster"].iloc[0] == "low-low" and lisa["lisa_cluster"].iloc[-1] == "high-high"
    fdr = local_moran(gdf, numerator="num", denominator="den", permutations=199, seed=5, fdr=True)
    assert fdr.attrs["cutoff"] <= 0.05
    assert fdr["lisa_significant"].sum() <= lisa["lisa_significant"].sum()


def _with_island() -> gpd.GeoDataFrame:
    gdf = _grid(4, 4, seed=6)
    island = gpd.GeoDataFrame({"name": ["Lamu Island"], "num": [10.0], "den": [100]},
                              geometry=[shapely.box(10, 10, 11, 11)], crs=gdf.crs)
    return pd.concat([gdf, island], ignore_index=True)


def test_island_dropped_and_named():
    gdf = _with_island()
    with pytest.warns(EgovkitWarning, match="Lamu Island"):
        sw = spatial_weights(gdf, name="name")
    assert sw.islands == ["Lamu Island"]
    assert sw.left_out["area"].tolist() == ["Lamu Island"]
    assert sw.report.by_code("distribution.island_dropped")[0].area == "Lamu Island"
    with pytest.warns(EgovkitWarning):
        m = global_moran(gdf, numerator="num", denominator="den", name="name", permutations=0)
    assert m["n_districts"].item() == 16 and m["left_out"].item() == "Lamu Island"
    w = libpysal.weights.Queen.from_dataframe(gdf.iloc[:16], use_index=False)
    w.transform = "r"
    ref = esda.Moran((gdf.num / gdf.den).to_numpy()[:16], w, permutations=0)
    assert m["moran_i"].item() == pytest.approx(ref.I, rel=1e-12)
    with pytest.warns(EgovkitWarning):
        lisa = local_moran(gdf, numerator="num", denominator="den", name="name", permutations=99)
    assert len(lisa) == 17
    assert lisa["lisa_cluster"].iloc[-1] == LEFT_OUT and np.isnan(lisa["lisa_p"].iloc[-1])


def test_island_attached_by_knn_and_raise():
    gdf = _with_island()
    with pytest.warns(EgovkitWarning):
        sw = spatial_weights(gdf, name="name", islands="knn")
    assert sw.w.n == 17 and not sw.w.islands
    assert sw.attached["attached_to"].item() == "c15"  # the top-right cell is the closest
    with pytest.raises(InputError, match="Lamu Island.*islands='knn'"):
        spatial_weights(gdf, name="name", islands="raise")


def test_geometries_that_do_not_touch():
    gdf = gpd.GeoDataFrame({"name": list("abcd"), "num": [1, 2, 3, 4], "den": [10] * 4},
                           geometry=[shapely.box(3 * i, 0, 3 * i + 1, 1) for i in range(4)], crs="EPSG:32637")
    with pytest.raises(InputError, match="no district has a neighbour.*method='knn'"):
        spatial_weights(gdf, name="name")
    sw = spatial_weights(gdf, name="name", method="knn", k=1)
    assert sw.w.n == 4


def test_disconnected_territory_is_reported_not_fatal():
    gdf = pd.concat([_grid(3, 3, seed=1), _grid(2, 2, seed=2, x0=20).assign(name=lambda d: "east" + d.name)],
                    ignore_index=True)
    sw = spatial_weights(gdf, name="name")
    assert sw.n_components == 2
    msg = sw.report.by_code("distribution.disconnected")[0].message
    assert "east" in msg and "2 groups" in msg
    m = global_moran(gdf, numerator="num", denominator="den", weights=sw, permutations=0)
    assert m["n_components"].item() == 2 and np.isfinite(m["moran_i"].item())


def test_geographic_crs_is_projected_for_distances():
    gdf = _grid(4, 4, seed=8).set_crs(None, allow_override=True)
    gdf = gdf.set_geometry(gdf.geometry.scale(0.1, 0.1, origin=(0, 0)).translate(36, -1)).set_crs("EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # geopandas warns on centroids in degrees
        sw = spatial_weights(gdf, method="knn", k=3)
    utm = gdf.to_crs(gdf.estimate_utm_crs())
    ref = libpysal.weights.KNN(np.column_stack([utm.centroid.x, utm.centroid.y]), k=3)
    assert {i: sorted(v) for i, v in sw.w.neighbors.items()} == {i: sorted(v) for i, v in ref.neighbors.items()}
    with pytest.raises(InputError, match="threshold_m"):
        spatial_weights(gdf, method="distance")


def test_bad_input():
    gdf = _grid(3, 3)
    with pytest.raises(InputError, match="GeoDataFrame"):
        spatial_weights(pd.DataFrame(gdf.drop(columns="geometry")))
    bad = gdf.copy()
    bad.loc[4, "geometry"] = None
    with pytest.raises(InputError, match="c4"):
        spatial_weights(bad, name="name")
    flat = gdf.assign(num=gdf.den * 0.2)
    with pytest.raises(InputError, match="same rate"):
        global_moran(flat, numerator="num", denominator="den")
    with pytest.raises(InputError, match="alpha"):
        local_moran(gdf, numerator="num", denominator="den", alpha=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nan = gdf.assign(num=gdf.num.where(gdf.index != 2))
        with pytest.raises(InputError, match="c2"):
            global_moran(nan, numerator="num", denominator="den", name="name")


def test_significance_setting():
    gdf = _grid(6, 6, seed=9)
    kw = dict(numerator="num", denominator="den", permutations=199, seed=2)
    loose = local_moran(gdf, alpha=0.10, **kw)
    strict = local_moran(gdf, alpha=0.01, **kw)
    assert strict["lisa_significant"].sum() <= loose["lisa_significant"].sum()
    assert (loose["lisa_significant"] == (loose["lisa_p"] < 0.10)).all()
    fdr = local_moran(gdf, alpha=0.10, fdr=True, **kw)
    assert fdr.attrs["cutoff"] == pytest.approx(esda.fdr(loose["lisa_p"].to_numpy(), 0.10))
    assert (fdr["lisa_significant"] == (fdr["lisa_p"] <= fdr.attrs["cutoff"])).all()


def test_lisa_with_attached_island_keeps_everyone():
    gdf = _with_island()
    with pytest.warns(EgovkitWarning):
        lisa = local_moran(gdf, numerator="num", denominator="den", name="name", islands="knn", permutations=99)
    assert LEFT_OUT not in set(lisa["lisa_cluster"]) and lisa["lisa_p"].notna().all()


def test_left_out_for_an_invalid_rate_is_labelled_and_counted():
    gdf = _grid(4, 4, seed=10)
    gdf.loc[0, "num"] = np.nan
    strip = gpd.GeoDataFrame({"name": ["strip"], "num": [5.0], "den": [50]}, geometry=[shapely.box(-1, 0, 0, 0.5)],
                             crs=gdf.crs)  # its only neighbour is c0
    gdf = pd.concat([gdf, strip], ignore_index=True)
    kw = dict(numerator="num", denominator="den", name="name", invalid="drop", permutations=99)
    with pytest.warns(EgovkitWarning) as rec:
        lisa = local_moran(gdf, **kw)
    assert lisa.loc[0, "lisa_cluster"] == LEFT_OUT_INVALID
    assert "missing value" in lisa.loc[0, "lisa_left_out_reason"]
    strip_row = lisa[lisa["name"] == "strip"].iloc[0]
    assert strip_row["lisa_cluster"] == LEFT_OUT
    assert "c0" in strip_row["lisa_left_out_reason"] and "touches no other" not in strip_row["lisa_left_out_reason"]
    assert any("strip" in str(w.message) and "c0" in str(w.message) for w in rec)
    assert pd.isna(lisa.loc[5, "lisa_left_out_reason"]) and lisa.loc[5, "lisa_p"] >= 0
    with pytest.warns(EgovkitWarning):
        m = global_moran(gdf, **kw)
    assert m["n_left_out"].item() == 2 and m["n_districts"].item() == 15
    assert m["left_out"].item() == "c0, strip"
    assert "c0: invalid rate (missing value" in m["left_out_reasons"].item()
    assert "strip: no neighbour left" in m["left_out_reasons"].item()


def test_weights_built_on_other_rows_are_not_silent():
    gdf = _grid(5, 5, seed=11)
    sw = spatial_weights(gdf.iloc[:15], name="name")
    with pytest.warns(EgovkitWarning, match="10 district.*not in the spatial weights"):
        m = global_moran(gdf, numerator="num", denominator="den", name="name", weights=sw, permutations=0)
    assert m["n_districts"].item() == 15 and m["n_left_out"].item() == 10
    assert "c24: not in the spatial weights" in m["left_out_reasons"].item()
    with pytest.warns(EgovkitWarning):
        lisa = local_moran(gdf, numerator="num", denominator="den", name="name", weights=sw, permutations=99)
    assert (lisa["lisa_cluster"].iloc[15:] == LEFT_OUT_NOT_IN_WEIGHTS).all()
    assert not lisa["lisa_cluster"].iloc[:15].isin([LEFT_OUT_NOT_IN_WEIGHTS]).any()


@pytest.mark.parametrize("method", ["queen", "rook"])
def test_contiguity_by_contact_not_only_for_islands(method):
    # A touches B along x=1 without a shared vertex; A shares vertices with C, so A is no island
    geoms = [shapely.box(0, 0.2, 1, 0.8), shapely.box(1, 0, 2, 1), shapely.box(-1, 0.2, 0, 0.8),
             shapely.box(2, 0, 3, 1)]
    gdf = gpd.GeoDataFrame({"name": list("ABCD")}, geometry=geoms, crs=32637)
    sw = spatial_weights(gdf, name="name", method=method)
    got = {i: sorted(int(j) for j in v) for i, v in sw.w.neighbors.items()}
    assert got == {0: [1, 2], 1: [0, 3], 2: [0], 3: [1]}
    assert "A - B" in sw.report.by_code("distribution.contact_pairs")[0].message


def test_rook_and_queen_differ_at_a_corner():
    geoms = [shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2), shapely.box(1, 0, 2, 1), shapely.box(0, 1, 1, 2)]
    gdf = gpd.GeoDataFrame({"name": list("abcd")}, geometry=geoms, crs=32637)
    rook = spatial_weights(gdf, method="rook")
    queen = spatial_weights(gdf, method="queen")
    assert sorted(rook.w.neighbors[0]) == [2, 3] and sorted(queen.w.neighbors[0]) == [1, 2, 3]


@pytest.mark.parametrize("method,kw", [("knn", {"k": 3}), ("distance", {"threshold_m": 20_000})])
def test_degrees_without_crs_are_refused(method, kw):
    cells = [shapely.box(36 + x / 10, y / 10, 36 + (x + 1) / 10, (y + 1) / 10) for y in range(4) for x in range(4)]
    gdf = gpd.GeoDataFrame({"num": np.arange(16.0) + 1, "den": 100.0}, geometry=cells)
    with pytest.raises(InputError, match="set_crs"):
        spatial_weights(gdf, method=method, **kw)
    with pytest.raises(InputError, match="longitude/latitude"):
        global_moran(gdf, numerator="num", denominator="den", method=method, permutations=0, **kw)
    spatial_weights(gdf, method="queen")  # contiguity needs no distances


def test_no_crs_in_metres_is_a_warning():
    gdf = _grid(4, 4, seed=3).set_crs(None, allow_override=True)
    gdf = gdf.set_geometry(gdf.geometry.scale(1000, 1000, origin=(0, 0)).translate(500_000, 9_000_000))
    with pytest.warns(EgovkitWarning, match="no CRS"):
        sw = spatial_weights(gdf, method="knn", k=3)
    assert sw.report.by_code("distribution.no_crs")


def test_no_permutations_means_not_tested():
    gdf = _grid(4, 4, seed=12)
    with pytest.warns(EgovkitWarning, match="permutations=0"):
        lisa = local_moran(gdf, numerator="num", denominator="den", permutations=0)
    assert (lisa["lisa_cluster"] == NOT_TESTED).all() and not lisa["lisa_significant"].any()
    assert lisa["lisa_p"].isna().all()


def test_duplicate_index_is_named():
    gdf = _grid(3, 3, seed=1)
    gdf.index = [0, 1, 2, 3, 4, 5, 6, 7, 7]
    with pytest.raises(InputError, match="duplicate.*reset_index"):
        global_moran(gdf, numerator="num", denominator="den", permutations=0)


def test_touching_districts_without_shared_vertex_are_queen_neighbours() -> None:
    """Bug: libpysal's vertex-based Queen calls a district an island when its border touches
    its neighbours' without sharing a vertex (NYC's Upper West Side and Fort Greene were
    'attached to the nearest district' as islands though they touch Lincoln Square...)."""
    geoms = [shapely.box(0, 0, 1, 1), shapely.box(0, 1, 1, 2),  # share two vertices
             shapely.Polygon([(1, 0.2), (2, 0.2), (2, 0.8), (1, 0.8)]),  # touches the first along x=1, no common vertex
             shapely.box(5, 5, 6, 6)]  # a real island
    gdf = gpd.GeoDataFrame({"name": ["A", "B", "C", "far"]}, geometry=geoms, crs=3857)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sw = spatial_weights(gdf, name="name", islands="drop")
    # brute force: queen neighbours are the districts whose boundaries intersect
    expected = {i: sorted(j for j in range(4) if j != i and geoms[i].intersects(geoms[j])) for i in range(3)}
    got = {i: sorted(int(j) for j in sw.w.neighbors[i]) for i in range(3)}
    assert got == expected == {0: [1, 2], 1: [0], 2: [0]}
    assert list(sw.left_out["area"]) == ["far"]
    assert [i.area for i in sw.report.by_code("distribution.contact_neighbours")] == ["C"]
