from __future__ import annotations

from enum import StrEnum


class IdentityErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    EMAIL_TAKEN = "email_taken"
    USER_NOT_FOUND = "user_not_found"
    SESSION_NOT_FOUND = "session_not_found"
    LAST_ADMIN = "last_admin"
    BRAND_NOT_HELD = "brand_not_held"
    ROLE_NOT_HELD = "role_not_held"
    SCOPE_NOT_HELD = "scope_not_held"
    BRANDS_REQUIRED = "brands_required"
    USER_NOT_MANAGEABLE = "user_not_manageable"
    API_TOKEN_NOT_FOUND = "api_token_not_found"  # noqa: S105 - an error code
