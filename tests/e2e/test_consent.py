"""The consent prompt and the privacy centre in real Chromium, over the 3D and 2D store.

The privacy modules are built from client/src/privacy with the project's own Vite and
mounted over the running storefront the way the storefront mounts them. Every choice
goes to the real server and is checked there.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.e2e.conftest import ROOT, open_store, until

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
CLIENT = ROOT / "client"
HARNESS = Path(__file__).with_name("consent_harness.ts")
OPTIONAL = ["analytics", "gaze_dwell", "marketing", "personalisation"]


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("consent-harness")
    config = out / "vite.harness.config.mjs"
    config.write_text(
        "export default {\n"
        f"  root: {str(CLIENT)!r},\n"
        "  logLevel: 'warn',\n"
        "  build: {\n"
        f"    outDir: {str(out / 'dist')!r}, emptyOutDir: true, target: 'es2022',\n"
        f"    lib: {{ entry: {str(HARNESS)!r}, formats: ['es'], fileName: () => 'harness.js', cssFileName: 'harness' }},\n"
        "  },\n"
        "};\n"
    )
    subprocess.run(
        ["npx", "vite", "build", "--config", str(config)],
        cwd=CLIENT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    files = {p.name: p.read_bytes() for p in (out / "dist").iterdir() if p.is_file()}
    assert "harness.js" in files, files.keys()
    return files


def mount(page: Page, harness: dict[str, bytes]) -> None:
    def serve(route: Route) -> None:
        name = route.request.url.rsplit("/", 1)[1]
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        route.fulfill(status=200, body=harness[name], content_type=kind)

    page.route("**/__e2e_privacy/*", serve)
    for name in harness:
        if name.endswith(".css"):
            page.add_style_tag(url=f"/__e2e_privacy/{name}")
    page.add_script_tag(url="/__e2e_privacy/harness.js", type="module")
    until(page, "() => !!window.__privacy && window.__privacy.changes > 0")


def api(page: Page, path: str) -> Any:
    return page.evaluate(
        "async (path) => (await fetch(path, {credentials: 'same-origin'})).json()", path
    )


@pytest.fixture
def store(new_page: NewPage, base_url: str, harness: dict[str, bytes]) -> Callable[[str], Page]:
    def open_mode(mode: str) -> Page:
        page = new_page()
        open_store(page, base_url, f"?mode={mode}")
        assert page.evaluate("() => document.body.dataset.mode") == mode
        mount(page, harness)
        return page

    return open_mode


@pytest.mark.parametrize(
    ("mode", "answer"), [("3d", "refuse"), ("2d", "accept"), ("3d", "accept"), ("2d", "refuse")]
)
def test_the_prompt_comes_first_and_refusing_is_as_easy_as_accepting(
    store: Callable[[str], Page], mode: str, answer: str, screenshots: Path
) -> None:
    page = store(mode)
    prompt = page.get_by_test_id("consent-prompt")
    prompt.wait_for(state="visible")
    # Before any choice, nothing optional is allowed, and no signal can even be queued.
    assert page.evaluate("() => window.__privacy.allowed") == ["essential"]
    assert page.evaluate("() => window.__privacy.dwell()")["kept"] is False

    accept, refuse = page.get_by_test_id("consent-accept"), page.get_by_test_id("consent-refuse")
    a, r = accept.bounding_box(), refuse.bounding_box()
    assert a and r and abs(a["width"] - r["width"]) < 2 and abs(a["height"] - r["height"]) < 2
    style = "(el) => { const s = getComputedStyle(el); return [s.fontWeight, s.borderTopWidth, s.backgroundColor, s.color]; }"
    assert accept.evaluate(style) == refuse.evaluate(style)
    page.screenshot(path=str(screenshots / f"consent-prompt-{mode}.png"))

    (accept if answer == "accept" else refuse).click()
    prompt.wait_for(state="hidden")
    state = api(page, "/api/privacy/brands/aurora-motors/consents")
    assert state["prompt_needed"] is False
    in_force = sorted(
        p["purpose"] for p in state["purposes"] if p["in_force"] and p["purpose"] != "essential"
    )
    assert in_force == (OPTIONAL if answer == "accept" else [])
    history = api(page, "/api/privacy/brands/aurora-motors/consents/history")
    assert {h["channel"] for h in history} == {f"storefront_{mode}"}

    sent = page.evaluate("() => window.__privacy.dwell()")
    if answer == "accept":
        assert sent["kept"] is True and sent["accepted"] == 1
    else:
        assert sent["kept"] is False and sent["accepted"] == 0

    # The prompt does not come back once answered.
    page.reload()
    until(page, "() => !!window.__vitrina && window.__vitrina.connection() === 'online'")


def test_the_privacy_centre_changes_choices_and_hands_over_the_data(
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
    form.get_by_test_id("consent-save").click()
    until(page, "() => window.__privacy.allowed.includes('gaze_dwell')")
    assert page.evaluate("() => window.__privacy.dwell()")["accepted"] == 1

    page.evaluate("() => window.__privacy.openCentre()")
    centre = page.get_by_test_id("privacy-centre")
    centre.wait_for(state="visible")
    # Withdraw mid-session: the next signal never leaves the browser.
    centre.get_by_test_id("purpose-gaze_dwell").uncheck()
    centre.get_by_test_id("consent-save").click()
    until(page, "() => !window.__privacy.allowed.includes('gaze_dwell')")
    assert page.evaluate("() => window.__privacy.dwell()")["kept"] is False
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
    assert page.evaluate("() => window.__privacy.allowed") == ["essential"]
    state = api(page, "/api/privacy/brands/aurora-motors/consents")
    assert not any(p["in_force"] for p in state["purposes"] if p["purpose"] != "essential")
