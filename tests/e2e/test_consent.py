"""The consent prompt, the Privacy centre and the interest tracker of the real storefront,
in real Chromium, in the 3D and the 2D mode.

Every choice goes to the real server and is checked there; the signals the storefront
sends travel over its world socket and are checked through "why am I seeing this?".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import open_store, until

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
OPTIONAL = ["analytics", "gaze_dwell", "marketing", "personalisation"]
SLUG = "aurora-motors"
PRODUCT = "aurora-gt"


def api(page: Page, path: str) -> Any:
    return page.evaluate(
        "async (path) => (await fetch(path, {credentials: 'same-origin'})).json()", path
    )


def why(page: Page) -> Any:
    return api(page, f"/api/insights/brands/{SLUG}/why?product={PRODUCT}")


def privacy(page: Page, what: str) -> Any:
    return page.evaluate(f"() => window.__privacy.{what}()")


def look_at_parts(page: Page) -> None:
    """Spend time on two explainer steps of the open product (a click, then dwell)."""
    page.wait_for_timeout(600)
    page.get_by_test_id("explainer-next").click()
    page.wait_for_timeout(600)
    page.get_by_test_id("explainer-next").click()
    page.evaluate("() => window.__privacy.flush()")


@pytest.fixture
def store(new_page: NewPage, base_url: str) -> Callable[[str], Page]:
    def open_mode(mode: str) -> Page:
        page = new_page()
        # The product is opened at start-up, before the visitor has answered anything.
        open_store(page, base_url, f"?mode={mode}&product={PRODUCT}")
        assert page.evaluate("() => document.body.dataset.mode") == mode
        until(page, "() => !!window.__privacy")
        return page

    return open_mode


@pytest.mark.parametrize(
    ("mode", "answer"), [("3d", "refuse"), ("2d", "accept"), ("3d", "accept"), ("2d", "refuse")]
)
def test_the_prompt_comes_first_and_only_consented_signals_leave(
    store: Callable[[str], Page], mode: str, answer: str, screenshots: Path
) -> None:
    page = store(mode)
    prompt = page.get_by_test_id("consent-prompt")
    prompt.wait_for(state="visible")
    # A product is on screen, but before any choice nothing optional is allowed: its view
    # was dropped in the browser and nothing was sent.
    assert privacy(page, "allowed") == ["essential"]
    until(page, "() => window.__privacy.dropped() > 0")
    assert privacy(page, "sent") == 0 and privacy(page, "pending") == 0

    accept, refuse = page.get_by_test_id("consent-accept"), page.get_by_test_id("consent-refuse")
    a, r = accept.bounding_box(), refuse.bounding_box()
    assert a and r and abs(a["width"] - r["width"]) < 2 and abs(a["height"] - r["height"]) < 2
    style = "(el) => { const s = getComputedStyle(el); return [s.fontWeight, s.borderTopWidth, s.backgroundColor, s.color]; }"
    assert accept.evaluate(style) == refuse.evaluate(style)
    page.screenshot(path=str(screenshots / f"consent-prompt-{mode}.png"))

    (accept if answer == "accept" else refuse).click()
    prompt.wait_for(state="hidden")
    state = api(page, f"/api/privacy/brands/{SLUG}/consents")
    assert state["prompt_needed"] is False
    in_force = sorted(
        p["purpose"] for p in state["purposes"] if p["in_force"] and p["purpose"] != "essential"
    )
    assert in_force == (OPTIONAL if answer == "accept" else [])
    history = api(page, f"/api/privacy/brands/{SLUG}/consents/history")
    assert {h["channel"] for h in history} == {f"storefront_{mode}"}

    look_at_parts(page)
    if answer == "accept":
        until(page, "() => window.__privacy.sent() >= 3")
        # The server kept the dwell on the first part and the clicks, and says so.
        evidence = until(
            page,
            """async (path) => {
                const e = (await (await fetch(path)).json()).evidence;
                return e.some((x) => x.kind === 'dwell') && e.some((x) => x.kind === 'click') && e;
            }""",
            arg=f"/api/insights/brands/{SLUG}/why?product={PRODUCT}",
        )
        assert isinstance(evidence, list)
        dwell = next(e for e in evidence if e["kind"] == "dwell")
        assert dwell["part"] == "charging_port" and dwell["total_ms"] >= 300
    else:
        assert privacy(page, "sent") == 0
        assert why(page) == {
            "product": PRODUCT,
            "personalised": False,
            "explanation": "Not personalised: you have not allowed personal suggestions.",
            "evidence": [],
        }

    # The Privacy centre is one click away from the toolbar, in this mode too.
    page.get_by_test_id("privacy-centre-open").click()
    page.get_by_test_id("privacy-centre").wait_for(state="visible")
    page.get_by_test_id("privacy-centre-close").click()
    page.get_by_test_id("privacy-overlay").wait_for(state="hidden")

    # The prompt does not come back once answered.
    page.reload()
    until(page, "() => !!window.__privacy && window.__privacy.allowed().length > 0")
    page.wait_for_timeout(500)
    assert not prompt.is_visible()


def test_the_privacy_centre_in_2d_changes_choices_and_hands_over_the_data(
    store: Callable[[str], Page],
) -> None:
    page = store("2d")
    page.get_by_test_id("consent-choose").click()
    form = page.get_by_test_id("consent-prompt").get_by_test_id("consent-form")
    assert form.get_by_test_id("purpose-essential").is_checked()
    assert form.get_by_test_id("purpose-essential").is_disabled()
    for purpose in OPTIONAL:
        assert not form.get_by_test_id(f"purpose-{purpose}").is_checked()
    form.get_by_test_id("purpose-gaze_dwell").check()
    form.get_by_test_id("purpose-personalisation").check()
    form.get_by_test_id("consent-save").click()
    until(page, "() => window.__privacy.allowed().includes('gaze_dwell')")
    look_at_parts(page)
    until(page, "() => window.__privacy.sent() >= 1")
    # Dwell only: clicks need analytics, which stayed refused, so none was sent.
    evidence = until(
        page,
        "async (p) => { const e = (await (await fetch(p)).json()).evidence; return e.length && e; }",
        arg=f"/api/insights/brands/{SLUG}/why?product={PRODUCT}",
    )
    assert isinstance(evidence, list)
    assert {e["kind"] for e in evidence} == {"dwell"}

    # The centre opens from the 2D view itself.
    page.get_by_test_id("privacy-centre-open-2d").click()
    centre = page.get_by_test_id("privacy-centre")
    centre.wait_for(state="visible")
    # Withdraw mid-session: from then on nothing leaves the browser.
    centre.get_by_test_id("purpose-gaze_dwell").uncheck()
    centre.get_by_test_id("consent-save").click()
    until(page, "() => !window.__privacy.allowed().includes('gaze_dwell')")
    sent = privacy(page, "sent")
    page.get_by_test_id("privacy-centre-close").click()
    look_at_parts(page)
    assert privacy(page, "sent") == sent
    page.get_by_test_id("privacy-centre-open-2d").click()
    centre.wait_for(state="visible")
    # Four answers from the prompt's form, then the withdrawal, newest first.
    lines = centre.get_by_test_id("consent-history").locator("li")
    until(page, "() => document.querySelectorAll('[data-testid=consent-history] li').length === 5")
    assert "Gaze and dwell time, refused" in lines.first.inner_text()

    centre.get_by_test_id("centre-download").click()
    link = centre.get_by_test_id("centre-download-link")
    link.wait_for(state="visible", timeout=30_000)
    href = link.get_attribute("href")
    got = page.evaluate(
        "async (href) => { const r = await fetch(href); return [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]; }",
        href,
    )
    assert got[0] == 200 and got[1] == "application/zip" and got[2] > 200

    centre.get_by_test_id("centre-erase").click()
    centre.get_by_test_id("centre-erase-confirm").click()
    until(
        page,
        "() => document.querySelector('[data-testid=centre-outcome]').textContent.includes('erased')",
        timeout=30,
    )
    assert privacy(page, "allowed") == ["essential"]
    state = api(page, f"/api/privacy/brands/{SLUG}/consents")
    assert not any(p["in_force"] for p in state["purposes"] if p["purpose"] != "essential")
