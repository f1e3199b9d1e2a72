"""Identifiers are normalised so that one customer is one key whatever the spelling."""

from __future__ import annotations

import pytest
from eth_account import Account
from hypothesis import given
from hypothesis import strategies as st

from vitrina.crm.identifiers import IdentityKind, InvalidIdentifier, candidates, normalise


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("email", "  Mia.Rossi@Example.COM ", "mia.rossi@example.com"),
        ("phone", "+33 6 12 34 56 78", "+33612345678"),
        ("phone", "+1 (415) 555-2671", "+14155552671"),
        (
            "wallet",
            "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23",
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
        ),
        (
            "did",
            "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
            "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        ),
        ("external", "Salesforce:0035g00000XyZ", "salesforce:0035g00000XyZ"),
        ("handle", "WhatsApp:+33612345678", "whatsapp:+33612345678"),
    ],
)
def test_normal_forms(kind: str, raw: str, value: str) -> None:
    assert normalise(kind, raw).value == value


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("email", "not-an-email"),
        ("phone", "12345"),
        ("phone", "+33 1"),
        ("wallet", "0x1234"),
        ("wallet", "0x2C7536e3605d9c16a7a3d7b1898e529396a65c23"),  # mixed case, bad checksum
        ("did", "did:"),
        ("external", "no-system"),
    ],
)
def test_malformed_identifiers_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalise(kind, raw)


@given(st.binary(min_size=20, max_size=20), st.booleans())
def test_any_spelling_of_an_address_is_one_key(raw: bytes, upper: bool) -> None:
    hexed = raw.hex().upper() if upper else raw.hex()
    assert normalise("wallet", "0x" + hexed).value == normalise("wallet", "0x" + raw.hex()).value


@given(st.from_regex(r"[a-z]{1,12}\.[a-z]{1,12}@[a-z]{2,12}\.(com|org|it)", fullmatch=True))
def test_email_case_does_not_matter(email: str) -> None:
    assert normalise("email", email.upper()) == normalise("email", email)


def test_candidates_find_the_kind() -> None:
    address = Account.from_key("0x" + "22" * 32).address
    kinds = {c.kind for c in candidates(address.lower())}
    assert kinds == {IdentityKind.WALLET}
    assert {c.kind for c in candidates("mia@example.com")} == {IdentityKind.EMAIL}
    assert IdentityKind.PHONE in {c.kind for c in candidates("+39 02 1234 5678")}
