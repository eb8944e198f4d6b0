"""What Slack does with answers outside the Web API: response_urls, command acks, submission answers."""

from __future__ import annotations

import json

import httpx

from bot.sandbox.emulator import BOT_USER_ID, GENERAL_CHANNEL_ID, SENDER_ID, ManualClock, Workspace
from bot.sandbox.emulator.replies import apply_command_ack, apply_submission_answer

BUTTON_BLOCKS = [{"type": "actions", "elements": [
    {"type": "button", "action_id": "approve", "text": {"type": "plain_text", "text": "Approve"}},
]}]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Send"},
         "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "step 1"}}]}


def post(url: str, body: dict) -> httpx.Response:
    return httpx.post(url, json=body)


def test_a_response_url_reply_is_ephemeral_unless_in_channel(workspace: Workspace, emulator):
    url = workspace.issue_response_url(GENERAL_CHANNEL_ID, SENDER_ID)

    assert post(url, {"text": "just you"}).status_code == 200
    assert post(url, {"text": "everyone", "response_type": "in_channel"}).status_code == 200

    assert [e.text for e in workspace.ephemerals(user_id=SENDER_ID)] == ["just you"]
    assert [(m.user, m.text) for m in workspace.messages(GENERAL_CHANNEL_ID)] == [(BOT_USER_ID, "everyone")]
    assert [p.effect for p in workspace.response_url_posts] == ["ephemeral", "in_channel"]
    assert workspace.calls() == []


def test_a_message_response_url_replaces_or_deletes_the_original(workspace: Workspace, emulator):
    first = workspace.post_message(GENERAL_CHANNEL_ID, BOT_USER_ID, "Approve?", BUTTON_BLOCKS)
    second = workspace.post_message(GENERAL_CHANNEL_ID, BOT_USER_ID, "Approve too?", BUTTON_BLOCKS)

    post(workspace.issue_response_url(GENERAL_CHANNEL_ID, SENDER_ID, first.ts), {"replace_original": True, "text": "Done"})
    post(workspace.issue_response_url(GENERAL_CHANNEL_ID, SENDER_ID, second.ts), {"delete_original": True})

    assert [(m.text, m.blocks) for m in workspace.messages(GENERAL_CHANNEL_ID)] == [("Done", [])]


def test_a_response_url_takes_five_posts_within_thirty_minutes(workspace: Workspace, clock: ManualClock, emulator):
    busy = workspace.issue_response_url(GENERAL_CHANNEL_ID, SENDER_ID)
    old = workspace.issue_response_url(GENERAL_CHANNEL_ID, SENDER_ID)

    statuses = [post(busy, {"text": str(n)}).status_code for n in range(6)]
    clock.advance(30 * 60 + 1)
    expired = post(old, {"text": "late"})

    assert statuses == [200] * 5 + [404]
    assert expired.status_code == 404 and expired.json()["error"] == "expired_url"


def test_a_response_url_refuses_invalid_blocks(workspace: Workspace, emulator):
    url = workspace.issue_response_url(GENERAL_CHANNEL_ID, SENDER_ID)

    answer = post(url, {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]})

    assert answer.status_code == 400 and answer.json()["error"] == "invalid_blocks"
    assert workspace.ephemerals() == []


def test_a_slow_or_failed_command_shows_slacks_error(workspace: Workspace):
    slow = apply_command_ack(workspace, GENERAL_CHANNEL_ID, SENDER_ID, "/sms", 200, "", elapsed_seconds=3.2)
    broken = apply_command_ack(workspace, GENERAL_CHANNEL_ID, SENDER_ID, "/sms", 500, "", elapsed_seconds=0.1)

    assert (slow, broken) == ("operation_timeout", "dispatch_failed")
    assert [e.text for e in workspace.ephemerals(user_id=SENDER_ID)] == [
        '/sms failed with the error "operation_timeout"',
        '/sms failed with the error "dispatch_failed"',
    ]


def test_an_in_channel_ack_is_posted_for_everyone(workspace: Workspace):
    body = json.dumps({"response_type": "in_channel", "text": "Sending to 1,250"})

    effect = apply_command_ack(workspace, GENERAL_CHANNEL_ID, SENDER_ID, "/sms", 200, body, elapsed_seconds=0.1)

    assert effect == "in_channel"
    assert [m.text for m in workspace.messages(GENERAL_CHANNEL_ID)] == ["Sending to 1,250"]


def test_submission_answers_update_push_and_clear_the_modal(workspace: Workspace):
    root = workspace.views.open_modal(SENDER_ID, MODAL)
    step_two = dict(MODAL, title={"type": "plain_text", "text": "Step 2"})

    updated = apply_submission_answer(workspace, root.id, 200, json.dumps({"response_action": "update", "view": step_two}), 0.1)
    pushed = apply_submission_answer(workspace, root.id, 200, json.dumps({"response_action": "push", "view": MODAL}), 0.1)
    top = workspace.views.top_modal(SENDER_ID)
    cleared = apply_submission_answer(workspace, top.id, 200, json.dumps({"response_action": "clear"}), 0.1)

    assert (updated.problems, pushed.problems, cleared.problems) == ([], [], [])
    assert root.definition["title"]["text"] == "Step 2"
    assert top.previous_view_id == root.id
    assert workspace.views.top_modal(SENDER_ID) is None and root.closed and top.closed


def test_a_bad_submission_answer_leaves_the_modal_open(workspace: Workspace):
    view = workspace.views.open_modal(SENDER_ID, MODAL)
    too_long = dict(MODAL, title={"type": "plain_text", "text": "T" * 30})

    invalid = apply_submission_answer(workspace, view.id, 200, json.dumps({"response_action": "update", "view": too_long}), 0.1)
    not_input = apply_submission_answer(
        workspace, view.id, 200, json.dumps({"response_action": "errors", "errors": {"nope": "x"}}), 0.1
    )
    slow = apply_submission_answer(workspace, view.id, 200, "", elapsed_seconds=3.5)

    assert invalid.problems == ["[ERROR] must be less than 25 characters [json-pointer:/view/title]"]
    assert not_input.problems == ["not an input block_id: nope"]
    assert slow.problems == ["operation_timeout"]
    assert workspace.views.top_modal(SENDER_ID).id == view.id
    assert view.definition["title"]["text"] == "Send"
