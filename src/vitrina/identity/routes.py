"""Sign-in, sessions and staff administration."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request, Response, status

from vitrina.api.deps import (
    ADMIN,
    CSRF_COOKIE,
    GUEST_COOKIE,
    PUBLIC,
    SESSION_COOKIE,
    STAFF,
    AdminPrincipal,
    AnyPrincipal,
    DbSession,
    SettingsDep,
    StaffPrincipal,
    client_ip,
)
from vitrina.api.paging import Limit, Offset
from vitrina.brands import service as brands
from vitrina.core.errors import Unauthenticated
from vitrina.core.ratelimit import limits_of
from vitrina.identity import service
from vitrina.identity.errors import IdentityErrorCode
from vitrina.identity.schemas import (
    GuestCreate,
    GuestRead,
    LoginRequest,
    LoginResponse,
    MeRead,
    SessionRead,
    StaffUserCreate,
    StaffUserPage,
    StaffUserRead,
    StaffUserUpdate,
)

public_router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(PUBLIC)])
session_router = APIRouter(prefix="/api/auth", tags=["auth"])
staff_router = APIRouter(prefix="/api/auth", tags=["auth"], dependencies=[Depends(STAFF)])
admin_router = APIRouter(prefix="/api/admin/users", tags=["admin"], dependencies=[Depends(ADMIN)])


def _set_cookie(
    response: Response,
    settings: SettingsDep,
    name: str,
    value: str,
    max_age: int,
    *,
    http_only: bool = True,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=http_only,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


@public_router.post("/login", response_model=LoginResponse, summary="Staff sign-in (public)")
async def login(
    body: LoginRequest, request: Request, response: Response, db: DbSession, settings: SettingsDep
) -> LoginResponse:
    await limits_of(request).enforce(
        "login",
        f"{client_ip(request)}|{body.email.lower()}",
        rate=settings.login_rate_per_minute,
        message="Too many sign-in attempts; wait a minute.",
    )
    user = await service.authenticate(db, email=body.email, password=body.password)
    if user is None:
        raise Unauthenticated(
            "Email or password is wrong.", code=IdentityErrorCode.INVALID_CREDENTIALS
        )
    token, session = await service.create_staff_session(
        db,
        user=user,
        ttl_s=settings.staff_session_ttl_s,
        user_agent=request.headers.get("user-agent", ""),
        ip=client_ip(request),
    )
    csrf = secrets.token_urlsafe(24)
    _set_cookie(response, settings, SESSION_COOKIE, token, settings.staff_session_ttl_s)
    _set_cookie(
        response, settings, CSRF_COOKIE, csrf, settings.staff_session_ttl_s, http_only=False
    )
    return LoginResponse(
        token=token,
        csrf_token=csrf,
        expires_at=session.expires_at,
        user=StaffUserRead.model_validate(user),
    )


@public_router.post(
    "/guest",
    response_model=GuestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Start a guest session (public)",
)
async def start_guest(
    body: GuestCreate, request: Request, response: Response, db: DbSession, settings: SettingsDep
) -> GuestRead:
    await limits_of(request).enforce(
        "guest_start",
        client_ip(request),
        rate=settings.public_write_rate_per_minute,
        message="Too many requests; slow down.",
    )
    guest, token = await service.create_guest(
        db,
        secret=settings.resolved_secret_key,
        display_name=body.display_name,
        brand_slug=body.brand_slug,
        locale=body.locale,
    )
    csrf = secrets.token_urlsafe(24)
    _set_cookie(response, settings, GUEST_COOKIE, token, settings.guest_session_ttl_s)
    _set_cookie(
        response, settings, CSRF_COOKIE, csrf, settings.guest_session_ttl_s, http_only=False
    )
    return GuestRead(id=guest.id, display_name=guest.display_name, token=token, csrf_token=csrf)


@session_router.get("/me", response_model=MeRead, summary="Who am I (guest or staff)")
async def me(principal: AnyPrincipal) -> MeRead:
    return MeRead(
        kind=principal.kind,
        session_id=principal.session_id,
        display_name=principal.display_name,
        user_id=principal.user_id,
        roles=sorted(principal.roles),
        brand_slugs=sorted(principal.brand_slugs),
    )


@staff_router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke the current staff session (staff)",
)
async def logout(principal: StaffPrincipal, response: Response, db: DbSession) -> Response:
    await service.revoke_session(db, session_id=principal.session_id)
    response.status_code = status.HTTP_204_NO_CONTENT
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@staff_router.get("/sessions", response_model=list[SessionRead], summary="My sessions (staff)")
async def my_sessions(principal: StaffPrincipal, db: DbSession) -> list[SessionRead]:
    assert principal.user_id is not None
    return [
        SessionRead.model_validate(s)
        for s in await service.list_sessions(db, user_id=principal.user_id)
    ]


@staff_router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke one of my sessions (staff)",
)
async def revoke_my_session(session_id: str, principal: StaffPrincipal, db: DbSession) -> None:
    await service.revoke_session(db, session_id=session_id, user_id=principal.user_id)


@admin_router.get("", response_model=StaffUserPage, summary="List staff users (admin)")
async def list_staff(
    db: DbSession,
    principal: AdminPrincipal,
    offset: Offset = 0,
    limit: Limit = 50,
) -> StaffUserPage:
    users, total = await service.list_users(db, actor=principal, offset=offset, limit=limit)
    return StaffUserPage(
        items=[StaffUserRead.model_validate(u) for u in users],
        total=total,
        offset=offset,
        limit=limit,
    )


@admin_router.post(
    "",
    response_model=StaffUserRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a staff user (admin)",
)
async def create_staff(
    body: StaffUserCreate, db: DbSession, principal: AdminPrincipal
) -> StaffUserRead:
    await brands.require_existing(db, slugs=body.brand_slugs)
    user = await service.create_user(
        db,
        email=body.email,
        display_name=body.display_name,
        password=body.password,
        roles=list(body.roles),
        brand_slugs=body.brand_slugs,
        actor=principal,
    )
    return StaffUserRead.model_validate(user)


@admin_router.get("/{user_id}", response_model=StaffUserRead, summary="Read a staff user (admin)")
async def read_staff(user_id: str, db: DbSession, principal: AdminPrincipal) -> StaffUserRead:
    user = await service.get_visible_user_or_raise(db, actor=principal, user_id=user_id)
    return StaffUserRead.model_validate(user)


@admin_router.patch(
    "/{user_id}", response_model=StaffUserRead, summary="Update a staff user (admin)"
)
async def update_staff(
    user_id: str, body: StaffUserUpdate, db: DbSession, principal: AdminPrincipal
) -> StaffUserRead:
    user = await service.get_manageable_user_or_raise(db, actor=principal, user_id=user_id)
    if body.brand_slugs is not None:
        await brands.require_existing(db, slugs=body.brand_slugs)
    user = await service.update_user(
        db,
        user=user,
        display_name=body.display_name,
        password=body.password,
        roles=list(body.roles) if body.roles is not None else None,
        brand_slugs=body.brand_slugs,
        is_active=body.is_active,
        actor=principal,
    )
    return StaffUserRead.model_validate(user)


@admin_router.post(
    "/{user_id}/revoke-sessions",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign a staff user out everywhere (admin)",
)
async def revoke_staff_sessions(user_id: str, db: DbSession, principal: AdminPrincipal) -> None:
    await service.get_manageable_user_or_raise(db, actor=principal, user_id=user_id)
    await service.revoke_all_sessions(db, user_id=user_id)


routers = [public_router, session_router, staff_router, admin_router]
