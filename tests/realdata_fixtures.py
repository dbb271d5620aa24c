"""A real-data parameter file for the small basin: every contract variable as a foreign-CRS file.

Used by tests/test_realdata_book.py. The files are the synthetic twin's
variables written by :func:`test_realdata_files.write_foreign_files` (UTM 47N,
700 m, degC, %, mm/day), without ``sm_truth``: real data carry no truth.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def write_files_basin(folder: Path, *, step_days: int | None = None) -> Path:
    """Write the foreign-CRS file set and ``folder/basin.yaml`` (``data.source: files``).

    The parameter file has the extent, period, grids and settings of
    ``data/basins/small.yaml`` (``step_days`` may be overridden); the file paths
    are relative to it. Returns the parameter file.
    """
    from test_realdata_files import write_foreign_files

    from smvar.config import load_config
    from smvar.synthetic import generate

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load((ROOT / "data/basins/small.yaml").read_text())
    if step_days is not None:
        raw["period"]["step_days"] = step_days
    synth = folder / "synth.yaml"
    synth.write_text(yaml.safe_dump(raw))
    config = load_config(synth)
    inputs = generate(config)
    files_dir = folder / "files"
    files_dir.mkdir(exist_ok=True)
    mapping = write_foreign_files(inputs, config.crs, files_dir)
    synth.unlink()
    raw["name"] = "small_files"
    raw["title"] = "Small test basin from local files (foreign CRS)"
    raw["data"] = {"source": "files", "files": {k: f"files/{v}" for k, v in mapping.items()}}
    basin = folder / "basin.yaml"
    basin.write_text(yaml.safe_dump(raw, sort_keys=False))
    return basin
