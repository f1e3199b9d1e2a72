"""Error codes of the scheduling domain; each maps to a problem+json `code`."""

from __future__ import annotations

from enum import StrEnum


class SchedulingErrorCode(StrEnum):
    RESOURCE_NOT_FOUND = "resource_not_found"
    TYPE_NOT_FOUND = "appointment_type_not_found"
    TYPE_EXISTS = "appointment_type_exists"
    APPOINTMENT_NOT_FOUND = "appointment_not_found"
    INVALID_HOURS = "invalid_opening_hours"
    INVALID_TIMEZONE = "invalid_timezone"
    NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"
    AMBIGUOUS_LOCAL_TIME = "ambiguous_local_time"
    SLOT_UNAVAILABLE = "slot_unavailable"
    SLOT_TAKEN = "slot_taken"
    HOLD_EXPIRED = "hold_expired"
    INVALID_STATE = "invalid_appointment_state"
    IDEMPOTENCY_MISMATCH = "idempotency_key_reused"
    INVALID_WINDOW = "invalid_window"
    BRAND_FORBIDDEN = "brand_forbidden"
