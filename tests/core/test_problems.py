"""Bad input gets problem+json 4xx and writes nothing."""

from __future__ import annotations

import json

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import seed_demo, staff_headers
from vitrina.brands.demo import ensure_demo_brand
from vitrina.identity.models import StaffUser

# A valid body for POST /api/admin/users, once the demo brand exists (`_demo_brand`).
NEW_AGENT = {
    "email": "new@example.com",
    "display_name": "New",
    "password": "long enough password",
    "roles": ["agent"],
    "brand_slugs": ["aurora-motors"],
}


async def _demo_brand(db: AsyncSession) -> None:
    await ensure_demo_brand(db)
    await db.commit()


def _is_problem(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= body.keys()
    return body


async def _count_users(db: AsyncSession) -> int:
    await db.rollback()
    return await db.scalar(select(func.count()).select_from(StaffUser)) or 0


async def test_malformed_json(client: AsyncClient, db: AsyncSession) -> None:
    headers = await staff_headers(client, db, roles=["admin"])
    before = await _count_users(db)
    resp = await client.post(
        "/api/admin/users",
        content=b'{"email": "x@example.com",',
        headers={**headers, "content-type": "application/json"},
    )
    _is_problem(resp, 422)
    assert await _count_users(db) == before


async def test_wrong_types_and_unknown_fields(client: AsyncClient, db: AsyncSession) -> None:
    await _demo_brand(db)
    headers = await staff_headers(client, db, roles=["admin"])
    before = await _count_users(db)
    good = NEW_AGENT
    body = _is_problem(
        await client.post("/api/admin/users", json={**good, "roles": "agent"}, headers=headers), 422
    )
    assert body["errors"][0]["loc"] == ["body", "roles"]
    body = _is_problem(
        await client.post("/api/admin/users", json={**good, "is_root": True}, headers=headers), 422
    )
    assert "is_root" in body["detail"]
    _is_problem(
        await client.post("/api/admin/users", json={**good, "roles": ["emperor"]}, headers=headers),
        422,
    )
    assert await _count_users(db) == before
    assert (await client.post("/api/admin/users", json=good, headers=headers)).status_code == 201
    body = _is_problem(await client.post("/api/admin/users", json=good, headers=headers), 409)
    assert body["code"] == "email_taken"


async def test_oversized_body_is_refused_before_parsing(
    client: AsyncClient, db: AsyncSession
) -> None:
    headers = await staff_headers(client, db, roles=["admin"])
    before = await _count_users(db)
    huge = b'{"email": "a@example.com", "display_name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    resp = await client.post(
        "/api/admin/users", content=huge, headers={**headers, "content-type": "application/json"}
    )
    body = _is_problem(resp, 413)
    assert body["code"] == "payload_too_large"
    assert await _count_users(db) == before


async def test_bad_tokens(client: AsyncClient) -> None:
    for value in ["Bearer nope", "Basic abc", "Bearer", "token"]:
        body = _is_problem(
            await client.get("/api/auth/sessions", headers={"Authorization": value}), 401
        )
        assert body["code"] == "unauthenticated"
    client.cookies.set("vitrina_guest", "forged.value.signature")
    _is_problem(await client.get("/api/auth/me"), 401)


async def test_unknown_route_and_method(client: AsyncClient) -> None:
    _is_problem(await client.get("/api/nothing-here"), 404)
    wrong = await client.put("/healthz")
    _is_problem(wrong, 405)
    assert wrong.headers["allow"] == "GET"


async def test_405_names_every_method_the_path_allows(client: AsyncClient) -> None:
    """A collection served by two routes (list and create) allows both, not the first."""
    for path, allowed in [
        ("/api/admin/users", "GET, POST"),
        ("/api/admin/users/some-id", "GET, PATCH"),
        ("/api/admin/api-tokens", "GET, POST"),
        ("/api/crm/webhooks", "GET, POST"),
    ]:
        resp = await client.put(path, json={})
        _is_problem(resp, 405)
        assert resp.headers["allow"] == allowed, path


async def test_signing_in_again_with_a_stale_session_cookie_works(
    client: AsyncClient, db: AsyncSession
) -> None:
    await staff_headers(client, db, roles=["agent"], email="back@example.com")
    client.cookies.clear()
    client.cookies.set("vitrina_session", "expired-or-revoked-session-token")
    client.cookies.set("vitrina_csrf", "old-csrf-value")
    resp = await client.post(
        "/api/auth/login",
        json={"email": "back@example.com", "password": "correct horse battery staple"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.cookies.get("vitrina_session") == resp.json()["token"]


async def test_cookie_writes_need_the_csrf_header(client: AsyncClient, db: AsyncSession) -> None:
    await _demo_brand(db)
    await staff_headers(client, db, roles=["admin"], email="csrf@example.com")
    resp = await client.post(
        "/api/auth/login",
        json={"email": "csrf@example.com", "password": "correct horse battery staple"},
    )
    csrf = resp.json()["csrf_token"]
    assert client.cookies.get("vitrina_session")
    good = {
        "email": "c2@example.com",
        "display_name": "C",
        "password": "long enough password",
        "roles": ["agent"],
        "brand_slugs": ["aurora-motors"],
    }
    body = _is_problem(await client.post("/api/admin/users", json=good), 403)
    assert body["code"] == "csrf_failed"
    ok = await client.post("/api/admin/users", json=good, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


async def test_granting_a_brand_that_does_not_exist_is_refused(
    client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    headers = await staff_headers(client, db, roles=["admin"])
    before = await _count_users(db)
    good = NEW_AGENT
    typo = {**good, "brand_slugs": ["aurora-motor"]}
    body = _is_problem(await client.post("/api/admin/users", json=typo, headers=headers), 422)
    assert body["code"] == "unknown_brand" and body["unknown"] == ["aurora-motor"]
    assert await _count_users(db) == before
    created = await client.post(
        "/api/admin/users", json={**good, "brand_slugs": ["aurora-motors"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    user = created.json()["id"]
    body = _is_problem(
        await client.patch(
            f"/api/admin/users/{user}", json={"brand_slugs": ["x" * 5000]}, headers=headers
        ),
        422,
    )
    assert body["errors"][0]["loc"][:2] == ["body", "brand_slugs"]
    after = await client.get(f"/api/admin/users/{user}", headers=headers)
    assert after.json()["brand_slugs"] == ["aurora-motors"]


async def test_values_longer_than_their_columns_are_422_not_a_database_error(
    client: AsyncClient, db: AsyncSession
) -> None:
    await seed_demo(db)
    headers = await staff_headers(client, db, roles=["admin", "agent"])
    long_url = "https://bridge.example.com/" + "r" * 2000
    body = _is_problem(
        await client.put(
            "/api/admin/channels/webhook/aurora-motors",
            json={"outbound_url": long_url},
            headers=headers,
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "outbound_url"]
    body = _is_problem(
        await client.put(
            "/api/console/presence",
            json={"status": "online", "queues": ["q" * 5000]},
            headers=headers,
        ),
        422,
    )
    assert body["errors"][0]["loc"][:2] == ["body", "queues"]


async def test_nan_and_infinity_are_refused_so_the_storefront_stays_drawable(
    client: AsyncClient, db: AsyncSession
) -> None:
    """Python's JSON parser accepts NaN and Infinity; a layout holding one broke the brand."""
    await seed_demo(db)
    headers = await staff_headers(client, db, roles=["admin"])
    before = (await client.get("/api/brands/aurora-motors")).json()["layout"]
    marked = json.loads(json.dumps(before))
    zone = next(z for z in marked["zones"] if z["stands"])
    zone["stands"][0]["x"] = 123456.25
    for token in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps({"layout": marked}).replace("123456.25", token)
        problem = _is_problem(
            await client.patch(
                "/api/admin/brands/aurora-motors",
                content=body,
                headers={**headers, "content-type": "application/json"},
            ),
            422,
        )
        assert problem["code"] == "validation_error", token
    after = await client.get("/api/brands/aurora-motors")
    assert after.status_code == 200 and after.json()["layout"] == before
