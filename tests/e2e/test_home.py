"""The App Home dashboard end to end: recent tasks for everyone, approvals that work from the
tab for approvers, and the quick actions."""

from __future__ import annotations

import json

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from handlers.ids import ActionId, BlockId, CallbackId
from tests.e2e.imports import files_sent_to
from tests.e2e.test_send_tasks import (  # noqa: F401  (fixtures: approved content, the approvals channel)
    bot_overrides, catalog, eventually, submit_valid_task,
)


def block_ids(view) -> list[str]:
    return [b.get("block_id", "") for b in view.blocks]


def shown(view) -> str:
    return json.dumps(view.blocks, ensure_ascii=False)


async def home_of(workspace, driver, user_id):
    before = workspace.views.home(user_id)
    previous_hash = before.hash if before else None
    await driver.app_home_opened(user_id)
    return await eventually(lambda: (v := workspace.views.home(user_id)) and v.hash != previous_hash and v)


async def refreshed(workspace, user_id, old_hash):
    return await eventually(lambda: (v := workspace.views.home(user_id)) and v.hash != old_hash and v)


def signature_status(uow, signature_id):
    with uow:
        return uow.signatures.get(signature_id).status


def thread_of(uow, task_id):
    with uow:
        return uow.tasks.get(task_id).thread_ts


def task_status(uow, task_id):
    with uow:
        return uow.tasks.get(task_id).status


async def test_an_approver_approves_a_task_and_content_from_the_home_tab(workspace, driver, catalog, uow):  # noqa: F811
    card = await submit_valid_task(workspace, driver, catalog)  # task 1, by the sender
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "signature add Promo Spring sale sender")
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "signature add Mine The approver's own")
    await eventually(lambda: len([m for m in workspace.messages(APPROVALS_CHANNEL_ID) if "signature" in m.text]) == 2)
    with uow:
        [promo] = [s for s in uow.signatures.all("pending") if s.name == "Promo"]
        [mine] = [s for s in uow.signatures.all("pending") if s.name == "Mine"]

    home = await home_of(workspace, driver, APPROVER_ID)
    assert "Waiting for your decision" in shown(home) and "November receipts" in shown(home)
    assert f"{BlockId.HOME_PENDING_TASK}:1" in block_ids(home)
    # what approving would send, as the card shows it, just above the buttons
    ids = block_ids(home)
    assert ids.index(f"{BlockId.HOME_PENDING_PREVIEW}:1") == ids.index(f"{BlockId.HOME_PENDING_TASK}:1") - 1
    [preview] = [b for b in home.blocks if b.get("block_id") == f"{BlockId.HOME_PENDING_PREVIEW}:1"]
    assert "【Acme】Hi Li, your order shipped" in preview["text"]["text"]
    assert "2 recipients · est. CNY" in preview["text"]["text"]
    assert f"{BlockId.HOME_PENDING_CONTENT}:signature:{promo.id}" in block_ids(home)
    # the approver's own request has no buttons: another approver decides it (four-eyes)
    assert f"{BlockId.HOME_PENDING_CONTENT}:signature:{mine.id}" not in block_ids(home)
    assert "You asked for this one" in shown(home)

    before = home.hash  # the emulator changes the view in place: keep the hash it had
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, view_id=home.id,
                               block_id=f"{BlockId.HOME_PENDING_TASK}:1")
    await eventually(lambda: task_status(uow, 1) == "scheduled")
    home = await refreshed(workspace, APPROVER_ID, before)
    assert f"{BlockId.HOME_PENDING_TASK}:1" not in block_ids(home) and "November receipts" not in shown(home)
    assert f"{BlockId.HOME_PENDING_PREVIEW}:1" not in block_ids(home)
    # the card in the approvals channel and its thread know, as when approved there
    await eventually(lambda: "approved this task" in " ".join(m.text for m in workspace.replies(
        APPROVALS_CHANNEL_ID, card.ts)))
    assert "scheduled" in shown(workspace.message(APPROVALS_CHANNEL_ID, card.ts))

    before = home.hash
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, view_id=home.id,
                               block_id=f"{BlockId.HOME_PENDING_CONTENT}:signature:{promo.id}")
    await eventually(lambda: signature_status(uow, promo.id) == "approved")
    home = await refreshed(workspace, APPROVER_ID, before)
    assert f"{BlockId.HOME_PENDING_CONTENT}:signature:{promo.id}" not in block_ids(home)
    assert "“Promo”" not in shown(home) and "“Mine”" in shown(home)


async def test_an_approver_rejects_a_task_from_the_home_tab(workspace, driver, catalog, uow):  # noqa: F811
    await submit_valid_task(workspace, driver, catalog)
    home = await home_of(workspace, driver, APPROVER_ID)
    before = home.hash
    await driver.block_actions(APPROVER_ID, ActionId.TASK_REJECT, view_id=home.id,
                               block_id=f"{BlockId.HOME_PENDING_TASK}:1")
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    assert modal.callback_id == CallbackId.TASK_REJECT
    await driver.view_submission(APPROVER_ID, modal.id, {
        BlockId.APPROVAL_REASON: {ActionId.APPROVAL_REASON_INPUT: {"value": "Wrong audience"}}})
    await eventually(lambda: task_status(uow, 1) == "rejected")
    home = await refreshed(workspace, APPROVER_ID, before)
    assert "Nothing is waiting for approval" in shown(home)


async def test_a_sender_sees_recent_tasks_and_no_approvals(workspace, driver, catalog, uow):  # noqa: F811
    await submit_valid_task(workspace, driver, catalog)
    await eventually(lambda: thread_of(uow, 1))  # the card's thread is recorded just after it is posted
    home = await home_of(workspace, driver, SENDER_ID)
    assert "Your recent tasks" in shown(home) and f"{BlockId.HOME_RECENT}:1" in block_ids(home)
    [recent] = [b for b in home.blocks if b.get("block_id") == f"{BlockId.HOME_RECENT}:1"]
    assert "November receipts" in recent["text"]["text"] and "*awaiting approval*" in recent["text"]["text"]
    assert f"/archives/{APPROVALS_CHANNEL_ID}/" in recent["text"]["text"]  # a link to the task's thread
    assert "Waiting for your decision" not in shown(home)
    assert ActionId.TASK_APPROVE not in shown(home) and ActionId.CONTENT_APPROVE not in shown(home)
    assert "You can launch sends" in shown(home)  # the intro and role stay

    home_for_approver = await home_of(workspace, driver, APPROVER_ID)
    assert "No send tasks yet" in shown(home_for_approver)  # the approver asked for none


async def test_quick_actions_open_the_send_and_import_modals_and_send_the_sample(workspace, driver, catalog):  # noqa: F811
    home = await home_of(workspace, driver, SENDER_ID)
    dm = workspace.open_dm(SENDER_ID).id

    await driver.block_actions(SENDER_ID, ActionId.HOME_NEW_SEND, view_id=home.id)
    send = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert send.callback_id == CallbackId.SEND_SUBMIT and f'"channel_id":"{dm}"' in send.private_metadata
    await driver.view_closed(SENDER_ID, send.id)

    await driver.block_actions(SENDER_ID, ActionId.HOME_UPLOAD, view_id=home.id)
    upload = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert upload.callback_id == CallbackId.IMPORT_SUBMIT and dm in upload.private_metadata

    await driver.block_actions(SENDER_ID, ActionId.HOME_SAMPLE, view_id=home.id)
    [sample] = await eventually(lambda: files_sent_to(workspace, SENDER_ID))
    assert sample.name == "smsbot-recipients-sample.xlsx"
