"""What bench/dispatch.py runs in its spawned processes: the setup of the tasks, the simulator
gateway, the receipts receivers (the bot's web app) and the dispatchers. Each reports what it
did on a queue; the orchestration is in bench/dispatch_rig.py."""

from __future__ import annotations

import asyncio
import collections
import itertools
import os
import resource
import time
import uuid
from pathlib import Path

API_KEY, SECRET = "bench-gateway-key", "bench-gateway-secret"
SIGNING_SECRET = "bench-signing-secret"
TEMPLATE_BODY = "Hi ${name}, your order shipped"
GATEWAY = dict(api_key=API_KEY, receipt_secret=SECRET, deliver_ratio=0.9, fail_ratio=0.07,
               receipt_latency=(0.05, 0.3), rate_limit_per_s=0.0, card_refuse_ratio=0.0, seed=1)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


def _quiet_logs() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s %(levelname)s %(message)s")


def bench_settings(database_url: str, emulator_url: str):
    from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVERS_GROUP_ID, DEFAULT_BOT_TOKEN
    from bot.settings import load_settings

    return load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                         slack_api_url=f"{emulator_url}/api/", database_url=database_url,
                         approvers=[APPROVERS_GROUP_ID], approvals_channel=APPROVALS_CHANNEL_ID,
                         timezone="Asia/Shanghai", log_level="WARNING",
                         send_window="00:00-24:00")  # the benchmark runs at any hour


# --- setup ------------------------------------------------------------------------------

def _approved_content(uow, sender, approver) -> tuple[int, int]:
    """(signature id, template id), both approved."""
    from bot.app import utc_now
    from domain.content import Purpose, TemplateDraft, TemplateKind
    from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content

    def approve(kind, view):
        decide_content(uow(), kind, view.id, approver, approve=True, reason=None, allow_self_approval=False,
                       now=utc_now())
        return view.id

    signature_id = approve(ContentKind.SIGNATURE, add_signature(uow(), "Acme", "shop", sender))
    template_id = approve(ContentKind.TEMPLATE, add_template(uow(), TemplateDraft(
        name="Receipt", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body=TEMPLATE_BODY), sender))
    return signature_id, template_id


def _approved_task(uow, content: tuple[int, int], csv_path: str, thread_ts: str, n: int, rules) -> dict:
    """A task over every number of the CSV, its card's thread recorded, approved (not started)."""
    from bot.app import utc_now
    from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
    from domain.approvers import Actor
    from domain.content import Purpose, TemplateKind
    from domain.phones import PhoneNormalizer
    from domain.recipient_files import Limits
    from domain.schedule import SendWindow
    from domain.segments import SignatureStyle
    from domain.tasks import Composition, TaskDraft
    from domain.use_cases.approvals import Approval, decide_task
    from domain.use_cases.recipients import ImportSource, import_file
    from domain.use_cases.tasks import create_task, record_task_thread

    started = time.perf_counter()
    summary = import_file(uow(), Path(csv_path).read_bytes(),
                          ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", f"bench-{n}.csv"),
                          limits=Limits(max_bytes=256 << 20, max_rows=1_000_000), normalizer=PhoneNormalizer("CN"))
    import_s = time.perf_counter() - started
    draft = TaskDraft(name=f"Bench send {n}", purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                      recipient_list_id=summary.list_id, signature_id=content[0], template_id=content[1])
    task = create_task(uow(), draft, Actor(SENDER_ID), origin_channel=GENERAL_CHANNEL_ID, now=utc_now(),
                       window=SendWindow.parse("08:00-22:00", "Asia/Shanghai"),
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    record_task_thread(uow(), task.id, APPROVALS_CHANNEL_ID, thread_ts)
    decide_task(uow(), task.id, task.version, Actor(APPROVER_ID, is_approver=True), Approval(approve=True),
                allow_self_approval=False, now=utc_now(), rules=rules)
    return {"task_id": task.id, "imported": summary.imported_count, "import_s": round(import_s, 2)}


def setup_tasks(database_url: str, sends: list[tuple[str, str]]) -> list[dict]:
    """One approved task per (CSV path, thread ts), made with the use cases, the first made
    first, then all started by one `start_due_tasks` (which materializes their recipients)."""
    from bot.app import utc_now
    from bot.sandbox.emulator.defaults import APPROVER_ID, SENDER_ID
    from domain.approvers import Actor
    from domain.schedule import SendWindow, StartRules
    from domain.use_cases.dispatch import start_due_tasks
    from storage.engine import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork

    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    uow = lambda: SqlUnitOfWork(factory)  # noqa: E731
    content = _approved_content(uow, Actor(SENDER_ID), Actor(APPROVER_ID, is_approver=True))
    any_time = StartRules(SendWindow.parse("00:00-24:00", "UTC"))  # the benchmark runs at any hour
    tasks = [_approved_task(uow, content, csv_path, ts, n, any_time) for n, (csv_path, ts) in enumerate(sends)]
    started = time.perf_counter()
    views = {view.id: view for view in start_due_tasks(uow(), utc_now(), any_time)}
    materialize_s = round(time.perf_counter() - started, 2)
    engine.dispose()
    assert sorted(views) == sorted(t["task_id"] for t in tasks), views
    return [{**t, "materialize_s": materialize_s, "recipients": views[t["task_id"]].recipient_count}
            for t in tasks]


def setup_task(database_url: str, csv_path: str, thread_ts: str) -> dict:
    """An approved, started task over every number of the CSV."""
    return setup_tasks(database_url, [(csv_path, thread_ts)])[0]


# --- the simulator gateway ------------------------------------------------------------------

def _timed_state():
    """The gateway's state, also keeping when each batch arrived (epoch s, size): the rate check."""
    from bot.providers.simulator.state import SimulatorState

    class TimedState(SimulatorState):
        def __init__(self) -> None:
            super().__init__()
            self.arrivals: list[tuple[float, int]] = []

        def record_batch(self, messages) -> None:
            self.arrivals.append((time.time(), len(messages)))
            super().record_batch(messages)

    return TimedState()


def spread_receipts(webhooks, receipt_urls: list[str]) -> collections.Counter:
    """The simulator posts every batch of receipts to its one `receipt_url`: here each batch goes
    to the next receiver in turn instead (retries to the same one). Returns the receipts each
    receiver answered 2xx to, by URL. Bench-side, so the product's gateway stays as it is."""
    post, turns, applied = webhooks.post, itertools.cycle(receipt_urls), collections.Counter()

    async def post_to_next(_url: str, payload: dict) -> bool:
        url = next(turns)
        answered = await post(url, payload)
        if answered and "receipts" in payload:
            applied[url] += len(payload["receipts"])
        return answered

    webhooks.post = post_to_next
    return applied


def serve_gateway(receipt_urls: list[str], urls, stop) -> None:
    """The simulator gateway, its receipts spread over the receivers, plus a read-only
    /bench/stats of its state for the poller."""
    _quiet_logs()
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bot.providers.simulator import SimulatorConfig, create_gateway_app
    from bot.threaded_server import ThreadedServer

    app, state = create_gateway_app(SimulatorConfig(**GATEWAY, receipt_url=receipt_urls[0]), _timed_state())
    applied = spread_receipts(app.state.gateway.webhooks, receipt_urls)

    async def stats(request):
        body = {"requests": state.requests, "submitted": sum(state.batch_sizes),
                "receipts_scheduled": state.receipts_scheduled, "receipts_posted": state.receipts_posted,
                "receipts_dropped": state.receipts_dropped, "receipt_posts": state.receipt_posts,
                "receipt_post_failures": state.receipt_post_failures, "rss_mb": round(peak_rss_mb(), 1),
                "cpu_s": cpu_s(), "receipts_by_receiver": [applied[url] for url in receipt_urls]}
        if request.query_params.get("full") == "1":
            body["max_per_ref"] = state.max_submissions_per_ref()
            body["distinct_refs"] = len(state._per_ref)
        if request.query_params.get("arrivals") == "1":
            body["arrivals"] = list(state.arrivals)
        return JSONResponse(body)

    app.router.routes.append(Route("/bench/stats", stats))
    server = ThreadedServer(app).start()
    urls.put(("gateway", 0, server.url))
    stop.wait()
    server.stop()


# --- a receipts receiver ----------------------------------------------------------------------

def serve_receiver(index: int, database_url: str, emulator_url: str, urls, stop, results) -> None:
    """The bot's web app with sending on and its dispatcher off: only the receipts webhook is used."""
    _quiet_logs()
    from bot.composition import Parts, compose
    from bot.providers.factory import ProviderSetup
    from bot.providers.simulator import SimulatorProvider
    from bot.threaded_server import ThreadedServer

    provider = SimulatorProvider("http://127.0.0.1:9", API_KEY, SECRET)  # only verify/parse are used here
    process = compose(bench_settings(database_url, emulator_url), Parts(webhooks=True),
                      provider=ProviderSetup(provider))
    server = ThreadedServer(process.asgi()).start()
    urls.put(("receiver", index, server.url))
    stop.wait()
    server.stop()
    results.put({"index": index, "rss_mb": round(peak_rss_mb(), 1), "cpu_s": cpu_s()})


# --- a dispatcher -----------------------------------------------------------------------------

def run_dispatcher(index: int, announce: list[int], database_url: str, emulator_url: str, gateway_url: str,
                   rate: float, ready, go, stop, results) -> None:
    """`announce`: the tasks whose thread this one is told "Sending started." (as the tick does)."""
    _quiet_logs()
    asyncio.run(_dispatch(index, announce, database_url, emulator_url, gateway_url, rate, ready, go, stop,
                          results))


def _build_dispatcher(runtime, gateway_url: str, rate: float, index: int):
    """Wired like `smsbot worker` (`Sending.build`'s parts): (dispatcher, notifier, provider)."""
    from bot.dispatcher import Dispatcher
    from bot.providers.roster import ProviderRoster
    from bot.providers.simulator import SimulatorProvider
    from domain.segments import SignatureStyle
    from domain.tasks import Composition
    from handlers.progress import ProgressNotifier

    settings = runtime.settings
    provider = SimulatorProvider(gateway_url, API_KEY, SECRET)
    owner = f"bench-{index}-{uuid.uuid4().hex[:6]}"
    notifier = ProgressNotifier(runtime.slack.client, runtime.uow, settings, runtime.clock, owner=owner,
                                signal=runtime.progress_signal)
    providers = ProviderRoster(settings, provider, own_url=gateway_url, uow=runtime.uow)
    dispatcher = Dispatcher(runtime.uow, providers, Composition(SignatureStyle(settings.signature_style),
                                                               settings.optout_hint),
                            runtime.clock, notifier, owner=owner, rate_per_second=rate)
    return dispatcher, notifier, provider


class PassCounter:
    """Counts what the dispatcher's passes handle, and when the last one handled anything;
    the passes themselves are the dispatcher's."""

    def __init__(self, dispatcher, started: float) -> None:
        self.handled, self.passes, self.started, self.last_handled_s = 0, 0, started, 0.0
        self._run_once = dispatcher.run_once
        dispatcher.run_once = self.run_once

    async def run_once(self) -> int:
        count = await self._run_once()
        self.handled, self.passes = self.handled + count, self.passes + 1
        if count:
            self.last_handled_s = time.perf_counter() - self.started
        return count


async def _dispatch(index, announce, database_url, emulator_url, gateway_url, rate, ready, go, stop, results):
    """One aiohttp session for the Web API, as `smsbot worker` has."""
    import aiohttp
    import anyio

    from bot.app import build_runtime
    from domain.use_cases.tasks import get_task

    runtime = build_runtime(bench_settings(database_url, emulator_url))
    async with aiohttp.ClientSession() as session:
        runtime.slack.client.session = session
        dispatcher, notifier, provider = _build_dispatcher(runtime, gateway_url, rate, index)
        ready.put(os.getpid())
        await anyio.to_thread.run_sync(go.wait)
        counter = PassCounter(dispatcher, time.perf_counter())
        for task_id in announce:  # what the tick does right after start_due_tasks
            await notifier.note(await anyio.to_thread.run_sync(get_task, runtime.uow(), task_id), "Sending started.")
        stopping = asyncio.Event()

        async def watch() -> None:
            await anyio.to_thread.run_sync(stop.wait)
            stopping.set()

        watcher, telling = asyncio.create_task(watch()), asyncio.create_task(notifier.run(stopping))
        await dispatcher.run(stopping)
        await watcher
        await telling
        await provider.aclose()
    runtime.close()
    results.put({"index": index, "rss_mb": round(peak_rss_mb(), 1), "cpu_s": cpu_s(), "handled": counter.handled,
                 "passes": counter.passes, "last_handled_s": round(counter.last_handled_s, 2),
                 "seconds": round(time.perf_counter() - counter.started, 2)})
