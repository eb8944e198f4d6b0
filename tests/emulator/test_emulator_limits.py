"""Block Kit limits, checked as Slack checks them and worded as Slack words them."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import check_message_blocks, check_view


def section(text: str = "hello", **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Approve", **extra) -> dict:
    return {"type": "button", "action_id": "approve", "text": {"type": "plain_text", "text": text}, **extra}


def option(text: str = "Now", value: str = "now") -> dict:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def modal(blocks: list, **extra) -> dict:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Send"}, "blocks": blocks}
    view.update(extra)
    return view


def test_a_well_formed_message_passes():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approval needed"}},
        section("*Spring promo*", block_id="summary",
                accessory={"type": "static_select", "action_id": "window", "options": [option()]}),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U1>"}]},
        {"type": "actions", "block_id": "decide", "elements": [button(style="primary", value="task-42")]},
        {"type": "divider"},
        # Checkbox options may be mrkdwn; menu options may not (see the refused cases).
        {"type": "actions", "elements": [{"type": "checkboxes", "action_id": "pick", "options": [
            {"text": {"type": "mrkdwn", "text": "*Promotional*"}, "value": "promo"}]}]},
    ]

    assert check_message_blocks(blocks) == []


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([section()] * 51, "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"),
        ([section("x" * 3001)], "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text]"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
         "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
         "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0]"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
         "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text]"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
         "[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements]"),
        ([{"type": "actions", "elements": [button()] * 26}],
         "[ERROR] no more than 25 items allowed [json-pointer:/blocks/0/elements]"),
        ([{"type": "actions", "elements": [button("b" * 76)]}],
         "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text]"),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}],
         "[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"),
        ([{"type": "actions", "elements": [button(url="https://x/" + "u" * 2991)]}],
         "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]"),
        ([section(accessory={"type": "static_select", "action_id": "s", "options": [option("o" * 76)]})],
         "[ERROR] must be less than 76 characters [json-pointer:/blocks/0/accessory/options/0/text]"),
        ([section(accessory={"type": "static_select", "action_id": "s", "options": [option(value="v" * 151)]})],
         "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/accessory/options/0/value]"),
        ([section(accessory={"type": "static_select", "action_id": "s", "options": [option()] * 101})],
         "[ERROR] no more than 100 items allowed [json-pointer:/blocks/0/accessory/options]"),
        ([section(block_id="b" * 256)], "[ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]"),
        ([{"type": "actions", "elements": [button(action_id="a" * 256)]}],
         "[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"),
        ([section(block_id="same"), section(block_id="same")],
         "[ERROR] duplicate block_id: same [json-pointer:/blocks/1/block_id]"),
        ([{"type": "carousel"}], "[ERROR] unsupported type: carousel [json-pointer:/blocks/0/type]"),
        ([{"text": {"type": "mrkdwn", "text": "no type"}}], "[ERROR] missing required field: type [json-pointer:/blocks/0]"),
        (["not an object"], "[ERROR] must provide an object [json-pointer:/blocks/0]"),
        ({"type": "section"}, "[ERROR] must provide an array [json-pointer:/blocks]"),
        ([{"type": "input", "element": {"type": "plain_text_input", "action_id": "a"}}],
         "[ERROR] missing required field: label [json-pointer:/blocks/0]"),
        ([{"type": "input", "label": {"type": "plain_text", "text": "Body"}}],
         "[ERROR] missing required field: element [json-pointer:/blocks/0]"),
        ([section(accessory={"type": "static_select", "action_id": "s",
                             "options": [{"text": {"type": "mrkdwn", "text": "*o*"}, "value": "o"}]})],
         "[ERROR] must be a valid enum value [json-pointer:/blocks/0/accessory/options/0/text/type]"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "*bold*"}}],
         "[ERROR] must be a valid enum value [json-pointer:/blocks/0/text/type]"),
    ],
)
def test_a_message_over_a_limit_is_refused_with_slacks_message(blocks, expected):
    assert check_message_blocks(blocks) == [expected]


def test_a_well_formed_modal_passes():
    view = modal(
        [{"type": "input", "block_id": "body", "label": {"type": "plain_text", "text": "Message"},
          "element": {"type": "plain_text_input", "action_id": "body_input", "multiline": True}}],
        submit={"type": "plain_text", "text": "Create"},
        close={"type": "plain_text", "text": "Cancel"},
        private_metadata='{"channel": "C1"}',
        callback_id="send.submit",
    )

    assert check_view(view, ("modal",)) == []


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (modal([section()] * 101), "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"),
        (modal([section()], title={"type": "plain_text", "text": "t" * 25}),
         "[ERROR] must be less than 25 characters [json-pointer:/view/title]"),
        (modal([section()], submit={"type": "plain_text", "text": "s" * 25}),
         "[ERROR] must be less than 25 characters [json-pointer:/view/submit]"),
        (modal([section()], close={"type": "plain_text", "text": "c" * 25}),
         "[ERROR] must be less than 25 characters [json-pointer:/view/close]"),
        (modal([section()], private_metadata="m" * 3001),
         "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]"),
        (modal([section()], callback_id="c" * 256),
         "[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]"),
        (modal([section()], external_id="e" * 256),
         "[ERROR] must be less than 256 characters [json-pointer:/view/external_id]"),
        (modal([{"type": "input", "label": {"type": "plain_text", "text": "L"},
                 "element": {"type": "plain_text_input", "action_id": "a"}}]),
         "[ERROR] must provide submit when the view contains input blocks [json-pointer:/view/submit]"),
        ({"type": "modal", "blocks": []}, "[ERROR] missing required field: title [json-pointer:/view]"),
        ({"type": "home", "blocks": [section()]}, "[ERROR] must be a valid enum value [json-pointer:/view/type]"),
    ],
)
def test_a_modal_over_a_limit_is_refused_with_slacks_message(view, expected):
    assert check_view(view, ("modal",)) == [expected]


def test_a_home_tab_may_hold_100_blocks_but_not_101():
    assert check_view({"type": "home", "blocks": [section()] * 100}, ("home",)) == []
    assert check_view({"type": "home", "blocks": [section()] * 101}, ("home",)) == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]
