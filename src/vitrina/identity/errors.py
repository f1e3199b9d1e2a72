from __future__ import annotations

from enum import StrEnum


class IdentityErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    EMAIL_TAKEN = "email_taken"
    USER_NOT_FOUND = "user_not_found"
    SESSION_NOT_FOUND = "session_not_found"
    LAST_ADMIN = "last_admin"
