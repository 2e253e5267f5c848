"""The population of the coverage engine: weighted points in a projected CRS (:class:`Population`),
and the regular grid they may sit on (:class:`Grid`).

Examples
--------
>>> g = Grid(0.0, 200.0, 100.0, (2, 2))
>>> [v.tolist() for v in g.centres(np.array([0, 3]))]
[[50.0, 150.0], [150.0, 50.0]]
>>> cells_of(np.array([50.0, 250.0]), np.array([150.0, 150.0]), g).tolist()
[0, -1]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from ..errors import InputError
from ..validate import ValidationReport

__all__ = ["Grid", "Population", "cells_of"]


@dataclass
class Grid:
    """A regular grid in a projected CRS: top-left corner ``(x0, y0)``, square cells of ``cell_m``,
    ``shape = (rows, cols)``. Row ``i``, column ``j`` has its centre at
    ``(x0 + (j + 0.5) * cell_m, y0 - (i + 0.5) * cell_m)``."""

    x0: float
    y0: float
    cell_m: float
    shape: tuple[int, int]

    def centres(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre coordinates of flat cell indices."""
        i, j = np.divmod(np.asarray(flat, dtype=np.int64), self.shape[1])
        # x0 + (j + 0.5) * cell_m and y0 - (i + 0.5) * cell_m, in place (no temporaries)
        x = j.astype(np.float64)
        del j
        x += 0.5
        x *= self.cell_m
        x += self.x0
        y = i.astype(np.float64)
        del i
        y += 0.5
        y *= self.cell_m
        np.subtract(self.y0, y, out=y)
        return x, y

    @property
    def transform(self) -> Any:
        from affine import Affine
        return Affine(self.cell_m, 0.0, self.x0, 0.0, -self.cell_m, self.y0)


@dataclass
class Population:
    """Weighted population points in a projected CRS.

    Attributes
    ----------
    x, y : coordinates in metres (``crs``); for points on a regular grid they may be left out
        (``None``) and are then computed from ``grid`` and ``cell`` on first access
    weight : persons at each point
    households : households at each point, or None
    district : index into ``district_names`` for each point, -1 when outside every district
    district_names : labels of the districts (an ``Index``), empty when no districts were given
    districts : the district polygons in ``crs`` (or None)
    grid, cell : when the points are the cells of a regular grid, the grid and each point's flat
        cell index (the engine then stamps disks on the grid instead of querying a tree)
    form : ``"points"``, ``"districts"`` or ``"raster"``
    report : what was dropped, repaired or guessed
    """

    x: np.ndarray | None
    y: np.ndarray | None
    weight: np.ndarray
    crs: CRS
    district: np.ndarray
    district_names: pd.Index
    districts: gpd.GeoDataFrame | None = None
    households: np.ndarray | None = None
    grid: Grid | None = None
    cell: np.ndarray | None = None
    form: str = "points"
    report: ValidationReport = field(default_factory=ValidationReport)

    def _centres(self) -> None:
        if self.grid is None or self.cell is None:
            raise InputError(code="population.no_coordinates", params={})
        self._x, self._y = self.grid.centres(self.cell)

    @property
    def total(self) -> float:
        """Total population (persons)."""
        return float(self.weight.sum())

    def __len__(self) -> int:
        return len(self.weight)

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The points as a GeoDataFrame (columns ``population``, ``households``, ``district``)."""
        names = np.asarray(self.district_names, dtype=object)
        lab = np.where(self.district >= 0, names[np.clip(self.district, 0, None)] if len(names) else None, None)
        data = {"population": self.weight, "district": pd.array(lab, dtype="object")}
        if self.households is not None:
            data["households"] = self.households
        return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(self.x, self.y), crs=self.crs)


# x and y are properties over the dataclass fields of the same name: on a regular grid the
# coordinates of millions of cells are only computed (once) when something asks for them.
def _get_x(self: Population) -> np.ndarray:
    if self._x is None:
        self._centres()
    return self._x


def _get_y(self: Population) -> np.ndarray:
    if self._y is None:
        self._centres()
    return self._y


def _set_x(self: Population, value: np.ndarray | None) -> None:
    self._x = value


def _set_y(self: Population, value: np.ndarray | None) -> None:
    self._y = value


Population.x = property(_get_x, _set_x, doc="x coordinates in metres (computed from the grid on demand)")  # type: ignore[assignment]
Population.y = property(_get_y, _set_y, doc="y coordinates in metres (computed from the grid on demand)")  # type: ignore[assignment]


def cells_of(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """Flat cell index of each point ``(x, y)`` on ``grid`` (-1 outside).

    >>> cells_of(np.array([10.0]), np.array([-10.0]), Grid(0.0, 0.0, 20.0, (1, 1))).tolist()
    [0]
    """
    j = np.floor((x - grid.x0) / grid.cell_m).astype(np.int64)
    i = np.floor((grid.y0 - y) / grid.cell_m).astype(np.int64)
    ok = (i >= 0) & (i < grid.shape[0]) & (j >= 0) & (j < grid.shape[1])
    return np.where(ok, i * grid.shape[1] + j, -1)
