"""Reading what the process prints: the logs as an operator (or an attacker) would see them."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from vitrina.core.logging import configure_logging


@contextlib.contextmanager
def printed(level: str = "DEBUG", *, json: bool = True) -> Iterator[io.StringIO]:
    """Everything written to stdout and stderr while the block runs, with the application's
    logging set up at `level` inside it (loggers set up later in the block write there too)."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):
            configure_logging(level, json=json)
            yield out
    finally:
        # The loggers set up inside still point at `out`: give the next tests their own,
        # as the test settings configure them.
        configure_logging("WARNING", json=False)
