"""The one kind of error that the command line reports in one line.

Provides
--------
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

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input or a failed step, reported to the user in one line (exit status 2)."""
