"""Approval to first submission: how long after an approver presses Approve the provider gets
the task's first message. The bot runs as `smsbot serve` does (its tick an hour away, so only
the wake-up on approval can start a send), with the Slack emulator and the simulator gateway,
on the real clock. Each of N tasks (one recipient each) is approved by a signed Slack request;
the time is until the gateway has the task's number.

    python bench/start_latency.py [--tasks 20] [--postgres]

`--postgres`: on a fresh database of SMSBOT_TEST_DATABASE_URL's server (dropped after), the
approval heard through LISTEN/NOTIFY as well as in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

API_KEY, SECRET, SIGNING_SECRET = "bench-gateway-key", "bench-gateway-secret", "bench-signing-secret"
HOUR = 3600.0


def _content(runtime) -> tuple[int, int]:
    from bot.app import utc_now
    from bot.sandbox.emulator.defaults import APPROVER_ID, SENDER_ID
    from domain.approvers import Actor
    from domain.content import Purpose, TemplateDraft, TemplateKind
    from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content

    approver = Actor(APPROVER_ID, is_approver=True)
    signature = add_signature(runtime.uow(), "Acme", "bench", Actor(SENDER_ID)).id
    decide_content(runtime.uow(), ContentKind.SIGNATURE, signature, approver, approve=True, reason=None,
                   allow_self_approval=False, now=utc_now())
    draft = TemplateDraft(name="Notice", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body="Your order shipped")
    template = add_template(runtime.uow(), draft, Actor(SENDER_ID)).id
    decide_content(runtime.uow(), ContentKind.TEMPLATE, template, approver, approve=True, reason=None,
                   allow_self_approval=False, now=utc_now())
    return signature, template


def _task_with_card(runtime, workspace, content: tuple[int, int], n: int) -> tuple[str, str]:
    """A task of one number, its card posted as the bot posts it; (its number, the card's ts)."""
    from bot.app import utc_now
    from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, GENERAL_CHANNEL_ID, SENDER_ID
    from domain.approvers import Actor
    from domain.content import TemplateKind
    from domain.phones import PhoneNormalizer
    from domain.recipient_files import Limits
    from domain.tasks import TaskDraft
    from domain.use_cases.recipients import ImportSource, import_file
    from domain.use_cases.tasks import create_task, record_task_thread
    from handlers.task_blocks import build_task_card
    from handlers.task_thread import composition

    phone = f"+86138{n:08d}"
    listed = import_file(runtime.uow(), f"phone\n{phone}\n".encode(),
                         ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", f"one-{n}.csv"),
                         limits=Limits(1 << 20, 10), normalizer=PhoneNormalizer("CN"))
    draft = TaskDraft(name=f"Bench {n}", purpose=None, kind=TemplateKind.TEXT, recipient_list_id=listed.list_id,
                      signature_id=content[0], template_id=content[1])
    task = create_task(runtime.uow(), draft, Actor(SENDER_ID), origin_channel=GENERAL_CHANNEL_ID, now=utc_now(),
                       window=runtime.settings.sending_window, composition=composition(runtime.settings))
    text, blocks = build_task_card(task, None)
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, text, blocks=blocks)
    record_task_thread(runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    return phone, card.ts


async def measure(tasks: int, database_url: str | None) -> dict:
    from bot.app import build_runtime
    from bot.composition import Parts, Process
    from bot.providers.simulator import SimulatorConfig, SimulatorProvider, create_gateway_app
    from bot.sandbox.emulator import Workspace
    from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, APPROVERS_GROUP_ID
    from bot.sandbox.emulator.driver import SlackDriver
    from bot.sandbox.emulator.server import start_emulator
    from bot.settings import load_settings
    from bot.threaded_server import ThreadedServer
    from bot.web import SLACK_EVENTS_PATH
    from handlers.ids import ActionId
    from storage.migrate import upgrade

    workspace = Workspace()
    emulator = start_emulator(workspace)
    gateway_app, gateway = create_gateway_app(SimulatorConfig(api_key=API_KEY, receipt_secret=SECRET))
    gateway_server = ThreadedServer(gateway_app).start()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        settings = load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                                 slack_api_url=f"{emulator.url}/api/", database_url=url,
                                 approvers=[APPROVERS_GROUP_ID], approvals_channel=APPROVALS_CHANNEL_ID,
                                 tick_seconds=HOUR, send_window="00:00-23:59")
        runtime = build_runtime(settings, provider=SimulatorProvider(gateway_server.url, API_KEY, SECRET))
        parts = Parts(slack_http=True, webhooks=True, dispatcher=True, ticks=True, tick_seconds=HOUR)
        bot = ThreadedServer(Process(runtime, parts).asgi()).start()
        driver = SlackDriver(workspace, bot.url + SLACK_EVENTS_PATH, SIGNING_SECRET)
        content = _content(runtime)
        seconds = []
        try:
            for n in range(tasks):
                phone, card_ts = _task_with_card(runtime, workspace, content, n)
                began = time.perf_counter()
                await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card_ts))
                while gateway.submissions_for(phone) == 0:
                    if time.perf_counter() - began > 60:
                        raise SystemExit(f"task {n} did not start within a minute")
                    await asyncio.sleep(0.005)
                seconds.append(time.perf_counter() - began)
        finally:
            bot.stop()
            gateway_server.stop()
            emulator.stop()
    ordered = sorted(seconds)
    return {"tasks": tasks, "first_submit_p50_s": round(statistics.median(ordered), 3),
            "first_submit_p95_s": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
            "first_submit_max_s": round(ordered[-1], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (default: SQLite)")
    arguments = parser.parse_args()
    if arguments.postgres:
        from bench.dispatch import PostgresDatabase

        with PostgresDatabase() as database_url:
            figures = asyncio.run(measure(arguments.tasks, database_url))
    else:
        figures = asyncio.run(measure(arguments.tasks, None))
    print("bench start_latency: " + " ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
