"""SMS applications end to end: an approver adds an international application through Twilio
(its credentials from the environment), registers content for it, and a task of mainland and
international numbers goes out split: mainland numbers through the deployment's simulator
gateway, international ones through the Twilio fake, each with its receipts, its totals in
the report, and its application in Details, the preview and the export."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from openpyxl import load_workbook
from slack_sdk.web.async_client import AsyncWebClient

from bot import dispatcher as sending_loop
from bot.composition import Process
from bot.providers.simulator import SimulatorProvider
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID
from bot.scheduler import tick
from bot.threaded_server import ThreadedServer
from domain.approvers import Actor
from domain.content import TemplateKind
from domain.errors import DomainError
from domain.exports import ExportKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.tasks import TaskDraft
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.dispatch import finish_if_done, record_outcomes
from domain.use_cases.exports import plan_export, write_export
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.status import task_details
from domain.use_cases.tasks import create_task, record_task_thread
from handlers.ids import ActionId, BlockId
from handlers.task_thread import composition
from tests.e2e.conftest import BOT_PARTS
from tests.e2e.test_dispatch import API_KEY, SECRET, eventually, gateway, gateway_options  # noqa: F401
from tests.e2e.test_provider_sends import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, Reserved
from tests.e2e.test_send_tasks import SENDER, SENDER_ID, catalog, open_send_modal  # noqa: F401
from tests.e2e.ticking import ticking
from tests.provider_fakes.twilio.fake import FakeTwilioConfig, create_fake_twilio
from tests.slack_calls import assert_calls_follow_slack_specs

MAINLAND = [f"+86138001{n:05d}" for n in range(30)]
INTERNATIONAL = [f"+1415555{n:04d}" for n in range(12)] + [f"+6581234{n:03d}" for n in range(8)]


@pytest.fixture
def bot_address():
    reserved = Reserved()
    yield reserved
    reserved.release()


@pytest.fixture
def twilio(bot_address):
    config = FakeTwilioConfig(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, twilio_number=TWILIO_FROM,
                              deliver_ratio=0.9, undeliver_ratio=0.1, fail_ratio=0.0, receipt_latency=(0.0, 0.2),
                              seed=11, inbound_url=f"{bot_address.url}/webhooks/sms/twilio/intl",
                              callback_retry_delays=(0.1, 0.3))
    app, state = create_fake_twilio(config)
    server = ThreadedServer(app).start()
    yield server, state
    server.stop()


@pytest.fixture
def intl_credentials(monkeypatch, twilio):
    """The international application's Twilio account, as its deployment's environment gives it."""
    for name, value in {"TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                        "TWILIO_BASE_URL": twilio[0].url}.items():
        monkeypatch.setenv(f"SMSBOT_APP_INTL_{name}", value)


@pytest.fixture
def bot_overrides(bot_address):
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "public_url": bot_address.url}


@pytest.fixture
def bot_provider(gateway):  # noqa: F811
    return SimulatorProvider(gateway[0].url, API_KEY, SECRET)


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path, gateway, bot_address):  # noqa: F811
    _server, config, _state = gateway
    server = ThreadedServer(Process(bot_runtime, BOT_PARTS).asgi(), port=bot_address.port).start()
    bot_address.release()
    config.receipt_url = f"{server.url}/webhooks/sms/simulator"
    yield server
    server.stop()
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


async def approver_says(workspace, driver, command: str) -> str:
    before = len(workspace.ephemerals(user_id=APPROVER_ID))
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, command)
    return (await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID)[before:]))[-1].text


async def add_intl(workspace, driver) -> None:
    answer = await approver_says(workspace, driver, f"app add intl twilio international sender={TWILIO_FROM} price=0.35")
    assert answer.startswith("Application *intl* added: twilio, international numbers.")


def mixed_list(runtime) -> int:
    csv = "phone,name\n" + "".join(f"{phone},N{n}\n" for n, phone in enumerate(MAINLAND + INTERNATIONAL))
    return import_file(runtime.uow(), csv.encode(), ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "mixed.csv"),
                       limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN")).list_id


async def world_task(workspace, driver, catalog, runtime, clock):  # noqa: F811
    """The international application with the catalog's signature and Receipt registered for
    it, and a task of the mixed list, submitted."""
    await add_intl(workspace, driver)
    await approver_says(workspace, driver, "app register intl signature Acme")
    await approver_says(workspace, driver, "app register intl template Receipt")
    draft = TaskDraft(name="World send", purpose=None, kind=TemplateKind.TEXT, recipient_list_id=mixed_list(runtime),
                      signature_id=catalog["signature"], template_id=catalog["Receipt"])
    return create_task(runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=runtime.settings.sending_window, composition=composition(runtime.settings))


async def approved_and_ticked(workspace, runtime, task, clock, emulator, gateway):  # noqa: F811
    """(its card, the sending) of `task` approved in its thread, once the tick has started it."""
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    record_task_thread(runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    decide_task(runtime.uow(), task.id, task.version, Actor(APPROVER_ID, is_approver=True),
                Approval(approve=True), allow_self_approval=False, now=clock(), rules=runtime.settings.start_rules)
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    ticker = ticking(runtime, client, SimulatorProvider(gateway[0].url, API_KEY, SECRET))
    await tick(runtime, client, ticker)
    return card, ticker


async def test_an_application_is_added_only_by_an_approver_and_only_with_its_credentials(
        workspace, driver, bot_runtime, bot, monkeypatch):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "app add intl twilio international")
    refused = await eventually(lambda: workspace.ephemerals(user_id=SENDER_ID))
    assert "Only an approver can add an SMS application" in refused[-1].text
    answer = await approver_says(workspace, driver, "app add intl twilio international")
    assert answer.startswith("intl cannot send through twilio yet: SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID is missing")
    with bot_runtime.uow() as uow:
        assert [app.name for app in uow.applications.all()] == ["default"]  # nothing stored half-way
    monkeypatch.setenv("SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID", TWILIO_SID)
    monkeypatch.setenv("SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    await add_intl(workspace, driver)
    listed = await approver_says(workspace, driver, "app list")
    assert "*default* (default) — simulator · any numbers" in listed
    assert "*intl* — twilio · international numbers · sender •••0006 · 0.35 per segment" in listed
    assert TWILIO_TOKEN not in listed


async def test_the_send_modal_offers_only_content_registered_for_the_lists_applications(
        workspace, driver, catalog, bot_runtime, bot, intl_credentials):  # noqa: F811
    await add_intl(workspace, driver)
    list_id = mixed_list(bot_runtime)
    modal = await open_send_modal(workspace, driver)

    def offered() -> list[str]:
        block = next(b for b in workspace.views.get(modal.id).blocks if b.get("block_id") == BlockId.SEND_TEMPLATE)
        return [o["text"]["text"].split(" · ")[0] for o in block["element"].get("options", [])]

    async def template_options(expected: list[str]) -> list[str]:
        """The templates offered once the list is chosen again (the modal re-rendered)."""
        await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, block_id=BlockId.SEND_RECIPIENTS,
                                   view_id=modal.id, selected_option={"value": f"list:{list_id}"})
        await eventually(lambda: "mixed.csv" in str(workspace.views.get(modal.id).blocks) and offered() == expected)
        return offered()

    assert await template_options([]) == []  # nothing is registered for intl yet
    assert (await approver_says(workspace, driver, "app register intl template Receipt")).startswith(
        "The template “Receipt” is registered for *intl*")
    assert await template_options(["Receipt"]) == ["Receipt"]

    # Chosen, the preview tells each application's part and its cost at that application's price.
    await approver_says(workspace, driver, "app register intl signature Acme")
    await template_options(["Receipt"])
    await eventually(lambda: any(b.get("block_id") == BlockId.SEND_SIGNATURE and b["element"].get("options")
                                 for b in workspace.views.get(modal.id).blocks))  # re-rendered: the signature is offered
    for block_id, value in ((BlockId.SEND_SIGNATURE, catalog["signature"]), (BlockId.SEND_TEMPLATE, catalog["Receipt"])):
        await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, block_id=block_id, view_id=modal.id,
                                   selected_option={"value": str(value)})
    preview = await eventually(lambda: next((b["text"]["text"] for b in workspace.views.get(modal.id).blocks
                                             if b.get("block_id") == BlockId.SEND_PREVIEW and "text" in b
                                             and "Sent through" in b["text"]["text"]), None))
    assert ("*Sent through* default (simulator): 30 recipients · est. CNY 1.35; "
            "intl (twilio): 20 recipients · est. CNY 7.00") in preview
    assert "50 recipients · est. CNY 8.35" in preview


async def test_a_task_of_mainland_and_international_numbers_goes_out_through_both_applications(
        workspace, driver, catalog, bot_runtime, bot, emulator, clock, gateway, twilio, intl_credentials):  # noqa: F811
    task = await world_task(workspace, driver, catalog, bot_runtime, clock)
    assert [(p["numbers"], p["recipients"]) for p in task.split] == [("mainland", 30), ("international", 20)]
    card, ticker = await approved_and_ticked(workspace, bot_runtime, task, clock, emulator, gateway)

    # Each number went once, through its own application's provider, under that application's sender.
    _server, state = twilio
    await eventually(lambda: sum(state.creates_per_to().values()) == len(INTERNATIONAL))
    assert state.creates_per_to() == {phone: 1 for phone in INTERNATIONAL}
    assert {m.from_ for m in state.messages()} == {TWILIO_FROM}
    assert all(m.status_callback.startswith(f"{bot.url}/webhooks/sms/twilio/intl?") for m in state.messages())
    simulator = gateway[2]
    await eventually(lambda: sum(simulator.submissions_for(phone) for phone in MAINLAND) == len(MAINLAND))
    assert {phone: simulator.submissions_for(phone) for phone in MAINLAND + INTERNATIONAL} == {
        **{phone: 1 for phone in MAINLAND}, **{phone: 0 for phone in INTERNATIONAL}}

    # Twilio's signed receipts at the application's own webhook settle its numbers.
    decided = Counter({"delivered": "delivered", "undelivered": "failed"}[m.outcome] for m in state.messages())

    def intl_settled() -> bool:
        with bot_runtime.uow() as uow:
            counts = uow.task_recipients.counts_by_application(task.id)
        intl = next(counts[app_id] for app_id in counts if app_id != 1)
        return intl.get("delivered", 0) == decided["delivered"] and intl.get("failed", 0) == decided["failed"]

    await eventually(intl_settled)
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                       if m.text.startswith("Send completed.")])
    said = str(report[-1].blocks)
    assert "Through default (simulator): 30 recipients" in said and "Through intl (twilio): 20 recipients" in said

    details = task_details(bot_runtime.uow(), task.id, Actor(APPROVER_ID, is_approver=True),
                           composition=composition(bot_runtime.settings))
    assert {line.application for line in details.lines} == {"default (simulator)"}  # the first page: mainland rows
    export_plan = plan_export(bot_runtime.uow(), task.id, Actor(APPROVER_ID, is_approver=True), ExportKind.ALL,
                              composition=composition(bot_runtime.settings))
    target = io.BytesIO()
    write_export(bot_runtime.uow(), export_plan, target, tz="UTC")
    rows = list(load_workbook(io.BytesIO(target.getvalue())).active.values)
    header = rows[0]
    where = {row[header.index("phone")]: (row[header.index("application")], row[header.index("provider")])
             for row in rows[1:]}
    assert where == {**{p: ("default", "simulator") for p in MAINLAND}, **{p: ("intl", "twilio") for p in INTERNATIONAL}}
    await ticker.providers.aclose()


async def test_an_application_whose_account_is_gone_at_send_time_fails_the_task_with_its_reason(
        workspace, driver, catalog, bot_runtime, bot, emulator, clock, gateway, twilio, intl_credentials,  # noqa: F811
        monkeypatch):
    task = await world_task(workspace, driver, catalog, bot_runtime, clock)
    monkeypatch.delenv("SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN")  # taken away after approval, before sending
    card, ticker = await approved_and_ticked(workspace, bot_runtime, task, clock, emulator, gateway)
    cause = "intl cannot send: SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN is missing"

    def failed_reason() -> str | None:
        with bot_runtime.uow() as uow:
            stored = uow.tasks.get(task.id)
        return stored.reason if stored.status == "failed" else None

    assert (await eventually(failed_reason)).startswith(cause)
    said = await eventually(lambda: [m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts) if cause in m.text])
    assert TWILIO_TOKEN not in str(said)
    await ticker.providers.aclose()


async def test_a_task_failed_by_one_applications_chunk_is_not_completed_by_anothers(
        workspace, driver, catalog, bot_runtime, bot, emulator, clock, gateway, twilio, intl_credentials,  # noqa: F811
        monkeypatch):
    """The mainland's chunk and intl's run side by side: the moment intl's refused chunk is
    recorded, every recipient is handled, and the mainland lane may look and find the task done.
    Here it looks at that very moment, every time; the task still ends failed, with its reason."""
    def recorded_then_looked_at(uow, outcomes, now):
        record_outcomes(uow, outcomes, now)
        finish_if_done(bot_runtime.uow(), task.id, now)  # the other lane, at the worst moment

    monkeypatch.setattr(sending_loop, "record_outcomes", recorded_then_looked_at)
    task = await world_task(workspace, driver, catalog, bot_runtime, clock)
    monkeypatch.delenv("SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN")
    _card, ticker = await approved_and_ticked(workspace, bot_runtime, task, clock, emulator, gateway)

    def ended() -> tuple[str, str | None] | None:
        with bot_runtime.uow() as uow:
            stored = uow.tasks.get(task.id)
        return (stored.status, stored.reason) if stored.status in ("completed", "failed") else None

    status, reason = await eventually(ended)
    assert status == "failed" and reason.startswith("intl cannot send: SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN is missing")
    await ticker.providers.aclose()


async def test_an_application_with_its_own_rate_sends_at_it_while_the_others_go_at_theirs(
        workspace, driver, catalog, bot_runtime, bot, emulator, clock, gateway, twilio, intl_credentials):  # noqa: F811
    """The deployment's account has no rate here; intl's own account takes 4 messages a second.
    Its 20 numbers go out at that rate from intl's own bucket, and the 30 mainland numbers of
    the same task do not wait behind them."""
    task = await world_task(workspace, driver, catalog, bot_runtime, clock)
    changed = await approver_says(workspace, driver, "app set intl rate=4")
    assert "· up to 4 messages a second. Tasks already submitted keep the split" in changed
    assert "*intl* — twilio · international numbers · sender •••0006 · 0.35 per segment · up to 4 messages a second" \
        in await approver_says(workspace, driver, "app list")
    refused = await approver_says(workspace, driver, "app set intl rate=fast")
    assert refused.startswith("A sending rate is the messages a second the provider account takes")
    _card, ticker = await approved_and_ticked(workspace, bot_runtime, task, clock, emulator, gateway)

    _server, state = twilio
    simulator = gateway[2]
    await eventually(lambda: sum(simulator.submissions_for(phone) for phone in MAINLAND) == len(MAINLAND))
    assert len(state.messages()) < len(INTERNATIONAL)  # mainland is done while intl still waits for its rate
    await eventually(lambda: len(state.messages()) == len(INTERNATIONAL))
    arrivals = sorted(m.created_at for m in state.messages())
    # Claimed 10 at a time (the least a claim takes): the second 10 go 10/4 s after the first.
    assert (arrivals[-1] - arrivals[0]).total_seconds() >= (len(INTERNATIONAL) - 10) / 4 * 0.9
    await ticker.providers.aclose()


async def test_a_number_no_application_sends_to_is_invalid_with_that_reason(
        workspace, driver, catalog, bot_runtime, bot):  # noqa: F811
    answer = await approver_says(workspace, driver, "app set default numbers=mainland")
    assert answer.startswith("Application *default* changed: mainland numbers")
    summary = import_file(bot_runtime.uow(), b"phone\n+8613800138000\n+14155550100\n",
                          ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "two.csv"),
                          limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN"))
    assert summary.imported_count == 1
    assert [row.reason for row in summary.invalid_rows] == ["no SMS application sends to international numbers"]


async def test_a_task_is_not_approved_once_its_content_was_unregistered_from_one_of_its_applications(
        workspace, driver, catalog, bot_runtime, bot, clock, intl_credentials):  # noqa: F811
    task = await world_task(workspace, driver, catalog, bot_runtime, clock)
    assert (await approver_says(workspace, driver, "app unregister intl template Receipt")).startswith(
        "The template “Receipt” is no longer registered for *intl*")
    with pytest.raises(DomainError, match="“Receipt” is not registered for the intl application"):
        decide_task(bot_runtime.uow(), task.id, task.version, Actor(APPROVER_ID, is_approver=True),
                    Approval(approve=True), allow_self_approval=False, now=clock(),
                    rules=bot_runtime.settings.start_rules)
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(task.id).status == "moderating"


async def test_a_test_send_goes_to_each_number_through_its_own_application(
        workspace, driver, catalog, bot_runtime, bot, clock, gateway, twilio, intl_credentials):  # noqa: F811
    from tests.e2e.test_test_sends import numbers_form, open_test_modal, posted_card

    task = await world_task(workspace, driver, catalog, bot_runtime, clock)
    card = posted_card(workspace, bot_runtime, task.id)
    modal = await open_test_modal(workspace, driver, SENDER_ID, card.ts)
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("13912345678, +14155550199", name="Tester"))
    reply = await eventually(lambda: [e for e in workspace.ephemerals(user_id=SENDER_ID) if "Test send" in e.text])
    assert reply[0].text.startswith("Test send: •••5678: accepted; •••0199: accepted.")
    assert gateway[2].submissions_for("+8613912345678") == 1 and gateway[2].submissions_for("+14155550199") == 0
    assert twilio[1].creates_per_to() == {"+14155550199": 1}
