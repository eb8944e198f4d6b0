"""Answers where the person pressed: a button on a message in a thread is answered in that thread,
one in a modal over that modal (or, where Slack will not stack it, in the direct message). The
suite-wide check (tests/slack_calls.py: answers_outside_the_thread) holds every test to the
first; these tests press in the places it matters. Exports from the final report, in the
task's thread: tests/e2e/test_exports.py."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import payloads
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID,
)
from domain.use_cases.refusals import REFUSED
from domain.use_cases.tasks import get_task
from handlers.ids import ActionId, BlockId
from handlers.progress import ProgressNotifier
from tests.e2e.test_send_tasks import (  # noqa: F401  (fixtures)
    bot_overrides, catalog, eventually, open_send_modal, submit_valid_task, text,
)

ONLY_THE_REQUESTER = f"Only <@{SENDER_ID}> or an approver"


def answers_to(workspace, user: str) -> list:
    return workspace.ephemerals(user_id=user)


async def sending_with_progress(workspace, driver, catalog, bot_runtime, emulator, clock):
    """An approved task marked as sending (this bot has no provider, so nothing sends it), with
    the progress message the threads' notifier posts in the card's thread. Returns (card ts,
    progress message)."""
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    # the card's thread is recorded just after it is posted, and may follow the approval
    task = await eventually(lambda: (t := get_task(bot_runtime.uow(), 1)).status == "scheduled" and t.thread_ts and t)
    with bot_runtime.uow() as uow:
        uow.tasks.get(task.id).status = "sending"
        uow.commit()
    client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=f"{emulator.url}/api/")
    await ProgressNotifier(client, bot_runtime.uow, bot_runtime.settings, clock, owner="test").pass_once()
    [progress] = [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts) if m.blocks]
    return card.ts, progress


async def test_refused_presses_on_the_progress_message_are_answered_in_the_tasks_thread(
        workspace, driver, catalog, bot_runtime, emulator, clock):
    card_ts, progress = await sending_with_progress(workspace, driver, catalog, bot_runtime, emulator, clock)
    at_progress = (APPROVALS_CHANNEL_ID, progress.ts)
    for button in (ActionId.TASK_PAUSE, ActionId.TASK_STOP):
        await driver.block_actions(MEMBER_ID, button, message=at_progress)
    refusals = await eventually(lambda: len(answers_to(workspace, MEMBER_ID)) == 2 and answers_to(workspace, MEMBER_ID))
    assert all(ONLY_THE_REQUESTER in e.text for e in refusals)
    assert {(e.channel, e.thread_ts) for e in refusals} == {(APPROVALS_CHANNEL_ID, card_ts)}

    # The requester pauses; a second Pause, pressed before the message showed Resume, is refused there too.
    late_pause = payloads.block_actions_payload(workspace, SENDER_ID, ActionId.TASK_PAUSE, value=None, block_id=None,
                                                message=at_progress, view_id=None, selected_option=None)
    await driver.block_actions(SENDER_ID, ActionId.TASK_PAUSE, message=at_progress)
    await eventually(lambda: any("paused this send" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)))
    await driver.send_interaction(late_pause)
    [late] = await eventually(lambda: answers_to(workspace, SENDER_ID))
    assert (late.channel, late.thread_ts) == (APPROVALS_CHANNEL_ID, card_ts)


async def test_a_refusal_on_the_card_itself_is_answered_in_the_channel_where_it_was_pressed(
        workspace, driver, catalog):
    """The card is its thread's parent: pressed in the channel, answered in the channel."""
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.message(SENDER_ID, APPROVALS_CHANNEL_ID, "Ready for review", thread_ts=card.ts)
    await driver.block_actions(MEMBER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    [refusal] = await eventually(lambda: answers_to(workspace, MEMBER_ID))
    assert "Only an approver" in refusal.text
    assert (refusal.channel, refusal.thread_ts) == (APPROVALS_CHANNEL_ID, None)


async def test_an_audience_saved_from_an_import_in_a_thread_is_confirmed_in_that_thread(workspace, driver, catalog):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "vips.csv", b"phone,name\n13800138000,Li\n")
    [result] = await eventually(lambda: [m for m in workspace.replies(GENERAL_CHANNEL_ID, shared.message_ts)
                                         if "imported" in m.text])
    await driver.block_actions(SENDER_ID, ActionId.IMPORT_SAVE_AUDIENCE, message=(GENERAL_CHANNEL_ID, result.ts))
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, {BlockId.AUDIENCE_NAME: {ActionId.AUDIENCE_NAME_INPUT: text(
        "VIPs")}})
    [saved] = await eventually(lambda: answers_to(workspace, SENDER_ID))
    assert "VIPs" in saved.text and (saved.channel, saved.thread_ts) == (GENERAL_CHANNEL_ID, shared.message_ts)


def tampered_choice(workspace, modal_id: str) -> dict:
    """A choice in the send modal whose private_metadata no longer parses (a crafted request)."""
    payload = payloads.block_actions_payload(workspace, SENDER_ID, ActionId.SEND_REFRESH, value=None,
                                             block_id=BlockId.SEND_KIND, message=None, view_id=modal_id,
                                             selected_option={"value": "card"})
    payload["view"]["private_metadata"] = '{"channel_id": ["not", "a", "channel"]}'
    return payload


def refused_requests(bot_runtime) -> list[str]:
    with bot_runtime.uow() as uow:
        return [e.target_id for e in uow.audit.latest() if e.action == REFUSED]


async def test_a_refusal_in_a_modal_is_shown_over_it_and_the_modal_is_kept(workspace, driver, catalog, bot_runtime):
    modal = await open_send_modal(workspace, driver)
    await driver.send_interaction(tampered_choice(workspace, modal.id))
    shown = await eventually(lambda: (top := workspace.views.top_modal(SENDER_ID)) and top.id != modal.id and top)
    assert "no longer matches anything I know" in str(shown.blocks)
    assert [v.id for v in workspace.views.stack(modal.id)] == [modal.id, shown.id]
    assert answers_to(workspace, SENDER_ID) == [] and workspace.messages(workspace.open_dm(SENDER_ID).id) == []
    assert await eventually(lambda: refused_requests(bot_runtime)) == [ActionId.SEND_REFRESH]
    await driver.view_closed(SENDER_ID, shown.id)
    assert workspace.views.top_modal(SENDER_ID).id == modal.id  # the person's form, as they left it


async def test_a_refusal_slack_will_not_stack_on_the_modal_goes_to_the_direct_message(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    choice = tampered_choice(workspace, modal.id)
    workspace.exchange_trigger(choice["trigger_id"])  # used already: views.push is refused
    await driver.send_interaction(choice)
    [told] = await eventually(lambda: workspace.messages(workspace.open_dm(SENDER_ID).id))
    assert "no longer matches anything I know" in told.text
    assert [c.args["trigger_id"] for c in workspace.calls("views.push") if not c.ok] == [choice["trigger_id"]]
    assert workspace.views.top_modal(SENDER_ID).id == modal.id
