"""Buying in the storefront, in a real Chromium: configure a car, sign in with the demo
wallet, check out paying the deposit with the sandbox card, see the order paid and the
car's digital twin in "My garage"; then an advisor's financing offer, countersigned with
the demo wallet."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_store, until

NewPage = Callable[..., Page]
SLOW = 60_000


def _post(url: str, body: object, headers: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        answer: dict[str, object] = json.loads(response.read())
        return answer


def test_buy_a_car_and_find_its_twin_in_my_garage(new_page: NewPage, base_url: str) -> None:
    page = new_page()
    open_store(page, base_url, "?lang=en&mode=2d")
    if page.get_by_test_id("consent-accept").count():
        page.get_by_test_id("consent-accept").click()

    # The demo wallet proves the visitor is Giulia Bianchi: the car's twin will be hers.
    page.get_by_test_id("signin-open").click()
    page.get_by_test_id("signin-wallet").click()
    expect(page.get_by_test_id("signin-status")).to_contain_text("Giulia Bianchi", timeout=SLOW)
    until(page, "() => window.__vitrina.connection() === 'online'")

    # Configure an E1 and put it in the cart.
    page.get_by_test_id("configure-aurora-e1").click()
    expect(page.get_by_test_id("total")).to_be_visible(timeout=SLOW)
    page.locator("form.configurator input[type=radio]:not(:checked)").first.check()
    page.get_by_test_id("add-to-cart").click()
    shop = page.get_by_test_id("shop-panel")
    expect(shop).to_be_visible(timeout=SLOW)
    expect(shop.get_by_test_id("cart-lines").locator("li")).to_have_count(1, timeout=SLOW)

    # Check out with the deposit, pay with the sandbox's card.
    expect(shop.get_by_test_id("plan-deposit")).to_be_checked()
    shop.get_by_test_id("checkout-name").fill("Giulia Bianchi")
    shop.get_by_test_id("checkout-email").fill("giulia.bianchi@example.com")
    shop.get_by_test_id("checkout-line1").fill("Via Roma 1")
    shop.get_by_test_id("checkout-city").fill("Milano")
    shop.get_by_test_id("checkout-postal_code").fill("20121")
    # The panel's own refresh (it runs when the panel opens) may land while the customer
    # types: what they typed stays.
    page.evaluate("() => window.__shop.panel.refresh()")
    expect(shop.get_by_test_id("checkout-name")).to_have_value("Giulia Bianchi")
    expect(shop.get_by_test_id("checkout-postal_code")).to_have_value("20121")
    shop.get_by_test_id("checkout-submit").click()
    expect(shop.get_by_test_id("card-form")).to_be_visible(timeout=SLOW)
    expect(shop.get_by_test_id("card-submit")).to_contain_text("1,000.00")
    shop.get_by_test_id("card-number").fill("4242 4242 4242 4242")
    shop.get_by_test_id("card-cvc").fill("123")
    shop.get_by_test_id("card-submit").click()
    expect(shop.get_by_test_id("shop-status")).to_contain_text("is paid", timeout=SLOW)

    # The order is paid; the car's twin is in "My garage".
    expect(shop.get_by_test_id("my-orders").locator("li[data-status=paid]")).to_have_count(1)
    twin = shop.get_by_test_id("my-garage").locator("li[data-serial^='AUR-E1-']")
    expect(twin).to_have_count(1, timeout=SLOW)

    # An advisor shares a financing offer; Giulia countersigns it with the demo wallet.
    customer_id = until(
        page,
        """async () => {
            const r = await fetch('/api/brands/aurora-motors/commerce/orders');
            const orders = await r.json();
            return orders.length ? orders[0].customer_id : null;
        }""",
    )
    login = _post(
        f"{base_url}/api/auth/login",
        {"email": "agent@aurora-motors.example", "password": "aurora-demo-password"},
        {},
    )
    _post(
        f"{base_url}/api/staff/commerce/brands/aurora-motors/documents",
        {
            "customer_id": customer_id,
            "kind": "financing",
            "title": "Aurora E1, 48 months",
            "price": "35800.00",
            "deposit": "1000.00",
            "months": 48,
        },
        {"authorization": f"Bearer {login['token']}", "idempotency-key": uuid.uuid4().hex},
    )
    shop.get_by_test_id("shop-refresh").click()
    offer = shop.get_by_test_id("my-documents").locator("li[data-status=shared]")
    expect(offer).to_have_count(1, timeout=SLOW)
    offer.get_by_test_id("countersign").click()
    expect(shop.get_by_test_id("shop-status")).to_have_text("Countersigned.", timeout=SLOW)
    expect(
        shop.get_by_test_id("my-documents").locator("li[data-status=countersigned]")
    ).to_have_count(1)
