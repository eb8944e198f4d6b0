"""Follow-ups on a sent task, end to end: "Resend to failed" opens the send modal as a copy of
the task with exactly the failed and no-receipt numbers; "Save failed as audience" saves them by a
name derived from the task; "Follow up on…" does either with delivered, failed and no-receipt
numbers in any mix."""

from __future__ import annotations

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, MEMBER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import SendModalState
from tests.e2e.sent_tasks import audit, list_recipients, recipients_of, report_ts, sent_task
from tests.e2e.test_dispatch import bot, bot_overrides, bot_provider, eventually, gateway, gateway_options  # noqa: F401
from tests.e2e.test_send_tasks import catalog, select, text  # noqa: F401  (approved content)

FOLLOW_UP = ("failed", "submitted")  # failed (the 72-hour no-receipt ones included) and no receipt yet


async def test_resend_to_failed_opens_a_copy_with_exactly_the_failed_and_no_receipt_numbers(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                             name="Spring sale — sample list")
    expected = recipients_of(bot_runtime, task_id, FOLLOW_UP)
    assert {r.status for r in expected} == {"failed", "submitted"}  # both kinds are there to carry

    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_RESEND, message=report_ts(report))
    modal = await eventually(lambda: (v := workspace.views.top_modal(SENDER_ID)) and v.callback_id and v)
    state = SendModalState.load(modal.private_metadata)
    assert state.list_id is not None and state.channel_id == APPROVALS_CHANNEL_ID
    copied = list_recipients(bot_runtime, state.list_id)
    assert [(r.phone, list(r.variables), r.row_number) for r in copied] == [
        (r.phone, list(r.variables), r.row_number) for r in expected]
    shown = {b.get("block_id"): b for b in modal.blocks}
    assert shown[BlockId.SEND_RECIPIENTS]["text"]["text"] == (
        f"Failed and no-receipt numbers of Spring sale — sample list ({len(expected)})")
    # Cut at a word to fit the 30 characters, which Slack counts down as the sender types.
    assert shown[BlockId.SEND_NAME]["element"]["initial_value"] == "Copy of Spring sale — sample…"
    assert shown[BlockId.SEND_NAME]["element"]["max_length"] == 30
    assert shown[BlockId.SEND_TEMPLATE]["element"]["initial_option"]["value"] == str(catalog["Receipt"])
    assert f"{len(expected)} recipients" in str(shown[BlockId.SEND_PREVIEW])

    # Submitted, it is a new task waiting for approval like any other.
    await driver.view_submission(SENDER_ID, modal.id, {
        BlockId.SEND_NAME: {ActionId.SEND_FIELD: text("Big send, again")},
        BlockId.SEND_KIND: {ActionId.SEND_REFRESH: select("text")},
        BlockId.SEND_SIGNATURE: {ActionId.SEND_REFRESH: select(catalog["signature"])},
        BlockId.SEND_TEMPLATE: {ActionId.SEND_REFRESH: select(catalog["Receipt"])},
    })
    assert workspace.submissions[-1].errors == {}
    with bot_runtime.uow() as uow:
        again = uow.tasks.get(task_id + 1)
        assert (again.name, again.status, again.recipient_list_id, again.recipient_count) == (
            "Big send, again", "moderating", state.list_id, len(expected))
    [entry] = audit(bot_runtime, "recipients.follow_up")
    assert entry.detail == {"task": task_id, "recipients": len(expected), "for": "resend",
                            "numbers": ["failed", "no-receipt"]}


async def test_save_failed_as_audience_names_it_after_the_task_and_day(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    expected = [r.phone for r in recipients_of(bot_runtime, task_id, FOLLOW_UP)]

    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_AUDIENCE, message=report_ts(report))
    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_AUDIENCE, message=report_ts(report))
    saved = await eventually(lambda: len(workspace.ephemerals(user_id=SENDER_ID)) == 2
                             and sorted(e.text for e in workspace.ephemerals(user_id=SENDER_ID)))
    # clock: 2026-11-23 10:00 in Asia/Shanghai
    assert saved == [f"Saved audience *Big send failed 2026-11-23 (2)*: {len(expected)} failed and no-receipt "
                     "numbers. Choose it in the send modal to follow up.",
                     f"Saved audience *Big send failed 2026-11-23*: {len(expected)} failed and no-receipt "
                     "numbers. Choose it in the send modal to follow up."]
    with bot_runtime.uow() as uow:
        audiences = {a.name: r for a, r in uow.audiences.all_with_lists()}
    first = audiences["Big send failed 2026-11-23"]
    assert [r.phone for r in list_recipients(bot_runtime, first.id)] == expected
    assert first.variables == ["name", "coupon"] and first.imported_count == len(expected)
    assert len(audit(bot_runtime, "audience.saved")) == 2


async def test_follow_ups_are_for_the_requester_and_approvers_only(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    _task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                              recipients=20)
    await driver.block_actions(MEMBER_ID, ActionId.FOLLOW_UP_RESEND, message=report_ts(report))
    await driver.block_actions(MEMBER_ID, ActionId.FOLLOW_UP_AUDIENCE, message=report_ts(report))
    refusals = await eventually(lambda: len(workspace.ephemerals(user_id=MEMBER_ID)) == 2
                                and {e.text for e in workspace.ephemerals(user_id=MEMBER_ID)})
    assert refusals == {"Only <@U0SENDER01> (who asked for this send) or an approver can export its recipients "
                        "or follow up on them."}
    assert workspace.views.top_modal(MEMBER_ID) is None
    with bot_runtime.uow() as uow:
        assert uow.audiences.all_with_lists() == []
    assert not audit(bot_runtime, "recipients.follow_up")


# --- Follow up on…: delivered, failed and no-receipt numbers, in any mix ---------------------------

def numbers(*groups: str) -> dict:
    return {ActionId.FOLLOW_UP_NUMBERS_INPUT: {"type": "checkboxes",
                                               "selected_options": [{"value": g} for g in groups]}}


def then(do: str) -> dict:
    return {ActionId.FOLLOW_UP_DO_INPUT: {"type": "radio_buttons", "selected_option": {"value": do}}}


def named(name: str) -> dict:
    return {ActionId.FOLLOW_UP_NAME_INPUT: {"type": "plain_text_input", "value": name}}


async def follow_up_modal(driver, workspace, user: str, report):
    await driver.block_actions(user, ActionId.FOLLOW_UP_CHOOSE, message=report_ts(report))
    return await eventually(lambda: (v := workspace.views.top_modal(user)) and v.callback_id == CallbackId.FOLLOW_UP
                            and v)


async def test_follow_up_on_delivered_and_no_receipt_resends_to_exactly_those_numbers(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    everyone = recipients_of(bot_runtime, task_id)
    delivered, failed = [r for r in everyone if r.status == "delivered"], [r for r in everyone if r.status == "failed"]
    awaiting = [r for r in everyone if r.status == "submitted"]
    assert delivered and failed and awaiting

    modal = await follow_up_modal(driver, workspace, SENDER_ID, report)
    [checkboxes] = [b["element"] for b in modal.blocks if b.get("block_id") == BlockId.FOLLOW_UP_NUMBERS]
    assert [o["text"]["text"] for o in checkboxes["options"]] == [
        f"Delivered ({len(delivered)})", f"Failed ({len(failed)})", f"No receipt ({len(awaiting)})"]
    assert [o["value"] for o in checkboxes["initial_options"]] == ["failed", "no-receipt"]  # as the buttons take

    await driver.view_submission(SENDER_ID, modal.id, {BlockId.FOLLOW_UP_NUMBERS: numbers("delivered", "no-receipt"),
                                                       BlockId.FOLLOW_UP_DO: then("resend")})
    assert workspace.submissions[-1].errors == {}
    send = await eventually(lambda: (v := workspace.views.get(modal.id)) and v.callback_id == CallbackId.SEND_SUBMIT
                            and v)
    state = SendModalState.load(send.private_metadata)
    expected = [r for r in everyone if r.status in ("delivered", "submitted")]  # in the task's order
    assert [(r.phone, list(r.variables)) for r in list_recipients(bot_runtime, state.list_id)] == [
        (r.phone, list(r.variables)) for r in expected]
    shown = {b.get("block_id"): b for b in send.blocks}
    assert shown[BlockId.SEND_RECIPIENTS]["text"]["text"] == (
        f"Delivered and no-receipt numbers of Big send ({len(expected)})")
    assert state.channel_id == APPROVALS_CHANNEL_ID  # where the report is
    [entry] = audit(bot_runtime, "recipients.follow_up")
    assert entry.detail == {"task": task_id, "recipients": len(expected), "for": "resend",
                            "numbers": ["delivered", "no-receipt"]}


async def test_follow_up_saves_an_audience_by_the_name_given_or_one_made_for_the_mix(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    everyone = recipients_of(bot_runtime, task_id)
    delivered = [r.phone for r in everyone if r.status == "delivered"]

    modal = await follow_up_modal(driver, workspace, SENDER_ID, report)
    await driver.view_submission(SENDER_ID, modal.id, {BlockId.FOLLOW_UP_NUMBERS: numbers("delivered"),
                                                       BlockId.FOLLOW_UP_DO: then("audience"),
                                                       BlockId.FOLLOW_UP_NAME: named("Happy <!here> & co")})
    done = await eventually(lambda: (v := workspace.views.get(modal.id)) and "Saved audience" in str(v.blocks) and v)
    assert done.blocks[0]["text"]["text"] == (f":white_check_mark: Saved audience *Happy &lt;!here&gt; &amp; co*: "
                                              f"{len(delivered)} delivered numbers. Choose it in the send modal to "
                                              "follow up.")
    with bot_runtime.uow() as uow:
        audiences = {a.name: r for a, r in uow.audiences.all_with_lists()}
    assert [r.phone for r in list_recipients(bot_runtime, audiences["Happy <!here> & co"].id)] == delivered

    # the same name again is refused on its field before anything is made; left empty, a name is made
    again = await follow_up_modal(driver, workspace, SENDER_ID, report)
    await driver.view_submission(SENDER_ID, again.id, {BlockId.FOLLOW_UP_NUMBERS: numbers("failed", "delivered"),
                                                       BlockId.FOLLOW_UP_DO: then("audience"),
                                                       BlockId.FOLLOW_UP_NAME: named("happy <!HERE> & CO")})
    assert "already exists" in workspace.submissions[-1].errors[BlockId.FOLLOW_UP_NAME]
    assert len(audit(bot_runtime, "recipients.follow_up")) == 1
    await driver.view_submission(SENDER_ID, again.id, {BlockId.FOLLOW_UP_NUMBERS: numbers("failed", "delivered"),
                                                       BlockId.FOLLOW_UP_DO: then("audience")})
    await eventually(lambda: "Saved audience" in str(workspace.views.get(again.id).blocks))
    with bot_runtime.uow() as uow:
        audiences = {a.name: r for a, r in uow.audiences.all_with_lists()}
    mixed = audiences["Big send delivered+failed 2026-11-23"]  # clock: 2026-11-23 in Asia/Shanghai
    assert [r.phone for r in list_recipients(bot_runtime, mixed.id)] == [
        r.phone for r in everyone if r.status in ("delivered", "failed")]


async def test_follow_up_is_the_requesters_and_approvers_and_a_crafted_choice_is_refused(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    _task_id, card_ts, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                                recipients=20)
    await driver.block_actions(MEMBER_ID, ActionId.FOLLOW_UP_CHOOSE, message=report_ts(report))
    [refusal] = await eventually(lambda: workspace.ephemerals(user_id=MEMBER_ID))
    assert refusal.text.startswith("Only <@U0SENDER01>") and refusal.thread_ts == card_ts
    assert workspace.views.top_modal(MEMBER_ID) is None

    modal = await follow_up_modal(driver, workspace, APPROVER_ID, report)  # an approver may
    for picked in ([], [{"value": "skipped"}]):
        await driver.crafted_view_submission(APPROVER_ID, modal.id, {
            BlockId.FOLLOW_UP_NUMBERS: {ActionId.FOLLOW_UP_NUMBERS_INPUT: {"type": "checkboxes",
                                                                           "selected_options": picked}},
            BlockId.FOLLOW_UP_DO: then("resend")})
        assert BlockId.FOLLOW_UP_NUMBERS in workspace.submissions[-1].errors
    assert not audit(bot_runtime, "recipients.follow_up")
