"""Two brands with one of everything, and callers of every kind, for the isolation matrix.

Brand A (the demo brand) is the callers' own; brand B is somebody else's. Objects are made
through the API by a super-admin or a guest, as users would make them, and each call gets
what it needs fresh (a conversation, a token to revoke), so no call depends on the ones
before it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.factories import make_staff, seed_demo
from vitrina.brands.demo import demo_brand_data
from vitrina.catalog.demo import demo_products
from vitrina.catalog.demo_assets import sign_glb
from vitrina.identity import service as identity
from vitrina.scheduling.demo import RESOURCES, SHOP_HOURS, TIMEZONE, TYPES
from vitrina.services import services_of

A, B = "aurora-motors", "borealis-bikes"
Target = Literal["own", "other"]
STAFF_ROLES = ("agent", "supervisor", "admin", "dpo")
TOKEN_SCOPES = ("crm:read", "crm:write", "crm:import", "webhooks:manage")
CALLERS = (
    "anonymous",
    "guest",
    *STAFF_ROLES,
    "superadmin",
    *(f"token:{s}" for s in TOKEN_SCOPES),
)
PRODUCT = demo_products()[0]
# The product's default choice in every group: a configuration the rules accept.
DEFAULT_OPTIONS = [o.id for g in PRODUCT.option_groups for o in g.options if o.default]
_serial = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


def unique_phone() -> str:
    return f"+3361{next(_serial):07d}"


@dataclass
class Guest:
    session_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"cookie": f"vitrina_guest={self.token}; vitrina_csrf=c", "x-csrf-token": "c"}


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    user_id: str | None = None
    guest: Guest | None = None


@dataclass
class Call:
    """One request: the path with its parameters filled in, a query, and a body."""

    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


class World:
    def __init__(self, app: FastAPI, client: AsyncClient) -> None:
        self.app = app
        self.client = client
        self.users: dict[tuple[str, str], str] = {}  # (brand, role) -> user id
        self.superadmin_id = ""
        self.tokens: dict[str, str] = {}  # scope -> bearer token of brand A
        self.purpose = ""

    # --- building -----------------------------------------------------------------

    async def build(self) -> None:
        async with services_of(self.app).sessions() as db:
            await seed_demo(db)
            su = await make_staff(
                db, email="ops@example.com", roles=["superadmin"], name="Operator"
            )
            self.superadmin_id = su.id
            for brand in (A, B):
                for role in STAFF_ROLES:
                    user = await make_staff(
                        db, email=f"{role}@{brand}.test", roles=[role], brand_slugs=[brand]
                    )
                    self.users[brand, role] = user.id
        other = demo_brand_data().model_copy(update={"slug": B, "name": "Borealis Bikes"})
        await self.ok("POST", "/api/admin/brands", json=other.model_dump(mode="json"))
        await self.ok(
            "PUT",
            f"/api/admin/brands/{B}/catalog/products/{PRODUCT.slug}",
            json=PRODUCT.model_dump(mode="json", exclude={"asset_sha256"}),
        )
        kind, name, skills, _ = RESOURCES[0]
        for data in TYPES:
            body = data.model_copy(update={"brand_slug": B}).model_dump(mode="json")
            await self.ok("POST", "/api/staff/scheduling/types", json=body)
        for kind, name, skills, _ in RESOURCES:
            await self.ok(
                "POST",
                "/api/staff/scheduling/resources",
                json={
                    "brand_slug": B,
                    "kind": kind,
                    "name": name,
                    "skills": skills,
                    "timezone": TIMEZONE,
                    "weekly_hours": SHOP_HOURS,
                },
            )
        for queue in ("general", "sales"):
            await self.ok(
                "POST",
                "/api/routing/queues",
                json={"brand": B, "name": queue, "title": queue.title()},
            )
        for scope in TOKEN_SCOPES:
            made = await self.ok(
                "POST",
                "/api/admin/api-tokens",
                json={"name": scope, "scopes": [scope], "brand_slugs": [A]},
            )
            self.tokens[scope] = made["token"]
        # Every call below may hold a unit for its checkout: enough for all of them.
        for brand, product in ((A, "aurora-wallbox"), (B, PRODUCT.slug)):
            await self.ok(
                "PUT",
                f"/api/admin/brands/{brand}/commerce/stock/{product}",
                json={"on_hand": 100_000},
            )
        purposes = await self.ok("GET", f"/api/privacy/brands/{A}/purposes")
        self.purpose = next(p["purpose"] for p in purposes if not p["required"])

    async def new_guest(self, brand: str = A) -> Guest:
        async with services_of(self.app).sessions() as db:
            guest, token = await identity.create_guest(
                db, secret=services_of(self.app).settings.resolved_secret_key, brand_slug=brand
            )
            await db.commit()
        return Guest(guest.id, token)

    async def superadmin_headers(self) -> dict[str, str]:
        return await self._staff_headers(self.superadmin_id)

    async def _staff_headers(self, user_id: str) -> dict[str, str]:
        async with services_of(self.app).sessions() as db:
            user = await identity.get_user_or_raise(db, user_id=user_id)
            token, _ = await identity.create_staff_session(db, user=user, ttl_s=3600)
            await db.commit()
        return {"authorization": f"Bearer {token}"}

    async def caller(self, caller: str) -> Caller:
        """Fresh credentials of `caller`: a new session (or a new guest), so a call that signs
        out, revokes sessions or changes a conversation spoils none of the calls after it."""
        if caller == "anonymous":
            return Caller(caller, {})
        if caller == "guest":
            guest = await self.new_guest(A)
            return Caller(caller, guest.headers, guest=guest)
        if caller == "superadmin":
            return Caller(caller, await self._staff_headers(self.superadmin_id), self.superadmin_id)
        if caller.startswith("token:"):
            token = self.tokens[caller.removeprefix("token:")]
            return Caller(caller, {"authorization": f"Bearer {token}"})
        user_id = self.users[A, caller]
        return Caller(caller, await self._staff_headers(user_id), user_id)

    async def request(self, method: str, call: Call, caller_headers: dict[str, str]) -> Response:
        self.client.cookies.clear()
        return await self.client.request(
            method,
            call.path,
            params=call.params,
            json=call.json,
            content=call.content,
            headers={**caller_headers, **call.headers},
        )

    async def ok(
        self,
        method: str,
        path: str,
        *,
        as_guest: Guest | None = None,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> Any:
        """A setup request that must succeed; made by the super-admin unless a guest."""
        auth = as_guest.headers if as_guest else await self.superadmin_headers()
        self.client.cookies.clear()
        resp = await self.client.request(method, path, headers={**auth, **(headers or {})}, **kw)
        assert resp.status_code < 300, f"setup {method} {path}: {resp.status_code} {resp.text}"
        return resp.json() if resp.content else None

    # --- objects of one brand -------------------------------------------------------

    @staticmethod
    def brand(target: Target) -> str:
        return A if target == "own" else B

    async def owner(self, who: Caller, target: Target) -> Guest:
        """The guest whose objects a call works on: the calling guest itself for its own,
        otherwise a new guest of the target brand."""
        if target == "own" and who.guest is not None:
            return who.guest
        return await self.new_guest(self.brand(target))

    async def conversation(self, brand: str, guest: Guest, *, queued: bool = False) -> str:
        found = await self.ok(
            "POST", "/api/conversations", json={"brand": brand, "body": "Hello"}, as_guest=guest
        )
        if queued and found["state"] == "bot":
            await self.ok(
                "POST", f"/api/conversations/{found['id']}/handoff", json={}, as_guest=guest
            )
        return str(found["id"])

    async def fresh_conversation(self, brand: str, *, queued: bool = True) -> str:
        """A conversation of a new guest of `brand` (the console's side of things)."""
        return await self.conversation(brand, await self.new_guest(brand), queued=queued)

    async def customer(self, brand: str) -> dict[str, Any]:
        email = f"{unique('c')}@{brand}.example"
        made: dict[str, Any] = await self.ok(
            "POST",
            "/api/crm/customers",
            json={
                "brand": brand,
                "display_name": "Chris",
                "identities": [{"kind": "email", "value": email}],
            },
        )
        return made

    async def merge(self, brand: str) -> str:
        survivor, merged = await self.customer(brand), await self.customer(brand)
        made = await self.ok(
            "POST",
            "/api/crm/merges",
            json={"survivor_id": survivor["id"], "merged_id": merged["id"], "reason": "same"},
        )
        return str(made["id"])

    async def crm_webhook(self, brand: str) -> str:
        made = await self.ok(
            "POST", "/api/crm/webhooks", json={"brand": brand, "url": "https://hooks.example/in"}
        )
        return str(made["id"])

    async def api_token(self, brand: str) -> str:
        made = await self.ok(
            "POST",
            "/api/admin/api-tokens",
            json={"name": unique("t"), "scopes": ["crm:read"], "brand_slugs": [brand]},
        )
        return str(made["id"])

    async def privacy_request(self, brand: str, guest: Guest) -> str:
        made = await self.ok(
            "POST",
            f"/api/privacy/brands/{brand}/requests",
            json={"kind": "access"},
            as_guest=guest,
        )
        return str(made["id"])

    async def appointment(self, brand: str, guest: Guest) -> str:
        slots = await self.ok(
            "GET",
            f"/api/brands/{brand}/scheduling/availability",
            params={"type": "showroom-visit", "limit": 50},
        )
        for slot in slots["slots"]:
            self.client.cookies.clear()
            resp = await self.client.post(
                f"/api/brands/{brand}/appointments",
                json={"type": "showroom-visit", "start": slot["start"]},
                headers=guest.headers,
            )
            if resp.status_code == 201:
                return str(resp.json()["id"])
        raise AssertionError(f"no free showroom visit for {brand}")

    async def resource(self, brand: str) -> str:
        rows = await self.ok("GET", "/api/staff/scheduling/resources", params={"brand": brand})
        return str(rows[0]["id"])

    async def staff_session_of(self, brand: str) -> str:
        """A session of one of `brand`'s advisors (another person's, for the caller)."""
        async with services_of(self.app).sessions() as db:
            user = await identity.get_user_or_raise(db, user_id=self.users[brand, "agent"])
            _, session = await identity.create_staff_session(db, user=user, ttl_s=3600)
            await db.commit()
        return session.id

    async def asset_upload(self) -> bytes:
        return sign_glb()

    def start_in(self, days: int) -> str:
        from vitrina.core.db import utcnow

        return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()
