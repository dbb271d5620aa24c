"""Shared fixtures: paths of the repository, the shared reference folder, parameter files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
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
