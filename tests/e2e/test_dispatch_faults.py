"""A crash mid-send never sends a number twice: `python -m bot worker` processes SIGKILLed at
seeded random moments while they send a 20,000-recipient task through the simulator gateway,
on SQLite and on PostgreSQL; and two workers on one PostgreSQL never claim the same recipient."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.app import Runtime, build_runtime, utc_now
from bot.dispatcher import IDLE_SECONDS, LEASE
from bot.provider_queries import settle_lost_by_asking
from bot.providers.roster import ProviderRoster
from bot.providers.simulator import SimulatorProvider
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, APPROVERS_GROUP_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, SENDER_ID,
)
from bot.settings import load_settings
from domain.approvers import Actor
from domain.content import Purpose, TemplateDraft, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.schedule import SendWindow, StartRules
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content
from domain.use_cases.dispatch import settle_lost_sends, start_due_tasks
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.tasks import create_task, record_task_thread
from storage.migrate import upgrade
from storage.tables import TaskRecipient
from storage.statuses import INTERRUPTED
from storage.engine import deadlocks
from tests.databases import fresh_database
from handlers.progress import WATCH_LEASE
from tests.e2e.faults_harness import API_KEY, SECRET, SIGNING_SECRET, Gateway, Worker, wait_for, worker_env

RECIPIENTS = 20_000
CHUNK = 500  # the worker's chunk (SMSBOT_DISPATCH_CHUNK below)
SEND_RATE = 2000  # messages/s (SMSBOT_SEND_RATE below)
SEED = 20261123
SENDER, APPROVER = Actor(SENDER_ID), Actor(APPROVER_ID, is_approver=True)
FINAL_STATES = {"delivered", "failed", "submitted"}


def runtime_for(database_url: str, emulator) -> Runtime:
    upgrade(database_url)
    settings = load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                             slack_api_url=f"{emulator.url}/api/", database_url=database_url,
                             approvers=[APPROVERS_GROUP_ID], approvals_channel=APPROVALS_CHANNEL_ID,
                             timezone="Asia/Shanghai")
    return build_runtime(settings)  # the real clock: the workers use theirs


def started_task(runtime: Runtime, workspace, recipients: int = RECIPIENTS) -> tuple[int, str]:
    """Approved content, an imported list, a task approved and started with the use cases."""
    uow, now = runtime.uow, utc_now()
    signature = add_signature(uow(), "Acme", "shop", SENDER).id
    decide_content(uow(), ContentKind.SIGNATURE, signature, APPROVER, approve=True, reason=None, allow_self_approval=False,
                   now=now)
    template = add_template(uow(), TemplateDraft(name="Receipt", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION,
                                                 body="Hi ${name}, your order shipped"), SENDER).id
    decide_content(uow(), ContentKind.TEMPLATE, template, APPROVER, approve=True, reason=None, allow_self_approval=False,
                   now=now)
    csv = "phone,name\n" + "".join(f"138{n:08d},N{n}\n" for n in range(recipients))
    summary = import_file(uow(), csv.encode(), ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "big.csv"),
                          limits=Limits(12 << 20, 1_000_000), normalizer=PhoneNormalizer("CN"))
    assert summary.imported_count == recipients, (summary.invalid_count, summary.duplicate_count)
    draft = TaskDraft(name="Crash test", purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                      recipient_list_id=summary.list_id, signature_id=signature, template_id=template)
    task = create_task(uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=now,
                       window=runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    record_task_thread(uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    # The real clock runs these sends: a window open at any hour keeps them from waiting for one.
    any_time = StartRules(SendWindow.parse("00:00-24:00", "UTC"))
    decide_task(uow(), task.id, task.version, APPROVER, Approval(approve=True), allow_self_approval=False,
                now=utc_now(), rules=any_time)
    started = start_due_tasks(uow(), utc_now(), any_time)
    assert [(t.id, t.recipient_count) for t in started] == [(task.id, recipients)]
    return task.id, card.ts


def counts(runtime: Runtime, task_id: int) -> Counter[str]:
    with runtime.uow() as uow:
        return Counter(uow.task_recipients.counts(task_id))


def task_status(runtime: Runtime, task_id: int) -> str:
    with runtime.uow() as uow:
        return str(uow.tasks.get(task_id).status)


def rows(runtime: Runtime, task_id: int) -> list[tuple[str, str, str | None, int]]:
    """(client_ref, status, reason, attempts) of every recipient of the task."""
    table = TaskRecipient.__table__
    with runtime.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(table.c.client_ref, table.c.status, table.c.reason, table.c.attempts)
            .where(table.c.task_id == task_id)).all()]


def in_flight_leased_after(runtime: Runtime, task_id: int, moment: datetime) -> int:
    table = TaskRecipient.__table__
    with runtime.engine.connect() as connection:
        return connection.execute(select(func.count()).where(
            table.c.task_id == task_id, table.c.status == "in_flight", table.c.lease_expires_at >= moment)).scalar_one()


def lease_owners(runtime: Runtime, task_id: int) -> set[str]:
    table = TaskRecipient.__table__
    with runtime.engine.connect() as connection:
        return set(connection.execute(select(table.c.lease_owner).distinct().where(
            table.c.task_id == task_id, table.c.lease_owner.is_not(None))).scalars())


def assert_sent_at_most_once_and_settled(runtime, gateway, task_id, *, interrupted_at_most, workspace, thread_ts):
    state = gateway.state
    # the receipts of everything accepted have been posted and applied (or given up on)
    wait_for(lambda: state.receipts_pending == 0, 30, "the gateway's receipts to be posted")
    assert state.max_submissions_per_ref() <= 1, "a recipient was submitted twice"
    assert state.max_submissions_per_phone() <= 1, "a number was submitted twice"
    receiver = gateway.receiver
    assert (state.receipts_dropped, receiver.errors, receiver.refused) == (0, 0, 0), (
        f"receipts dropped {state.receipts_dropped}, failed posts {state.receipt_post_failures}, "
        f"receiver errors {receiver.errors} ({receiver.last_error!r}), refused {receiver.refused}")

    table = rows(runtime, task_id)
    assert len(table) == RECIPIENTS
    # no retries were called for (the gateway answers every request), so a recipient claimed twice
    # would show two attempts
    assert max(attempts for *_, attempts in table) == 1, Counter(attempts for *_, attempts in table)
    by_status = Counter(status for _, status, _, _ in table)
    assert set(by_status) <= FINAL_STATES, f"recipients left unsettled: {by_status}"
    assert sum(by_status.values()) == RECIPIENTS
    interrupted = [ref for ref, status, reason, _ in table if status == "failed" and reason == INTERRUPTED]
    assert len(interrupted) <= interrupted_at_most, (len(interrupted), interrupted_at_most)
    assert task_status(runtime, task_id) == "completed"

    # the database agrees with what the gateway saw
    seen = {m.ref: m for m in state.messages()}
    status_of = {ref: status for ref, status, _, _ in table}
    assert set(seen) <= set(status_of), "the gateway got refs that are not this task's"
    never_sent = {ref for ref in status_of if ref not in seen}
    assert never_sent <= set(interrupted), "a recipient never submitted is not marked interrupted"
    for ref, message in seen.items():
        expected = {"delivered": "delivered", "failed": "failed", "silent": "submitted"}[message.outcome]
        # a silent send that was interrupted keeps "failed, outcome unknown": the bot cannot know
        assert status_of[ref] == expected or (message.outcome == "silent" and ref in interrupted), (
            ref, status_of[ref], message.outcome)
    assert state.total_submissions == RECIPIENTS - len(never_sent)

    # the worker told the thread it finished, once
    def reports() -> int:
        return sum(m.text.startswith("Send completed.") for m in workspace.replies(APPROVALS_CHANNEL_ID, thread_ts))

    # (a killed worker's watch on the thread lapses after WATCH_LEASE; then the live one tells it)
    wait_for(reports, WATCH_LEASE.total_seconds() + 10, "the final report in the task's thread")
    time.sleep(2 * IDLE_SECONDS)
    assert reports() == 1
    return by_status, len(interrupted), len(never_sent)


@pytest.mark.postgres
def test_a_worker_killed_mid_send_again_and_again_never_sends_a_number_twice(database_url, workspace, emulator,
                                                                             tmp_path):
    began = time.monotonic()
    runtime = runtime_for(database_url, emulator)
    gateway = Gateway(runtime.uow, seed=SEED)
    workers: list[Worker] = []
    try:
        task_id, thread_ts = started_task(runtime, workspace)
        env = worker_env(database_url, gateway.url, f"{emulator.url}/api/")
        env["SMSBOT_DISPATCH_CHUNK"] = str(CHUNK)
        # Slower than it could go, so that the kills land while the send is still on.
        env["SMSBOT_SEND_RATE"] = str(SEND_RATE)
        rng = random.Random(f"{SEED}:{database_url.split(':')[0]}")
        kills = rng.randint(4, 6)
        mid_send_kills = 0
        last_kill_at = None
        setup_done = time.monotonic()
        for number in range(kills):
            worker = Worker(env, tmp_path / f"worker-{number}.log")
            workers.append(worker)
            worker.wait_running()
            time.sleep(rng.uniform(0.3, 1.5))
            worker.kill()
            last_kill_at = datetime.now(timezone.utc)
            mid_send_kills += counts(runtime, task_id)["pending"] > 0
        assert mid_send_kills >= 3, f"only {mid_send_kills} of {kills} kills landed before the send was done"
        in_flight_after_kills = counts(runtime, task_id)["in_flight"]
        assert in_flight_after_kills > 0, "no kill caught a chunk in flight"
        # the last one lives: it sends the rest; what the dead ones had in flight stays in flight...
        worker = Worker(env, tmp_path / "worker-last.log")
        workers.append(worker)
        worker.wait_running()
        cutoff = last_kill_at + LEASE  # every lease the dead workers took ends before it; the live one's after

        def only_the_dead_in_flight() -> bool:
            return (counts(runtime, task_id)["pending"] == 0 and gateway.state.receipts_pending == 0
                    and in_flight_leased_after(runtime, task_id, cutoff) == 0)

        wait_for(only_the_dead_in_flight, 60, "the last worker to send the rest")
        # (receipts of requests the gateway took before a kill settle some of those in flight)
        lost = counts(runtime, task_id)["in_flight"]
        assert lost <= in_flight_after_kills
        if lost:
            time.sleep(2 * IDLE_SECONDS)
            assert task_status(runtime, task_id) == "sending"  # some in flight: the task cannot complete yet
        # past the dead workers' leases (not the live one's: it claimed after the last kill), the
        # gateway is asked about each lost send before any is given up as "outcome unknown": one it
        # never received goes back to pending and the live worker sends it, one it took keeps its fate
        asked = asyncio.run(ask_the_gateway(runtime, gateway, cutoff))
        interrupted, _expired = settle_lost_sends(runtime.uow(), cutoff)
        assert (asked, interrupted) == (lost, 0)
        wait_for(lambda: task_status(runtime, task_id) == "completed", 30, "the worker to complete the task")
        assert worker.alive(), worker.log()
        by_status, interrupted, never_sent = assert_sent_at_most_once_and_settled(
            runtime, gateway, task_id, interrupted_at_most=0, workspace=workspace, thread_ts=thread_ts)
        print(f"\n{database_url.split(':')[0]}: {kills} kills ({mid_send_kills} mid-send), {dict(by_status)}, "
              f"{interrupted} interrupted ({never_sent} never reached the gateway), setup {setup_done - began:.1f} s, "
              f"total {time.monotonic() - began:.1f} s")
    finally:
        for worker in workers:
            worker.kill()
        gateway.stop()
        runtime.close()


async def ask_the_gateway(runtime, gateway, cutoff) -> int:
    providers = ProviderRoster(runtime.settings, SimulatorProvider(gateway.url, API_KEY, SECRET), own_url=gateway.url,
                               uow=runtime.uow)
    try:
        return await settle_lost_by_asking(runtime.uow, providers, "simulator", cutoff)
    finally:
        await providers.aclose()


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_claim_the_same_recipient(workspace, emulator, tmp_path):
    """Two live workers and receipts: no recipient claimed twice, none left in flight (the task
    completes well within the 2-minute lease a stalled recipient would wait out), no deadlock."""
    began = time.monotonic()
    with fresh_database("postgresql", tmp_path) as database_url:
        runtime = runtime_for(database_url, emulator)
        gateway = Gateway(runtime.uow, seed=SEED + 1)
        workers: list[Worker] = []
        try:
            task_id, thread_ts = started_task(runtime, workspace)
            env = worker_env(database_url, gateway.url, f"{emulator.url}/api/")
            env["SMSBOT_DISPATCH_CHUNK"] = str(CHUNK)
            workers = [Worker(env, tmp_path / f"worker-{n}.log") for n in range(2)]
            for worker in workers:
                worker.wait_running()
            owners: set[str] = set()

            def completed() -> bool:
                owners.update(lease_owners(runtime, task_id))
                return task_status(runtime, task_id) == "completed"

            wait_for(completed, 60, "the workers to complete the task", poll=0.05)
            assert len(owners) == 2, f"both workers should have claimed chunks, saw {owners}"
            assert all(worker.alive() for worker in workers)
            by_status, interrupted, never_sent = assert_sent_at_most_once_and_settled(
                runtime, gateway, task_id, interrupted_at_most=0, workspace=workspace, thread_ts=thread_ts)
            assert gateway.state.total_submissions == RECIPIENTS
            print(f"\n2 workers: {dict(by_status)}, total {time.monotonic() - began:.1f} s")
        finally:
            for worker in workers:
                worker.kill()
            gateway.stop()
            runtime.close()
        # Submit results and receipts for the same rows, from three processes, never deadlocked.
        assert deadlocks(database_url) == 0


@pytest.mark.postgres
def test_two_workers_share_the_accounts_rate_on_postgresql(workspace, emulator, tmp_path):
    """SMSBOT_SEND_RATE is the account's, not each worker's: two workers together send at it.
    The bucket starts full (a second's worth); what follows arrives at the rate, as the
    gateway sees it."""
    rate, recipients = 200, 1200
    with fresh_database("postgresql", tmp_path) as database_url:
        runtime = runtime_for(database_url, emulator)
        gateway = Gateway(runtime.uow, seed=SEED + 2)
        workers: list[Worker] = []
        try:
            task_id, _thread_ts = started_task(runtime, workspace, recipients)
            env = worker_env(database_url, gateway.url, f"{emulator.url}/api/")
            env["SMSBOT_SEND_RATE"] = str(rate)
            workers = [Worker(env, tmp_path / f"worker-{n}.log") for n in range(2)]
            for worker in workers:
                worker.wait_running()
            samples: list[tuple[float, int]] = []  # (when, submissions the gateway has had)
            owners: set[str] = set()

            def all_sent() -> bool:
                owners.update(lease_owners(runtime, task_id))
                samples.append((time.monotonic(), gateway.state.total_submissions))
                return samples[-1][1] == recipients

            wait_for(all_sent, 60, "every recipient sent", poll=0.02)
            burst_sent = next(when for when, sent in samples if sent >= rate)
            measured = (recipients - rate) / (samples[-1][0] - burst_sent)
            assert rate * 0.9 <= measured <= rate * 1.1, f"{measured:.0f} messages/s for a rate of {rate}"
            assert len(owners) == 2, f"both workers should have sent, saw {owners}"
            print(f"\n2 workers at SMSBOT_SEND_RATE={rate}: {measured:.0f} messages/s after the first second's worth")
        finally:
            for worker in workers:
                worker.kill()
            gateway.stop()
            runtime.close()
