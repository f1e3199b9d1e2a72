from __future__ import annotations

from enum import StrEnum


class InsightsErrorCode(StrEnum):
    FOREIGN_SUBJECT = "foreign_subject"
    CONSENT_REQUIRED = "consent_required"
    UNKNOWN_PERSONA = "unknown_persona"
    INVALID_PERSONA = "invalid_persona"


class RejectReason(StrEnum):
    """Why a signal was dropped at the door; the label of vitrina_signals_rejected_total."""

    NO_CONSENT = "no_consent"
    UNKNOWN_SUBJECT = "unknown_subject"
    ERASED_SUBJECT = "erased_subject"
    FOREIGN_SUBJECT = "foreign_subject"
    FORGED_TIMESTAMP = "forged_timestamp"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_PRODUCT = "unknown_product"
