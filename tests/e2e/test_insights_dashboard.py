"""The supervisor dashboard in real Chromium: the demo supervisor opens the console's
dashboard for the demo brand, then a scripted day happens over the customer API (one
visitor's question answered in the widget and left with the bot, one handed to a person
with a reason); the tiles, the reasons and the charts follow live, without a reload, and
the CSV export carries the same figures."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Page, expect

from tests.e2e.conftest import until

pytestmark = pytest.mark.e2e

SUPERVISOR = "supervisor@aurora-motors.example"
PASSWORD = "aurora-demo-password"
BRAND = "aurora-motors"
SLOW = 30_000


def tile(page: Page, key: str) -> float:
    value = page.get_by_test_id(f"dash-{key}").get_attribute("data-value") or "0"
    return float(value or 0)


def guest(request: APIRequestContext) -> dict[str, str]:
    made = request.post("/api/auth/guest", data={"display_name": "Day visitor"})
    assert made.ok, made.text()
    return {"x-csrf-token": made.json()["csrf_token"]}


def scripted_day(request: APIRequestContext) -> None:
    """Two visitors in the widget: one stays with the bot, one asks for a person."""
    headers = guest(request)
    first = request.post(
        "/api/conversations",
        data={"brand": BRAND, "body": "What range does the E1 have?"},
        headers=headers,
    )
    assert first.ok, first.text()


def handed_off(new_request: Callable[[], APIRequestContext]) -> None:
    request = new_request()
    headers = guest(request)
    made = request.post("/api/conversations", data={"brand": BRAND}, headers=headers)
    assert made.ok, made.text()
    cid: Any = made.json()["id"]
    for _ in range(20):
        # The bot may be writing its greeting at that moment: ask again.
        asked = request.post(
            f"/api/conversations/{cid}/handoff",
            data={"reason": "scripted_day_handoff"},
            headers=headers,
        )
        if asked.status != 409:
            break
        time.sleep(0.5)
    assert asked.ok, asked.text()


def test_the_dashboard_follows_a_scripted_day_live(
    new_page: Callable[..., Page], base_url: str, screenshots: Any
) -> None:
    page = new_page()
    page.goto(f"{base_url}/console?lang=en")
    page.get_by_label("Email").fill(SUPERVISOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("tab-dashboard").click(timeout=SLOW)
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard).to_be_visible(timeout=SLOW)
    page.get_by_test_id("dash-brand").select_option(BRAND)
    page.get_by_test_id("dash-channel").select_option("widget")
    # The brand's load may still be in flight when the channel changes: wait for figures
    # that answer both filters, not merely for two loads.
    until(
        page,
        "() => { const s = new URLSearchParams("
        "document.querySelector('[data-testid=dashboard]').dataset.shown || '');"
        " return s.get('brand') === 'aurora-motors' && s.get('channel') === 'widget'; }",
    )
    before_conversations = tile(page, "conversations")
    before_queue = tile(page, "queue_length")
    loads = int(dashboard.get_attribute("data-loaded") or "0")

    visitors: list[Page] = []

    def new_request() -> APIRequestContext:
        visitor = new_page(base_url=base_url)
        visitors.append(visitor)
        return visitor.request

    scripted_day(new_request())
    handed_off(new_request)

    # Live: the console socket's notice brings the new figures, no reload, no click. The
    # second conversation is counted when it opens, before its handoff queues it: wait for
    # the figures that follow both.
    until(
        page,
        "([n, q]) => { const v = (k) => Number(document.querySelector("
        "`[data-testid=dash-${k}]`).dataset.value);"
        " return v('conversations') >= n && v('queue_length') >= q; }",
        arg=[before_conversations + 2, before_queue + 1],
    )
    assert int(dashboard.get_attribute("data-loaded") or "0") > loads
    assert tile(page, "conversations") == before_conversations + 2
    assert tile(page, "queue_length") >= before_queue + 1
    # The customer's own words are theirs: the reason shows as "customer asked".
    expect(
        page.get_by_test_id("dash-reasons").locator("[data-reason=customer_asked]")
    ).to_contain_text("customer asked: ", timeout=SLOW)
    assert "scripted_day_handoff" not in (page.get_by_test_id("dash-reasons").text_content() or "")
    assert tile(page, "handoff_rate") > 0
    expect(page.get_by_test_id("dash-chart-states").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("dash-chart-live").locator("canvas")).to_be_visible()
    page.screenshot(path=str(screenshots / "console-dashboard.png"))

    href = page.get_by_test_id("dash-csv").get_attribute("href")
    assert href is not None and "brand=aurora-motors" in href and "channel=widget" in href
    exported = page.request.get(f"{base_url}{href}")
    assert exported.ok
    rows = dict(csv.reader(io.StringIO(exported.text())))
    assert float(rows["conversations"]) == tile(page, "conversations")
    assert int(rows["handoff_reason.customer_asked"]) >= 1
    assert "handoff_reason.scripted_day_handoff" not in rows
