"""`smsbot serve --socket-mode` as its own process against the emulator: a whole send — a file
dropped in a channel, `/sms send`, the modal, approval in the thread, the process's own tick and
dispatcher, receipts from its embedded simulator on its webhook port, the final report — with
every request from Slack arriving as a Socket Mode envelope."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.settings import load_settings
from bot.sandbox.emulator import SlackDriver
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, APPROVERS_GROUP_ID, DEFAULT_APP_TOKEN, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID,
    SENDER_ID,
)
from bot.app import build_runtime
from domain.approvers import Actor
from domain.content import Purpose, TemplateDraft, TemplateKind
from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content
from handlers.ids import ActionId
from storage.migrate import upgrade
from tests.e2e.test_send_tasks import form
from tests.slack_calls import assert_calls_follow_slack_specs

REPO = Path(__file__).resolve().parents[2]
RECIPIENTS = 40
SIGNING_SECRET = "socket-mode-unused-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed_content(database_url: str, emulator_url: str) -> dict:
    """An approved signature and template, made with the use cases the bot runs."""
    settings = load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                             slack_api_url=f"{emulator_url}/api/", database_url=database_url)
    runtime = build_runtime(settings)
    approver, now = Actor(APPROVER_ID, is_approver=True), runtime.clock()
    try:
        signature = add_signature(runtime.uow(), "Acme", "shop", Actor(SENDER_ID)).id
        decide_content(runtime.uow(), ContentKind.SIGNATURE, signature, approver, approve=True, reason=None,
                       allow_self_approval=False, now=now)
        draft = TemplateDraft(name="Receipt", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION,
                              body="Hi ${name}, your order shipped")
        template = add_template(runtime.uow(), draft, Actor(SENDER_ID)).id
        decide_content(runtime.uow(), ContentKind.TEMPLATE, template, approver, approve=True, reason=None,
                       allow_self_approval=False, now=now)
    finally:
        runtime.close()
    return {"signature": signature, "Receipt": template}


@pytest.fixture
def served(emulator, workspace, tmp_path):
    """`python -m bot serve --socket-mode`, configured only through its environment."""
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(database_url)
    catalog = seed_content(database_url, emulator.url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    env.update({
        "SMSBOT_SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN, "SMSBOT_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SMSBOT_SLACK_APP_TOKEN": DEFAULT_APP_TOKEN, "SMSBOT_SLACK_API_URL": f"{emulator.url}/api/",
        "SMSBOT_DATABASE_URL": database_url, "SMSBOT_APPROVERS": APPROVERS_GROUP_ID,
        "SMSBOT_APPROVALS_CHANNEL": APPROVALS_CHANNEL_ID, "SMSBOT_TIMEZONE": "Asia/Shanghai",
        "SMSBOT_SEND_WINDOW": "00:00-24:00", "SMSBOT_PORT": str(port), "SMSBOT_TICK_SECONDS": "0.5",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    })
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--socket-mode"], env=env,
                                   cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: workspace.socket_mode.connected or process.poll() is not None, 30)
        assert process.poll() is None, log_path.read_text()
        yield catalog, database_url, f"http://127.0.0.1:{port}", log_path
    finally:
        process.terminate()
        process.wait(15)
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


def wait_for(check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"not met within {timeout} s")


async def eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"not met within {timeout} s")


def task_state(database_url: str) -> tuple[str, dict[str, int]] | None:
    runtime = build_runtime(load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                                          database_url=database_url))
    try:
        with runtime.uow() as uow:
            task = uow.tasks.get(1)
            return (task.status, uow.task_recipients.counts(1)) if task else None
    finally:
        runtime.close()


async def test_a_whole_send_over_socket_mode_reaches_its_final_report_with_receipts(workspace, served):
    catalog, database_url, webhooks_url, log_path = served
    driver = SlackDriver(workspace, socket_mode=True)
    # The port serves the health check and the providers' webhooks, not Slack's request URL.
    assert httpx.get(f"{webhooks_url}/healthz").json()["status"] == "ok"
    assert httpx.post(f"{webhooks_url}/slack/events", content=b"{}").status_code == 404

    csv = "phone,name\n" + "".join(f"1380013{n:04d},N{n}\n" for n in range(RECIPIENTS))
    await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "list.csv", csv.encode())
    await eventually(lambda: any(f"{RECIPIENTS} imported" in m.text for m in workspace.messages(
        GENERAL_CHANNEL_ID, include_replies=True)))

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "send")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    recipients = next(b for b in modal.blocks if b.get("block_id") == "send.recipients")
    chosen = recipients["element"]["options"][0]["value"]
    await driver.view_submission(SENDER_ID, modal.id, form({**catalog, "list": chosen.removeprefix("list:")}))
    assert workspace.submissions[-1].errors == {}
    card = await eventually(lambda: next((m for m in workspace.messages(APPROVALS_CHANNEL_ID)
                                          if m.text.startswith("Send task")), None))

    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    # The process's own tick starts it, its dispatcher sends it, its webhook takes the receipts.
    report = await eventually(lambda: next((m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                            if m.text.startswith("Send completed.")), None), timeout=60)
    assert f"{RECIPIENTS} recipients" in report.text
    receipted = await eventually(lambda: (state := task_state(database_url)) and
                                 state[1].get("delivered", 0) + state[1].get("failed", 0) > RECIPIENTS // 2 and state)
    status, counts = receipted
    assert status == "completed" and sum(counts.values()) == RECIPIENTS and counts.get("pending", 0) == 0
    kinds = {e["type"] for e in workspace.socket_mode.envelopes}
    assert kinds == {"events_api", "slash_commands", "interactive"}
    assert "Traceback" not in log_path.read_text()
