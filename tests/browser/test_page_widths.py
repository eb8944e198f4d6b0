"""The sandbox page from 800 px wide up: the channel column keeps room to read, the thread pane
narrows and then lies over the channel where the window is too narrow for both, nothing scrolls
sideways. Screenshots at each width are kept in the test's folder."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot.sandbox.seed import sample_recipients_csv

CHANNEL_MIN = 400  # px: app.css `.main { min-width }`
SIDE_BY_SIDE = 1000  # px: sidebar 240 + channel 400 + the narrowest pane 360 (app.css's media query)
WORDS_WIDE = 250  # px: a message's text at least this wide never breaks letter by letter

TEXTS = """() => [...document.querySelectorAll('#main .msg-content')].map(e => ({
    width: e.getBoundingClientRect().width, scroll: e.scrollWidth, client: e.clientWidth,
    text: e.textContent.slice(0, 40)}))"""
ON_TOP = """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return hit !== null && hit.closest(selector) !== null; }"""


@pytest.mark.parametrize("width", [800, 1024, 1280])
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
    expect(page.locator("#main .msg").filter(has_text="58 imported")).to_be_visible()
    page.screenshot(path=str(screenshots / f"thread-open-{width}.png"))

    channel = page.locator("#main").bounding_box()
    assert channel["width"] >= CHANNEL_MIN, channel

    texts = page.evaluate(TEXTS)
    assert texts
    for text in texts:  # no word broken letter by letter, nothing sticking out of its message
        assert text["width"] >= WORDS_WIDE and text["scroll"] <= text["client"], text

    expect(thread).to_be_visible()
    pane = thread.bounding_box()
    assert pane["width"] >= 300 and pane["x"] >= 0 and pane["x"] + pane["width"] <= width + 1, pane
    assert page.evaluate(ON_TOP, "#close-thread")
    if width >= SIDE_BY_SIDE:  # room for both: side by side, the channel wholly seen
        assert channel["x"] + channel["width"] <= pane["x"] + 1, (channel, pane)
    else:  # the pane lies over the channel's right side, with a shadow, as Slack's does
        assert pane["x"] < channel["x"] + channel["width"] - 1, (channel, pane)
        assert thread.evaluate("e => getComputedStyle(e).boxShadow") != "none"

    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")

    page.get_by_role("button", name="Close thread").click()
    expect(thread).to_be_hidden()
    assert page.locator("#main").bounding_box()["width"] >= CHANNEL_MIN
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
