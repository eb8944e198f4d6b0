"""The sandbox page from 800 px wide up: the channel column keeps room to read, the thread pane
lies over it where the window is too narrow for both, nothing scrolls sideways. Screenshots at
800 and 1,280 px are kept in the test's folder."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.sandbox.seed import sample_recipients_csv

CHANNEL_MIN = 400  # px: app.css `.main { min-width }`
WORDS_WIDE = 250  # px: a message's text at least this wide never breaks letter by letter


@pytest.mark.parametrize("width", [800, 1280])
def test_the_channel_keeps_its_width_with_a_thread_open(page: Page, sandbox, screenshots, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(sandbox.url)
    expect(page.locator("#channel-header")).to_have_text("# general")
    sample = tmp_path / "list.csv"
    sample.write_bytes(sample_recipients_csv())
    page.locator("#file-input").set_input_files(str(sample))
    shared = page.locator("#main .msg").filter(has=page.locator(".file-card"))
    shared.locator(".replies-link").click()
    thread = page.locator("#thread")
    expect(thread.locator(".msg").filter(has_text="58 imported")).to_be_visible()
    page.screenshot(path=str(screenshots / f"thread-open-{width}.png"))

    channel = page.locator("#main").bounding_box()
    assert channel["width"] >= CHANNEL_MIN
    words = page.locator("#main .msg-content").last.bounding_box()
    assert words["width"] >= WORDS_WIDE
    pane = thread.bounding_box()
    assert pane["width"] >= 300 and pane["x"] + pane["width"] <= width + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width >= 1080:  # room for both: side by side, the channel wholly seen
        assert channel["x"] + channel["width"] <= pane["x"] + 1
    page.get_by_role("button", name="Close thread").click()
    expect(thread).to_be_hidden()
    assert page.locator("#main").bounding_box()["width"] >= CHANNEL_MIN
