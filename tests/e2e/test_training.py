"""An advisor rehearses with the angry customer of the demo: starts the scenario in the
console, meets the customer in the private training room of the 3D store, answers in
the room's chat and in the console, and gets the score with its evidence."""

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


def test_a_trainee_handles_an_angry_customer_and_receives_a_score(
    new_page: NewPage, base_url: str
) -> None:
    console = new_page()
    console.goto(f"{base_url}/console?lang=en")
    console.get_by_label("Email").fill(AGENT)
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.get_by_test_id("tab-training").click()
    expect(console.locator(".layout")).to_be_hidden(timeout=SLOW)
    scenarios = console.get_by_test_id("training-scenarios")
    expect(scenarios).to_contain_text("Angry customer: a late delivery", timeout=SLOW)
    console.get_by_test_id("training-start-late-delivery").click()
    transcript = console.get_by_test_id("training-transcript")
    expect(transcript).to_contain_text("four weeks ago", timeout=SLOW)
    # Neither the hidden facts nor the rubric are shown while the session runs.
    expect(console.get_by_test_id("training-results")).to_have_count(0)

    # The private training room: the trainee and the simulated customer, nobody else.
    room_link = console.get_by_test_id("training-room")
    href = room_link.get_attribute("href")
    assert href is not None and "zone=training-" in href
    room = console.context.new_page()
    room.goto(f"{base_url}{href}", wait_until="domcontentloaded")
    until(room, "() => !!window.__vitrina && window.__vitrina.connection() === 'online'", 90)
    assert until(
        room,
        "() => window.__vitrina.avatars().some(a => a.name === 'Jordan Lefèvre' && a.badge === 'bot')",
        60,
    )
    # The customer speaks in the room once at the car; the trainee answers in the chat.
    until(room, "() => window.__vitrina.chatLines().some(l => l.includes('four weeks ago'))", 60)
    room.get_by_test_id("chat-input").fill("Good morning, welcome to Aurora Motors.")
    room.get_by_test_id("chat-input").press("Enter")
    until(room, "() => window.__vitrina.chatLines().some(l => l.startsWith('Yes, hello.'))", 60)
    expect(transcript).to_contain_text("Yes, hello.", timeout=SLOW)

    # The rest in the console's text box.
    box = console.get_by_test_id("training-reply")
    for text, answer in (
        ("I'm so sorry about the delay, I understand your frustration.", "AUR-2291"),
        (
            "I need to verify your identity first: I've sent you a one-time code.",
            "entered the code",
        ),
        ("Your car arrives on 18 December; configured cars take 8 to 12 weeks.", "a month late"),
        ("Let me book a handover appointment for you with a courtesy car.", "that helps"),
    ):
        box.fill(text)
        console.get_by_test_id("training-send").click()
        expect(transcript).to_contain_text(answer, timeout=SLOW)
    # The customer's last words reach the room too.
    until(room, "() => window.__vitrina.chatLines().some(l => l.includes('that helps'))", 60)

    score = console.get_by_test_id("training-score")
    expect(score).to_contain_text("Score: 100%", timeout=SLOW)
    results = console.get_by_test_id("training-results")
    expect(results.locator("[data-item=identity][data-passed=true]")).to_contain_text(
        "verify your identity"
    )
    expect(results).to_contain_text("Order AUR-2291")
    expect(console.get_by_test_id("training-outcome")).to_contain_text("appointment booked")
    expect(console.get_by_test_id("training-progress")).to_contain_text("late-delivery")


def test_a_supervisor_replays_comments_and_edits_a_scenario_with_errors_at_their_line(
    new_page: NewPage, base_url: str
) -> None:
    page = new_page()
    page.goto(f"{base_url}/console?lang=en")
    page.get_by_label("Email").fill("supervisor@aurora-motors.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("tab-training").click()
    editor = page.get_by_test_id("training-editor-source")
    until(
        page,
        "() => (document.querySelector('[data-testid=training-editor-source]')?.value || '')"
        ".includes('scenario:')",
        60,
    )
    source = editor.input_value()
    broken = source.replace("patience_s: 60", "patience_s: soon", 1)
    assert broken != source
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "patience_s: soon" in text)
    editor.fill(broken)
    page.get_by_test_id("training-validate").click()
    problems = page.get_by_test_id("training-problems")
    expect(problems).to_contain_text(f"Line {line}, column", timeout=SLOW)
    expect(problems).to_contain_text("scenario.persona.patience_s")
    expect(page.locator(f".training-gutter li:nth-child({line})")).to_have_attribute(
        "data-bad", "true"
    )
    # Fixed, a dry run of a model answer takes the expected path and scores it.
    editor.fill(source)
    page.get_by_test_id("training-samples").fill(
        "Hello and welcome!\n"
        "We offer a loan over 12 to 72 months or a lease over 24 to 48 months.\n"
        "For your balance I must verify your identity: I sent a one-time code.\n"
        "You still owe 8,400 EUR.\n"
        "Let me book an appointment for a simulation."
    )
    page.get_by_test_id("training-dry").click()
    expect(page.get_by_test_id("training-path")).to_contain_text("booked", timeout=SLOW)
    expect(page.get_by_test_id("training-dry-run")).to_contain_text("Score: 100%")


RUN_A_SESSION = """async () => {
  const csrf = decodeURIComponent(/(?:^|;\\s*)vitrina_csrf=([^;]*)/.exec(document.cookie)[1]);
  const post = (url, body) => fetch(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
    body: JSON.stringify(body ?? {}),
  }).then(r => r.json());
  const made = await post('/api/training/sessions',
    {brand: 'aurora-motors', scenario: 'late-delivery', language: 'en'});
  await post(`/api/training/sessions/${made.id}/start`);
  await post(`/api/training/sessions/${made.id}/replies`,
    {text: "I'm so sorry about the delay, I understand your frustration."});
  const ended = await post(`/api/training/sessions/${made.id}/end`);
  return [ended.score.percent, made.id];
}"""


def test_a_supervisor_sees_each_advisors_scores_over_time(new_page: NewPage, base_url: str) -> None:
    advisor = new_page()
    advisor.goto(f"{base_url}/console?lang=en")
    advisor.get_by_label("Email").fill(AGENT)
    advisor.get_by_label("Password").fill(PASSWORD)
    advisor.get_by_role("button", name="Sign in").click()
    advisor.get_by_test_id("tab-training").click()
    expect(advisor.get_by_test_id("training-scenarios")).to_contain_text(
        "late delivery", timeout=SLOW
    )
    # Advisors do not see the others' progress.
    expect(advisor.get_by_test_id("training-advisors")).to_have_count(0)
    percent, session_id = advisor.evaluate(RUN_A_SESSION)
    assert isinstance(percent, int)

    page = new_page()
    page.goto(f"{base_url}/console?lang=en")
    page.get_by_label("Email").fill("supervisor@aurora-motors.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("tab-training").click()
    board = page.get_by_test_id("training-advisors")
    ava = board.locator("li[data-advisor]", has_text="Ava Advisor")
    expect(ava).to_contain_text("sessions · average", timeout=SLOW)
    row = ava.locator("li[data-scenario=late-delivery]")
    expect(row).to_contain_text(f": {percent}%")
    expect(row.locator("[data-trend]")).to_have_count(1)

    # The session played back: the customer walks to the product on the map, the lines
    # appear as they were said, and the transcript follows the playhead.
    page.locator(f"[data-session='{session_id}']").click()
    player = page.get_by_test_id("replay-player")
    expect(player).to_be_visible(timeout=SLOW)
    customer = player.locator("[data-who=customer]")
    start = (customer.get_attribute("data-x"), customer.get_attribute("data-z"))
    page.get_by_test_id("replay-speed").select_option("4")
    page.get_by_test_id("replay-play").click()
    until(
        page, "() => Number(document.querySelector('[data-testid=replay-player]').dataset.at) > 0"
    )
    # A line of the transcript takes the playhead to its moment, and its words show.
    transcript = page.get_by_test_id("training-replay")
    transcript.locator("li", has_text="I'm so sorry about the delay").click()
    expect(page.get_by_test_id("replay-caption")).to_contain_text("I'm so sorry about the delay")
    scrub = page.get_by_test_id("replay-scrub")
    scrub.fill(scrub.get_attribute("max") or "0")
    end = (customer.get_attribute("data-x"), customer.get_attribute("data-z"))
    # The dot stands where the session recorded the customer, at the start and at the end.
    replay = page.evaluate(
        "async (id) => (await fetch(`/api/training/sessions/${id}/replay`)).json()", session_id
    )
    walked = [
        e["detail"] for e in replay["events"] if (e["who"], e["kind"]) == ("customer", "move")
    ]
    assert walked, "the customer set off towards the product"
    assert start == (f"{walked[0]['x']:.2f}", f"{walked[0]['z']:.2f}")
    assert end == (f"{walked[-1]['x']:.2f}", f"{walked[-1]['z']:.2f}")
    expect(transcript.locator("li[aria-current]")).to_have_count(1)
    expect(transcript.locator("li[data-past=false]")).to_have_count(0)
