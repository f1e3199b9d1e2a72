"""The storefront in real Chromium: presence, chat, products and the 2D mode."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import canvas_colours, open_store, until

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]


def _answer_consent(page: Page, *, keyboard: bool = False) -> None:
    """A first visit asks for consent (docs/privacy.md) in a dialog over the store:
    refuse the optional purposes so the rest of the page can be used."""
    prompt = page.get_by_test_id("consent-prompt")
    prompt.wait_for(state="visible", timeout=60_000)
    if keyboard:
        for _ in range(40):
            if page.evaluate("() => document.activeElement?.dataset.testid === 'consent-refuse'"):
                break
            page.keyboard.press("Tab")
        else:
            raise AssertionError("Tab never reached the consent prompt's refuse button")
        page.keyboard.press("Enter")
    else:
        page.get_by_test_id("consent-refuse").click()
    prompt.wait_for(state="hidden")


def _walk_forward(page: Page, metres: float) -> None:
    """Hold W until the avatar walked `metres` (frame rates vary a lot under SwiftShader)."""
    page.locator("canvas.view").focus()
    start = page.evaluate("() => window.__vitrina.self().z")
    page.keyboard.down("KeyW")
    try:
        until(
            page,
            "(args) => args.z - window.__vitrina.self().z >= args.m",
            arg={"z": start, "m": metres},
        )
    finally:
        page.keyboard.up("KeyW")


def test_two_visitors_see_each_other_move(
    new_page: NewPage, base_url: str, screenshots: Path
) -> None:
    alice, bob = new_page(), new_page()
    open_store(alice, base_url)
    open_store(bob, base_url)
    alice_id = alice.evaluate("() => window.__vitrina.self().id")
    start = until(
        bob,
        "(id) => window.__vitrina.avatars().find((a) => a.id === id && a.inView)",
        arg=alice_id,
    )
    assert isinstance(start, dict)

    _walk_forward(alice, 1.5)  # towards the showroom, with the keyboard

    alice_now = alice.evaluate("() => window.__vitrina.self()")
    seen = until(
        bob,
        """(args) => {
          const a = window.__vitrina.avatars().find((x) => x.id === args.id);
          return a && Math.abs(a.z - args.z) < 0.1 && a;
        }""",
        arg={"id": alice_id, "z": alice_now["z"]},
    )
    assert isinstance(seen, dict)
    assert abs(seen["x"] - alice_now["x"]) < 0.1
    # The "People here" panel names whoever the 3D view shows.
    alice_name = alice.evaluate("() => window.__vitrina.self().name")
    until(
        bob,
        "(name) => document.querySelector('.people').textContent.includes(name)",
        arg=alice_name,
    )
    bob.wait_for_timeout(300)
    assert canvas_colours(bob) > 50, "Bob's 3D view is blank"
    bob.screenshot(path=str(screenshots / "storefront-3d.png"))


def test_vr_head_and_hands_reach_the_other_visitor(new_page: NewPage, base_url: str) -> None:
    """Headless Chromium has no headset: Alice's poses come through the debug hook, and
    travel the real path (tracking system, move frames, server checks, snapshots,
    interpolation, the crowd's instanced hands) to Bob's view."""
    alice, bob = new_page(), new_page()
    open_store(alice, base_url)
    open_store(bob, base_url)
    alice_id = alice.evaluate("() => window.__vitrina.self().id")
    until(
        bob,
        "(id) => window.__vitrina.avatars().find((a) => a.id === id && a.inView)",
        arg=alice_id,
    )
    assert bob.evaluate("(id) => window.__vitrina.tracked(id)", alice_id) is None
    me = alice.evaluate("() => window.__vitrina.self()")
    assert abs(me["yaw"]) < 1e-6  # the rig faces -z, so rig and world axes agree

    def pose(alice_page: Page, right_hand_y: float, head_yaw: float) -> None:
        half = head_yaw / 2
        alice_page.evaluate(
            "(p) => window.__vitrina.injectPoses(p)",
            {
                "head": [0, 1.65, 0, 0, math.sin(half), 0, math.cos(half)],
                "left": [-0.3, 1.0, -0.2, 0, 0, 0, 1],
                "right": [0.3, right_hand_y, -0.3, 0, 0, 0, 1],
            },
        )

    pose(alice, 1.0, 0.0)
    first = until(
        bob,
        """(id) => {
          const t = window.__vitrina.tracked(id);
          return t && t.right && Math.abs(t.right[1] - 1.0) < 0.02 && t;
        }""",
        arg=alice_id,
    )
    assert isinstance(first, dict)
    assert abs(first["right"][0] - (me["x"] + 0.3)) < 0.05
    assert abs(first["left"][0] - (me["x"] - 0.3)) < 0.05
    assert abs(first["headYaw"]) < 0.05

    # Alice raises her right hand and turns her head a quarter to the left.
    pose(alice, 1.9, math.pi / 2)
    raised = until(
        bob,
        """(id) => {
          const t = window.__vitrina.tracked(id);
          return t && Math.abs(t.right[1] - 1.9) < 0.02 && Math.abs(t.headYaw - Math.PI / 2) < 0.05 && t;
        }""",
        arg=alice_id,
    )
    assert isinstance(raised, dict)
    # ... and Bob's 3D view draws her hands there.
    drawn = until(
        bob,
        "() => { const h = window.__vitrina.handsDrawn(); return h.some((p) => Math.abs(p[1] - 1.9) < 0.02) && h; }",
    )
    assert isinstance(drawn, list) and len(drawn) == 2

    # Out of VR: her hands are gone from Bob's view.
    alice.evaluate("() => window.__vitrina.injectPoses(null)")
    until(bob, "(id) => window.__vitrina.tracked(id) === null", arg=alice_id)
    until(bob, "() => window.__vitrina.handsDrawn().length === 0")


def test_chat_round_trip_shows_markup_as_text(new_page: NewPage, base_url: str) -> None:
    alice, bob = new_page(), new_page()
    open_store(alice, base_url)
    open_store(bob, base_url)
    attack = '<img src=x onerror="window.__pwned = 1">'
    alice.get_by_test_id("chat-input").fill(attack)
    alice.get_by_test_id("chat-input").press("Enter")
    until(bob, "(t) => window.__vitrina.chatLines().includes(t)", arg=attack)
    # (the greeter bot may answer in between: look for the line itself)
    line = bob.locator(".chat-log .chat-text", has_text=attack)
    assert line.count() == 1
    assert line.text_content() == attack
    assert bob.locator(".chat-log img").count() == 0
    assert bob.locator(".bubble img").count() == 0
    assert bob.evaluate("() => window.__pwned") is None

    bob.get_by_test_id("chat-input").fill("Bonjour Alice !")
    bob.get_by_test_id("chat-send").click()
    until(alice, "() => window.__vitrina.chatLines().includes('Bonjour Alice !')")
    bubble = alice.locator(".bubble", has_text="Bonjour Alice !")
    assert bubble.count() == 1


def test_inspecting_and_configuring_changes_price_and_paint(
    new_page: NewPage, base_url: str, screenshots: Path
) -> None:
    page = new_page()
    open_store(page, base_url, "?zone=showroom")
    _answer_consent(page)
    until(page, "() => window.__vitrina.twins().includes('aurora-gt')")
    spot = until(page, "() => window.__vitrina.standOnScreen('aurora-gt')")
    assert isinstance(spot, dict)
    page.mouse.click(spot["x"], spot["y"])  # a real click on the stand in the 3D view
    until(page, "() => window.__vitrina.inspecting() === 'aurora-gt'")
    base = until(page, "() => window.__vitrina.price()")
    paint = page.evaluate("() => window.__vitrina.materialColor('aurora-gt', 'paint')")

    inspector = page.get_by_test_id("inspector")
    inspector.get_by_label("Aurora red").check()
    total = until(
        page,
        "(before) => { const p = window.__vitrina.price(); return p !== before && p; }",
        arg=base,
    )
    assert float(str(total)) > float(str(base))
    red = page.evaluate("() => window.__vitrina.materialColor('aurora-gt', 'paint')")
    assert red == "#b3121f" != paint
    assert "€" in (inspector.get_by_test_id("total").text_content() or "")

    page.get_by_test_id("explainer-next").click()
    assert page.get_by_test_id("explainer-text").text_content()
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "storefront-configurator.png"))


def test_two_d_mode_chat_and_configuration_by_keyboard_alone(
    new_page: NewPage, base_url: str, screenshots: Path
) -> None:
    listener = new_page()
    open_store(listener, base_url)
    page = new_page()
    open_store(page, base_url, "?mode=2d")
    _answer_consent(page, keyboard=True)
    assert page.evaluate("() => window.__vitrina.mode()") == "2d"
    assert page.locator("canvas.view").count() == 0 or not page.locator("canvas.view").is_visible()

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.evaluate("() => document.activeElement?.blur()")
    tab_to("[data-testid=chat-input]")
    page.keyboard.type("Hello from the 2D mode")
    page.keyboard.press("Enter")
    until(listener, "() => window.__vitrina.chatLines().includes('Hello from the 2D mode')")

    tab_to("[data-testid=configure-aurora-e1]")
    page.keyboard.press("Enter")
    base = until(page, "() => window.__vitrina.price()")
    tab_to("input[data-option='e1-paint-white']")
    page.keyboard.press("ArrowDown")  # the next paint, chosen with the arrow key
    total = until(
        page,
        "(before) => { const p = window.__vitrina.price(); return p !== before && p; }",
        arg=base,
    )
    assert float(str(total)) > float(str(base))
    checked = page.evaluate(
        "() => document.querySelector('input[name=aurora-e1-paint]:checked').value"
    )
    assert checked != "e1-paint-white"
    page.screenshot(path=str(screenshots / "storefront-2d.png"), full_page=True)


def test_language_switch_translates_the_interface(new_page: NewPage, base_url: str) -> None:
    page = new_page()
    open_store(page, base_url)
    page.get_by_test_id("language").select_option("fr")
    assert page.get_by_test_id("chat-send").text_content() == "Envoyer"
    assert page.get_by_test_id("connection").text_content() == "Connecté"
    page.get_by_test_id("language").select_option("it")
    assert page.get_by_test_id("chat-send").text_content() == "Invia"
    assert page.evaluate("() => document.documentElement.lang") == "it"


def test_without_webgl_the_storefront_opens_in_two_d(
    playwright_session: object, base_url: str
) -> None:
    from playwright.sync_api import Playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    assert isinstance(playwright_session, Playwright)
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, "--disable-3d-apis"]
    )
    try:
        page = browser.new_page()
        open_store(page, base_url)
        assert page.evaluate("() => window.__vitrina.mode()") == "2d"
        assert page.get_by_role("note").is_visible()
    finally:
        browser.close()


def test_guide_lines_are_spoken_when_sound_is_on(new_page: NewPage, base_url: str) -> None:
    page = new_page()
    open_store(page, base_url)
    page.get_by_test_id("sound").check()
    page.get_by_test_id("chat-input").fill("What are your opening hours?")
    page.get_by_test_id("chat-input").press("Enter")
    bot_line = page.locator(".chat-line[data-badge=bot]")
    bot_line.first.wait_for()
    until(page, "() => window.__vitrina.spoken() >= 1")
