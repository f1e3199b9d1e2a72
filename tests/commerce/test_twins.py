"""Phygital twins: minted when paid, transferred only with the owner's fresh signature,
retired when either the token or the physical unit is redeemed."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.commerce.helpers import (
    AURORA,
    SHOP,
    account,
    buy_car,
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


async def _challenge(c: AsyncClient, twin_id: str, signer: str, to: dict[str, str]) -> str:
    body = {"method": "siwe", "signer": signer, "recipient": to}
    return str(
        (
            await ok(
                await c.post(f"{SHOP}/twins/{twin_id}/transfer/challenge", json=body, headers=key())
            )
        )["message"]
    )


async def test_transfer_needs_the_owners_signature(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    owner_wallet, buyer_wallet = account(), account(KEY_B)
    async with customer(app, buyer_wallet, "Bruno") as buyer:
        assert await ok(await buyer.get(f"{SHOP}/garage")) == []
    async with customer(app, owner_wallet) as owner:
        [twin] = (await buy_car(owner, app))["twins"]
        to = {"kind": "wallet", "value": buyer_wallet.address}
        transfer = f"{SHOP}/twins/{twin['id']}/transfer"
        # A key the owner never proved is refused before anything is signed.
        resp = await owner.post(
            f"{transfer}/challenge",
            json={"method": "siwe", "signer": buyer_wallet.address, "recipient": to},
            headers=key(),
        )
        assert (resp.status_code, resp.json()["code"]) == (403, "proof_invalid")
        message = await _challenge(owner, twin["id"], owner_wallet.address, to)
        assert twin["serial"] in message and "Nonce: " in message
        # Without a proof, with someone else's signature, or with the text changed: refused.
        for body in (
            {"message": message, "signature": "0x" + "00" * 65},
            {"message": message, "signature": personal_sign(buyer_wallet, message)},
            {
                "message": message.replace("transfer", "give"),
                "signature": personal_sign(owner_wallet, message.replace("transfer", "give")),
            },
        ):
            resp = await owner.post(transfer, json=body, headers=key())
            assert (resp.status_code, resp.json()["code"]) == (403, "proof_invalid"), resp.text
        signed = {"message": message, "signature": personal_sign(owner_wallet, message)}
        moved = await ok(await owner.post(transfer, json=signed, headers=key()))
        assert moved["transfers"] == 1
        assert await ok(await owner.get(f"{SHOP}/garage")) == []
        # The same proof a second time: the twin is no longer the signer's.
        again = await owner.post(transfer, json=signed, headers=key())
        assert again.status_code == 404
    async with customer(app, buyer_wallet, "Bruno") as buyer:
        [mine] = await ok(await buyer.get(f"{SHOP}/garage"))
        assert (mine["id"], mine["serial"]) == (twin["id"], twin["serial"])


async def test_redeeming_the_token_retires_the_pair(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    wallet = account()
    async with customer(app, wallet) as owner:
        [twin] = (await buy_car(owner, app))["twins"]
        challenge = await ok(
            await owner.post(
                f"{SHOP}/twins/{twin['id']}/redeem/challenge",
                json={"method": "siwe", "signer": wallet.address},
                headers=key(),
            )
        )
        text = challenge["message"]
        done = await ok(
            await owner.post(
                f"{SHOP}/twins/{twin['id']}/redeem",
                json={"message": text, "signature": personal_sign(wallet, text)},
                headers=key(),
            )
        )
        assert (done["status"], done["redeemed_side"]) == ("redeemed", "digital")
        # The physical unit is claimed: handing it over again is refused.
        resp = await client.post(
            f"{DESK}/twins/redeem-physical",
            json={"serial": twin["serial"]},
            headers={**staff, **key()},
        )
        assert (resp.status_code, resp.json()["code"]) == (409, "twin_retired")
        resp = await owner.post(
            f"{SHOP}/twins/{twin['id']}/transfer/challenge",
            json={
                "method": "siwe",
                "signer": wallet.address,
                "recipient": {"kind": "wallet", "value": account(KEY_B).address},
            },
            headers=key(),
        )
        assert resp.status_code in (404, 409)


async def test_handing_over_the_unit_retires_the_token(
    app: FastAPI, db: AsyncSession, client: AsyncClient
) -> None:
    await open_shop(app, db)
    staff = await staff_headers(client, db, roles=["agent"], brand_slugs=[AURORA])
    wallet = account()
    async with customer(app, wallet) as owner:
        [twin] = (await buy_car(owner, app))["twins"]
        handed = await ok(
            await client.post(
                f"{DESK}/twins/redeem-physical",
                json={"serial": twin["serial"]},
                headers={**staff, **key()},
            )
        )
        assert (handed["status"], handed["redeemed_side"]) == ("redeemed", "physical")
        resp = await owner.post(
            f"{SHOP}/twins/{twin['id']}/redeem/challenge",
            json={"method": "siwe", "signer": wallet.address},
            headers=key(),
        )
        assert (resp.status_code, resp.json()["code"]) == (409, "twin_retired")
        [still] = await ok(await owner.get(f"{SHOP}/garage"))
        assert still["status"] == "redeemed"


async def test_a_did_key_owner_transfers_with_an_ed25519_signature(
    app: FastAPI, db: AsyncSession
) -> None:
    await open_shop(app, db)
    secret = Ed25519PrivateKey.generate()
    did = didkey.did_of(secret.public_key())
    buyer_wallet = account(KEY_B)
    async with customer(app, buyer_wallet, "Bruno"):
        pass
    async with did_customer(app, secret) as owner:
        [twin] = (await buy_car(owner, app))["twins"]
        body = {
            "method": "did",
            "signer": did,
            "recipient": {"kind": "wallet", "value": buyer_wallet.address},
        }
        text = (
            await ok(
                await owner.post(
                    f"{SHOP}/twins/{twin['id']}/transfer/challenge", json=body, headers=key()
                )
            )
        )["message"]
        other = Ed25519PrivateKey.generate()
        resp = await owner.post(
            f"{SHOP}/twins/{twin['id']}/transfer",
            json={"message": text, "signature": other.sign(text.encode()).hex()},
            headers=key(),
        )
        assert resp.status_code == 403
        await ok(
            await owner.post(
                f"{SHOP}/twins/{twin['id']}/transfer",
                json={"message": text, "signature": secret.sign(text.encode()).hex()},
                headers=key(),
            )
        )
        assert await ok(await owner.get(f"{SHOP}/garage")) == []


async def test_the_garage_needs_a_signed_in_customer(app: FastAPI, db: AsyncSession) -> None:
    await open_shop(app, db)
    from tests.commerce.helpers import guest

    async with guest(app) as c:
        resp = await c.get(f"{SHOP}/garage")
        assert (resp.status_code, resp.json()["code"]) == (403, "verification_required")
