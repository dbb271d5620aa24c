"""Steps that are keyed on exactly what they read.

Provides
--------
Step
    A step of a run: the parameter-file fields it reads, the steps upstream
    of it, and the modules whose code computes it.
StepGraph
    Steps by name, and the key of each for a parameter file: a hash of the
    values of its fields, the keys of its upstream steps and the source of
    its modules. A step whose key is unchanged is not recomputed; changing
    ``geodetector.intervals`` changes the detectors' key alone, editing
    ``smvar/plots.py`` changes no step's key.
source_digest
    Hash of the source files of some modules or packages.
notebook_imports
    The ``smvar`` modules a notebook's source imports (for its key).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from smvar.config import BasinConfig

__all__ = ["Step", "StepGraph", "source_digest", "config_digest", "digest_of", "notebook_imports", "DOMAIN_FIELDS",
           "NOTEBOOK_VARIABLE"]

#: The fields that define the grids and the period: every step reads them through its inputs.
DOMAIN_FIELDS = ("extent", "period", "resolution_m", "crs", "reanalysis_resolution_deg",
                 "microwave_resolution_deg", "basin")


@dataclass(frozen=True)
class Step:
    """One step of a run.

    Attributes
    ----------
    name : str
        The step's name (``"detectors"``), also the name of its completion marker.
    reads : tuple of str
        Top-level fields of the parameter file it reads (``"geodetector"``,
        ``"sampling"``, or a domain field such as ``"extent"``).
    upstream : tuple of str
        Steps whose artifacts it reads.
    modules : tuple of str
        Modules or packages (``"smvar.geodetector"``) whose source computes it.
    """

    name: str
    reads: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()


def _module_files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ValueError(f"step module {name!r} cannot be found; correct the step's modules")
    origin = Path(spec.origin)
    if spec.submodule_search_locations:  # a package: every file in it
        return sorted(origin.parent.rglob("*.py"))
    return [origin]


@lru_cache(maxsize=None)
def _file_digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_digest(modules: Iterable[str]) -> str:
    """SHA-256 of the source of the given modules or packages (file names and bytes)."""
    digest = hashlib.sha256()
    for name in sorted(set(modules)):
        for path in _module_files(name):
            stat = path.stat()
            digest.update(f"{name}:{path.name}:".encode())
            digest.update(_file_digest(path, stat.st_mtime_ns, stat.st_size).encode())
    return digest.hexdigest()


def config_digest(config: "BasinConfig", fields: Iterable[str]) -> str:
    """SHA-256 of the values of some top-level fields of a parameter file.

    The ``basin`` field names an outline file: its bytes are part of the
    digest, so editing the outline remakes what reads it.
    """
    values = config.to_dict()
    chosen = {name: values.get(name) for name in sorted(set(fields))}
    outline = config.basin_outline if "basin" in chosen else None
    if outline is not None and outline.is_file():
        chosen["basin"] = [chosen["basin"], hashlib.sha256(outline.read_bytes()).hexdigest()]
    return hashlib.sha256(json.dumps(chosen, sort_keys=True, default=str).encode()).hexdigest()


class StepGraph:
    """Steps by name, with the key of each for one parameter file.

    Parameters
    ----------
    steps : iterable of Step
        Every upstream name must be a step of the graph.
    """

    def __init__(self, steps: Iterable[Step]) -> None:
        self.steps: dict[str, Step] = {step.name: step for step in steps}
        for step in self.steps.values():
            unknown = [u for u in step.upstream if u not in self.steps]
            if unknown:
                raise ValueError(f"step {step.name!r} reads unknown step(s) {unknown}")

    def key(self, config: "BasinConfig", name: str) -> str:
        """The key of step ``name``: its fields' values, its upstream keys and its modules' source."""
        return self.keys(config)[name]

    def keys(self, config: "BasinConfig") -> dict[str, str]:
        """The key of every step (each computed once, upstream first)."""
        keys: dict[str, str] = {}

        def visit(name: str) -> str:
            if name not in keys:
                step = self.steps[name]
                parts = [config_digest(config, step.reads), source_digest(step.modules),
                         *(f"{u}={visit(u)}" for u in step.upstream)]
                keys[name] = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]
            return keys[name]

        for name in self.steps:
            visit(name)
        return keys


_FROM = re.compile(r"^\s*from\s+(smvar(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n#]+)", re.MULTILINE)
_IMPORT = re.compile(r"^\s*import\s+(smvar(?:\.\w+)*)", re.MULTILINE)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def notebook_imports(source: str) -> list[str]:
    """The ``smvar`` modules a notebook's source imports.

    ``from smvar.plots import x`` and ``import smvar.plots`` give
    ``smvar.plots``; ``from smvar import plots, stats`` gives the modules
    ``smvar.plots`` and ``smvar.stats`` (names that are modules of the package).
    """
    found = set(_IMPORT.findall(source))
    for package, names in _FROM.findall(source):
        found.add(package)
        for name in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?", names.strip("()")):
            if name != "as" and _is_module(f"{package}.{name}"):
                found.add(f"{package}.{name}")
    return sorted(found - {"smvar"})


def digest_of(values: Mapping[str, object]) -> str:
    """SHA-256 of a JSON-able mapping (keys sorted)."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


#: Set by the notebook runner to the executing notebook's name: the run's
#: steps then record what the notebook read (``RUN/.smvar/reads/NAME.json``).
NOTEBOOK_VARIABLE = "SMVAR_NOTEBOOK"
