"""Prices are exact decimals in a currency: strings in, strings out, integer minor units stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vitrina.catalog import money
from vitrina.catalog.money import InvalidPrice


@pytest.mark.parametrize(
    ("given_value", "currency", "expected"),
    [
        ("39900", "EUR", "39900.00"),
        ("0.1", "EUR", "0.10"),
        (1500, "EUR", "1500.00"),
        ("12", "JPY", "12"),
    ],
)
def test_amounts_are_quantized_to_the_currency(
    given_value: object, currency: str, expected: str
) -> None:
    assert str(money.parse_amount(given_value, currency=currency)) == expected


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("-1.00", "not a non-negative decimal"),
        ("12,50", "not a non-negative decimal"),
        ("1e3", "not a non-negative decimal"),
        ("NaN", "not a non-negative decimal"),
        ("10.005", "more decimals than EUR allows"),
        (19.99, "must be a decimal string"),
        (True, "must be a decimal string"),
        (None, "must be a decimal string"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(bad: object, reason: str) -> None:
    with pytest.raises(InvalidPrice) as err:
        money.parse_amount(bad, currency="EUR")
    assert reason in err.value.detail


def test_unknown_currency() -> None:
    with pytest.raises(InvalidPrice, match="Unsupported currency 'XXX'"):
        money.parse_amount("1", currency="XXX")


@given(st.lists(st.decimals(0, 10**9, places=2, allow_nan=False), max_size=50))
def test_minor_units_round_trip_and_sums_are_exact(amounts: list[Decimal]) -> None:
    minors = [money.to_minor(a, currency="EUR") for a in amounts]
    assert [money.from_minor(m, currency="EUR") for m in minors] == amounts
    assert money.from_minor(sum(minors), currency="EUR") == sum(amounts, Decimal(0))
