"""Email in over real SMTP (our own aiosmtpd server), replies out to a local SMTP sink."""

from __future__ import annotations

import asyncio
import re
import socket
from email.message import EmailMessage
from urllib.parse import urlencode, urlsplit

import aiosmtplib
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import BRAND, make_brands
from tests.factories import login, make_staff
from tests.smtp import SmtpCapture
from vitrina.conversations.rating_links import rating_url
from vitrina.core.config import Settings

INBOUND = f"{BRAND}@support.localhost"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
HTML = {"Accept": "text/html"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpCapture) -> Settings:
    return smtp_server.configure(settings).model_copy(
        update={
            "inbound_smtp_listen": f"127.0.0.1:{_free_port()}",
            "inbound_mail_max_bytes": 200_000,
            "inbound_attachment_max_bytes": 1_000,
            "console_disconnect_grace_s": 60.0,
        }
    )


def _mail(subject: str, body: str, *, msgid: str, reply_to: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Mia Rossi <mia@example.org>"
    message["To"] = INBOUND
    message["Subject"] = subject
    message["Message-ID"] = msgid
    if reply_to:
        message["In-Reply-To"] = reply_to
        message["References"] = reply_to
    message.set_content(body)
    return message


async def _send(settings: Settings, message: EmailMessage) -> None:
    host, _, port = (settings.inbound_smtp_listen or "").rpartition(":")
    await aiosmtplib.send(message, hostname=host, port=int(port))


async def _send_raw(settings: Settings, raw: bytes, *, sender: str) -> None:
    """Bytes as a mail client might send them, malformed or not, to the brand's address."""
    host, _, port = (settings.inbound_smtp_listen or "").rpartition(":")
    await aiosmtplib.send(raw, sender=sender, recipients=[INBOUND], hostname=host, port=int(port))


async def _agent_ava(client: AsyncClient, db: AsyncSession) -> dict[str, str]:
    """The brands, and Ava, an agent of the brand, signed in."""
    await make_brands(db)
    await make_staff(db, email="ava@example.com", roles=["agent"], brand_slugs=[BRAND], name="Ava")
    return await login(client, "ava@example.com")


async def _conversations(client: AsyncClient, headers: dict[str, str]) -> list[dict[str, object]]:
    for _ in range(100):
        rows = (await client.get("/api/console/conversations", headers=headers)).json()
        if rows:
            return list(rows)
        await asyncio.sleep(0.05)
    return []


async def test_mail_becomes_a_conversation_and_the_reply_threads_back(
    app: FastAPI,
    client: AsyncClient,
    db: AsyncSession,
    settings: Settings,
    smtp_server: SmtpCapture,
) -> None:
    ava = await _agent_ava(client, db)
    first = _mail("Brake noise", "My car squeaks.\n\nMia", msgid="<m1@example.org>")
    first.add_attachment(b"x" * 500, maintype="image", subtype="jpeg", filename="../../photo.jpg")
    first.add_attachment(b"y" * 5000, maintype="application", subtype="pdf", filename="big.pdf")
    await _send(settings, first)
    rows = await _conversations(client, ava)
    assert len(rows) == 1 and rows[0]["channel"] == "email"
    cid = rows[0]["id"]
    assert rows[0]["customer_email"] == "mia@example.org"

    await client.put("/api/console/presence", json={"status": "online"}, headers=ava)
    # Taking a conversation from the bot into a queue is for supervisors, not agents.
    forced = await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=ava)
    assert forced.status_code == 403
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    attachments = detail["messages"][0]["data"]["attachments"]
    assert [(a["name"], a["stored"]) for a in attachments] == [
        ("photo.jpg", True),
        ("big.pdf", False),
    ]
    assert (settings.data_dir / "attachments" / cid / attachments[0]["sha256"]).is_file()

    await make_staff(db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND])
    sam = await login(client, "sam@example.com")
    queued = await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=sam)
    assert queued.json()["state"] == "queued"
    accepted = await client.post(f"/api/console/conversations/{cid}/accept", headers=ava)
    assert accepted.status_code == 200, accepted.text
    await client.post(
        f"/api/console/conversations/{cid}/messages",
        json={"body": "Please come by on Friday."},
        headers=ava,
    )
    reply = await smtp_server.wait_for(lambda m: "Friday" in m.get_content())
    assert reply["To"].addresses[0].addr_spec == "mia@example.org"
    assert reply["From"].addresses[0].addr_spec == INBOUND
    assert reply["In-Reply-To"] == "<m1@example.org>"
    assert reply["Subject"] == "Re: Brake noise"

    # The customer answers the reply: same conversation, quoted history cut off.
    answer = _mail(
        "Re: Brake noise",
        "Friday works.\n\nOn Mon, Ava wrote:\n> Please come by on Friday.",
        msgid="<m2@example.org>",
        reply_to=str(reply["Message-ID"]),
    )
    await _send(settings, answer)
    await _send(settings, answer)  # a redelivery is stored once
    for _ in range(100):
        detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
        if any(m["body"] == "Friday works." for m in detail["messages"]):
            break
        await asyncio.sleep(0.05)
    bodies = [m["body"] for m in detail["messages"] if m["author_kind"] == "customer"]
    assert bodies == ["My car squeaks.\n\nMia", "Friday works."]
    assert len(await _conversations(client, ava)) == 1


async def test_oversized_and_misaddressed_mail_is_refused(
    app: FastAPI, db: AsyncSession, settings: Settings
) -> None:
    await make_brands(db)
    huge = _mail("Huge", "z" * 300_000, msgid="<big@example.org>")
    with pytest.raises(aiosmtplib.SMTPResponseException) as too_big:
        await _send(settings, huge)
    assert too_big.value.code == 552
    stranger = _mail("Hi", "hello", msgid="<s@example.org>")
    del stranger["To"]
    stranger["To"] = "nobody-brand@support.localhost"
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await _send(settings, stranger)


async def test_malformed_mail_is_refused_or_stored_bounded_and_readable(
    app: FastAPI, client: AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    ava = await _agent_ava(client, db)

    # No usable sender: refused with a clear reason, nothing stored.
    anonymous = b"To: " + INBOUND.encode() + b"\r\nSubject: hi\r\n\r\nhello\r\n"
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await _send_raw(settings, anonymous, sender="x@example.org")
    assert refused.value.code == 550 and "From" in refused.value.message

    # A broken message: unknown charset, bytes that are not text in any charset, a
    # multipart whose closing boundary never comes, and far more text than we keep.
    long_text = ("blah " * 100 + "\r\n") * 100  # 50,000 characters in lines SMTP allows
    broken = (
        (
            "From: =?x-unknown?Q?M=E9a?= <mea@example.org>\r\n"
            f"To: {INBOUND}\r\n"
            "Subject: " + "S" * 600 + "\r\n"
            "Message-ID: <broken@example.org>\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
            "--XYZ\r\n"
            "Content-Type: text/plain; charset=x-no-such-charset\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + b"\xff\xfe\x00 caf\xe9 "
        + long_text.encode()
        + b"\r\n--XYZ\r\n"
    )
    await _send_raw(settings, broken, sender="mea@example.org")
    rows = await _conversations(client, ava)
    assert len(rows) == 1
    detail = (await client.get(f"/api/console/conversations/{rows[0]['id']}", headers=ava)).json()
    [message] = [m for m in detail["messages"] if m["author_kind"] == "customer"]
    assert 0 < len(message["body"]) <= 20_000
    assert "blah blah" in message["body"] and message["body"].endswith("[… truncated]")
    assert len(detail["subject"]) <= 200
    assert rows[0]["customer_email"] == "mea@example.org"


async def test_a_nul_in_the_text_is_dropped_and_the_mail_is_accepted(
    app: FastAPI, client: AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    """PostgreSQL text cannot hold NUL; refusing with 451 would make the sender retry forever."""
    ava = await _agent_ava(client, db)
    raw = (
        f"From: Mia Rossi <mia@example.org>\r\nTo: {INBOUND}\r\nSubject: Test drive\r\n"
        "Message-ID: <nul@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + b"Is Friday\x00 possible?\r\n"
    await _send_raw(settings, raw, sender="mia@example.org")
    rows = await _conversations(client, ava)
    assert len(rows) == 1
    detail = (await client.get(f"/api/console/conversations/{rows[0]['id']}", headers=ava)).json()
    assert [m["body"] for m in detail["messages"] if m["author_kind"] == "customer"] == [
        "Is Friday possible?"
    ]


async def test_the_rating_request_mail_links_to_a_page_that_rates_once(
    app: FastAPI,
    client: AsyncClient,
    db: AsyncSession,
    settings: Settings,
    smtp_server: SmtpCapture,
) -> None:
    await make_brands(db)
    await make_staff(
        db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND], name="Sam"
    )
    sam = await login(client, "sam@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=sam)
    await _send(settings, _mail("Invoice", "Where is my invoice?", msgid="<r1@example.org>"))
    cid = (await _conversations(client, sam))[0]["id"]
    await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=sam)
    await client.post(f"/api/console/conversations/{cid}/accept", headers=sam)
    resolved = await client.post(
        f"/api/console/conversations/{cid}/resolve", json={"disposition": "solved"}, headers=sam
    )
    assert resolved.status_code == 200, resolved.text

    mail = await smtp_server.wait_for(lambda m: "/rate/" in m.get_content())
    text = mail.get_content()
    links = re.findall(r"^(\d) - (https?://\S+)", text, re.MULTILINE)
    assert [score for score, _ in links] == ["1", "2", "3", "4", "5"], text
    assert "reply to this email with a number" in text
    path = urlsplit(links[3][1])
    assert f"{path.scheme}://{path.netloc}" == settings.public_url.rstrip("/")

    page = await client.get(f"{path.path}?{path.query}", headers=HTML)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert 'value="4" checked' in page.text and "Rate your conversation with" in page.text

    # No score chosen: the form comes back with the reason, nothing recorded.
    empty = await client.post(path.path, content="comment=hi", headers=FORM)
    assert empty.status_code == 422 and "Choose a score from 1 to 5." in empty.text
    sent = await client.post(
        path.path, content=urlencode({"score": 4, "comment": "Quick <b>answer</b>"}), headers=FORM
    )
    assert sent.status_code == 200 and "Thank you for your rating." in sent.text
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=sam)).json()
    assert (detail["csat_score"], detail["csat_comment"]) == (4, "Quick <b>answer</b>")

    again = await client.post(path.path, content="score=1", headers=FORM)
    assert again.status_code == 409 and "already rated" in again.text
    assert (await client.get(path.path, headers=HTML)).status_code == 409
    # Not a browser: the same refusal as problem+json.
    scripted = await client.get(path.path)
    assert scripted.status_code == 409
    assert scripted.headers["content-type"].startswith("application/problem+json")
    altered = path.path[:-3] + ("AAA" if not path.path.endswith("AAA") else "BBB")
    refused = await client.get(altered, headers={**HTML, "Accept-Language": "it-IT,it;q=0.9"})
    assert refused.status_code == 404 and "non è valido" in refused.text
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=sam)).json()
    assert detail["csat_score"] == 4


async def test_a_rating_link_does_not_rate_an_open_conversation(
    client: AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    ava = await _agent_ava(client, db)
    await _send(settings, _mail("Hello", "A question", msgid="<r2@example.org>"))
    cid = (await _conversations(client, ava))[0]["id"]
    path = urlsplit(rating_url(settings, cid, 5)).path
    assert (await client.get(path, headers=HTML)).status_code == 409
    refused = await client.post(path, content="score=5", headers=FORM)
    assert refused.status_code == 409 and "not closed yet" in refused.text
    detail = (await client.get(f"/api/console/conversations/{cid}", headers=ava)).json()
    assert detail["csat_score"] is None
