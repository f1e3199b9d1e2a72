"""Builders of commerce calls for the isolation table: carts, orders, twins and documents
made through the API by the guest they belong to (the caller itself for its own, another
customer of the other brand otherwise), with real wallet signatures."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from tests.core.isolation_world import PRODUCT, A, Call, Caller, Guest, Target, World, unique
from tests.crm.helpers import personal_sign, siwe_message
from vitrina.brands import service as brands
from vitrina.commerce.models import Twin
from vitrina.commerce.payments.sandbox import sign
from vitrina.core.db import new_id
from vitrina.services import services_of

WALLBOX = ["wb-power-7", "wb-cable-5", "wb-white"]
ADDRESS = {"line1": "Via Roma 1", "city": "Milano", "postal_code": "20121", "country": "IT"}


def outsider(who: Caller) -> bool:
    """Callers every commerce route refuses before looking at an object: no object is
    made for them (their call names one that does not exist)."""
    return who.name == "anonymous" or who.name.startswith("token:")


FAKE = "00000000-0000-0000-0000-000000000000"


def keyed() -> dict[str, str]:
    return {"Idempotency-Key": unique("idem")}


def item_of(brand: str) -> dict[str, Any]:
    """A product each brand sells to anyone: the wallbox at Aurora (its cars are phygital,
    for signed-in customers), the E1 at the other brand (which sells nothing phygital)."""
    if brand == A:
        return {"product": "aurora-wallbox", "option_ids": WALLBOX}
    defaults = [o.id for g in PRODUCT.option_groups for o in g.options if o.default]
    return {"product": PRODUCT.slug, "option_ids": defaults}


async def shopper(w: World, who: Caller, t: Target) -> dict[str, str]:
    """Whose headers make the objects: the caller's on its own brand (a guest or a staff
    member), a new guest of the brand otherwise."""
    if t == "own" and (who.guest is not None or who.user_id is not None):
        return who.headers
    return (await w.new_guest(w.brand(t))).headers


async def _req(w: World, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    w.client.cookies.clear()
    resp = await w.client.request(method, path, headers={**headers, **keyed()}, **kw)
    assert resp.status_code < 300, f"setup {method} {path}: {resp.status_code} {resp.text}"
    return resp.json()


async def cart(
    w: World, headers: dict[str, str], brand: str, *, items: bool = True
) -> dict[str, Any]:
    made = await _req(w, "POST", f"/api/brands/{brand}/commerce/carts", headers)
    if items:
        made = await _req(
            w,
            "POST",
            f"/api/brands/{brand}/commerce/carts/{made['id']}/items",
            headers,
            json=item_of(brand),
        )
    return dict(made)


CHECKOUT = {"name": "Chris Moretti", "email": "chris@example.com", "shipping_address": ADDRESS}


async def order(w: World, headers: dict[str, str], brand: str) -> dict[str, Any]:
    made = await cart(w, headers, brand)
    placed = await _req(
        w,
        "POST",
        f"/api/brands/{brand}/commerce/carts/{made['id']}/checkout",
        headers,
        json=CHECKOUT,
    )
    return dict(placed)


def store(suffix: str, payload: Any = None, *, what: str = "cart") -> Any:
    """A call on the caller's own cart or order (or another customer's)."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        if outsider(who):
            base = f"/api/brands/{brand}/commerce/{what}s/{FAKE}"
            path = (base + suffix).replace("{item}", FAKE).replace("{payment}", FAKE)
            return Call(
                path, json=payload(brand) if callable(payload) else payload, headers=keyed()
            )
        headers = await shopper(w, who, t)
        if what == "cart":
            made = await cart(w, headers, brand, items=suffix != "/items")
            path = f"/api/brands/{brand}/commerce/carts/{made['id']}{suffix}"
            if "{item}" in path:
                path = path.replace("{item}", made["lines"][0]["id"])
        else:
            placed = await order(w, headers, brand)
            path = f"/api/brands/{brand}/commerce/orders/{placed['order']['id']}{suffix}"
            path = path.replace("{payment}", placed["payment"]["id"])
        data = payload(brand) if callable(payload) else payload
        return Call(path, json=data, headers=keyed())

    return build


async def verified(w: World, who: Caller, t: Target) -> tuple[Guest, str, LocalAccount]:
    """A guest signed in with a fresh wallet: the caller itself on its own brand."""
    brand = w.brand(t)
    guest = await w.owner(who, t)
    wallet: LocalAccount = Account.create()
    w.client.cookies.clear()
    nonce = await w.client.post(
        "/api/customer-auth/siwe/nonce", json={"brand": brand}, headers=guest.headers
    )
    message = siwe_message(nonce.json(), wallet)
    done = await w.client.post(
        "/api/customer-auth/siwe/verify",
        json={"message": message, "signature": personal_sign(wallet, message)},
        headers=guest.headers,
    )
    assert done.status_code == 200, done.text
    return guest, str(done.json()["customer_id"]), wallet


async def twin_of(w: World, brand: str, owner_id: str) -> Twin:
    async with services_of(w.app).sessions() as db:
        found = await brands.get_by_slug_or_raise(db, slug=brand)
        twin = Twin(
            id=new_id(),
            brand_id=found.id,
            token=secrets.token_hex(16),
            product_slug=PRODUCT.slug,
            product_title="Aurora E1",
            configuration_id="test",
            serial=unique("SER"),
            owner_id=owner_id,
        )
        db.add(twin)
        await db.commit()
        return twin


def twin_call(action: str) -> Any:
    """challenge: transfer/challenge or redeem/challenge; otherwise the signed act."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        if who.guest is None:  # only a signed-in customer gets past the rules
            kind = action.split("/")[0]
            tail = "/challenge" if action.endswith("challenge") else ""
            return Call(
                f"/api/brands/{brand}/commerce/twins/{FAKE}/{kind}{tail}",
                json={"message": "x" * 10, "signature": "0x" + "00" * 65}
                if not tail
                else {
                    "method": "siwe",
                    "signer": "0x" + "11" * 20,
                    **(
                        {"recipient": {"kind": "email", "value": "a@b.example"}}
                        if kind == "transfer"
                        else {}
                    ),
                },
                headers=keyed(),
            )
        guest, customer_id, wallet = await verified(w, who, t)
        twin = await twin_of(w, brand, customer_id)
        base = f"/api/brands/{brand}/commerce/twins/{twin.id}"
        proof: dict[str, Any] = {"method": "siwe", "signer": wallet.address}
        if action.startswith("transfer"):
            email = f"{unique('to')}@{brand}.example"
            await w.ok(
                "POST",
                "/api/crm/customers",
                json={
                    "brand": brand,
                    "display_name": "Rita",
                    "identities": [{"kind": "email", "value": email}],
                },
            )
            proof["recipient"] = {"kind": "email", "value": email}
        kind = action.split("/")[0]
        if action.endswith("challenge"):
            return Call(f"{base}/{kind}/challenge", json=proof, headers=keyed())
        issued = await _req(w, "POST", f"{base}/{kind}/challenge", guest.headers, json=proof)
        text = issued["message"]
        return Call(
            f"{base}/{kind}",
            json={"message": text, "signature": personal_sign(wallet, text)},
            headers=keyed(),
        )

    return build


async def shared_document(w: World, brand: str, customer_id: str) -> dict[str, Any]:
    made = await w.ok(
        "POST",
        f"/api/staff/commerce/brands/{brand}/documents",
        json={
            "customer_id": customer_id,
            "kind": "quote",
            "title": "E1 quote",
            "price": "34900.00",
        },
        headers=keyed(),
    )
    return dict(made)


def document_call(action: str) -> Any:
    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        if who.guest is None:
            base = f"/api/brands/{brand}/commerce/documents/{FAKE}"
            if action == "pdf":
                return Call(f"{base}/pdf")
            tail = "/countersign/challenge" if action == "challenge" else "/countersign"
            data: dict[str, Any] = (
                {"method": "siwe", "signer": "0x" + "11" * 20}
                if action == "challenge"
                else {"message": "x" * 10, "signature": "0x" + "00" * 65}
            )
            return Call(base + tail, json=data, headers=keyed())
        guest, customer_id, wallet = await verified(w, who, t)
        doc = await shared_document(w, brand, customer_id)
        base = f"/api/brands/{brand}/commerce/documents/{doc['id']}"
        proof = {"method": "siwe", "signer": wallet.address}
        if action == "pdf":
            return Call(f"{base}/pdf")
        if action == "challenge":
            return Call(f"{base}/countersign/challenge", json=proof, headers=keyed())
        issued = await _req(w, "POST", f"{base}/countersign/challenge", guest.headers, json=proof)
        text = issued["message"]
        return Call(
            f"{base}/countersign",
            json={"message": text, "signature": personal_sign(wallet, text)},
            headers=keyed(),
        )

    return build


async def my_list(w: World, who: Caller, t: Target) -> Call:
    return Call(f"/api/brands/{w.brand(t)}/commerce/orders")


def customer_list(what: str) -> Any:
    async def build(w: World, who: Caller, t: Target) -> Call:
        if who.guest is not None and t == "own":
            await verified(w, who, t)
        return Call(f"/api/brands/{w.brand(t)}/commerce/{what}")

    return build


async def webhook(w: World, who: Caller, t: Target) -> Call:
    body = json.dumps(
        {
            "id": unique("evt"),
            "type": "payment.succeeded",
            "created": int(time.time()),
            "data": {"intent": "pi_unknown", "amount_minor": 100},
        }
    ).encode()
    secret = services_of(w.app).payments.sandbox.secret
    return Call(
        "/api/commerce/webhooks/sandbox",
        content=body,
        headers={
            "vitrina-signature": sign(secret, body, int(time.time())),
            "content-type": "application/json",
        },
    )


async def verify_pdf(w: World, who: Caller, t: Target) -> Call:
    return Call(
        f"/api/brands/{w.brand(t)}/commerce/documents/verify-pdf",
        content=b"%PDF-1.3 not one of ours",
        headers={"content-type": "application/pdf"},
    )


def desk(suffix: str, payload: Any = None) -> Any:
    """The staff's side: an order placed by a new guest of the target brand."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        if who.user_id is None:
            return Call(
                f"/api/staff/commerce/brands/{brand}/orders/{FAKE}{suffix}",
                json=payload,
                headers=keyed(),
            )
        placed = await order(w, (await w.new_guest(brand)).headers, brand)
        return Call(
            f"/api/staff/commerce/brands/{brand}/orders/{placed['order']['id']}{suffix}",
            json=payload,
            headers=keyed(),
        )

    return build


async def desk_customer(w: World, who: Caller, t: Target) -> Call:
    if who.user_id is None:
        return Call(f"/api/staff/commerce/brands/{w.brand(t)}/customers/{FAKE}")
    made = await w.customer(w.brand(t))
    return Call(f"/api/staff/commerce/brands/{w.brand(t)}/customers/{made['id']}")


async def desk_document(w: World, who: Caller, t: Target) -> Call:
    made = await w.customer(w.brand(t))
    return Call(
        f"/api/staff/commerce/brands/{w.brand(t)}/documents",
        json={"customer_id": made["id"], "kind": "quote", "title": "Quote", "price": "100.00"},
        headers=keyed(),
    )


async def desk_pdf(w: World, who: Caller, t: Target) -> Call:
    if who.user_id is None:
        return Call(f"/api/staff/commerce/brands/{w.brand(t)}/documents/{FAKE}/pdf")
    brand = w.brand(t)
    made = await w.customer(brand)
    doc = await shared_document(w, brand, made["id"])
    return Call(f"/api/staff/commerce/brands/{brand}/documents/{doc['id']}/pdf")


async def desk_redeem(w: World, who: Caller, t: Target) -> Call:
    brand = w.brand(t)
    if who.user_id is None:
        return Call(
            f"/api/staff/commerce/brands/{brand}/twins/redeem-physical",
            json={"serial": "SER-0"},
            headers=keyed(),
        )
    made = await w.customer(brand)
    twin = await twin_of(w, brand, made["id"])
    return Call(
        f"/api/staff/commerce/brands/{brand}/twins/redeem-physical",
        json={"serial": twin.serial},
        headers=keyed(),
    )


def rules_body(brand: str) -> dict[str, Any]:
    return {
        "tax_rate": "0.22",
        "deposit": "1000.00",
        "phygital_products": ["aurora-e1", "aurora-gt"] if brand == A else [],
    }


def stock_body(brand: str) -> dict[str, Any]:
    return {"on_hand": 100_000}


def sha_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def new_cart(w: World, who: Caller, t: Target) -> Call:
    return Call(f"/api/brands/{w.brand(t)}/commerce/carts", headers=keyed())
