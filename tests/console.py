"""Run the installed ``smvar`` console script in a subprocess, as a user types it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The console script that ``pip install`` put beside this interpreter.
SMVAR = Path(sys.executable).with_name("smvar")


@dataclass(frozen=True)
class Ran:
    """Exit status, output and peak resident memory (MB) of one command."""

    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


def smvar(*args: object, cwd: Path | None = None, module: bool = False, env: dict | None = None) -> Ran:
    """``smvar ARGS`` (or ``python -m smvar ARGS`` with ``module=True``) in a subprocess.

    Output goes through temporary files and the child is reaped with
    ``os.wait4``, which gives its own peak resident memory.
    """
    command = [sys.executable, "-m", "smvar"] if module else [str(SMVAR)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([*command, *map(str, args)], cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Ran(proc.returncode, out.read(), err.read(), usage.ru_maxrss / 1024)


def one_line_error(ran: Ran, command: str) -> str:
    """The error line of a failed command; asserts there is exactly one and no traceback."""
    assert ran.returncode == 2, (ran.returncode, ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr, ran.stderr
    lines = [line for line in ran.stderr.splitlines() if line.startswith(f"smvar {command}: error:")]
    assert len(lines) == 1, ran.stderr
    return lines[0]
