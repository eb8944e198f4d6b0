"""A real task sent through the Huawei Cloud adapter, made by `make_provider` from a deployment's
settings and pointed at the local fake by its base URL, as test_provider_sends.py does for
Twilio and Alibaba (whose fixtures and helpers this module reuses). No patches: the fake pushes
status reports and uplinks to the bot's webhook with the token in the URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
import pytest

from bot.providers.huawei.webhooks import format_push_time
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID
from bot.threaded_server import ThreadedServer
from domain.content import Purpose, TemplateDraft, TemplateKind
from domain.approvers import Actor
from domain.use_cases.content import ContentKind, add_template, decide_content
from tests.e2e.test_dispatch import approved_task, eventually
from tests.e2e.test_provider_sends import (  # noqa: F401  (fixtures: the bot on its reserved address)
    bot, bot_address, bot_overrides, bot_provider, phone, register_code, start_due_tasks, status_of,
)
from tests.e2e.test_send_tasks import SENDER, catalog  # noqa: F401  (the approved content fixture)
from tests.provider_fakes.huawei import FakeHuaweiConfig, create_fake_huawei

RECIPIENTS = 200
APP_KEY, APP_SECRET = "e2e-huawei-app-key", "e2e-huawei-app-secret"
CHANNEL = "csms10690000"
TOKEN = "e2e-huawei-token-" + "q8" * 12  # the statusCallback and the console's uplink URL carry it
# A template id as Huawei's console shows them: 32 hex digits, here starting with a digit.
TEMPLATE_ID = "771c1b9ae8c44e0a9b33bb2d5c8b468e"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class RunningFake:
    server: ThreadedServer
    state: object
    bot_url: str
    auth_scheme: str
    name: str = "huawei"
    webhook: str = field(init=False)

    def __post_init__(self) -> None:
        self.webhook = f"{self.bot_url}/webhooks/sms/huawei"

    def settings(self) -> dict:
        return {"provider": "huawei", "huawei_app_key": APP_KEY, "huawei_app_secret": APP_SECRET,
                "huawei_sender": CHANNEL, "huawei_webhook_token": TOKEN, "huawei_base_url": self.server.url,
                "huawei_auth_scheme": self.auth_scheme, "public_url": self.bot_url}


@pytest.fixture
def auth_scheme():
    return "aksk"


@pytest.fixture
def fake(auth_scheme, bot_address):  # noqa: F811
    webhook = f"{bot_address.url}/webhooks/sms/huawei"
    config = FakeHuaweiConfig(apps={APP_KEY: APP_SECRET}, senders={CHANNEL}, templates={TEMPLATE_ID: 2},
                              deliver_ratio=0.85, fail_ratio=0.1, receipt_latency=(0.0, 0.3), seed=7,
                              uplink_url=f"{webhook}?token={TOKEN}", report_flush_interval=0.05)
    app, state = create_fake_huawei(config)
    server = ThreadedServer(app).start()
    yield RunningFake(server, state, bot_address.url, auth_scheme)
    server.stop()


def swapped_template(runtime, clock, catalog) -> dict:  # noqa: F811
    """Its variables in another order than the recipient file's columns (phone, name, coupon)."""
    draft = TemplateDraft(name="Swapped", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION,
                          body="Code ${coupon} for ${name}")
    view = add_template(runtime.uow(), draft, SENDER)
    decide_content(runtime.uow(), ContentKind.TEMPLATE, view.id, Actor(APPROVER_ID, is_approver=True),
                   approve=True, reason=None, allow_self_approval=False, now=clock())
    return {**catalog, "Swapped": view.id}


@pytest.mark.parametrize("auth_scheme", ["aksk", "wsse"])
async def test_a_task_goes_through_huawei_once_each_and_status_reports_settle_it(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot):  # noqa: F811
    content = swapped_template(bot_runtime, clock, catalog)
    await register_code(workspace, driver, "Swapped", TEMPLATE_ID)  # a hex id may start with a digit
    task_id, card_ts = approved_task(bot_runtime, content, clock, workspace, recipients=RECIPIENTS,
                                     template="Swapped")
    await start_due_tasks(bot_runtime, emulator, bot.url)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")

    sent = fake.state.messages()
    assert fake.state.max_sends_per_number() == 1 and {m.phone for m in sent} == {phone(n) for n in range(RECIPIENTS)}
    first = next(m for m in sent if m.phone == phone(0))
    assert (first.template_id, first.paras, first.sender, first.signature, first.extend) == (
        TEMPLATE_ID, ("C0", "N0"), CHANNEL, "Acme", str(task_id))
    assert first.auth == fake.auth_scheme and first.status_callback == f"{fake.webhook}?token={TOKEN}"

    decided = {outcome: sum(m.outcome == outcome for m in sent) for outcome in ("delivered", "failed", "silent")}
    assert decided["delivered"] > RECIPIENTS * 0.7 and decided["failed"] > 0

    def settled() -> bool:
        counts = status_of(bot_runtime, task_id)[1]
        return (counts.get("delivered", 0), counts.get("failed", 0)) == (decided["delivered"], decided["failed"])

    await eventually(settled)
    assert status_of(bot_runtime, task_id)[1].get("submitted", 0) == decided["silent"]
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                       if m.text.startswith("Send completed.")])
    assert f"{RECIPIENTS:,} recipients" in report[0].text


async def test_an_r_reply_puts_the_number_on_the_opt_out_list(fake, bot, bot_runtime):  # noqa: F811
    for number, text in (("+8613912345600", "R"), ("+8613912345699", "Thanks!")):
        answer = httpx.post(f"{fake.server.url}/fake/inbound", json={"from": number, "body": text}, timeout=10)
        assert answer.json() == {"posted": True}
    with bot_runtime.uow() as uow:
        assert uow.opt_outs.get("+8613912345600").source == "inbound:huawei"
        assert uow.opt_outs.get("+8613912345699") is None  # a reply, not an opt-out word


async def test_reports_and_replies_without_the_token_get_401_and_change_nothing(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot):  # noqa: F811
    fake.server.app.state.fake.config.deliver_ratio = 0.0  # no reports of its own
    content = swapped_template(bot_runtime, clock, catalog)
    await register_code(workspace, driver, "Swapped", TEMPLATE_ID)
    task_id, _card = approved_task(bot_runtime, content, clock, workspace, recipients=3, template="Swapped")
    await start_due_tasks(bot_runtime, emulator, bot.url)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    assert status_of(bot_runtime, task_id)[1] == {"submitted": 3}

    sent = fake.state.messages()[0]
    report = urlencode({"smsMsgId": sent.msg_id, "status": "DELIVRD", "source": "2", "sequence": "1", "total": "1",
                        "updateTime": format_push_time(datetime.now(UTC))}).encode()
    stop = urlencode({"smsMsgId": "up-1", "from": phone(1), "to": CHANNEL, "body": "R"}).encode()
    for url in (fake.webhook, f"{fake.webhook}?token=guessed-{TOKEN}", f"{fake.webhook}?token={TOKEN}&token=x"):
        assert httpx.post(url, headers=FORM, content=report).status_code == 401
        assert httpx.post(url, headers=FORM, content=stop).status_code == 401
    assert status_of(bot_runtime, task_id)[1] == {"submitted": 3}
    with bot_runtime.uow() as uow:
        assert uow.opt_outs.get(phone(1)) is None

    # The same report as Huawei sends it, to the URL the send gave it, is taken.
    assert httpx.post(sent.status_callback, headers=FORM, content=report).status_code == 200
    assert status_of(bot_runtime, task_id)[1] == {"delivered": 1, "submitted": 2}
