"""Write files whole or not at all.

Provides
--------
write_text_atomic
    Write text to a temporary file in the destination's folder, then rename it
    over the destination, so a reader never sees a half-written file and an
    interrupted run leaves the previous version (or nothing) in place.
check_writable, OutputPathError
    Check before a long computation that an output file can be written
    (not a folder, not under a file, not in a read-only place).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from smvar.errors import UserError

__all__ = ["write_text_atomic", "check_writable", "OutputPathError"]


class OutputPathError(UserError):
    """An output path that cannot be written; the message names it and the fix."""


def check_writable(path: str | Path, what: str = "output") -> Path:
    """Raise :class:`OutputPathError` unless a file can be written at ``path``.

    Called before a computation so that a bad ``--json``/``--out`` fails at
    once, not after minutes of work. The nearest existing folder is probed by
    creating (and removing) a temporary file in it, which also catches
    read-only file systems where permission bits say nothing (as root).

    Parameters
    ----------
    path : str or Path
        The file to be written (its folders may not exist yet).
    what : str
        How the message names it, e.g. ``"--json"``.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{what} {path}: is a folder; give a file name, e.g. {path / 'result.json'}")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputPathError(f"{what} {path}: {ancestor} is a file, not a folder; "
                              "choose a path in a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".smvar-write-check.", dir=ancestor)
    except OSError as exc:
        raise OutputPathError(f"{what} {path}: cannot write in {ancestor} ({exc.strerror}); "
                              "choose a folder you can write to") from None
    os.close(fd)
    os.unlink(probe)
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` via a temporary name and a rename.

    The folder is created if needed; the file gets mode 0o644. On any error
    the temporary file is removed and the error is raised again.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
