"""The end-to-end suite's gate on Web API calls really rejects what Slack would."""

import json

from bot.sandbox.emulator import Workspace
from bot.sandbox.emulator.defaults import GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from tests.slack_calls import answers_outside_the_thread, check_calls_file, markup_problems, whole_numbers_in


def test_gate_passes_good_calls_and_reports_bad_ones(tmp_path):
    calls = tmp_path / "calls.jsonl"
    good = {"method": "chat.postEphemeral", "args": {"channel": "C1", "user": "U1", "text": "hi"}}
    bad = {"method": "views.publish", "args": {"user_id": "U1", "view": {"type": "home", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]}}}
    calls.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    problems = check_calls_file(calls)
    assert len(problems) == 1 and problems[0].startswith("line 2 views.publish [limit]")


def test_gate_spots_whole_phone_numbers_but_not_timestamps_or_ids():
    shown = whole_numbers_in(json.dumps({"text": "to +8613800138000, 13912345678 and 8613800138000; •••• 8000",
                                         "ts": "1732368000.000100", "channel": "C0123456789012",
                                         "blocks": [{"block_id": "task.1", "text": "1,000 of 20,000 sent"}]}))
    assert shown == ["+8613800138000", "13912345678", "8613800138000"]


def test_gate_spots_broadcasts_and_names_the_workspace_does_not_have():
    workspace = Workspace()  # seeded: the sandbox's people and channels
    said = {"type": "section", "text": {"type": "mrkdwn", "text": "<!channel|channel> by <@U0NOBODY01>"}}
    calls = [
        {"method": "chat.postMessage", "args": {"channel": GENERAL_CHANNEL_ID, "text": "hi <!here>",
                                                "blocks": json.dumps([said])}},
        {"method": "views.publish", "args": {"user_id": SENDER_ID, "view": {"type": "home", "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "<!everyone> see <#C0NOWHERE1|x>"}]}]}}},
        {"method": "files.completeUploadExternal", "args": {"initial_comment": "<@U0SENDER01> in <#C0GENERAL1>"}},
        {"method": "chat.postEphemeral", "args": {"text": "&lt;!here&gt; <!date^1763900000^{time}|09:00>",
                                                  "blocks": [{"type": "header", "text": {
                                                      "type": "plain_text", "text": "<!here> as typed"}}]}},
    ]
    problems = markup_problems(workspace, calls)
    assert [p.split(" — ")[0] for p in problems] == [
        "chat.postMessage: broadcast <!here>", "chat.postMessage: broadcast <!channel|channel>",
        "chat.postMessage: <@U0NOBODY01> names no one here",
        "views.publish: broadcast <!everyone>", "views.publish: <#C0NOWHERE1> names no one here",
    ]


def test_gate_spots_an_answer_outside_the_thread_its_person_was_in():
    workspace = Workspace()
    thread = workspace.post_message(GENERAL_CHANNEL_ID, SENDER_ID, "a thread").ts
    workspace.note_where(SENDER_ID, GENERAL_CHANNEL_ID, thread)  # they pressed a button in it
    workspace.post_ephemeral(GENERAL_CHANNEL_ID, SENDER_ID, "in the channel pane")
    workspace.post_ephemeral(GENERAL_CHANNEL_ID, SENDER_ID, "in another thread", thread_ts="1.000001",
                             source="response_url")
    workspace.post_ephemeral(GENERAL_CHANNEL_ID, SENDER_ID, "where they look", thread_ts=thread)
    workspace.post_ephemeral(GENERAL_CHANNEL_ID, MEMBER_ID, "someone in the channel")
    workspace.note_where(SENDER_ID, GENERAL_CHANNEL_ID, None)  # then a slash command
    workspace.post_ephemeral(GENERAL_CHANNEL_ID, SENDER_ID, "the command's answer")
    astray = answers_outside_the_thread(workspace)
    assert [line.split(" — ")[1] for line in astray] == ["'in the channel pane'", "'in another thread'"]
