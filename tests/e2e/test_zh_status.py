"""Status and reporting in a Chinese workspace (SMSBOT_LANGUAGE=zh) whose people read Chinese
(zh-CN): `/sms list`, `/sms status` and its Details modal (Next, Refresh, an inline error),
`/sms lookup`, the Home tab, an export (the DM and the file's header) and a follow-up, and
`/sms audit` with its refusal — with no English left in what they were shown."""

from __future__ import annotations

import json

import pytest

from bot.providers.simulator import FAILURE_REASONS
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from domain.content import Purpose, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.tasks import create_task
from handlers.ids import ActionId, BlockId
from tests.e2e.sent_tasks import SENDER, sent_to_the_end, uploads_to, values_with_calamine
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with sending on, the gateway)
    bot, bot_provider, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import catalog  # noqa: F401  (approved content)
from tests.untranslated import shown_texts, untranslated

ZH = {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "language": "zh"}
NAME = "十一月回执"
RECIPIENTS = 24
# What people, files and the provider supplied: names, the template's words, the simulator's
# failure reasons and codes.
SUPPLIED = [NAME, "Acme", "Receipt", "Hi", "your order shipped", "名单.csv",
            *(text for pair in FAILURE_REASONS for text in pair)]


@pytest.fixture
def bot_overrides():
    return ZH


@pytest.fixture
def gateway_options():
    return {"deliver_ratio": 0.7, "fail_ratio": 0.25}  # failures to export, and a few left without a receipt


@pytest.fixture
def readers(workspace):
    for user in (SENDER_ID, APPROVER_ID, MEMBER_ID):
        workspace.user(user).locale = "zh-CN"


def english_shown(workspace, supplied=()) -> list[str]:
    return untranslated(shown_texts(workspace.calls()), supplied=[*SUPPLIED, *supplied])


def _draft(runtime, catalog, recipients: int) -> TaskDraft:  # noqa: F811
    csv = "phone,name\n" + "".join(f"1380013{n:04d},李{n}\n" for n in range(recipients))
    summary = import_file(runtime.uow(), csv.encode(), ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "名单.csv"),
                          limits=Limits(1 << 20, 10_000), normalizer=PhoneNormalizer("CN"))
    return TaskDraft(name=NAME, purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                     recipient_list_id=summary.list_id, signature_id=catalog["signature"],
                     template_id=catalog["Receipt"])


def _created(runtime, catalog, clock, recipients: int = 2):  # noqa: F811
    return create_task(runtime.uow(), _draft(runtime, catalog, recipients), SENDER, origin_channel=GENERAL_CHANNEL_ID,
                       now=clock(), window=runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "回复TD退订"))


async def sent_task(runtime, catalog, clock, workspace, emulator, gateway):  # noqa: F811
    """An approved task sent to the end by the bot's dispatcher, its last receipts in: (id, report)."""
    task = _created(runtime, catalog, clock, RECIPIENTS)
    _card_ts, report = await sent_to_the_end(runtime, task, clock, workspace, emulator, gateway,
                                             report_starts="发送已完成。")
    return task.id, report


async def says(workspace, driver, user: str, command: str, channel: str = GENERAL_CHANNEL_ID):
    before = len(workspace.ephemerals(user_id=user))
    await driver.slash_command(user, channel, command)
    return (await eventually(lambda: workspace.ephemerals(user_id=user)[before:]))[-1]


def shown(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def buttons(blocks) -> list[str]:
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"]


def footer(view) -> str:
    return next(b["elements"][0]["text"] for b in view.blocks if b["type"] == "context" and "页" in shown(b))


async def test_lists_details_and_lookup_in_chinese(workspace, driver, readers, catalog, bot_runtime, emulator,
                                                   gateway, clock, bot):  # noqa: F811
    task_id, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    listed = await says(workspace, driver, SENDER_ID, "list")
    assert listed.text == "此频道中的任务共 1 个：第 1–1 个"
    line = next(b["text"]["text"] for b in listed.blocks if b.get("block_id") == f"{BlockId.LIST_TASK}:{task_id}")
    assert f" · #{task_id} · *已完成*\n发送时间：批准后立即 · 发起人 <@{SENDER_ID}>\n已提交运营商 24 · 已送达 " in line
    assert (await says(workspace, driver, SENDER_ID, "list scheduled")).text == "没有此频道中的已排期任务。"
    assert (await says(workspace, driver, MEMBER_ID, "list all 回执")).text == "没有你可见的、名称包含“回执”的任务。"
    assert "任务名称最多 30 个字符" in (await says(workspace, driver, SENDER_ID, "list " + "长" * 31)).text

    # the requester's Details: 10 a page, each with its message; Next, Refresh, and a refused search
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"status #{task_id}")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    definition = modal.definition
    assert (definition["title"]["text"], definition["submit"]["text"], definition["close"]["text"]) == (
        "任务详情", "搜索", "关闭")
    assert definition["blocks"][0]["text"]["text"] == f"发送任务：{NAME}"
    assert "*状态*\\n已完成" in shown(definition["blocks"][1]) and "*接收人*\\n24" in shown(definition["blocks"][1])
    assert buttons(modal.blocks) == ["下一页", "刷新"]
    assert footer(modal) == "第 1–10 个，共 24 个 · 第 1/3 页 · 号码（包括内容中的号码）仅显示后四位"
    assert "`•••0000` · 第 2 行 · *" in shown(modal.blocks) and " · 计费 1 条\\n>【Acme】Hi 李0" in shown(modal.blocks)
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_NEXT, view_id=modal.id)
    view = await eventually(lambda: (v := workspace.views.get(modal.id)) and "第 2/3 页" in footer(v) and v)
    assert buttons(view.blocks) == ["上一页", "下一页", "刷新"]
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_REFRESH, view_id=modal.id)
    await driver.view_submission(SENDER_ID, modal.id, {BlockId.DETAILS_SEARCH: {
        ActionId.DETAILS_SEARCH_INPUT: {"value": "13800130007"}}})
    assert workspace.submissions[-1].errors == {BlockId.DETAILS_SEARCH: "请按号码的末几位搜索：1 到 4 位数字。"}
    await driver.view_closed(SENDER_ID, modal.id)

    # a member of the channel reads the last four digits and the statuses only, filtered
    await driver.block_actions(MEMBER_ID, ActionId.TASK_DETAILS, message=(APPROVALS_CHANNEL_ID, report.ts))
    theirs = await eventually(lambda: workspace.views.top_modal(MEMBER_ID))
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_FILTER_SELECT, view_id=theirs.id,
                               selected_option={"value": "failed"})
    failed = await eventually(lambda: (v := workspace.views.get(theirs.id)) and "*失败*" in shown(v.blocks) and v)
    rows = [b["text"]["text"] for b in failed.blocks if b.get("block_id", "").startswith(BlockId.DETAILS_ROWS)]
    assert footer(failed).endswith(" · 号码仅显示后四位") and rows and "*已送达*" not in shown(rows)
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_SEARCH_INPUT, view_id=theirs.id, value="9999")
    await eventually(lambda: "没有状态为“失败”且号码以 9999 结尾的接收人。" in shown(workspace.views.get(theirs.id).blocks))

    found = await says(workspace, driver, SENDER_ID, "lookup 13800130007")
    assert found.text == "•••0007 出现在此频道的 1 个任务中"
    assert f"• *{NAME}* （#{task_id}，已完成）： *" in shown(found.blocks)
    assert (await says(workspace, driver, SENDER_ID, "lookup 13900000000")).text.startswith(
        "•••0000 不在此频道任务的接收人中")
    assert (await says(workspace, driver, SENDER_ID, "lookup")).text.startswith("用法：`/sms lookup &lt;号码&gt;`")
    assert (await says(workspace, driver, SENDER_ID, "status 999")).text.startswith("没有编号或名称为“999”的任务。")
    assert english_shown(workspace) == []


async def test_an_export_and_a_follow_up_in_chinese(workspace, driver, readers, catalog, bot_runtime, emulator,
                                                    gateway, clock, bot):  # noqa: F811
    task_id, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    refused = await says(workspace, driver, MEMBER_ID, f"export #{task_id}")
    assert refused.text == f"只有 <@{SENDER_ID}>（本次发送的发起人） 或审批人可以导出其接收人或进行跟进。"
    assert (await says(workspace, driver, SENDER_ID, "export")).text.startswith("`/sms export &lt;任务&gt; [failed|")

    await driver.block_actions(SENDER_ID, ActionId.EXPORT_FAILED, message=(APPROVALS_CHANNEL_ID, report.ts))
    dm = workspace.open_dm(SENDER_ID).id
    [upload] = await eventually(lambda: uploads_to(workspace, dm))
    assert upload.args["initial_comment"].startswith(f"*{NAME}* 的导出：失败，")
    assert "行，含完整手机号码。请妥善保管" in upload.args["initial_comment"]
    preparing = [e.text for e in workspace.ephemerals(user_id=SENDER_ID) if e.text.startswith("正在准备")]
    assert preparing and preparing[0].startswith(f"正在准备 *{NAME}* 的导出（失败，")
    [export] = [f for f in workspace.files.all() if dm in f.channels]
    rows = values_with_calamine(export.content)
    assert rows[0] == ["行号", "手机号码", "name", "状态", "提交时间（Asia/Shanghai）", "回执时间（Asia/Shanghai）",
                       "错误代码", "原因", "短信 ID", "字符数", "计费条数", "内容"]
    assert {row[3] for row in rows[1:]} == {"失败"} and all(row[7] for row in rows[1:])

    # Follow up on…: nothing chosen is refused on its field; the failed numbers saved as an audience
    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_CHOOSE, message=(APPROVALS_CHANNEL_ID, report.ts))
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert (modal.definition["title"]["text"], modal.definition["submit"]["text"]) == ("跟进", "下一步")
    await driver.view_submission(SENDER_ID, modal.id, {BlockId.FOLLOW_UP_NUMBERS: {
        ActionId.FOLLOW_UP_NUMBERS_INPUT: {"type": "checkboxes", "selected_options": []}}})
    assert workspace.submissions[-1].errors == {BlockId.FOLLOW_UP_NUMBERS: "请选择已送达、失败或无回执，可任意组合。"}
    await driver.view_submission(SENDER_ID, modal.id, {
        BlockId.FOLLOW_UP_NUMBERS: {ActionId.FOLLOW_UP_NUMBERS_INPUT: {
            "type": "checkboxes", "selected_options": [{"value": "failed"}]}},
        BlockId.FOLLOW_UP_DO: {ActionId.FOLLOW_UP_DO_INPUT: {"type": "radio_buttons",
                                                            "selected_option": {"value": "audience"}}},
        BlockId.FOLLOW_UP_NAME: {ActionId.FOLLOW_UP_NAME_INPUT: {"value": "失败的号码"}}})
    saved = await eventually(lambda: next((v for v in workspace.views.all() if "已保存受众" in shown(v.blocks)), None))
    assert "已保存受众 *失败的号码* ：" in shown(saved.blocks) and "个失败号码。在发送窗口中选择它即可跟进。" in shown(saved.blocks)
    assert english_shown(workspace, supplied=[export.name, "失败的号码"]) == []


async def test_the_home_tab_and_the_audit_trail_in_chinese(workspace, driver, readers, catalog, bot_runtime, emulator,
                                                           gateway, clock, bot):  # noqa: F811
    task_id, _report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    waiting = _created(bot_runtime, catalog, clock)
    await driver.app_home_opened(SENDER_ID)
    home = await eventually(lambda: workspace.views.home(SENDER_ID))
    assert home.blocks[0]["text"]["text"] == "smsbot：在 Slack 中群发短信"
    assert buttons(home.blocks) == ["新建发送", "上传接收人", "示例文件"]
    assert "你最近的任务" in shown(home.blocks) and "*已完成*" in shown(home.blocks) and "*待审批*" in shown(home.blocks)
    assert "你可以发起发送；每次发送在发出前都由审批人审核。" in shown(home.blocks)
    await driver.app_home_opened(APPROVER_ID)
    theirs = await eventually(lambda: workspace.views.home(APPROVER_ID))
    assert "等待你决定" in shown(theirs.blocks) and "*发送任务* （1）" in shown(theirs.blocks)
    assert "还没有发送任务。请点击 *新建发送* 或运行 `/sms send`。" in shown(theirs.blocks)
    assert [b for b in theirs.blocks if b.get("block_id") == f"{BlockId.HOME_PENDING_TASK}:{waiting.id}"]

    trail = await says(workspace, driver, APPROVER_ID, f"audit #{task_id}")
    assert trail.text.startswith(f"“{NAME}”的审计记录（#{task_id}，已完成）：第 1–")
    assert trail.text.endswith("，最新的在前")
    assert f"<@{APPROVER_ID}> 批准了此任务 · 第 1 版" in shown(trail.blocks)
    assert f"<@{SENDER_ID}> 创建了此任务 · 名为“{NAME}” · 24 个接收人" in shown(trail.blocks)
    assert "smsbot 开始发送此任务 · 24 个接收人" in shown(trail.blocks)
    assert buttons(trail.blocks) == ["最早的在前"]
    await driver.block_actions(APPROVER_ID, ActionId.AUDIT_ORDER, message=(GENERAL_CHANNEL_ID, trail.ts))
    oldest = await eventually(lambda: (m := workspace.ephemeral(trail.ts)).text.endswith("最早的在前") and m)
    assert buttons(oldest.blocks) == ["最新的在前"]
    refused = await says(workspace, driver, MEMBER_ID, f"audit #{task_id}")
    assert refused.text == "只有审批人可以查看任务的审计记录。"
    assert (await says(workspace, driver, APPROVER_ID, "audit")).text.startswith("用法：`/sms audit &lt;任务 ID 或名称&gt;`")
    assert english_shown(workspace) == []
