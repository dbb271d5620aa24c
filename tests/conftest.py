"""Shared fixtures: paths of the repository, the shared reference folder, parameter files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Tests run their pipeline steps in this process unless a test starts a dask
# cluster itself (tests/test_compute_cluster.py, the book end-to-end test):
# a cluster per test would cost seconds each and test nothing more.
os.environ.setdefault("SMVAR_SCHEDULER", "synchronous")
SHARED = Path(os.environ.get("SMVAR_SHARED", REPO.parent / "shared"))


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def small_yaml() -> Path:
    return REPO / "data" / "basins" / "small.yaml"


@pytest.fixture
def heihe_yaml() -> Path:
    return REPO / "data" / "basins" / "heihe.yaml"
