"""Structured logs: JSON lines in production, readable lines on a terminal.

Whatever is logged passes the redaction of `vitrina.core.redaction` on its way out: our own
structured lines through a structlog processor, the standard library's records (uvicorn,
aiosmtpd, httpx, ...) through a `logging.Filter`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

from vitrina.core.redaction import redact_mapping, redact_text

# Libraries whose output at the levels below this one prints payloads: SQL parameters and
# rows, SMTP dialogues and message lines, HTTP headers with cookies, WebSocket frames with
# chat messages, ASGI messages with bodies. They stay at this level even when the
# application logs at DEBUG, since no pattern can tell a customer's sentence from any other.
QUIET_LIBRARIES = {
    "uvicorn.access": logging.WARNING,  # client addresses and query strings; see "request"
    "uvicorn.error": logging.INFO,  # at DEBUG: handshake headers and every WebSocket frame
    "uvicorn.asgi": logging.INFO,  # at TRACE: every ASGI message, bodies included
    "websockets": logging.INFO,  # at DEBUG: every frame
    "sqlalchemy.engine": logging.WARNING,  # at INFO: statement parameters; DEBUG: rows
    "aiosqlite": logging.INFO,  # at DEBUG: every statement with its parameters
    "mail.log": logging.WARNING,  # aiosmtpd: peers; at DEBUG the whole SMTP dialogue
    "httpx": logging.WARNING,  # every URL called, query strings included
    "httpcore": logging.WARNING,  # at DEBUG: request and response headers
}
# uvicorn's loggers write through handlers of their own instead of the root's.
_UVICORN_LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn.asgi")
_TRACEBACKS = logging.Formatter()


def redact_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """structlog processor: masks sensitive keys and what looks sensitive in any value."""
    return redact_mapping(event_dict)


class RedactingFilter(logging.Filter):
    """Masks what looks sensitive in a standard-library record, in place, for every handler
    after it: the message, its arguments, and the traceback once rendered."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            whole = record.getMessage()
        except (TypeError, ValueError, KeyError):
            whole = None  # a malformed call: logging reports it when formatting
        # Formatting makes any message text (`logger.error(exc)`); do it first.
        record.msg = redact_text(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(a) for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = redact_mapping(record.args)
        # Masking the parts can miss a secret that straddles the format and an argument
        # ("code: %s"), or eat a placeholder ("%s@example.com"): then the whole message is
        # masked instead. uvicorn's access formatter reads its arguments one by one, so its
        # records keep their shape.
        if record.args and whole is not None and record.name != "uvicorn.access":
            try:
                parts = record.getMessage()
            except (TypeError, ValueError, KeyError):
                parts = None
            if parts is None or redact_text(parts) != parts:
                record.msg, record.args = redact_text(whole), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(_TRACEBACKS.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def _redact_argument(value: object) -> object:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace")).encode()
    return value


REDACT = RedactingFilter()


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, redact_event, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(REDACT)
    # On the loggers themselves: uvicorn replaces its handlers whenever it configures
    # logging, which may happen after this (a server started in-process), but keeps filters.
    for name in _UVICORN_LOGGERS:
        logging.getLogger(name).addFilter(REDACT)
    asked = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    for name, quietest in QUIET_LIBRARIES.items():
        logging.getLogger(name).setLevel(max(quietest, asked))
