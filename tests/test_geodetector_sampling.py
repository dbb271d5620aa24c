"""Sampling: systematic lattice on a metre grid with months and mask; seeded random sample."""

import numpy as np
import pytest
import xarray as xr

from smvar.geodetector import random_sample, systematic_sample


@pytest.fixture
def cube():
    y = np.arange(0, 40_000, 1000.0)
    x = np.arange(0, 32_000, 1000.0)
    rng = np.random.default_rng(0)
    ds = xr.Dataset({"dem": (("y", "x"), rng.random((40, 32))),
                     "sm": (("month", "y", "x"), rng.random((2, 40, 32)))},
                    coords={"y": y, "x": x, "month": [4, 5]})
    mask = xr.DataArray(np.ones((40, 32), bool), dims=("y", "x"), coords={"y": y, "x": x})
    mask[:8] = False
    return ds, mask


def test_systematic_sample_takes_one_pixel_every_spacing(cube):
    ds, mask = cube
    t = systematic_sample(ds, 8000, mask)
    assert sorted(t["y"].unique()) == [8000.0, 16000.0, 24000.0, 32000.0]
    assert sorted(t["x"].unique()) == [0.0, 8000.0, 16000.0, 24000.0]
    assert len(t) == 16 * 2 and {"dem", "sm", "month"} <= set(t.columns)


def test_static_factors_repeat_every_month(cube):
    ds, _ = cube
    t = systematic_sample(ds, 8000)
    per_pixel = t.groupby(["y", "x"])["dem"].nunique()
    assert (per_pixel == 1).all()


def test_random_sample_is_seeded_and_inside_mask(cube):
    ds, mask = cube
    a, b = random_sample(ds, 30, mask, seed=3), random_sample(ds, 30, mask, seed=3)
    assert a.equals(b) and (a["y"] >= 8000).all() and len(a) == 60


def test_missing_grid_dimension_is_explained(cube):
    ds, _ = cube
    with pytest.raises(ValueError, match="no 'x' dimension"):
        systematic_sample(ds.rename(x="lon"), 8000)
