"""The basin parameter file: schema, defaults and validation.

Provides
--------
BasinConfig
    The validated content of one basin parameter file (YAML).
load_config
    Read and validate a parameter file; every mistake becomes one
    :class:`ConfigError` whose message names the file, the field, the bad
    value, what is allowed and how to fix it.
ConfigError
    The exception raised for a bad parameter file.

A parameter file is all a user writes to rerun the analysis of Yin et al.
2023 for another basin, year or data set: see ``data/basins/heihe.yaml``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from smvar.errors import UserError

__all__ = [
    "BasinConfig",
    "ConfigError",
    "load_config",
    "DISCRETISATION_METHODS",
    "VARIOGRAM_MODELS",
]

DISCRETISATION_METHODS = ("equal", "quantile", "natural", "geometric", "sd")
VARIOGRAM_MODELS = ("linear", "spherical", "exponential", "gaussian")


class ConfigError(UserError, ValueError):
    """A basin parameter file that cannot be used, with a message saying why."""


class _Strict(BaseModel):
    """Base of every section: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Extent(_Strict):
    """Geographic bounding box of the basin, in degrees (WGS 84)."""

    south: float = Field(ge=-90, le=90, description="southern latitude, degrees north")
    north: float = Field(ge=-90, le=90, description="northern latitude, degrees north")
    west: float = Field(ge=-180, le=180, description="western longitude, degrees east")
    east: float = Field(ge=-180, le=180, description="eastern longitude, degrees east")

    @model_validator(mode="after")
    def _ordered(self) -> "Extent":
        if self.south >= self.north:
            raise ValueError(
                f"south ({self.south}) must be less than north ({self.north}); "
                "swap the two values"
            )
        if self.west >= self.east:
            raise ValueError(
                f"west ({self.west}) must be less than east ({self.east}); "
                "swap the two values (extents across the antimeridian are not supported)"
            )
        return self


class Period(_Strict):
    """The days analysed: from ``start`` to ``end`` inclusive, every ``step_days``."""

    start: dt.date
    end: dt.date
    step_days: int = Field(default=1, ge=1, le=31)

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class DataSection(_Strict):
    """Where the inputs come from."""

    source: Literal["synthetic", "local", "files"] = "synthetic"
    folder: str | None = Field(
        default=None,
        description="for source 'local': folder in the layout of `smvar synth`, "
        "relative to the parameter file",
    )
    files: dict[str, str] = Field(
        default_factory=dict,
        description="for source 'files': contract variable -> GeoTIFF/NetCDF file or glob of "
        "daily files, relative to the parameter file",
    )
    cache: str | None = Field(
        default=None, description="folder for downloads of `smvar fetch` (default: ~/.cache/smvar)"
    )
    seed: int = Field(default=2020, ge=0, description="seed of the synthetic twin")
    synthetic_basin: Literal["heihe", "extent"] = Field(
        default="heihe",
        description="for source 'synthetic': the twin's basin is the Heihe outline, or every "
        "cell of the extent (a region, e.g. for the scaling benchmark)")

    @model_validator(mode="after")
    def _folder_for_local(self) -> "DataSection":
        if self.source == "local" and not self.folder:
            raise ValueError(
                "source 'local' needs a folder: add `folder: path/to/inputs` "
                "(the layout written by `smvar synth`)"
            )
        if self.source == "files" and not self.files:
            raise ValueError(
                "source 'files' needs a `files:` mapping of contract variables to files, "
                "for example `files: {dem: dem.tif, lst_day: 'lst/*.tif'}`"
            )
        return self


class DownscalingSection(_Strict):
    """Settings of the downscaling (paper section 2.3.1, Eq. 1-4)."""

    ndvi_breaks: list[float] = Field(default=[0.3, 0.6], min_length=2, max_length=2)
    min_cells_per_class: int = Field(default=10, ge=3)
    validation_pixels: int = Field(default=1000, ge=10)
    validation_dates: list[str] = ["01-15", "04-15", "07-15", "10-15"]
    seed: int = Field(default=7, ge=0)
    correction: Literal["even", "smooth", "interpolated"] = Field(
        default="interpolated",
        description="how the Eq. 3 correction reaches the 1 km pixels: 'even' is the paper's "
                    "Eq. 4; 'interpolated' (default) spreads it bilinearly between 0.25 degree "
                    "cell centres; 'smooth' does so and then restores exact cell means")

    @field_validator("validation_dates")
    @classmethod
    def _month_days(cls, value: list[str]) -> list[str]:
        for text in value:
            try:
                dt.date.fromisoformat(f"2000-{text}")  # a leap year admits 02-29
            except ValueError:
                raise ValueError(
                    f"{text!r} is not a month-day of the form MM-DD (for example '07-15')"
                ) from None
        return value

    @field_validator("ndvi_breaks")
    @classmethod
    def _breaks_ordered(cls, value: list[float]) -> list[float]:
        low, high = value
        if not (-1.0 <= low < high <= 1.0):
            raise ValueError(
                f"NDVI breaks must satisfy -1 <= low < high <= 1, got {list(value)}"
            )
        return value


class SamplingSection(_Strict):
    """How pixels are sampled for the variogram and the geographical detector."""

    spacing_m: float = Field(default=8000.0, gt=0, description="systematic sample spacing, m")
    random_n: int | None = Field(default=None, ge=30, description="seeded random sample size instead")
    seed: int = Field(default=11, ge=0)


class VariogramSection(_Strict):
    """Empirical semivariogram and model fitting (paper section 2.3.2, Eq. 5)."""

    bin_width_m: float = Field(default=10000.0, gt=0)
    max_lag_m: float = Field(default=300000.0, gt=0)
    closed: Literal["left", "right"] = "left"
    models: list[Literal["linear", "spherical", "exponential", "gaussian"]] = Field(
        default=list(VARIOGRAM_MODELS), min_length=1
    )

    @model_validator(mode="after")
    def _enough_bins(self) -> "VariogramSection":
        if self.max_lag_m < 3 * self.bin_width_m:
            raise ValueError(
                f"max_lag_m ({self.max_lag_m}) must hold at least 3 bins of "
                f"bin_width_m ({self.bin_width_m})"
            )
        return self


class GeodetectorSection(_Strict):
    """The optimal-parameter geographical detector (paper section 2.3.3)."""

    methods: list[Literal["equal", "quantile", "natural", "geometric", "sd"]] = Field(
        default=list(DISCRETISATION_METHODS), min_length=1
    )
    intervals: list[int] = Field(default=[3, 8], min_length=2, max_length=2)
    convention: Literal["GD", "geodetector", "gdverse"] = "GD"
    alpha: float = Field(default=0.05, gt=0, lt=1)
    pixels: Literal["sample", "all"] = Field(
        default="sample", description="run the detectors on the systematic sample (as the paper) "
                                      "or on every basin pixel of every month")

    @field_validator("intervals")
    @classmethod
    def _intervals_ordered(cls, value: list[int]) -> list[int]:
        low, high = value
        if not (2 <= low <= high <= 20):
            raise ValueError(f"intervals must satisfy 2 <= low <= high <= 20, got {list(value)}")
        return value


class ComputeSection(_Strict):
    """Where and in what pieces the work runs (issue 9). Results do not depend on it.

    ``scheduler``: unset starts a local dask cluster sized to this machine;
    ``"synchronous"`` runs every task in this process, one after another (for
    debugging); an address such as ``"tcp://10.0.0.5:8786"`` uses that running
    cluster (an HPC or Kubernetes one, see the book's page on clusters).
    """

    scheduler: str | None = Field(default=None, description="None (local cluster), 'synchronous' or a scheduler address")
    workers: int | None = Field(default=None, ge=1, le=1024, description="worker processes of the local cluster (default: CPU cores)")
    threads_per_worker: int = Field(default=1, ge=1, le=64)
    memory_limit: str | None = Field(default=None, description="per worker of the local cluster, e.g. '3GB' (default: memory / workers)")
    chunk_days: int | None = Field(default=None, ge=1, le=366, description="days per downscaling task (default: from the grid size)")
    tile_rows: int = Field(default=64, ge=64, le=4096, multiple_of=64, description="grid rows per synthetic-twin task")

    @field_validator("scheduler")
    @classmethod
    def _scheduler_form(cls, value: str | None) -> str | None:
        if value is None or value == "synchronous" or "://" in value:
            return value
        raise ValueError(f"{value!r} is neither 'synchronous' nor a scheduler address such as "
                         "'tcp://127.0.0.1:8786'; leave it out for a local cluster")

    @field_validator("memory_limit")
    @classmethod
    def _memory_form(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from dask.utils import parse_bytes

        try:
            parse_bytes(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an amount of memory; write it as '3GB' or '800MB'") from None
        return value


class ValidationSection(_Strict):
    """Validation at in-situ stations (chapter 02): the stations of real runs."""

    stations: str | list[str] | None = Field(
        default=None, description="ISMN .stm files and/or station index CSVs (paths or globs, relative to the "
        "parameter file); unset: the twin draws synthetic stations from its truth")
    max_depth_m: float = Field(default=0.10, gt=0, le=2, description="deepest sensor compared with the surface products, m")


class BasinConfig(_Strict):
    """A validated basin parameter file.

    Distances are in metres, angles in degrees, dates ISO 8601.
    """

    name: str = Field(pattern=r"^[a-z0-9_-]+$", description="short name, used for run folders")
    title: str
    extent: Extent
    period: Period
    resolution_m: float = Field(gt=0, le=100000, description="analysis grid cell size, m")
    crs: str = Field(description="equal-area projected CRS of the analysis grid (PROJ string or EPSG code)")
    reanalysis_resolution_deg: float = Field(default=0.1, gt=0, le=5)
    microwave_resolution_deg: float = Field(default=0.25, gt=0, le=5)
    basin: str | None = Field(
        default=None, description="the basin's outline, a GeoJSON or shapefile polygon (relative to this file); "
        "rasterised onto the analysis grid as the basin mask")
    data: DataSection = DataSection()
    downscaling: DownscalingSection = DownscalingSection()
    sampling: SamplingSection = SamplingSection()
    variogram: VariogramSection = VariogramSection()
    geodetector: GeodetectorSection = GeodetectorSection()
    compute: ComputeSection = ComputeSection()
    validation: ValidationSection = ValidationSection()

    # Where the file was read from; set by load_config, not by the user.
    source_file: str | None = Field(default=None, exclude=True)

    @field_validator("crs")
    @classmethod
    def _crs_equal_area(cls, value: str) -> str:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(value)
        except CRSError as exc:
            raise ValueError(f"not a CRS PROJ understands ({exc})") from None
        if not crs.is_projected:
            raise ValueError(
                "the analysis grid needs a projected CRS in metres (for example "
                "'+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m')"
            )
        unit = crs.axis_info[0].unit_name if crs.axis_info else "metre"
        if unit not in ("metre", "meter"):
            raise ValueError(f"the CRS's unit is {unit!r}; it must be metres")
        return value

    @model_validator(mode="after")
    def _grids_fit(self) -> "BasinConfig":
        if self.microwave_resolution_deg < self.reanalysis_resolution_deg:
            raise ValueError(
                "microwave_resolution_deg must not be finer than reanalysis_resolution_deg"
            )
        return self

    # ------------------------------------------------------------------ helpers
    @property
    def base_dir(self) -> Path:
        """Folder of the parameter file (relative paths are resolved against it)."""
        return Path(self.source_file).parent if self.source_file else Path.cwd()

    @property
    def data_folder(self) -> Path | None:
        """The absolute input folder for ``source: local``, else None."""
        if self.data.folder is None:
            return None
        return (self.base_dir / self.data.folder).resolve()

    @property
    def basin_outline(self) -> Path | None:
        """The absolute path of the ``basin`` outline file, else None."""
        return None if self.basin is None else (self.base_dir / self.basin).resolve()

    def dates(self) -> list[dt.date]:
        """Every analysed day."""
        n_days = (self.period.end - self.period.start).days
        step = self.period.step_days
        return [self.period.start + dt.timedelta(days=i) for i in range(0, n_days + 1, step)]

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain JSON-compatible data (as written in YAML)."""
        return json.loads(self.model_dump_json())

    def fingerprint(self) -> str:
        """A short hash of every parameter value that can change a result, for caching.

        The ``compute`` section is left out: where the work runs does not
        change what it computes.
        """
        values = self.to_dict()
        values.pop("compute", None)
        text = json.dumps(values, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------- loading
def _bad_date(text: str) -> str | None:
    """'line N (2020-13-45)' for the first date-shaped value of the text that is no calendar date."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line.split("#")[0]):
            try:
                dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return f"line {number} ({match.group(0)})"
    return None


def load_config(path: str | Path) -> BasinConfig:
    """Read and validate a basin parameter file.

    Parameters
    ----------
    path : str or Path
        A YAML file such as ``data/basins/heihe.yaml``.

    Returns
    -------
    BasinConfig

    Raises
    ------
    ConfigError
        With one message per problem, each naming the file, the field, the bad
        value, what is allowed and how to fix it.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such parameter file. Give the path of a basin YAML file, "
            "for example data/basins/heihe.yaml"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                          "save the parameter file as UTF-8") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}). Fix the syntax at the place shown.") from None
    except ValueError as exc:  # YAML's timestamp reader: 2020-13-45 looks like a date but is none
        raise ConfigError(f"{path}: {_bad_date(text) or 'a date'} is not a calendar date ({exc}); "
                          "write dates as YYYY-MM-DD, e.g. 2020-01-01") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: the file must hold a mapping of fields (name, title, extent, ...), "
            f"not {type(raw).__name__}"
        )
    raw = _dates_to_strict(raw)
    try:
        config = BasinConfig.model_validate({**raw, "source_file": str(path.resolve())})
    except ValidationError as exc:
        raise ConfigError(_explain(path, exc)) from None
    _check_paths(path, config)
    return config


def _dates_to_strict(raw: dict[str, Any]) -> dict[str, Any]:
    """YAML reads 2020-01-01 as a date but '2020-01-01' as a string: accept both."""
    period = raw.get("period")
    if isinstance(period, dict):
        period = dict(period)
        for key in ("start", "end"):
            value = period.get(key)
            if isinstance(value, str):
                try:
                    period[key] = dt.date.fromisoformat(value)
                except ValueError:
                    pass  # left for the validator to report
        raw = {**raw, "period": period}
    return raw


def _check_paths(path: Path, config: BasinConfig) -> None:
    outline = config.basin_outline
    if outline is not None and not outline.is_file():
        raise ConfigError(
            f"{path}: field 'basin' = {config.basin!r}: no such file {outline}. Allowed: a GeoJSON or shapefile "
            "polygon of the basin's boundary (relative paths are read from the parameter file's folder). "
            "Fix: correct the path, or remove the field to use the basin mask of the data source."
        )
    folder = config.data_folder
    if config.data.source == "local" and folder is not None and not folder.is_dir():
        raise ConfigError(
            f"{path}: field 'data.folder' = {config.data.folder!r}: folder {folder} does not exist. "
            "Allowed: an existing folder in the layout of `smvar synth` (relative paths are "
            "read from the parameter file's folder). Fix: create it with "
            f"`smvar synth {path} --out {folder}` or correct the path."
        )


def _explain(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s) in the parameter file:"]
    for error in exc.errors():
        lines.append("  - " + _explain_one(error))
    return "\n".join(lines)


def _explain_one(error: dict[str, Any]) -> str:
    location = [str(part) for part in error["loc"]]
    field = ".".join(location) or "(top level)"
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        parent = location[:-1]
        allowed = _allowed_keys(parent)
        close = difflib.get_close_matches(location[-1], allowed, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return (
            f"field {field!r} is not a known key.{hint} Allowed keys here: "
            f"{', '.join(allowed)}. Fix: remove or rename it."
        )
    if kind == "missing":
        return f"field {field!r} is missing. Fix: add it (see data/basins/heihe.yaml for an example)."
    message = error["msg"].removeprefix("Value error, ")
    return f"field {field!r} = {value!r}: {message}. Fix: change the value to one that is allowed."


def _allowed_keys(parent: list[str]) -> list[str]:
    model: type[BaseModel] = BasinConfig
    for part in parent:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            break
    return [name for name in model.model_fields if name != "source_file"]
