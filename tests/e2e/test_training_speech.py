"""The trainee's replies by voice. Without a speech recogniser the console says speech is
unavailable and the text box works. Headless Chromium has a recogniser that cannot
listen (no microphone: `not-allowed`): turned on, the console says speech did not start,
and the text box works. With a recogniser in the page (a stand-in for the browser's,
injected before the page's own scripts), the trainee turns speech on, a sentence is
heard, it is sent as their reply and the customer answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import until

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Page]
AGENT = "agent@aurora-motors.example"
PASSWORD = "aurora-demo-password"
SLOW = 60_000

# The browser's recogniser, as far as a page sees it: start/stop, and `onresult` with
# final results when a phrase was heard. `window.__hear(text)` stands for the trainee
# saying `text` into the microphone.
RECOGNISER = """
(() => {
  class StandInRecognition {
    constructor() {
      this.lang = ""; this.continuous = false; this.interimResults = false;
      this.onresult = null; this.onend = null; this.onerror = null;
    }
    start() { window.__recognising = this; window.__recognisedLang = this.lang; }
    stop() { if (window.__recognising === this) window.__recognising = null; }
  }
  window.SpeechRecognition = StandInRecognition;
  window.__hear = (text) => {
    const r = window.__recognising;
    if (!r || !r.onresult) return false;
    const result = Object.assign([{ transcript: text, confidence: 0.92 }], { isFinal: true });
    r.onresult({ resultIndex: 0, results: [result] });
    return true;
  };
})();
"""

NO_RECOGNISER = "delete window.SpeechRecognition; delete window.webkitSpeechRecognition;"


def _rehearse(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/console?lang=en")
    page.get_by_label("Email").fill(AGENT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("tab-training").click()
    expect(page.get_by_test_id("training-scenarios")).to_contain_text(
        "Angry customer: a late delivery", timeout=SLOW
    )
    page.get_by_test_id("training-start-late-delivery").click()
    expect(page.get_by_test_id("training-transcript")).to_contain_text(
        "four weeks ago", timeout=SLOW
    )


def test_without_speech_recognition_the_console_says_so_and_text_works(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()
    # Whatever this Chromium build exposes, the page sees no recogniser.
    page.add_init_script(NO_RECOGNISER)
    _rehearse(page, base_url)
    toggle = page.get_by_test_id("training-speech")
    expect(toggle).to_be_disabled()
    expect(page.get_by_test_id("training-speech-unavailable")).to_have_text(
        "Speech recognition is not available in this browser: type your replies."
    )
    page.get_by_test_id("training-reply").fill("Good morning, welcome to Aurora Motors.")
    page.get_by_test_id("training-send").click()
    transcript = page.get_by_test_id("training-transcript")
    expect(transcript).to_contain_text("Yes, hello.", timeout=SLOW)
    page.get_by_test_id("training-end").click()
    expect(page.get_by_test_id("training-results")).to_be_visible(timeout=SLOW)


def test_a_recogniser_that_cannot_listen_leaves_the_text_box(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()  # this Chromium's own recogniser, refused the microphone
    _rehearse(page, base_url)
    toggle = page.get_by_test_id("training-speech")
    expect(toggle).to_be_enabled()
    toggle.check()
    expect(page.get_by_test_id("training-speech-unavailable")).to_contain_text(
        "Speech recognition did not start here", timeout=SLOW
    )
    expect(page.get_by_test_id("training-speech")).to_be_disabled()
    expect(page.get_by_test_id("training-speech")).not_to_be_checked()
    page.get_by_test_id("training-reply").fill("Good morning, welcome to Aurora Motors.")
    page.get_by_test_id("training-send").click()
    expect(page.get_by_test_id("training-transcript")).to_contain_text("Yes, hello.", timeout=SLOW)
    page.get_by_test_id("training-end").click()
    expect(page.get_by_test_id("training-results")).to_be_visible(timeout=SLOW)


def test_a_heard_sentence_is_the_trainees_reply_and_the_customer_answers(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()
    page.add_init_script(RECOGNISER)
    _rehearse(page, base_url)
    expect(page.get_by_test_id("training-speech-unavailable")).to_have_count(0)
    toggle = page.get_by_test_id("training-speech")
    expect(toggle).to_be_enabled()
    assert page.evaluate("() => window.__recognising === undefined")  # not before asked
    toggle.check()
    expect(page.get_by_test_id("training-speech-status")).to_have_text("Listening…")
    assert page.evaluate("() => window.__recognisedLang") == "en-GB"
    assert until(page, "() => window.__hear('Good morning, welcome to Aurora Motors.')", 10)
    transcript = page.get_by_test_id("training-transcript")
    expect(transcript.locator(".msg.agent").last).to_contain_text(
        "Good morning, welcome to Aurora Motors.", timeout=SLOW
    )
    expect(transcript).to_contain_text("Yes, hello.", timeout=SLOW)
    # Still listening after the answer was drawn: the next sentence goes out too.
    expect(page.get_by_test_id("training-speech")).to_be_checked()
    expect(page.get_by_test_id("training-speech-status")).to_contain_text("Heard:")
    assert page.evaluate(
        '() => window.__hear("I\'m so sorry about the delay, I understand your frustration.")'
    )
    expect(transcript).to_contain_text("AUR-2291", timeout=SLOW)
    assert transcript.locator(".msg.agent").count() == 2
    # Turned off, nothing more is heard.
    page.get_by_test_id("training-speech").uncheck()
    assert page.evaluate("() => window.__recognising === null")
    page.get_by_test_id("training-end").click()
    expect(page.get_by_test_id("training-results")).to_be_visible(timeout=SLOW)
