"""The client's TypeScript protocol types are generated from the server's definitions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_protocol_types_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "client" / "scripts" / "gen_protocol.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, (
        "client/src/net/protocol.gen.ts no longer matches src/vitrina/world/protocol.py: "
        f"run `.venv/bin/python client/scripts/gen_protocol.py`\n{result.stderr}"
    )
