"""Receipts by pull through each real provider adapter, made from the deployment's settings
(`SMSBOT_RECEIPTS=pull`), against its fake, which pushes nothing: every receipt the bot records
it asked for, and the totals end as the fake decided them."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID
from bot.threaded_server import ThreadedServer
from tests.e2e.test_dispatch import approved_task, eventually
from tests.e2e.test_provider_sends import (  # noqa: F401  (fixtures: the bot, its address and its provider)
    ALIBABA_KEY_ID, ALIBABA_KEY_SECRET, PLAIN_CODE, RECEIPT_CODE, SIGN_NAME, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN,
    CARD_CODE, RunningFake, bot, bot_address, bot_provider, provider_name, register_code, start_due_tasks, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401  (the approved content fixture)
from tests.provider_fakes.alibaba import FakeAlibabaConfig, create_fake_alibaba
from tests.provider_fakes.twilio.fake import FakeTwilioConfig, create_fake_twilio

RECIPIENTS = 100


@pytest.fixture
def fake(provider_name, bot_address, clock):  # noqa: F811
    """The provider's fake on the bot's clock, posting no receipt anywhere."""
    if provider_name == "twilio":
        config = FakeTwilioConfig(
            account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, twilio_number=TWILIO_FROM, deliver_ratio=0.8,
            undeliver_ratio=0.1, fail_ratio=0.05, receipt_latency=(0.0, 0.3), seed=7, post_status_callbacks=False,
            clock=clock)
        app, state = create_fake_twilio(config)
    else:
        config = FakeAlibabaConfig(
            access_keys={ALIBABA_KEY_ID: ALIBABA_KEY_SECRET}, sign_names={SIGN_NAME},
            template_codes={RECEIPT_CODE, CARD_CODE, PLAIN_CODE}, template_variables={RECEIPT_CODE: ("name",)},
            deliver_ratio=0.85, fail_ratio=0.1, receipt_latency=(0.0, 0.3), seed=7, report_url=None, clock=clock)
        app, state = create_fake_alibaba(config)
    server = ThreadedServer(app).start()
    yield RunningFake(provider_name, server, state, bot_address.url)
    server.stop()


@pytest.fixture
def bot_overrides(fake):
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", **fake.settings(),
            "receipts": "pull"}


def pushed(fake: RunningFake) -> int:
    return fake.state.callbacks_posted if fake.name == "twilio" else fake.state.reports_posted


def asked(fake: RunningFake) -> int:
    return fake.state.fetches if fake.name == "twilio" else fake.state.queries


async def test_receipts_pulled_end_with_the_totals_the_fake_decided(
        workspace, driver, catalog, bot_runtime, emulator, clock, fake, bot):  # noqa: F811
    if fake.name == "alibaba":
        await register_code(workspace, driver, "Receipt", RECEIPT_CODE)
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=RECIPIENTS)
    await start_due_tasks(bot_runtime, emulator, bot.url)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    # Nothing pushed, and nothing asked yet: a message is first asked about 5 s after its submission.
    assert status_of(bot_runtime, task_id)[1] == {"submitted": RECIPIENTS} and asked(fake) == 0

    decided = fake.outcomes()
    expected = {k: v for k, v in {"delivered": decided["delivered"], "failed": decided["failed"],
                                  "submitted": decided["silent"]}.items() if v}
    assert decided["delivered"] > RECIPIENTS * 0.7 and decided["failed"] > 0 and decided["silent"] > 0
    clock.advance(seconds=6)
    await eventually(lambda: status_of(bot_runtime, task_id)[1] == expected, timeout=30)
    assert pushed(fake) == 0 and asked(fake) >= RECIPIENTS
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                       if m.text.startswith("Send completed.") and
                                       f"{decided['delivered']} delivered" in m.text], timeout=15)
    assert report
