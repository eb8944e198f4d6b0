"""Send tasks in a Chinese workspace (SMSBOT_LANGUAGE=zh) whose people read Chinese (zh-CN):
the approval card, refusals, an approval and a rejection with their thread notes, the live
progress message paused and resumed, the final report with its chart, and the requester's
news in their DM — with no English left in what they were shown."""

from __future__ import annotations


import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.providers.simulator import FAILURE_REASONS
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, MEMBER_ID, SECOND_APPROVER_ID, SENDER_ID,
)
from domain.exports import details_expire_at
from domain.i18n import in_public
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.content import TemplateKind
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.tasks import create_task, get_task
from handlers.exports_blocks import retention_line
from handlers.ids import ActionId, BlockId
from handlers.task_thread import on_task_submitted
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with sending on, the gateway)
    bot, bot_provider, gateway, gateway_options, started,
)
from tests.e2e.test_dispatch import eventually as eventually_long
from tests.e2e.test_send_tasks import SENDER, catalog, eventually  # noqa: F401  (catalog: a fixture)
from tests.untranslated import shown_texts, untranslated

ZH = {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "language": "zh"}
NAME = "十一月回执"
# What people and the provider supplied: content names, and the simulator's failure reasons.
SUPPLIED = [NAME, "Acme", "Receipt", "Hi", "your order shipped", *(message for _code, message in FAILURE_REASONS)]


@pytest.fixture
def bot_overrides():
    return ZH


@pytest.fixture
def readers(workspace):
    for user in (SENDER_ID, APPROVER_ID, SECOND_APPROVER_ID, MEMBER_ID):
        workspace.user(user).locale = "zh-CN"


def english_shown(workspace, supplied=()) -> list[str]:
    return untranslated(shown_texts(workspace.calls()), supplied=[*SUPPLIED, *supplied])


async def submitted(bot_runtime, emulator, catalog, recipients: int = 2) -> tuple[int, str]:  # noqa: F811
    """A task submitted as the send modal does it: stored, then its card posted by the bot."""
    csv = "phone,name\n" + "".join(f"1380013{n:04d},李{n}\n" for n in range(recipients))
    summary = import_file(bot_runtime.uow(), csv.encode(), ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "名单.csv"),
                          limits=Limits(1 << 20, 10_000), normalizer=PhoneNormalizer("CN"))
    draft = TaskDraft(name=NAME, purpose=None, kind=TemplateKind.TEXT, recipient_list_id=summary.list_id,
                      signature_id=catalog["signature"], template_id=catalog["Receipt"])
    task = create_task(bot_runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=bot_runtime.clock(),
                       window=bot_runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "回复TD退订"))
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    await on_task_submitted(client, bot_runtime.uow, bot_runtime.settings, bot_runtime.clock, task, SENDER,
                            edited=False)
    return task.id, get_task(bot_runtime.uow(), task.id).thread_ts


def dm_of(workspace, user: str) -> list[str]:
    return [m.text for m in workspace.messages(workspace.open_dm(user).id)]


def buttons(message) -> list[str]:
    return [e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
            if e["type"] == "button"]


async def refused(workspace, driver, user: str, action: str, message: tuple[str, str]) -> str:
    before = len(workspace.ephemerals(user_id=user))
    await driver.block_actions(user, action, message=message)
    return (await eventually(lambda: workspace.ephemerals(user_id=user)[before:]))[-1].text


@pytest.mark.parametrize("gateway_options", [{"deliver_ratio": 0.9, "fail_ratio": 0.1}])  # every message answers
@pytest.mark.parametrize("bot_overrides", [ZH | {"send_rate": 15}])  # slow enough to pause
async def test_a_task_is_approved_sent_paused_resumed_and_reported_in_chinese(
        workspace, driver, readers, catalog, bot_runtime, emulator, gateway, bot):  # noqa: F811
    task_id, card_ts = await submitted(bot_runtime, emulator, catalog, recipients=120)
    card = workspace.message(APPROVALS_CHANNEL_ID, card_ts)
    assert card.text == f"发送任务“{NAME}”：待审批"
    assert card.blocks[0]["text"]["text"] == f"发送任务：{NAME}"
    assert card.blocks[1]["fields"][0]["text"] == "*状态*\n待审批"
    assert buttons(card) == ["批准", "驳回", "编辑", "取消任务", "复制", "测试发送"]
    assert "*文本短信* · 通知 · 签名 *Acme* · 模板 *Receipt*" in str(card.blocks)
    said = next(m.text for m in workspace.messages(GENERAL_CHANNEL_ID) if "提交了发送任务" in m.text)
    assert said.startswith(f"<@{SENDER_ID}> 提交了发送任务 *{NAME}* 等待审批：<")

    at_card = (APPROVALS_CHANNEL_ID, card_ts)
    assert (await refused(workspace, driver, MEMBER_ID, ActionId.TASK_APPROVE, at_card)) == (
        "只有审批人可以批准或驳回。请联系此频道中的审批人。")
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=at_card)
    note = await eventually(lambda: [m.text for m in workspace.replies(*at_card) if "批准了此任务" in m.text])
    assert note == [f"<@{APPROVER_ID}> 批准了此任务，现在开始发送。"]
    news = await eventually(lambda: [t for t in dm_of(workspace, SENDER_ID) if "已被" in t])
    assert news[0].startswith(f"你的发送任务 *{NAME}* 已被 <@{APPROVER_ID}> 批准，现在开始发送。 <")

    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)  # the tick starts it
    progress = await eventually_long(lambda: next((m for m in workspace.replies(*at_card)
                                                   if m.text.startswith("发送中：") and m.blocks), None))
    assert buttons(progress) == ["暂停", "停止"]
    await driver.block_actions(SENDER_ID, ActionId.TASK_PAUSE, message=(APPROVALS_CHANNEL_ID, progress.ts))
    paused = await eventually_long(lambda: (m := workspace.message(APPROVALS_CHANNEL_ID, progress.ts)).text
                                   .startswith("已暂停：") and m)
    assert buttons(paused) == ["继续", "停止"] and "*尚未发送*" in str(paused.blocks)
    # The note is the Pause listener's, the message the notifier's: either may be told first.
    await eventually(lambda: f"<@{SENDER_ID}> 暂停了此次发送。" in [m.text for m in workspace.replies(*at_card)])
    assert (await refused(workspace, driver, MEMBER_ID, ActionId.TASK_RESUME, (APPROVALS_CHANNEL_ID, progress.ts))) == (
        f"只有 <@{SENDER_ID}> 或审批人可以暂停、继续或停止此次发送。")
    await driver.block_actions(APPROVER_ID, ActionId.TASK_RESUME, message=(APPROVALS_CHANNEL_ID, progress.ts))
    await eventually(lambda: f"<@{APPROVER_ID}> 继续了此次发送。" in [m.text for m in workspace.replies(*at_card)])

    report = await eventually_long(lambda: next((m for m in workspace.replies(*at_card)
                                                 if m.text.startswith("发送已完成。") and "回执已全部收齐。" in str(m.blocks)),
                                                None), timeout=60)
    assert report.text.startswith("发送已完成。 共 120 个接收人：已提交运营商 120，已送达 ")
    assert "主要失败原因：" in str(report.blocks)
    finished = await eventually_long(lambda: workspace.message(APPROVALS_CHANNEL_ID, progress.ts).text
                                     .startswith("发送完毕：已处理 120/120") or None)
    assert finished
    done = await eventually_long(lambda: [t for t in dm_of(workspace, SENDER_ID) if "已完成：" in t])
    assert done[0].startswith(f"你的发送任务 *{NAME}* 已完成：共 120 个接收人，已送达 ")
    await eventually_long(lambda: [c for c in workspace.calls("files.completeUploadExternal")
                                   if c.args["files"][0]["title"] == "送达情况随时间变化"])
    with in_public():
        kept = retention_line(details_expire_at(get_task(bot_runtime.uow(), task_id).finished_at,
                                                bot_runtime.settings.detail_retention_days))
    assert english_shown(workspace, supplied=[kept]) == []
    await ticker.providers.aclose()


async def test_a_task_is_rejected_in_chinese_and_a_late_decision_refused_on_its_modal(
        workspace, driver, readers, catalog, bot_runtime, emulator):  # noqa: F811
    task_id, card_ts = await submitted(bot_runtime, emulator, catalog)
    at_card = (APPROVALS_CHANNEL_ID, card_ts)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_REJECT, message=at_card)
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    assert modal.definition["title"]["text"] == "驳回发送任务" and modal.definition["submit"]["text"] == "驳回"
    await driver.block_actions(SECOND_APPROVER_ID, ActionId.TASK_REJECT, message=at_card)
    too_late = await eventually(lambda: workspace.views.top_modal(SECOND_APPROVER_ID))

    reason = "受众不对 <!channel>"
    await driver.view_submission(APPROVER_ID, modal.id, {BlockId.APPROVAL_REASON: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "plain_text_input", "value": reason}}})
    note = await eventually(lambda: [m.text for m in workspace.replies(*at_card) if "驳回了此任务" in m.text])
    assert note == [f"<@{APPROVER_ID}> 驳回了此任务：受众不对 &lt;!channel&gt;"]
    card = workspace.message(*at_card)
    assert card.text == f"发送任务“{NAME}”：已驳回"
    assert f"由 <@{APPROVER_ID}> 驳回 · 受众不对 &lt;!channel&gt; · 任务 #{task_id}，第 1 版" in str(card.blocks)
    assert buttons(card) == ["编辑", "删除", "复制", "测试发送"]
    news = await eventually(lambda: [t for t in dm_of(workspace, SENDER_ID) if "驳回" in t])
    assert news[0].startswith(f"你的发送任务 *{NAME}* 已被 <@{APPROVER_ID}> 驳回：受众不对 &lt;!channel&gt; <")
    await eventually(lambda: any("当前状态： *已驳回* ，原因：受众不对 &lt;!channel&gt;。" in m.text
                                 for m in workspace.messages(GENERAL_CHANNEL_ID)))

    await driver.view_submission(SECOND_APPROVER_ID, too_late.id, {BlockId.APPROVAL_REASON: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "plain_text_input", "value": "太晚了"}}})
    assert workspace.submissions[-1].errors == {
        BlockId.APPROVAL_REASON: f"此任务已由 <@{APPROVER_ID}> 决定：当前状态为“已驳回”。"}
    assert english_shown(workspace, supplied=["太晚了"]) == []
