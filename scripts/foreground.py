#!/usr/bin/env python3
"""Run a command as the terminal's foreground job, so that Ctrl-C reaches it alone.

`make run` serves until the developer presses Ctrl-C. The terminal sends that SIGINT to
its whole foreground process group, make included, and make then reports the recipe as
interrupted ("make: *** [run] Interrupt") although the server stopped cleanly. Here the
server gets a process group of its own that holds the terminal; make only sees it exit.
Without a terminal (CI, a pipe) the command simply runs in place.
"""

from __future__ import annotations

import os
import signal
import sys

# A server stopped by Ctrl-C or by a plain kill finished its job: that is a success.
STOPPED = {0, -signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT, 128 + signal.SIGTERM}


def _hand_terminal(tty: int, group: int) -> None:
    # A background group may not take the terminal unless SIGTTOU is ignored meanwhile.
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


def main(command: list[str]) -> int:
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
        owner = os.tcgetpgrp(tty)
    except OSError:
        os.execvp(command[0], command)  # noqa: S606 (the command line make was given)
    if owner != os.getpgrp():  # already in the background: nothing to hand over
        os.execvp(command[0], command)  # noqa: S606 (the command line make was given)
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        _hand_terminal(tty, os.getpgrp())
        os.execvp(command[0], command)  # noqa: S606 (the command line make was given)
    # Both sides set the group, so whichever runs first the terminal goes to the child.
    try:
        os.setpgid(child, child)
        _hand_terminal(tty, child)
    except OSError:
        pass
    _, status = os.waitpid(child, 0)
    _hand_terminal(tty, os.getpgrp())
    code = os.waitstatus_to_exitcode(status)
    return 0 if code in STOPPED else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
