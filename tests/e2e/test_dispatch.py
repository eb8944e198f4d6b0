"""An approved task sent through the simulator gateway, with receipts and live progress."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.providers.simulator import SimulatorConfig, SimulatorProvider, create_gateway_app
from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID,
)
from handlers.ids import ActionId
from bot.scheduler import tick
from tests.e2e.ticking import ticking
from bot.composition import Process
from domain.dispatch import Progress
from domain.approvers import Actor
from domain.content import Purpose, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.tasks import create_task, record_task_thread
from tests.e2e.test_send_tasks import SENDER, catalog  # noqa: F401  (the approved content fixture)
from tests.e2e.conftest import BOT_PARTS
from tests.slack_calls import assert_calls_follow_slack_specs

API_KEY, SECRET = "gateway-key", "gateway-secret"
RECIPIENTS = 300


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


@pytest.fixture
def gateway_options():
    return {}


@pytest.fixture
def gateway(gateway_options):
    options = {"seed": 7, "deliver_ratio": 0.8, "fail_ratio": 0.1, "receipt_latency": (0.05, 0.3),
               "card_refuse_ratio": 0.0} | gateway_options
    config = SimulatorConfig(api_key=API_KEY, receipt_secret=SECRET, **options)
    app, state = create_gateway_app(config)
    server = ThreadedServer(app).start()
    yield server, config, state
    server.stop()


@pytest.fixture
def bot_provider(gateway):
    return SimulatorProvider(gateway[0].url, API_KEY, SECRET)


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path, gateway):
    """The bot with sending on: its dispatcher runs in the server, the tick is the test's."""
    _server, config, _state = gateway
    bot_server = ThreadedServer(Process(bot_runtime, BOT_PARTS).asgi()).start()
    config.receipt_url = f"{bot_server.url}/webhooks/sms/simulator"
    yield bot_server
    bot_server.stop()
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


async def eventually(check, timeout: float = 15.0):
    for _ in range(int(timeout / 0.05)):
        if result := check():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def approved_task(runtime, catalog, clock, workspace, recipients: int = RECIPIENTS,  # noqa: F811
                  template: str = "Receipt", purpose: Purpose | None = None, thread: bool = True) -> int:
    csv = "phone,name,coupon\n" + "".join(f"1380013{n:04d},N{n},C{n}\n" for n in range(recipients))
    summary = import_file(runtime.uow(), csv.encode(), ImportSource("U0SENDER01", GENERAL_CHANNEL_ID, "file", "big.csv"),
                          limits=Limits(1 << 20, 10_000), normalizer=PhoneNormalizer("CN"))
    draft = TaskDraft(name="Big send", purpose=purpose, kind=TemplateKind.TEXT,
                      recipient_list_id=summary.list_id, signature_id=catalog["signature"],
                      template_id=catalog[template])
    task = create_task(runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    if thread:
        record_task_thread(runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    decide_task(runtime.uow(), task.id, task.version, Actor(APPROVER_ID, is_approver=True), Approval(approve=True), allow_self_approval=False,
                now=clock(), rules=runtime.settings.start_rules)
    return task.id, card.ts


async def test_an_approved_task_is_sent_once_to_everyone_with_receipts_and_progress(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    _server, _config, state = gateway
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace)
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    ticker = ticking(bot_runtime, client, SimulatorProvider(_server.url, API_KEY, SECRET))
    await tick(bot_runtime, client, ticker)

    def counts():
        with bot_runtime.uow() as uow:
            return uow.task_recipients.counts(task_id), uow.tasks.get(task_id).status

    await eventually(lambda: counts()[1] == "completed")
    # Receipts keep coming after the last submit: the report keeps up with every one of them.
    def report_matches_database():
        p = Progress.from_counts(counts()[0])
        said = (f"{p.sent_to_carrier:,} sent to carrier, {p.delivered:,} delivered, {p.failed:,} failed, "
                f"{p.submitted:,} awaiting receipt")
        return next((m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                     if m.text.startswith("Send completed.") and said in m.text), None)

    await eventually(lambda: state.receipts_pending == 0 and report_matches_database(), timeout=30)
    silent = Progress.from_counts(counts()[0]).submitted
    assert silent and "Receipts still coming" in str(report_matches_database().blocks)
    # The rest never answer: after the 72-hour rule the report is final, and says so.
    clock.advance(hours=73)
    await tick(bot_runtime, client, ticker)
    report = await eventually(lambda: (m := report_matches_database()) and "All receipts in" in str(m.blocks) and m)
    assert f"{silent:,} had none within 72 hours" in str(report.blocks)
    final, status = counts()
    p = Progress.from_counts(final)
    assert status == "completed" and p.total == RECIPIENTS and p.final and p.delivered
    assert state.total_submissions == RECIPIENTS and state.max_submissions_per_ref() == 1  # never twice
    replies = workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
    assert replies[0].text == "Sending started."
    progress = next(m for m in replies if m.text.startswith("Sending") and m.blocks)
    assert progress.text == f"Sending finished: {RECIPIENTS} of {RECIPIENTS} handled, {p.delivered} delivered"
    await ticker.providers.aclose()


async def test_forged_receipts_are_refused_and_change_nothing(workspace, driver, bot, bot_runtime):
    body = b'{"receipts":[{"id":"x","ref":"1-1","status":"delivered","at":"2026-11-23T08:00:00Z"}]}'
    response = httpx.post(f"{bot.url}/webhooks/sms/simulator", content=body,
                          headers={"X-Simulator-Signature": "sha256=00", "X-Simulator-Timestamp": str(int(datetime.now(timezone.utc).timestamp()))})
    assert response.status_code == 401
    assert httpx.post(f"{bot.url}/webhooks/sms/simulator", content=body).status_code == 401
    assert httpx.post(f"{bot.url}/webhooks/sms/nosuch", content=body).status_code == 404


async def started(bot_runtime, emulator, gateway, task_id):
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    ticker = ticking(bot_runtime, client, SimulatorProvider(gateway[0].url, API_KEY, SECRET))
    await tick(bot_runtime, client, ticker)
    return client, ticker


def status_of(runtime, task_id):
    with runtime.uow() as uow:
        return uow.tasks.get(task_id).status, uow.task_recipients.counts(task_id)


async def test_a_task_approved_before_its_thread_is_recorded_starts_once_it_is(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    """An approver can press Approve on the card before the bot has stored where the card is:
    the send waits for its thread, so that everything it says is said there."""
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=20, thread=False)
    client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    assert status_of(bot_runtime, task_id)[0] == "scheduled"
    record_task_thread(bot_runtime.uow(), task_id, APPROVALS_CHANNEL_ID, card_ts)
    await tick(bot_runtime, client, ticker)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    assert workspace.replies(APPROVALS_CHANNEL_ID, card_ts)[0].text == "Sending started."
    await ticker.providers.aclose()


async def test_the_72_hour_rule_fails_recipients_with_no_receipt(workspace, driver, catalog, bot_runtime, emulator,
                                                                gateway, clock, bot):  # noqa: F811
    task_id, _card = approved_task(bot_runtime, catalog, clock, workspace)
    client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    await asyncio.sleep(0.5)  # the last receipts
    silent = status_of(bot_runtime, task_id)[1].get("submitted", 0)
    assert silent > 0  # the simulator leaves ~10% without a receipt
    clock.advance(hours=72, seconds=1)
    await tick(bot_runtime, client, ticker)
    counts = status_of(bot_runtime, task_id)[1]
    assert counts.get("submitted", 0) == 0
    with bot_runtime.uow() as uow:
        assert ("no receipt", silent) in uow.task_recipients.failure_reasons(task_id)
    await ticker.providers.aclose()


@pytest.mark.parametrize("gateway_options", [{"rate_limit_per_s": 0.01}])
@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "dispatch_chunk": 100, "throttle_pause_after": 2}])
async def test_a_throttled_send_pauses_and_can_be_resumed_or_stopped(workspace, driver, catalog, bot_runtime,
                                                                      emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=250)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "paused")
    note = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                     if m.text.startswith("Paused: the provider kept refusing")])
    counts = status_of(bot_runtime, task_id)[1]
    assert counts.get("pending", 0) > 0 and "completed" != status_of(bot_runtime, task_id)[0]
    # the progress message (not the note) says Paused, with no rate, and offers Resume
    progress = await eventually(lambda: next((m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                              if m.text.startswith("Paused") and m.blocks), None))
    assert [e["text"]["text"] for b in progress.blocks if b["type"] == "actions" for e in b["elements"]] == [
        "Resume", "Stop"]
    assert "/s" not in str(progress.blocks)

    await driver.block_actions(MEMBER_ID, ActionId.TASK_RESUME, message=(APPROVALS_CHANNEL_ID, progress.ts))
    await eventually(lambda: any("Only <@U0SENDER01> or an approver" in e.text
                                 for e in workspace.ephemerals(user_id=MEMBER_ID)))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_RESUME, message=(APPROVALS_CHANNEL_ID, progress.ts))
    await eventually(lambda: any("resumed this send" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)))
    await driver.block_actions(SENDER_ID, ActionId.TASK_STOP, message=(APPROVALS_CHANNEL_ID, progress.ts))
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "canceled")
    await eventually(lambda: f"Stopped by <@{SENDER_ID}>" in str(workspace.message(APPROVALS_CHANNEL_ID, card_ts).blocks))
    await asyncio.sleep(0.3)
    counts = status_of(bot_runtime, task_id)[1]
    assert counts.get("pending", 0) == 0 and counts.get("skipped", 0) > 0
    assert _state_max(gateway) <= 1
    assert note
    await ticker.providers.aclose()


async def test_a_promotional_template_is_sent_as_promotional_whatever_its_task_says(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    """A task stored as a notification with a promotional template (made before the purpose
    followed the template, or through a door that skipped the check) still skips the opted-out
    number when it starts: the send is held to its template's purpose."""
    from storage.tables import OptOut

    clock.now = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)
    task_id, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=20, template="Coupon")
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(task_id)
        task.purpose = "notification"
        uow._session.add(task)
        uow._session.add(OptOut(phone="+8613800130003", source="test"))
        uow.commit()
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    assert status_of(bot_runtime, task_id)[1]["skipped"] == 1
    assert gateway[2].submissions_for("+8613800130003") == 0
    assert gateway[2].submissions_for("+8613800130004") == 1
    await ticker.providers.aclose()


def _state_max(gateway) -> int:
    return gateway[2].max_submissions_per_ref()


@pytest.mark.parametrize("gateway_options", [{"fail_ratio": 0.0}])  # every send counts towards fatigue
@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "fatigue_max": 1, "fatigue_days": 7}])
async def test_promotional_sends_skip_opted_out_and_fatigued_numbers(workspace, driver, catalog, bot_runtime,
                                                                      emulator, gateway, clock, bot):  # noqa: F811
    server, _config, _state = gateway
    clock.now = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)  # noon in Shanghai: inside the window
    inbound = httpx.post(f"{server.url}/v1/inbound", headers={"Authorization": f"Bearer {API_KEY}"},
                         json={"from": "+8613800130000", "text": "TD"})
    assert inbound.status_code == 200
    with bot_runtime.uow() as uow:
        assert uow.opt_outs.get("+8613800130000").source == "inbound:simulator"

    first, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=20, template="Coupon",
                             purpose=Purpose.PROMOTIONAL)
    _client, ticker = await started(bot_runtime, emulator, gateway, first)
    await eventually(lambda: status_of(bot_runtime, first)[0] == "completed")
    assert status_of(bot_runtime, first)[1]["skipped"] == 1  # the number that answered TD

    second, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=20, template="Coupon",
                              purpose=Purpose.PROMOTIONAL)
    third, _ = approved_task(bot_runtime, catalog, clock, workspace, recipients=20)  # a notification
    await tick(bot_runtime, _client, ticker)
    await eventually(lambda: status_of(bot_runtime, second)[0] == "completed"
                     and status_of(bot_runtime, third)[0] == "completed")
    promotional, notification = status_of(bot_runtime, second)[1], status_of(bot_runtime, third)[1]
    assert promotional["skipped"] == 20  # 19 fatigued after one promotional message, 1 opted out
    assert notification.get("skipped", 0) == 0  # notifications are neither fatigued nor opted out
    await ticker.providers.aclose()


@pytest.mark.parametrize("gateway_options", [{"card_refuse_ratio": 0.5}])
async def test_card_sends_fall_back_for_phones_that_cannot_show_cards(workspace, driver, catalog, bot_runtime,
                                                                      emulator, gateway, clock, bot):  # noqa: F811
    from domain.content import TemplateDraft
    from domain.use_cases.content import ContentKind, add_template, decide_content
    from domain.tasks import Fallback

    _server, _config, state = gateway
    approver = Actor(APPROVER_ID, is_approver=True)
    fallback = add_template(bot_runtime.uow(), TemplateDraft(name="Plain", kind=TemplateKind.TEXT,
                                                             purpose=Purpose.NOTIFICATION, body="Hi ${name}"), SENDER)
    decide_content(bot_runtime.uow(), ContentKind.TEMPLATE, fallback.id, approver, approve=True, reason=None, allow_self_approval=False,
                   now=clock())
    csv = "phone,name\n" + "".join(f"1380013{n:04d},N{n}\n" for n in range(40))
    summary = import_file(bot_runtime.uow(), csv.encode(), ImportSource("U0SENDER01", GENERAL_CHANNEL_ID, "file", "c.csv"),
                          limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN"))
    clock.now = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)
    draft = TaskDraft(name="Cards", purpose=Purpose.PROMOTIONAL, kind=TemplateKind.CARD,
                      recipient_list_id=summary.list_id, signature_id=catalog["signature"],
                      template_id=catalog["Spring card"], fallback=Fallback.TEXT, fallback_template_id=fallback.id,
                      default_link="https://acme.example")
    task = create_task(bot_runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=bot_runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    record_task_thread(bot_runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    decide_task(bot_runtime.uow(), task.id, task.version, approver, Approval(approve=True), allow_self_approval=False,
                now=clock(), rules=bot_runtime.settings.start_rules)
    _client, ticker = await started(bot_runtime, emulator, gateway, task.id)
    await eventually(lambda: status_of(bot_runtime, task.id)[0] == "completed")
    sent = state.messages()
    assert {m.kind for m in sent} == {"card"}
    with bot_runtime.uow() as uow:
        fell_back = uow.task_recipients.fallback_count(task.id)
    assert 0 < fell_back < 40 and fell_back == sum(1 for m in sent if m.fell_back)
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                       if m.text.startswith("Send completed.")])
    assert f"{fell_back:,} card messages went out as their fallback" in str(report[0].blocks)
    await ticker.providers.aclose()
