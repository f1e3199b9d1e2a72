"""Ctrl-C stops `make run` cleanly: the server stops, make does not report an error."""

from __future__ import annotations

import os
import pty
import shutil
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "foreground.py"


def _read_until_exit(fd: int, pid: int, seconds: float) -> tuple[str, int]:
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    return out.decode(errors="replace"), os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_ctrl_c_in_a_terminal_ends_make_run_without_an_error(tmp_path: Path) -> None:
    started = tmp_path / "started"
    (tmp_path / "Makefile").write_text(
        "run:\n"
        f"\t{SCRIPT} python3 -c 'import pathlib, time; "
        f'pathlib.Path("{started}").touch(); time.sleep(30)\'\n'
        "\t@echo recipe-finished\n"
    )
    pid, fd = pty.fork()
    if pid == 0:  # the child: make in a terminal of its own, as a developer runs it
        os.execvp("make", ["make", "-s", "-C", str(tmp_path), "run"])  # noqa: S606
    deadline = time.monotonic() + 10
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.write(fd, b"\x03")  # Ctrl-C, through the terminal's line discipline
    out, code = _read_until_exit(fd, pid, 10)
    assert code == 0, out
    assert "make: ***" not in out  # neither "Interrupt" nor "Terminated"
    assert "recipe-finished" in out
