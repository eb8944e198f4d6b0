"""Dispatch speed: one approved task of N recipients sent end to end through the simulator
gateway, with delivery receipts coming back to the bot's webhook and live progress in a
Slack thread, against the floor (the same row writes done directly in SQLite).

Processes, each spawned fresh:
- setup: migrate, approve a signature and a text template, import N numbers from a CSV,
  create and approve a task, start it (`start_due_tasks` materializes its recipients);
- the simulator gateway (uvicorn; receipts on: deliver 0.9, fail 0.07, silent 0.03);
- the receipts receiver: the bot's own web app (`compose` with the webhooks alone), whose
  `/webhooks/sms/simulator` verifies and applies receipts to the same database;
- one or more dispatchers (`bot.dispatcher.Dispatcher`, distinct owners), each with the
  real threads' notifier (`ProgressNotifier`, which tells the thread until the last receipt)
  talking to the Slack emulator, which runs in this process and counts the Web API calls.
Done = the task is completed (no recipient pending or in flight) and the gateway has no
receipt left to post (every scheduled receipt was answered 2xx by the webhook, i.e. applied),
then confirmed unchanged for a grace period.

    python bench/dispatch.py [--recipients 1000000] [--pg-recipients 100000] [--skip-pg] [--workers 1,2,4]
                             [--profile /tmp/dispatch.raw --profile-recipients 200000]

It ends with approval to first submission over 20 tasks (bench/start_latency.py, which also
runs alone, and on PostgreSQL with --postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

API_KEY, SECRET = "bench-gateway-key", "bench-gateway-secret"
SIGNING_SECRET = "bench-signing-secret"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEMPLATE_BODY = "Hi ${name}, your order shipped"
GATEWAY = dict(api_key=API_KEY, receipt_secret=SECRET, deliver_ratio=0.9, fail_ratio=0.07,
               receipt_latency=(0.05, 0.3), rate_limit_per_s=0.0, card_refuse_ratio=0.0, seed=1)
GRACE_SECONDS = 1.5
STALL_SECONDS = 30.0  # the lease is 2 minutes and nothing here ticks: stuck rows stay stuck
POLL_SECONDS = 0.1


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


def _quiet_logs() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s %(levelname)s %(message)s")


def write_csv(path: str, rows: int) -> None:
    """Distinct valid mainland mobiles 138xxxxxxxx with a `name` column."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("phone,name\n")
        out.writelines(f"{13800000000 + i},N{i}\n" for i in range(rows))


def _settings(database_url: str, emulator_url: str):
    from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVERS_GROUP_ID, DEFAULT_BOT_TOKEN
    from bot.settings import load_settings

    return load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                         slack_api_url=f"{emulator_url}/api/", database_url=database_url,
                         approvers=[APPROVERS_GROUP_ID], approvals_channel=APPROVALS_CHANNEL_ID,
                         timezone="Asia/Shanghai", log_level="WARNING",
                         send_window="00:00-24:00")  # the benchmark runs at any hour


# --- setup (fresh process) ------------------------------------------------------------

def setup_task(database_url: str, csv_path: str, thread_ts: str) -> dict:
    """An approved, started task over every number of the CSV, made with the use cases."""
    from bot.app import utc_now
    from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
    from domain.approvers import Actor
    from domain.content import Purpose, TemplateDraft, TemplateKind
    from domain.phones import PhoneNormalizer
    from domain.recipient_files import Limits
    from domain.schedule import SendWindow, StartRules
    from domain.segments import SignatureStyle
    from domain.tasks import Composition, TaskDraft
    from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content
    from domain.use_cases.dispatch import start_due_tasks
    from domain.use_cases.recipients import ImportSource, import_file
    from domain.use_cases.approvals import Approval, decide_task
    from domain.use_cases.tasks import create_task, record_task_thread
    from storage.engine import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork

    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    uow = lambda: SqlUnitOfWork(factory)  # noqa: E731
    sender, approver = Actor(SENDER_ID), Actor(APPROVER_ID, is_approver=True)
    window = SendWindow.parse("08:00-22:00", "Asia/Shanghai")

    def approve(kind, view):
        decide_content(uow(), kind, view.id, approver, approve=True, reason=None, allow_self_approval=False, now=utc_now())
        return view.id

    signature_id = approve(ContentKind.SIGNATURE, add_signature(uow(), "Acme", "shop", sender))
    template_id = approve(ContentKind.TEMPLATE, add_template(uow(), TemplateDraft(
        name="Receipt", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body=TEMPLATE_BODY), sender))
    started = time.perf_counter()
    summary = import_file(uow(), Path(csv_path).read_bytes(),
                          ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "bench.csv"),
                          limits=Limits(max_bytes=256 << 20, max_rows=1_000_000), normalizer=PhoneNormalizer("CN"))
    import_s = time.perf_counter() - started
    draft = TaskDraft(name="Bench send", purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                      recipient_list_id=summary.list_id, signature_id=signature_id, template_id=template_id)
    task = create_task(uow(), draft, sender, origin_channel=GENERAL_CHANNEL_ID, now=utc_now(), window=window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    record_task_thread(uow(), task.id, APPROVALS_CHANNEL_ID, thread_ts)
    any_time = StartRules(SendWindow.parse("00:00-24:00", "UTC"))  # the benchmark runs at any hour
    decide_task(uow(), task.id, task.version, approver, Approval(approve=True), allow_self_approval=False,
                now=utc_now(), rules=any_time)
    started = time.perf_counter()
    views = start_due_tasks(uow(), utc_now(), any_time)
    materialize_s = time.perf_counter() - started
    assert [v.id for v in views] == [task.id], views
    engine.dispose()
    return {"task_id": task.id, "imported": summary.imported_count, "import_s": round(import_s, 2),
            "materialize_s": round(materialize_s, 2), "recipients": views[0].recipient_count}


# --- servers (fresh processes) ----------------------------------------------------------

def serve_gateway(receipt_url: str, urls, stop) -> None:
    """The simulator gateway, plus a read-only /bench/stats of its state for the poller."""
    _quiet_logs()
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bot.providers.simulator import SimulatorConfig, create_gateway_app
    from bot.threaded_server import ThreadedServer

    app, state = create_gateway_app(SimulatorConfig(**GATEWAY, receipt_url=receipt_url))

    async def stats(request):
        full = request.query_params.get("full") == "1"
        body = {"requests": state.requests, "submitted": sum(state.batch_sizes),
                "receipts_scheduled": state.receipts_scheduled, "receipts_posted": state.receipts_posted,
                "receipts_dropped": state.receipts_dropped, "receipt_posts": state.receipt_posts,
                "receipt_post_failures": state.receipt_post_failures, "rss_mb": _peak_rss_mb(),
                "cpu_s": _cpu_s()}
        if full:
            body["max_per_ref"] = state.max_submissions_per_ref()
            body["distinct_refs"] = len(state._per_ref)
        return JSONResponse(body)

    app.router.routes.append(Route("/bench/stats", stats))
    server = ThreadedServer(app).start()
    urls.put(server.url)
    stop.wait()
    server.stop()


def serve_receiver(database_url: str, emulator_url: str, urls, stop, results) -> None:
    """The bot's web app with sending on and its dispatcher off: only the receipts webhook is used."""
    _quiet_logs()
    from bot.composition import Parts, compose
    from bot.providers.factory import ProviderSetup
    from bot.providers.simulator import SimulatorProvider
    from bot.threaded_server import ThreadedServer

    provider = SimulatorProvider("http://127.0.0.1:9", API_KEY, SECRET)  # only verify/parse are used here
    process = compose(_settings(database_url, emulator_url), Parts(webhooks=True), provider=ProviderSetup(provider))
    server = ThreadedServer(process.asgi()).start()
    urls.put(server.url)
    stop.wait()
    server.stop()
    results.put({"receiver_rss_mb": round(_peak_rss_mb(), 1), "receiver_cpu_s": _cpu_s()})


def run_dispatcher(index: int, announce: bool, database_url: str, emulator_url: str, gateway_url: str,
                   task_id: int, ready, go, stop, results) -> None:
    _quiet_logs()
    asyncio.run(_dispatch(index, announce, database_url, emulator_url, gateway_url, task_id, ready, go, stop,
                          results))


async def _dispatch(index, announce, database_url, emulator_url, gateway_url, task_id, ready, go, stop, results):
    """Wired like `smsbot worker` (one aiohttp session for the Web API, `Sending.build`'s parts)."""
    import aiohttp
    import anyio

    from bot.app import build_runtime
    from bot.dispatcher import Dispatcher
    from bot.providers.roster import ProviderRoster
    from bot.providers.simulator import SimulatorProvider
    from domain.segments import SignatureStyle
    from domain.tasks import Composition
    from domain.use_cases.tasks import get_task
    from handlers.progress import ProgressNotifier

    runtime = build_runtime(_settings(database_url, emulator_url))
    settings = runtime.settings
    async with aiohttp.ClientSession() as session:
        runtime.slack.client.session = session
        provider = SimulatorProvider(gateway_url, API_KEY, SECRET)
        owner = f"bench-{index}-{uuid.uuid4().hex[:6]}"
        notifier = ProgressNotifier(runtime.slack.client, runtime.uow, settings, runtime.clock, owner=owner,
                                    signal=runtime.progress_signal)
        providers = ProviderRoster(settings, provider, own_url=gateway_url, uow=runtime.uow)
        dispatcher = Dispatcher(runtime.uow, providers, Composition(SignatureStyle(settings.signature_style),
                                                                   settings.optout_hint),
                                runtime.clock, notifier, owner=owner)
        ready.put(os.getpid())
        await anyio.to_thread.run_sync(go.wait)
        started = time.perf_counter()
        if announce:  # what the tick does right after start_due_tasks
            await notifier.note(await anyio.to_thread.run_sync(get_task, runtime.uow(), task_id), "Sending started.")
        stopping = asyncio.Event()

        async def watch() -> None:
            await anyio.to_thread.run_sync(stop.wait)
            stopping.set()

        watcher = asyncio.create_task(watch())
        handled, passes = 0, 0
        original = dispatcher.run_once

        async def counted_run_once() -> int:  # counts only; the pass itself is the dispatcher's
            nonlocal handled, passes
            count = await original()
            handled, passes = handled + count, passes + 1
            return count

        dispatcher.run_once = counted_run_once
        telling = asyncio.create_task(notifier.run(stopping))
        await dispatcher.run(stopping)
        await watcher
        await telling
        await provider.aclose()
    runtime.close()
    results.put({"index": index, "rss_mb": round(_peak_rss_mb(), 1), "cpu_s": _cpu_s(), "handled": handled,
                 "passes": passes,
                 "seconds": round(time.perf_counter() - started, 2)})


# --- one end-to-end run, orchestrated from here ----------------------------------------------

def _task_status(engine, task_id: int) -> str:
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text("SELECT status FROM task WHERE id = :id"), {"id": task_id}).scalar_one()


def _counts(engine, task_id: int) -> dict:
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, count(*) FROM task_recipient WHERE task_id = :id "
                                       "GROUP BY status"), {"id": task_id}).all()
    return {status: count for status, count in rows}


def run_dispatch(database_url: str, csv_path: str, workers: int, *, label: str, floor_copy: str | None = None,
                 profile: str | None = None) -> dict:
    import httpx

    from bot.sandbox.emulator import APPROVALS_CHANNEL_ID, Workspace, start_emulator
    from storage.engine import make_engine

    ctx = multiprocessing.get_context("spawn")
    workspace = Workspace()
    emulator = start_emulator(workspace)
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    with ctx.Pool(1) as pool:
        setup = pool.apply(setup_task, (database_url, csv_path, card.ts))
    print(f"  [{label}] setup: {json.dumps(setup)}", flush=True)
    task_id, total = setup["task_id"], setup["recipients"]
    if floor_copy is not None:  # the same rows, before any send, for the floor
        source_path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(source_path) as source, sqlite3.connect(floor_copy) as target:
            source.backup(target)

    stop, go = ctx.Event(), ctx.Event()
    urls, results, ready = ctx.Queue(), ctx.Queue(), ctx.Queue()
    receiver = ctx.Process(target=serve_receiver, args=(database_url, emulator.url, urls, stop, results),
                           name="receiver")
    receiver.start()
    receiver_url = urls.get(timeout=60)
    gateway = ctx.Process(target=serve_gateway, args=(f"{receiver_url}/webhooks/sms/simulator", urls, stop),
                          name="gateway")
    gateway.start()
    gateway_url = urls.get(timeout=60)
    dispatch_stop = ctx.Event()
    dispatchers = [ctx.Process(target=run_dispatcher, name=f"dispatcher-{i}",
                               args=(i, i == 0, database_url, emulator.url, gateway_url, task_id, ready, go,
                                     dispatch_stop, results)) for i in range(workers)]
    for process in dispatchers:
        process.start()
    pids = [ready.get(timeout=120) for _ in dispatchers]
    spies = []
    if profile:  # the dispatcher (exits at the end, so py-spy does), the receiver and the gateway
        for pid, path in ((pids[0], profile), (receiver.pid, f"{profile}.receiver"), (gateway.pid, f"{profile}.gateway")):
            spies.append(subprocess.Popen(["py-spy", "record", "-p", str(pid), "-f", "raw", "-o", path, "-r", "100",
                                           "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        time.sleep(1.0)
    engine = make_engine(database_url)
    http = httpx.Client(timeout=10)
    calls_before = len(workspace.calls())

    go.set()
    started = time.perf_counter()
    sent_at = settled_at = stalled = None
    last_change, last_seen = started, None
    timeline = []
    while True:
        time.sleep(POLL_SECONDS)
        now = time.perf_counter()
        stats = http.get(f"{gateway_url}/bench/stats").json()
        status = _task_status(engine, task_id)
        seen = (stats["submitted"], stats["receipts_posted"], status)
        if seen != last_seen:
            last_change, last_seen = now, seen
        if not timeline or now - timeline[-1][0] >= 10:
            timeline.append((now, stats["submitted"], stats["receipts_posted"]))
            print(f"  [{label}] t={now - started:6.1f}s submitted={stats['submitted']:,} "
                  f"receipts_applied={stats['receipts_posted']:,} status={status}", flush=True)
        if status == "completed" and sent_at is None:
            sent_at = now
        unanswered = stats["receipts_scheduled"] - stats["receipts_posted"] - stats["receipts_dropped"]
        if sent_at is not None and unanswered == 0:
            settled_at = settled_at or now
            if now - last_change >= GRACE_SECONDS:
                break
        else:
            settled_at = None
        if now - last_change > STALL_SECONDS:
            stalled = _counts(engine, task_id)
            print(f"  [{label}] STALLED: nothing changed for {STALL_SECONDS:.0f}s, task {status}; counts {stalled}",
                  flush=True)
            break
    # A stalled run is timed to its last progress and flagged: the rows left in flight wait for
    # their lease to expire and a tick (not run here) to settle them.
    wall = (settled_at or last_change) - started
    sent_s = (sent_at or last_change) - started

    dispatch_stop.set()
    outcomes = [results.get(timeout=120) for _ in dispatchers]
    for process in dispatchers:
        process.join(60)
    final_stats = http.get(f"{gateway_url}/bench/stats", params={"full": "1"}).json()
    counts = _counts(engine, task_id)
    stop.set()
    receiver_result = results.get(timeout=60)
    for process in (receiver, gateway):
        process.join(60)
    for spy in spies:
        _, err = spy.communicate(timeout=120)
        if spy.returncode:
            print(f"  py-spy: {err.decode()[-500:]}", flush=True)
    engine.dispose()
    http.close()
    calls = workspace.calls()[calls_before:]
    emulator.stop()
    by_method = collections.Counter(call.method for call in calls)
    return {
        "label": label, "recipients": total, "workers": workers, "wall_s": round(wall, 2),
        "sent_s": round(sent_s, 2), "msgs_per_s": round(total / wall, 1), "setup": setup,
        "dispatcher_rss_mb": max(o["rss_mb"] for o in outcomes), "dispatchers": outcomes,
        "slack_calls": len(calls), "slack_by_method": dict(by_method), "counts": counts,
        "gateway": final_stats, "stalled": stalled, **receiver_result,
    }


# --- the floor: the same writes, straight into SQLite ------------------------------------------

FLOOR_CLAIM = (
    "UPDATE task_recipient SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM task_recipient WHERE task_id = ? AND status = 'pending' "
    "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?) "
    "RETURNING id, client_ref, phone, variables, attempts"
)
FLOOR_RECORD = (
    "UPDATE task_recipient SET status = 'submitted', provider_id = ?, error_code = NULL, reason = NULL, "
    "next_attempt_at = NULL, fell_back = 0, submitted_at = ?, lease_owner = NULL, lease_expires_at = NULL "
    "WHERE id = ? AND status = 'in_flight'"
)
FLOOR_RECEIPT = (
    "UPDATE task_recipient SET status = ?, receipt_at = ?, error_code = ?, reason = ?, "
    "provider_id = coalesce(provider_id, ?), lease_owner = NULL, lease_expires_at = NULL "
    "WHERE client_ref = ? AND (status IN ('in_flight', 'submitted') "
    "OR (status = 'failed' AND reason = 'outcome unknown after interruption'))"
)


def measure_floor(path: str, task_id: int, chunk: int) -> dict:
    """Claims as UPDATE ... RETURNING in chunks, results and receipts as executemany, one
    commit per step (like the bot: claim committed before the send, outcome before the next
    claim, receipts in their own transactions): no HTTP, no objects, no per-row work."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    stamp, lease = "2026-01-01 00:00:00.000000", "2026-01-01 00:02:00.000000"
    started = time.perf_counter()
    total = 0
    while True:
        connection.execute("BEGIN IMMEDIATE")
        rows = connection.execute(FLOOR_CLAIM, ("floor", lease, task_id, stamp, chunk)).fetchall()
        connection.execute("COMMIT")
        if not rows:
            break
        total += len(rows)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(FLOOR_RECORD, [(f"sim_{row[0]:032x}", stamp, row[0]) for row in rows])
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(FLOOR_RECEIPT, [
            ("delivered" if row[0] % 100 < 90 else "failed", stamp, None if row[0] % 100 < 90 else "UNDELIVERABLE",
             None, f"sim_{row[0]:032x}", row[1]) for row in rows if row[0] % 100 < 97])
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    counts = dict(connection.execute("SELECT status, count(*) FROM task_recipient WHERE task_id = ? GROUP BY status",
                                     (task_id,)).fetchall())
    connection.close()
    return {"seconds": round(seconds, 2), "rows": total, "counts": counts, "rss_mb": round(_peak_rss_mb(), 1)}


# --- PostgreSQL ---------------------------------------------------------------------------------

class PostgresDatabase:
    """A fresh database on the server of SMSBOT_TEST_DATABASE_URL, dropped afterwards (as tests/databases.py)."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from storage.engine import normalize_url

        self.admin_url = normalize_url(os.environ.get("SMSBOT_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
        self.name = f"smsbot_bench_{uuid.uuid4().hex[:12]}"
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.url = make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        from sqlalchemy import text

        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def __exit__(self, *exc_info) -> None:
        from sqlalchemy import text

        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


# --- profile summary ------------------------------------------------------------------------------

def summarise_profile(path: str, top: int = 15) -> None:
    """py-spy's raw output: one collapsed stack a line, `frame;frame;... count`."""
    own, inclusive, total = collections.Counter(), collections.Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        count = int(count)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    print(f"  profile: {total} samples (active threads only)")
    print("  top self:")
    for frame, count in own.most_common(top):
        print(f"    {100 * count / total:5.1f}%  {frame}")
    print("  top inclusive (project code):")
    ours = [(f, c) for f, c in inclusive.most_common() if any(p in f for p in ("bot/", "domain/", "storage/",
                                                                                 "handlers/"))]
    for frame, count in ours[:top]:
        print(f"    {100 * count / total:5.1f}%  {frame}")


# --- main -------------------------------------------------------------------------------------------

def in_fresh_process(function, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def _brief(result: dict) -> str:
    keys = ("recipients", "workers", "stalled", "wall_s", "sent_s", "msgs_per_s", "dispatcher_rss_mb", "receiver_rss_mb",
            "receiver_cpu_s",
            "slack_calls", "slack_by_method", "counts")
    extra = {k: result["gateway"].get(k) for k in ("submitted", "max_per_ref", "receipts_posted", "receipts_dropped",
                                                    "receipt_post_failures", "rss_mb", "cpu_s")}
    return json.dumps({**{k: result[k] for k in keys}, "gateway": extra, "dispatchers": result["dispatchers"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--pg-recipients", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--workers", default="1,2,4",
                        help="dispatcher processes of the PostgreSQL runs, comma-separated (on more cores: 1,2,4,8)")
    parser.add_argument("--profile", metavar="RAW_PATH",
                        help="also profile a dispatcher with py-spy (-f raw) in an extra SQLite run")
    parser.add_argument("--profile-recipients", type=int, default=200_000)
    parser.add_argument("--profile-on", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    from bot.dispatcher import CHUNK
    from storage.engine import deadlocks

    figures = {}
    with tempfile.TemporaryDirectory(prefix="smsbot-bench-dispatch-") as workdir:
        csv_path = f"{workdir}/recipients.csv"
        write_csv(csv_path, options.recipients)
        floor_path = f"{workdir}/floor.db"
        sqlite_run = run_dispatch(f"sqlite:///{workdir}/sqlite.db", csv_path, 1, label="sqlite",
                                  floor_copy=floor_path)
        print(f"      sqlite: {_brief(sqlite_run)}", flush=True)
        floor = in_fresh_process(measure_floor, floor_path, sqlite_run["setup"]["task_id"], CHUNK)
        print(f"       floor: {json.dumps(floor)}", flush=True)
        for suffix in ("", "-wal", "-shm"):
            for name in ("sqlite.db", "floor.db"):
                Path(f"{workdir}/{name}{suffix}").unlink(missing_ok=True)

        if options.profile:
            profile_csv = f"{workdir}/profile.csv"
            write_csv(profile_csv, options.profile_recipients)
            if options.profile_on == "sqlite":
                profiled = run_dispatch(f"sqlite:///{workdir}/profile.db", profile_csv, 1, label="profile",
                                        profile=options.profile)
            else:
                with PostgresDatabase() as url:
                    profiled = run_dispatch(url, profile_csv, 1, label="profile", profile=options.profile)
            print(f"     profile: {_brief(profiled)}", flush=True)
            print("  dispatcher process:")
            summarise_profile(options.profile)
            print("  receiver process (receipts webhook):")
            summarise_profile(f"{options.profile}.receiver")
            print("  simulator gateway process:")
            summarise_profile(f"{options.profile}.gateway")

        pg = {}
        if not options.skip_pg:
            pg_csv = f"{workdir}/pg.csv"
            write_csv(pg_csv, options.pg_recipients)
            for workers in (int(n) for n in options.workers.split(",")):
                with PostgresDatabase() as url:
                    pg[workers] = run_dispatch(url, pg_csv, workers, label=f"pg-{workers}w")
                    pg[workers]["deadlocks"] = deadlocks(url)
                print(f"   pg {workers} worker{'s' if workers > 1 else ''}: {_brief(pg[workers])}, "
                      f"{pg[workers]['deadlocks']} deadlocks", flush=True)
        shutil.rmtree(workdir, ignore_errors=True)
    # Approval to first submission, the tick an hour away (bench/start_latency.py).
    from bench.start_latency import measure as measure_start

    start = asyncio.run(measure_start(20, None))
    print(f"  approval -> first submission (sqlite, 20 tasks): {json.dumps(start)}", flush=True)

    n = sqlite_run["recipients"]
    def seconds(run: dict) -> str:
        return f"{run['wall_s']:.1f}" + ("*" if run["stalled"] else "")

    stalled = [f"{run['label']}:{run['stalled'].get('in_flight', 0)}" for run in (sqlite_run, *pg.values())
               if run["stalled"]]
    figures = {
        f"sqlite_{_n(n)}_s": seconds(sqlite_run),
        "floor_s": f"{floor['seconds']:.1f}",
        "first_submit_p95_s": f"{start['first_submit_p95_s']:.3f}",
        "msgs_per_s": f"{sqlite_run['msgs_per_s']:.0f}",
        "peak_rss_mb": f"{sqlite_run['dispatcher_rss_mb']:.0f}",
        "slack_calls": str(sqlite_run["slack_calls"]),
        # bounded by the send's duration (one edit every 3 s at most), not by its recipients
        "slack_calls_per_min": f"{sqlite_run['slack_calls'] / (sqlite_run['wall_s'] / 60):.1f}",
        **{f"pg_{workers}w_s": seconds(run) for workers, run in pg.items()},
        "deadlocks": str(sum(run["deadlocks"] for run in pg.values())) if pg else "skipped",
        "stalled": ",".join(stalled) or "none",  # label:rows left in flight; their figure has a *
    }
    print(f"floor ratio (sqlite end-to-end / floor): {sqlite_run['wall_s'] / floor['seconds']:.1f}")
    print("bench dispatch: " + " ".join(f"{k}={v}" for k, v in figures.items()))


def _n(count: int) -> str:
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}m"
    if count >= 1000 and count % 1000 == 0:
        return f"{count // 1000}k"
    return str(count)


if __name__ == "__main__":
    main()
