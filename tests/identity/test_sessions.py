from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, login, make_staff
from vitrina.core.db import utcnow
from vitrina.identity import service as identity
from vitrina.identity.models import StaffSession


async def test_login_issues_a_session_stored_only_as_a_hash(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_staff(db, email="ava@example.com")
    resp = await client.post(
        "/api/auth/login", json={"email": "AVA@example.com", "password": PASSWORD}
    )
    assert resp.status_code == 200
    token = resp.json()["token"]
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    rows = (await db.execute(StaffSession.__table__.select())).all()
    assert len(rows) == 1
    assert token not in {str(v) for v in rows[0]}


async def test_wrong_password_and_unknown_user_look_the_same(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_staff(db, email="ava@example.com")
    a = await client.post(
        "/api/auth/login", json={"email": "ava@example.com", "password": "wrong password"}
    )
    b = await client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "wrong password"}
    )
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


async def test_sign_in_is_rate_limited(client: AsyncClient, db: AsyncSession) -> None:
    await make_staff(db, email="ava@example.com")
    codes = [
        (
            await client.post(
                "/api/auth/login", json={"email": "ava@example.com", "password": "guess"}
            )
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429
    last = await client.post(
        "/api/auth/login", json={"email": "ava@example.com", "password": PASSWORD}
    )
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1


async def test_logout_revokes_the_session(client: AsyncClient, db: AsyncSession) -> None:
    await make_staff(db, email="ava@example.com")
    headers = await login(client, "ava@example.com")
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401


async def test_revoking_one_session_keeps_the_other(client: AsyncClient, db: AsyncSession) -> None:
    await make_staff(db, email="ava@example.com")
    first = await login(client, "ava@example.com")
    second = await login(client, "ava@example.com")
    sessions = (await client.get("/api/auth/sessions", headers=first)).json()
    assert len(sessions) == 2
    me_second = (await client.get("/api/auth/me", headers=second)).json()
    assert (
        await client.delete(f"/api/auth/sessions/{me_second['session_id']}", headers=first)
    ).status_code == 204
    assert (await client.get("/api/auth/me", headers=second)).status_code == 401
    assert (await client.get("/api/auth/me", headers=first)).status_code == 200


async def test_expired_session_is_refused(client: AsyncClient, db: AsyncSession) -> None:
    user = await make_staff(db, email="ava@example.com")
    token, session = await identity.create_staff_session(
        db, user=user, ttl_s=60, now=utcnow() - timedelta(minutes=5)
    )
    await db.commit()
    assert session.expires_at < utcnow()
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    fresh, _ = await identity.create_staff_session(db, user=user, ttl_s=60)
    await db.commit()
    assert (
        await client.get("/api/auth/me", headers={"Authorization": f"Bearer {fresh}"})
    ).status_code == 200


async def test_password_change_and_deactivation_sign_out_everywhere(
    client: AsyncClient, db: AsyncSession
) -> None:
    await make_staff(db, email="root@example.com", roles=["admin"])
    admin = await login(client, "root@example.com")
    user = await make_staff(db, email="ava@example.com")
    ava = await login(client, "ava@example.com")
    resp = await client.patch(
        f"/api/admin/users/{user.id}", json={"password": "a brand new password"}, headers=admin
    )
    assert resp.status_code == 200
    assert (await client.get("/api/auth/me", headers=ava)).status_code == 401
    ava = await login(client, "ava@example.com", "a brand new password")
    assert (
        await client.patch(f"/api/admin/users/{user.id}", json={"is_active": False}, headers=admin)
    ).status_code == 200
    assert (await client.get("/api/auth/me", headers=ava)).status_code == 401
    resp = await client.post(
        "/api/auth/login", json={"email": "ava@example.com", "password": "a brand new password"}
    )
    assert resp.status_code == 401


async def test_the_last_admin_cannot_be_demoted(client: AsyncClient, db: AsyncSession) -> None:
    root = await make_staff(db, email="root@example.com", roles=["admin"])
    admin = await login(client, "root@example.com")
    resp = await client.patch(
        f"/api/admin/users/{root.id}", json={"roles": ["agent"]}, headers=admin
    )
    assert resp.status_code == 409 and resp.json()["code"] == "last_admin"


async def test_guest_session_is_a_signed_cookie(client: AsyncClient) -> None:
    resp = await client.post("/api/auth/guest", json={"display_name": "Mia", "locale": "fr"})
    assert resp.status_code == 201
    me = (await client.get("/api/auth/me")).json()
    assert me == {**me, "kind": "guest", "display_name": "Mia", "roles": ["customer"]}
    cookie = client.cookies.get("vitrina_guest")
    assert cookie
    client.cookies.set("vitrina_guest", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert (await client.get("/api/auth/me")).status_code == 401
