"""Rating links for customers who are not in a live channel (email): a signed token names
the conversation, so the link itself is the customer's permission to rate it.

The token carries only the conversation's id and when it was issued; it opens the rating
page for `LINK_VALID_FOR` (mail is often read days later), and a conversation is rated
once whatever the route (link, reply, chat).
"""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from vitrina.core.config import Settings

LINK_VALID_FOR = timedelta(days=14)
_SALT = "vitrina.csat-link"


class RatingLinkInvalid(Exception):
    """The link was altered, made for another installation, or has expired."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt=_SALT)


def token_for(settings: Settings, conversation_id: str) -> str:
    return _serializer(settings).dumps(conversation_id)


def conversation_of(settings: Settings, token: str) -> str:
    """The conversation a token rates, or RatingLinkInvalid."""
    try:
        value = _serializer(settings).loads(token, max_age=int(LINK_VALID_FOR.total_seconds()))
    except SignatureExpired as exc:
        raise RatingLinkInvalid(expired=True) from exc
    except BadSignature as exc:
        raise RatingLinkInvalid(expired=False) from exc
    if not isinstance(value, str):
        raise RatingLinkInvalid(expired=False)
    return value


def rating_url(settings: Settings, conversation_id: str, score: int | None = None) -> str:
    url = f"{settings.public_url.rstrip('/')}/rate/{token_for(settings, conversation_id)}"
    return f"{url}?score={score}" if score is not None else url
