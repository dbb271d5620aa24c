"""Execute the book's notebooks for one basin with papermill.

Provides
--------
project_root
    The folder holding ``_toc.yml`` and ``notebooks/``.
notebook_order
    The notebooks named in ``_toc.yml`` (``book/_executed/NAME`` entries), in order.
run_notebooks
    Execute every notebook (or one, ``only``) into a run folder, skipping those
    whose source, the ``smvar`` modules it imports, the parameter-file fields
    it read and the keys of the run's steps it read (:mod:`smvar.steps`) are
    unchanged since its last successful execution. Editing one chapter's
    prose re-executes that chapter alone.
NotebookFailed
    Raised when a notebook fails; names the notebook and the cell and keeps
    the partly executed notebook.

Run folder layout::

    RUN/notebooks/NAME.ipynb          executed notebooks (renamed into place on success)
    RUN/notebooks/NAME.failed.ipynb   a failed execution, kept for inspection
    RUN/artifacts/                    tables, figures and arrays written by the notebooks
    RUN/notebooks/.NAME.ipynb.complete  what its last successful execution read (the one
                                      completion marker of smvar.store, holding a JSON record)
    RUN/.smvar/reads/NAME.json        what the executing notebook read (written by smvar.pipeline)
    RUN/run.log                       what the run said: the dask cluster, the kernels' own messages,
                                      run-time warnings (the pages show none of it)

On a terminal the run prints one line per notebook; otherwise nothing until
the summary that ``smvar run`` prints at the end.
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from smvar.compute import LOG_VARIABLE, SCHEDULER_VARIABLE, log_message
from smvar.config import BasinConfig
from smvar.errors import UserError
from smvar.steps import NOTEBOOK_VARIABLE, config_digest, digest_of, notebook_imports, source_digest
from smvar.store import completion_marker, mark_complete

__all__ = ["project_root", "notebook_order", "run_notebooks", "NotebookFailed", "RunReport"]

EXECUTED_PREFIX = "book/_executed/"
KERNEL_NAME = "smvar"


class UnknownNotebook(UserError, ValueError):
    """``--only NAME`` names no notebook of the book; the message lists them."""


class NotebookFailed(UserError, RuntimeError):
    """A notebook raised an error; the message names the notebook and the cell."""


@dataclass
class RunReport:
    """What a run did: notebooks executed, skipped as up to date, and not selected (``--only``)."""

    executed: list[str]
    skipped: list[str]
    run_dir: Path
    not_selected: list[str] = field(default_factory=list)


def project_root(start: Path | None = None) -> Path:
    """The project folder: ``$SMVAR_ROOT``, else the nearest parent holding ``_toc.yml``.

    The search starts at ``start`` (default: the working folder), then tries
    the folder this package was installed from (an editable install).
    """
    env = os.environ.get("SMVAR_ROOT")
    candidates = [Path(env)] if env else []
    for base in (start or Path.cwd(), Path(__file__).resolve()):
        candidates.extend([base, *base.parents])
    for folder in candidates:
        if (folder / "_toc.yml").is_file() and (folder / "notebooks").is_dir():
            return folder.resolve()
    raise FileNotFoundError(
        "cannot find the smvar project folder (with _toc.yml and notebooks/). "
        "Run from a clone of the repository or set SMVAR_ROOT to it."
    )


def notebook_order(root: Path) -> list[str]:
    """Names of the notebooks listed in ``_toc.yml``, in table-of-contents order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if isinstance(file, str) and file.startswith(EXECUTED_PREFIX):
                names.append(file.removeprefix(EXECUTED_PREFIX))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(toc)
    missing = [n for n in names if not (root / "notebooks" / f"{n}.py").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{root / '_toc.yml'} lists notebooks with no source in notebooks/: "
            f"{', '.join(missing)}. Add notebooks/NAME.py or remove the entry."
        )
    return names


def _notebook_record(source: str, parameters: dict) -> dict:
    """What a notebook's key covers before it runs: its source, its imports and its parameters."""
    return {"source": digest_of({"text": source}),
            "imports": source_digest(notebook_imports(source)),
            "parameters": digest_of(parameters)}


def _up_to_date(previous: dict | None, record: dict, config: BasinConfig, step_keys: dict[str, str]) -> bool:
    """Whether a notebook's last execution read exactly what it would read now."""
    if not isinstance(previous, dict) or any(previous.get(k) != v for k, v in record.items()):
        return False
    fields = previous.get("fields", {})
    steps = previous.get("steps", {})
    return all(config_digest(config, [f]) == digest for f, digest in fields.items()) and \
        all(step_keys.get(step) == key for step, key in steps.items())


def _what_it_read(reads_file: Path, config: BasinConfig) -> dict:
    """The fields (with their values' digests) and step keys the notebook recorded."""
    try:
        reads = json.loads(reads_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        reads = {"fields": list(type(config).model_fields), "steps": {}}  # nothing recorded: assume all
    return {"fields": {f: config_digest(config, [f]) for f in reads.get("fields", [])},
            "steps": dict(reads.get("steps", {}))}


def _relative(path: str | Path, base: Path) -> str:
    """``path`` relative to ``base`` when it lies in the project, else absolute (for the book's pages)."""
    path = Path(path).resolve()
    try:
        path.relative_to(base.parent)
        return os.path.relpath(path, base)
    except ValueError:
        return str(path)


def _last_record(output: Path) -> dict | None:
    """What the notebook's last successful execution read: the JSON in its completion marker."""
    try:
        return json.loads(completion_marker(output).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _kernel_name() -> str:
    """The ``smvar`` kernel if installed (``make`` installs it), else this interpreter's."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        return KERNEL_NAME
    except NoSuchKernel:
        return "python3"


def run_notebooks(
    config: BasinConfig,
    run_dir: Path,
    *,
    only: str | None = None,
    force: bool = False,
    root: Path | None = None,
    progress: bool = True,
) -> RunReport:
    """Execute the book's notebooks for one basin.

    Parameters
    ----------
    config : BasinConfig
        The validated basin parameter file (its path is injected as ``basin_file``).
    run_dir : Path
        The run folder (created if needed).
    only : str, optional
        Execute this notebook alone (its name without ``.py``).
    force : bool
        Execute even the notebooks that are up to date.
    root : Path, optional
        The project folder; found with :func:`project_root` if not given.
    progress : bool
        Print one line per notebook when standard output is a terminal.
        Whatever the notebooks' kernels and the dask cluster say goes to
        ``RUN/run.log`` in any case.

    Raises
    ------
    NotebookFailed
        When a notebook fails: the run stops there.
    """
    import jupytext
    import nbformat

    root = root or project_root()
    run_dir = Path(run_dir).resolve()
    names = notebook_order(root)
    if only is not None and only not in names:
        raise UnknownNotebook(
            f"--only {only!r}: no such notebook in {root / '_toc.yml'}. Choose one of: {', '.join(names)}"
        )
    out_dir = run_dir / "notebooks"
    source_dir = run_dir / ".smvar" / "sources"
    for folder in (out_dir, source_dir, run_dir / "artifacts"):
        folder.mkdir(parents=True, exist_ok=True)
    reads_dir = run_dir / ".smvar" / "reads"
    # paths as the book shows them: relative to notebooks/, where the kernels run
    parameters = {
        "basin_file": _relative(config.source_file, root / "notebooks"),
        "run_dir": _relative(run_dir, root / "notebooks"),
    }
    from smvar.pipeline import STEPS

    step_keys = STEPS.keys(config)
    kernel = _kernel_name()
    executed: list[str] = []
    skipped: list[str] = []
    not_selected: list[str] = []
    log = run_dir / "run.log"
    say = _ProgressLines(len(names), enabled=progress and sys.stdout.isatty())
    previous_log = os.environ.get(LOG_VARIABLE)
    os.environ[LOG_VARIABLE] = str(log)  # the kernels inherit it: smvar.compute.log_message writes there
    with _stderr_to(log), _NotebookCluster(config, progress) as cluster, _restored(LOG_VARIABLE, previous_log):
        for number, name in enumerate(names, start=1):
            source_path = root / "notebooks" / f"{name}.py"
            source = source_path.read_text(encoding="utf-8")
            record = _notebook_record(source, parameters)
            output = out_dir / f"{name}.ipynb"
            if only is not None and only != name:
                not_selected.append(name)
                continue
            if not force and output.is_file() and _up_to_date(_last_record(output), record, config, step_keys):
                skipped.append(name)
                say.done(number, name, "up to date")
                continue
            say.start(number, name)
            started = time.monotonic()
            notebook = _tag_parameter_cells(jupytext.reads(source, fmt="py:percent"))
            converted = source_dir / f"{name}.ipynb"
            nbformat.write(notebook, converted)
            cluster.start()
            reads_file = reads_dir / f"{name}.json"
            reads_file.unlink(missing_ok=True)
            os.environ[NOTEBOOK_VARIABLE] = name  # the kernel inherits it: Run records what it reads
            try:
                _execute_one(name, converted, output, parameters, root, kernel)
            except NotebookFailed:
                say.done(number, name, f"FAILED (see {log})")
                raise
            finally:
                os.environ.pop(NOTEBOOK_VARIABLE, None)
            say.done(number, name, f"executed in {time.monotonic() - started:.0f} s")
            mark_complete(output, json.dumps({**record, **_what_it_read(reads_file, config)}, indent=1,
                                             sort_keys=True))
            executed.append(name)
    return RunReport(executed=executed, skipped=skipped, run_dir=run_dir, not_selected=not_selected)


class _ProgressLines:
    """One line per notebook on a terminal ("[ 3/11] 03_statistics  executed in 21 s")."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.width = len(str(total))

    def _prefix(self, number: int, name: str) -> str:
        return f"[{number:>{self.width}}/{self.total}] {name:<24}"

    def start(self, number: int, name: str) -> None:
        if self.enabled:
            print(f"\r{self._prefix(number, name)} running...", end="", flush=True)

    def done(self, number: int, name: str, what: str) -> None:
        if self.enabled:
            print(f"\r{self._prefix(number, name)} {what}\033[K", flush=True)


@contextmanager
def _stderr_to(log: Path):
    """Send this process's standard error (file descriptor 2) to ``log`` while the notebooks run.

    The kernels and the dask workers started meanwhile inherit it, so their
    messages (the kernel's transport warning, worker logs, run-time warnings
    printed to ``sys.__stderr__``) land in the run's log and not on the
    terminal or in the CI log.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"--- smvar run, {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


@contextmanager
def _restored(variable: str, previous: str | None):
    """Put an environment variable back as it was when the block ends."""
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous


class _NotebookCluster:
    """One dask cluster for every notebook of a run, started when the first notebook executes.

    The notebooks' kernels find it through ``SMVAR_SCHEDULER``
    (:data:`smvar.compute.SCHEDULER_VARIABLE`). If that variable is already
    set, it is left as it is and no cluster is started here.
    """

    def __init__(self, config: BasinConfig, progress: bool) -> None:
        self.config, self.progress = config, progress
        self.executor = None
        self.previous = os.environ.get(SCHEDULER_VARIABLE)

    def start(self) -> None:
        if self.executor is not None or self.previous:
            return
        from smvar.compute import open_executor

        self.executor = open_executor(self.config.compute, quiet=True, echo=log_message)
        os.environ[SCHEDULER_VARIABLE] = self.executor.description

    def __enter__(self) -> "_NotebookCluster":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.close()
            if self.previous is None:
                os.environ.pop(SCHEDULER_VARIABLE, None)


def _tag_parameter_cells(notebook):
    """Hide the default parameters in the book; papermill's injected values stay, folded."""
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    return notebook


def _fold_injected_parameters(path: Path) -> None:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "hide-input" not in tags:
            tags.append("hide-input")
    nbformat.write(notebook, path)


def _execute_one(name: str, source: Path, output: Path, parameters: dict, root: Path, kernel: str) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    partial = output.with_name(f"{name}.partial.ipynb")
    failed = output.with_name(f"{name}.failed.ipynb")
    failed.unlink(missing_ok=True)
    try:
        papermill.execute_notebook(
            str(source),
            str(partial),
            parameters=parameters,
            kernel_name=kernel,
            language="python",
            cwd=str(root / "notebooks"),
            progress_bar=False,
        )
    except PapermillExecutionError as exc:
        partial.replace(failed)
        first_line = next((line for line in exc.source.splitlines() if line.strip()), "")
        raise NotebookFailed(
            f"notebook {name} (notebooks/{name}.py) failed in cell {exc.cell_index + 1} of the "
            f"executed notebook (execution count {exc.exec_count}, starting {first_line!r}): "
            f"{exc.ename}: {exc.evalue}\n"
            f"The partly executed notebook is kept at {failed}"
        ) from None
    except Exception as exc:  # kernel death, timeouts: say which notebook
        if partial.exists():
            partial.replace(failed)
        raise NotebookFailed(f"notebook {name} (notebooks/{name}.py) could not run: {exc}") from exc
    _fold_injected_parameters(partial)
    partial.replace(output)
