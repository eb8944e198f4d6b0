"""The page draws Block Kit the bot could send (beyond what today's handlers use), and every
interactive element turns into the block_actions request Slack would send."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect
from slack_sdk import WebClient

from bot.sandbox.emulator.defaults import APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID

TEXT = lambda text: {"type": "plain_text", "text": text}  # noqa: E731
MRKDWN = lambda text: {"type": "mrkdwn", "text": text}  # noqa: E731
OPTIONS = [{"text": TEXT("Morning"), "value": "am"}, {"text": TEXT("Evening"), "value": "pm"}]
BLOCKS = [
    {"type": "header", "text": TEXT("Everything at once")},
    {"type": "section", "block_id": "fields", "text": MRKDWN("*Bold* _italic_ ~gone~ `code` for <@U0APPROV01>, "
                                                             "<https://example.com|a link> :tada:"),
     "fields": [MRKDWN("*Sent*\n12"), MRKDWN("*When*\n<!date^1900000000^{date_num}|2030>")],
     "accessory": {"type": "overflow", "action_id": "demo.more", "options": [
         {"text": TEXT("Export"), "value": "export"}, {"text": TEXT("Archive"), "value": "archive"}]}},
    {"type": "divider"},
    {"type": "context", "elements": [MRKDWN("a context line")]},
    {"type": "image", "image_url": "https://example.com/missing.png", "alt_text": "a chart"},
    {"type": "actions", "block_id": "controls", "elements": [
        {"type": "button", "action_id": "demo.stop", "text": TEXT("Stop"), "style": "danger", "value": "7",
         "confirm": {"title": TEXT("Stop it?"), "text": MRKDWN("This can't be undone."),
                     "confirm": TEXT("Stop"), "deny": TEXT("Keep going")}},
        {"type": "static_select", "action_id": "demo.when", "placeholder": TEXT("When"), "options": OPTIONS},
        {"type": "datepicker", "action_id": "demo.day"},
        {"type": "timepicker", "action_id": "demo.time"},
        {"type": "external_select", "action_id": "demo.search", "placeholder": TEXT("Search")},
    ]},
    {"type": "rich_text", "elements": [{"type": "rich_text_list", "style": "bullet", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": "first", "style": {"bold": True}}]},
        {"type": "rich_text_section", "elements": [{"type": "user", "user_id": APPROVER_ID}]},
    ]}]},
]


def action_sent(page: Page, do) -> dict:
    with page.expect_request("**/sandbox/api/action") as request:
        do()
    return json.loads(request.value.post_data)


def test_block_kit_is_drawn_and_every_element_acts(page: Page, sandbox, screenshots):
    client = WebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{sandbox.url}/api/")
    ts = client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="Everything at once", blocks=BLOCKS)["ts"]
    page.goto(sandbox.url)
    message = page.locator(f".msg[data-ts='{ts}']")
    expect(message.get_by_role("heading", name="Everything at once")).to_be_visible()
    section = message.locator("[data-block-id='fields']")
    expect(section.locator("b").first).to_have_text("Bold")
    expect(section.locator("i")).to_have_text("italic")
    expect(section.locator("s")).to_have_text("gone")
    expect(section.locator(".mention").first).to_have_text("@Ada Approver")
    expect(section.get_by_role("link", name="a link")).to_have_attribute("href", "https://example.com")
    expect(section.locator(".section-field").last).to_contain_text("2030-03-17")
    expect(message.locator("hr")).to_have_count(1)
    expect(message).to_contain_text("a context line")
    expect(message.locator(".image-missing")).to_contain_text("a chart")  # no network here
    expect(message.locator(".block-rich_text li")).to_have_text(["first", "@Ada Approver"])
    shoot = lambda name: page.screenshot(path=str(screenshots / f"{name}.png"))  # noqa: E731
    shoot("blocks")

    more = action_sent(page, lambda: (message.get_by_role("button", name="More actions").click(),
                                      message.get_by_role("menuitem", name="Archive").click()))
    assert (more["action_id"], more["block_id"], more["selected_option"]["value"]) == ("demo.more", "fields", "archive")
    assert (more["channel"], more["ts"]) == (GENERAL_CHANNEL_ID, ts)

    message.get_by_role("button", name="Stop").click()
    confirm = page.get_by_role("alertdialog", name="Stop it?")
    expect(confirm).to_contain_text("This can't be undone.")
    shoot("confirm")
    stop = action_sent(page, lambda: confirm.get_by_role("button", name="Stop").click())
    assert (stop["action_id"], stop["block_id"]) == ("demo.stop", "controls")

    chosen = action_sent(page, lambda: message.locator("select[data-action-id='demo.when']").select_option("pm"))
    assert chosen["selected_option"] == {"text": TEXT("Evening"), "value": "pm"}
    day = action_sent(page, lambda: message.locator("input[data-action-id='demo.day']").fill("2030-01-02"))
    assert (day["action_id"], day["value"]) == ("demo.day", "2030-01-02")
    with page.expect_request("**/sandbox/api/suggest") as suggested:  # Slack asks the app for options
        message.locator("select[data-action-id='demo.search']").focus()
    assert json.loads(suggested.value.post_data)["action_id"] == "demo.search"


def modal_view(title: str, label: str) -> dict:
    return {"type": "modal", "title": TEXT(title), "submit": TEXT("Save"), "close": TEXT("Cancel"), "blocks": [
                {"type": "input", "block_id": "note", "label": TEXT(label),
                 "element": {"type": "plain_text_input", "action_id": "note_input"}}]}


def test_a_pushed_modal_goes_back_to_the_one_below(page: Page, sandbox, screenshots):
    client = WebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{sandbox.url}/api/")
    first = client.views_open(trigger_id=sandbox.workspace.issue_trigger(APPROVER_ID), view=modal_view("First", "Why"))
    client.views_push(trigger_id=sandbox.workspace.issue_trigger(APPROVER_ID, view_id=first["view"]["id"]),
                      view=modal_view("Second", "What"))
    page.goto(f"{sandbox.url}/?user={APPROVER_ID}")
    second = page.get_by_role("dialog", name="Second")
    expect(second.get_by_label("What")).to_be_visible()
    page.screenshot(path=str(screenshots / "modal-stack.png"))
    second.get_by_role("button", name="Back", exact=True).first.click()
    expect(page.get_by_role("dialog", name="First").get_by_label("Why")).to_be_visible()
    page.get_by_role("dialog", name="First").get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert sandbox.workspace.views.top_modal(APPROVER_ID) is None


def test_the_home_tab_is_the_apps_own_and_its_buttons_work(page: Page, sandbox):
    page.goto(f"{sandbox.url}/?user={APPROVER_ID}")
    page.locator("#app-list").get_by_role("button", name="smsbot").click()
    page.locator("#app-tabs").get_by_role("button", name="Home").click()  # Slack sends app_home_opened
    home = page.locator("#home")
    expect(home.get_by_role("heading", name="smsbot: bulk SMS from Slack")).to_be_visible()
    expect(home).to_contain_text("You are an approver")
    home.get_by_role("button", name="New send").click()  # block_actions from a Home view
    expect(page.get_by_role("dialog", name="New send task")).to_be_visible()
