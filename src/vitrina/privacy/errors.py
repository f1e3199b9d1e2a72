from __future__ import annotations

from enum import StrEnum


class PrivacyErrorCode(StrEnum):
    UNKNOWN_PURPOSE = "unknown_purpose"
    ESSENTIAL_CANNOT_BE_WITHDRAWN = "essential_cannot_be_withdrawn"
    INVALID_SUBJECT = "invalid_subject"
    SUBJECT_ERASED = "subject_erased"
    REQUEST_NOT_FOUND = "privacy_request_not_found"
    REQUEST_NOT_READY = "privacy_request_not_ready"
    REQUEST_PENDING = "privacy_request_pending"
    NOT_UNDER_REVIEW = "privacy_request_not_under_review"
    EXPORT_EXPIRED = "export_expired"
    BRAND_NOT_SERVED = "brand_not_served"
    REASON_REQUIRED = "access_reason_required"
