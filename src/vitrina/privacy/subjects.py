"""Subjects: whose data a record is, written `guest:<id>` or `customer:<id>`."""

from __future__ import annotations

import re

from vitrina.core.errors import AppError
from vitrina.core.security import Principal
from vitrina.privacy.errors import PrivacyErrorCode

SUBJECT_PATTERN = r"^(guest|customer):[A-Za-z0-9_-]{1,48}$"
_SUBJECT = re.compile(SUBJECT_PATTERN)
# Columns that point at a person; every table holding one must be covered by a registration.
SUBJECT_COLUMNS = frozenset({"subject", "customer_id", "customer_ref", "profile_id"})


def guest(session_id: str) -> str:
    return f"guest:{session_id}"


def customer(customer_id: str) -> str:
    return f"customer:{customer_id}"


def is_valid(subject: str) -> bool:
    return bool(_SUBJECT.match(subject))


def check(subject: str) -> str:
    if not is_valid(subject):
        raise AppError(
            "A subject is 'guest:<session id>' or 'customer:<customer id>'.",
            code=PrivacyErrorCode.INVALID_SUBJECT,
        )
    return subject


def of_principal(principal: Principal) -> str:
    """The subject a guest speaks for: its own session."""
    return guest(principal.session_id)


def or_record(ref: str | None, record: str) -> str:
    """The subject to audit a read under: `ref` when it is a subject, else the record read
    (`conversation:<id>`), never an email address or other personal value."""
    return ref if ref is not None and is_valid(ref) else record
