"""Browser tests: Playwright drives Debian's Chromium (Playwright's own browser download is not
available here) against a sandbox served in this process, so a test can also look at what the
bot stored and what the simulator gateway did."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.debian_packages import debian_file
from tests.sandbox_harness import served_sandbox

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture(scope="session")
def chromium() -> Path:
    return debian_file(CHROMIUM, "chromium", "The browser tests")


@pytest.fixture(scope="module")
def browser(chromium):
    # Module scope: Playwright's sync API runs its own event loop, which must be gone before the
    # asyncio tests of other modules run.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def sandbox(tmp_path):
    with served_sandbox(tmp_path / "sandbox") as sandbox:
        yield sandbox


@pytest.fixture
def page(browser, sandbox):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, timezone_id="UTC")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path):
    folder = tmp_path / "browser-screenshots"
    folder.mkdir()
    return folder
