"""did:key sign-in with real Ed25519 signatures made by `cryptography`."""

from __future__ import annotations

import base64

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.crm.helpers import AURORA, guest, make_brands
from vitrina.identity import didkey


def _b64(sig: bytes) -> str:
    return base64.urlsafe_b64encode(sig).decode().rstrip("=")


def test_did_round_trip_and_the_spec_test_vector() -> None:
    key = Ed25519PrivateKey.generate()
    did = didkey.did_of(key.public_key())
    assert did.startswith("did:key:z6Mk")
    signature = key.sign(b"hello")
    didkey.verify(did, "hello", _b64(signature))
    didkey.verify(did, "hello", signature.hex())
    # From the did:key method specification's Ed25519 examples.
    didkey.public_key_of("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")


@pytest.mark.parametrize(
    ("did", "reason"),
    [
        ("did:web:example.com", "malformed_did"),
        ("did:key:z0OIl", "malformed_did"),
        # A secp256k1 did:key (multicodec 0xe7): valid, but not a key type we accept.
        ("did:key:z" + base58.b58encode(b"\xe7\x01" + b"\x02" * 33).decode(), "unsupported_key"),
    ],
)
def test_refuses_other_dids(did: str, reason: str) -> None:
    with pytest.raises(didkey.DidKeyError) as err:
        didkey.public_key_of(did)
    assert err.value.reason == reason


async def _challenge(client: AsyncClient, did: str) -> str:
    resp = await client.post("/api/customer-auth/did/challenge", json={"brand": AURORA, "did": did})
    assert resp.status_code == 200, resp.text
    text: str = resp.json()["challenge"]
    return text


async def test_did_key_sign_in(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    key = Ed25519PrivateKey.generate()
    did = didkey.did_of(key.public_key())
    async with guest(app) as client:
        text = await _challenge(client, did)
        assert did in text
        payload = {"challenge": text, "signature": _b64(key.sign(text.encode()))}
        resp = await client.post("/api/customer-auth/did/verify", json=payload)
        assert resp.status_code == 200, resp.text
        assert (resp.json()["method"], resp.json()["level"]) == ("did", 2)
        assert resp.json()["identifier"] == did
        replay = await client.post("/api/customer-auth/did/verify", json=payload)
        assert replay.json()["code"] == "did_invalid_nonce"


async def test_did_refusals(app: FastAPI, db: AsyncSession) -> None:
    await make_brands(db)
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    did = didkey.did_of(key.public_key())
    async with guest(app) as client:
        text = await _challenge(client, did)
        wrong_key = await client.post(
            "/api/customer-auth/did/verify",
            json={"challenge": text, "signature": _b64(other.sign(text.encode()))},
        )
        assert wrong_key.status_code == 401
        assert wrong_key.json()["code"] == "did_bad_signature"
        text = await _challenge(client, did)
        tampered = text.replace("to sign in", "to pay")
        changed = await client.post(
            "/api/customer-auth/did/verify",
            json={"challenge": tampered, "signature": _b64(key.sign(tampered.encode()))},
        )
        assert changed.json()["code"] == "did_wrong_challenge"
        bad_did = await client.post(
            "/api/customer-auth/did/challenge", json={"brand": AURORA, "did": "did:key:zzz0"}
        )
        assert bad_did.status_code == 400
        assert (await client.get("/api/customer-auth/status")).json()["verified"] is False
