"""Without a mail relay, a developer reads the demo's sign-in codes with `vitrina mail latest`."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from tests.crm.helpers import AURORA, guest, make_brands
from vitrina.cli import app as cli
from vitrina.core.config import Settings


async def test_the_code_sent_without_a_relay_is_shown_by_the_cli_and_verifies(
    app: FastAPI, db: AsyncSession, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_brands(db)
    monkeypatch.setenv("VITRINA_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("VITRINA_SMTP_HOST", raising=False)
    runner = CliRunner()
    async with guest(app) as client:
        for email in ("mia@example.com", "leo@example.com"):
            started = await client.post(
                "/api/customer-auth/email/start", json={"brand": AURORA, "email": email}
            )
            assert started.status_code == 202, started.text
        shown = runner.invoke(cli, ["mail", "latest", "--to", "mia@example.com"])
        assert shown.exit_code == 0, shown.output
        assert "To: mia@example.com" in shown.output
        code = re.search(r"\b(\d{6})\b", shown.output.split("\n", 2)[2])
        assert code is not None, shown.output
        verified = await client.post(
            "/api/customer-auth/email/verify",
            json={"challenge_id": started.json()["challenge_id"], "code": code[1]},
        )
        # The code shown is Mia's, the challenge Leo's: refused; Mia's own challenge is not.
        assert verified.status_code != 200
        latest = runner.invoke(cli, ["mail", "latest"])
        assert "To: leo@example.com" in latest.output
        leo_code = re.search(r"\b(\d{6})\b", latest.output.split("\n", 2)[2])
        assert leo_code is not None
        ok = await client.post(
            "/api/customer-auth/email/verify",
            json={"challenge_id": started.json()["challenge_id"], "code": leo_code[1]},
        )
        assert ok.status_code == 200, ok.text
