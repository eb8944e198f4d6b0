"""Recipients in a Chinese workspace (SMSBOT_LANGUAGE=zh) whose people read Chinese (zh-CN): a
dropped file with invalid and duplicate rows (the import's reply in the file's thread, the
invalid-rows report in the uploader's DM), a refused file, the import modal with its inline
error and pasted numbers, audiences saved, listed and refused, the opt-out list and the sample
file — with no English left in what they were shown. An English uploader in the same workspace
reads the thread in Chinese and their own report in English."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.emulator.defaults import APPROVER_ID, BOT_USER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from tests.e2e.imports import files_sent_to, read_xlsx
from tests.untranslated import shown_texts, untranslated

ZH = {"language": "zh"}
CSV = (
    "phone,name,coupon\n"
    "13800138000,Li Lei,A1\n"           # row 2
    "+86 139 1234 5678,Han Meimei,B2\n"  # row 3
    "8613800138000,Dup,C3\n"            # row 4: a duplicate of row 2
    "12345,Short,D4\n"                  # row 5: too short
    "hello,Text,E5\n"                   # row 6: not a number
    "+1 201-555-0123,Bob,F6\n"          # row 7
).encode()
# What the file supplied: its name, its columns and its rows' values; and the pasting field's
# placeholder, the pattern of a mainland number (not English words).
SUPPLIED = ["spring.csv", "name", "coupon", "Li Lei", "Han Meimei", "Dup", "Short", "Text", "hello", "Bob",
            "+86 1xx xxxx xxxx"]


@pytest.fixture
def bot_overrides():
    return ZH


async def eventually(check, timeout: float = 20.0):
    for _attempt in range(int(timeout / 0.02)):
        if result := check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def import_reply(workspace, channel_id: str, thread_ts: str | None = None):
    """The bot's import message once it is no longer "正在导入…"."""
    def final():
        messages = workspace.replies(channel_id, thread_ts) if thread_ts else workspace.messages(channel_id)
        answers = [m for m in messages if m.user == BOT_USER_ID and m.ts != thread_ts]
        return answers and not answers[-1].text.startswith("正在导入") and answers[-1]
    return await eventually(final)


async def says(workspace, driver, user: str, command: str) -> str:
    before = len(workspace.ephemerals(user_id=user))
    await driver.slash_command(user, GENERAL_CHANNEL_ID, command)
    return (await eventually(lambda: workspace.ephemerals(user_id=user)[before:]))[-1].text


def english_shown(workspace, supplied=()) -> list[str]:
    return untranslated(shown_texts(workspace.calls()), supplied=[*SUPPLIED, *supplied])


def report_comment(workspace) -> str:
    [uploaded] = [c for c in workspace.calls("files.completeUploadExternal") if c.args.get("initial_comment")]
    return uploaded.args["initial_comment"]


async def test_a_dropped_file_is_answered_in_its_thread_and_its_invalid_rows_reach_the_uploader(
        workspace, driver, readers):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    reply = await import_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert reply.text == "spring.csv：已导入 3 个号码，已去除 2 个无效号码，已去除 1 个重复号码"
    shown = str(reply.blocks)
    assert "*spring.csv*：已导入 3 个号码，已去除 2 个无效号码，已去除 1 个重复号码。\\n模板变量：`${name}`, `${coupon}`" in shown
    assert "无效行（行号、原始值、原因）已发到你与我的私信中。可用按钮或 `/sms audience save &lt;名称&gt;` 将其保存" in shown
    assert [e["text"]["text"] for b in reply.blocks if b["type"] == "actions" for e in b["elements"]] == [
        "创建发送任务", "保存为受众"]
    [progress] = [c for c in workspace.calls("chat.postMessage") if c.args.get("thread_ts") == shared.message_ts]
    assert progress.args["text"] == "正在导入 spring.csv…"

    [report] = files_sent_to(workspace, SENDER_ID)
    assert report.name == "无效行-spring.xlsx"
    assert read_xlsx(report.content) == [("行号", "原始值", "原因"), (5, "12345", "号码太短"), (6, "hello", "不是号码")]
    assert report_comment(workspace) == "已从 *spring.csv* 中去除 2 个无效行，各列为：行号、原始值、原因。"
    assert english_shown(workspace) == []


async def test_a_refused_file_says_why_in_its_thread(workspace, driver, readers):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "scan.csv", b"%PDF-1.7 not a list")
    reply = await import_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert reply.text == "scan.csv 未导入：scan.csv 是 PDF，不是电子表格。请上传 .xlsx 或 .csv 文件。"
    assert "未保存任何内容。" in str(reply.blocks)
    assert english_shown(workspace, supplied=["scan.csv"]) == []


@pytest.mark.parametrize("bot_overrides", [ZH])
async def test_an_english_uploader_reads_the_thread_in_the_workspaces_language_and_their_report_in_theirs(
        workspace, driver, bot_overrides):
    workspace.user(SENDER_ID).locale = "en-US"
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    reply = await import_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert reply.text == "spring.csv：已导入 3 个号码，已去除 2 个无效号码，已去除 1 个重复号码"
    [report] = files_sent_to(workspace, SENDER_ID)
    assert report.name == "invalid-rows-spring.xlsx"
    assert read_xlsx(report.content) == [("row", "value", "reason"), (5, "12345", "too short"), (6, "hello", "not a number")]
    assert report_comment(workspace) == "2 invalid rows removed from *spring.csv*: row number, value as written, reason."


def paste(text: str) -> dict:
    return {BlockId.IMPORT_PASTE: {ActionId.IMPORT_PASTE_INPUT: {"type": "plain_text_input", "value": text}}}


def audience_name(name: str) -> dict:
    return {BlockId.AUDIENCE_NAME: {ActionId.AUDIENCE_NAME_INPUT: {"type": "plain_text_input", "value": name}}}


async def test_pasted_numbers_through_the_modal_and_saved_as_an_audience(workspace, driver, readers, uow):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "import")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert (modal.definition["title"]["text"], modal.definition["submit"]["text"]) == ("导入接收人", "导入")
    await driver.view_submission(SENDER_ID, modal.id, {})
    assert workspace.submissions[-1].errors == {BlockId.IMPORT_FILE: "请选择文件或粘贴号码（二选一）。",
                                                BlockId.IMPORT_PASTE: "请选择文件或粘贴号码（二选一）。"}
    await driver.view_submission(SENDER_ID, modal.id, paste("13800138000\n+86 139 1234 5678, 13800138000, 12345"))
    reply = await import_reply(workspace, GENERAL_CHANNEL_ID)
    assert reply.text == "粘贴的号码：已导入 2 个号码，已去除 1 个无效号码，已去除 1 个重复号码"
    assert "没有变量列：只找到了号码列。" in str(reply.blocks)
    [report] = files_sent_to(workspace, SENDER_ID)
    assert report.name == "无效行-粘贴的号码.xlsx"

    await driver.block_actions(SENDER_ID, ActionId.IMPORT_SAVE_AUDIENCE, message=(GENERAL_CHANNEL_ID, reply.ts))
    naming = await eventually(lambda: (view := workspace.views.top_modal(SENDER_ID)) and view.id != modal.id and view)
    assert naming.definition["title"]["text"] == "保存为受众"
    await driver.view_submission(SENDER_ID, naming.id, audience_name("春季客户"))
    assert (await eventually(lambda: workspace.ephemerals(user_id=SENDER_ID)))[-1].text == (
        "已保存受众 *春季客户*：2 个接收人。")
    await driver.block_actions(SENDER_ID, ActionId.IMPORT_SAVE_AUDIENCE, message=(GENERAL_CHANNEL_ID, reply.ts))
    again = await eventually(lambda: (view := workspace.views.top_modal(SENDER_ID)) and view.id != naming.id and view)
    await driver.view_submission(SENDER_ID, again.id, audience_name("春季客户"))
    assert workspace.submissions[-1].errors == {BlockId.AUDIENCE_NAME: "名为“春季客户”的受众已存在。请换一个名称。"}
    assert english_shown(workspace, supplied=["春季客户"]) == []


async def test_audiences_are_saved_listed_and_refused_in_chinese(workspace, driver, readers):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "import")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, paste("13800138000"))
    await import_reply(workspace, GENERAL_CHANNEL_ID)

    assert await says(workspace, driver, SENDER_ID, "audience save VIP") == "已保存受众 *VIP*：1 个接收人。"
    assert await says(workspace, driver, MEMBER_ID, "audience save 空的") == (
        "你在此频道中还没有可保存的导入。请先把 XLSX 或 CSV 文件拖到这里。")
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "audience list")
    listing = (await eventually(lambda: [e for e in workspace.ephemerals(user_id=MEMBER_ID) if e.blocks]))[-1]
    assert listing.text == "1 个受众"
    assert f"*VIP* — 1 个接收人，无变量\n由 <@{SENDER_ID}> 于 " in str(listing.blocks[1]["text"]["text"])
    assert await says(workspace, driver, MEMBER_ID, "audience delete vip") == (
        f"只有 <@{SENDER_ID}> 或审批人可以删除“VIP”。")
    assert await says(workspace, driver, APPROVER_ID, "audience delete vip") == (
        "已删除受众 *VIP*。其接收人仍保留在原来的导入中。")
    assert await says(workspace, driver, APPROVER_ID, "audience delete vip") == (
        "没有名为“vip”的受众。`/sms audience list` 可列出所有受众。")
    assert (await says(workspace, driver, SENDER_ID, "audience")).startswith(
        "`/sms audience save &lt;名称&gt;` 保存你在此频道中最近一次导入的名单")
    assert english_shown(workspace, supplied=["VIP", "vip"]) == []


async def test_the_opt_out_list_and_the_sample_file_in_chinese(workspace, driver, readers):
    assert await says(workspace, driver, SENDER_ID, "optout add 13800138000") == (
        "•••8000 已加入退订名单：不会再收到推广短信。")
    assert await says(workspace, driver, SENDER_ID, "optout add 13800138000") == "•••8000 已在退订名单中。"
    assert await says(workspace, driver, SENDER_ID, "optout check +86 138 0013 8000") == "•••8000 在退订名单中。"
    assert await says(workspace, driver, SENDER_ID, "optout check 12345") == "这不是可用的电话号码：号码太短。"
    assert await says(workspace, driver, SENDER_ID, "optout remove 13800138000") == "•••8000 已移出退订名单。"
    assert await says(workspace, driver, SENDER_ID, "optout check 13800138000") == "•••8000 不在退订名单中。"
    assert (await says(workspace, driver, SENDER_ID, "optout")).startswith(
        "`/sms optout add &lt;号码&gt;` 停止向该号码发送推广短信")

    assert await says(workspace, driver, SENDER_ID, "sample") == "我已在私信中给你发送了接收人示例文件。"
    [sample] = await eventually(lambda: files_sent_to(workspace, SENDER_ID))
    assert sample.name == "smsbot-接收人示例.xlsx"
    assert read_xlsx(sample.content)[0] == ("手机号码",)
    assert report_comment(workspace).startswith("接收人示例文件：一个 `手机号码` 列，之后每个模板变量各占一列。")
    assert english_shown(workspace) == []
