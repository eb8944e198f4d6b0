"""A newcomer's first send in the sandbox, in a real browser, once in English and once in
Chinese: upload the sample file, `/sms send` with a card and an inline error, approval by an
approver in the thread, the progress message reaching completed with the simulator's counts,
and the details modal.

The Chinese walk runs a sandbox started with SMSBOT_LANGUAGE=zh (channel and thread messages
in Chinese) whose people's Slack is in English at first: each switches to 简体中文 on the page,
which changes the page's words and what smsbot says to them. The walk finds fields by their
block ids and options by the sample's names, which are the same in both languages; what it
reads is asserted in the walk's language."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import Page, expect

from bot.sandbox.emulator.defaults import APPROVER_ID, SEED_USERS
from bot.sandbox.seed import SAMPLE_FILENAME, SAMPLE_ROWS
from domain.i18n import CHINESE, ENGLISH, LANGUAGE_NAMES, _, set_deployment_language, speaking
from handlers.ids import ActionId, CallbackId
from tests.sandbox_harness import served_sandbox
from tests.slack_calls import assert_calls_follow_slack_specs

# What the walk reads, in each language: the page's guide, and what smsbot answers.
SAYS = {
    ENGLISH: {
        "guide": "Try it in two minutes", "download": "Download the sample recipients", "one_reply": "1 reply",
        "imported": f"{SAMPLE_ROWS - 2} imported, 1 invalid removed, 1 duplicate removed",
        "submitted": "submitted send task", "card": "Send task: Spring sale", "awaiting": "awaiting approval",
        "approved": "approved this task",
        "report": "Send completed.", "progress": "Sending finished", "completed": "completed",
        "counts": "{total} recipients: {sent} sent to carrier", "chart": "Delivery over time",
    },
    CHINESE: {
        "guide": "两分钟上手", "download": "下载示例接收人文件", "one_reply": "1 条回复",
        "imported": f"已导入 {SAMPLE_ROWS - 2} 个号码，已去除 1 个无效号码，已去除 1 个重复号码",
        "submitted": "提交了发送任务", "card": "发送任务：Spring sale", "awaiting": "待审批", "approved": "批准了此任务，现在开始发送",
        "report": "发送已完成。", "progress": "发送完毕", "completed": "已完成",
        "counts": "共 {total} 个接收人：已提交运营商 {sent}", "chart": "送达情况随时间变化",
    },
}


class Words:
    """smsbot's words for the walk's language, from the catalogs (English where a part has none yet)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, message: str, **params: object) -> str:
        with speaking(self.language):
            return _(message, **params)


@pytest.fixture(params=[ENGLISH, CHINESE])
def language(request) -> str:
    return request.param


@pytest.fixture
def sandbox(tmp_path, language, monkeypatch):
    monkeypatch.setenv("SMSBOT_LANGUAGE", language)
    try:
        with served_sandbox(tmp_path / "sandbox") as sandbox:
            for user_id, _name, _real_name in SEED_USERS:  # their Slack in English: the walk switches them
                sandbox.workspace.user(user_id).locale = "en-US"
            yield sandbox
    finally:
        set_deployment_language(ENGLISH)  # the sandbox's bot set it for the process


def shoot(page: Page, folder, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"))


def message(page: Page, scope: str, containing: str):
    """The one message in `scope` (a CSS selector) whose text contains `containing`."""
    return page.locator(f"{scope} .msg").filter(has_text=containing).last


def modal(page: Page, callback_id: str):
    return page.locator(f"[role='dialog'][data-callback-id='{callback_id}']")


def field(dialog, block_id: str):
    return dialog.locator(f"[data-block-id='{block_id}']").locator("input, select, textarea").first


def choose(dialog, block_id: str, *, value: str | None = None, containing: str | None = None) -> None:
    """Pick an option of a select that re-renders the modal (dispatch_action), by its value or
    by a name it contains, and wait for the app's update, as a person sees the modal change
    before choosing again."""
    before = dialog.get_attribute("data-view-hash")
    select = field(dialog, block_id)
    if containing is not None:
        value = select.locator("option", has_text=containing).first.get_attribute("value")
    select.select_option(value=value)
    expect(dialog).not_to_have_attribute("data-view-hash", before)


def speak(page: Page, language: str) -> None:
    """The person the page acts as switches their Slack language; smsbot says it speaks it."""
    if language == ENGLISH:
        return
    page.locator("#language-switch").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(message(page, "#main", f"smsbot 今后将使用{LANGUAGE_NAMES[language]}与你交流")).to_be_visible()


def wait_until(check, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} not met within {timeout} s")


def test_from_upload_to_a_completed_send_with_details(page: Page, sandbox, language, screenshots, tmp_path):
    says, words = SAYS[language], Words(language)
    page.goto(sandbox.url)
    expect(page.locator("#channel-header")).to_have_text("# general")
    speak(page, language)
    expect(page.get_by_role("complementary", name=words("Guide"))).to_contain_text(says["guide"])
    shoot(page, screenshots, "01-start")

    # 1. The sample file from the guide, dropped into #general by the sender.
    with page.expect_download() as download:
        page.get_by_role("link", name=says["download"]).click()
    sample = tmp_path / SAMPLE_FILENAME
    download.value.save_as(sample)
    page.locator("#file-input").set_input_files(str(sample))
    shared = message(page, "#main", SAMPLE_FILENAME)
    expect(shared).to_contain_text(says["one_reply"])  # smsbot answers in the file's thread
    shared.get_by_role("button", name=says["one_reply"]).click()
    imported = message(page, "#thread", says["imported"])
    expect(imported.get_by_role("button", name=words("Create send task"))).to_be_visible()
    shoot(page, screenshots, "02-imported")
    page.get_by_role("button", name=words("Close thread")).click()

    # 2. /sms send opens the modal.
    page.locator("#message-box").fill("/sms send")
    page.locator("#message-box").press("Enter")
    send = modal(page, CallbackId.SEND_SUBMIT)
    expect(send).to_be_visible()
    expect(send.locator("[data-block-id='send.name'] .input-label")).to_contain_text(words("Task name"))
    field(send, "send.name").fill("Spring sale")
    choose(send, "send.recipients", containing=SAMPLE_FILENAME)
    fallback = send.locator("[data-block-id='send.fallback']")
    expect(fallback).to_have_count(0)
    shoot(page, screenshots, "03-send-modal")

    # Choosing a card re-renders the modal (dispatch_action -> views.update): the fallback appears.
    choose(send, "send.kind", value="card")
    expect(fallback).to_be_visible()
    expect(field(send, "send.name")).to_have_value("Spring sale")  # typed values survive the update
    choose(send, "send.signature", containing="Acme")
    choose(send, "send.template", containing="Spring sale card")
    expect(send.locator("[data-block-id='send.purpose']")).to_be_visible()
    if language == ENGLISH:
        expect(send).to_contain_text("Promotional (the template's purpose)")
    choose(send, "send.fallback", value="text")
    field(send, "send.fallback_template").select_option(
        label=field(send, "send.fallback_template").locator("option", has_text="Order shipped").inner_text())
    expect(send).to_contain_text("【Acme】Hi Li Wei, our spring sale starts today.")  # the live preview
    fallback.scroll_into_view_if_needed()
    shoot(page, screenshots, "04-card-with-fallback")

    # An http:// default link comes back as an inline error under its field; fixed, it submits.
    submit = send.locator("footer button[type='submit']")
    field(send, "send.default_link").fill("http://shop.example.com/spring")
    submit.click()
    error = send.locator("[data-block-id='send.default_link'] .input-error")
    expect(error).to_contain_text("https://")
    error.scroll_into_view_if_needed()
    shoot(page, screenshots, "05-inline-error")
    field(send, "send.default_link").fill("https://shop.example.com/spring")
    submit.click()
    expect(send).to_have_count(0)
    expect(message(page, "#main", says["submitted"])).to_be_visible()

    # 3. An approver approves in the task's thread in #sms-approvals.
    page.locator("#user-switch").select_option(APPROVER_ID)
    expect(page.locator("#me")).to_have_text("Ada Approver")
    speak(page, language)  # each person has their own language
    page.locator("#channel-list").get_by_role("button", name="# sms-approvals").click()
    card = message(page, "#main", says["card"])
    expect(card).to_contain_text(says["awaiting"])
    card.hover()
    card.get_by_role("button", name=words("Reply in thread")).click()
    thread = page.locator("#thread")
    expect(thread).to_be_visible()
    shoot(page, screenshots, "06-approval-thread")
    thread.locator(".msg").first.locator(f"[data-action-id='{ActionId.TASK_APPROVE}']").click()
    expect(thread).to_contain_text(says["approved"])

    # 4. The tick starts the send; the progress message fills and the report follows.
    report = thread.locator(".msg").filter(has_text=says["report"])
    expect(report).to_be_visible(timeout=30_000)
    expect(thread.locator(".msg").filter(has_text=says["progress"])).to_be_visible()
    state = sandbox.gateway_state
    accepted = [m for m in state.messages() if m.status == "accepted"]
    assert len(accepted) == SAMPLE_ROWS - 2 and state.max_submissions_per_ref() == 1
    expect(report).to_contain_text(says["counts"].format(total=SAMPLE_ROWS - 2, sent=len(accepted)))
    shoot(page, screenshots, "07-completed")

    # 5. Once every receipt is in, the details modal shows exactly what the simulator did.
    outcomes = {kind: sum(1 for m in accepted if m.outcome == kind) for kind in ("delivered", "failed", "silent")}
    wait_until(lambda: state.receipts_pending == 0 and state.receipts_posted == outcomes["delivered"] + outcomes["failed"],
               what="every receipt posted")
    thread.locator(".msg").first.locator(f"[data-action-id='{ActionId.TASK_DETAILS}']").click()
    details = modal(page, CallbackId.TASK_DETAILS)
    expect(details).to_be_visible()
    totals = details.locator("[data-block-id='details.totals'] .section-field")
    for label, count in (("*Delivered*\n{count}", outcomes["delivered"]), ("*Failed*\n{count}", outcomes["failed"]),
                         ("*Awaiting receipt*\n{count}", outcomes["silent"]),
                         ("*Sent to carrier*\n{count}", len(accepted))):
        shown = words(label, count=count).replace("*", "")
        expect(totals.filter(has_text=shown.split("\n")[0])).to_have_text(shown, use_inner_text=True)
    if language == ENGLISH:
        expect(details).to_contain_text("are shown by their last four digits only")
    choose(details, "details.filter", value="failed")  # an input's dispatch_action inside the modal
    failed = outcomes["failed"]
    if language == ENGLISH:
        expect(details).to_contain_text(f"1–{failed} of {failed}" if failed else "No failed recipients.")
    shoot(page, screenshots, "08-details")
    details.locator(".modal-x").click()
    expect(details).to_have_count(0)
    expect(card.locator("[data-block-id='task.summary']")).to_contain_text(says["completed"])
    thread.locator(".msg").filter(has_text=says["chart"]).scroll_into_view_if_needed()
    shoot(page, screenshots, "09-finished")
    if language == ENGLISH and (readme_shot := os.environ.get("SMSBOT_SANDBOX_SCREENSHOT")):
        page.screenshot(path=readme_shot)  # docs/sandbox.png, the README's picture

    assert_calls_follow_slack_specs(sandbox.workspace, tmp_path / "slack_calls.jsonl")
