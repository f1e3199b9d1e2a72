"""Appointments in the browser: the staff agenda and resources in the console, and a
customer cancelling and moving an appointment from the storefront, in 3D and in 2D."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import until

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
SUPERVISOR = "supervisor@aurora-motors.example"
PASSWORD = "aurora-demo-password"
# The server shares two cores with other work: give answers that need it time.
SLOW = 30_000

# Books as the page's own guest session, as the storefront and the bot do.
BOOK = """async ([type, from, name]) => {
  const csrf = decodeURIComponent((document.cookie.match(/(?:^|; )vitrina_csrf=([^;]*)/) || [])[1] || '');
  const headers = {'Content-Type': 'application/json', 'X-CSRF-Token': csrf};
  const found = await (await fetch(`/api/brands/aurora-motors/scheduling/availability?type=${type}&start=${encodeURIComponent(from)}&limit=1`)).json();
  const slot = found.slots[0];
  const resp = await fetch('/api/brands/aurora-motors/appointments', {
    method: 'POST', headers, credentials: 'same-origin',
    body: JSON.stringify({type, start: slot.start, customer: {name, email: 'mia.rossi@example.org'}}),
  });
  return await resp.json();
}"""
STATUS = "async (id) => (await (await fetch(`/api/appointments/${id}`)).json()).status"


def book(page: Page, when: datetime, name: str = "Mia Rossi", kind: str = "test-drive") -> Any:
    booked = page.evaluate(BOOK, [kind, when.isoformat(), name])
    assert booked.get("status") == "confirmed", booked
    return booked


def days_ahead(n: int) -> datetime:
    """Nine o'clock UTC `n` days from now, moved to a Monday so that the shop is open."""
    day = date.today() + timedelta(days=n)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def open_store(page: Page, base_url: str, query: str = "") -> None:
    """The storefront with its "My appointments" mounted (once the session exists)."""
    page.goto(f"{base_url}/store/aurora-motors{query}", wait_until="domcontentloaded")
    until(page, "() => !!window.__appointments && !!window.__vitrina", timeout=90)


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/console")
    page.get_by_label("Email").fill(SUPERVISOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("tab-agenda")).to_be_visible(timeout=20_000)


def test_agenda_shows_a_days_appointments_per_resource_and_moves_between_days(
    new_page: NewPage, base_url: str
) -> None:
    customer = new_page()
    open_store(customer, base_url)
    booked = book(customer, days_ahead(8))
    day = booked["local_start"][:10]

    staff = new_page()
    sign_in(staff, base_url)
    staff.get_by_test_id("tab-agenda").click()
    expect(staff.locator(".layout")).to_be_hidden(timeout=SLOW)
    staff.get_by_test_id("agenda-day").fill(day)
    item = staff.locator(f"[data-testid=agenda-item][data-id='{booked['id']}']")
    # A test drive needs a car and an advisor: it shows in both rows.
    expect(item).to_have_count(2, timeout=SLOW)
    for resource in booked["resources"]:
        row = staff.locator(f"tr[data-resource='{resource['name']}']")
        expect(row.locator(f"[data-id='{booked['id']}']")).to_contain_text(
            "Test drive · Mia Rossi", timeout=SLOW
        )
    local_time = booked["local_start"][11:16]
    expect(item.first).to_contain_text(local_time, timeout=SLOW)
    expect(item.first).to_have_attribute("data-status", "confirmed", timeout=SLOW)
    expect(staff.get_by_test_id("agenda-title")).to_contain_text("Europe/Paris", timeout=SLOW)

    staff.get_by_test_id("agenda-next").click()
    expect(staff.get_by_test_id("agenda-day")).to_have_value(
        (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    )
    expect(item).to_have_count(0, timeout=SLOW)
    staff.get_by_test_id("agenda-prev").click()
    expect(item).to_have_count(2, timeout=SLOW)

    # Cancelled by the customer: the slot is free again and leaves the agenda.
    customer.evaluate(
        """async (id) => {
          const csrf = decodeURIComponent(document.cookie.match(/(?:^|; )vitrina_csrf=([^;]*)/)[1]);
          await fetch(`/api/appointments/${id}/cancel`, {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: '{}'});
        }""",
        booked["id"],
    )
    staff.get_by_test_id("agenda-next").click()
    staff.get_by_test_id("agenda-prev").click()
    expect(item).to_have_count(0, timeout=SLOW)

    staff.get_by_test_id("tab-conversations").click()
    expect(staff.locator(".layout")).to_be_visible(timeout=SLOW)


def test_staff_edit_a_resources_hours_and_exceptions(new_page: NewPage, base_url: str) -> None:
    staff = new_page()
    sign_in(staff, base_url)
    staff.get_by_test_id("tab-resources").click()
    row = staff.locator("tr[data-resource='Aurora GT demo car']")
    row.get_by_test_id("resource-edit").click()
    form = staff.get_by_test_id("resource-form")
    form.get_by_test_id("hours-sat").fill("9-12")
    form.get_by_test_id("resource-save").click()
    expect(form.get_by_test_id("resource-error")).to_contain_text("not a span", timeout=SLOW)

    holiday = (date.today() + timedelta(days=40)).isoformat()
    form.get_by_test_id("hours-sat").fill("09:00-12:30, 14:00-18:00")
    form.get_by_test_id("exceptions").fill(f"{holiday} | closed | Inventory day")
    form.get_by_test_id("buffer-after").fill("20")
    form.get_by_test_id("resource-save").click()
    expect(staff.get_by_test_id("resources-status")).to_have_text(
        "Saved Aurora GT demo car.", timeout=SLOW
    )
    expect(row).to_contain_text("sat 09:00-12:30, 14:00-18:00", timeout=SLOW)
    expect(row).to_contain_text("/ 20 min", timeout=SLOW)

    saved = staff.evaluate(
        """async () => (await (await fetch('/api/staff/scheduling/resources?brand=aurora-motors')).json())
             .find((r) => r.name === 'Aurora GT demo car')"""
    )
    assert saved["weekly_hours"]["sat"] == [["09:00", "12:30"], ["14:00", "18:00"]]
    assert saved["exceptions"] == [
        {"start": holiday, "end": holiday, "hours": [], "reason": "Inventory day"}
    ]
    assert saved["buffer_after_min"] == 20


def test_a_customer_cancels_an_appointment_from_the_3d_storefront(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()
    open_store(page, base_url)
    assert page.evaluate("() => window.__vitrina.mode()") == "3d"
    booked = book(page, days_ahead(15))
    page.get_by_test_id("appointments-open").click()
    panel = page.get_by_test_id("appointments-panel")
    expect(panel).to_be_visible(timeout=SLOW)
    item = panel.locator(f"[data-testid=appointment][data-id='{booked['id']}']")
    expect(item).to_contain_text("Test drive", timeout=SLOW)
    item.get_by_test_id("appointment-cancel").click()
    item.get_by_test_id("appointment-cancel-confirm").click()
    expect(panel.get_by_test_id("appointments-panel-status")).to_contain_text(
        "Cancelled: Test drive", timeout=SLOW
    )
    expect(item).to_have_count(0, timeout=SLOW)
    expect(panel.get_by_test_id("appointments-panel-list")).to_contain_text(
        "no upcoming appointments", timeout=SLOW
    )
    assert page.evaluate(STATUS, booked["id"]) == "cancelled"
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden(timeout=SLOW)


def test_a_customer_moves_then_cancels_an_appointment_in_2d_by_keyboard(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()
    open_store(page, base_url, "?mode=2d")
    assert page.evaluate("() => window.__vitrina.mode()") == "2d"
    booked = book(page, days_ahead(22), kind="video-consultation")
    section = page.get_by_test_id("appointments-2d")
    expect(section.get_by_role("heading", name="My appointments")).to_be_visible(timeout=SLOW)
    section.get_by_test_id("appointments-2d-refresh").press("Enter")
    item = section.locator(f"[data-testid=appointment][data-id='{booked['id']}']")
    expect(item).to_contain_text("Video consultation", timeout=SLOW)

    # Move: the offered times are radio buttons, chosen with the arrow keys.
    item.get_by_test_id("appointment-reschedule").press("Enter")
    first = item.locator("fieldset input[type=radio]").first
    expect(first).to_be_focused(timeout=SLOW)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    chosen = item.locator("fieldset input[type=radio]:checked").get_attribute("value")
    assert chosen and chosen != booked["start"]
    item.get_by_test_id("appointment-move").press("Enter")
    expect(section.get_by_test_id("appointments-2d-status")).to_contain_text(
        "Moved: Video consultation", timeout=SLOW
    )
    moved = page.evaluate(
        "async (id) => (await (await fetch(`/api/appointments/${id}`)).json())", booked["id"]
    )
    assert datetime.fromisoformat(moved["start"]) == datetime.fromisoformat(chosen)
    assert moved["ics_uid"] == booked["ics_uid"] and moved["sequence"] == 1

    item.get_by_test_id("appointment-cancel").press("Enter")
    expect(item.get_by_test_id("appointment-keep")).to_be_focused(timeout=SLOW)
    page.keyboard.press("Shift+Tab")
    expect(item.get_by_test_id("appointment-cancel-confirm")).to_be_focused(timeout=SLOW)
    page.keyboard.press("Enter")
    expect(section.get_by_test_id("appointments-2d-status")).to_contain_text(
        "Cancelled: Video consultation", timeout=SLOW
    )
    assert page.evaluate(STATUS, booked["id"]) == "cancelled"
