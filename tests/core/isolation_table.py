"""Who may call each HTTP operation, on their own brand and on another: one row per operation.

A row names the callers the operation lets through (`who`), whether it works on one brand's
objects (`scoped`: then an allowed caller of brand A must be refused brand B's, with 403 or
404, unless a super-admin) and how to build a valid call on a target brand. Statuses in
`ok` are the answers an allowed call on its own brand may get: a success, and for the few
operations whose outcome depends on a conversation's state, the 409 that proves the caller
got past the access checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tests.core import isolation_commerce as shop
from tests.core.isolation_world import (
    CALLERS,
    DEFAULT_OPTIONS,
    PRODUCT,
    STAFF_ROLES,
    Call,
    Caller,
    Target,
    World,
    unique,
    unique_phone,
)
from tests.factories import PASSWORD, make_staff
from vitrina.services import services_of

Build = Callable[[World, Caller, Target], Awaitable[Call]]

EVERYONE = frozenset(CALLERS)
SUPER = frozenset({"superadmin"})
ADMIN = frozenset({"admin", "superadmin"})
SUPERVISOR = frozenset({"supervisor", "admin", "superadmin"})
DPO = frozenset({"dpo", "admin", "superadmin"})
STAFF = frozenset({*STAFF_ROLES, "superadmin"})
GUEST = frozenset({"guest"})
GUEST_OR_STAFF = GUEST | STAFF
CRM_READ = STAFF | {"token:crm:read"}
CRM_WRITE = STAFF | {"token:crm:write"}
CRM_IMPORT = STAFF | {"token:crm:import"}
WEBHOOKS = SUPERVISOR | {"token:webhooks:manage"}
OK = frozenset(range(200, 300))
OK_OR_STATE = OK | {409}


@dataclass(frozen=True)
class Row:
    who: frozenset[str]
    build: Build
    scoped: bool = True
    ok: frozenset[int] = OK
    # How a refused other-brand call may answer; 403 alone where the brand is named in the
    # path and the object behind it does not exist for either brand.
    refused: frozenset[int] = field(default_factory=lambda: frozenset({403, 404}))
    # False where "other" is another person's object rather than another brand's: a
    # super-admin has no more claim to somebody else's session than anyone.
    superadmin_crosses: bool = True


def plain(path: str, **params: str) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        fill = {k: v.format(brand=brand) for k, v in params.items()}
        return Call(path.format(brand=brand), params=fill)

    return build


def body(path: str, payload: object, **params: str) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        fill = {k: v.format(brand=brand) for k, v in params.items()}
        data = payload(brand) if callable(payload) else payload
        return Call(path.format(brand=brand), params=fill, json=data)

    return build


async def _pledge(w: World, who: Caller, t: Target) -> Call:
    from vitrina.brands import service as brands
    from vitrina.ledger import pledges

    async with services_of(w.app).sessions() as db:
        brand = await brands.get_by_slug_or_raise(db, slug=w.brand(t))
        made = await pledges.define(
            db, brand_id=brand.id, action="booking.created", texts=_PLEDGE_TEXTS
        )
        await db.commit()
    return Call(f"/api/ledger/brands/{w.brand(t)}/pledges/{made.id}", json={"active": False})


_PLEDGE_TEXTS = {"en": "One tree planted", "fr": "Un arbre planté", "it": "Un albero piantato"}


# --- builders that need objects ------------------------------------------------------------


async def _login(w: World, who: Caller, t: Target) -> Call:
    async with services_of(w.app).sessions() as db:
        user = await make_staff(db, email=f"{unique('login')}@example.com", brand_slugs=["x"])
    return Call("/api/auth/login", json={"email": user.email, "password": PASSWORD})


async def _my_session(w: World, who: Caller, t: Target) -> Call:
    if t == "own" and who.user_id is not None:
        from vitrina.identity import service as identity

        async with services_of(w.app).sessions() as db:
            user = await identity.get_user_or_raise(db, user_id=who.user_id)
            _, session = await identity.create_staff_session(db, user=user, ttl_s=60)
            await db.commit()
        return Call(f"/api/auth/sessions/{session.id}")
    return Call(f"/api/auth/sessions/{await w.staff_session_of(w.brand(t))}")


def _user(suffix: str = "", payload: object = None) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        async with services_of(w.app).sessions() as db:
            user = await make_staff(
                db, email=f"{unique('u')}@example.com", brand_slugs=[w.brand(t)]
            )
        return Call(f"/api/admin/users/{user.id}{suffix}", json=payload)

    return build


def _new_user(brand: str) -> dict[str, object]:
    return {
        "email": f"{unique('new')}@example.com",
        "display_name": "New Advisor",
        "password": PASSWORD,
        "roles": ["agent"],
        "brand_slugs": [brand],
    }


def _new_brand(brand: str) -> dict[str, object]:
    from vitrina.brands.demo import demo_brand_data

    slug = unique("brand")
    return demo_brand_data().model_copy(update={"slug": slug}).model_dump(mode="json")


def _rating_link(form: bytes | None = None) -> Build:
    """An email rating link: the signed token is the permission, whoever follows it."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        from vitrina.conversations.rating_links import token_for

        conversation = await w.conversation(w.brand(t), await w.owner(who, t))
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
        token = token_for(services_of(w.app).settings, conversation)
        return Call(f"/rate/{token}", content=form, headers=headers)

    return build


def _conversation(suffix: str = "", payload: object = None, *, queued: bool = False) -> Build:
    """The customer's side: the calling guest's conversation, or another customer's."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        owner = await w.owner(who, t)
        conversation = await w.conversation(w.brand(t), owner, queued=queued)
        return Call(f"/api/conversations/{conversation}{suffix}", json=payload)

    return build


def _console(path: str, payload: object = None) -> Build:
    """The advisor's side: a waiting conversation of the target brand."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        conversation = await w.fresh_conversation(w.brand(t))
        return Call(path.format(id=conversation), json=payload)

    return build


def _customer(suffix: str = "", payload: object = None, **params: str) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        customer = await w.customer(w.brand(t))
        data = payload() if callable(payload) else payload
        return Call(f"/api/crm/customers/{customer['id']}{suffix}", json=data, params=params)

    return build


async def _identity(w: World, who: Caller, t: Target) -> Call:
    customer = await w.customer(w.brand(t))
    identity = await w.ok(
        "POST",
        f"/api/crm/customers/{customer['id']}/identities",
        json={"kind": "phone", "value": unique_phone()},
    )
    return Call(f"/api/crm/customers/{customer['id']}/identities/{identity['id']}")


async def _merge(w: World, who: Caller, t: Target) -> Call:
    brand = w.brand(t)
    survivor, merged = await w.customer(brand), await w.customer(brand)
    return Call(
        "/api/crm/merges",
        json={"survivor_id": survivor["id"], "merged_id": merged["id"], "reason": "duplicate"},
    )


async def _undo(w: World, who: Caller, t: Target) -> Call:
    return Call(f"/api/crm/merges/{await w.merge(w.brand(t))}/undo")


def _crm_webhook(suffix: str = "") -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        return Call(f"/api/crm/webhooks/{await w.crm_webhook(w.brand(t))}{suffix}")

    return build


async def _api_token(w: World, who: Caller, t: Target) -> Call:
    return Call(f"/api/admin/api-tokens/{await w.api_token(w.brand(t))}")


def _request(suffix: str = "") -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        owner = await w.owner(who, t)
        return Call(f"/api/privacy/requests/{await w.privacy_request(w.brand(t), owner)}{suffix}")

    return build


async def _dpo_create(w: World, who: Caller, t: Target) -> Call:
    owner = await w.new_guest(w.brand(t))
    return Call(
        "/api/privacy/dpo/requests",
        json={
            "brand": w.brand(t),
            "subject": f"guest:{owner.session_id}",
            "kind": "access",
            "reason": "customer asked by phone",
        },
    )


def _dpo_request(suffix: str = "", **params: str) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        owner = await w.new_guest(w.brand(t))
        made = await w.ok(
            "POST",
            "/api/privacy/dpo/requests",
            json={
                "brand": w.brand(t),
                "subject": f"guest:{owner.session_id}",
                "kind": "access",
                "reason": "customer asked by phone",
            },
        )
        return Call(f"/api/privacy/dpo/requests/{made['id']}{suffix}", params=params)

    return build


async def _subject_consents(w: World, who: Caller, t: Target) -> Call:
    owner = await w.new_guest(w.brand(t))
    return Call(
        f"/api/privacy/dpo/brands/{w.brand(t)}/subjects/guest:{owner.session_id}/consents",
        params={"reason": "customer complaint"},
    )


async def _purpose_version(w: World, who: Caller, t: Target) -> Call:
    return Call(
        f"/api/privacy/dpo/brands/{w.brand(t)}/purposes/{w.purpose}/versions",
        json={"texts": {"en": {"title": "Analytics", "body": "We count visits."}}},
    )


def _signals(brand: str) -> dict[str, object]:
    from vitrina.core.db import utcnow

    at = utcnow().isoformat()
    return {"brand": brand, "events": [{"type": "view", "product": PRODUCT.slug, "at": at}]}


def _personas(brand: str) -> dict[str, object]:
    words = {"en": "Family", "fr": "Famille", "it": "Famiglia"}
    return {
        "personas": [
            {
                "key": "family",
                "name": words,
                "greeting": words,
                "route": [],
                "weights": {PRODUCT.slug: 0.5},
            }
        ]
    }


def _insight(what: str, **params: str) -> Build:
    """A customer reads their own; staff name the customer and say why, and may not name
    another brand's customer; nor may a customer name another."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        query = dict(params)
        if t == "other" or who.guest is None:
            owner = await w.owner(who, t)
            query |= {"subject": f"guest:{owner.session_id}", "reason": "customer asked"}
        return Call(f"/api/insights/brands/{w.brand(t)}/{what}", params=query)

    return build


async def _configuration(w: World, who: Caller, t: Target) -> Call:
    made = await w.ok(
        "POST",
        f"/api/brands/{w.brand(t)}/products/{PRODUCT.slug}/configurations",
        json={"option_ids": DEFAULT_OPTIONS},
    )
    return Call(f"/api/configurations/{made['id']}")


async def _asset(w: World, who: Caller, t: Target) -> Call:
    made = await w.ok(
        "POST",
        f"/api/admin/brands/{w.brand(t)}/catalog/assets",
        content=await w.asset_upload(),
        headers={"content-type": "model/gltf-binary"},
    )
    return Call(f"/api/assets/{made['sha256']}.glb")


async def _delete_product(w: World, who: Caller, t: Target) -> Call:
    slug = unique("p")
    data = PRODUCT.model_copy(update={"slug": slug}).model_dump(mode="json")
    data.pop("asset_sha256")
    brand = w.brand(t)
    await w.ok("PUT", f"/api/admin/brands/{brand}/catalog/products/{slug}", json=data)
    return Call(f"/api/admin/brands/{brand}/catalog/products/{slug}")


async def _upload(w: World, who: Caller, t: Target) -> Call:
    return Call(
        f"/api/admin/brands/{w.brand(t)}/catalog/assets",
        content=await w.asset_upload(),
        headers={"content-type": "model/gltf-binary"},
    )


def _product_body(brand: str) -> dict[str, object]:
    data = PRODUCT.model_dump(mode="json")
    data.pop("asset_sha256")
    return data


def _appointment(suffix: str = "", payload: object = None) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        owner = await w.owner(who, t)
        return Call(
            f"/api/appointments/{await w.appointment(w.brand(t), owner)}{suffix}", json=payload
        )

    return build


def _booking(path: str) -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        slots = await w.ok(
            "GET",
            f"/api/brands/{w.brand(t)}/scheduling/availability",
            params={"type": "video-consultation", "limit": 200},
        )
        start = slots["slots"][CALLERS.index(who.name)]["start"]
        customer = {"email": f"{unique('booker')}@example.com", "name": "Lou"}
        return Call(
            path.format(brand=w.brand(t)),
            json={"type": "video-consultation", "start": start, "customer": customer},
        )

    return build


async def _reschedule(w: World, who: Caller, t: Target) -> Call:
    owner = await w.owner(who, t)
    appointment = await w.appointment(w.brand(t), owner)
    slots = await w.ok(
        "GET",
        f"/api/brands/{w.brand(t)}/scheduling/availability",
        params={"type": "showroom-visit", "limit": 200},
    )
    return Call(
        f"/api/appointments/{appointment}/reschedule", json={"start": slots["slots"][-1]["start"]}
    )


async def _resource(w: World, who: Caller, t: Target) -> Call:
    return Call(
        f"/api/staff/scheduling/resources/{await w.resource(w.brand(t))}", json={"name": "Bay 9"}
    )


def _new_resource(brand: str) -> dict[str, object]:
    return {
        "brand_slug": brand,
        "kind": "bay",
        "name": unique("Bay"),
        "timezone": "Europe/Paris",
        "weekly_hours": {"mon": [["09:00", "12:00"]]},
    }


def _new_type(brand: str) -> dict[str, object]:
    return {
        "brand_slug": brand,
        "slug": unique("visit"),
        "name": "Visit",
        "duration_min": 30,
        "requirements": [{"kind": "bay"}],
    }


def _agenda(w: World, who: Caller, t: Target) -> Awaitable[Call]:
    return plain("/api/staff/scheduling/agenda", brand="{brand}", day=w.start_in(3)[:10])(w, who, t)


def _explain(w: World, who: Caller, t: Target) -> Awaitable[Call]:
    return plain("/api/brands/{brand}/scheduling/explain", type="test-drive", start=w.start_in(3))(
        w, who, t
    )


CSV = "email,display_name\nimported@example.com,Imported Customer\n"


async def _import(w: World, who: Caller, t: Target) -> Call:
    return Call(
        "/api/crm/import",
        params={"brand": w.brand(t)},
        content=CSV.encode(),
        headers={"content-type": "text/plain"},
    )


# --- the table ---------------------------------------------------------------------------

_CONSOLE = "/api/console/conversations/{id}"

TRAINEES = frozenset({"agent", "supervisor", "admin", "superadmin"})
# A member of staff's training records (an id nobody has: the answer is empty, or zeros).
_STAFF_RECORDS = "/api/training/brands/{brand}/staff/7d0c1f4e-0000-4000-8000-000000000001/records"
_SCENARIO = "late-delivery"


async def _training_scenarios(w: World, brand: str) -> None:
    """The demo scenarios on the other brand too (the demo seeded the callers' own)."""
    from vitrina.training.service import shipped_sources

    listed = await w.ok("GET", f"/api/training/brands/{brand}/scenarios")
    if not listed:
        for slug, source in shipped_sources("aurora-motors").items():
            await w.ok(
                "PUT", f"/api/training/brands/{brand}/scenarios/{slug}", json={"source": source}
            )


def _scenario_source(brand: str) -> dict[str, object]:
    from vitrina.training.service import shipped_sources

    return {"source": shipped_sources("aurora-motors")[_SCENARIO]}


def _dry_run(brand: str) -> dict[str, object]:
    return {**_scenario_source(brand), "replies": [{"text": "Hello, welcome!"}]}


def _training_scenario(suffix: str = "", payload: object = None, *, path: str = "") -> Build:
    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        await _training_scenarios(w, brand)
        data = payload(brand) if callable(payload) else payload
        return Call(path or f"/api/training/brands/{brand}/scenarios{suffix}", json=data)

    return build


def _training_session(
    suffix: str = "", payload: object = None, *, started: bool = False, ended: bool = False
) -> Build:
    """A session of the target brand: the caller's own when they may train on their brand,
    otherwise an advisor's of that brand (assigned by the super-admin)."""

    async def build(w: World, who: Caller, t: Target) -> Call:
        brand = w.brand(t)
        await _training_scenarios(w, brand)
        own = t == "own" and who.name in TRAINEES and who.user_id is not None
        trainee = None if who.name == "superadmin" and own else (
            who.user_id if own else w.users[brand, "agent"]
        )  # fmt: skip
        made = await w.ok(
            "POST",
            "/api/training/sessions",
            json={"brand": brand, "scenario": _SCENARIO, "trainee_id": trainee},
        )
        if started or ended:
            player = who.headers if own else await w._staff_headers(w.users[brand, "agent"])
            w.client.cookies.clear()
            resp = await w.client.post(f"/api/training/sessions/{made['id']}/start", headers=player)
            assert resp.status_code == 200, resp.text
        if ended:
            await w.ok("POST", f"/api/training/sessions/{made['id']}/end")
        return Call(f"/api/training/sessions/{made['id']}{suffix}", json=payload)

    return build


ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/healthz"): Row(EVERYONE, plain("/healthz"), scoped=False),
    ("GET", "/readyz"): Row(EVERYONE, plain("/readyz"), scoped=False),
    ("GET", "/metrics"): Row(EVERYONE, plain("/metrics"), scoped=False),
    ("POST", "/api/auth/login"): Row(EVERYONE, _login, scoped=False),
    ("POST", "/api/auth/guest"): Row(
        EVERYONE, body("/api/auth/guest", {"display_name": "Mia"}), scoped=False
    ),
    ("GET", "/api/auth/me"): Row(GUEST_OR_STAFF, plain("/api/auth/me"), scoped=False),
    ("POST", "/api/auth/logout"): Row(STAFF, plain("/api/auth/logout"), scoped=False),
    ("GET", "/api/auth/sessions"): Row(STAFF, plain("/api/auth/sessions"), scoped=False),
    ("DELETE", "/api/auth/sessions/{session_id}"): Row(
        STAFF, _my_session, superadmin_crosses=False
    ),
    ("GET", "/api/admin/users"): Row(ADMIN, plain("/api/admin/users"), scoped=False),
    ("POST", "/api/admin/users"): Row(ADMIN, body("/api/admin/users", _new_user)),
    ("GET", "/api/admin/users/{user_id}"): Row(ADMIN, _user()),
    ("PATCH", "/api/admin/users/{user_id}"): Row(ADMIN, _user("", {"display_name": "Renamed"})),
    ("POST", "/api/admin/users/{user_id}/revoke-sessions"): Row(ADMIN, _user("/revoke-sessions")),
    ("GET", "/api/brands"): Row(EVERYONE, plain("/api/brands"), scoped=False),
    ("GET", "/api/brands/{slug}"): Row(EVERYONE, plain("/api/brands/{brand}"), scoped=False),
    ("POST", "/api/admin/brands"): Row(SUPER, body("/api/admin/brands", _new_brand), scoped=False),
    ("PATCH", "/api/admin/brands/{slug}"): Row(
        ADMIN,
        body("/api/admin/brands/{brand}", {"theme": {"accent": "#334455"}}),
        refused=frozenset({403}),
    ),
    # Customers may write to any brand's store: the brand is where they are, not a grant.
    ("POST", "/api/conversations"): Row(
        GUEST, body("/api/conversations", lambda b: {"brand": b, "body": "Hi"}), scoped=False
    ),
    ("GET", "/api/conversations/current"): Row(
        GUEST, plain("/api/conversations/current", brand="{brand}"), scoped=False
    ),
    ("GET", "/api/conversations/{conversation_id}"): Row(GUEST, _conversation()),
    ("POST", "/api/conversations/{conversation_id}/messages"): Row(
        GUEST, _conversation("/messages", {"body": "Are you there?"})
    ),
    ("POST", "/api/conversations/{conversation_id}/handoff"): Row(
        GUEST, _conversation("/handoff", {})
    ),
    ("POST", "/api/conversations/{conversation_id}/csat"): Row(
        GUEST, _conversation("/csat", {"score": 5}), ok=OK_OR_STATE
    ),
    ("GET", "/api/conversations/{conversation_id}/place"): Row(
        GUEST_OR_STAFF, _conversation("/place", queued=True)
    ),
    ("GET", "/widget.js"): Row(EVERYONE, plain("/widget.js"), scoped=False),
    # The resume token is the permission; no avatar holds this one.
    ("POST", "/api/world/leave"): Row(
        EVERYONE,
        body("/api/world/leave", {"token": "node.none"}),
        scoped=False,
        ok=frozenset({404}),
    ),
    # Open conversations are not rated yet: 409 is the page saying so.
    ("GET", "/rate/{token}"): Row(EVERYONE, _rating_link(), scoped=False, ok=OK_OR_STATE),
    ("POST", "/rate/{token}"): Row(
        EVERYONE, _rating_link(b"score=5"), scoped=False, ok=OK_OR_STATE
    ),
    # Signed by the bridge, not by a session: every unsigned call is refused alike.
    ("POST", "/api/channels/webhook/{brand}"): Row(
        EVERYONE,
        body("/api/channels/webhook/{brand}", {"contact_id": "c1", "text": "Hi"}),
        scoped=False,
        ok=frozenset({401}),
    ),
    ("GET", "/api/admin/channels/webhook/{brand}"): Row(
        ADMIN, plain("/api/admin/channels/webhook/{brand}"), refused=frozenset({403})
    ),
    ("PUT", "/api/admin/channels/webhook/{brand}"): Row(
        ADMIN,
        body("/api/admin/channels/webhook/{brand}", {"outbound_url": "https://bridge.example/in"}),
        refused=frozenset({403}),
    ),
    ("POST", "/api/admin/channels/webhook/{brand}/secret"): Row(
        ADMIN, plain("/api/admin/channels/webhook/{brand}/secret"), refused=frozenset({403})
    ),
    ("GET", "/api/admin/channels/webhook/{brand}/deliveries"): Row(
        ADMIN, plain("/api/admin/channels/webhook/{brand}/deliveries"), refused=frozenset({403})
    ),
    # No reply ever died here: the brand's own admin learns that (404), another is refused.
    ("POST", "/api/admin/channels/webhook/{brand}/deliveries/{delivery_id}/retry"): Row(
        ADMIN,
        plain("/api/admin/channels/webhook/{brand}/deliveries/nothing/retry"),
        ok=frozenset({404}),
        refused=frozenset({403}),
    ),
    ("GET", "/api/console/conversations"): Row(
        STAFF, plain("/api/console/conversations"), scoped=False
    ),
    ("GET", "/api/console/conversations/{conversation_id}"): Row(STAFF, _console(_CONSOLE)),
    ("GET", "/api/console/conversations/{conversation_id}/customer"): Row(
        STAFF, _console(_CONSOLE + "/customer")
    ),
    ("GET", "/api/console/customers/{conversation_id}/history"): Row(
        STAFF, _console("/api/console/customers/{id}/history")
    ),
    ("POST", "/api/console/conversations/{conversation_id}/messages"): Row(
        STAFF, _console(_CONSOLE + "/messages", {"body": "Hello"}), ok=OK_OR_STATE
    ),
    ("POST", "/api/console/conversations/{conversation_id}/notes"): Row(
        STAFF, _console(_CONSOLE + "/notes", {"body": "Wants a red one"})
    ),
    ("POST", "/api/console/conversations/{conversation_id}/hand-back"): Row(
        STAFF, _console(_CONSOLE + "/hand-back"), ok=OK_OR_STATE
    ),
    ("POST", "/api/console/conversations/{conversation_id}/resolve"): Row(
        STAFF, _console(_CONSOLE + "/resolve", {"disposition": "solved"}), ok=OK_OR_STATE
    ),
    ("POST", "/api/console/conversations/{conversation_id}/calls"): Row(
        STAFF, _console(_CONSOLE + "/calls", {"event": "started"}), ok=OK_OR_STATE
    ),
    ("POST", "/api/console/conversations/{conversation_id}/join-world"): Row(
        STAFF, _console(_CONSOLE + "/join-world"), ok=OK_OR_STATE
    ),
    ("GET", "/api/console/canned"): Row(
        STAFF, plain("/api/console/canned", brand="{brand}"), refused=frozenset({403, 404})
    ),
    ("POST", "/api/console/canned"): Row(
        SUPERVISOR,
        body(
            "/api/console/canned",
            lambda b: {"locale": "en", "shortcut": unique("s"), "title": "T", "body": "B"},
            brand="{brand}",
        ),
    ),
    ("POST", "/api/console/conversations/{conversation_id}/handoff"): Row(
        SUPERVISOR, _console(_CONSOLE + "/handoff", {"queue": "sales"}), ok=OK_OR_STATE
    ),
    ("PUT", "/api/console/presence"): Row(
        STAFF, body("/api/console/presence", {"status": "away"}), scoped=False
    ),
    ("GET", "/api/console/presence"): Row(STAFF, plain("/api/console/presence"), scoped=False),
    ("GET", "/api/console/advisors"): Row(STAFF, plain("/api/console/advisors"), scoped=False),
    ("GET", "/api/console/queue"): Row(STAFF, plain("/api/console/queue"), scoped=False),
    ("POST", "/api/console/conversations/{conversation_id}/accept"): Row(
        STAFF, _console(_CONSOLE + "/accept"), ok=OK_OR_STATE
    ),
    ("POST", "/api/console/conversations/{conversation_id}/transfer"): Row(
        STAFF, _console(_CONSOLE + "/transfer", {"queue": "sales"}), ok=OK_OR_STATE
    ),
    ("GET", "/api/routing/queues"): Row(SUPERVISOR, plain("/api/routing/queues"), scoped=False),
    ("GET", "/api/routing/csat"): Row(SUPERVISOR, plain("/api/routing/csat"), scoped=False),
    ("POST", "/api/routing/queues"): Row(
        SUPERVISOR,
        body("/api/routing/queues", lambda b: {"brand": b, "name": unique("q"), "title": "Q"}),
    ),
    ("GET", "/api/privacy/brands/{slug}/purposes"): Row(
        EVERYONE, plain("/api/privacy/brands/{brand}/purposes"), scoped=False
    ),
    ("GET", "/api/privacy/brands/{slug}/consents"): Row(
        GUEST, plain("/api/privacy/brands/{brand}/consents"), scoped=False
    ),
    ("PUT", "/api/privacy/brands/{slug}/consents"): Row(
        GUEST,
        body(
            "/api/privacy/brands/{brand}/consents",
            {"choices": {"analytics": True}, "channel": "privacy_centre"},
        ),
        scoped=False,
    ),
    ("GET", "/api/privacy/brands/{slug}/consents/history"): Row(
        GUEST, plain("/api/privacy/brands/{brand}/consents/history"), scoped=False
    ),
    ("POST", "/api/privacy/brands/{slug}/requests"): Row(
        GUEST, body("/api/privacy/brands/{brand}/requests", {"kind": "access"}), scoped=False
    ),
    ("GET", "/api/privacy/brands/{slug}/requests"): Row(
        GUEST, plain("/api/privacy/brands/{brand}/requests"), scoped=False
    ),
    ("GET", "/api/privacy/brands/{slug}/erasure"): Row(
        GUEST, plain("/api/privacy/brands/{brand}/erasure"), scoped=False
    ),
    ("GET", "/api/privacy/requests/{request_id}"): Row(GUEST, _request()),
    ("GET", "/api/privacy/requests/{request_id}/download"): Row(
        GUEST, _request("/download"), ok=OK_OR_STATE
    ),
    ("GET", "/api/privacy/dpo/requests"): Row(
        DPO, plain("/api/privacy/dpo/requests"), scoped=False
    ),
    ("POST", "/api/privacy/dpo/requests"): Row(DPO, _dpo_create),
    ("GET", "/api/privacy/dpo/requests/{request_id}"): Row(DPO, _dpo_request()),
    ("POST", "/api/privacy/dpo/requests/{request_id}/approve"): Row(
        DPO, _dpo_request("/approve"), ok=OK_OR_STATE
    ),
    ("GET", "/api/privacy/dpo/requests/{request_id}/download"): Row(
        DPO, _dpo_request("/download", reason="customer asked"), ok=OK_OR_STATE
    ),
    ("GET", "/api/privacy/dpo/audit"): Row(DPO, plain("/api/privacy/dpo/audit"), scoped=False),
    ("GET", "/api/privacy/dpo/brands/{slug}/subjects/{subject}/consents"): Row(
        DPO, _subject_consents
    ),
    ("POST", "/api/privacy/dpo/brands/{slug}/purposes/{purpose}/versions"): Row(
        DPO, _purpose_version
    ),
    # Staff send no signals of their own: theirs are accepted and dropped, none stored.
    ("POST", "/api/insights/signals"): Row(
        GUEST_OR_STAFF, body("/api/insights/signals", _signals), scoped=False
    ),
    ("GET", "/api/insights/brands/{slug}/why"): Row(
        GUEST_OR_STAFF, _insight("why", product=PRODUCT.slug)
    ),
    ("GET", "/api/insights/brands/{slug}/interests"): Row(GUEST_OR_STAFF, _insight("interests")),
    ("GET", "/api/insights/brands/{slug}/recommendations"): Row(
        GUEST_OR_STAFF, _insight("recommendations")
    ),
    # A persona is the visitor's own choice: staff have none, every brand's guest may.
    ("GET", "/api/insights/brands/{slug}/persona"): Row(
        GUEST, plain("/api/insights/brands/{brand}/persona"), scoped=False
    ),
    ("PUT", "/api/insights/brands/{slug}/persona"): Row(
        GUEST, body("/api/insights/brands/{brand}/persona", {"persona": None}), scoped=False
    ),
    ("GET", "/api/insights/dashboard"): Row(
        SUPERVISOR, plain("/api/insights/dashboard", brand="{brand}")
    ),
    ("GET", "/api/insights/dashboard.csv"): Row(
        SUPERVISOR, plain("/api/insights/dashboard.csv", brand="{brand}")
    ),
    ("GET", "/api/brands/{slug}/personas"): Row(
        EVERYONE, plain("/api/brands/{brand}/personas"), scoped=False
    ),
    ("PUT", "/api/admin/brands/{slug}/personas"): Row(
        ADMIN, body("/api/admin/brands/{brand}/personas", _personas)
    ),
    ("GET", "/api/brands/{brand}/products"): Row(
        EVERYONE, plain("/api/brands/{brand}/products"), scoped=False
    ),
    ("GET", "/api/brands/{brand}/products/{product}"): Row(
        EVERYONE, plain(f"/api/brands/{{brand}}/products/{PRODUCT.slug}"), scoped=False
    ),
    ("POST", "/api/brands/{brand}/products/{product}/quote"): Row(
        EVERYONE, body(f"/api/brands/{{brand}}/products/{PRODUCT.slug}/quote", {}), scoped=False
    ),
    ("POST", "/api/brands/{brand}/products/{product}/configurations"): Row(
        GUEST_OR_STAFF,
        body(
            f"/api/brands/{{brand}}/products/{PRODUCT.slug}/configurations",
            {"option_ids": DEFAULT_OPTIONS},
        ),
        scoped=False,
    ),
    ("GET", "/api/configurations/{configuration_id}"): Row(EVERYONE, _configuration, scoped=False),
    ("GET", "/api/brands/{brand}/assets"): Row(
        EVERYONE, plain("/api/brands/{brand}/assets"), scoped=False
    ),
    ("GET", "/api/assets/{sha256}.glb"): Row(EVERYONE, _asset, scoped=False),
    ("HEAD", "/api/assets/{sha256}.glb"): Row(EVERYONE, _asset, scoped=False),
    ("GET", "/api/admin/brands/{brand}/catalog/products"): Row(
        ADMIN, plain("/api/admin/brands/{brand}/catalog/products")
    ),
    ("PUT", "/api/admin/brands/{brand}/catalog/products/{product}"): Row(
        ADMIN, body(f"/api/admin/brands/{{brand}}/catalog/products/{PRODUCT.slug}", _product_body)
    ),
    ("DELETE", "/api/admin/brands/{brand}/catalog/products/{product}"): Row(ADMIN, _delete_product),
    ("POST", "/api/admin/brands/{brand}/catalog/assets"): Row(ADMIN, _upload),
    ("GET", "/api/admin/brands/{brand}/catalog/assets"): Row(
        ADMIN, plain("/api/admin/brands/{brand}/catalog/assets")
    ),
    ("POST", "/api/admin/brands/{brand}/catalog/import"): Row(
        ADMIN,
        body(
            "/api/admin/brands/{brand}/catalog/import", lambda b: {"products": [_product_body(b)]}
        ),
    ),
    ("GET", "/admin/catalog"): Row(EVERYONE, plain("/admin/catalog"), scoped=False),
    ("GET", "/admin/catalog/admin.js"): Row(
        EVERYONE, plain("/admin/catalog/admin.js"), scoped=False
    ),
    # Proving who one is: open to any visitor; a wrong proof is the caller's 4xx.
    ("POST", "/api/customer-auth/siwe/nonce"): Row(
        GUEST,
        body("/api/customer-auth/siwe/nonce", lambda b: {"brand": b}),
        scoped=False,
    ),
    ("POST", "/api/customer-auth/siwe/verify"): Row(
        GUEST,
        body(
            "/api/customer-auth/siwe/verify", {"message": "not a SIWE message", "signature": "0x00"}
        ),
        scoped=False,
        ok=frozenset({400, 401, 422}),
    ),
    ("POST", "/api/customer-auth/email/start"): Row(
        GUEST,
        body(
            "/api/customer-auth/email/start",
            lambda b: {"brand": b, "email": f"{unique('mia')}@example.com"},
        ),
        scoped=False,
    ),
    ("POST", "/api/customer-auth/email/verify"): Row(
        GUEST,
        body("/api/customer-auth/email/verify", {"challenge_id": "unknown", "code": "000000"}),
        scoped=False,
        ok=frozenset({400, 401, 404, 422}),
    ),
    ("POST", "/api/customer-auth/did/challenge"): Row(
        GUEST,
        body(
            "/api/customer-auth/did/challenge",
            lambda b: {
                "brand": b,
                "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            },
        ),
        scoped=False,
    ),
    ("POST", "/api/customer-auth/did/verify"): Row(
        GUEST,
        body("/api/customer-auth/did/verify", {"challenge": "unknown", "signature": "00"}),
        scoped=False,
        ok=frozenset({400, 401, 404, 422}),
    ),
    ("GET", "/api/customer-auth/status"): Row(
        GUEST_OR_STAFF, plain("/api/customer-auth/status"), scoped=False
    ),
    ("POST", "/api/customer-auth/sign-out"): Row(
        GUEST_OR_STAFF, plain("/api/customer-auth/sign-out"), scoped=False
    ),
    ("GET", "/api/admin/api-tokens"): Row(ADMIN, plain("/api/admin/api-tokens"), scoped=False),
    ("POST", "/api/admin/api-tokens"): Row(
        ADMIN,
        body(
            "/api/admin/api-tokens",
            lambda b: {"name": "bridge", "scopes": ["crm:read"], "brand_slugs": [b]},
        ),
    ),
    ("DELETE", "/api/admin/api-tokens/{token_id}"): Row(ADMIN, _api_token),
    ("GET", "/api/crm/customers"): Row(CRM_READ, plain("/api/crm/customers", brand="{brand}")),
    ("POST", "/api/crm/customers"): Row(
        CRM_WRITE, body("/api/crm/customers", lambda b: {"brand": b, "display_name": "Noa"})
    ),
    ("GET", "/api/crm/customers/{customer_id}"): Row(CRM_READ, _customer()),
    ("PATCH", "/api/crm/customers/{customer_id}"): Row(
        CRM_WRITE, _customer("", {"display_name": "Noa B."})
    ),
    ("GET", "/api/crm/customers/{customer_id}/timeline"): Row(CRM_READ, _customer("/timeline")),
    ("POST", "/api/crm/customers/{customer_id}/timeline"): Row(
        CRM_WRITE, _customer("/timeline", {"kind": "shop.visit", "summary": "Came by"})
    ),
    ("POST", "/api/crm/customers/{customer_id}/identities"): Row(
        CRM_WRITE, _customer("/identities", lambda: {"kind": "phone", "value": unique_phone()})
    ),
    ("DELETE", "/api/crm/customers/{customer_id}/identities/{identity_id}"): Row(
        CRM_WRITE, _identity
    ),
    ("POST", "/api/crm/customers/{customer_id}/notes"): Row(
        CRM_WRITE, _customer("/notes", {"body": "Prefers email"})
    ),
    ("POST", "/api/crm/merges"): Row(CRM_WRITE, _merge),
    ("POST", "/api/crm/merges/{merge_id}/undo"): Row(CRM_WRITE, _undo),
    ("GET", "/api/crm/customers/{customer_id}/account"): Row(
        STAFF, _customer("/account", reason="customer asked")
    ),
    # Only a customer who proved who they are reads an account; a fresh guest has not.
    ("GET", "/api/customer/account"): Row(
        GUEST, plain("/api/customer/account"), scoped=False, ok=frozenset({200, 403})
    ),
    ("POST", "/api/crm/import"): Row(CRM_IMPORT, _import),
    ("GET", "/api/crm/export"): Row(CRM_IMPORT, plain("/api/crm/export", brand="{brand}")),
    ("GET", "/api/crm/webhooks"): Row(WEBHOOKS, plain("/api/crm/webhooks"), scoped=False),
    ("POST", "/api/crm/webhooks"): Row(
        WEBHOOKS,
        body("/api/crm/webhooks", lambda b: {"brand": b, "url": "https://hooks.example/in"}),
    ),
    ("DELETE", "/api/crm/webhooks/{endpoint_id}"): Row(WEBHOOKS, _crm_webhook()),
    ("GET", "/api/crm/webhooks/{endpoint_id}/deliveries"): Row(
        WEBHOOKS, _crm_webhook("/deliveries")
    ),
    ("GET", "/api/brands/{brand_slug}/scheduling/types"): Row(
        EVERYONE, plain("/api/brands/{brand}/scheduling/types"), scoped=False
    ),
    ("GET", "/api/brands/{brand_slug}/scheduling/availability"): Row(
        EVERYONE,
        plain("/api/brands/{brand}/scheduling/availability", type="test-drive"),
        scoped=False,
    ),
    ("GET", "/api/brands/{brand_slug}/scheduling/explain"): Row(EVERYONE, _explain, scoped=False),
    ("POST", "/api/brands/{brand_slug}/appointments"): Row(
        GUEST_OR_STAFF, _booking("/api/brands/{brand}/appointments"), scoped=False
    ),
    ("POST", "/api/brands/{brand_slug}/appointments/holds"): Row(
        GUEST_OR_STAFF, _booking("/api/brands/{brand}/appointments/holds"), scoped=False
    ),
    # A customer's own appointments, which the brand's staff also look after.
    ("GET", "/api/appointments/mine"): Row(
        GUEST_OR_STAFF, plain("/api/appointments/mine"), scoped=False
    ),
    ("GET", "/api/appointments/{appointment_id}"): Row(GUEST_OR_STAFF, _appointment()),
    ("GET", "/api/appointments/{appointment_id}/invite.ics"): Row(
        GUEST_OR_STAFF, _appointment("/invite.ics")
    ),
    ("POST", "/api/appointments/{appointment_id}/confirm"): Row(
        GUEST_OR_STAFF, _appointment("/confirm"), ok=OK_OR_STATE
    ),
    ("POST", "/api/appointments/{appointment_id}/reschedule"): Row(GUEST_OR_STAFF, _reschedule),
    ("POST", "/api/appointments/{appointment_id}/cancel"): Row(
        GUEST_OR_STAFF, _appointment("/cancel", {"reason": "plans changed"})
    ),
    ("GET", "/api/staff/scheduling/agenda"): Row(STAFF, _agenda),
    ("GET", "/api/staff/scheduling/resources"): Row(
        STAFF, plain("/api/staff/scheduling/resources", brand="{brand}")
    ),
    ("GET", "/api/staff/scheduling/types"): Row(
        STAFF, plain("/api/staff/scheduling/types", brand="{brand}")
    ),
    ("POST", "/api/staff/scheduling/resources"): Row(
        SUPERVISOR, body("/api/staff/scheduling/resources", _new_resource)
    ),
    ("PATCH", "/api/staff/scheduling/resources/{resource_id}"): Row(SUPERVISOR, _resource),
    ("POST", "/api/staff/scheduling/types"): Row(
        SUPERVISOR, body("/api/staff/scheduling/types", _new_type)
    ),
    ("PATCH", "/api/staff/scheduling/types/{brand_slug}/{slug}"): Row(
        SUPERVISOR,
        body("/api/staff/scheduling/types/{brand}/test-drive", {"name": "Test drive"}),
    ),
    # --- commerce (tests/core/isolation_commerce.py builds the objects) ---
    ("POST", "/api/brands/{brand}/commerce/carts"): Row(
        GUEST_OR_STAFF,
        shop.new_cart,
        scoped=False,
        ok=frozenset({201}),
    ),
    ("GET", "/api/brands/{brand}/commerce/carts/{cart_id}"): Row(
        GUEST_OR_STAFF, shop.store(""), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/carts/{cart_id}/items"): Row(
        GUEST_OR_STAFF, shop.store("/items", shop.item_of), superadmin_crosses=False
    ),
    ("PATCH", "/api/brands/{brand}/commerce/carts/{cart_id}/items/{item_id}"): Row(
        GUEST_OR_STAFF, shop.store("/items/{item}", {"quantity": 2}), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/carts/{cart_id}/checkout"): Row(
        GUEST_OR_STAFF, shop.store("/checkout", shop.CHECKOUT), superadmin_crosses=False
    ),
    ("GET", "/api/brands/{brand}/commerce/orders"): Row(GUEST_OR_STAFF, shop.my_list, scoped=False),
    ("GET", "/api/brands/{brand}/commerce/orders/{order_id}"): Row(
        GUEST_OR_STAFF, shop.store("", what="order"), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/orders/{order_id}/payments/{payment_id}/confirm"): Row(
        GUEST_OR_STAFF,
        shop.store(
            "/payments/{payment}/confirm",
            {
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2030,
                    "cvc": "123",
                }
            },
            what="order",
        ),
        superadmin_crosses=False,
    ),
    ("POST", "/api/brands/{brand}/commerce/orders/{order_id}/payments/{payment_id}/challenge"): Row(
        GUEST_OR_STAFF,
        shop.store("/payments/{payment}/challenge", {"code": "123456"}, what="order"),
        ok=OK_OR_STATE,
        superadmin_crosses=False,
    ),
    ("POST", "/api/brands/{brand}/commerce/orders/{order_id}/cancel"): Row(
        GUEST_OR_STAFF, shop.store("/cancel", {}, what="order"), superadmin_crosses=False
    ),
    # What a signed-in customer owns: staff are no customer (403).
    ("GET", "/api/brands/{brand}/commerce/garage"): Row(
        GUEST, shop.customer_list("garage"), scoped=False
    ),
    ("POST", "/api/brands/{brand}/commerce/twins/{twin_id}/transfer/challenge"): Row(
        GUEST, shop.twin_call("transfer/challenge"), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/twins/{twin_id}/transfer"): Row(
        GUEST, shop.twin_call("transfer"), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/twins/{twin_id}/redeem/challenge"): Row(
        GUEST, shop.twin_call("redeem/challenge"), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/twins/{twin_id}/redeem"): Row(
        GUEST, shop.twin_call("redeem"), superadmin_crosses=False
    ),
    ("GET", "/api/brands/{brand}/commerce/documents"): Row(
        GUEST, shop.customer_list("documents"), scoped=False
    ),
    ("GET", "/api/brands/{brand}/commerce/documents/{document_id}/pdf"): Row(
        GUEST, shop.document_call("pdf"), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/documents/{document_id}/countersign/challenge"): Row(
        GUEST, shop.document_call("challenge"), superadmin_crosses=False
    ),
    ("POST", "/api/brands/{brand}/commerce/documents/{document_id}/countersign"): Row(
        GUEST, shop.document_call("countersign"), superadmin_crosses=False
    ),
    ("GET", "/api/brands/{brand}/commerce/documents/key"): Row(
        EVERYONE, plain("/api/brands/{brand}/commerce/documents/key"), scoped=False
    ),
    ("POST", "/api/brands/{brand}/commerce/documents/verify"): Row(
        EVERYONE,
        body("/api/brands/{brand}/commerce/documents/verify", {"sha256": "0" * 64}),
        scoped=False,
    ),
    ("POST", "/api/brands/{brand}/commerce/documents/verify-pdf"): Row(
        EVERYONE, shop.verify_pdf, scoped=False
    ),
    ("POST", "/api/commerce/webhooks/{provider}"): Row(EVERYONE, shop.webhook, scoped=False),
    ("GET", "/api/staff/commerce/brands/{brand}/customers/{customer_id}"): Row(
        STAFF, shop.desk_customer
    ),
    ("GET", "/api/staff/commerce/brands/{brand}/orders/{order_id}"): Row(STAFF, shop.desk("")),
    ("POST", "/api/staff/commerce/brands/{brand}/orders/{order_id}/fulfil"): Row(
        STAFF, shop.desk("/fulfil", {}), ok=OK_OR_STATE
    ),
    ("POST", "/api/staff/commerce/brands/{brand}/orders/{order_id}/cancel"): Row(
        STAFF, shop.desk("/cancel", {})
    ),
    ("POST", "/api/staff/commerce/brands/{brand}/orders/{order_id}/refunds"): Row(
        SUPERVISOR, shop.desk("/refunds", {}), ok=OK_OR_STATE
    ),
    ("POST", "/api/staff/commerce/brands/{brand}/twins/redeem-physical"): Row(
        STAFF, shop.desk_redeem
    ),
    ("POST", "/api/staff/commerce/brands/{brand}/documents"): Row(STAFF, shop.desk_document),
    ("GET", "/api/staff/commerce/brands/{brand}/documents/{document_id}/pdf"): Row(
        STAFF, shop.desk_pdf
    ),
    ("GET", "/api/admin/brands/{brand}/commerce/rules"): Row(
        ADMIN, plain("/api/admin/brands/{brand}/commerce/rules")
    ),
    ("PUT", "/api/admin/brands/{brand}/commerce/rules"): Row(
        ADMIN, body("/api/admin/brands/{brand}/commerce/rules", shop.rules_body)
    ),
    ("PUT", "/api/admin/brands/{brand}/commerce/stock/{product}"): Row(
        ADMIN,
        body(f"/api/admin/brands/{{brand}}/commerce/stock/{PRODUCT.slug}", shop.stock_body),
    ),
    ("GET", "/api/ledger/brands/{slug}/export"): Row(
        EVERYONE, plain("/api/ledger/brands/{brand}/export"), scoped=False
    ),
    ("GET", "/api/ledger/brands/{slug}/tree-head"): Row(
        EVERYONE, plain("/api/ledger/brands/{brand}/tree-head"), scoped=False
    ),
    ("GET", "/api/ledger/brands/{slug}/keys"): Row(
        EVERYONE, plain("/api/ledger/brands/{brand}/keys"), scoped=False
    ),
    ("GET", "/api/ledger/brands/{slug}/proofs/{seq}"): Row(
        EVERYONE, plain("/api/ledger/brands/{brand}/proofs/0"), scoped=False
    ),
    ("GET", "/api/ledger/brands/{slug}/pledges"): Row(
        EVERYONE, plain("/api/ledger/brands/{brand}/pledges"), scoped=False
    ),
    ("GET", "/api/ledger/brands/{slug}/pledges/mine"): Row(
        GUEST_OR_STAFF, plain("/api/ledger/brands/{brand}/pledges/mine"), scoped=False
    ),
    ("POST", "/api/ledger/brands/{slug}/pledges"): Row(
        ADMIN,
        body(
            "/api/ledger/brands/{brand}/pledges",
            {"action": "booking.created", "texts": _PLEDGE_TEXTS},
        ),
    ),
    ("PATCH", "/api/ledger/brands/{slug}/pledges/{pledge_id}"): Row(ADMIN, _pledge),
    ("GET", "/"): Row(EVERYONE, plain("/"), scoped=False),
    ("GET", "/store/{slug}"): Row(EVERYONE, plain("/store/{brand}"), scoped=False),
    ("GET", "/console"): Row(EVERYONE, plain("/console"), scoped=False),
    ("GET", "/favicon.ico"): Row(EVERYONE, plain("/favicon.ico"), scoped=False),
    ("GET", "/favicon.svg"): Row(EVERYONE, plain("/favicon.svg"), scoped=False),
    ("GET", "/api/training/brands/{slug}/scenarios"): Row(
        TRAINEES, _training_scenario(), refused=frozenset({403})
    ),
    ("GET", "/api/training/brands/{slug}/scenarios/{scenario}"): Row(
        SUPERVISOR, _training_scenario(f"/{_SCENARIO}"), refused=frozenset({403})
    ),
    ("PUT", "/api/training/brands/{slug}/scenarios/{scenario}"): Row(
        SUPERVISOR, _training_scenario(f"/{_SCENARIO}", _scenario_source), refused=frozenset({403})
    ),
    ("POST", "/api/training/brands/{slug}/scenarios/validate"): Row(
        SUPERVISOR, _training_scenario("/validate", _scenario_source), refused=frozenset({403})
    ),
    ("POST", "/api/training/brands/{slug}/scenarios/dry-run"): Row(
        SUPERVISOR, _training_scenario("/dry-run", _dry_run), refused=frozenset({403})
    ),
    ("POST", "/api/training/sessions"): Row(
        TRAINEES,
        _training_scenario(
            "", lambda b: {"brand": b, "scenario": _SCENARIO}, path="/api/training/sessions"
        ),
        refused=frozenset({403}),
    ),
    ("GET", "/api/training/sessions"): Row(
        TRAINEES, plain("/api/training/sessions", brand="{brand}"), refused=frozenset({403})
    ),
    ("GET", "/api/training/sessions/{session_id}"): Row(TRAINEES, _training_session()),
    # Only its trainee plays a session: a super-admin has no claim to somebody's rehearsal.
    ("POST", "/api/training/sessions/{session_id}/start"): Row(
        TRAINEES, _training_session("/start"), superadmin_crosses=False
    ),
    ("POST", "/api/training/sessions/{session_id}/replies"): Row(
        TRAINEES,
        _training_session("/replies", {"text": "Hello"}, started=True),
        superadmin_crosses=False,
    ),
    ("POST", "/api/training/sessions/{session_id}/end"): Row(
        TRAINEES, _training_session("/end", started=True)
    ),
    ("GET", "/api/training/sessions/{session_id}/replay"): Row(
        TRAINEES, _training_session("/replay", ended=True)
    ),
    ("POST", "/api/training/sessions/{session_id}/comments"): Row(
        SUPERVISOR, _training_session("/comments", {"remark": "Well handled."}, ended=True)
    ),
    ("GET", "/api/training/progress"): Row(
        TRAINEES, plain("/api/training/progress", brand="{brand}"), refused=frozenset({403})
    ),
    ("GET", "/api/training/brands/{slug}/staff/{user_id}/records"): Row(
        DPO, plain(_STAFF_RECORDS), refused=frozenset({403})
    ),
    ("DELETE", "/api/training/brands/{slug}/staff/{user_id}/records"): Row(
        DPO, plain(_STAFF_RECORDS), refused=frozenset({403})
    ),
}
