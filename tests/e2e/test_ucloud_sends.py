"""A real task sent through the UCloud USMS adapter, made by `make_provider` from a deployment's
settings and pointed at the local fake by its base URL, as test_provider_sends.py does for the
other providers (whose fixtures this module reuses). Receipts come both ways UCloud offers:
pushed to the bot's webhook (with the token in the URL), or pulled with `GetUSMSSendReceipt`
where no push is set up; either way the totals end as the fake decided them."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID
from bot.threaded_server import ThreadedServer
from storage.tables import TaskRecipient
from tests.e2e.test_dispatch import approved_task, eventually
from tests.e2e.test_provider_sends import (  # noqa: F401  (fixtures: the bot on its reserved address)
    bot, bot_address, bot_provider, phone, register_code, start_due_tasks, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401  (the approved content fixture)
from tests.provider_fakes.ucloud import FakeUCloudConfig, create_fake_ucloud

RECIPIENTS = 120
PUBLIC, PRIVATE, PROJECT = "e2e-ucloud-public-key", "e2e-ucloud-private-key", "org-e2e"
TOKEN = "e2e-ucloud-token-" + "w4" * 12
TEMPLATE_ID = "UTA25120500A1B2"


class RunningFake:
    name = "ucloud"

    def __init__(self, server, state, config) -> None:
        self.server, self.state, self.config = server, state, config


@pytest.fixture
def receipts_way():
    return "push"


@pytest.fixture
def fake(bot_address, receipts_way):  # noqa: F811
    push_url = f"{bot_address.url}/webhooks/sms/ucloud?token={TOKEN}" if receipts_way == "push" else None
    config = FakeUCloudConfig(PUBLIC, PRIVATE, project_id=PROJECT, templates={TEMPLATE_ID: 1}, signatures={"Acme"},
                              deliver_ratio=0.85, fail_ratio=0.1, receipt_latency=0.05, push_url=push_url, seed=5)
    app, state = create_fake_ucloud(config)
    server = ThreadedServer(app).start()
    yield RunningFake(server, state, config)
    server.stop()


@pytest.fixture
def bot_overrides(fake, bot_address, receipts_way):  # noqa: F811
    token = {"ucloud_webhook_token": TOKEN} if receipts_way == "push" else {}
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "provider": "ucloud",
            "ucloud_public_key": PUBLIC, "ucloud_private_key": PRIVATE, "ucloud_project_id": PROJECT,
            "ucloud_base_url": fake.server.url, "public_url": bot_address.url, **token}


@pytest.mark.parametrize("receipts_way", ["push", "pull"])
async def test_a_task_goes_through_ucloud_once_each_and_its_receipts_settle_it(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot, receipts_way):  # noqa: F811
    await register_code(workspace, driver, "Receipt", TEMPLATE_ID)
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=RECIPIENTS)
    await start_due_tasks(bot_runtime, emulator, bot.url)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")

    assert fake.state.sends_per_number() == {phone(n): 1 for n in range(RECIPIENTS)}
    assert fake.state.requests["SendBatchUSMSMessage"] == 1 and fake.state.bad_signatures == 0  # 120 in one batch
    first = next(m for m in fake.state.messages if m.phone == phone(0))
    assert (first.template_id, first.sig_content, first.params) == (TEMPLATE_ID, "Acme", ["N0"])
    with Session(bot_runtime.engine) as session:  # each number carried its recipient's reference
        refs = dict(session.exec(select(TaskRecipient.phone, TaskRecipient.client_ref).where(
            TaskRecipient.task_id == task_id)).all())
    assert {m.phone: m.user_id for m in fake.state.messages} == refs
    decided = fake.state.outcomes()
    expected = {k: v for k, v in {"delivered": decided["delivered"], "failed": decided["failed"],
                                  "submitted": decided["silent"]}.items() if v}
    assert decided["delivered"] > RECIPIENTS * 0.7 and decided["failed"] > 0
    if receipts_way == "pull":
        clock.advance(seconds=6)  # a message is first asked about 5 s after its submission
    await eventually(lambda: status_of(bot_runtime, task_id)[1] == expected, timeout=30)
    asked = fake.state.requests["GetUSMSSendReceipt"]
    assert (asked > 0) == (receipts_way == "pull")
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                       if m.text.startswith("Send completed.") and
                                       f"{decided['delivered']} delivered" in m.text], timeout=15)
    assert report


async def test_a_td_reply_puts_the_number_on_the_opt_out_list_and_a_push_without_the_token_is_refused(
        fake, bot, bot_runtime):  # noqa: F811
    for number, text in (("+8613912345600", "TD"), ("+8613912345699", "Thanks!")):
        assert httpx.post(f"{fake.server.url}/fake/inbound", json={"phone": number, "content": text},
                          timeout=10).json() == {"posted": True}
    forged = {"MsgType": 0, "Data": [{"Phone": "13912345611", "ReplyContent": "TD", "ReplyTime": 1764892800}]}
    assert httpx.post(f"{bot.url}/webhooks/sms/ucloud", json=forged, timeout=10).status_code == 401
    with bot_runtime.uow() as uow:
        assert uow.opt_outs.get("+8613912345600").source == "inbound:ucloud"
        assert uow.opt_outs.get("+8613912345699") is None  # a reply, not an opt-out word
        assert uow.opt_outs.get("+8613912345611") is None
