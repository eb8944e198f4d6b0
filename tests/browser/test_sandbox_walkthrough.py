"""A newcomer's first five minutes in the sandbox, in a real browser, following the page's own
guide step by step, once in English and once in Chinese: the sample file dropped into #general
(its result seen in the channel), `/sms send` with a card and an inline error, approval by the
other person, the paced send watched as its progress message moves, paused and resumed, a
receipt arriving after "Sending finished", Details, an export, Resend to failed, and the App
Home. Each step first checks that the guide names what the walk then presses.

The Chinese walk runs a sandbox started with SMSBOT_LANGUAGE=zh (channel and thread messages
in Chinese) whose people's Slack is in English at first: each switches to 简体中文 on the page,
which changes the page's words and what smsbot says to them. The walk finds fields by their
block ids and options by the sample's names, which are the same in both languages; what it
reads is asserted in the walk's language.

With SMSBOT_DOCS_SCREENSHOTS=<folder>, the English walk also saves the documentation's
screenshots there (docs/testing.md says how they are refreshed)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.sandbox.emulator.defaults import APPROVER_ID, SEED_USERS, SENDER_ID
from bot.sandbox.pace import PACES
from bot.sandbox.seed import NO_VARIABLES_TEMPLATE, SAMPLE_FILENAME, SAMPLE_ROWS
from domain.i18n import CHINESE, ENGLISH, LANGUAGE_NAMES, _, set_deployment_language, speaking
from handlers.ids import ActionId, CallbackId
from tests.sandbox_harness import served_sandbox
from tests.slack_calls import assert_calls_follow_slack_specs

# What the walk reads, in each language, beyond the catalogs' words: the page's guide, and
# what smsbot answers with counts in it.
SAYS = {
    ENGLISH: {
        "guide": "Try it in five minutes", "download": "Download the sample recipients", "one_reply": "1 reply",
        "imported": f"{SAMPLE_ROWS - 2} imported, 1 invalid removed, 1 duplicate removed",
        "submitted": "submitted send task", "card": "Send task: Spring sale", "awaiting": "awaiting approval",
        "approved": "approved this task", "completed": "completed", "copy": "Copy of Spring sale",
        "counts": "{total} recipients: {sent} sent to carrier",
    },
    CHINESE: {
        "guide": "五分钟上手", "download": "下载示例接收人文件", "one_reply": "1 条回复",
        "imported": f"已导入 {SAMPLE_ROWS - 2} 个号码，已去除 1 个无效号码，已去除 1 个重复号码",
        "submitted": "提交了发送任务", "card": "发送任务：Spring sale", "awaiting": "待审批",
        "approved": "批准了此任务，现在开始发送", "completed": "已完成", "copy": "Spring sale 的副本",
        "counts": "共 {total} 个接收人：已提交运营商 {sent}",
    },
}
BAR = re.compile("[█░]{12}")  # the progress message's bar
AWAITING = re.compile(r"(\d+)")
DOCS_SHOTS = ("overview", "send-modal", "approval", "progress", "report", "details")

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
    try:  # at the pace a newcomer sees: the sample send takes about 40 s
        with served_sandbox(tmp_path / "sandbox", pace=PACES["watch"]) as sandbox:
            for user_id, _name, _real_name in SEED_USERS:  # their Slack in English: the walk switches them
                sandbox.workspace.user(user_id).locale = "en-US"
            yield sandbox
    finally:
        set_deployment_language(ENGLISH)  # the sandbox's bot set it for the process


class Camera:
    """The walk's screenshots, and (English, SMSBOT_DOCS_SCREENSHOTS set) the docs' own."""

    def __init__(self, page: Page, folder: Path, language: str) -> None:
        docs = os.environ.get("SMSBOT_DOCS_SCREENSHOTS")
        self.page, self.folder = page, folder
        self.docs = Path(docs) if docs and language == ENGLISH else None

    def __call__(self, name: str, docs: str | None = None) -> None:
        self.page.screenshot(path=str(self.folder / f"{name}.png"))
        if self.docs and docs:
            assert docs in DOCS_SHOTS
            self.docs.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(self.docs / f"{docs}.png"))


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




def guide_step(page: Page, number: int, *names: str):
    """Step `number` of the page's guide, which must name each of `names`: the walk does what the
    guide says, with what it says."""
    step = page.locator("#guide-steps li").nth(number - 1)
    for name in names:
        expect(step).to_contain_text(name)
    return step


def test_the_guides_steps_from_upload_to_a_resend_and_the_home_tab(page: Page, sandbox, language, screenshots,
                                                                    tmp_path):
    says, words, shoot = SAYS[language], Words(language), Camera(page, screenshots, language)
    page.goto(sandbox.url)
    expect(page.locator("#channel-header")).to_have_text("# general")
    speak(page, language)
    expect(page.get_by_role("complementary", name=words("Guide"))).to_contain_text(says["guide"])
    expect(page.locator("#guide-steps li")).to_have_count(8)
    upload_the_sample(page, says, words, shoot, tmp_path)
    send_a_card(page, says, words, shoot)
    card, thread = approve_as_the_other_person(page, says, words, shoot, language)
    watch_pause_and_resume(page, sandbox, thread, words, shoot)
    report = see_a_receipt_after_the_send(page, sandbox, thread, says, words, shoot)
    details_export_and_resend(page, sandbox, thread, report, says, words, shoot)
    expect(card.locator("[data-block-id='task.summary']")).to_contain_text(says["completed"])
    the_apps_messages_and_home(page, words, shoot)
    if language == ENGLISH and (readme_shot := os.environ.get("SMSBOT_SANDBOX_SCREENSHOT")):
        page.screenshot(path=readme_shot)  # docs/sandbox.png, the README's picture
    assert_calls_follow_slack_specs(sandbox.workspace, tmp_path / "slack_calls.jsonl")


def upload_the_sample(page: Page, says, words, shoot, tmp_path) -> None:
    """Steps 1 and 2: the sample downloaded from the guide, dropped into #general; the result is
    seen in the channel, with its button, and kept in the file's thread."""
    with page.expect_download() as download:
        guide_step(page, 1).get_by_role("link", name=says["download"]).click()
    sample = tmp_path / SAMPLE_FILENAME
    download.value.save_as(sample)
    guide_step(page, 2, "#general", "+")
    page.locator("#file-input").set_input_files(str(sample))
    in_channel = message(page, "#main", says["imported"])
    expect(in_channel.get_by_role("button", name=words("Create send task"))).to_be_visible()
    expect(in_channel).to_contain_text(words("replied to a thread"))
    shoot("02-imported", docs="overview")
    shared = page.locator("#main .msg").filter(has=page.locator(".file-card", has_text=SAMPLE_FILENAME))
    expect(shared).to_contain_text(says["one_reply"])
    shared.get_by_role("button", name=says["one_reply"]).click()
    expect(message(page, "#thread", says["imported"])).to_be_visible()  # the details stay in the thread
    page.get_by_role("button", name=words("Close thread")).click()


def send_a_card(page: Page, says, words, shoot) -> None:
    """Step 3: `/sms send`, a card with its fallback, an inline error, submitted; the template
    without variables the guide names for pasted numbers is offered."""
    guide_step(page, 3, "/sms send", words("Card"), NO_VARIABLES_TEMPLATE)
    page.locator("#message-box").fill("/sms send")
    page.locator("#message-box").press("Enter")
    send = modal(page, CallbackId.SEND_SUBMIT)
    expect(send).to_be_visible()
    expect(send.locator("[data-block-id='send.name'] .input-label")).to_contain_text(words("Task name"))
    expect(field(send, "send.name")).to_have_attribute("maxlength", "30")
    expect(field(send, "send.template").locator("option", has_text=NO_VARIABLES_TEMPLATE)).to_have_count(1)
    field(send, "send.name").fill("Spring sale")
    choose(send, "send.recipients", containing=SAMPLE_FILENAME)
    fallback = send.locator("[data-block-id='send.fallback']")
    expect(fallback).to_have_count(0)
    choose(send, "send.kind", value="card")  # re-rendered (dispatch_action -> views.update): the fallback appears
    expect(fallback).to_be_visible()
    expect(field(send, "send.name")).to_have_value("Spring sale")  # typed values survive the update
    choose(send, "send.signature", containing="Acme")
    choose(send, "send.template", containing="Spring sale card")
    choose(send, "send.fallback", value="text")
    field(send, "send.fallback_template").select_option(
        label=field(send, "send.fallback_template").locator("option", has_text="Order shipped").inner_text())
    expect(send).to_contain_text("【Acme】Hi Li Wei, our spring sale starts today.")  # the live preview
    fallback.scroll_into_view_if_needed()
    shoot("03-card-with-fallback")
    send.locator("[data-block-id='send.preview']").scroll_into_view_if_needed()
    shoot("03-preview", docs="send-modal")
    submit = send.locator("footer button[type='submit']")
    field(send, "send.default_link").fill("http://shop.example.com/spring")
    submit.click()
    error = send.locator("[data-block-id='send.default_link'] .input-error")
    expect(error).to_contain_text("https://")  # an inline error under its field
    shoot("04-inline-error")
    field(send, "send.default_link").fill("https://shop.example.com/spring")
    submit.click()
    expect(send).to_have_count(0)
    expect(message(page, "#main", says["submitted"])).to_be_visible()


def approve_as_the_other_person(page: Page, says, words, shoot, language):
    """Step 4: the approver, in the task's thread in #sms-approvals."""
    guide_step(page, 4, "Ada Approver", "#sms-approvals", words("Approve"))
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
    shoot("05-approval-thread", docs="approval")
    thread.locator(".msg").first.locator(f"[data-action-id='{ActionId.TASK_APPROVE}']").click()
    expect(thread).to_contain_text(says["approved"])
    return card, thread


def watch_pause_and_resume(page: Page, sandbox, thread, words, shoot) -> None:
    """Step 5: the progress message moves at least three times while sending; paused, nothing
    more is sent (beyond the chunk already out); resumed, it goes on."""
    guide_step(page, 5, words("Pause"), words("Resume"))
    progress = thread.locator(".msg").filter(has_text=BAR)
    expect(progress.locator(f"[data-action-id='{ActionId.TASK_PAUSE}']")).to_be_visible(timeout=30_000)
    seen: list[str] = []

    def moved_three_times() -> bool:
        text = progress.inner_text()
        if not seen or seen[-1] != text:
            seen.append(text)
        return len(seen) >= 4

    wait_until(moved_three_times, timeout=30, what="the progress message changing three times")
    # Its headline and, under it, the bar with its numbers on one line: two lines in the thread pane.
    heading = progress.locator(".section-text").first
    assert heading.evaluate("el => Math.round(el.getBoundingClientRect().height / "
                            "parseFloat(getComputedStyle(el).lineHeight))") == 2
    assert heading.locator("code").count() == 0  # plain text, not red code
    shoot("06-progress", docs="progress")
    state = sandbox.gateway_state
    progress.locator(f"[data-action-id='{ActionId.TASK_PAUSE}']").click()
    expect(progress.locator(f"[data-action-id='{ActionId.TASK_RESUME}']")).to_be_visible()
    expect(progress).to_contain_text(words("Paused"))
    at_pause = len(state.messages())
    time.sleep(3)  # two tokens' worth at the sandbox's pace: none of them spent while paused
    assert len(state.messages()) <= at_pause + PACES["watch"].dispatch_chunk
    assert len(state.messages()) < SAMPLE_ROWS - 2
    progress.locator(f"[data-action-id='{ActionId.TASK_RESUME}']").click()
    expect(progress.locator(f"[data-action-id='{ActionId.TASK_PAUSE}']")).to_be_visible()
    wait_until(lambda: len(state.messages()) > at_pause + PACES["watch"].dispatch_chunk, timeout=15,
               what="sending going on after Resume")


def see_a_receipt_after_the_send(page: Page, sandbox, thread, says, words, shoot):
    """Step 6: at "Sending finished" the report counts receipts still coming; one arrives after,
    and the report says so."""
    guide_step(page, 6, words("Sending finished"))
    expect(thread.locator(".msg").filter(has_text=BAR).filter(has_text=words("Sending finished"))).to_be_visible(
        timeout=90_000)
    coming = words("Receipts still coming: {count} awaiting. This report keeps up until the last is in.",
                   count="\0").split("\0")[0]
    report = thread.locator(".msg").filter(has_text=words("*Send completed.*").strip("*"))
    expect(report).to_contain_text(coming)
    awaiting_at_finish = awaiting(report, coming)
    state = sandbox.gateway_state
    accepted = [m for m in state.messages() if m.status == "accepted"]
    assert len(accepted) == SAMPLE_ROWS - 2 and state.max_submissions_per_ref() == 1
    expect(report).to_contain_text(says["counts"].format(total=SAMPLE_ROWS - 2, sent=len(accepted)))
    wait_until(lambda: awaiting(report, coming) < awaiting_at_finish, timeout=40,
               what="a receipt arriving after the send finished")
    silent = sum(1 for m in accepted if m.outcome == "silent")
    wait_until(lambda: state.receipts_pending == 0, timeout=40, what="every receipt posted")
    wait_until(lambda: awaiting(report, coming) == silent, timeout=20, what="the report counting the last receipt")
    chart = thread.locator(".msg").filter(has_text=words("Delivery over time"))
    expect(chart.locator("img")).to_be_visible()
    chart.scroll_into_view_if_needed()  # the report's last lines, and its chart under them
    shoot("07-report", docs="report")
    return report


def awaiting(report, coming: str) -> int:
    """How many receipts the report says are still coming."""
    text = report.inner_text()
    return int(AWAITING.search(text.split(coming, 1)[1].replace(",", ""))[1]) if coming in text else 0


def details_export_and_resend(page: Page, sandbox, thread, report, says, words, shoot) -> None:
    """Step 7: Details shows what the simulator did; Export failed reaches the person's messages
    with the app; Resend to failed opens a copy of the task with a name that fits."""
    guide_step(page, 7, words("Details"), words("Export failed"), words("Resend to failed"))
    accepted = [m for m in sandbox.gateway_state.messages() if m.status == "accepted"]
    outcomes = {kind: sum(1 for m in accepted if m.outcome == kind) for kind in ("delivered", "failed", "silent")}
    report.locator(f"[data-action-id='{ActionId.TASK_DETAILS}']").click()
    details = modal(page, CallbackId.TASK_DETAILS)
    expect(details).to_be_visible()
    totals = details.locator("[data-block-id='details.totals'] .section-field")
    for label, count in (("*Delivered*\n{count}", outcomes["delivered"]), ("*Failed*\n{count}", outcomes["failed"]),
                         ("*Awaiting receipt*\n{count}", outcomes["silent"]),
                         ("*Sent to carrier*\n{count}", len(accepted))):
        shown = words(label, count=count).replace("*", "")
        expect(totals.filter(has_text=shown.split("\n")[0])).to_have_text(shown, use_inner_text=True)
    choose(details, "details.filter", value="failed")  # an input's dispatch_action inside the modal
    shoot("08-details", docs="details")
    details.locator(".modal-x").click()
    expect(details).to_have_count(0)
    report.locator(f"[data-action-id='{ActionId.EXPORT_FAILED}']").click()
    report.locator(f"[data-action-id='{ActionId.FOLLOW_UP_RESEND}']").click()
    resend = modal(page, CallbackId.SEND_SUBMIT)
    expect(resend).to_be_visible()
    expect(field(resend, "send.name")).to_have_value(says["copy"])
    resend.locator(".modal-x").click()
    expect(resend).to_have_count(0)


def the_apps_messages_and_home(page: Page, words, shoot) -> None:
    """Step 8: the export's spreadsheet in the approver's Messages with the app; the sender's
    task on their Home tab."""
    guide_step(page, 8, "smsbot", "Sam Sender", "/sms help")
    page.locator("#app-list").get_by_role("button", name=re.compile("smsbot")).click()
    expect(page.locator("#main .file-card").filter(has_text=".xlsx")).to_be_visible()
    page.locator("#user-switch").select_option(SENDER_ID)
    expect(page.locator("#me")).to_have_text("Sam Sender")
    page.locator("#app-list").get_by_role("button", name=re.compile("smsbot")).click()
    page.locator("[data-tab='home']").click()
    expect(page.locator("#home")).to_contain_text("Spring sale")
    shoot("09-home")
