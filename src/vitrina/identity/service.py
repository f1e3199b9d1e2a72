"""Staff accounts, staff sessions and guest sessions."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitrina.core.db import new_id, utcnow
from vitrina.core.errors import Conflict, Forbidden, NotFound
from vitrina.core.security import Principal, Role, hash_token, new_token
from vitrina.crm import verification
from vitrina.identity import grants
from vitrina.identity.errors import IdentityErrorCode
from vitrina.identity.models import GuestSession, StaffSession, StaffUser
from vitrina.identity.passwords import hash_password, needs_rehash, verify_password

_GUEST_SALT = "vitrina.guest"


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def get_user(db: AsyncSession, *, user_id: str) -> StaffUser | None:
    return await db.get(StaffUser, user_id)


async def get_user_or_raise(db: AsyncSession, *, user_id: str) -> StaffUser:
    user = await get_user(db, user_id=user_id)
    if user is None:
        raise NotFound(f"No staff user {user_id}.", code=IdentityErrorCode.USER_NOT_FOUND)
    return user


async def get_user_by_email(db: AsyncSession, *, email: str) -> StaffUser | None:
    result = await db.execute(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    return result.scalar_one_or_none()


async def get_visible_user_or_raise(
    db: AsyncSession, *, actor: Principal, user_id: str
) -> StaffUser:
    """A staff account the actor may see (it shares a brand); others do not exist for it."""
    user = await get_user(db, user_id=user_id)
    if user is None or (not grants.may_see(actor, user.brand_slugs) and user.id != actor.user_id):
        raise NotFound(f"No staff user {user_id}.", code=IdentityErrorCode.USER_NOT_FOUND)
    return user


async def get_manageable_user_or_raise(
    db: AsyncSession, *, actor: Principal, user_id: str
) -> StaffUser:
    """A staff account the actor may change: it reaches no brand or role beyond the actor's."""
    user = await get_visible_user_or_raise(db, actor=actor, user_id=user_id)
    if not grants.may_manage(actor, roles=user.roles, brand_slugs=user.brand_slugs):
        raise Forbidden(
            f"{user.display_name} also serves brands or holds roles you do not; "
            "ask an administrator of all of them.",
            code=IdentityErrorCode.USER_NOT_MANAGEABLE,
        )
    return user


async def list_users(
    db: AsyncSession, *, actor: Principal | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[StaffUser], int]:
    """Staff accounts the actor may see (all of them for the system itself)."""
    if actor is None or actor.visible_brands() is None:
        total = await db.scalar(select(func.count()).select_from(StaffUser)) or 0
        query = select(StaffUser).order_by(StaffUser.email).offset(offset).limit(limit)
        return list((await db.execute(query)).scalars()), total
    # Brand lists are JSON, which SQLite and PostgreSQL query differently; staff tables
    # are small, so the filter runs here.
    everyone = (await db.execute(select(StaffUser).order_by(StaffUser.email))).scalars()
    visible = [u for u in everyone if grants.may_see(actor, u.brand_slugs)]
    return visible[offset : offset + limit], len(visible)


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str,
    roles: list[str],
    brand_slugs: list[str] | None = None,
    actor: Principal | None = None,
) -> StaffUser:
    """A new staff account; `actor` (None for the command line) must hold what it grants."""
    if actor is not None:
        grants.check_account_grant(actor, roles=roles, brand_slugs=list(brand_slugs or []))
    email = normalise_email(email)
    if await get_user_by_email(db, email=email) is not None:
        raise Conflict(
            f"A staff user with email {email} already exists.", code=IdentityErrorCode.EMAIL_TAKEN
        )
    user = StaffUser(
        id=new_id(),
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=sorted({Role(r).value for r in roles}),
        brand_slugs=sorted(set(brand_slugs or [])),
        is_active=True,
    )
    db.add(user)
    await db.flush()
    return user


async def update_user(
    db: AsyncSession,
    *,
    user: StaffUser,
    display_name: str | None = None,
    password: str | None = None,
    roles: list[str] | None = None,
    brand_slugs: list[str] | None = None,
    is_active: bool | None = None,
    actor: Principal | None = None,
) -> StaffUser:
    if actor is not None and (roles is not None or brand_slugs is not None):
        grants.check_account_grant(
            actor,
            roles=roles if roles is not None else user.roles,
            brand_slugs=brand_slugs if brand_slugs is not None else user.brand_slugs,
        )
    if display_name is not None:
        user.display_name = display_name
    if roles is not None:
        new_roles = sorted({Role(r).value for r in roles})
        admins = {Role.ADMIN, Role.SUPERADMIN}
        if admins & set(user.roles) and not admins & set(new_roles):
            await _ensure_another_admin(db, user)
        user.roles = new_roles
    if is_active is False and user.is_active and {Role.ADMIN, Role.SUPERADMIN} & set(user.roles):
        await _ensure_another_admin(db, user)
    brands_changed = brand_slugs is not None and set(brand_slugs) != set(user.brand_slugs)
    if brand_slugs is not None:
        user.brand_slugs = sorted(set(brand_slugs))
    if password is not None:
        user.password_hash = hash_password(password)
    if password is not None or is_active is False or roles is not None or brands_changed:
        # Credentials or powers changed: every open session must sign in again.
        await revoke_all_sessions(db, user_id=user.id)
    if is_active is not None:
        user.is_active = is_active
    await db.flush()
    return user


async def _ensure_another_admin(db: AsyncSession, user: StaffUser) -> None:
    users = (await db.execute(select(StaffUser).where(StaffUser.is_active.is_(True)))).scalars()
    admins = {Role.ADMIN, Role.SUPERADMIN}
    if not any(u.id != user.id and admins & set(u.roles) for u in users):
        raise Conflict(
            "This is the last active admin; appoint another first.",
            code=IdentityErrorCode.LAST_ADMIN,
        )


async def authenticate(db: AsyncSession, *, email: str, password: str) -> StaffUser | None:
    user = await get_user_by_email(db, email=email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


async def create_staff_session(
    db: AsyncSession,
    *,
    user: StaffUser,
    ttl_s: int,
    user_agent: str = "",
    ip: str = "",
    now: datetime | None = None,
) -> tuple[str, StaffSession]:
    now = now or utcnow()
    token = new_token()
    session = StaffSession(
        id=new_id(),
        token_hash=hash_token(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
        last_seen_at=now,
        revoked_at=None,
        user_agent=user_agent[:255],
        ip=ip[:64],
    )
    db.add(session)
    await db.flush()
    return token, session


async def resolve_staff_session(
    db: AsyncSession, *, token: str, now: datetime | None = None
) -> Principal | None:
    """The principal of a live session, or None when unknown, expired, revoked or disabled."""
    now = now or utcnow()
    result = await db.execute(
        select(StaffSession).where(StaffSession.token_hash == hash_token(token))
    )
    session = result.scalar_one_or_none()
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    user = session.user
    if not user.is_active:
        return None
    if now - session.last_seen_at > timedelta(minutes=1):
        session.last_seen_at = now
    return Principal(
        kind="staff",
        session_id=session.id,
        display_name=user.display_name,
        user_id=user.id,
        roles=frozenset(Role(r) for r in user.roles),
        brand_slugs=frozenset(user.brand_slugs),
    )


async def list_sessions(db: AsyncSession, *, user_id: str) -> list[StaffSession]:
    rows = await db.execute(
        select(StaffSession)
        .where(StaffSession.user_id == user_id)
        .order_by(StaffSession.created_at.desc())
    )
    return list(rows.scalars())


async def revoke_session(
    db: AsyncSession, *, session_id: str, user_id: str | None = None
) -> StaffSession:
    session = await db.get(StaffSession, session_id)
    if session is None or (user_id is not None and session.user_id != user_id):
        raise NotFound(f"No session {session_id}.", code=IdentityErrorCode.SESSION_NOT_FOUND)
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        await db.flush()
    return session


async def revoke_all_sessions(db: AsyncSession, *, user_id: str) -> None:
    await db.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _guest_signer(secret: str) -> TimestampSigner:
    return TimestampSigner(secret, salt=_GUEST_SALT)


async def create_guest(
    db: AsyncSession,
    *,
    secret: str,
    display_name: str | None = None,
    brand_slug: str | None = None,
    locale: str = "en",
) -> tuple[GuestSession, str]:
    name = display_name or f"Guest {random.randint(1000, 9999)}"
    guest = GuestSession(
        id=new_id(), display_name=name, brand_slug=brand_slug, locale=locale, created_at=utcnow()
    )
    db.add(guest)
    await db.flush()
    payload = f"{guest.id}|{name}"
    token = _guest_signer(secret).sign(payload.encode()).decode()
    return guest, token


async def guest_locale(db: AsyncSession, *, session_id: str) -> str | None:
    """The UI language a guest session started in (None: no such session)."""
    guest = await db.get(GuestSession, session_id)
    return guest.locale if guest is not None else None


async def rename_guest(
    db: AsyncSession, *, secret: str, session_id: str, display_name: str
) -> str | None:
    """Give a guest session the name its customer proved (the token carries the name, so
    a new one is signed); None when the session is gone."""
    guest = await db.get(GuestSession, session_id)
    if guest is None:
        return None
    guest.display_name = display_name[:60]
    await db.flush()
    return _guest_signer(secret).sign(f"{guest.id}|{guest.display_name}".encode()).decode()


def resolve_guest_cookie(token: str, *, secret: str, max_age_s: int) -> Principal | None:
    """Verify a guest token's signature and age without a database round trip."""
    try:
        payload = _guest_signer(secret).unsign(token, max_age=max_age_s).decode()
    except (BadSignature, SignatureExpired, UnicodeDecodeError):
        return None
    guest_id, _, name = payload.partition("|")
    if not guest_id or not name:
        return None
    return Principal(
        kind="guest", session_id=guest_id, display_name=name, roles=frozenset({Role.CUSTOMER})
    )


async def verified_customer(
    db: AsyncSession, *, principal: Principal, brand_id: str | None = None, min_level: int = 1
) -> str | None:
    """The customer id this session has proved to be (live step-up verification), or None.

    The bot asks this before reading account data; see crm.verification for levels.
    """
    return await verification.verified_customer(
        db, principal=principal, brand_id=brand_id, min_level=min_level
    )
