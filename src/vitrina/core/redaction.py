"""Masking secrets and personal data in what is about to be logged.

Log calls name ids, counts and outcomes, never people or secrets; this module is the second
line of defence for what slips through anyway: an exception message quoting an address, a
library printing a URL with `?token=`. Two rules apply:

- a value whose key names a secret or personal data (`password`, `token`, `code`, `email`,
  `phone`, `name`, `body`, `text`, ...) is replaced whole, whatever it looks like;
- any text is searched for what looks like one wherever it appears: e-mail addresses,
  international phone numbers, wallet addresses and DIDs, bearer and API tokens, JWTs,
  six-digit codes next to the word "code", `token=...` style pairs, URL credentials.

Ids (UUIDs), counts, durations, status codes and paths pass unchanged, so a log still says
what happened to which record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

MASK = "[redacted]"

# Words that make a key sensitive wherever they appear in it (`customer_email`, `accessToken`).
_SENSITIVE_WORDS = frozenset(
    {
        "password", "passwd", "pwd", "passphrase", "secret", "token", "otp", "pin", "code",
        "cookie", "authorization", "signature", "sig", "csrf", "key", "apikey", "credentials",
        "email", "mail", "phone", "mobile", "tel", "name", "body", "text", "message",
        "subject", "note", "notes", "comment", "transcript", "content", "address", "ip",
        "wallet", "did", "identifier", "rcpt", "recipient", "recipients", "input",
    }
)  # fmt: skip
# A key ending in one of these describes the value rather than holding it: `token_id`,
# `email_count`, `body_length` say nothing about the token, the address or the text.
_DESCRIPTIVE_LAST_WORDS = frozenset(
    {"id", "ids", "count", "len", "length", "size", "ms", "s", "at", "kind", "type", "status"}
)
# Codes that classify an outcome, not one-time secrets.
_CLASSIFYING_KEYS = frozenset(
    {
        "status_code", "close_code", "error_code", "exit_code", "http_code", "response_code",
        "reason_code", "problem_code", "language_code", "country_code", "currency_code",
    }
)  # fmt: skip
_KEY_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _words(key: str) -> list[str]:
    return [w.lower() for w in _KEY_WORD.findall(key)]


def is_sensitive_key(key: str) -> bool:
    """Whether values under `key` are secrets or personal data, whatever they look like."""
    words = _words(key)
    if not words or words[-1] in _DESCRIPTIVE_LAST_WORDS:
        return False
    if "_".join(words) in _CLASSIFYING_KEYS:
        return False
    return any(w in _SENSITIVE_WORDS for w in words)


def _mask_pair(match: re.Match[str]) -> str:
    """`key=value` with the value masked when the key is sensitive."""
    return f"{match['key']}={MASK}" if is_sensitive_key(match["key"]) else match[0]


def _mask_quoted(match: re.Match[str]) -> str:
    """`"key": "value"` with the value masked when the key is sensitive."""
    if not is_sensitive_key(match["key"]):
        return match[0]
    q = match["q"]
    return f"{q}{match['key']}{q}{match['sep']}{q}{MASK}{q}"


_CODE_WORD = r"(?:code|codice|otp|pin|passcode)"
_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]+)\b"
_Replacement = str | Callable[[re.Match[str]], str]
# Applied in order: the earlier rules mask whole values that later ones would only nibble at.
_RULES: list[tuple[re.Pattern[str], _Replacement]] = [
    # user:password@ in a URL
    (re.compile(r"(?<=://)[^\s/@:]+:[^\s/@]+@"), "[credentials]@"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"), rf"\1 {MASK}"),
    (re.compile(r"\bvit_[A-Za-z0-9_-]{8,}"), "[token]"),
    (re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"), "[jwt]"),
    # "password": "..." and 'text': '...', in JSON and in Python reprs of structures
    (
        re.compile(
            r"""(?P<q>["'])(?P<key>[A-Za-z_][\w.-]{0,63})(?P=q)(?P<sep>\s*:\s*)"""
            r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
        ),
        _mask_quoted,
    ),
    # token=..., password=..., text='...' in query strings, forms, key=value formats, reprs
    (
        re.compile(
            r"(?<![\w.-])(?P<key>[A-Za-z_][\w.-]{0,63})="
            r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^&\s"',;<>]+)"""
        ),
        _mask_pair,
    ),
    # Any local part RFC 5322 allows (and so do we): "o'neil", "a/b" and "{x}" included,
    # at the price of masking a path or a quote glued to the address as well.
    (re.compile(rf"[\w.!#$%&'*+/=?^`{{|}}~-]+(?:@|%40){_DOMAIN}"), "[email]"),
    (re.compile(r"\b0x[0-9a-fA-F]{64}\b"), MASK),  # private keys (and hashes, unavoidably)
    (re.compile(r"\b0x[0-9a-fA-F]{40}\b"), "[wallet]"),
    (re.compile(r"\bdid:[a-z0-9]+:[A-Za-z0-9._%:-]+"), "[did]"),
    (re.compile(r"(?<![\w+])\+\d[\d ().-]{6,18}\d(?!\d)"), "[phone]"),
    # one-time codes: "sign-in code: 952152", "your code ... is 952152", "952152 is your code"
    (re.compile(rf"(?i)(\b{_CODE_WORD}\b[^\d\n]{{0,40}}?)(?<!\d)\d{{6}}(?!\d)"), r"\1[code]"),
    (re.compile(rf"(?i)(?<!\d)\d{{6}}(?!\d)(?=[^\d\n]{{0,30}}\b{_CODE_WORD}\b)"), "[code]"),
    # session and other opaque tokens: long runs mixing upper case, lower case and digits
    # (UUIDs and hex digests have no upper case and stay readable)
    (
        re.compile(r"(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*\d)[\w-]{32,}(?![\w-])"),
        "[token]",
    ),
]


def redact_text(text: str) -> str:
    """`text` with everything that looks like a secret or personal data masked."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redact_value(key: str, value: Any) -> Any:
    """`value` as it may be logged under `key`: masked whole if the key is sensitive,
    searched if it is text, walked if it is a structure; numbers and flags unchanged."""
    if value is None or isinstance(value, bool):
        return value
    if is_sensitive_key(key):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        return redact_mapping(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value("", item) for item in value]
    # Anything else reaches the log as its text: search that text.
    return redact_text(str(value))


def redact_mapping(values: Mapping[Any, Any]) -> dict[Any, Any]:
    return {key: redact_value(str(key), value) for key, value in values.items()}
