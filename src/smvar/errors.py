"""The one kind of error that the command line reports in one line.

Provides
--------
file_lines
    "line 7" or "lines 3, 8 and 2 more": the file lines of some table rows,
    as messages about a CSV table name them.
UserError
    Base class of every error that means bad input or a step the user can
    fix (a parameter file field, a table column, a missing file, a failed
    notebook). ``smvar`` prints ``smvar COMMAND: error: MESSAGE`` and exits
    with status 2 instead of showing a traceback. The message names the file,
    field or column and the fix.

This module imports nothing, so the command line can catch these errors
without loading the science packages.
"""

from __future__ import annotations

__all__ = ["UserError", "file_lines"]


class UserError(Exception):
    """Bad input or a failed step, reported to the user in one line (exit status 2)."""


def file_lines(rows, limit: int = 5) -> str:
    """The file lines of 0-based data rows of a CSV table with a header line (line 1).

    ``file_lines([5])`` is ``"line 7"``; more than ``limit`` rows end in
    ``"and N more"``.
    """
    lines = [str(int(i) + 2) for i in rows]
    shown = ", ".join(lines[:limit])
    more = f" and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"
