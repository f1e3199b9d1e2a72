"""Prices with tax, per the brand's rule, in exact Decimal arithmetic.

A line's amount is its unit price (the catalog's configured total) times the quantity.
With `prices_include_tax` (the European habit), the catalog price is the gross amount and
the tax is the part of it above net = gross / (1 + rate); otherwise the tax is added on
top. Tax is rounded half-up to the currency's minor unit once per line, and an order's
figures are the sums of its lines, so the printed lines always add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from vitrina.catalog import money


@dataclass(frozen=True, slots=True)
class TaxRule:
    rate: Decimal
    prices_include_tax: bool
    label: str = "VAT"


@dataclass(frozen=True, slots=True)
class LineAmounts:
    unit_price: Decimal
    quantity: int
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    unit_price: Decimal, *, quantity: int, currency: str, rule: TaxRule
) -> LineAmounts:
    q = money.quantum(currency)
    amount = (unit_price * quantity).quantize(q)
    if rule.prices_include_tax:
        net = (amount / (1 + rule.rate)).quantize(q, rounding=ROUND_HALF_UP)
        return LineAmounts(unit_price, quantity, net, amount - net, amount)
    tax = (amount * rule.rate).quantize(q, rounding=ROUND_HALF_UP)
    return LineAmounts(unit_price, quantity, amount, tax, amount + tax)


def parse_rate(text: str) -> Decimal:
    rate = Decimal(text)
    if not rate.is_finite() or rate < 0 or rate >= 1:
        raise ValueError("a tax rate is a decimal between 0 and 1, e.g. 0.22")
    return rate
