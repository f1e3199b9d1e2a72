"""The protocol's published artefacts stay in step with the code."""

from __future__ import annotations

import json
from pathlib import Path

from vitrina.world.protocol import CloseCode, ErrorCode, json_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_json_schema_file_is_current() -> None:
    committed = json.loads((DOCS / "protocol.schema.json").read_text())
    assert committed == json_schema(), (
        "run: python -m vitrina.world.protocol > docs/protocol.schema.json"
    )


def test_every_error_and_close_code_is_documented() -> None:
    spec = (DOCS / "protocol.md").read_text()
    for code in ErrorCode:
        assert f"`{code.value}`" in spec, code
    for close in CloseCode:
        assert f"| {close.value} |" in spec, close
