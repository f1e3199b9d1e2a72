"""Dependencies shared by every router, as `Annotated` aliases, and the access rules.

Every route declares who may call it with exactly one `Access` dependency (usually on
its router): `PUBLIC`, `GUEST_OR_STAFF`, `STAFF`, or `require_roles(...)`. A test walks
the application's routes and fails if one has none.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from vitrina.core.components import components_of
from vitrina.core.config import Settings
from vitrina.core.errors import AppError, ErrorCode, Forbidden, Unauthenticated
from vitrina.core.events import EventBus
from vitrina.core.mailer import Mailer as MailerProtocol
from vitrina.core.security import STAFF_ROLES, Credentials, Principal, Role

SESSION_COOKIE = "vitrina_session"
GUEST_COOKIE = "vitrina_guest"
CSRF_COOKIE = "vitrina_csrf"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(conn: HTTPConnection) -> Settings:
    return components_of(conn).get(Settings)


def get_bus(conn: HTTPConnection) -> EventBus:
    return components_of(conn).get(EventBus)


def get_sessions(conn: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    """The session factory, for work that opens its own transactions (sockets, jobs)."""
    sessions: async_sessionmaker[AsyncSession] = components_of(conn).get(async_sessionmaker)
    return sessions


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler succeeds, else rolled back.

    Used with ``scope="function"`` so the commit happens before the answer is sent: a client
    told "saved" reads its change on the next request, and a failed commit is an error reply,
    never a success for a change that was lost.
    """
    async with get_sessions(request)() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
Bus = Annotated[EventBus, Depends(get_bus)]
Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]


def get_mailer(conn: HTTPConnection) -> MailerProtocol:
    mailer: MailerProtocol = components_of(conn).get(MailerProtocol)  # type: ignore[type-abstract]
    return mailer


Mailer = Annotated[MailerProtocol, Depends(get_mailer)]


def get_credentials(conn: HTTPConnection) -> Credentials:
    credentials: Credentials = components_of(conn).get(Credentials)  # type: ignore[type-abstract]
    return credentials


async def resolve_principal(request: Request, db: AsyncSession) -> Principal | None:
    """The caller behind a bearer token, the staff cookie or the guest cookie, if any.

    Writes authenticated by a cookie must echo the CSRF cookie in the X-CSRF-Token header.
    """
    settings = get_settings(request)
    identity = get_credentials(request)
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization header must be 'Bearer <token>'.")
        principal = await identity.staff_session(db, token=token.strip())
        if principal is None:
            principal = await identity.api_token(db, token=token.strip())
        if principal is None:
            raise Unauthenticated("The bearer token is invalid, expired or revoked.")
        return principal
    staff_token = request.cookies.get(SESSION_COOKIE)
    guest_cookie = request.cookies.get(GUEST_COOKIE)
    if not staff_token and not guest_cookie:
        return None
    if request.method not in _SAFE_METHODS:
        _check_csrf(request)
    if staff_token:
        principal = await identity.staff_session(db, token=staff_token)
        if principal is not None:
            return principal
    if guest_cookie:
        return identity.guest(
            guest_cookie,
            secret=settings.resolved_secret_key,
            max_age_s=settings.guest_session_ttl_s,
        )
    return None


class CsrfFailed(AppError):
    status = 403
    code = ErrorCode.CSRF


def _check_csrf(request: Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie, header):
        raise CsrfFailed(
            "Cookie-authenticated writes must send the vitrina_csrf cookie value in X-CSRF-Token."
        )


class Access:
    """Declares who may call a route; as a dependency it also enforces it."""

    def __init__(
        self,
        label: str,
        *,
        public: bool = False,
        guests: bool = False,
        roles: frozenset[Role] = frozenset(),
        scopes: frozenset[str] = frozenset(),
    ) -> None:
        self.label = label
        self.public = public
        self.guests = guests
        self.roles = roles
        # API-token principals pass only where one of their scopes is listed here.
        self.scopes = scopes

    async def __call__(self, request: Request, db: DbSession) -> Principal | None:
        if self.public:
            # A stale or forged credential, or a cookie write without its CSRF header,
            # makes the caller anonymous here rather than refused: signing in again with
            # an old session cookie in the browser must work.
            try:
                principal = await resolve_principal(request, db)
            except (Unauthenticated, CsrfFailed):
                principal = None
            request.state.principal = principal
            return principal
        principal = await resolve_principal(request, db)
        if principal is None:
            raise Unauthenticated("Sign in to call this endpoint.")
        if principal.kind == "guest":
            if not self.guests:
                raise Forbidden("This endpoint is for staff only.")
        elif principal.kind == "integration":
            if not self.scopes & principal.scopes:
                raise Forbidden("This API token lacks the scope this endpoint needs.")
        elif self.roles and not principal.has_any_role(self.roles):
            wanted = ", ".join(sorted(self.roles))
            raise Forbidden(f"This endpoint needs one of the roles: {wanted}.")
        request.state.principal = principal
        return principal

    def __repr__(self) -> str:
        return f"Access({self.label})"


def require_roles(*roles: Role) -> Access:
    return Access("roles:" + ",".join(sorted(roles)), roles=frozenset(roles))


def staff_or_scope(scope: str) -> Access:
    """Staff of any role, or an integration whose API token carries `scope`."""
    return Access(f"staff-or-scope:{scope}", roles=STAFF_ROLES, scopes=frozenset({scope}))


PUBLIC = Access("public", public=True)
GUEST_OR_STAFF = Access("guest-or-staff", guests=True)
STAFF = Access("staff", roles=STAFF_ROLES)
ADMIN = require_roles(Role.ADMIN)
SUPERADMIN = require_roles(Role.SUPERADMIN)

MaybePrincipal = Annotated[Principal | None, Depends(PUBLIC)]
AnyPrincipal = Annotated[Principal, Depends(GUEST_OR_STAFF)]
StaffPrincipal = Annotated[Principal, Depends(STAFF)]
AdminPrincipal = Annotated[Principal, Depends(ADMIN)]
SuperadminPrincipal = Annotated[Principal, Depends(SUPERADMIN)]


def check_brand(principal: Principal, brand_slug: str) -> None:
    """Refuse a brand the caller does not serve (the one rule: `Principal.may_act_on`)."""
    if not principal.may_act_on(brand_slug):
        raise Forbidden(
            f"You do not serve the brand {brand_slug!r}.", code=ErrorCode.BRAND_FORBIDDEN
        )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def resolve_ws_principal(websocket: WebSocket) -> Principal | None:
    """The caller of a WebSocket: `?token=` (staff bearer or guest token) or the session cookies.

    Cookies are only trusted when the handshake comes from our own origin, which stops other
    sites from opening sockets in a signed-in visitor's name.
    """
    settings = get_settings(websocket)
    identity = get_credentials(websocket)
    token = websocket.query_params.get("token")
    staff_token = websocket.cookies.get(SESSION_COOKIE)
    guest_token = websocket.cookies.get(GUEST_COOKIE)
    if token:
        staff_token, guest_token = token, token
    elif not _same_origin(websocket, settings):
        return None
    if guest_token and (token or not staff_token):
        # A guest token is checked by its signature alone (a staff token never carries
        # one): visitors enter the world while the database is unreachable.
        guest = identity.guest(
            guest_token, secret=settings.resolved_secret_key, max_age_s=settings.guest_session_ttl_s
        )
        if guest is not None:
            return guest
    async with get_sessions(websocket)() as db:
        if staff_token:
            principal = await identity.staff_session(db, token=staff_token)
            await db.commit()
            if principal is not None:
                return principal
    if guest_token:
        return identity.guest(
            guest_token, secret=settings.resolved_secret_key, max_age_s=settings.guest_session_ttl_s
        )
    return None


def _same_origin(websocket: WebSocket, settings: Settings) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookies to abuse
    host = websocket.headers.get("host", "")
    allowed = {f"http://{host}", f"https://{host}", settings.public_url.rstrip("/")}
    return origin.rstrip("/") in allowed
