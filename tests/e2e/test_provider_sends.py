"""A real task sent through each real provider adapter, pointed at its local fake by the
settings' base URL, the way a deployment wires it: settings -> `make_provider` -> the bot's
web app. No patches: the fake posts signed receipts and replies to the bot's webhook."""

from __future__ import annotations

import json
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from tests.provider_fakes.alibaba import FakeAlibabaConfig, create_fake_alibaba
from tests.provider_fakes.alibaba.fake import national, refuses_cards
from bot.providers.alibaba.webhooks import format_push_time
from bot.providers.factory import make_provider
from tests.provider_fakes.twilio.fake import FakeTwilioConfig, create_fake_twilio
from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID,
)
from bot.scheduler import tick
from tests.e2e.ticking import ticking
from bot.composition import Process
from domain.approvers import Actor
from domain.content import Purpose, TemplateDraft, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.tasks import Fallback, TaskDraft
from domain.use_cases.content import ContentKind, add_template, decide_content
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.tasks import create_task, record_task_thread
from handlers.task_thread import composition
from storage.tables import TaskRecipient
from tests.e2e.test_dispatch import approved_task, eventually
from tests.e2e.test_send_tasks import SENDER, catalog  # noqa: F401  (the approved content fixture)
from tests.e2e.conftest import BOT_PARTS
from tests.slack_calls import assert_calls_follow_slack_specs

HOST = "127.0.0.1"
RECIPIENTS = 200

TWILIO_SID = "AC" + "5e1f0c2d" * 4
TWILIO_TOKEN = "e2e-twilio-auth-token"
TWILIO_FROM = "+15005550006"

ALIBABA_KEY_ID, ALIBABA_KEY_SECRET = "LTAI-e2e-access-key", "e2e-alibaba-access-key-secret"
ALIBABA_TOKEN = "e2e-receipt-token-" + "k7" * 12  # the receipts URL in Alibaba's console carries it
SIGN_NAME = "Acme"  # the catalog's signature, registered with Alibaba under the same name
RECEIPT_CODE, CARD_CODE, PLAIN_CODE = "SMS_475110258", "CARD_SMS_900001", "SMS_475110259"


# --- the bot's address, known before its settings -------------------------------------------
class Reserved:
    """A loopback port held (SO_REUSEADDR, not listening) until the bot's server binds it:
    `public_url` names it, and `make_provider` builds Twilio's status callback URL from it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((HOST, 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"

    def release(self) -> None:
        self._sock.close()


@pytest.fixture
def bot_address():
    reserved = Reserved()
    yield reserved
    reserved.release()


# --- the fakes ------------------------------------------------------------------------------
@dataclass
class RunningFake:
    name: str
    server: ThreadedServer
    state: Any
    bot_url: str
    webhook: str = field(init=False)

    def __post_init__(self) -> None:
        self.webhook = f"{self.bot_url}/webhooks/sms/{self.name}"

    @property
    def url(self) -> str:
        return self.server.url

    def settings(self) -> dict[str, Any]:
        """The SMSBOT_* settings of a deployment using this provider, its base URL the fake's."""
        if self.name == "twilio":
            return {"provider": "twilio", "twilio_account_sid": TWILIO_SID, "twilio_auth_token": TWILIO_TOKEN,
                    "twilio_from": TWILIO_FROM, "twilio_base_url": self.url, "public_url": self.bot_url}
        return {"provider": "alibaba", "alibaba_access_key_id": ALIBABA_KEY_ID,
                "alibaba_access_key_secret": ALIBABA_KEY_SECRET, "alibaba_webhook_token": ALIBABA_TOKEN,
                "alibaba_base_url": self.url, "public_url": self.bot_url}

    def sends_per_number(self) -> dict[str, int]:
        if self.name == "twilio":
            return self.state.creates_per_to()
        return dict(Counter(m.phone for m in self.state.messages()))

    def outcomes(self) -> Counter[str]:
        """What the fake decided for each message it took: delivered, failed or silent (no receipt)."""
        if self.name == "twilio":
            names = {"delivered": "delivered", "undelivered": "failed", "failed": "failed", "sent": "silent"}
            return Counter(names[m.outcome] for m in self.state.messages())
        return Counter(m.outcome for m in self.state.messages())

    def inbound(self, phone: str, text: str) -> httpx.Response:
        """A reply from a handset, which the fake posts to the bot's webhook as its provider would."""
        if self.name == "twilio":
            return httpx.post(f"{self.url}/fake/inbound", json={"from": phone, "body": text},
                              auth=(TWILIO_SID, TWILIO_TOKEN), timeout=10)
        return httpx.post(f"{self.url}/fake/inbound", json={"phone": phone, "content": text}, timeout=10)


@pytest.fixture(params=["twilio", "alibaba"])
def provider_name(request):
    return request.param


@pytest.fixture
def fake_outcomes():
    """Shares of the fake's messages that get a delivered or a failed receipt; the rest get none."""
    return {"deliver": 0.85, "fail": 0.1, "card_refuse_ratio": 0.0}


@pytest.fixture
def fake(provider_name, fake_outcomes, bot_address):
    webhook = f"{bot_address.url}/webhooks/sms/{provider_name}"
    if provider_name == "twilio":
        config = FakeTwilioConfig(
            account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, twilio_number=TWILIO_FROM,
            deliver_ratio=fake_outcomes["deliver"], undeliver_ratio=fake_outcomes["fail"], fail_ratio=0.0,
            receipt_latency=(0.0, 0.3), seed=7, inbound_url=webhook, callback_retry_delays=(0.1, 0.3))
        app, state = create_fake_twilio(config)
    else:
        config = FakeAlibabaConfig(
            access_keys={ALIBABA_KEY_ID: ALIBABA_KEY_SECRET}, sign_names={SIGN_NAME},
            template_codes={RECEIPT_CODE, CARD_CODE, PLAIN_CODE},
            template_variables={RECEIPT_CODE: ("name",), CARD_CODE: ("name",), PLAIN_CODE: ("name",)},
            card_refuse_ratio=fake_outcomes["card_refuse_ratio"], deliver_ratio=fake_outcomes["deliver"],
            fail_ratio=fake_outcomes["fail"], receipt_latency=(0.0, 0.3), seed=7,
            report_url=f"{webhook}?token={ALIBABA_TOKEN}", report_flush_interval=0.05,
            push_retry_delays=(0.1, 0.3))
        app, state = create_fake_alibaba(config)
    server = ThreadedServer(app).start()
    yield RunningFake(provider_name, server, state, bot_address.url)
    server.stop()


@pytest.fixture
def bot_overrides(fake):
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", **fake.settings()}


@pytest.fixture
def bot_provider(settings, bot_address, fake):
    """The provider made from the deployment's settings, as `smsbot serve` makes it."""
    setup = make_provider(settings, own_url=bot_address.url)
    assert (setup.provider.name, setup.embedded_gateway) == (fake.name, None)
    return setup.provider


@pytest.fixture
def bot(bot_runtime, workspace, tmp_path, bot_address):
    """The bot as `smsbot serve` runs it, its dispatcher on."""
    server = ThreadedServer(Process(bot_runtime, BOT_PARTS).asgi(), port=bot_address.port).start()
    bot_address.release()
    yield server
    server.stop()  # its lifespan closes the provider
    assert_calls_follow_slack_specs(workspace, tmp_path / "slack_calls.jsonl")


# --- helpers ----------------------------------------------------------------------------------
async def start_due_tasks(runtime, emulator, own_url: str) -> None:
    """The scheduler's tick, with a provider made from the same settings (the tick sends nothing)."""
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    setup = make_provider(runtime.settings, own_url=own_url)
    try:
        await tick(runtime, client, ticking(runtime, client, setup.provider))
    finally:
        await setup.provider.aclose()
        setup.stop()


async def register_code(workspace, driver, template: str, code: str) -> None:
    """What an approver does once the template is registered in Alibaba's console."""
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, f"template code {template} {code}")
    await eventually(lambda: any(f"sent as `{code}`" in e.text for e in workspace.ephemerals(user_id=APPROVER_ID)))


def status_of(runtime, task_id: int) -> tuple[str, dict[str, int]]:
    with runtime.uow() as uow:
        return uow.tasks.get(task_id).status, uow.task_recipients.counts(task_id)


def phone(n: int) -> str:
    """The E.164 number of row n of `approved_task`'s list."""
    return f"+861380013{n:04d}"


# --- 1. a task goes out once to everyone, and receipts settle it ------------------------------
async def test_an_approved_task_goes_through_the_provider_once_each_and_receipts_settle_it(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot):  # noqa: F811
    if fake.name == "alibaba":
        await register_code(workspace, driver, "Receipt", RECEIPT_CODE)
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=RECIPIENTS)
    assert status_of(bot_runtime, task_id)[0] == "scheduled"

    await start_due_tasks(bot_runtime, emulator, bot.url)
    assert status_of(bot_runtime, task_id)[0] in ("sending", "completed")  # the bot's dispatcher may be done already
    first = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card_ts))  # the thread's notifier tells
    assert first[0].text == "Sending started."
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")

    # Every recipient reached the provider exactly once.
    assert fake.sends_per_number() == {phone(n): 1 for n in range(RECIPIENTS)}
    # Receipts settle exactly the recipients the fake decided an outcome for; the silent share stays submitted.
    decided = fake.outcomes()
    assert decided["delivered"] > RECIPIENTS * 0.7 and decided["failed"] > 0

    def settled() -> bool:
        counts = status_of(bot_runtime, task_id)[1]
        return (counts.get("delivered", 0), counts.get("failed", 0)) == (decided["delivered"], decided["failed"])

    await eventually(settled)
    counts = status_of(bot_runtime, task_id)[1]
    assert counts == {k: v for k, v in {"delivered": decided["delivered"], "failed": decided["failed"],
                                        "submitted": decided["silent"]}.items() if v}
    assert sum(counts.values()) == RECIPIENTS

    # The provider got what the deployment's settings and the approved content say.
    first = phone(0)
    if fake.name == "twilio":
        [message] = [m for m in fake.state.messages() if m.to == first]
        assert message.from_ == TWILIO_FROM and "Hi N0, your order shipped" in message.body and "Acme" in message.body
        assert message.status_callback.startswith(f"{bot.url}/webhooks/sms/twilio?ref={task_id}-")
    else:
        [message] = [m for m in fake.state.messages() if m.phone == first]
        assert (message.sign_name, message.template_code, message.channel) == (SIGN_NAME, RECEIPT_CODE, "sms")
        assert message.params["name"] == "N0" and message.out_id == str(task_id)

    # The task thread: started, the live progress message (finished), and the final report.
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                       if m.text.startswith("Send completed.")])
    assert f"{RECIPIENTS:,} recipients" in report[0].text
    await eventually(lambda: any(m.text.startswith("Sending finished") and m.blocks
                                 for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)))


# --- 2. a STOP from a handset opts the number out ---------------------------------------------
async def test_an_inbound_stop_puts_the_number_on_the_opt_out_list(fake, bot, bot_runtime):
    words = {"twilio": ["STOP"], "alibaba": ["TD", "退订"]}[fake.name]
    numbers = [f"+86139123456{n:02d}" for n in range(len(words))]
    for number, word in zip(numbers, words):
        response = fake.inbound(number, word)
        assert (response.status_code, response.json()["posted"]) == (200, True)
    chatty = fake.inbound("+8613912345699", "Thanks!")
    assert chatty.json()["posted"] is True
    with bot_runtime.uow() as uow:
        for number in numbers:
            assert uow.opt_outs.get(number).source == f"inbound:{fake.name}"
        assert uow.opt_outs.get("+8613912345699") is None  # a reply, not an opt-out word


# --- 3. forged receipts are refused -----------------------------------------------------------
def forged_requests(fake, task_id: int) -> tuple[list[tuple[str, dict, bytes]], tuple[str, dict, bytes]]:
    """(url, headers, body) of receipts for the task's first message saying "delivered": forged
    ones, and the one the provider itself would send."""
    if fake.name == "twilio":
        sent = fake.state.messages()[0]
        url = sent.status_callback  # the very URL the fake posts this message's callbacks to
        form = {"MessageSid": sent.sid, "SmsSid": sent.sid, "AccountSid": TWILIO_SID, "From": TWILIO_FROM,
                "To": sent.to, "MessageStatus": "delivered", "SmsStatus": "delivered", "ApiVersion": "2010-04-01"}
        body = urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}

        def signed(token: str) -> dict:
            return headers | {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}

        forged = [(url, headers, body), (url, signed("not-the-auth-token"), body),
                  (url, headers | {"X-Twilio-Signature": "bm9wZQ=="}, body)]
        return forged, (url, signed(TWILIO_TOKEN), body)
    sent = fake.state.messages()[0]
    now = format_push_time(datetime.now(UTC))
    body = json.dumps([{"phone_number": national(sent.phone), "send_time": now, "report_time": now, "success": True,
                        "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1", "biz_id": sent.biz_id,
                        "out_id": str(task_id)}]).encode()
    headers = {"Content-Type": "application/json;charset=utf-8"}
    forged = [(fake.webhook, headers, body), (f"{fake.webhook}?token=guessed-{ALIBABA_TOKEN}", headers, body),
              (f"{fake.webhook}?token={ALIBABA_TOKEN}&token=x", headers, body)]
    return forged, (f"{fake.webhook}?token={ALIBABA_TOKEN}", headers, body)


def forged_stop(fake, number: str) -> tuple[str, dict, bytes]:
    """A STOP posted straight to the bot, not through the provider: unsigned, or without the token."""
    if fake.name == "twilio":
        form = {"AccountSid": TWILIO_SID, "From": number, "To": TWILIO_FROM, "Body": "STOP", "SmsStatus": "received"}
        return fake.webhook, {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(form).encode()
    item = {"phone_number": national(number), "content": "TD", "send_time": format_push_time(datetime.now(UTC)),
            "dest_code": "1", "sequence_id": "1"}
    return fake.webhook, {"Content-Type": "application/json;charset=utf-8"}, json.dumps([item]).encode()


@pytest.mark.parametrize("fake_outcomes", [{"deliver": 0.0, "fail": 0.0, "card_refuse_ratio": 0.0}])  # no receipts
async def test_forged_or_unsigned_receipts_get_401_and_change_nothing(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot):  # noqa: F811
    if fake.name == "alibaba":
        await register_code(workspace, driver, "Receipt", RECEIPT_CODE)
    task_id, _card = approved_task(bot_runtime, catalog, clock, workspace, recipients=3)
    await start_due_tasks(bot_runtime, emulator, bot.url)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    assert status_of(bot_runtime, task_id)[1] == {"submitted": 3}

    forged, genuine = forged_requests(fake, task_id)
    for url, headers, body in forged:
        assert httpx.post(url, headers=headers, content=body).status_code == 401, url
    url, headers, body = forged_stop(fake, phone(1))
    assert httpx.post(url, headers=headers, content=body).status_code == 401
    assert status_of(bot_runtime, task_id)[1] == {"submitted": 3}
    with bot_runtime.uow() as uow:
        assert uow.opt_outs.get(phone(1)) is None

    # The same receipt as the provider sends it is taken: the 401s were for the signature alone.
    url, headers, body = genuine
    assert httpx.post(url, headers=headers, content=body).status_code == 200
    assert status_of(bot_runtime, task_id)[1] == {"delivered": 1, "submitted": 2}


# --- 4. Alibaba: cards fall back to the registered text template ------------------------------
@pytest.mark.parametrize("fake_outcomes", [{"deliver": 1.0, "fail": 0.0, "card_refuse_ratio": 0.5}])
@pytest.mark.parametrize("provider_name", ["alibaba"])
async def test_card_sends_fall_back_to_the_registered_text_template(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot):  # noqa: F811
    approver = Actor(APPROVER_ID, is_approver=True)
    plain = add_template(bot_runtime.uow(), TemplateDraft(name="Plain", kind=TemplateKind.TEXT,
                                                          purpose=Purpose.NOTIFICATION, body="Hi ${name}"), SENDER)
    decide_content(bot_runtime.uow(), ContentKind.TEMPLATE, plain.id, approver, approve=True, reason=None, allow_self_approval=False,
                   now=clock())
    await register_code(workspace, driver, "Spring card", CARD_CODE)
    await register_code(workspace, driver, "Plain", PLAIN_CODE)

    count = 40
    csv = "phone,name\n" + "".join(f"1380013{n:04d},N{n}\n" for n in range(count))
    summary = import_file(bot_runtime.uow(), csv.encode(),
                          ImportSource(SENDER.user_id, GENERAL_CHANNEL_ID, "file", "c.csv"),
                          limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN"))
    clock.now = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # noon in Shanghai: inside the window
    draft = TaskDraft(name="Cards", purpose=Purpose.PROMOTIONAL, kind=TemplateKind.CARD,
                      recipient_list_id=summary.list_id, signature_id=catalog["signature"],
                      template_id=catalog["Spring card"], fallback=Fallback.TEXT, fallback_template_id=plain.id,
                      default_link="https://acme.example")
    # The deployment's composition: it checks that both templates have their Alibaba codes.
    task = create_task(bot_runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=bot_runtime.settings.sending_window, composition=composition(bot_runtime.settings))
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    record_task_thread(bot_runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    decide_task(bot_runtime.uow(), task.id, task.version, approver, Approval(approve=True), allow_self_approval=False,
                now=clock(), rules=bot_runtime.settings.start_rules)

    await start_due_tasks(bot_runtime, emulator, bot.url)
    await eventually(lambda: status_of(bot_runtime, task.id)[0] == "completed")

    refusing = {phone(n) for n in range(count) if refuses_cards(phone(n), 0.5)}
    assert 0 < len(refusing) < count
    sent = fake.state.messages()
    assert fake.sends_per_number() == {phone(n): 1 for n in range(count)}
    assert {m.phone for m in sent if m.channel == "sms"} == refusing
    assert {(m.channel, m.template_code) for m in sent} == {("card", CARD_CODE), ("sms", PLAIN_CODE)}
    with Session(bot_runtime.engine) as session:
        fell_back = set(session.exec(select(TaskRecipient.phone).where(
            TaskRecipient.task_id == task.id, TaskRecipient.fell_back == True)).all())  # noqa: E712
    assert fell_back == refusing
    with bot_runtime.uow() as uow:
        assert uow.task_recipients.fallback_count(task.id) == len(refusing)
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                       if m.text.startswith("Send completed.")])
    assert f"{len(refusing):,} card messages went out as their fallback" in str(report[0].blocks)
