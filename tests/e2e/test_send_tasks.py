"""The send modal and a task's approval thread, end to end through the emulator."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, MEMBER_ID, SECOND_APPROVER_ID, SENDER_ID,
)
from bot.sandbox.emulator import payloads
from bot.scheduler import tick
from domain.approvers import Actor
from domain.content import Purpose, TemplateDraft, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.tasks import StaleDecision
from handlers.ids import ActionId, BlockId

SENDER, APPROVER = Actor(SENDER_ID), Actor(APPROVER_ID, is_approver=True)


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


@pytest.fixture
def catalog(bot_runtime, workspace, clock):
    """Approved content and one import, made with the same use cases the bot runs."""
    workspace.user(SENDER_ID).tz = "Asia/Shanghai"
    uow = bot_runtime.uow
    ids = {}

    def approve(kind, view):
        decide_content(uow(), kind, view.id, APPROVER, approve=True, reason=None, allow_self_approval=False, now=clock())
        return view.id

    ids["signature"] = approve(ContentKind.SIGNATURE, add_signature(uow(), "Acme", "shop", SENDER))
    for name, kind, purpose, body, extra in [
        ("Receipt", TemplateKind.TEXT, Purpose.NOTIFICATION, "Hi ${name}, your order shipped", {}),
        ("Coupon", TemplateKind.TEXT, Purpose.PROMOTIONAL, "Code ${coupon} inside", {}),
        ("Spring card", TemplateKind.CARD, Purpose.PROMOTIONAL, "Hi ${name}", {"title": "Spring",
                                                                             "default_link": "https://acme.example"}),
        ("Long", TemplateKind.TEXT, Purpose.NOTIFICATION, "Hi ${name}. " + "x" * 490, {}),
        ("Shipped", TemplateKind.TEXT, Purpose.NOTIFICATION, "Your order shipped", {}),
    ]:
        draft = TemplateDraft(name=name, kind=kind, purpose=purpose, body=body, **extra)
        ids[name] = approve(ContentKind.TEMPLATE, add_template(uow(), draft, SENDER))
    summary = import_file(uow(), b"phone,name\n13800138000,Li\n13912345678,Han\n",
                          ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "list.csv"),
                          limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN"))
    ids["list"] = summary.list_id
    ids["coupon_list"] = import_file(uow(), b"phone,coupon\n13800138000,C1\n",
                                     ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "coupons.csv"),
                                     limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN")).list_id
    return ids


async def eventually(check, timeout: float = 5.0):
    for _ in range(int(timeout / 0.02)):
        if result := check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def select(value) -> dict:
    return {"type": "static_select", "selected_option": {"value": str(value)}}


def text(value: str) -> dict:
    return {"type": "plain_text_input", "value": value}


def form(catalog, **changes) -> dict:
    values = {
        BlockId.SEND_NAME: {ActionId.SEND_FIELD: text("November receipts")},
        BlockId.SEND_RECIPIENTS: {ActionId.SEND_REFRESH: select(f"list:{catalog['list']}")},
        BlockId.SEND_KIND: {ActionId.SEND_REFRESH: select("text")},
        BlockId.SEND_SIGNATURE: {ActionId.SEND_REFRESH: select(catalog["signature"])},
        BlockId.SEND_TEMPLATE: {ActionId.SEND_REFRESH: select(catalog["Receipt"])},
    }
    for block, value in changes.items():
        block_id = f"send.{block}"
        if value is None:
            values.pop(block_id, None)
        else:
            values[block_id] = value
    return values


async def open_send_modal(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "send")
    return await eventually(lambda: workspace.views.top_modal(SENDER_ID))


def cards(workspace):
    return [m for m in workspace.messages(APPROVALS_CHANNEL_ID) if m.text.startswith("Send task")]


async def submit_valid_task(workspace, driver, catalog, **changes):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, **changes))
    assert workspace.submissions[-1].errors == {}
    return (await eventually(lambda: cards(workspace)))[-1]


async def test_choosing_card_rerenders_templates_and_reveals_the_fallback(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    assert BlockId.SEND_FALLBACK not in [b.get("block_id") for b in modal.blocks]
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=BlockId.SEND_KIND,
                               selected_option={"value": "card"})
    card = await eventually(lambda: (v := workspace.views.get(modal.id)) and
                            BlockId.SEND_FALLBACK in [b.get("block_id") for b in v.blocks] and v)
    template_block = next(b for b in card.blocks if b.get("block_id") == BlockId.SEND_TEMPLATE)
    assert [o["text"]["text"] for o in template_block["element"]["options"]] == ["Spring card · promotional"]
    assert BlockId.SEND_FALLBACK_TEMPLATE not in [b.get("block_id") for b in card.blocks]
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=BlockId.SEND_FALLBACK,
                               selected_option={"value": "text"})
    await eventually(lambda: BlockId.SEND_FALLBACK_TEMPLATE in [b.get("block_id") for b in workspace.views.get(modal.id).blocks])


async def test_the_preview_shows_the_first_recipients_message_and_cost(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    # the person has filled the form so far; then picks the template
    workspace.views.set_state(modal.id, form(catalog))
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=BlockId.SEND_TEMPLATE,
                               selected_option={"value": str(catalog["Receipt"])})
    preview = await eventually(lambda: [b for b in workspace.views.get(modal.id).blocks
                                        if b.get("block_id") == BlockId.SEND_PREVIEW and b["type"] == "section"])
    shown = preview[0]["text"]["text"]
    assert "【Acme】Hi Li, your order shipped" in shown
    assert "UCS-2 · 1 segment · 2 recipients · est. CNY 0.09" in shown


@pytest.mark.parametrize(("changes", "block", "message"), [
    ({"name": {ActionId.SEND_FIELD: text("x" * 31)}}, BlockId.SEND_NAME, "at most 30 characters"),
    ({"recipients": None}, BlockId.SEND_RECIPIENTS, "Choose recipients"),
    ({"template": {ActionId.SEND_REFRESH: select("COUPON")}}, BlockId.SEND_TEMPLATE, "Choose an approved template"),
    ({"date": {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "2026-11-22"}},
      "time": {ActionId.SEND_FIELD: {"type": "timepicker", "selected_time": "10:00"}}}, BlockId.SEND_DATE, "has passed"),
    ({"date": {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "2027-01-05"}},
      "time": {ActionId.SEND_FIELD: {"type": "timepicker", "selected_time": "10:00"}}}, BlockId.SEND_DATE, "Too far ahead"),
    ({"date": {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "2026-11-24"}},
      "time": {ActionId.SEND_FIELD: {"type": "timepicker", "selected_time": "23:30"}}}, BlockId.SEND_DATE,
     "Outside the sending window"),
    ({"date": {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "2026-11-24"}}}, BlockId.SEND_TIME,
     "both a date and a time"),
])
async def test_invalid_input_comes_back_inline(workspace, driver, catalog, bot_runtime, changes, block, message):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, **changes))
    errors = workspace.submissions[-1].errors
    assert message in errors.get(block, ""), errors
    assert cards(workspace) == []
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None  # nothing saved, whichever problem it was


async def test_card_needs_https_link_and_fallback_template(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    # Each choice re-renders the modal: wait for the block that only its answer brings.
    for block, value, brings in ((BlockId.SEND_KIND, "card", BlockId.SEND_FALLBACK),
                                 (BlockId.SEND_FALLBACK, "text", BlockId.SEND_FALLBACK_TEMPLATE)):
        await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=block,
                                   selected_option={"value": value})
        await eventually(lambda: brings in [b.get("block_id") for b in workspace.views.get(modal.id).blocks])
    values = form(catalog, kind={ActionId.SEND_REFRESH: select("card")},
                  template={ActionId.SEND_REFRESH: select(catalog["Spring card"])},
                  fallback={ActionId.SEND_REFRESH: select("text")},
                  default_link={ActionId.SEND_FIELD: text("http://acme.example")})
    await driver.view_submission(SENDER_ID, modal.id, values)
    errors = workspace.submissions[-1].errors
    assert "https://" in errors[BlockId.SEND_DEFAULT_LINK]
    assert "needs an approved text template" in errors[BlockId.SEND_FALLBACK_TEMPLATE]


async def test_a_template_variable_without_a_column_is_named(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, template={ActionId.SEND_REFRESH: select(catalog["Coupon"])}))
    assert "no column for ${coupon}" in workspace.submissions[-1].errors[BlockId.SEND_TEMPLATE]


async def test_a_valid_task_is_requested_in_the_approvals_thread(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    assert "awaiting approval" in str(card.blocks) and "【Acme】Hi Li, your order shipped" in str(card.blocks)
    notice = await eventually(lambda: [m for m in workspace.messages(GENERAL_CHANNEL_ID) if "submitted send task" in m.text])
    assert "/archives/C0APPROVE1/" in notice[0].text
    with bot_runtime.uow() as uow:
        [task] = [uow.tasks.get(1)]
    assert (task.status, task.recipient_count, task.thread_ts) == ("moderating", 2, card.ts)


async def test_non_approvers_are_refused_then_an_approver_approves(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    for user in (SENDER_ID, MEMBER_ID):
        await driver.block_actions(user, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
        await eventually(lambda: any("Only an approver" in e.text for e in workspace.ephemerals(user_id=user)))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    replies = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))
    assert replies[0].text.startswith("<@U0APPROV01> approved this task.")
    updated = workspace.message(APPROVALS_CHANNEL_ID, card.ts)
    labels = [e["text"]["text"] for b in updated.blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Edit", "Cancel task", "Delete", "Copy", "Test send"]  # no more Approve/Reject
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "scheduled"


async def test_concurrent_approvals_one_wins(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await asyncio.gather(*(driver.block_actions(user, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
                           for user in (APPROVER_ID, SECOND_APPROVER_ID)))
    told = await eventually(lambda: [e.text for u in (APPROVER_ID, SECOND_APPROVER_ID) for e in workspace.ephemerals(user_id=u)])
    assert len(told) == 1 and "already decided" in told[0]
    with bot_runtime.uow() as uow:
        assert [e.action for e in uow.audit.latest()].count("task.approve") == 1


async def test_reject_with_a_reason(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_REJECT, message=(APPROVALS_CHANNEL_ID, card.ts))
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.view_submission(APPROVER_ID, modal.id, {BlockId.APPROVAL_REASON: {
        ActionId.APPROVAL_REASON_INPUT: text("Wrong audience")}})
    replies = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))
    assert replies[0].text == "<@U0APPROV01> rejected this task: Wrong audience"
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "rejected"


async def test_edit_returns_to_moderating_and_voids_the_old_request(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))
    await driver.block_actions(SENDER_ID, ActionId.TASK_EDIT, message=(APPROVALS_CHANNEL_ID, card.ts))
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    name_block = next(b for b in modal.blocks if b.get("block_id") == BlockId.SEND_NAME)
    assert name_block["element"]["initial_value"] == "November receipts"
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, name={ActionId.SEND_FIELD: text("Receipts v2")}))
    await eventually(lambda: len(workspace.replies(APPROVALS_CHANNEL_ID, card.ts)) == 2)
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(1)
        assert (task.status, task.version, task.name, task.decided_by) == ("moderating", 2, "Receipts v2", None)
    assert "needs a new approval" in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)[-1].text
    buttons = [e for b in workspace.message(APPROVALS_CHANNEL_ID, card.ts).blocks if b["type"] == "actions"
               for e in b["elements"]]
    assert buttons[0]["text"]["text"] == "Approve" and buttons[0]["value"] == '{"id":1,"version":2}'
    with pytest.raises(StaleDecision, match="out of date"):  # a decision on the first version no longer counts
        decide_task(bot_runtime.uow(), 1, 1, Actor(SECOND_APPROVER_ID, is_approver=True), Approval(approve=True),
                    allow_self_approval=False, now=datetime.now(timezone.utc), rules=bot_runtime.settings.start_rules)


def scheduled_values(catalog, day: str, at: str) -> dict:
    return {"date": {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": day}},
            "time": {ActionId.SEND_FIELD: {"type": "timepicker", "selected_time": at}}}


async def approved_task_at(workspace, driver, catalog, day: str, at: str):
    card = await submit_valid_task(workspace, driver, catalog, **scheduled_values(catalog, day, at))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))
    return card


async def test_cancel_is_allowed_until_5_minutes_before(workspace, driver, catalog, clock, bot_runtime):
    card = await approved_task_at(workspace, driver, catalog, "2026-11-23", "15:00")  # 07:00 UTC
    clock.now = datetime(2026, 11, 23, 6, 56, tzinfo=timezone.utc)  # 4 minutes before
    await driver.block_actions(SENDER_ID, ActionId.TASK_CANCEL, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("Too late: a scheduled task can be canceled or deleted until 5 minutes"
                                 in e.text for e in workspace.ephemerals(user_id=SENDER_ID)))
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "scheduled"
    clock.now = datetime(2026, 11, 23, 6, 54, tzinfo=timezone.utc)  # 6 minutes before
    await driver.block_actions(SENDER_ID, ActionId.TASK_CANCEL, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("canceled this task" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)))
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(1)
        assert (task.status, task.decided_by, task.reason) == ("canceled", SENDER_ID, None)  # no markup stored
    # the card keeps who approved it beside who ended it
    assert f"Approved by <@{APPROVER_ID}> · Canceled by <@{SENDER_ID}>" in str(
        workspace.message(APPROVALS_CHANNEL_ID, card.ts).blocks)


async def test_a_task_not_started_within_24_hours_is_canceled_by_the_tick(workspace, driver, catalog, clock,
                                                                         bot_runtime, emulator):
    card = await approved_task_at(workspace, driver, catalog, "2026-11-23", "15:00")
    clock.now = datetime(2026, 11, 24, 7, 0, tzinfo=timezone.utc)  # exactly 24 h: not yet
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    await tick(bot_runtime, client)
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "scheduled"
    clock.advance(seconds=1)
    await asyncio.gather(tick(bot_runtime, client), tick(bot_runtime, client))  # two processes ticking at once
    notes = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                      if "Canceled automatically" in m.text])
    await asyncio.sleep(0.2)
    assert len(notes) == 1
    with bot_runtime.uow() as uow:
        assert (uow.tasks.get(1).status, uow.tasks.get(1).decided_by) == ("canceled", None)  # no one ended it
    shown = str(workspace.message(APPROVALS_CHANNEL_ID, card.ts).blocks)
    assert f"Approved by <@{APPROVER_ID}>" in shown and "Canceled by" not in shown  # not its approver


async def test_create_send_task_button_on_an_import_opens_the_modal_with_its_recipients(workspace, driver, catalog):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "list.csv", b"phone,name\n13800138000,Li\n")
    reply = await eventually(lambda: [m for m in workspace.replies(GENERAL_CHANNEL_ID, shared.message_ts)
                                      if "imported" in m.text])
    await driver.block_actions(SENDER_ID, ActionId.IMPORT_CREATE_TASK, message=(GENERAL_CHANNEL_ID, reply[0].ts))
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    recipients = next(b for b in modal.blocks if b.get("block_id") == BlockId.SEND_RECIPIENTS)
    assert recipients["type"] == "section" and "list.csv" in recipients["text"]["text"]


async def test_an_approver_cannot_approve_their_own_task(workspace, driver, catalog, bot_runtime):
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "send")
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.view_submission(APPROVER_ID, modal.id, form(catalog))
    card = (await eventually(lambda: cards(workspace)))[-1]
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("four-eyes" in e.text for e in workspace.ephemerals(user_id=APPROVER_ID)))
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "moderating"


async def test_a_rejected_task_can_be_copied_and_deleted(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_REJECT, message=(APPROVALS_CHANNEL_ID, card.ts))
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.view_submission(APPROVER_ID, modal.id, {BlockId.APPROVAL_REASON: {
        ActionId.APPROVAL_REASON_INPUT: text("Not this week")}})
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))

    await driver.block_actions(SENDER_ID, ActionId.TASK_COPY, message=(APPROVALS_CHANNEL_ID, card.ts))
    copy = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    blocks = {b.get("block_id"): b for b in copy.blocks}
    assert blocks[BlockId.SEND_NAME]["element"]["initial_value"] == "Copy of November receipts"
    assert blocks[BlockId.SEND_TEMPLATE]["element"]["initial_option"]["text"]["text"] == "Receipt · notification"
    assert "initial_option" not in blocks[BlockId.SEND_RECIPIENTS]["element"]  # recipients are chosen anew
    await driver.view_closed(SENDER_ID, copy.id)

    await driver.block_actions(MEMBER_ID, ActionId.TASK_DELETE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("Only <@U0SENDER01> or an approver" in e.text
                                 for e in workspace.ephemerals(user_id=MEMBER_ID)))
    await driver.block_actions(SENDER_ID, ActionId.TASK_DELETE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("deleted this task" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)))
    assert not [b for b in workspace.message(APPROVALS_CHANNEL_ID, card.ts).blocks if b["type"] == "actions"]
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
        assert "task.deleted" in [e.action for e in uow.audit.latest()]


def chosen_file(stored) -> dict:
    return {ActionId.SEND_FIELD: {"type": "file_input", "files": [{"id": stored.id, "name": stored.name}]}}


async def test_a_file_uploaded_in_the_send_modal_becomes_the_tasks_recipients(workspace, driver, catalog, bot_runtime):
    stored = workspace.files.add(SENDER_ID, "vip.csv", b"phone,name\n13800138000,Li\n13912345678,Han\n12345,Bad\n")
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=None, file=chosen_file(stored)))
    assert workspace.submissions[-1].response_action == "update"
    done = await eventually(lambda: (v := workspace.views.get(modal.id)) and "waiting for approval" in str(v.blocks) and v)
    assert "2 imported, 1 invalid removed, 0 duplicates removed from vip.csv" in str(done.blocks)
    await eventually(lambda: cards(workspace))
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(1)
        assert task.recipient_count == 2
        assert uow.recipient_lists.get(task.recipient_list_id).slack_file_id == stored.id


async def test_a_bad_file_in_the_send_modal_brings_the_form_back_with_the_reason(workspace, driver, catalog):
    stored = workspace.files.add(SENDER_ID, "names.csv", b"name,city\nLi,Beijing\n")
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=None, file=chosen_file(stored)))
    again = await eventually(lambda: (v := workspace.views.get(modal.id)) and
                             BlockId.SEND_NOTICE in [b.get("block_id") for b in v.blocks] and v)
    notice = next(b for b in again.blocks if b.get("block_id") == BlockId.SEND_NOTICE)
    assert "names.csv was not imported: No phone column found" in notice["text"]["text"]
    name = next(b for b in again.blocks if b.get("block_id") == BlockId.SEND_NAME)
    assert name["element"]["initial_value"] == "November receipts"  # nothing typed is lost
    assert cards(workspace) == []


async def test_a_message_over_500_characters_is_refused_on_its_template(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, template={ActionId.SEND_REFRESH: select(catalog["Long"])}))
    assert "Every recipient's message is over 500 characters" in workspace.submissions[-1].errors[BlockId.SEND_TEMPLATE]
    assert cards(workspace) == []


async def test_changing_a_template_sends_it_and_its_tasks_back_to_approval(workspace, driver, catalog, bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, card.ts))

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template edit receipt")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    body = next(b for b in modal.blocks if b.get("block_id") == BlockId.TEMPLATE_BODY)
    assert body["element"]["initial_value"] == "Hi ${name}, your order shipped"
    values = {
        BlockId.TEMPLATE_KIND: {ActionId.TEMPLATE_KIND_SELECT: select("text")},
        BlockId.TEMPLATE_PURPOSE: {ActionId.TEMPLATE_FIELD: select("notification")},
        BlockId.TEMPLATE_NAME: {ActionId.TEMPLATE_FIELD: text("Receipt")},
        BlockId.TEMPLATE_BODY: {ActionId.TEMPLATE_FIELD: text("Hi ${name}, your parcel is on its way")},
    }
    await driver.view_submission(SENDER_ID, modal.id, values)
    note = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                     if "needs a new approval" in m.text])
    assert "Template “Receipt” was changed" in note[0].text
    with bot_runtime.uow() as uow:
        task, template = uow.tasks.get(1), uow.templates.get(catalog["Receipt"])
        assert (task.status, task.version, template.status) == ("moderating", 2, "pending")

    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("must be approved before this task" in e.text
                                 for e in workspace.ephemerals(user_id=APPROVER_ID)))
    request = next(m for m in workspace.messages(APPROVALS_CHANNEL_ID) if "template “Receipt”" in m.text)
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("approved this task" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)[1:]))
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "scheduled"
    assert "your parcel is on its way" in str(workspace.message(APPROVALS_CHANNEL_ID, card.ts).blocks)


@pytest.mark.parametrize("bot_overrides", [{"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai",
                                            "provider": "alibaba"}])
async def test_a_provider_of_registered_templates_needs_the_templates_code_first(workspace, driver, catalog, bot_runtime):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog))
    assert "/sms template code Receipt <code>" in workspace.submissions[-1].errors[BlockId.SEND_TEMPLATE]

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template code Receipt SMS_475110258")
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "template code Receipt SMS_475110258")
    refused = await eventually(lambda: workspace.ephemerals(user_id=SENDER_ID))
    assert "Only an approver can set a template's provider code" in refused[-1].text
    set_ = await eventually(lambda: workspace.ephemerals(user_id=APPROVER_ID))
    assert "sent as `SMS_475110258`" in set_[-1].text
    with bot_runtime.uow() as uow:
        default = uow.applications.default()
        assert uow.applications.registrations("template", [catalog["Receipt"]]) == {
            catalog["Receipt"]: {default.id: "SMS_475110258"}}
        assert "template.provider_code" in [e.action for e in uow.audit.latest()]

    await submit_valid_task(workspace, driver, catalog)


async def test_two_choices_made_before_the_modal_rerendered_both_show(workspace, driver, catalog):
    """Both payloads carry the view's hash from before either re-render; the second's update
    meets a newer view (hash_conflict) and must not be lost: it holds both choices."""
    modal = await open_send_modal(workspace, driver)
    to_card = payloads.block_actions_payload(workspace, SENDER_ID, ActionId.SEND_REFRESH, block_id=BlockId.SEND_KIND,
                                             view_id=modal.id, message=None, value=None,
                                             selected_option={"value": "card"})
    to_acme = payloads.block_actions_payload(
        workspace, SENDER_ID, ActionId.SEND_REFRESH, block_id=BlockId.SEND_SIGNATURE, view_id=modal.id, message=None,
        value=None, selected_option={"value": str(catalog["signature"])})
    await driver.send_interaction(to_card)
    await eventually(lambda: BlockId.SEND_FALLBACK in [b.get("block_id") for b in workspace.views.get(modal.id).blocks])
    await driver.send_interaction(to_acme)

    def chosen(block_id):
        block = next(b for b in workspace.views.get(modal.id).blocks if b.get("block_id") == block_id)
        return (block["element"].get("initial_option") or {}).get("value")

    await eventually(lambda: chosen(BlockId.SEND_SIGNATURE) == str(catalog["signature"]))
    assert chosen(BlockId.SEND_KIND) == "card"
    assert BlockId.SEND_FALLBACK in [b.get("block_id") for b in workspace.views.get(modal.id).blocks]


async def test_the_template_decides_the_purpose_and_the_modal_says_so(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    template_block = next(b for b in modal.blocks if b.get("block_id") == BlockId.SEND_TEMPLATE)
    labels = [o["text"]["text"] for o in template_block["element"]["options"]]
    assert sorted(labels) == ["Coupon · promotional", "Long · notification", "Receipt · notification",
                              "Shipped · notification"]
    assert BlockId.SEND_PURPOSE not in [b.get("block_id") for b in modal.blocks]  # no purpose of its own
    workspace.views.set_state(modal.id, form(catalog))
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=BlockId.SEND_TEMPLATE,
                               selected_option={"value": str(catalog["Coupon"])})
    shown = await eventually(lambda: [b for b in workspace.views.get(modal.id).blocks
                                      if b.get("block_id") == BlockId.SEND_PURPOSE])
    assert "Promotional (the template's purpose)" in shown[0]["elements"][0]["text"]
    assert "opt-out list" in shown[0]["elements"][0]["text"]


@pytest.mark.parametrize(("template", "purpose"), [("Coupon", "notification"), ("Receipt", "promotional")])
async def test_a_crafted_purpose_other_than_the_templates_is_refused(workspace, driver, catalog, bot_runtime,
                                                                     template, purpose):
    modal = await open_send_modal(workspace, driver)
    values = form(catalog, template={ActionId.SEND_REFRESH: select(catalog[template])})
    values[BlockId.SEND_PURPOSE] = {ActionId.SEND_REFRESH: select(purpose)}
    if template == "Coupon":  # the list needs the coupon column
        values[BlockId.SEND_RECIPIENTS] = {ActionId.SEND_REFRESH: select(f"list:{catalog['coupon_list']}")}
    await driver.crafted_view_submission(SENDER_ID, modal.id, values)
    assert f"cannot be sent as {purpose}" in workspace.submissions[-1].errors[BlockId.SEND_TEMPLATE]
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
    assert cards(workspace) == []


async def test_a_coupon_sent_from_the_modal_is_promotional(workspace, driver, catalog, bot_runtime):
    await submit_valid_task(workspace, driver, catalog, template={ActionId.SEND_REFRESH: select(catalog["Coupon"])},
                            recipients={ActionId.SEND_REFRESH: select(f"list:{catalog['coupon_list']}")})
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).purpose == "promotional"


def stored_lists(bot_runtime) -> int:
    with bot_runtime.uow() as uow:
        return len(uow.recipient_lists.recent_for(SENDER_ID, GENERAL_CHANNEL_ID, 100))


def pasted(numbers: str) -> dict:
    return {ActionId.SEND_FIELD: text(numbers)}


async def test_two_sources_of_recipients_are_refused_and_nothing_is_stored(workspace, driver, catalog, bot_runtime):
    before = stored_lists(bot_runtime)
    stored = workspace.files.add(SENDER_ID, "vip.csv", b"phone,name\n13800138000,Li\n")
    modal = await open_send_modal(workspace, driver)
    for changes, named in (({"paste": pasted("13800138000")}, "a chosen import or audience and pasted numbers"),
                           ({"file": chosen_file(stored)}, "a chosen import or audience and an uploaded file"),
                           ({"recipients": None, "paste": pasted("13800138000"), "file": chosen_file(stored)},
                            "pasted numbers and an uploaded file")):
        await driver.view_submission(SENDER_ID, modal.id, form(catalog, **changes))
        assert named in workspace.submissions[-1].errors[BlockId.SEND_RECIPIENTS]
    assert stored_lists(bot_runtime) == before
    assert not workspace.calls("files.info")  # the file was never read
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None


async def test_a_refused_submission_does_not_keep_its_pasted_numbers(workspace, driver, catalog, bot_runtime):
    before = stored_lists(bot_runtime)
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(
        catalog, recipients=None, paste=pasted("13800138000\n13912345678"),
        name={ActionId.SEND_FIELD: text("x" * 31)}))
    assert "at most 30 characters" in workspace.submissions[-1].errors[BlockId.SEND_NAME]
    assert stored_lists(bot_runtime) == before  # not "your latest import" for /sms audience save
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=None,
                                                           paste=pasted("13800138000\n13912345678"),
                                                           template={ActionId.SEND_REFRESH: select(catalog["Shipped"])}))
    assert workspace.submissions[-1].errors == {}
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(1)
        assert task.recipient_count == 2 and uow.recipient_lists.get(task.recipient_list_id).source == "paste"
    assert stored_lists(bot_runtime) == before + 1


async def test_a_file_with_a_form_that_cannot_pass_is_answered_before_it_is_read(workspace, driver, catalog,
                                                                                  bot_runtime):
    stored = workspace.files.add(SENDER_ID, "vip.csv", b"phone,name\n13800138000,Li\n")
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=None, file=chosen_file(stored),
                                                           name={ActionId.SEND_FIELD: text("x" * 31)}))
    assert "at most 30 characters" in workspace.submissions[-1].errors[BlockId.SEND_NAME]
    assert BlockId.SEND_RECIPIENTS not in workspace.submissions[-1].errors
    assert not workspace.calls("files.info")


async def test_a_file_refused_for_its_content_stores_nothing(workspace, driver, catalog, bot_runtime):
    before = stored_lists(bot_runtime)
    stored = workspace.files.add(SENDER_ID, "plain.csv", b"phone\n13800138000\n")  # no ${name} column
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=None, file=chosen_file(stored)))
    back = await eventually(lambda: (v := workspace.views.get(modal.id)) and "Nothing was saved" in str(v.blocks) and v)
    assert "no column for ${name}" in str(back.blocks)
    assert stored_lists(bot_runtime) == before
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None


async def test_a_copy_can_keep_the_originals_recipients(workspace, driver, catalog, bot_runtime):
    """The approver copies: the original list is none of their own imports, only offered as the
    original's recipients, and must stay offered when the modal re-renders."""
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_COPY, message=(APPROVALS_CHANNEL_ID, card.ts))
    copy = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    original = f"list:{catalog['list']}"
    await driver.block_actions(APPROVER_ID, ActionId.SEND_REFRESH, view_id=copy.id, block_id=BlockId.SEND_RECIPIENTS,
                               selected_option={"value": original})

    def recipients_chosen():
        block = next(b for b in workspace.views.get(copy.id).blocks if b.get("block_id") == BlockId.SEND_RECIPIENTS)
        return (block["element"].get("initial_option") or {}).get("value") == original

    await eventually(recipients_chosen)  # still offered after the re-render, and chosen
    await driver.view_submission(APPROVER_ID, copy.id, form(catalog, name={ActionId.SEND_FIELD: text("Again")}))
    assert workspace.submissions[-1].errors == {}
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(2).recipient_list_id == catalog["list"]


async def test_the_only_approved_signature_is_chosen_for_you(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    block = next(b for b in modal.blocks if b.get("block_id") == BlockId.SEND_SIGNATURE)
    assert block["element"]["initial_option"]["value"] == str(catalog["signature"])
