"""International numbers are sent in the window's hours where they are (SMSBOT_WINDOW_BASIS=
recipient, the default), mainland ones in the workspace's: a task to a mainland, a US and a UK
number at 10:00 in Shanghai sends the first two (18:00 in California) and keeps the UK one
waiting, pending, until 08:00 in London; its progress message says so. The clock is the test's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID
from domain.approvers import Actor
from domain.content import TemplateKind
from domain.local_windows import WAITING_FOR_WINDOW
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.tasks import TaskDraft
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.tasks import create_task, record_task_thread
from handlers.task_thread import composition
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with its dispatcher, the gateway)
    bot, bot_overrides, bot_provider, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import SENDER, SENDER_ID, catalog  # noqa: F401

MAINLAND, US, UK = "+8613800138000", "+14155550100", "+447911123456"
LONDON_MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def approved_task(runtime, catalog, clock, workspace) -> tuple[int, str]:  # noqa: F811
    listed = import_file(runtime.uow(), f"phone,name\n{MAINLAND},Li\n{US},Ann\n{UK},Tom\n".encode(),
                         ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "world.csv"),
                         limits=Limits(1 << 20, 100), normalizer=PhoneNormalizer("CN"))
    draft = TaskDraft(name="World", purpose=None, kind=TemplateKind.TEXT, recipient_list_id=listed.list_id,
                      signature_id=catalog["signature"], template_id=catalog["Receipt"])
    task = create_task(runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=runtime.settings.sending_window, composition=composition(runtime.settings))
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    record_task_thread(runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    decide_task(runtime.uow(), task.id, task.version, Actor(APPROVER_ID, is_approver=True), Approval(approve=True),
                allow_self_approval=False, now=clock(), rules=runtime.settings.start_rules)
    return task.id, card.ts


def waiting(runtime, task_id: int) -> list[tuple[str, str | None]]:
    with runtime.uow() as uow:
        rows, _total = uow.task_recipients.details(task_id, statuses=["pending"])
        return [(row.phone, row.reason) for row in rows]


async def test_each_international_number_waits_for_its_own_morning(
        workspace, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    assert clock().hour == 2  # 10:00 in Shanghai, 02:00 in London, 18:00 the day before in California
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    state = gateway[2]
    await eventually(lambda: state.submissions_for(MAINLAND) == state.submissions_for(US) == 1)
    await eventually(lambda: waiting(bot_runtime, task_id) == [(UK, WAITING_FOR_WINDOW)])
    assert state.submissions_for(UK) == 0 and status_of(bot_runtime, task_id)[0] == "sending"
    with bot_runtime.uow() as uow:
        assert uow.task_recipients.waiting_for_window(task_id, WAITING_FOR_WINDOW) == (1, LONDON_MORNING)
    progress = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                         if "waiting for their sending window where they are" in str(m.blocks)])
    assert str(int(LONDON_MORNING.timestamp())) in str(progress[-1].blocks)

    clock.now = LONDON_MORNING  # 16:00 in Shanghai: both windows open
    await eventually(lambda: state.submissions_for(UK) == 1)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    await ticker.providers.aclose()
