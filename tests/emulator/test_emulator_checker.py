"""Recorded calls export in the format of the shared validation kit, and pass its checker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import GENERAL_CHANNEL_ID, SENDER_ID, Workspace
from tests.slack_calls import CHECKER

APPROVAL_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Approval needed"}},
    {"type": "section", "block_id": "summary", "text": {"type": "mrkdwn", "text": "*Spring promo* to 1,250"}},
    {"type": "actions", "block_id": "decide", "elements": [
        {"type": "button", "action_id": "approve", "style": "primary",
         "text": {"type": "plain_text", "text": "Approve"}, "value": "task-42"},
    ]},
]
MODAL = {
    "type": "modal",
    "callback_id": "send.submit",
    "title": {"type": "plain_text", "text": "New SMS send"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [{"type": "input", "block_id": "body", "label": {"type": "plain_text", "text": "Message"},
                "element": {"type": "plain_text_input", "action_id": "body_input"}}],
}


def run_checker(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, timeout=60)


async def make_typical_calls(client: AsyncWebClient, workspace: Workspace) -> None:
    await client.auth_test()
    posted = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="Approval needed", blocks=APPROVAL_BLOCKS)
    await client.chat_update(channel=GENERAL_CHANNEL_ID, ts=posted["ts"], text="Approved", blocks=APPROVAL_BLOCKS[:2])
    await client.chat_postEphemeral(channel=GENERAL_CHANNEL_ID, user=SENDER_ID, text="Only you can see this")
    await client.chat_getPermalink(channel=GENERAL_CHANNEL_ID, message_ts=posted["ts"])
    await client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=MODAL)
    await client.views_publish(user_id=SENDER_ID, view={"type": "home", "blocks": APPROVAL_BLOCKS[:2]})
    await client.users_info(user=SENDER_ID)
    await client.files_upload_v2(channel=GENERAL_CHANNEL_ID, filename="a.csv", content="phone\n1\n")


async def test_exported_calls_pass_the_shared_checker(client, workspace, tmp_path):
    await make_typical_calls(client, workspace)
    path = tmp_path / "calls.jsonl"

    written = workspace.export_jsonl(path)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert written == len(lines) == len(workspace.calls()) >= 10
    assert all(set(line) == {"method", "args"} and "token" not in line["args"] for line in lines)
    result = run_checker(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(f"{written} calls, 0 problems")


async def test_a_refused_call_is_exported_and_flagged_by_the_checker(client, workspace, tmp_path):
    bad_modal = dict(MODAL, title={"type": "plain_text", "text": "T" * 30})
    with pytest.raises(SlackApiError):
        await client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=bad_modal)
    path = tmp_path / "calls.jsonl"

    workspace.export_jsonl(path)

    result = run_checker(path)
    assert result.returncode == 1
    assert "views.open [limit] view.title.text: modal title is 30 chars, limit 24" in result.stdout
    assert workspace.export_jsonl(tmp_path / "ok_only.jsonl", include_failed=False) == 0
