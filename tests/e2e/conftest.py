"""Browser tests: the real server in a subprocess and Debian's Chromium driven by Playwright.

The server gets its own data directory, is migrated and seeded with the demo, and is
served on a free loopback port. Chromium runs headless, kept off the network, with
WebGL rendered in software (SwiftShader). Set VITRINA_E2E_BASE_URL to run the tests
against a server that is already running instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
DIST_INDEX = ROOT / "src" / "vitrina" / "web" / "dist" / "index.html"
SCREENSHOTS = ROOT / "build" / "screenshots"
BOT_CACHE = ROOT / "build" / "e2e-bot-cache"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes] | None, timeout: float = 600.0) -> None:
    """Waits for /readyz to answer 200, start-up work (the bot's models) included, so the
    tests never share the machine with it; the first start on a clean checkout builds them."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except urllib.error.HTTPError as not_ready:
            last = json.dumps(json.loads(not_ready.read() or b"{}").get("checks", {}))
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} was not ready within {timeout:.0f} s: {last}")


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("VITRINA_E2E_BASE_URL")
    if external:
        _wait_ready(external.rstrip("/"), None)
        yield external.rstrip("/")
        return
    if not DIST_INDEX.is_file():
        pytest.fail("the web client is not built: run `make install` (npm run build in client/)")
    data = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITRINA_")}
    # The bot's exported encoder and brand models are kept between runs: they depend only
    # on the installed packages and the brand content, and take a minute of CPU to build.
    env.update(
        VITRINA_DATA_DIR=str(data),
        VITRINA_LOG_LEVEL="warning",
        VITRINA_BOT_CACHE_DIR=str(BOT_CACHE),
    )
    vitrina = str(Path(sys.executable).parent / "vitrina")
    for step in (["migrate"], ["demo"]):
        subprocess.run([vitrina, *step], env=env, check=True, capture_output=True, timeout=180)
    port = _free_port()
    log = (data / "server.log").open("wb")
    BOT_CACHE.mkdir(parents=True, exist_ok=True)
    # With several workers, one server builds the bot's models at a time and the others
    # start from what it wrote, instead of all writing the same files at once.
    building = (BOT_CACHE / ".building").open("w")
    fcntl.flock(building, fcntl.LOCK_EX)
    process = subprocess.Popen(
        [vitrina, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_ready(url, process)
        finally:
            fcntl.flock(building, fcntl.LOCK_UN)
            building.close()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []

    def make(**options: object) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 720}, **options)
        # Software rendering on a shared machine can be slow; the waits allow for it.
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    errors: list[str] = []
    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def until(page: Page, script: str, timeout: float = 40.0, arg: object = None) -> object:
    """Poll a page function until it returns something truthy (CSP forbids wait_for_function)."""
    deadline = time.monotonic() + timeout
    value: object = None
    while time.monotonic() < deadline:
        value = page.evaluate(script, arg)
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out after {timeout} s waiting for {script} (last: {value!r})")


def open_store(page: Page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}/store/aurora-motors{query}", wait_until="domcontentloaded")
    until(page, "() => !!window.__vitrina && window.__vitrina.connection() === 'online'")


def canvas_colours(page: Page) -> int:
    """How many distinct colours the 3D view shows (a blank canvas has one)."""
    return int(
        page.evaluate(
            """() => {
              const view = document.querySelector('canvas.view');
              const probe = document.createElement('canvas');
              probe.width = 160; probe.height = 90;
              const g = probe.getContext('2d');
              g.drawImage(view, 0, 0, 160, 90);
              const data = g.getImageData(0, 0, 160, 90).data;
              const seen = new Set();
              for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
              return seen.size;
            }"""
        )
    )
