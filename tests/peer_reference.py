"""Where the peers' reference data live (../shared/reference, or $SMVAR_SHARED/reference).

The peer data sets belong to other projects: tests read them in place and skip,
saying why, where they are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def reference_folder(name: str) -> Path:
    """``shared/reference/NAME``, or skip the test with the reason."""
    root = Path(os.environ.get("SMVAR_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    folder = root / "reference" / name
    if not folder.exists():
        pytest.skip(f"peer reference data not found at {folder} (set SMVAR_SHARED)")
    return folder
