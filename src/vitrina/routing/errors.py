from __future__ import annotations

from enum import StrEnum


class RoutingErrorCode(StrEnum):
    NOT_AVAILABLE = "advisor_not_available"
    AT_CAPACITY = "advisor_at_capacity"
    ADVISOR_NOT_FOUND = "advisor_not_found"
    QUEUE_NOT_FOUND = "queue_not_found"
    QUEUE_EXISTS = "queue_exists"
    WRONG_BRAND = "wrong_brand"
