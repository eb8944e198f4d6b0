"""The send modal and test sends for people who read Chinese (zh-CN), in a Chinese workspace
(SMSBOT_LANGUAGE=zh): the modal and its choices, the preview with its cost in ¥, inline errors
for a bad name and a past time, a task submitted; a test send refused to a member, refused on
its numbers, and sent, with its result and the thread's note — with no English left in what
they were shown."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, MEMBER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with sending on, the gateway)
    approved_task, bot, bot_provider, eventually, gateway, gateway_options,
)
from tests.e2e.test_send_tasks import cards, catalog, form, open_send_modal, select, text  # noqa: F401
from tests.e2e.test_test_sends import numbers_form, open_test_modal, posted_card
from tests.untranslated import shown_texts, untranslated

ZH = {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai", "language": "zh"}
NAME = "十一月回执"
# What people and files supplied: content names and bodies, file names, the test's task name
# and typed value; and the commands a hint names, which stay English words in both languages.
SUPPLIED = ["Acme", "Receipt", "Coupon", "Spring card", "Long", "Shipped", "Hi Li, your order shipped",
            "Hi Han, your order shipped", "Hi Tester, your order shipped", "list.csv", "coupons.csv", "big.csv",
            "Big send", "Tester", "/sms signature add"]


@pytest.fixture
def bot_overrides():
    return ZH


def block(view, block_id: str) -> dict:
    return next(b for b in view.blocks if b.get("block_id") == block_id)


def past_time() -> dict:
    return {"date": {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "2026-11-22"}},
            "time": {ActionId.SEND_FIELD: {"type": "timepicker", "selected_time": "10:00"}}}


async def chosen(workspace, driver, modal_id: str, block_id: str, value: str, brings):
    """A choice that re-renders the modal, and the view once its answer shows."""
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal_id, block_id=block_id,
                               selected_option={"value": value})
    return await eventually(lambda: (v := workspace.views.get(modal_id)) and brings(v) and v)


async def test_the_send_modal_previews_refuses_inline_and_submits_in_chinese(
        workspace, driver, readers, catalog, bot_runtime):  # noqa: F811
    modal = await open_send_modal(workspace, driver)
    assert (modal.definition["title"]["text"], modal.definition["submit"]["text"],
            modal.definition["close"]["text"]) == ("新建发送任务", "提交审批", "取消")
    assert block(modal, BlockId.SEND_NAME)["label"]["text"] == "任务名称"
    assert block(modal, BlockId.SEND_NAME)["hint"]["text"] == "最多 30 个字符。"
    assert block(modal, BlockId.SEND_PREVIEW)["elements"][0]["text"] == "选择接收人、签名和模板后即可预览消息。"

    workspace.views.set_state(modal.id, form(catalog))
    shown = await chosen(workspace, driver, modal.id, BlockId.SEND_TEMPLATE, str(catalog["Receipt"]),
                         lambda v: block(v, BlockId.SEND_PREVIEW)["type"] == "section")
    preview = block(shown, BlockId.SEND_PREVIEW)["text"]["text"]
    assert preview == ("*预览*（第一个接收人）\n>【Acme】Hi Li, your order shipped\n"
                       "31 个字符 · UCS-2 · 计费 1 条 · 2 个接收人 · 预估 ¥0.09\n"
                       "*最长的消息*（32 个字符）\n>【Acme】Hi Han, your order shipped")
    assert block(shown, BlockId.SEND_PURPOSE)["elements"][0]["text"] == "通知（模板的用途）：按原文发送。"
    card = await chosen(workspace, driver, modal.id, BlockId.SEND_KIND, "card",
                        lambda v: BlockId.SEND_FALLBACK in [b.get("block_id") for b in v.blocks])
    fallback = block(card, BlockId.SEND_FALLBACK)
    assert fallback["label"]["text"] == "手机无法显示卡片短信时"
    assert [o["text"]["text"] for o in fallback["element"]["options"]] == ["不回落", "文本短信", "数字短信"]
    assert [o["text"]["text"] for o in block(card, BlockId.SEND_TEMPLATE)["element"]["options"]] == [
        "Spring card · 推广"]

    await driver.view_submission(SENDER_ID, modal.id, form(catalog, name={ActionId.SEND_FIELD: text("x" * 31)},
                                                           **past_time()))
    assert workspace.submissions[-1].errors == {
        BlockId.SEND_NAME: "任务名称最多 30 个字符；此名称有 31 个。",
        BlockId.SEND_DATE: "该时间已过：2026年11月22日 10:00（Asia/Shanghai）早于现在（2026年11月23日 10:00）。请选择将来的时间。",
    }
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, name={ActionId.SEND_FIELD: text(NAME)},
                                                           date=past_time()["date"]))
    assert workspace.submissions[-1].errors == {BlockId.SEND_TIME: "请同时填写日期和时间，或都不填。"}
    assert cards(workspace) == []

    await driver.view_submission(SENDER_ID, modal.id, form(catalog, name={ActionId.SEND_FIELD: text(NAME)}))
    assert workspace.submissions[-1].errors == {}
    posted = await eventually(lambda: [m for m in workspace.messages(APPROVALS_CHANNEL_ID) if NAME in m.text])
    assert "计费 1 条 · 2 个接收人 · 预估 ¥0.09" in str(posted[0].blocks)  # the card's preview, in the workspace's
    with bot_runtime.uow() as uow:
        assert (uow.tasks.get(1).name, uow.tasks.get(1).status) == (NAME, "moderating")
    assert untranslated(shown_texts(workspace.calls()), supplied=SUPPLIED) == []


async def test_a_test_send_is_refused_then_sent_and_noted_in_chinese(
        workspace, driver, readers, catalog, bot_runtime, gateway, clock, bot):  # noqa: F811
    _server, _config, state = gateway
    task_id, _card = approved_task(bot_runtime, catalog, clock, workspace, recipients=3)
    card = posted_card(workspace, bot_runtime, task_id)
    await driver.block_actions(MEMBER_ID, ActionId.TASK_TEST_SEND, message=(APPROVALS_CHANNEL_ID, card.ts))
    refusal = await eventually(lambda: workspace.ephemerals(user_id=MEMBER_ID))
    assert refusal[-1].text == f"只有 <@{SENDER_ID}> 或审批人可以测试发送它。"

    modal = await open_test_modal(workspace, driver, SENDER_ID, card.ts)
    assert (modal.definition["title"]["text"], modal.definition["submit"]["text"]) == ("测试发送", "发送测试")
    assert "最多 5 个号码" in modal.blocks[0]["text"]["text"]
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("\n".join(f"1391234567{n}" for n in range(6))))
    assert workspace.submissions[-1].errors == {BlockId.TEST_NUMBERS: "一次测试最多发送到 5 个号码。"}
    await driver.view_submission(SENDER_ID, modal.id, numbers_form("13912345678\n12345"))
    assert workspace.submissions[-1].errors == {BlockId.TEST_NUMBERS: "•••2345 无法使用：号码太短。"}
    assert state.total_submissions == 0

    await driver.view_submission(SENDER_ID, modal.id, numbers_form("13912345678, +86 139 1234 5679", name="Tester"))
    reply = await eventually(lambda: [e for e in workspace.ephemerals(user_id=SENDER_ID) if "测试发送" in e.text])
    assert reply[0].text == "测试发送：•••5678：已受理；•••5679：已受理。未来 24 小时内你还可以发送 18 条测试消息。"
    note = await eventually(lambda: [m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                     if "发送了测试" in m.text])
    assert note == [f"<@{SENDER_ID}> 用此任务已批准的内容向 2 个号码（•••5678、•••5679）发送了测试。"]
    assert untranslated(shown_texts(workspace.calls()), supplied=SUPPLIED) == []
