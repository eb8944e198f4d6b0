"""A newcomer's first send in the sandbox, in a real browser: upload the sample file, `/sms send`
with a card and an inline error, approval by an approver in the thread, the progress message
reaching completed with the simulator's counts, and the details modal."""

from __future__ import annotations

import os
import time

from playwright.sync_api import Page, expect

from bot.sandbox.emulator.defaults import APPROVER_ID
from bot.sandbox.seed import SAMPLE_FILENAME, SAMPLE_ROWS
from tests.slack_calls import assert_calls_follow_slack_specs


def shoot(page: Page, folder, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"))


def message(page: Page, scope: str, containing: str):
    """The one message in `scope` (a CSS selector) whose text contains `containing`."""
    return page.locator(f"{scope} .msg").filter(has_text=containing).last


def modal(page: Page, title: str):
    return page.get_by_role("dialog", name=title)


def choose(dialog, label: str, option: str) -> None:
    """Pick an option of a select that re-renders the modal (dispatch_action), and wait for the
    app's update, as a person sees the modal change before choosing again."""
    before = dialog.get_attribute("data-view-hash")
    dialog.get_by_label(label).select_option(label=option)
    expect(dialog).not_to_have_attribute("data-view-hash", before)


def wait_until(check, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} not met within {timeout} s")


def test_from_upload_to_a_completed_send_with_details(page: Page, sandbox, screenshots, tmp_path):
    page.goto(sandbox.url)
    expect(page.locator("#channel-header")).to_have_text("# general")
    expect(page.get_by_role("complementary", name="Guide")).to_contain_text("Try it in two minutes")
    shoot(page, screenshots, "01-start")

    # 1. The sample file from the guide, dropped into #general by the sender.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the sample recipients").click()
    sample = tmp_path / SAMPLE_FILENAME
    download.value.save_as(sample)
    page.locator("#file-input").set_input_files(str(sample))
    shared = message(page, "#main", SAMPLE_FILENAME)
    expect(shared).to_contain_text("1 reply")  # smsbot answers in the file's thread
    shared.get_by_role("button", name="1 reply").click()
    imported = message(page, "#thread", "imported")
    expect(imported).to_contain_text(f"{SAMPLE_ROWS - 2} imported, 1 invalid removed, 1 duplicate removed")
    expect(imported.get_by_role("button", name="Create send task")).to_be_visible()
    shoot(page, screenshots, "02-imported")
    page.get_by_role("button", name="Close thread").click()

    # 2. /sms send opens the modal.
    page.locator("#message-box").fill("/sms send")
    page.locator("#message-box").press("Enter")
    send = modal(page, "New send task")
    expect(send).to_be_visible()
    send.get_by_label("Task name").fill("Spring sale")
    recipients = "Recipients (optional)"  # not the "Skip recipients…" box further down
    choose(send, recipients, send.get_by_label(recipients).locator("option", has_text=SAMPLE_FILENAME).inner_text())
    fallback = send.get_by_label("If the phone can't show cards")
    expect(fallback).to_have_count(0)
    shoot(page, screenshots, "03-send-modal")

    # Choosing a card re-renders the modal (dispatch_action -> views.update): the fallback appears.
    choose(send, "Message type", "Card")
    expect(fallback).to_be_visible()
    expect(send.get_by_label("Task name")).to_have_value("Spring sale")  # typed values survive the update
    choose(send, "Signature", "Acme")
    choose(send, "Template (card)", "Spring sale card · promotional")
    expect(send).to_contain_text("Promotional (the template's purpose)")
    choose(send, "If the phone can't show cards", "Text SMS")
    send.get_by_label("Fallback template (text)").select_option(label="Order shipped · notification")
    expect(send).to_contain_text("【Acme】Hi Li Wei, our spring sale starts today.")  # the live preview
    fallback.scroll_into_view_if_needed()
    shoot(page, screenshots, "04-card-with-fallback")

    # An http:// default link comes back as an inline error under its field; fixed, it submits.
    send.get_by_label("Default link").fill("http://shop.example.com/spring")
    send.get_by_role("button", name="Submit for approval").click()
    error = send.locator("[data-block-id='send.default_link'] .input-error")
    expect(error).to_contain_text("https://")
    error.scroll_into_view_if_needed()
    shoot(page, screenshots, "05-inline-error")
    send.get_by_label("Default link").fill("https://shop.example.com/spring")
    send.get_by_role("button", name="Submit for approval").click()
    expect(send).to_have_count(0)
    expect(message(page, "#main", "submitted send task")).to_be_visible()

    # 3. An approver approves in the task's thread in #sms-approvals.
    page.locator("#user-switch").select_option(APPROVER_ID)
    expect(page.locator("#me")).to_have_text("Ada Approver")
    page.locator("#channel-list").get_by_role("button", name="# sms-approvals").click()
    card = message(page, "#main", "Send task: Spring sale")
    expect(card).to_contain_text("awaiting approval")
    card.hover()
    card.get_by_role("button", name="Reply in thread").click()
    thread = page.locator("#thread")
    expect(thread).to_be_visible()
    shoot(page, screenshots, "06-approval-thread")
    thread.locator(".msg").first.get_by_role("button", name="Approve").click()
    expect(thread).to_contain_text("approved this task")

    # 4. The tick starts the send; the progress message fills and the report follows.
    report = thread.locator(".msg").filter(has_text="Send completed.")
    expect(report).to_be_visible(timeout=30_000)
    progress = thread.locator(".msg").filter(has_text="Sending finished")
    expect(progress).to_be_visible()
    state = sandbox.gateway_state
    accepted = [m for m in state.messages() if m.status == "accepted"]
    assert len(accepted) == SAMPLE_ROWS - 2 and state.max_submissions_per_ref() == 1
    expect(report).to_contain_text(f"{SAMPLE_ROWS - 2} recipients: {len(accepted)} sent to carrier")
    shoot(page, screenshots, "07-completed")

    # 5. Once every receipt is in, the details modal shows exactly what the simulator did.
    outcomes = {kind: sum(1 for m in accepted if m.outcome == kind) for kind in ("delivered", "failed", "silent")}
    wait_until(lambda: state.receipts_pending == 0 and state.receipts_posted == outcomes["delivered"] + outcomes["failed"],
               what="every receipt posted")
    thread.locator(".msg").first.get_by_role("button", name="Details").click()
    details = modal(page, "Task details")
    expect(details).to_be_visible()
    totals = details.locator("[data-block-id='details.totals'] .section-field")
    for label, count in (("Delivered", outcomes["delivered"]), ("Failed", outcomes["failed"]),
                         ("Awaiting receipt", outcomes["silent"]), ("Sent to carrier", len(accepted))):
        expect(totals.filter(has_text=label)).to_have_text(f"{label}\n{count}", use_inner_text=True)
    expect(details).to_contain_text("are shown by their last four digits only")
    choose(details, "Show", "Failed")  # an input's dispatch_action inside the modal
    failed = outcomes["failed"]
    expect(details).to_contain_text(f"1–{failed} of {failed}" if failed else "No failed recipients.")
    shoot(page, screenshots, "08-details")
    details.get_by_role("button", name="Close").first.click()
    expect(details).to_have_count(0)
    expect(card.locator("[data-block-id='task.summary']")).to_contain_text("completed")
    thread.locator(".msg").filter(has_text="Delivery over time").scroll_into_view_if_needed()
    shoot(page, screenshots, "09-finished")
    if readme_shot := os.environ.get("SMSBOT_SANDBOX_SCREENSHOT"):  # docs/sandbox.png, the README's picture
        page.screenshot(path=readme_shot)

    assert_calls_follow_slack_specs(sandbox.workspace, tmp_path / "slack_calls.jsonl")
