"""Shared documents: a brand-signed PDF, countersigned by the customer's wallet or did:key,
verifiable later by either side."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import (
    AURORA,
    SHOP,
    account,
    customer,
    did_customer,
    key,
    ok,
    open_shop,
    personal_sign,
)
from tests.crm.helpers import KEY_B
from tests.factories import staff_headers
from vitrina.identity import didkey

DESK = f"/api/staff/commerce/brands/{AURORA}"
OFFER = {
    "kind": "financing",
    "title": "Aurora E1, 48 months",
    "price": "34900.00",
    "deposit": "4900.00",
    "months": 48,
    "annual_rate": "0.0499",
}


async def _share(
    client: AsyncClient, staff: dict[str, str], customer_id: str, **extra: object
) -> dict[str, object]:
    return dict(
        await ok(
            await client.post(
                f"{DESK}/documents",
                json={**OFFER, "customer_id": customer_id, **extra},
                headers={**staff, **key()},
            ),
            201,
        )
    )


async def test_share_countersign_and_verify_with_a_wallet(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    wallet = account()
    async with customer(app, wallet, "Giulia") as c:
        customer_id = c.headers["x-test-customer"]
        shared = await _share(client, staff, customer_id)
        assert shared["terms"]["monthly"] == "690.74"  # 30,000 at 4.99 % over 48 months
        [doc] = await ok(await c.get(f"{SHOP}/documents"))
        assert (doc["id"], doc["status"], doc["version"]) == (shared["id"], "shared", 1)
        pdf = await c.get(f"{SHOP}/documents/{doc['id']}/pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        digest = hashlib.sha256(pdf.content).hexdigest()
        assert digest == doc["sha256"]
        # The brand's detached signature over the hash, checked with its published key.
        published = await ok(await c.get(f"{SHOP}/documents/key"))
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(published["public_key"])).verify(
            __import__("base64").urlsafe_b64decode(doc["brand_signature"] + "=="),
            bytes.fromhex(digest),
        )
        # Countersign: a wallet the customer never proved cannot.
        resp = await c.post(
            f"{SHOP}/documents/{doc['id']}/countersign/challenge",
            json={"method": "siwe", "signer": account(KEY_B).address},
            headers=key(),
        )
        assert resp.status_code == 403
        text = (
            await ok(
                await c.post(
                    f"{SHOP}/documents/{doc['id']}/countersign/challenge",
                    json={"method": "siwe", "signer": wallet.address},
                    headers=key(),
                )
            )
        )["message"]
        assert f"SHA-256 {digest}" in text
        forged = await c.post(
            f"{SHOP}/documents/{doc['id']}/countersign",
            json={"message": text, "signature": personal_sign(account(KEY_B), text)},
            headers=key(),
        )
        assert (forged.status_code, forged.json()["code"]) == (403, "proof_invalid")
        signed = await ok(
            await c.post(
                f"{SHOP}/documents/{doc['id']}/countersign",
                json={"message": text, "signature": personal_sign(wallet, text)},
                headers=key(),
            )
        )
        assert (signed["status"], signed["countersign_method"]) == ("countersigned", "siwe")
    # Anyone holding the PDF can tell which version was agreed.
    verdict = await ok(
        await client.post(
            f"/api/brands/{AURORA}/commerce/documents/verify-pdf",
            content=pdf.content,
            headers={"content-type": "application/pdf"},
        )
    )
    assert verdict["known"] and verdict["version"] == 1
    assert verdict["brand_signature_valid"] and verdict["countersignature_valid"]
    tampered = pdf.content + b"\n% one byte more"
    unknown = await ok(
        await client.post(
            f"/api/brands/{AURORA}/commerce/documents/verify-pdf",
            content=tampered,
            headers={"content-type": "application/pdf"},
        )
    )
    assert unknown == {**unknown, "known": False, "brand_signature_valid": False}
    # A new version: the countersigned one stays what was agreed; the verdict says a later
    # version exists.
    v2 = await _share(client, staff, customer_id, replaces=shared["thread_id"], months=60)
    assert (v2["version"], v2["thread_id"]) == (2, shared["thread_id"])
    old = await ok(
        await client.post(
            f"/api/brands/{AURORA}/commerce/documents/verify", json={"sha256": digest}
        )
    )
    assert (old["version"], old["latest_version"], old["status"]) == (1, 2, "countersigned")


async def test_countersign_with_a_did_key_and_versions_withdraw(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    secret = Ed25519PrivateKey.generate()
    did = didkey.did_of(secret.public_key())
    async with did_customer(app, secret) as c:
        customer_id = c.headers["x-test-customer"]
        v1 = await _share(client, staff, customer_id, kind="quote", title="E1 quote")
        v2 = await _share(
            client,
            staff,
            customer_id,
            kind="quote",
            title="E1 quote",
            replaces=v1["thread_id"],
            price="33900.00",
        )
        listed = {d["version"]: d["status"] for d in await ok(await c.get(f"{SHOP}/documents"))}
        assert listed == {1: "withdrawn", 2: "shared"}
        resp = await c.post(
            f"{SHOP}/documents/{v1['id']}/countersign/challenge",
            json={"method": "did", "signer": did},
            headers=key(),
        )
        assert (resp.status_code, resp.json()["code"]) == (409, "document_state")
        text = (
            await ok(
                await c.post(
                    f"{SHOP}/documents/{v2['id']}/countersign/challenge",
                    json={"method": "did", "signer": did},
                    headers=key(),
                )
            )
        )["message"]
        signed = await ok(
            await c.post(
                f"{SHOP}/documents/{v2['id']}/countersign",
                json={"message": text, "signature": secret.sign(text.encode()).hex()},
                headers=key(),
            )
        )
        assert signed["countersign_method"] == "did"
    verdict = await ok(
        await client.post(
            f"/api/brands/{AURORA}/commerce/documents/verify", json={"sha256": v2["sha256"]}
        )
    )
    assert verdict["countersignature_valid"] and verdict["brand_signature_valid"]


async def test_another_customer_cannot_read_or_sign(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    async with customer(app, account()) as owner:
        shared = await _share(client, staff, owner.headers["x-test-customer"])
    async with customer(app, account(KEY_B), "Bruno") as other:
        assert await ok(await other.get(f"{SHOP}/documents")) == []
        assert (await other.get(f"{SHOP}/documents/{shared['id']}/pdf")).status_code == 404
