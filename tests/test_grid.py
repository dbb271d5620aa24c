"""The analysis grid, the coarse grids and the fine-to-coarse maps."""

from __future__ import annotations

import numpy as np
import pytest

from smvar import grid
from smvar.config import load_config


@pytest.fixture(scope="module")
def small():
    from pathlib import Path
    config = load_config(Path(__file__).resolve().parents[1] / "data" / "basins" / "small.yaml")
    return config, grid.analysis_grid(config), grid.reanalysis_grid(config), grid.microwave_grid(config)


def test_fine_grid_has_square_cells_in_metres(small):
    config, fine, _, _ = small
    assert fine.shape == (66, 66)
    assert np.allclose(np.diff(fine.x), 1000.0) and np.allclose(np.diff(fine.y), -1000.0)
    assert fine.cell_area_m2 == 1e6
    # centres sit half a cell inside whole-kilometre edges
    assert np.allclose(fine.x % 1000, 500) and np.allclose(fine.y % 1000, 500)


def test_fine_grid_covers_the_extent(small):
    config, fine, _, _ = small
    lon, lat = fine.lonlat
    e = config.extent
    assert lat.min() < e.south + 0.01 and lat.max() > e.north - 0.01
    assert lon.min() < e.west + 0.01 and lon.max() > e.east - 0.01


def test_coarse_grids_align_on_whole_multiples(small):
    _, _, reanalysis, microwave = small
    assert reanalysis.shape == (7, 8)
    assert microwave.shape == (3, 4)
    assert np.allclose(reanalysis.lat, [39.35, 39.25, 39.15, 39.05, 38.95, 38.85, 38.75])
    assert np.allclose(microwave.lon, [99.875, 100.125, 100.375, 100.625])


def test_coarse_cell_area_matches_the_spherical_formula(small):
    _, _, _, microwave = small
    area = microwave.cell_area_km2()
    # 0.25 degree cell at 39.125 N: R^2 * dlon * (sin(lat2) - sin(lat1))
    r = grid.EARTH_RADIUS_M / 1000
    expected = r**2 * np.deg2rad(0.25) * (np.sin(np.deg2rad(39.25)) - np.sin(np.deg2rad(39.0)))
    assert area[1, 0] == pytest.approx(expected, rel=1e-12)
    assert area.shape == microwave.shape
    assert area[0, 0] < area[-1, 0]  # cells shrink northwards


def test_fine_to_coarse_index_puts_each_centre_in_its_cell(small):
    _, fine, reanalysis, _ = small
    index = grid.fine_to_coarse_index(fine, reanalysis)
    lon, lat = fine.lonlat
    inside = index >= 0
    rows, cols = np.divmod(index[inside], reanalysis.lon.size)
    assert np.all(np.abs(reanalysis.lat[rows] - lat[inside]) <= 0.05 + 1e-9)
    assert np.all(np.abs(reanalysis.lon[cols] - lon[inside]) <= 0.05 + 1e-9)
    # a 0.1 degree cell (~9 x 11 km) holds about 100 fine cells
    counts = np.bincount(index[inside], minlength=reanalysis.size)
    assert 70 <= np.median(counts[counts > 50]) <= 110


def test_fine_to_coarse_index_is_minus_one_outside():
    from smvar.grid import FineGrid, GeoGrid
    crs = "+proj=aea +lat_0=40 +lon_0=100 +lat_1=38 +lat_2=42 +datum=WGS84 +units=m"
    fine = FineGrid(crs=crs, x=np.array([500.0, 500000.0]), y=np.array([500.0]), resolution_m=1000)
    coarse = GeoGrid(lat=np.array([40.05]), lon=np.array([100.05]), resolution_deg=0.1)
    index = grid.fine_to_coarse_index(fine, coarse)
    assert index.tolist() == [[0, -1]]


def test_block_mean_ignores_nan_and_outside_cells():
    values = np.array([[1.0, 3.0, np.nan], [5.0, 7.0, 100.0]])
    index = np.array([[0, 0, 1], [1, 1, -1]])
    assert grid.block_mean(values, index, 3).tolist()[:2] == [2.0, 6.0]
    assert np.isnan(grid.block_mean(values, index, 3)[2])
    stacked = np.stack([values, 2 * values])
    assert np.allclose(grid.block_mean(stacked, index, 3)[:, :2], [[2, 6], [4, 12]])


def test_block_majority_breaks_ties_to_the_smallest_code():
    codes = np.array([[3, 3, 1, 1], [2, 5, 5, -1]])
    index = np.array([[0, 0, 0, 0], [1, 1, 1, 1]])
    assert grid.block_majority(codes, index, 3, 6).tolist() == [1, 5, -1]
