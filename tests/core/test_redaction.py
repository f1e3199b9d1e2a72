"""The redaction every log line passes: what it masks, and what it leaves readable."""

from __future__ import annotations

import json
import logging
import logging.config
import uuid
from copy import deepcopy

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from uvicorn.config import LOGGING_CONFIG

from tests.logs import printed
from vitrina.core.redaction import MASK, is_sensitive_key, redact_mapping, redact_text

SESSION_TOKEN = "NAfbx-dF1Ljka9yNchmT22lSabfpdIvs19k_Mfs0fl0"  # as secrets.token_urlsafe(32)
WALLET = "0xa8049bB68181799124F98E467DD749e120abFA64"
DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtaWEifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("mail to Mia.Rossi@Example.COM failed", "Mia.Rossi@Example.COM"),
        ("GET /find?who=mia.rossi%40example.com", "mia.rossi%40example.com"),
        ("call me on +39 347 555 0199 please", "347 555 0199"),
        ("call me on +393475550199", "393475550199"),
        ("or +1 (555) 010-4477", "010-4477"),
        (f"paid from {WALLET}", WALLET[2:]),
        (f"proved {DID}", DID[8:]),
        ("Authorization: Bearer abc.DEF-123_x", "abc.DEF-123_x"),
        ("integration vit_Zk3xQ9fLmA2pR7sT used", "Zk3xQ9fLmA2pR7sT"),
        (f"cookie {JWT}", JWT[:20]),
        ("Your Aurora Motors sign-in code: 952152", "952152"),
        ("Your code to sign in with Aurora Motors is 952152.", "952152"),
        ("Votre code de connexion : 952152", "952152"),
        ("Il tuo codice: 952152", "952152"),
        ("952152 is your one-time code", "952152"),
        ('"WebSocket /ws/console?token=abc%7CMia+Rossi.x1" [accepted]', "Mia+Rossi"),
        ("POST /hook?brand=aurora&access_token=s3cr3t&page=2", "s3cr3t"),
        ("login password=hunter2 ok", "hunter2"),
        ("verify code=952152", "952152"),
        ("name='Mia Rossi' brand='aurora-motors'", "Rossi"),
        ("[type=string_too_long, input_value='call Mia Rossi', input_type=str]", "Rossi"),
        ("postgresql://vitrina:hunter2@db:5432/vitrina", "hunter2"),
        ('{"type": "say", "text": "my sofa is on fire"}', "sofa"),
        ("{'body': 'my sofa is on fire', 'n': 1}", "sofa"),
        (f"resolved session {SESSION_TOKEN}", SESSION_TOKEN),
    ],
)
def test_what_looks_like_a_secret_or_personal_data_is_masked(text: str, secret: str) -> None:
    assert secret not in redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "GET /api/conversations/16f77c7f-6715-4b61-8d76-727ef30a23e0/accept 200 12.5ms",
        "status_code=404 attempts=3 brand=aurora-motors",
        "2026-12-07T06:49:43.690782Z took 123456 ns at +00:00",
        "digest e6239516636eb29b77e931f434c7abdeb29ea8e929cd27566da41eb4f2119b12",
        "vitrina.conversations.widget failed: ConnectionResetError",
        "SMTP relay mail.example:587 refused the message: SMTPRecipientsRefused (550)",
        "UNIQUE constraint failed: staff_user.email",
    ],
)
def test_ids_counts_durations_status_codes_and_paths_stay_readable(text: str) -> None:
    assert redact_text(text) == text


def test_structured_values_are_masked_by_their_key_whatever_they_look_like() -> None:
    conversation = str(uuid.uuid4())
    logged = redact_mapping(
        {
            "event": "mail_sent",
            "to": "mia@example.com",
            "subject": "Your Aurora Motors sign-in code: 952152",
            "code": 952152,
            "customer_name": "Mia",
            "accessToken": "short",
            "notes": "allergic to cats",
            "body_length": 17,
            "email_count": 2,
            "status_code": 409,
            "conversation_id": conversation,
            "verified": True,
            "why": None,
            "context": {"phone": "0612345678", "brand": "aurora-motors"},
            "tags": ["vip", "write to mia@example.com"],
        }
    )
    assert logged == {
        "event": "mail_sent",
        "to": "[email]",
        "subject": MASK,
        "code": MASK,
        "customer_name": MASK,
        "accessToken": MASK,
        "notes": MASK,
        "body_length": 17,
        "email_count": 2,
        "status_code": 409,
        "conversation_id": conversation,
        "verified": True,
        "why": None,
        "context": {"phone": MASK, "brand": "aurora-motors"},
        "tags": ["vip", "write to [email]"],
    }


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        ("password", True),
        ("new_password", True),
        ("sessionToken", True),
        ("customer_email", True),
        ("display_name", True),
        ("message", True),
        ("code", True),
        ("token_id", False),
        ("message_count", False),
        ("status_code", False),
        ("close_code", False),
        ("to_state", False),
        ("conversation_id", False),
        ("path", False),
        ("event", False),
    ],
)
def test_which_keys_hold_secrets(key: str, sensitive: bool) -> None:
    assert is_sensitive_key(key) is sensitive


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@given(before=_text, address=st.emails(), after=_text)
def test_no_email_address_survives_in_any_text(before: str, address: str, after: str) -> None:
    domain = address.rpartition("@")[2]
    if "." not in domain:  # addresses on bare host names are not the customers' kind
        return
    assert address not in redact_text(f"{before} {address} {after}")


@given(
    country=st.integers(1, 999),
    groups=st.lists(st.integers(10, 9999), min_size=2, max_size=4),
    separator=st.sampled_from([" ", "-", ".", ""]),
)
def test_no_international_phone_number_survives(
    country: int, groups: list[int], separator: str
) -> None:
    number = f"+{country} " + separator.join(str(g) for g in groups)
    if sum(c.isdigit() for c in number) < 8:
        return
    assert number not in redact_text(f"call {number} tomorrow")


@given(code=st.integers(0, 999_999), word=st.sampled_from(["code", "Code", "OTP", "codice"]))
def test_no_six_digit_code_survives_next_to_its_word(code: int, word: str) -> None:
    digits = f"{code:06d}"
    assert digits not in redact_text(f"Your {word}: {digits}")
    assert digits not in redact_text(f"{digits} is your {word}")


@given(ids=st.lists(st.uuids(), max_size=4), count=st.integers(0, 10**9))
def test_ids_and_counts_always_survive(ids: list[uuid.UUID], count: int) -> None:
    text = f"moved {count} rows: " + ", ".join(str(i) for i in ids)
    assert redact_text(text) == text


@given(text=_text)
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


def test_structured_lines_are_redacted_on_the_way_out() -> None:
    with printed("DEBUG", json=True) as out:
        log = structlog.get_logger("vitrina.test")
        log.debug("mail_sent", to="mia@example.com", subject="Your code: 952152", recipient_count=1)
        try:
            raise ValueError("no profile for mia@example.com")
        except ValueError:
            log.exception("lookup_failed", customer_id="c-1")
    sent, failed = (json.loads(line) for line in out.getvalue().splitlines())
    assert (sent["to"], sent["subject"], sent["recipient_count"]) == ("[email]", MASK, 1)
    assert failed["customer_id"] == "c-1"
    assert "ValueError: no profile for [email]" in failed["exception"]
    assert "mia@example.com" not in out.getvalue()


def test_standard_library_records_are_redacted_message_arguments_and_traceback() -> None:
    with printed("DEBUG") as out:
        library = logging.getLogger("some.library")
        library.info("sending to %s", "mia@example.com")
        library.info("sign-in code: %s", "952152")
        library.warning("%(who)s failed", {"who": "mia@example.com"})
        library.error(LookupError("no profile for mia@example.com"))
        library.info("wrote to %s@example.com", "mia.rossi")
        try:
            raise RuntimeError("relay refused +39 347 555 0199")
        except RuntimeError:
            library.exception("send failed")
    logged = out.getvalue()
    assert "sending to [email]" in logged
    assert "sign-in code: [code]" in logged
    assert "[email] failed" in logged
    assert "no profile for [email]" in logged
    assert "wrote to [email]" in logged and "Logging error" not in logged
    assert "RuntimeError: relay refused [phone]" in logged
    for secret in ("mia@example.com", "mia.rossi", "952152", "555 0199"):
        assert secret not in logged


def test_uvicorn_logs_are_redacted_even_when_uvicorn_sets_up_logging_afterwards() -> None:
    """An in-process server configures uvicorn's loggers after the app did; an operator may
    turn the access log on. Query-string tokens still do not reach the output."""
    with printed("INFO") as out:
        config = deepcopy(LOGGING_CONFIG)
        config["formatters"]["default"]["use_colors"] = False
        config["formatters"]["access"]["use_colors"] = False
        logging.config.dictConfig(config)  # what uvicorn does when its server starts
        access = logging.getLogger("uvicorn.access")
        access.setLevel(logging.INFO)
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            f"/ws/console?token={SESSION_TOKEN}&brand=aurora",
            "1.1",
            101,
        )
        logging.getLogger("uvicorn.error").info(
            '%s - "WebSocket %s" [accepted]', "127.0.0.1:5001", "/ws/widget?token=abc%7CMia+Rossi"
        )
    logged = out.getvalue()
    assert '"GET /ws/console?token=[redacted]&brand=aurora HTTP/1.1" 101' in logged
    assert '"WebSocket /ws/widget?token=[redacted]" [accepted]' in logged
    assert SESSION_TOKEN not in logged and "Rossi" not in logged


def test_libraries_that_print_payloads_stay_quiet_at_debug() -> None:
    with printed("DEBUG") as out:
        logging.getLogger("aiosqlite").debug("executing INSERT ... ('Mia Rossi',)")
        logging.getLogger("websockets.server").debug('< TEXT \'{"text": "Mia Rossi"}\'')
        logging.getLogger("mail.log").debug("DATA readline: b'Dear Mia Rossi'")
        logging.getLogger("vitrina.core.mailer").debug("still shown at debug")
    assert "Rossi" not in out.getvalue()
    assert "still shown at debug" in out.getvalue()
