from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vitrina.core.db import Base, IdMixin, TimestampMixin


class StaffUser(IdMixin, TimestampMixin, Base):
    __tablename__ = "staff_user"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Brands this member of staff serves; an empty list with the admin role means all.
    brand_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    sessions: Mapped[list[StaffSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class StaffSession(IdMixin, Base):
    """A server-side session; the bearer token itself is never stored, only its SHA-256."""

    __tablename__ = "staff_session"
    __table_args__ = (Index("ix_staff_session_user_id", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[StaffUser] = relationship(back_populates="sessions", lazy="joined")


class GuestSession(IdMixin, Base):
    """A customer's anonymous session; the cookie carries its signed id."""

    __tablename__ = "guest_session"

    display_name: Mapped[str] = mapped_column(Text)
    brand_slug: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class CustomerChallenge(IdMixin, Base):
    """A single-use proof request: a SIWE nonce, a did:key challenge or an email code.

    Only a digest of the secret part is stored. `used_at` is set atomically on success;
    `attempts` counts wrong answers for codes.
    """

    __tablename__ = "customer_challenge"
    __table_args__ = (Index("ix_customer_challenge_session", "session_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str] = mapped_column(String(36))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The identifier the challenge is about (email address, DID), when known up front.
    subject: Mapped[str] = mapped_column(Text, default="")
    subject_hash: Mapped[str | None] = mapped_column(String(32))
    link: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class ApiToken(IdMixin, Base):
    """A token an integration uses as a Bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    brand_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
