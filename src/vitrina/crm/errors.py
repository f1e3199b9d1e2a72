from __future__ import annotations

from enum import StrEnum


class CrmErrorCode(StrEnum):
    CUSTOMER_NOT_FOUND = "customer_not_found"
    INVALID_IDENTIFIER = "invalid_identifier"
    IDENTITY_TAKEN = "identity_taken"
    IDENTITY_NOT_FOUND = "identity_not_found"
    MERGE_INVALID = "merge_invalid"
    MERGE_NOT_FOUND = "merge_not_found"
    MERGE_ALREADY_UNDONE = "merge_already_undone"
    REASON_REQUIRED = "reason_required"
    NOT_VERIFIED = "customer_not_verified"
    WEBHOOK_NOT_FOUND = "webhook_not_found"
    UNKNOWN_WEBHOOK_EVENT = "unknown_webhook_event"
    IMPORT_INVALID = "import_invalid"
