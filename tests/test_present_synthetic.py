"""Small synthetic territories for the present tests (a grid of squares near Nairobi; not real data)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box


def grid_districts(nx: int = 6, ny: int = 5, size: float = 0.01, x0: float = 36.8,
                   y0: float = -1.3) -> gpd.GeoDataFrame:
    cells, codes, names = [], [], []
    for j in range(ny):
        for i in range(nx):
            cells.append(box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size))
            codes.append(f"D{j:02d}{i:02d}")
            names.append(f"District {j}-{i}")
    return gpd.GeoDataFrame({"area_code": codes, "area_name": names}, geometry=cells, crs=4326)


def grid_rates(d: gpd.GeoDataFrame, indicators=("internet", "computer"), seed: int = 1,
               drop: int = 0) -> pd.DataFrame:
    """Long table: numerator/denominator per district and indicator; the last ``drop`` districts left out."""
    rng = np.random.default_rng(seed)
    rows = []
    keep = d.iloc[: len(d) - drop]
    for k, ind in enumerate(indicators):
        den = rng.integers(200, 5000, len(keep)).astype(float)
        share = np.clip(rng.beta(2, 5, len(keep)) + 0.1 * k, 0, 1)
        rows.append(pd.DataFrame({"area_code": keep["area_code"].to_numpy(), "area_name": keep["area_name"].to_numpy(),
                                  "indicator": ind, "universe": "households",
                                  "numerator": np.round(den * share), "denominator": den}))
    return pd.concat(rows, ignore_index=True)


def random_points(d: gpd.GeoDataFrame, n: int, seed: int = 2) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = d.total_bounds
    x = rng.uniform(minx, maxx, n)
    y = rng.uniform(miny, maxy, n)
    return gpd.GeoDataFrame({"name": [f"hs{i}" for i in range(n)]}, geometry=gpd.points_from_xy(x, y), crs=4326)
