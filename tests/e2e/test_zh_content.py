"""Content and commands in a Chinese workspace (SMSBOT_LANGUAGE=zh) whose people read Chinese
(zh-CN): `/sms help`, a mistyped subcommand and its suggestion, a card template refused on its
field then approved, signatures added, refused, listed and rejected, SMS applications listed and
added by an approver and refused to anyone else, and a stale button — with no English left in
what they were shown (replies on the command's ack and a modal's inline errors included)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SECOND_APPROVER_ID, SENDER_ID,
)
from handlers.ids import ActionId, BlockId
from tests.e2e.test_content import approval_requests, template_values
from tests.untranslated import shown_texts, untranslated

ZH = {"approvals_channel": APPROVALS_CHANNEL_ID, "language": "zh", "optout_hint": "回复TD退订"}
CARD, SIGNATURE = "春季卡片", "阿克米"
# What people typed: the card's words and links, the signature's purpose and a rejection reason.
SUPPLIED = [CARD, SIGNATURE, "你好 ${name}，${coupon} 归你了", "春季大促", "去逛逛", "https://shop.example.com",
            "http://shop.example.com", "我们店的签名", "请使用公司全称"]


@pytest.fixture
def bot_overrides():
    return ZH


@pytest.fixture(autouse=True)
def readers(workspace):
    for user in (SENDER_ID, APPROVER_ID, MEMBER_ID):
        workspace.user(user).locale = "zh-CN"


async def eventually(check, timeout: float = 10.0):
    for _attempt in range(int(timeout / 0.02)):
        if result := check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def says(workspace, driver, user: str, command: str):
    """The reply a person gets to a command (on its ack, or posted after)."""
    before = len(workspace.ephemerals(user_id=user))
    await driver.slash_command(user, GENERAL_CHANNEL_ID, command)
    return (await eventually(lambda: workspace.ephemerals(user_id=user)[before:]))[-1]


def english_shown(workspace) -> list[str]:
    """English in every Web API call, every reply on an ack or a response_url, and every inline error."""
    answered = [SimpleNamespace(method="chat.postEphemeral", ok=True, args={"text": e.text, "blocks": e.blocks})
                for e in workspace.ephemerals() if e.source != "chat.postEphemeral"]
    errors = [error for submission in workspace.submissions for error in submission.errors.values()]
    return untranslated(shown_texts([*workspace.calls(), *answered]) + errors, supplied=SUPPLIED)


async def test_help_and_a_mistyped_command_in_chinese(workspace, driver):
    helped = await says(workspace, driver, SENDER_ID, "help")
    assert helped.text == "smsbot 在 Slack 中群发短信：在消息列中审批，实时查看进度。"
    commands = str(helped.blocks)
    assert "`/sms help` — 查看 smsbot 能做什么、怎么用" in commands
    assert "`/sms template add|list|show|edit|disable|code` — 登记短信模板（批准后才能使用）" in commands
    assert "仅你可见。号码只显示后四位。" in commands

    unknown = await says(workspace, driver, SENDER_ID, "sned")
    assert unknown.text == "我不认识 `/sms sned`。你是想输入 `/sms send` 吗？"
    assert "我能理解的命令如下：" in str(unknown.blocks)
    assert (await says(workspace, driver, SENDER_ID, "zzz")).text == "我不认识 `/sms zzz`。"
    assert english_shown(workspace) == []


async def test_a_card_template_refused_on_its_field_then_approved(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template add")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert (modal.definition["title"]["text"], modal.definition["submit"]["text"]) == ("新建模板", "提交审批")
    await driver.block_actions(SENDER_ID, ActionId.TEMPLATE_KIND_SELECT, view_id=modal.id,
                               block_id=BlockId.TEMPLATE_KIND, selected_option={"value": "card"})
    card = await eventually(lambda: (v := workspace.views.get(modal.id)) and
                            BlockId.TEMPLATE_DEFAULT_LINK in [b["block_id"] for b in v.blocks] and v)
    fields = dict(name=CARD, body="你好 ${name}，${coupon} 归你了", title="春季大促",
                  buttons="去逛逛 | https://shop.example.com", default_link="http://shop.example.com")
    await driver.view_submission(SENDER_ID, card.id, template_values("card", **fields))
    assert workspace.submissions[-1].errors == {BlockId.TEMPLATE_DEFAULT_LINK: "默认链接必须是 https:// 链接。"}

    fields["default_link"] = "https://shop.example.com"
    await driver.view_submission(SENDER_ID, card.id, template_values("card", **fields))
    [request] = await eventually(lambda: approval_requests(workspace))
    assert request.text == f"待审批：<@{SENDER_ID}> 提交的模板“{CARD}”"
    assert f"*模板*“{CARD}”——卡片短信，推广" in str(request.blocks)
    waiting = await eventually(lambda: [e for e in workspace.ephemerals(user_id=SENDER_ID) if "等待审批" in e.text])
    assert waiting[0].text == f"模板 *{CARD}* 正在 <#{APPROVALS_CHANNEL_ID}> 中等待审批。"

    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    [reply] = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    assert reply.text == f"<@{APPROVER_ID}> 批准了模板“{CARD}”，现在可以在发送中使用。"
    assert approval_requests(workspace)[0].text == f"模板“{CARD}”已批准"
    listed = await says(workspace, driver, MEMBER_ID, "template list")
    assert (listed.text, f"• *{CARD}* — 卡片短信，推广 — :white_check_mark: 已批准" in str(listed.blocks)) == ("1 个模板", True)
    shown = await says(workspace, driver, MEMBER_ID, f"template show {CARD}")
    assert shown.text == f"模板 {CARD}（已批准）"
    assert english_shown(workspace) == []


async def test_signatures_added_refused_listed_and_rejected(workspace, driver):
    refused = await says(workspace, driver, SENDER_ID, "signature add A")
    assert refused.text == "签名须为 2–12 个字符；“A”有 1 个。"
    assert (await says(workspace, driver, SENDER_ID, "signature list")).text == \
        "还没有签名。可用 `/sms signature add` 添加。"
    added = await says(workspace, driver, SENDER_ID, f"signature add {SIGNATURE} 我们店的签名")
    assert added.text == f"签名 *{SIGNATURE}* 正在 <#{APPROVALS_CHANNEL_ID}> 中等待审批。"
    [request] = await eventually(lambda: approval_requests(workspace))
    assert f"*签名* `【{SIGNATURE}】`——我们店的签名" in str(request.blocks)
    listed = await says(workspace, driver, MEMBER_ID, "signature list")
    assert (listed.text, listed.blocks[0]["text"]["text"]) == ("1 个签名",
                                                              f"*签名*\n• *{SIGNATURE}* — :hourglass_flowing_sand: 待审批")
    assert (await says(workspace, driver, SENDER_ID, "signature")).text == (
        "`/sms signature add &lt;名称&gt; [用途]`、`/sms signature list`、`/sms signature disable &lt;名称&gt;`。")
    await driver.block_actions(MEMBER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    [not_an_approver] = await eventually(lambda: workspace.ephemerals(user_id=MEMBER_ID)[1:])
    assert not_an_approver.text == "只有审批人可以批准或驳回。请联系此频道中的审批人。"

    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_REJECT, message=(APPROVALS_CHANNEL_ID, request.ts))
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    assert (modal.definition["title"]["text"], modal.blocks[0]["text"]["text"]) == (
        "驳回", f"驳回签名“{SIGNATURE}”？申请人会在消息列中看到你的理由。")
    reason = {BlockId.APPROVAL_REASON: {ActionId.APPROVAL_REASON_INPUT: {"value": "请使用公司全称"}}}
    await driver.view_submission(APPROVER_ID, modal.id, reason)
    [reply] = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    assert reply.text == f"<@{APPROVER_ID}> 驳回了签名“{SIGNATURE}”：请使用公司全称"
    decided = approval_requests(workspace)[0]
    assert decided.blocks[0]["text"]["text"] == "签名已驳回"
    assert f":x: 已驳回（<@{APPROVER_ID}>）：请使用公司全称" in str(decided.blocks)
    assert english_shown(workspace) == []


async def test_sms_applications_for_an_approver_and_a_refusal_for_anyone_else(workspace, driver):
    listed = (await says(workspace, driver, APPROVER_ID, "app list")).text
    assert listed.startswith("*短信应用*（号码优先交给对应其类型（中国大陆或国际）的应用，其次才是接收任意号码的应用）")
    assert "*default*（默认） — simulator · 任意号码 · 每条 " in listed
    assert "签名：无\n模板：无" in listed
    usage = (await says(workspace, driver, APPROVER_ID, "app")).text
    assert usage.startswith("`/sms app list`、`/sms app add &lt;名称&gt; &lt;服务商&gt;")

    refused = await says(workspace, driver, SENDER_ID, "app add intl simulator international")
    assert refused.text == "只有审批人可以添加短信应用。"
    missing = (await says(workspace, driver, APPROVER_ID, "app add intl twilio international")).text
    assert missing.startswith("intl 还不能通过 twilio 发送：缺少 SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID")
    added = (await says(workspace, driver, APPROVER_ID, "app add intl simulator international rate=1")).text
    assert added == ("短信应用 *intl* 已添加：simulator，国际号码。请用 `/sms app register intl …` 登记它的签名和模板。")
    assert "*intl* — simulator · 国际号码 · 每条 " in (await says(workspace, driver, APPROVER_ID, "app list")).text
    assert "最高每秒 1 条" in (await says(workspace, driver, APPROVER_ID, "app list")).text
    unknown = (await says(workspace, driver, APPROVER_ID, "app register intl signature 无此签名")).text
    assert unknown == "没有名为“无此签名”的签名。`/sms signature list` 可查看全部签名。"
    assert english_shown(workspace) == []


async def test_a_stale_button_is_refused_in_the_pressers_language(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"signature add {SIGNATURE}")
    [request] = await eventually(lambda: approval_requests(workspace))
    stale = '{"kind": "signature"}'  # a reference that no longer parses
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, stale, message=(APPROVALS_CHANNEL_ID, request.ts))
    [refusal] = await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID))
    assert refusal.text == "此按钮或表单已失效，请重新打开。"
    assert english_shown(workspace) == []

    workspace.user(SECOND_APPROVER_ID).locale = "en-US"  # in a Chinese workspace, still their own language
    await driver.block_actions(SECOND_APPROVER_ID, ActionId.CONTENT_APPROVE, stale,
                               message=(APPROVALS_CHANNEL_ID, request.ts))
    [refusal] = await eventually(lambda: workspace.ephemerals(user_id=SECOND_APPROVER_ID))
    assert refusal.text == "This button or form no longer matches anything I know; open it again."
