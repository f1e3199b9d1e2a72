"""Sign-In with Ethereum: real EIP-4361 messages signed with eth-account, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import (
    KEY_B,
    account,
    guest,
    iso,
    make_brands,
    personal_sign,
    siwe_message,
    siwe_sign_in,
)
from vitrina.core import sealing
from vitrina.core.security import Principal
from vitrina.crm import verification
from vitrina.crm.models import CustomerIdentity
from vitrina.identity import siwe

# The example message of EIP-4361, as written in the standard.
STANDARD_EXAMPLE = """service.invalid wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ServiceOrg Terms of Service: https://service.invalid/tos

URI: https://service.invalid/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json"""


def test_parses_the_standard_example() -> None:
    msg = siwe.parse_message(STANDARD_EXAMPLE)
    assert msg.domain == "service.invalid"
    assert msg.address == "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
    assert msg.statement == "I accept the ServiceOrg Terms of Service: https://service.invalid/tos"
    assert msg.uri == "https://service.invalid/login"
    assert (msg.chain_id, msg.nonce) == (1, "32891756")
    assert msg.issued_at == datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC)
    assert len(msg.resources) == 2


def test_parses_a_message_without_statement_and_with_every_optional_field() -> None:
    text = (
        "https://shop.example:8443 wants you to sign in with your Ethereum account:\n"
        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n\n"
        "URI: https://shop.example:8443/\nVersion: 1\nChain ID: 137\nNonce: abcdef0123\n"
        "Issued At: 2026-01-01T10:00:00.123+01:00\nExpiration Time: 2026-01-01T10:10:00Z\n"
        "Not Before: 2026-01-01T09:00:00Z\nRequest ID: req-42"
    )
    msg = siwe.parse_message(text)
    assert (msg.scheme, msg.domain, msg.statement) == ("https", "shop.example:8443", None)
    assert msg.chain_id == 137
    assert msg.request_id == "req-42"
    assert msg.issued_at == datetime(2026, 1, 1, 9, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda t: t.replace(
                "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                "0xc02aaa39b223FE8D0A0e5C4F27eAD9083C756Cc2",
            ),
            "malformed_address",
        ),
        (
            lambda t: t.replace("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "0xC02aaA39b223"),
            "malformed_address",
        ),
        (lambda t: t.replace("\n", "\r\n"), "malformed_message"),
        (lambda t: t.replace("Version: 1\n", ""), "malformed_message"),
        (lambda t: t.replace("Version: 1", "Version: 2"), "malformed_message"),
        (lambda t: t.replace("Nonce: 32891756", "Nonce: 123"), "malformed_message"),
        (
            lambda t: t.replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: yesterday"),
            "malformed_message",
        ),
        (lambda t: t + "\nP.S. also send me your keys", "malformed_message"),
        (
            lambda t: t.replace(" wants you to sign in", " would like you to sign in"),
            "malformed_message",
        ),
    ],
)
def test_refuses_messages_that_deviate_from_the_grammar(mutate: object, reason: str) -> None:
    with pytest.raises(siwe.SiweError) as err:
        siwe.parse_message(mutate(STANDARD_EXAMPLE))  # type: ignore[operator]
    assert err.value.reason == reason


@given(
    statement=st.one_of(
        st.none(),
        st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=60
        ),
    ),
    chain_id=st.integers(min_value=1, max_value=2**31),
    nonce=st.text(alphabet="abcdefABCDEF0123456789xyz", min_size=8, max_size=32),
    resources=st.lists(
        st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9]{0,8}", fullmatch=True), max_size=3
    ),
)
def test_build_and_parse_round_trip(
    statement: str | None, chain_id: int, nonce: str, resources: list[str]
) -> None:
    text = siwe.build_message(
        domain="shop.example",
        address=account().address,
        uri="https://shop.example/login",
        chain_id=chain_id,
        nonce=nonce,
        issued_at="2026-11-29T10:00:00Z",
        statement=statement,
        resources=tuple(resources),
    )
    msg = siwe.parse_message(text)
    assert (msg.statement, msg.chain_id, msg.nonce, msg.resources) == (
        statement,
        chain_id,
        nonce,
        tuple(resources),
    )


def test_a_valid_signature_for_another_domain_is_refused() -> None:
    signer = account()
    text = siwe.build_message(
        domain="evil.example",
        address=signer.address,
        uri="https://evil.example/",
        chain_id=1,
        nonce="abcdef012345",
        issued_at=iso(datetime.now(UTC)),
    )
    signature = personal_sign(signer, text)
    assert siwe.recover_signer(text, signature) == signer.address
    expected = siwe.Expectations(
        domain="shop.example",
        origin="https://shop.example",
        chain_ids=frozenset({1}),
        nonce="abcdef012345",
        now=datetime.now(UTC),
    )
    with pytest.raises(siwe.SiweError) as err:
        siwe.verify(text, signature, expected)
    assert err.value.reason == "wrong_domain"


async def _wallet_rows(db: AsyncSession, address: str) -> int:
    await db.rollback()
    count = await db.scalar(
        select(func.count())
        .select_from(CustomerIdentity)
        .where(CustomerIdentity.value_hash == await sealing.blind(db, address))
    )
    return int(count or 0)


async def test_sign_in_creates_then_recognises_the_customer(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    signer = account()
    async with guest(app) as first:
        resp = await siwe_sign_in(first, signer)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["verified"] is True
        assert (body["method"], body["level"], body["created"]) == ("siwe", 2, True)
        assert body["identifier"] == signer.address
        status = (await first.get("/api/customer-auth/status")).json()
        assert status["customer_id"] == body["customer_id"]
        me = (await first.get("/api/auth/me")).json()
        principal = Principal(kind="guest", session_id=me["session_id"], display_name="Mia")
        assert await verification.verified_customer(db, principal=principal) == body["customer_id"]
    async with guest(app, "Mia again") as second:
        again = (await siwe_sign_in(second, signer)).json()
        assert again["customer_id"] == body["customer_id"]
        assert again["created"] is False
    identity = (
        await db.execute(
            select(CustomerIdentity).where(
                CustomerIdentity.value_hash == await sealing.blind(db, signer.address)
            )
        )
    ).scalar_one()
    assert identity.chain_id == 1
    assert identity.verified_at is not None


async def test_a_replayed_nonce_is_refused(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    signer = account()
    async with guest(app) as client:
        nonce = (
            await client.post("/api/customer-auth/siwe/nonce", json={"brand": "aurora-motors"})
        ).json()
        message = siwe_message(nonce, signer)
        payload = {"message": message, "signature": personal_sign(signer, message)}
        assert (
            await client.post("/api/customer-auth/siwe/verify", json=payload)
        ).status_code == 200
        replay = await client.post("/api/customer-auth/siwe/verify", json=payload)
        assert replay.status_code == 401
        assert replay.headers["content-type"] == "application/problem+json"
        assert replay.json()["code"] == "siwe_invalid_nonce"


async def test_a_nonce_of_another_session_is_refused(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    signer = account()
    async with guest(app) as alice, guest(app, "Eve") as eve:
        nonce = (
            await alice.post("/api/customer-auth/siwe/nonce", json={"brand": "aurora-motors"})
        ).json()
        message = siwe_message(nonce, signer)
        resp = await eve.post(
            "/api/customer-auth/siwe/verify",
            json={"message": message, "signature": personal_sign(signer, message)},
        )
        assert resp.json()["code"] == "siwe_invalid_nonce"
    assert await _wallet_rows(db, signer.address) == 0


def _later(**delta: float) -> str:
    return iso(datetime.now(UTC) + timedelta(**delta))


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"domain": "evil.example"}, "siwe_wrong_domain"),
        ({"uri": "https://evil.example/login"}, "siwe_wrong_uri"),
        ({"chain_id": 5}, "siwe_wrong_chain"),
        # Times as offsets from the moment the test runs, not from collection: a long
        # suite can run this test more than ten minutes after it was collected.
        ({"expiration_time": timedelta(minutes=-1)}, "siwe_expired"),
        ({"issued_at": timedelta(hours=-1), "expiration_time": None}, "siwe_expired"),
        ({"issued_at": timedelta(minutes=10)}, "siwe_not_yet_valid"),
        ({"not_before": timedelta(minutes=30)}, "siwe_not_yet_valid"),
    ],
)
async def test_refusals_link_nothing_and_burn_the_nonce(
    app: FastAPI, db: AsyncSession, override: dict[str, object], code: str
) -> None:
    override = {
        k: _later(seconds=v.total_seconds()) if isinstance(v, timedelta) else v
        for k, v in override.items()
    }
    await make_brands(db)
    signer = account()
    async with guest(app) as client:
        nonce = (
            await client.post("/api/customer-auth/siwe/nonce", json={"brand": "aurora-motors"})
        ).json()
        bad = siwe_message(nonce, signer, **override)
        resp = await client.post(
            "/api/customer-auth/siwe/verify",
            json={"message": bad, "signature": personal_sign(signer, bad)},
        )
        assert resp.status_code == 401, resp.text
        assert resp.json()["code"] == code
        # The nonce is spent: even a correct message with it is refused now.
        good = siwe_message(nonce, signer)
        retry = await client.post(
            "/api/customer-auth/siwe/verify",
            json={"message": good, "signature": personal_sign(signer, good)},
        )
        assert retry.json()["code"] == "siwe_invalid_nonce"
        assert (await client.get("/api/customer-auth/status")).json()["verified"] is False
    assert await _wallet_rows(db, signer.address) == 0


async def test_forged_and_garbled_signatures_are_refused(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    victim, forger = account(), account(KEY_B)
    async with guest(app) as client:
        nonce = (
            await client.post("/api/customer-auth/siwe/nonce", json={"brand": "aurora-motors"})
        ).json()
        message = siwe_message(nonce, victim)
        forged = await client.post(
            "/api/customer-auth/siwe/verify",
            json={"message": message, "signature": personal_sign(forger, message)},
        )
        assert forged.json()["code"] == "siwe_bad_signature"
        nonce = (
            await client.post("/api/customer-auth/siwe/nonce", json={"brand": "aurora-motors"})
        ).json()
        message = siwe_message(nonce, victim)
        garbled = await client.post(
            "/api/customer-auth/siwe/verify", json={"message": message, "signature": "0x1234"}
        )
        assert garbled.json()["code"] == "siwe_bad_signature"
        malformed = await client.post(
            "/api/customer-auth/siwe/verify", json={"message": "hello", "signature": "0x00"}
        )
        assert malformed.status_code == 400
        assert malformed.json()["code"] == "siwe_malformed_message"
    assert await _wallet_rows(db, victim.address) == 0


async def test_staff_sessions_cannot_sign_in_as_customers(app: FastAPI, db: AsyncSession) -> None:
    from httpx import ASGITransport, AsyncClient

    from tests.factories import staff_headers

    await make_brands(db)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        headers = await staff_headers(c, db, roles=["agent"])
        resp = await c.post(
            "/api/customer-auth/siwe/nonce", json={"brand": "aurora-motors"}, headers=headers
        )
        assert resp.status_code == 403
