"""Voice call signalling over real world sockets, in the real app: only a customer and the
advisor assigned to their conversation may call each other, the server relays between
those two only, and every call lands on the conversation's timeline."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from tests.conversations.helpers import BRAND, make_brands, serve
from tests.factories import login, make_staff
from tests.world.conftest import Client
from vitrina.brands import service as brands
from vitrina.conversations.events import StateChanged
from vitrina.core.events import EventBus
from vitrina.core.security import Principal
from vitrina.crm import service as crm
from vitrina.crm import verification
from vitrina.crm.demo import DEMO_EMAIL, seed_demo_customer
from vitrina.crm.identifiers import IdentityKind, normalise
from vitrina.services import services_of
from vitrina.world.protocol import CALL_ICE_MAX_CHARS, CALL_SDP_MAX_CHARS

# The machine running the suite may be busy: give handshakes and frames room.
WAIT_S = 30.0
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
CANDIDATE = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0"


@dataclass
class Scene:
    host: str
    client: AsyncClient
    sam: dict[str, str]  # the advisor's bearer headers
    sam_id: str
    conversation_id: str
    customer: Client
    advisor: Client
    bystander: Client  # another customer in the same room, with no advisor
    customer_session: str
    customer_token: str  # Mia's guest token, to open another socket as her


class Party(Client):
    async def expect(self, t: str, pred: Any = None, timeout: float = WAIT_S) -> dict[str, Any]:
        return await super().expect(t, pred, timeout)


@contextlib.asynccontextmanager
async def open_party(url: str, token: str) -> AsyncIterator[Party]:
    async with connect(f"{url}?token={quote(token)}", open_timeout=WAIT_S) as ws:
        yield Party(ws)


async def _guest(client: AsyncClient, name: str) -> tuple[str, str]:
    """A new guest session: its token and its session id."""
    resp = await client.post("/api/auth/guest", json={"display_name": name})
    assert resp.status_code == 201, resp.text
    client.cookies.clear()
    return str(resp.json()["token"]), str(resp.json()["id"])


async def _wait_rows(client: AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    for _ in range(600):
        rows: list[dict[str, Any]] = (
            await client.get("/api/console/conversations", headers=headers)
        ).json()
        if rows:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError("the customer's chat line started no conversation")


@contextlib.asynccontextmanager
async def scene(app: FastAPI, client: AsyncClient, db: AsyncSession) -> AsyncIterator[Scene]:
    """Mia chats in the store, Sam takes her conversation and joins her room; Bob, another
    customer, stands in the same room."""
    await make_brands(db)
    await make_staff(
        db, email="sam@example.com", roles=["supervisor"], brand_slugs=[BRAND], name="Sam"
    )
    sam = await login(client, "sam@example.com")
    await client.put("/api/console/presence", json={"status": "online"}, headers=sam)
    (mia, mia_session), (bob, _) = await _guest(client, "Mia"), await _guest(client, "Bob")
    async with serve(app) as host:
        url = f"ws://{host}/ws/world"
        async with open_party(url, mia) as customer, open_party(url, bob) as bystander:
            await customer.join(brand=BRAND, zone="showroom")
            await bystander.join(brand=BRAND, zone="showroom")
            await customer.send("chat", text="Can I talk to someone?")
            cid = (await _wait_rows(client, sam))[0]["id"]
            await client.post(f"/api/console/conversations/{cid}/handoff", json={}, headers=sam)
            accepted = await client.post(f"/api/console/conversations/{cid}/accept", headers=sam)
            assert accepted.status_code == 200, accepted.text
            # Sam's socket opens now: a socket must join within 10 s of opening.
            async with open_party(url, sam["Authorization"].removeprefix("Bearer ")) as advisor:
                await advisor.join(brand=BRAND, zone="showroom")
                sam_id = str(accepted.json()["assigned_agent_id"])
                yield Scene(
                    host, client, sam, sam_id, cid, customer, advisor, bystander, mia_session, mia
                )


async def _timeline(s: Scene, event: str) -> list[dict[str, Any]]:
    """The conversation's timeline entries of one call event, once there is one."""
    for _ in range(600):
        detail = await s.client.get(
            f"/api/console/conversations/{s.conversation_id}", headers=s.sam
        )
        found = [m for m in detail.json()["messages"] if m["data"].get("event") == event]
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {event} on the timeline")


async def _ring(s: Scene) -> str:
    assert s.customer.id is not None
    await s.advisor.send("call_invite", to=s.customer.id)
    ringing = await s.customer.expect("call_state")
    assert ringing["state"] == "ringing" and ringing["incoming"] is True
    assert ringing["peer"] == s.advisor.id and ringing["name"] == "Sam"
    mine = await s.advisor.expect("call_state")
    assert mine["call"] == ringing["call"] and "incoming" not in mine
    return str(ringing["call"])


async def _ring_and_accept(s: Scene) -> str:
    """Sam calls Mia and she picks up: both are told the call is accepted."""
    call = await _ring(s)
    await s.customer.send("call_accept", call=call)
    for c in (s.customer, s.advisor):
        assert (await c.expect("call_state"))["state"] == "accepted"
    return call


def _call_frames(c: Client) -> list[dict[str, Any]]:
    return [f for f in c.frames if str(f.get("t", "")).startswith("call_")]


async def test_a_call_is_relayed_between_the_two_parties_and_lands_on_the_timeline(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    async with scene(app, client, db) as s:
        call = await _ring_and_accept(s)
        await s.advisor.send("call_sdp", call=call, kind="offer", sdp=SDP)
        offer = await s.customer.expect("call_sdp")
        assert offer == {"t": "call_sdp", "v": 1, "call": call, "kind": "offer", "sdp": SDP}
        await s.customer.send("call_sdp", call=call, kind="answer", sdp=SDP)
        assert (await s.advisor.expect("call_sdp"))["kind"] == "answer"
        await s.customer.send("call_ice", call=call, candidate=CANDIDATE, mid="0", mline=0)
        ice = await s.advisor.expect("call_ice")
        assert (ice["candidate"], ice["mid"], ice["mline"]) == (CANDIDATE, "0", 0)
        await s.advisor.send("call_connected", call=call)
        await s.customer.send("call_connected", call=call)  # both report; one event
        for c in (s.customer, s.advisor):
            assert (await c.expect("call_state"))["state"] == "connected"
        await s.customer.send("call_mute", call=call, muted=True)
        assert (await s.advisor.expect("call_mute"))["muted"] is True
        await asyncio.sleep(0.3)
        await s.customer.send("call_hangup", call=call)
        for c in (s.customer, s.advisor):
            ended = await c.expect("call_state", lambda f: f["state"] == "ended")
            assert ended["why"] == "hangup" and ended["by"] == "Mia"
            assert ended["duration"] >= 0.3
        # The bystander in the same room heard nothing of it.
        await s.bystander.send("ping", ts=1)
        await s.bystander.expect("pong")
        assert _call_frames(s.bystander) == []
        # The stale call id is refused.
        await s.advisor.send("call_sdp", call=call, kind="offer", sdp=SDP)
        err = await s.advisor.expect("error")
        assert (err["code"], err["ref"]) == ("unknown_call", "call_sdp")

        started = (await _timeline(s, "call_started"))[0]
        assert started["body"] == "Voice call started by Sam, calling Mia"
        assert len(await _timeline(s, "call_connected")) == 1
        ended_entry = (await _timeline(s, "call_ended"))[0]
        assert ended_entry["data"]["ended_by"] == "Mia" and ended_entry["data"]["why"] == "hangup"
        assert ended_entry["data"]["duration_s"] >= 0.3
        assert ended_entry["body"].startswith("Voice call ended after ")
        assert ended_entry["body"].endswith(", hung up by Mia")
        # Said by nobody in the room: no stand-in repeats timeline entries.
        chat = [f["text"] for f in s.customer.frames if f.get("t") == "chat"]
        assert not any("Voice call" in line for line in chat)


async def test_only_the_assigned_pair_may_call(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    async with scene(app, client, db) as s:
        assert s.advisor.id is not None and s.bystander.id is not None
        # A customer whose conversation Sam does not hold, either way round.
        await s.bystander.send("call_invite", to=s.advisor.id)
        assert (await s.bystander.expect("error"))["code"] == "call_forbidden"
        await s.advisor.send("call_invite", to=s.bystander.id)
        assert (await s.advisor.expect("error"))["code"] == "call_forbidden"
        # Customer to customer.
        await s.customer.send("call_invite", to=s.bystander.id)
        err = await s.customer.expect("error")
        assert (err["code"], err["ref"]) == ("call_forbidden", "call_invite")
        # Nobody, and oneself.
        await s.customer.send("call_invite", to=12345)
        assert (await s.customer.expect("error"))["code"] == "unknown_target"
        await s.customer.send("call_invite", to=s.customer.id)
        assert (await s.customer.expect("error"))["code"] == "unknown_target"
        # A call id that was never handed out, and one that is not yours.
        await s.bystander.send("call_hangup", call="nope")
        assert (await s.bystander.expect("error"))["code"] == "unknown_call"
        call = await _ring(s)
        await s.bystander.send("call_accept", call=call)
        assert (await s.bystander.expect("error"))["code"] == "unknown_call"
        await s.bystander.send("call_sdp", call=call, kind="offer", sdp=SDP)
        assert (await s.bystander.expect("error"))["code"] == "unknown_call"
        assert _call_frames(s.bystander) == []
        # The customer may call their advisor back: still one call at a time.
        await s.customer.send("call_invite", to=s.advisor.id)
        assert (await s.customer.expect("error"))["code"] == "call_busy"
        # The customer can decline.
        await s.customer.send("call_decline", call=call)
        ended = await s.advisor.expect("call_state", lambda f: f["state"] == "ended")
        assert (ended["why"], ended["by"], ended["duration"]) == ("declined", "Mia", 0.0)
        entry = (await _timeline(s, "call_ended"))[0]
        assert entry["body"] == "Voice call declined by Mia"


async def test_bad_payloads_get_error_frames_and_the_call_goes_on(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    async with scene(app, client, db) as s:
        call = await _ring(s)
        # Media before the call is accepted, and the caller accepting their own call.
        await s.advisor.send("call_sdp", call=call, kind="offer", sdp=SDP)
        assert (await s.advisor.expect("error"))["code"] == "bad_call_state"
        await s.advisor.send("call_ice", call=call, candidate=CANDIDATE)
        assert (await s.advisor.expect("error"))["code"] == "bad_call_state"
        await s.advisor.send("call_accept", call=call)
        assert (await s.advisor.expect("error"))["code"] == "bad_call_state"
        await s.customer.send("call_accept", call=call)
        await s.advisor.expect("call_state", lambda f: f["state"] == "accepted")
        # Oversized, malformed and mistyped signalling.
        await s.advisor.send(
            "call_sdp", call=call, kind="offer", sdp="v=0" + "a" * CALL_SDP_MAX_CHARS
        )
        err = await s.advisor.expect("error")
        assert (err["code"], err["ref"]) == ("text_too_long", "call_sdp")
        await s.advisor.send("call_sdp", call=call, kind="offer", sdp="<script>")
        assert (await s.advisor.expect("error"))["code"] == "bad_value"
        await s.advisor.send("call_sdp", call=call, kind="pranswer", sdp=SDP)
        err = await s.advisor.expect("error")
        assert (err["code"], err["ref"]) == ("bad_frame", "call_sdp")
        await s.advisor.send(
            "call_ice", call=call, candidate="candidate:" + "1" * CALL_ICE_MAX_CHARS
        )
        assert (await s.advisor.expect("error"))["code"] == "text_too_long"
        await s.advisor.send("call_ice", call=call, candidate="hello")
        assert (await s.advisor.expect("error"))["code"] == "bad_value"
        await s.advisor.send("call_mute", call=call, muted="yes")
        assert (await s.advisor.expect("error"))["code"] == "bad_frame"
        await s.advisor.send("call_hangup", call="x" * 33)
        assert (await s.advisor.expect("error"))["code"] == "bad_frame"
        # The call still works, and none of the refused frames reached the customer
        # (frames arrive in order: anything relayed before this one was read by now).
        await s.advisor.send("call_ice", call=call, candidate="")  # end of candidates
        assert (await s.customer.expect("call_ice"))["candidate"] == ""
        assert [f["t"] for f in _call_frames(s.customer)] == [
            "call_state",
            "call_state",
            "call_ice",
        ]
        await s.advisor.send("call_hangup", call=call)
        ended = await s.customer.expect("call_state", lambda f: f["state"] == "ended")
        assert (ended["why"], ended["by"]) == ("hangup", "Sam")


async def test_call_signalling_is_rate_limited(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    """ICE candidates come in bursts: 40 pass at once, then 10 a second."""
    async with scene(app, client, db) as s:
        call = await _ring_and_accept(s)
        for i in range(55):
            await s.customer.send("call_ice", call=call, candidate=f"candidate:{i}", mid="0")
        err = await s.customer.expect("error", lambda f: f["code"] == "rate_limited")
        assert err["ref"] == "call_ice"
        # The advisor's pong leaves after every relay queued before it.
        await s.advisor.send("ping", ts=1)
        await s.advisor.expect("pong")
        relayed = [f for f in s.advisor.frames if f["t"] == "call_ice"]
        assert 40 <= 1 + len(relayed) < 55  # the accept took one from the same burst


@pytest.mark.parametrize("code", [1000, 1001], ids=["leaving", "page-gone"])
async def test_a_party_disconnecting_ends_the_call_for_the_other(
    app: FastAPI, client: AsyncClient, db: AsyncSession, code: int
) -> None:
    async with scene(app, client, db) as s:
        call = await _ring(s)
        await s.customer.send("call_accept", call=call)
        await s.advisor.expect("call_state", lambda f: f["state"] == "accepted")
        await s.advisor.send("call_connected", call=call)
        await s.customer.expect("call_state", lambda f: f["state"] == "connected")
        await s.customer.ws.close(code=code)
        ended = await s.advisor.expect("call_state", lambda f: f["state"] == "ended")
        assert (ended["why"], ended["by"]) == ("disconnected", "Mia")
        entry = (await _timeline(s, "call_ended"))[0]
        assert entry["body"].endswith(": Mia disconnected")
        # The call is gone: its id is stale.
        await s.advisor.send("call_hangup", call=call)
        assert (await s.advisor.expect("error"))["code"] == "unknown_call"


async def _connected_call(s: Scene) -> str:
    call = await _ring_and_accept(s)
    await s.advisor.send("call_connected", call=call)
    await s.customer.expect("call_state", lambda f: f["state"] == "connected")
    return call


async def test_a_call_goes_on_when_a_dropped_socket_is_resumed(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    """The network drops Mia's socket (no close frame) mid-call; her audio never went
    through it. She resumes, and the call is still hers, with no interruption for Sam."""
    async with scene(app, client, db) as s:
        call = await _connected_call(s)
        resume_token = s.customer.token
        s.customer.ws.transport.abort()
        async with open_party(f"ws://{s.host}/ws/world", s.customer_token) as back:
            await back.send("resume", token=resume_token)
            assert (await back.expect("welcome"))["resumed"] is True
            state = await back.expect("call_state")
            assert (state["call"], state["state"]) == (call, "connected")
            assert (state["peer"], state["name"]) == (s.advisor.id, "Sam")
            await s.advisor.send("call_sdp", call=call, kind="offer", sdp=SDP)
            assert (await back.expect("call_sdp"))["sdp"] == SDP
            await back.send("call_mute", call=call, muted=True)
            assert (await s.advisor.expect("call_mute"))["muted"] is True
            await back.send("call_hangup", call=call)
            ended = await s.advisor.expect("call_state", lambda f: f["state"] == "ended")
            assert (ended["why"], ended["by"]) == ("hangup", "Mia")
        assert [f["state"] for f in _call_frames(s.advisor) if f["t"] == "call_state"] == [
            "ringing",
            "accepted",
            "connected",
            "ended",
        ]


async def test_a_dropped_party_who_does_not_come_back_ends_the_call_after_the_grace(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    services_of(app).settings.world_resume_grace_s = 1.0
    async with scene(app, client, db) as s:
        call = await _connected_call(s)
        s.customer.ws.transport.abort()
        ended = await s.advisor.expect("call_state", lambda f: f["state"] == "ended")
        assert (ended["call"], ended["why"], ended["by"]) == (call, "disconnected", "Mia")
        await s.advisor.send("call_hangup", call=call)
        assert (await s.advisor.expect("error"))["code"] == "unknown_call"


async def test_resolving_the_conversation_ends_its_call(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    async with scene(app, client, db) as s:
        call = await _ring(s)
        resolved = await s.client.post(
            f"/api/console/conversations/{s.conversation_id}/resolve",
            json={"disposition": "solved"},
            headers=s.sam,
        )
        assert resolved.status_code == 200, resolved.text
        for c in (s.customer, s.advisor):
            ended = await c.expect("call_state", lambda f: f["state"] == "ended")
            assert ended["call"] == call and ended["why"] == "conversation resolved"
        # And with nobody assigned any more, a new call is refused.
        assert s.customer.id is not None
        await s.advisor.send("call_invite", to=s.customer.id)
        assert (await s.advisor.expect("error"))["code"] == "call_forbidden"


async def test_transferring_the_conversation_to_another_advisor_ends_its_call(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    async with scene(app, client, db) as s:
        lea = await make_staff(
            db, email="lea@example.com", roles=["agent"], brand_slugs=[BRAND], name="Lea"
        )
        await db.commit()
        lea_headers = await login(client, "lea@example.com")
        online = await client.put(
            "/api/console/presence", json={"status": "online"}, headers=lea_headers
        )
        assert online.status_code == 200, online.text
        call = await _ring_and_accept(s)
        moved = await client.post(
            f"/api/console/conversations/{s.conversation_id}/transfer",
            json={"advisor_id": lea.id, "reason": "specialist"},
            headers=s.sam,
        )
        assert moved.status_code == 200, moved.text
        for c in (s.customer, s.advisor):
            ended = await c.expect("call_state", lambda f: f["state"] == "ended")
            assert ended["call"] == call and ended["why"] == "transferred"


async def test_a_late_event_of_an_earlier_state_leaves_the_call_alone(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    """Subscribers hear of a change after its commit, in their turn: the handoff's "queued",
    and the accept that followed it, may both come once a call is under way."""
    async with scene(app, client, db) as s:
        call = await _ring(s)
        bus: EventBus = services_of(app).bus
        late = {"conversation_id": s.conversation_id, "brand_slug": BRAND, "actor_kind": "agent"}
        await bus.publish(
            StateChanged(
                **late,
                from_state="bot",
                to_state="queued",
                agent_id=None,
                previous_agent_id=None,
                reason="handoff requested",
            )
        )
        await s.customer.send("call_accept", call=call)
        for c in (s.customer, s.advisor):
            assert (await c.expect("call_state"))["state"] == "accepted"
        await bus.publish(
            StateChanged(
                **late,
                from_state="queued",
                to_state="assigned",
                agent_id=s.sam_id,
                previous_agent_id=None,
                reason="accepted",
            )
        )
        await s.advisor.send("call_connected", call=call)
        for c in (s.customer, s.advisor):
            assert (await c.expect("call_state"))["state"] == "connected"
        assert not [f for f in _call_frames(s.customer) if f.get("state") == "ended"]


async def test_a_verified_customers_call_lands_on_their_360_timeline(
    app: FastAPI, client: AsyncClient, db: AsyncSession
) -> None:
    async with scene(app, client, db) as s:
        await seed_demo_customer(db)
        brand = await brands.get_by_slug_or_raise(db, slug=BRAND)
        identity = await crm.find_identity(
            db, brand_id=brand.id, identifier=normalise(IdentityKind.EMAIL, DEMO_EMAIL)
        )
        assert identity is not None
        await verification.record(
            db,
            principal=Principal(kind="guest", session_id=s.customer_session, display_name="Mia"),
            brand_id=brand.id,
            customer_id=identity.profile_id,
            method="email_code",
            level=verification.Level.EMAIL_CODE,
            identifier=DEMO_EMAIL,
            ttl_s=600,
        )
        await db.commit()
        call = await _ring(s)
        await s.customer.send("call_accept", call=call)
        await s.advisor.expect("call_state", lambda f: f["state"] == "accepted")
        await s.customer.send("call_connected", call=call)
        await s.advisor.expect("call_state", lambda f: f["state"] == "connected")
        await s.advisor.send("call_hangup", call=call)
        await s.customer.expect("call_state", lambda f: f["state"] == "ended")
        url = f"/api/crm/customers/{identity.profile_id}/timeline"
        summaries: set[str] = set()
        for _ in range(600):
            rows = (await client.get(url, headers=s.sam)).json()
            summaries = {row["summary"] for row in rows if row["kind"] == "conversations.logged"}
            if any(line.startswith("Voice call ended after") for line in summaries):
                break
            await asyncio.sleep(0.05)
        assert "Voice call started" in summaries, summaries
        ended = [line for line in summaries if line.startswith("Voice call ended after")]
        assert ended and ended[0].endswith(", hung up by Sam"), summaries
