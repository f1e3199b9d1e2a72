from __future__ import annotations

from enum import StrEnum


class ConversationErrorCode(StrEnum):
    CONVERSATION_NOT_FOUND = "conversation_not_found"
    CONVERSATION_CLOSED = "conversation_closed"
    INVALID_TRANSITION = "invalid_transition"
    ALREADY_CLAIMED = "already_claimed"
    CHANGED_MEANWHILE = "changed_meanwhile"
    NOT_YOUR_CONVERSATION = "not_your_conversation"
    CSAT_NOT_OPEN = "csat_not_open"
    INVALID_SIGNATURE = "invalid_signature"
    CHANNEL_NOT_CONFIGURED = "channel_not_configured"
    CANNED_RESPONSE_EXISTS = "canned_response_exists"
    DELIVERY_NOT_FOUND = "delivery_not_found"
