"""Where the work of a run executes: a dask distributed cluster, or this process.

Provides
--------
Executor
    Runs a list of independent tasks (a day block of the downscaling, a row
    band of the synthetic twin, a month of the detectors) and returns their
    results in order, with a progress bar. On a cluster the tasks go to its
    workers; a worker that dies has its task rerun on another one.
open_executor
    The executor a run's ``compute`` settings ask for: a local cluster sized to
    the machine (the default), a running cluster at an address, or
    ``synchronous`` (in this process, for debugging and tests).
day_blocks, chunk_days_for, default_chunk_days
    How the days of a run are cut into tasks (blocks of days within a month),
    used by the twin, the downscaling and the monthly composites.
shared_executor, use_client
    One executor per process, opened on first use and closed at exit, so that
    every step of a notebook uses the same cluster; or a client you made.
log_message, LOG_VARIABLE
    Run-time messages (which cluster, its dashboard) go to the run's log,
    ``SMVAR_LOG``, set by ``smvar run``; never to a page of the book.
SCHEDULER_VARIABLE
    ``SMVAR_SCHEDULER``: an environment variable that overrides
    ``compute.scheduler``. ``smvar run`` starts one cluster and sets it, so the
    notebooks it executes all attach to that cluster.

Notes
-----
Tasks are plain top-level functions of picklable arguments that read their
inputs from, and write their outputs to, the run folder (Zarr stores and
small files), so what travels between processes is a few kilobytes per task.
The same code runs whichever executor is used, which is what makes a cluster
run identical to a single-process one.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from smvar.config import BasinConfig, ComputeSection

__all__ = ["Executor", "open_executor", "shared_executor", "close_shared_executor", "use_client",
           "release_memory", "SCHEDULER_VARIABLE", "default_workers", "day_blocks", "default_chunk_days",
           "chunk_days_for"]

SCHEDULER_VARIABLE = "SMVAR_SCHEDULER"
LOG_VARIABLE = "SMVAR_LOG"


def _locally(function: Callable[[Any], Any], item: Any) -> Any:
    """Run a task with dask's thread scheduler for any dask array it reads.

    Inside a worker, dask would otherwise send a task's own small computations
    (reading its days from the Zarr stores) back to the cluster as new tasks,
    and gather their results over the network into the worker: twice the
    memory, and time spent on sockets.
    """
    import dask

    with dask.config.set(scheduler="threads"):
        return function(item)


def default_workers() -> int:
    """Worker processes of a local cluster when none is set: the CPU cores available."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Executor:
    """Runs independent tasks here or on a dask distributed cluster.

    Attributes
    ----------
    client : distributed.Client or None
        None runs every task in this process, in order.
    description : str
        What runs the tasks, for messages (``"synchronous"``, the address...).
    quiet : bool
        No progress bars (there are none anyway unless stderr is a terminal).
    """

    client: Any = None
    description: str = "synchronous"
    quiet: bool = False
    _cluster: Any = field(default=None, repr=False)

    def map(self, function: Callable[[Any], Any], items: Sequence[Any], label: str = "tasks") -> list[Any]:
        """``[function(item) for item in items]``, on the workers if there is a cluster.

        Results come back in the order of ``items``. An error in a task is
        raised here, after the other tasks have been cancelled.
        """
        items = list(items)
        if not items:
            return []
        if self.client is None:
            return [function(item) for item in self._progress(items, label)]
        from distributed import as_completed

        futures = self.client.map(functools.partial(_locally, function), items, pure=False)
        position = {future.key: k for k, future in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        try:
            for future in self._progress(as_completed(futures), label, total=len(items)):
                results[position[future.key]] = future.result()
        except BaseException:
            self.client.cancel(futures)
            raise
        return results

    def _progress(self, iterable: Iterable, label: str, total: int | None = None) -> Iterable:
        # To the terminal only: sys.__stderr__ is the terminal of `smvar run`
        # even inside a notebook's kernel, and the book gets no progress bars.
        terminal = sys.__stderr__
        if self.quiet or terminal is None or not terminal.isatty():
            return iterable
        from tqdm import tqdm

        return tqdm(iterable, total=total, desc=label, unit="task", file=terminal, leave=False)

    def close(self) -> None:
        """Close the client and, if this executor started it, the local cluster."""
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        self.client = self._cluster = None

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_executor(settings: "ComputeSection", *, quiet: bool = False,
                  echo: Callable[[str], None] | None = print, connect_timeout: str = "20s") -> Executor:
    """The executor of a run's ``compute`` settings (``SMVAR_SCHEDULER`` overrides the scheduler).

    Parameters
    ----------
    settings : smvar.config.ComputeSection
        ``scheduler`` (None: a new local cluster; ``"synchronous"``; or an
        address), and for a local cluster ``workers``, ``threads_per_worker``
        and ``memory_limit`` (per worker, e.g. ``"3GB"``).
    quiet : bool
        No progress bars.
    echo : callable or None
        Where to say which cluster is used and its dashboard address.
    connect_timeout : str
        How long to wait for a scheduler at an address.

    Returns
    -------
    Executor
        Close it (or use it in a ``with`` block) when done.
    """
    scheduler = os.environ.get(SCHEDULER_VARIABLE) or settings.scheduler
    say = echo or (lambda text: None)
    if scheduler == "synchronous":
        return Executor(None, "synchronous", quiet)
    from distributed import Client

    if scheduler:
        try:
            client = Client(scheduler, timeout=connect_timeout)
        except OSError as exc:
            raise RuntimeError(
                f"compute.scheduler: no dask scheduler answers at {scheduler} ({exc}); start the "
                "cluster first, correct the address, or leave compute.scheduler out for a local cluster"
            ) from None
        say(f"dask: using the cluster at {scheduler}; dashboard {client.dashboard_link}")
        return Executor(client, scheduler, quiet)
    cluster = _local_cluster(settings)
    client = Client(cluster)
    workers = len(cluster.workers)
    say(f"dask: local cluster of {workers} worker process{'es' if workers > 1 else ''} "
        f"at {cluster.scheduler_address}; dashboard {client.dashboard_link}")
    return Executor(client, cluster.scheduler_address, quiet, _cluster=cluster)


def _local_cluster(settings: "ComputeSection"):
    import dask
    from distributed import LocalCluster

    workers = settings.workers or default_workers()
    memory = settings.memory_limit or "auto"
    # Work is split into tasks small enough for one worker each; spilling is
    # the wrong remedy here, pausing and a clear kill are the right ones.
    # dask sets MALLOC_TRIM_THRESHOLD_ in its workers, which switches off
    # glibc's adaptive mmap threshold: every large numpy temporary is then
    # mapped and unmapped anew, and the synthetic twin's tiles ran 3-4 times
    # slower (measured by benchmarks/bench_synthetic_stream.py).
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                          "distributed.worker.daemon": False,
                          "distributed.worker.memory.spill": False,
                          "distributed.worker.memory.target": False,
                          "distributed.logging.distributed": "error"}):
        return LocalCluster(n_workers=workers, threads_per_worker=settings.threads_per_worker,
                            memory_limit=memory, processes=True, host="127.0.0.1",
                            dashboard_address="127.0.0.1:0", silence_logs=40)


def release_memory() -> None:
    """Hand the memory freed by a finished task back to the system (glibc ``malloc_trim``).

    A worker runs many tasks that each allocate and free a few hundred
    megabytes of numpy arrays; without this, glibc keeps the freed heap and a
    worker's resident memory creeps towards its limit. Does nothing where
    glibc is absent.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):
        pass


_SHARED: dict[str, Executor] = {}
_GIVEN = "given by use_client"


def use_client(client: Any) -> Executor:
    """Run every step of this process on a cluster you connected to yourself.

    For clusters that need more than an address to connect, such as
    dask-gateway's (``gateway.new_cluster().get_client()``): after this call,
    :func:`shared_executor`, and so every :class:`smvar.pipeline.Run` step,
    uses ``client``. It is not closed here.
    """
    executor = Executor(client, f"client {getattr(client, 'scheduler', client)}")
    _SHARED[_GIVEN] = executor
    return executor


def log_message(text: str) -> None:
    """A run-time message for the run's log, never for a page of the book.

    ``smvar run`` names its log (``RUN/run.log``) in ``SMVAR_LOG``
    (:data:`LOG_VARIABLE`), which the notebooks' kernels inherit: the message
    is appended there. Without it (a script, a test), it goes to standard
    error. In a kernel, writing to standard error would not do: ipykernel
    forwards even the file descriptor's output to the page.
    """
    path = os.environ.get(LOG_VARIABLE)
    if path:
        try:
            with open(path, "a", encoding="utf-8") as log:
                log.write(text.rstrip("\n") + "\n")
            return
        except OSError:
            pass
    print(text, file=sys.__stderr__ or sys.stderr, flush=True)


def shared_executor(settings: "ComputeSection", *, quiet: bool = False) -> Executor:
    """This process's executor for these settings, opened on first use and closed at exit.

    Which cluster it uses is said by :func:`log_message` (the run's log
    under ``smvar run``), never on a page.
    """
    if _GIVEN in _SHARED:
        return _SHARED[_GIVEN]
    key = os.environ.get(SCHEDULER_VARIABLE) or repr(settings)
    executor = _SHARED.get(key)
    if executor is None:
        executor = _SHARED[key] = open_executor(settings, quiet=quiet, echo=log_message)
    return executor


def close_shared_executor() -> None:
    """Close every executor :func:`shared_executor` opened (also done at exit)."""
    given = _SHARED.pop(_GIVEN, None)
    if given is not None:
        given.client = None  # the caller's client: the caller closes it
    while _SHARED:
        _, executor = _SHARED.popitem()
        executor.close()


atexit.register(close_shared_executor)


# ---------------------------------------------------------------- days per task
CELL_DAYS_PER_TASK = 7_500_000  # about 1 GB of working memory per task


def default_chunk_days(n_cells: int) -> int:
    """Days per task when ``compute.chunk_days`` is not set.

    About 7.5 million cell-days (1 to 31 days); 28 days or more become 31, so
    that each task is a whole month.
    """
    days = int(np.clip(CELL_DAYS_PER_TASK // max(n_cells, 1), 1, 31))
    return 31 if days >= 28 else days


def chunk_days_for(config: "BasinConfig") -> int:
    """Days per task of a run: ``compute.chunk_days``, else :func:`default_chunk_days` of its grid."""
    from smvar.grid import analysis_grid  # the grid module imports pyproj: only when asked

    ny, nx = analysis_grid(config).shape
    return config.compute.chunk_days or default_chunk_days(ny * nx)


def day_blocks(times: pd.DatetimeIndex, chunk_days: int) -> list[tuple[int, int]]:
    """``(start, stop)`` index ranges of at most ``chunk_days`` days, each within one month."""
    if chunk_days < 1:
        raise ValueError(f"day_blocks: chunk_days={chunk_days}; it must be at least 1")
    months = times.year * 12 + times.month
    edges = np.flatnonzero(np.diff(months)) + 1
    blocks = []
    for start, stop in zip(np.r_[0, edges], np.r_[edges, len(times)]):
        for first in range(int(start), int(stop), chunk_days):
            blocks.append((first, min(first + chunk_days, int(stop))))
    return blocks
