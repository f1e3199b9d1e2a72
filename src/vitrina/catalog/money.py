"""Exact money arithmetic: Decimal amounts in a currency, stored as integer minor units."""

from __future__ import annotations

import re
from decimal import Decimal

from vitrina.catalog.errors import CatalogErrorCode
from vitrina.core.errors import AppError

# ISO 4217 minor-unit exponents of the currencies a brand may price in.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "JPY": 0,
}
_DECIMAL_TEXT = re.compile(r"^\d{1,12}(\.\d{1,4})?$")


class InvalidPrice(AppError):
    status = 422
    code = CatalogErrorCode.INVALID_PRICE


def parse_amount(value: object, *, currency: str, field: str = "price") -> Decimal:
    """A non-negative amount given as a decimal string (or an integer), exact to the currency.

    Floats are refused: 0.1 has no exact binary value, and prices must round-trip exactly.
    """
    exponent = exponent_of(currency)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidPrice(
            f'{field} must be a decimal string such as "39900.00", not {type(value).__name__}.',
            field=field,
        )
    text = str(value).strip()
    if not _DECIMAL_TEXT.match(text):
        raise InvalidPrice(f"{field} {text!r} is not a non-negative decimal amount.", field=field)
    amount = Decimal(text)
    if -amount.as_tuple().exponent > exponent:  # type: ignore[operator]
        raise InvalidPrice(
            f"{field} {text!r} has more decimals than {currency} allows ({exponent}).",
            field=field,
        )
    return amount.quantize(quantum(currency))


def exponent_of(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise InvalidPrice(
            f"Unsupported currency {currency!r}; use one of {', '.join(sorted(CURRENCY_EXPONENTS))}.",
            field="currency",
        ) from None


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent_of(currency))


def to_minor(amount: Decimal, *, currency: str) -> int:
    return int(amount.scaleb(exponent_of(currency)))


def from_minor(minor: int, *, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent_of(currency)).quantize(quantum(currency))
