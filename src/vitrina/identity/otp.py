"""One-time email codes: six digits, stored as an HMAC keyed by the server secret.

A plain hash of a six-digit code is reversed by trying a million values; the HMAC key
(the installation's secret) makes a leaked table useless without the key as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from email.message import EmailMessage

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def digest(secret: str, challenge_id: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def matches(secret: str, challenge_id: str, code: str, stored: str) -> bool:
    return hmac.compare_digest(digest(secret, challenge_id, code), stored)


def message(*, to: str, code: str, brand_name: str, minutes: int) -> EmailMessage:
    mail = EmailMessage()
    mail["To"] = to
    # The code only in the body: subjects show on lock screens and in notification
    # previews, and a mail relay logs them.
    mail["Subject"] = f"Your {brand_name} sign-in code"
    mail.set_content(
        f"Your code to sign in with {brand_name} is {code}.\n\n"
        f"It works once, for {minutes} minutes. If you did not ask for it, ignore this "
        "message: nobody can sign in without the code.\n"
    )
    return mail
