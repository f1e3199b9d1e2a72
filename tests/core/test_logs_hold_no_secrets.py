"""What the logs of a working day hold, read as an auditor would read them.

An advisor signs in; a customer walks in as a guest, signs in with a wallet and an
e-mailed code, books an appointment and asks for a person over the chat widget; the
advisor takes the conversation from the console and answers. Everything runs over real
HTTP and WebSockets, through uvicorn started the way `vitrina serve` starts it, with every
log level at DEBUG; everything the process prints, structured lines and standard-library
records alike, is collected. None of the customer's or the advisor's values, codes or
tokens may be in it, and it still tells what happened to which records.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from tests.crm.helpers import AURORA, account, make_brands, siwe_sign_in
from tests.factories import PASSWORD, make_staff
from tests.logs import printed
from tests.scheduling.conftest import build_shop, next_weekday, paris
from tests.smtp import SmtpCapture
from vitrina.app import create_app
from vitrina.core.config import Settings
from vitrina.services import services_of

CUSTOMER_NAME = "Zephyrine Quillfeather"
CUSTOMER_EMAIL = "zephyrine.quill7731@example.net"
CUSTOMER_PHONE = "+39 347 555 0199"
PHRASE = "lavender carburettor"
ADVISOR_NAME = "Orsolya Vantongeren"
ADVISOR_EMAIL = "orsolya.vtg4410@example.org"
WALLET = account("0x" + "5a" * 32)


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCapture) -> Settings:
    return smtp_server.configure(settings).model_copy(
        update={"log_level": "DEBUG", "log_json": True, "scheduling_worker_interval_s": 0.2}
    )


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[tuple[FastAPI, str]]:
    """The app behind uvicorn on a loopback port, started as `vitrina serve` starts it: uvicorn
    sets up its logging (here at DEBUG, access log on), then builds the app."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    built: list[FastAPI] = []

    def factory() -> FastAPI:
        built.append(create_app(settings))
        return built[0]

    config = uvicorn.Config(
        factory, factory=True, host="127.0.0.1", port=port, log_level="debug", access_log=True
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield built[0], f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def frame(ws: ClientConnection, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    """The next JSON frame of type `kind`, skipping the others."""
    async with asyncio.timeout(timeout):
        while True:
            data: dict[str, Any] = json.loads(await ws.recv())
            if data.get("type") == kind:
                return data


async def advisor_signs_in(http: httpx.AsyncClient) -> str:
    resp = await http.post("/api/auth/login", json={"email": ADVISOR_EMAIL, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    http.cookies.clear()
    token: str = resp.json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    online = await http.put("/api/console/presence", json={"status": "online"})
    assert online.status_code == 200, online.text
    return token


async def customer_signs_in(http: httpx.AsyncClient, smtp: SmtpCapture) -> tuple[str, str]:
    """A guest session, a wallet proof, then the e-mailed code linked to it; returns the
    guest token and the code."""
    guest = await http.post(
        "/api/auth/guest", json={"display_name": CUSTOMER_NAME, "brand_slug": AURORA}
    )
    assert guest.status_code == 201, guest.text
    http.headers["x-csrf-token"] = guest.json()["csrf_token"]
    wallet = await siwe_sign_in(http, WALLET)
    assert wallet.status_code == 200, wallet.text
    started = await http.post(
        "/api/customer-auth/email/start", json={"brand": AURORA, "email": CUSTOMER_EMAIL}
    )
    assert started.status_code == 202, started.text
    mail = await smtp.wait_for(lambda m: m["To"] == CUSTOMER_EMAIL)
    match = re.search(r"\b(\d{6})\b", mail.get_content())
    assert match is not None
    verified = await http.post(
        "/api/customer-auth/email/verify",
        json={"challenge_id": started.json()["challenge_id"], "code": match[1], "link": True},
    )
    assert verified.status_code == 200, verified.text
    return guest.json()["token"], match[1]


async def customer_books(http: httpx.AsyncClient, smtp: SmtpCapture) -> None:
    resp = await http.post(
        f"/api/brands/{AURORA}/appointments",
        json={
            "type": "advice",
            "start": paris(next_weekday(2), 11).isoformat(),
            "customer": {"email": CUSTOMER_EMAIL, "name": CUSTOMER_NAME},
            "notes": f"{PHRASE}; call {CUSTOMER_PHONE}",
        },
    )
    assert resp.status_code == 201, resp.text
    await smtp.wait_for(lambda m: str(m["Subject"]).startswith("Confirmed"))


async def test_a_day_of_sign_ins_bookings_and_handoffs_leaves_no_secret_in_the_logs(
    settings: Settings, smtp_server: SmtpCapture
) -> None:
    with printed() as out:
        async with serve(settings) as (app, host):
            async with services_of(app).sessions() as db:
                await make_brands(db)
                await build_shop(db)
                await make_staff(
                    db,
                    email=ADVISOR_EMAIL,
                    name=ADVISOR_NAME,
                    roles=["agent"],
                    brand_slugs=[AURORA],
                )
            async with (
                httpx.AsyncClient(base_url=f"http://{host}") as advisor,
                httpx.AsyncClient(base_url=f"http://{host}") as customer,
            ):
                staff_token = await advisor_signs_in(advisor)
                console = await connect(f"ws://{host}/ws/console?token={staff_token}")
                await frame(console, "hello")

                guest_token, code = await customer_signs_in(customer, smtp_server)
                await customer_books(customer, smtp_server)

                query = urlencode({"brand": AURORA, "token": guest_token})
                widget = await connect(f"ws://{host}/ws/widget?{query}")
                await frame(widget, "welcome")
                await widget.send(
                    json.dumps({"type": "say", "text": f"{PHRASE}: call me on {CUSTOMER_PHONE}"})
                )
                conversation_id = (await frame(widget, "conversation"))["conversation"]["id"]
                await widget.send(json.dumps({"type": "handoff"}))
                offer = await frame(console, "offer")
                assert offer["conversation_id"] == conversation_id
                accepted = await advisor.post(
                    f"/api/console/conversations/{conversation_id}/accept"
                )
                assert accepted.status_code == 200, accepted.text
                reply = await advisor.post(
                    f"/api/console/conversations/{conversation_id}/messages",
                    json={"body": f"Hello {CUSTOMER_NAME}, about the {PHRASE}?"},
                )
                assert reply.status_code == 201, reply.text
                await frame(widget, "message")
                await widget.close()
                await console.close()

    logs = out.getvalue()
    # Each word on its own: a name can be logged URL-encoded ("Zephyrine+Quillfeather").
    secrets = {
        "the e-mailed code": code,
        "the advisor's session token": staff_token,
        "the guest token": guest_token,
        "the advisor's password": PASSWORD,
        "the wallet address": WALLET.address.lower()[2:],
        "the customer's e-mail": CUSTOMER_EMAIL.split("@")[0],
        "the advisor's e-mail": ADVISOR_EMAIL.split("@")[0],
        "the customer's phone": "555 0199",
        "the customer's phone (E.164)": "3475550199",
        **{f"the customer's name ({word})": word for word in CUSTOMER_NAME.split()},
        **{f"the advisor's name ({word})": word for word in ADVISOR_NAME.split()},
        **{f"the customer's message ({word})": word for word in PHRASE.split()},
    }
    leaked = {what: value for what, value in secrets.items() if value.lower() in logs.lower()}
    assert not leaked, "\n".join(
        [f"{what}: {line}" for what, value in leaked.items() for line in _lines(logs, value)]
    )
    # Still worth reading: what happened, to which ids, with which outcome.
    events = {json.loads(line)["event"] for line in logs.splitlines() if line.startswith("{")}
    assert {"request", "customer_verified", "mail_sent", "scheduling_mail_sent"} <= events
    # Requests by the route's template: the path itself can hold tokens and addresses.
    assert '"route": "/api/console/conversations/{conversation_id}/accept"' in logs
    assert f"/api/console/conversations/{conversation_id}/accept" not in logs
    assert "/ws/console?token=[redacted]" in logs


def _lines(logs: str, value: str) -> list[str]:
    return [line for line in logs.splitlines() if value.lower() in line.lower()][:3]
