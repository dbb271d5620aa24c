"""Write files whole or not at all.

Provides
--------
write_text_atomic
    Write text to a temporary file in the destination's folder, then rename it
    over the destination, so a reader never sees a half-written file and an
    interrupted run leaves the previous version (or nothing) in place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomic"]


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
