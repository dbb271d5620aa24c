"""Peak resident memory of a benchmark's whole process tree (shared by the benchmark scripts).

The sum of the RSS of this process and all its descendants (a dask
scheduler, its workers, a notebook kernel), and the largest single process,
sampled every ``interval`` seconds in a thread with psutil.
"""

from __future__ import annotations

import threading

import psutil


class PeakRSS:
    """``with PeakRSS() as rss: ...`` then ``rss.peak`` (sum, bytes) and ``rss.peak_one`` (largest, bytes)."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self.peak_one = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total, largest = 0, 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    rss = proc.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                largest = max(largest, rss)
            self.peak = max(self.peak, total)
            self.peak_one = max(self.peak_one, largest)
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
