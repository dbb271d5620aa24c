"""In-situ soil-moisture stations: ISMN files and plain CSV series, to daily means in m3 m-3.

Provides
--------
Station
    One sensor: name, network, position, depth and its series (m3 m-3, UTC).
read_ismn_file
    An ISMN ``.stm`` file (header-values or CEOP format) read with the ISMN
    team's own reader (:class:`ismn.filehandlers.DataFile`), its quality
    flags applied.
read_csv_series
    One station's plain CSV series (a time column and a soil-moisture column)
    with the position, depth and units given by the caller.
read_station_index
    A station index CSV: one row per station naming its CSV series file and
    its metadata.
read_stations
    Every station of a path or glob (``.stm`` files, station index CSVs), for
    ``validation.stations`` in the parameter file.
daily_means
    Daily mean (UTC days) of a sub-daily series, days with too few samples
    left out.
station_tables
    The station table and the daily table of
    :func:`smvar.downscaling.station_validation.validate_at_stations`.
validate_run_at_stations
    A run's daily downscaled SM and coarse products against its stations:
    those of ``validation.stations`` on real inputs, synthetic stations
    drawn from the truth on the twin.
StationError
    A station file that cannot be used: one line naming the file, what is
    wrong and the fix.

Why the ``ismn`` package
------------------------
ISMN files come in two formats (header-values and CEOP-separated), with
metadata split between the file name and the first line; the ISMN team's
reader on PyPI (``ismn``, TU Wien) knows both and follows the format's
changes, so it is used rather than a parser of our own.

ISMN quality flags (Dorigo et al. 2013, Vadose Zone J., "Global automated
quality control of in situ soil moisture data"; the ISMN flag table): ``G``
good; ``C01``-``C03`` outside the plausible range (below 0, above 0.6 m3 m-3,
above the saturation point); ``D01``-``D10`` dubious (``D01``-``D03`` frozen
soil, ``D04``/``D05`` a rise without rain, ``D06`` spikes, ``D07``/``D08``
breaks, ``D09`` low constant values, ``D10`` a saturated plateau); ``M``
missing; ``U`` undefined (no check could be made). Kept by default: ``G``
and ``U``; a value with several flags (``C03,D05``) is kept only if all are
kept.
"""

from __future__ import annotations

import glob as globmod
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from smvar.realdata.files import FilesError, UnitError, convert_units

__all__ = ["Station", "StationError", "KEEP_FLAGS", "INDEX_COLUMNS", "read_ismn_file", "read_csv_series",
           "read_station_index", "read_stations", "daily_means", "station_tables",
           "validate_run_at_stations"]

KEEP_FLAGS = ("G", "U")
# ISMN file names: CSE_NETWORK_STATION_VARIABLE_DEPTHFROM_DEPTHTO_SENSOR_START_END.stm (ISMN data format)
_ISMN_SM_NAME = re.compile(r"_sm_-?\d+\.\d+_-?\d+\.\d+_")
# the columns of a station index CSV (optional: time_column, utc_offset_hours, network)
INDEX_COLUMNS = ("station", "file", "latitude", "longitude", "depth_from_m", "depth_to_m", "column", "units")


class StationError(FilesError):
    """A station file that cannot be used; the message names the file, the problem and the fix."""


@dataclass
class Station:
    """One soil-moisture sensor and its series.

    Attributes
    ----------
    name, network : str
        Station and network names.
    latitude, longitude : float
        Degrees (WGS 84).
    depth_from_m, depth_to_m : float
        Sensor depth range, m below the surface.
    series : pandas.Series
        Volumetric soil moisture, m3 m-3, on a UTC ``DatetimeIndex``.
    source : str
        The file it was read from.
    notes : list of str
        What was done on reading (flags dropped, unit conversion).
    """

    name: str
    network: str
    latitude: float
    longitude: float
    depth_from_m: float
    depth_to_m: float
    series: pd.Series
    source: str
    notes: list[str] = field(default_factory=list)

    def metadata(self) -> dict[str, object]:
        """The station's row of a station table (no series)."""
        return {"station": self.name, "network": self.network, "latitude": self.latitude,
                "longitude": self.longitude, "depth_from_m": self.depth_from_m, "depth_to_m": self.depth_to_m,
                "source": self.source, "n_values": int(self.series.notna().sum()),
                "start": self.series.index.min(), "end": self.series.index.max()}


def _flag_kept(flags: pd.Series, keep: Sequence[str]) -> np.ndarray:
    """True where every flag of a comma-separated flag string is in ``keep``."""
    parts = flags.fillna("M").astype(str).str.split(",", expand=True)
    ok = np.ones(len(flags), dtype=bool)
    for column in parts.columns:
        values = parts[column]
        ok &= values.isna().to_numpy() | values.str.strip().isin(list(keep)).to_numpy()
    return ok


def read_ismn_file(path: str | Path, keep_flags: Sequence[str] = KEEP_FLAGS) -> Station:
    """One ISMN ``.stm`` soil-moisture file, read with the ``ismn`` package.

    Parameters
    ----------
    path : str or Path
        An ISMN data file (``NETWORK_NETWORK_STATION_sm_0.050000_0.050000_SENSOR_START_END.stm``).
    keep_flags : sequence of str
        ISMN quality flags kept (default ``G`` and ``U``); values with any
        other flag are dropped.

    Returns
    -------
    Station
        Position, depth and elevation from the file; values in m3 m-3 (ISMN
        soil moisture is volumetric, m3 m-3), times in UTC as ISMN gives them.

    Raises
    ------
    StationError
        When the file is not an ISMN file (wrong first line), holds no soil
        moisture, or no value passes the flags.
    """
    path = Path(path)
    try:
        from ismn.filehandlers import DataFile
    except ImportError:
        raise StationError(f"{path}: reading ISMN files needs the ismn package: pip install ismn") from None
    if not path.is_file():
        raise StationError(f"{path}: no such file. Fix: correct validation.stations")
    try:
        handle = DataFile(str(path.parent), path.name)
        data = handle.read_data()
        meta = handle.metadata
        depth = meta["variable"].depth
        variable = meta["variable"].val
        station = Station(name=str(meta["station"].val), network=path.name.split("_")[0],
                          latitude=float(meta["latitude"].val), longitude=float(meta["longitude"].val),
                          depth_from_m=float(depth.start), depth_to_m=float(depth.end),
                          series=pd.Series(dtype=float), source=str(path))
    except Exception as exc:  # noqa: BLE001 - the reader raises many kinds; one line for all
        first = _first_line(path)
        raise StationError(
            f"{path}: not a readable ISMN file ({type(exc).__name__}); its first line is {first!r}. "
            "Fix: give the file as downloaded from ISMN (header line: network station latitude longitude "
            "elevation depth_from depth_to sensor; file name NETWORK_NETWORK_STATION_sm_FROM_TO_SENSOR_"
            "START_END.stm)") from None
    if variable != "soil_moisture":
        raise StationError(f"{path}: holds {variable!r}, not soil_moisture. Fix: give the station's *_sm_* files")
    values = pd.to_numeric(data[variable], errors="coerce")
    kept = _flag_kept(data[f"{variable}_flag"], keep_flags)
    dropped = int((~kept & values.notna().to_numpy()).sum())
    values = values.where(kept)
    if not values.notna().any():
        raise StationError(f"{path}: no value passes the ISMN quality flags {list(keep_flags)}. Fix: check the "
                           "file, or accept more flags")
    index = pd.DatetimeIndex(data.index)
    station.series = pd.Series(values.to_numpy(dtype=float), index=index, name=station.name)
    station.notes = [f"ISMN flags kept {list(keep_flags)}: {dropped} of {int(values.size)} values dropped"]
    return station


def _first_line(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(400)
    except OSError:
        return ""
    return head.replace(b"\r", b"\n").split(b"\n", 1)[0].decode("ascii", "replace")[:120]


def read_csv_series(path: str | Path, *, name: str, latitude: float, longitude: float, depth_from_m: float,
                    depth_to_m: float, column: str, units: str, time_column: str = "time",
                    utc_offset_hours: float = 0.0, network: str = "") -> Station:
    """One station's plain CSV series.

    Parameters
    ----------
    path : str or Path
        CSV with a header row holding ``time_column`` and ``column``.
    name, network : str
        Station and network names.
    latitude, longitude : float
        Degrees (WGS 84).
    depth_from_m, depth_to_m : float
        Sensor depth, m.
    column : str
        The soil-moisture column.
    units : str
        Its units (``%``, ``m3 m-3`` ...; :data:`smvar.realdata.files.CONVERSIONS`).
    time_column : str
        The time column (ISO 8601 local times).
    utc_offset_hours : float
        The times' offset from UTC, hours (8 for Beijing time); times are
        shifted to UTC.

    Raises
    ------
    StationError
        A missing column (wrong header), unreadable times or units.
    """
    path = Path(path)
    try:
        header = pd.read_csv(path, nrows=0).columns.tolist()
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise StationError(f"{path}: cannot be read as CSV ({exc}). Fix: give a comma-separated file "
                           "with a header row") from None
    missing = [c for c in (time_column, column) if c not in header]
    if missing:
        raise StationError(f"{path}: the header has no column {', '.join(map(repr, missing))} (it has "
                           f"{header[:12]}{' ...' if len(header) > 12 else ''}). Fix: name the time and "
                           "soil-moisture columns in the station index ('time_column', 'column')")
    frame = pd.read_csv(path, usecols=[time_column, column])
    times = pd.to_datetime(frame[time_column], errors="coerce")
    if times.isna().all():
        raise StationError(f"{path}: column {time_column!r} holds no dates. Fix: write ISO 8601 times "
                           "('2020-03-30 12:30:00')")
    values = pd.Series(pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float),
                       index=pd.DatetimeIndex(times) - pd.Timedelta(hours=utc_offset_hours))
    values = values[values.index.notna()].sort_index()
    try:
        import xarray as xr

        converted, text = convert_units(xr.DataArray(values.to_numpy()), "m3 m-3", units,
                                        where=f"{path}: column {column!r}: ")
    except UnitError as exc:
        raise StationError(str(exc)) from None
    series = pd.Series(converted.values, index=values.index, name=name)
    # the ISMN range checks C01 (< 0) and C02 (> 0.6 m3 m-3), applied to plain series too
    implausible = (series < 0.0) | (series > 0.6)
    series = series.where(~implausible)
    return Station(name=name, network=network, latitude=float(latitude), longitude=float(longitude),
                   depth_from_m=float(depth_from_m), depth_to_m=float(depth_to_m), series=series,
                   source=str(path), notes=[text, f"times shifted from UTC{utc_offset_hours:+g} h to UTC",
                                            f"{int(implausible.sum())} values outside 0-0.6 m3 m-3 dropped "
                                            "(ISMN checks C01, C02)"])


def read_station_index(path: str | Path) -> list[Station]:
    """The stations of an index CSV (columns :data:`INDEX_COLUMNS`; files relative to the index)."""
    path = Path(path)
    index = pd.read_csv(path)
    missing = [c for c in INDEX_COLUMNS if c not in index.columns]
    if missing:
        raise StationError(f"{path}: a station index needs the columns {list(INDEX_COLUMNS)}; missing "
                           f"{missing}. Fix: add them (one row per station; 'file' relative to the index)")
    stations = []
    for row in index.itertuples(index=False):
        file = Path(str(row.file))
        stations.append(read_csv_series(
            file if file.is_absolute() else path.parent / file, name=str(row.station),
            latitude=float(row.latitude), longitude=float(row.longitude), depth_from_m=float(row.depth_from_m),
            depth_to_m=float(row.depth_to_m), column=str(row.column), units=str(row.units),
            time_column=str(getattr(row, "time_column", "time") or "time"),
            utc_offset_hours=float(getattr(row, "utc_offset_hours", 0.0) or 0.0),
            network=str(getattr(row, "network", "") or "")))
    return stations


def read_stations(specs: str | Iterable[str], base_dir: str | Path = ".",
                  keep_flags: Sequence[str] = KEEP_FLAGS) -> tuple[list[Station], list[str]]:
    """Every station of one or more paths or globs (``validation.stations``).

    Parameters
    ----------
    specs : str or iterable of str
        Paths or globs, relative to ``base_dir``: ISMN ``.stm`` files and
        station index ``.csv`` files.
    base_dir : str or Path
        The parameter file's folder.
    keep_flags : sequence of str
        ISMN flags kept.

    Returns
    -------
    (list of Station, list of str)
        The stations read, and one line per file that could not be used
        (the rest are still read).
    """
    base = Path(base_dir)
    stations, problems, other_variables = [], [], 0
    for spec in [specs] if isinstance(specs, str) else list(specs):
        full = spec if Path(spec).is_absolute() else str(base / spec)
        paths = sorted(Path(p) for p in globmod.glob(full, recursive=True))
        if not paths:
            problems.append(f"validation.stations: no file matches {full}. Fix: correct the path or glob "
                            "(relative to the parameter file)")
            continue
        for path in paths:
            try:
                if path.suffix.lower() == ".stm" and not _ISMN_SM_NAME.search(path.name):
                    other_variables += 1  # an ISMN download also holds ts, p, ta ... files
                elif path.suffix.lower() == ".stm":
                    stations.append(read_ismn_file(path, keep_flags))
                elif path.suffix.lower() == ".csv":
                    stations.extend(read_station_index(path))
                else:
                    problems.append(f"{path}: not a station file (.stm from ISMN, or a station index .csv). "
                                    "Fix: list the CSV series in a station index")
            except StationError as exc:
                problems.append(str(exc))
    if other_variables:
        problems.append(f"validation.stations: {other_variables} ISMN file(s) of variables other than soil "
                        "moisture (no '_sm_' in the name) skipped")
    return stations, problems


def daily_means(series: pd.Series, min_coverage: float = 0.5) -> pd.Series:
    """Daily mean (UTC days) of a sub-daily series.

    Parameters
    ----------
    series : pandas.Series
        Values on a ``DatetimeIndex``.
    min_coverage : float
        Least share of the day's expected samples (from the median time step)
        a day needs to be kept.

    Returns
    -------
    pandas.Series
        Daily means, index the days (midnight).
    """
    values = series.dropna()
    if values.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="time"))
    seconds = np.diff(values.index.values).astype("timedelta64[s]").astype(float)
    step = float(np.median(seconds)) if seconds.size else 86400.0
    per_day = max(1.0, 86400.0 / max(step, 1.0))
    grouped = values.groupby(values.index.floor("D"))
    mean, count = grouped.mean(), grouped.count()
    out = mean[count >= min_coverage * per_day]
    out.index.name = "time"
    return out


def station_tables(stations: Sequence[Station], min_coverage: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The station table and the daily means of :func:`read_stations`' stations.

    Returns
    -------
    (stations, daily) : pandas.DataFrame
        ``station, network, latitude, longitude, depth_from_m, depth_to_m,
        source, n_values, start, end``; and ``station, time, sm`` (daily
        means, m3 m-3). Sensors of the same name are told apart by network,
        then depth, then their order.
    """
    labels = [s.name for s in stations]
    for make in (lambda s: f"{s.network}:{s.name}",
                 lambda s: f"{s.network}:{s.name} {s.depth_from_m:g}-{s.depth_to_m:g} m"):
        labels = [make(s) if labels.count(label) > 1 else label for s, label in zip(stations, labels)]
    labels = [f"{label} #{labels[:i].count(label) + 1}" if labels.count(label) > 1 else label
              for i, label in enumerate(labels)]
    rows, frames = [], []
    for station, label in zip(stations, labels):
        rows.append({**station.metadata(), "station": label})
        means = daily_means(station.series, min_coverage)
        frames.append(pd.DataFrame({"station": label, "time": means.index, "sm": means.to_numpy()}))
    table = pd.DataFrame(rows)
    daily = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["station", "time", "sm"])
    return table, daily


def validate_run_at_stations(config, inputs, sm_daily, *, n_synthetic: int = 8,
                             representativeness_sd: float = 0.03, noise_sd: float = 0.02):
    """The validation at stations of one run (chapter 02).

    Parameters
    ----------
    config : BasinConfig
        ``validation.stations`` (a path, glob or list, relative to the
        parameter file) names the stations of real runs;
        ``validation.max_depth_m`` the deepest sensor compared (default 0.10 m).
    inputs : Inputs
        The run's inputs: ``sm_cci``, ``sm_smops`` (0.25 degree), the
        reanalysis ``sm`` (0.1 degree), and on the twin ``sm_truth`` and
        ``basin_mask``.
    sm_daily : xarray.DataArray
        The downscaled daily 1 km SM, m3 m-3, dims ``(time, y, x)``.
    n_synthetic : int
        Synthetic stations drawn on the twin when no station is listed.
    representativeness_sd, noise_sd : float
        Their constant offset and daily noise, m3 m-3
        (:func:`smvar.downscaling.station_validation.synthetic_stations`).

    Returns
    -------
    (StationValidation or None, str)
        The result (None without stations) and one sentence saying where the
        stations come from.
    """
    from smvar.downscaling.station_validation import StationValidation, synthetic_stations, validate_at_stations

    section = getattr(config, "validation", None)
    listed = getattr(section, "stations", None)
    max_depth = float(getattr(section, "max_depth_m", 0.10) or 0.10)
    problems: list[str] = []
    if listed:
        found, problems = read_stations(listed, config.base_dir)
        table, daily = station_tables(found)
        note = f"{len(found)} station sensor(s) read from validation.stations ({listed})"
    elif "sm_truth" in inputs.fine:
        table, daily = synthetic_stations(inputs.fine["sm_truth"], inputs.fine["basin_mask"], config.crs,
                                          n=n_synthetic, seed=config.data.seed, offset_sd=representativeness_sd,
                                          noise_sd=noise_sd)
        note = (f"{len(table)} synthetic stations drawn from the twin's truth at random basin pixels, each with "
                f"a constant offset (SD {representativeness_sd:g} m3 m-3) and persistent daily noise "
                f"(SD {noise_sd:g} m3 m-3): the representativeness error of a point sensor in a 1 km pixel")
    else:
        return None, ("No stations to validate against: list ISMN .stm files or a station index CSV in the "
                      "parameter file's validation.stations")
    if table.empty:
        return StationValidation(pd.DataFrame(), pd.DataFrame(), table, problems), note
    products = {"downscaled": sm_daily}
    for name, da in (("sm_cci", inputs.microwave.get("sm_cci")), ("sm_smops", inputs.microwave.get("sm_smops")),
                     ("reanalysis sm", inputs.reanalysis.get("sm"))):
        if da is not None:
            products[name] = da
    result = validate_at_stations(daily, table, products, crs=config.crs, max_depth_m=max_depth)
    result.problems = problems + result.problems
    return result, note
