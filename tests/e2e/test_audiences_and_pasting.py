"""Pasted numbers through `/sms import`, the sample file, and audiences."""

from __future__ import annotations

import asyncio

from bot.sandbox.emulator.defaults import APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from tests.e2e.imports import files_sent_to, final_reply, read_xlsx


async def open_import_modal(workspace, driver, user_id=SENDER_ID):
    await driver.slash_command(user_id, GENERAL_CHANNEL_ID, "import")
    for _ in range(100):
        view = workspace.views.top_modal(user_id)
        if view is not None:
            return view
        await asyncio.sleep(0.02)
    raise AssertionError("the import modal did not open")


def paste(text: str) -> dict:
    return {BlockId.IMPORT_PASTE: {ActionId.IMPORT_PASTE_INPUT: {"type": "plain_text_input", "value": text}}}


async def test_pasted_numbers_are_imported(workspace, driver, uow):
    view = await open_import_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, view.id, paste("13800138000\n+86 139 1234 5678, 13800138000 13912345678 12345"))
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID)
    assert "2 imported, 1 invalid removed, 2 duplicates removed" in reply.text
    with uow:
        [recipient_list] = uow.recipient_lists.latest()
        phones = [r.phone for r in uow.recipient_lists.recipients(recipient_list.id)]
    assert recipient_list.source == "paste" and phones == ["+8613800138000", "+8613912345678"]


async def test_the_import_modal_needs_a_file_or_numbers(workspace, driver, uow):
    view = await open_import_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, view.id, {})
    [submission] = workspace.submissions
    assert submission.response_action == "errors"
    assert set(submission.errors) == {BlockId.IMPORT_FILE, BlockId.IMPORT_PASTE}
    with uow:
        assert uow.recipient_lists.latest() == []


async def test_too_many_pasted_numbers_are_refused(workspace, driver, uow):
    view = await open_import_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, view.id, paste("\n".join(["13800138000"] * 10_001)))
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID)
    assert "10,001 numbers were pasted; the limit is 10,000" in reply.text
    with uow:
        assert uow.recipient_lists.latest() == []


async def test_sample_file_is_uploaded_in_two_steps_to_the_asker(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "sample")
    for _ in range(100):
        if workspace.calls("files.completeUploadExternal"):
            break
        await asyncio.sleep(0.02)
    assert workspace.calls("files.getUploadURLExternal")[0].ok
    [complete] = workspace.calls("files.completeUploadExternal")
    assert complete.ok and complete.args["channel_id"] == workspace.open_dm(SENDER_ID).id
    [sample] = files_sent_to(workspace, SENDER_ID)
    rows = read_xlsx(sample.content)
    assert rows[0] == ("phone",) and len(rows) == 3


async def import_pasted(workspace, driver, text: str):
    view = await open_import_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, view.id, paste(text))
    return await final_reply(workspace, GENERAL_CHANNEL_ID)


async def last_reply_text(workspace, user_id: str, count: int) -> str:
    for _ in range(100):
        replies = workspace.ephemerals(user_id=user_id)
        if len(replies) >= count:
            return replies[count - 1].text
        await asyncio.sleep(0.02)
    raise AssertionError("no reply")


async def test_audiences_save_list_delete(workspace, driver, uow):
    await import_pasted(workspace, driver, "13800138000\n13912345678")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "audience save  Spring  customers ")
    assert "Saved audience *Spring customers*: 2 recipients." in await last_reply_text(workspace, SENDER_ID, 1)

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "audience save spring CUSTOMERS")
    assert "already exists" in await last_reply_text(workspace, SENDER_ID, 2)

    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "audience list")
    [listing] = workspace.ephemerals(user_id=MEMBER_ID)
    assert "*Spring customers* — 2 recipients" in str(listing.blocks)

    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "audience delete spring customers")
    assert "Only <@U0SENDER01> or an approver can delete" in await last_reply_text(workspace, MEMBER_ID, 2)

    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audience delete spring customers")
    assert "Deleted audience *Spring customers*" in await last_reply_text(workspace, APPROVER_ID, 1)
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audience delete spring customers")
    assert "No audience is named “spring customers”" in await last_reply_text(workspace, APPROVER_ID, 2)
    with uow:
        assert uow.audiences.all_with_lists() == []
        actions = [e.action for e in uow.audit.latest()]
        assert [a for a in actions if a != "request.refused"][:3] == [
            "audience.deleted", "audience.saved", "recipients.imported"]
        assert "request.refused" in actions  # the member's delete, on the record


async def test_save_needs_an_import_first(workspace, driver):
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "audience save nothing")
    assert "no import of yours in this channel" in await last_reply_text(workspace, MEMBER_ID, 1)


async def test_the_save_as_audience_button_opens_a_modal_that_saves(workspace, driver, uow):
    reply = await import_pasted(workspace, driver, "13800138000")
    await driver.block_actions(SENDER_ID, ActionId.IMPORT_SAVE_AUDIENCE, message=(GENERAL_CHANNEL_ID, reply.ts))
    for _ in range(100):
        view = workspace.views.top_modal(SENDER_ID)
        if view is not None:
            break
        await asyncio.sleep(0.02)
    name = {BlockId.AUDIENCE_NAME: {ActionId.AUDIENCE_NAME_INPUT: {"type": "plain_text_input", "value": "vip"}}}
    await driver.view_submission(SENDER_ID, view.id, name)
    with uow:
        [(audience, recipient_list)] = uow.audiences.all_with_lists()
    assert audience.name == "vip" and recipient_list.imported_count == 1


async def test_a_file_chosen_in_the_import_modal_is_imported(workspace, driver, uow):
    stored = workspace.files.add(SENDER_ID, "modal.csv", b"phone,name\n13800138000,Li\n13912345678,Han\n")
    view = await open_import_modal(workspace, driver)
    chosen = {BlockId.IMPORT_FILE: {ActionId.IMPORT_FILE_INPUT: {
        "type": "file_input", "files": [{"id": stored.id, "name": stored.name}]}}}
    await driver.view_submission(SENDER_ID, view.id, chosen)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID)
    assert "modal.csv: 2 imported, 0 invalid removed, 0 duplicates removed" == reply.text
    with uow:
        [recipient_list] = uow.recipient_lists.latest()
    assert recipient_list.slack_file_id == stored.id and recipient_list.variables == ["name"]


async def test_the_same_import_submission_delivered_three_times_imports_once(workspace, driver, uow):
    """A double submit, or Slack delivering the submission again: one list, one result message."""
    from bot.sandbox.emulator import payloads

    view = await open_import_modal(workspace, driver)
    workspace.views.set_state(view.id, payloads.submitted_state(view.blocks, paste("13800138000\n13912345678")))
    payload = payloads.view_submission_payload(workspace, SENDER_ID, view.id)
    answers = await asyncio.gather(*(driver.send_interaction(payload) for _ in range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID)
    assert "2 imported" in reply.text
    # the repeats stop at their first step (the key already taken), long before the import ends
    assert len([m for m in workspace.messages(GENERAL_CHANNEL_ID) if "imported" in m.text]) == 1
    with uow:
        assert len(uow.recipient_lists.recent_for(SENDER_ID, GENERAL_CHANNEL_ID, 10)) == 1
