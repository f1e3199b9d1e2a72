from __future__ import annotations

from enum import StrEnum


class LedgerErrorCode(StrEnum):
    INVALID_ENTRY = "ledger_invalid_entry"
    ENTRY_NOT_FOUND = "ledger_entry_not_found"
    SUBJECT_ERASED = "ledger_subject_erased"
    PLEDGE_NOT_FOUND = "ledger_pledge_not_found"
    NO_KEY = "ledger_no_key"
