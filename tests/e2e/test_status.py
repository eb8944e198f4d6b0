"""Status and reporting end to end: `/sms list`, the details modal, `/sms status` and
`/sms lookup`, after real sends through the simulator gateway. Every call the bot makes is
checked against Slack's specs and for whole phone numbers when each test ends."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

from sqlalchemy import delete
from sqlmodel import Session

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from domain.dispatch import Progress
from domain.use_cases.tasks import create_task
from domain.tasks import Composition, TaskDraft
from domain.content import Purpose, TemplateKind
from domain.segments import SignatureStyle
from handlers.ids import ActionId, BlockId
from handlers.payloads import TaskListState
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the bot with sending on, the gateway)
    approved_task, bot, bot_overrides, bot_provider, eventually, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import SENDER, catalog  # noqa: F401
from storage.tables import TaskRecipient
from tests.slack_calls import whole_numbers_in

RECIPIENTS = 60  # numbers +86 138 0013 0000 … 0059


async def sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway, recipients=RECIPIENTS):  # noqa: F811
    """A task sent to the end, its receipts in: (task id, card ts)."""
    task_id, card_ts = approved_task(bot_runtime, catalog, clock, workspace, recipients=recipients)
    _client, ticker = await started(bot_runtime, emulator, gateway, task_id)
    await eventually(lambda: status_of(bot_runtime, task_id)[0] == "completed")
    await eventually(lambda: any("Details" in json.dumps(m.blocks) for m in workspace.messages(APPROVALS_CHANNEL_ID)
                                 if m.ts == card_ts))
    await asyncio.sleep(0.6)  # the last receipts (latency up to 0.3 s)
    await ticker.providers.aclose()
    return task_id, card_ts


def last_reply(workspace, user_id=SENDER_ID):
    return workspace.ephemerals(user_id=user_id)[-1]


def texts(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def progress_of(bot_runtime, task_id) -> Progress:
    with bot_runtime.uow() as uow:
        return Progress.from_counts(uow.task_recipients.counts(task_id))


async def test_list_shows_counts_that_match_the_database_and_links_to_the_thread(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    # (the requester's news links to the thread: counted before the lists' own)
    await eventually(lambda: any("is done" in m.text for m in workspace.messages(workspace.open_dm(SENDER_ID).id)))
    permalinks_before = len(workspace.calls("chat.getPermalink"))
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list")
    reply = last_reply(workspace)
    p = progress_of(bot_runtime, task_id)
    assert p.total == RECIPIENTS and p.delivered and p.failed
    [section] = [b for b in reply.blocks if b.get("block_id") == f"{BlockId.LIST_TASK}:{task_id}"]
    shown = section["text"]["text"]
    assert (f"Sent to carrier {p.sent_to_carrier:,} · Delivered {p.delivered:,} · Failed {p.failed:,} · "
            f"Awaiting receipt {p.submitted:,} · Skipped {p.skipped:,}") in shown
    assert f"/archives/{APPROVALS_CHANNEL_ID}/p{card_ts.replace('.', '')}|Big send>" in shown
    assert "*completed*" in shown and section["accessory"]["action_id"] == ActionId.TASK_DETAILS
    # the thread's channel lists it too, and one permalink call served every link
    await driver.slash_command(SENDER_ID, APPROVALS_CHANNEL_ID, "list completed")
    assert f"{BlockId.LIST_TASK}:{task_id}" in texts(last_reply(workspace).blocks)
    assert len(workspace.calls("chat.getPermalink")) - permalinks_before == 1
    # the finished task's card keeps who approved it
    card = await eventually(lambda: (m := workspace.message(APPROVALS_CHANNEL_ID, card_ts))
                            and "*Status*\\ncompleted" in texts(m.blocks) and m)
    assert f"Approved by <@{APPROVER_ID}>" in texts(card.blocks)


def moderating_tasks(bot_runtime, catalog, clock, count: int, channel: str = GENERAL_CHANNEL_ID,  # noqa: F811
                     name: str = "Task {n:02d}"):
    ids = []
    for n in range(count):
        draft = TaskDraft(name=name.format(n=n), purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                          recipient_list_id=catalog["list"], signature_id=catalog["signature"],
                          template_id=catalog["Receipt"])
        ids.append(create_task(bot_runtime.uow(), draft, SENDER, origin_channel=channel, now=clock(),
                               window=bot_runtime.settings.sending_window,
                               composition=Composition(SignatureStyle.BRACKETS, "Reply STOP")).id)
    return ids


async def test_list_pages_with_buttons_and_filters_by_status(workspace, driver, catalog, bot_runtime, clock,
                                                             bot):  # noqa: F811
    moderating_tasks(bot_runtime, catalog, clock, 12)
    moderating_tasks(bot_runtime, catalog, clock, 1, channel=APPROVALS_CHANNEL_ID)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list")
    first = last_reply(workspace)
    assert first.text == "12 tasks in this channel: 1–10"
    names = [b["text"]["text"] for b in first.blocks if b.get("block_id", "").startswith(BlockId.LIST_TASK)]
    assert len(names) == 10 and "Task 11" in names[0] and "*awaiting approval*" in names[0]
    assert "accessory" not in texts(first.blocks)  # nothing sent yet: no Details

    await driver.block_actions(SENDER_ID, ActionId.LIST_NEXT, message=(GENERAL_CHANNEL_ID, first.ts))
    await eventually(lambda: workspace.ephemeral(first.ts).text.endswith("11–12"))
    second = workspace.ephemeral(first.ts)
    assert "page 2 of 2" in texts(second.blocks) and "Task 00" in texts(second.blocks)
    await driver.block_actions(SENDER_ID, ActionId.LIST_PREVIOUS, message=(GENERAL_CHANNEL_ID, first.ts))
    await eventually(lambda: workspace.ephemeral(first.ts).text.endswith("1–10"))

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list scheduled")
    assert last_reply(workspace).text == "No scheduled tasks in this channel."
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list all moderating")  # their own, everywhere
    assert last_reply(workspace).text == "13 moderating tasks you can see: 1–10"
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "list all")  # asked for none
    assert last_reply(workspace, MEMBER_ID).text == "No tasks you can see."
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "list sent")  # not a status: a part of a name
    assert last_reply(workspace, MEMBER_ID).text == "No tasks whose name contains “sent” in this channel."
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "help")
    help_text = texts(last_reply(workspace, MEMBER_ID).blocks)
    assert "/sms list [all] [status] [name words…]" in help_text
    assert "/sms status" in help_text and "/sms lookup" in help_text and "/sms audit" in help_text


def list_page_value(reply, action_id: str) -> TaskListState:
    [nav] = [b for b in reply.blocks if b.get("block_id") == BlockId.LIST_NAV]
    return TaskListState.load(next(e["value"] for e in nav["elements"] if e["action_id"] == action_id))


async def test_list_keeps_the_tasks_whose_name_contains_the_words_on_every_page(
        workspace, driver, catalog, bot_runtime, clock, bot):  # noqa: F811
    moderating_tasks(bot_runtime, catalog, clock, 12, name="Receipts {n:02d}")
    moderating_tasks(bot_runtime, catalog, clock, 2, name="<!here> & co {n}")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list RECEIPTS")  # any case
    first = last_reply(workspace)
    assert first.text == "12 tasks whose name contains “RECEIPTS” in this channel: 1–10"
    assert list_page_value(first, ActionId.LIST_NEXT).name == "RECEIPTS"
    await driver.block_actions(SENDER_ID, ActionId.LIST_NEXT, message=(GENERAL_CHANNEL_ID, first.ts))
    second = await eventually(lambda: (m := workspace.ephemeral(first.ts)).text.endswith("11–12") and m)
    assert second.text == "12 tasks whose name contains “RECEIPTS” in this channel: 11–12"  # the filter kept
    names = [b["text"]["text"] for b in second.blocks if b.get("block_id", "").startswith(BlockId.LIST_TASK)]
    assert len(names) == 2 and all("Receipts 0" in name for name in names)
    assert list_page_value(second, ActionId.LIST_PREVIOUS).name == "RECEIPTS"

    # the name as typed is shown escaped (the markup check fails the test otherwise), quotes keep words whole
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, 'list moderating "<!here> &"')
    reply = last_reply(workspace)
    assert reply.text == "2 moderating tasks whose name contains “&lt;!here&gt; &amp;” in this channel: 1–2"
    assert "&lt;!here&gt; &amp; co 1" in texts(reply.blocks)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"list {'x' * 31}")
    assert "at most 30 characters" in last_reply(workspace).text
    # the visibility rule is the same with a name: the member asked for none of them
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "list all receipts")
    assert last_reply(workspace, MEMBER_ID).text == "No tasks whose name contains “receipts” you can see."


async def test_a_page_button_whose_name_is_longer_than_a_task_name_is_refused(
        workspace, driver, catalog, bot_runtime, clock, bot):  # noqa: F811
    from bot.sandbox.emulator import payloads

    moderating_tasks(bot_runtime, catalog, clock, 11)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list task")
    first = last_reply(workspace)
    payload = payloads.block_actions_payload(workspace, SENDER_ID, ActionId.LIST_NEXT, value=None, block_id=None,
                                             message=(GENERAL_CHANNEL_ID, first.ts), view_id=None,
                                             selected_option=None)
    tampered = json.loads(list_page_value(first, ActionId.LIST_NEXT).dump())
    payload["actions"][0]["value"] = json.dumps({**tampered, "name": "Task" * 500})
    await driver.send_interaction(payload)
    refusal = await eventually(lambda: (m := last_reply(workspace)).ts != first.ts and m)
    assert refusal.text.startswith("This button or form no longer matches")
    assert workspace.ephemeral(first.ts).text == "11 tasks whose name contains “task” in this channel: 1–10"


def rows_of(view) -> list[str]:
    return [line for b in view.blocks if b.get("block_id", "").startswith(BlockId.DETAILS_ROWS)
            for line in b["text"]["text"].split("\n")]


def footer(view) -> str:
    return next(b["elements"][0]["text"] for b in view.blocks if b["type"] == "context" and "page" in str(b))


async def test_details_modal_filters_searches_and_pages_showing_last_four_digits_only(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    p = progress_of(bot_runtime, task_id)
    await driver.block_actions(MEMBER_ID, ActionId.TASK_DETAILS, message=(APPROVALS_CHANNEL_ID, card_ts))
    modal = await eventually(lambda: workspace.views.top_modal(MEMBER_ID))
    assert whole_numbers_in(json.dumps(modal.definition)) == []
    rows = rows_of(modal)
    assert len(rows) == 25 and rows[0].startswith("`•••0000` · row 2 ·")  # file row 2: the first after the header
    assert all(row.startswith("`•••") for row in rows)
    totals = next(b for b in modal.blocks if b.get("block_id") == BlockId.DETAILS_TOTALS)
    fields = {f["text"].split("\n")[0].strip("*"): f["text"].split("\n")[1] for f in totals["fields"]}
    assert fields["Delivered"] == f"{p.delivered:,}" and fields["Failed"] == f"{p.failed:,}"
    assert fields["Sent to carrier"] == f"{p.sent_to_carrier:,}" and fields["Recipients"] == str(RECIPIENTS)
    assert footer(modal).startswith(f"1–25 of {RECIPIENTS} · page 1 of 3")

    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_NEXT, view_id=modal.id)
    view = await eventually(lambda: (v := workspace.views.get(modal.id)) and "page 2 of 3" in footer(v) and v)
    assert rows_of(view)[0].startswith("`•••0025`")
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_PREVIOUS, view_id=modal.id)
    await eventually(lambda: "page 1 of 3" in footer(workspace.views.get(modal.id)))

    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_FILTER_SELECT, view_id=modal.id,
                               selected_option={"value": "failed"})
    view = await eventually(lambda: (v := workspace.views.get(modal.id)) and f"of {p.failed} ·" in footer(v) and v)
    assert len(rows_of(view)) == min(p.failed, 25) and all("*failed*" in row for row in rows_of(view))

    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_FILTER_SELECT, view_id=modal.id,
                               selected_option={"value": "all"})
    await eventually(lambda: f"of {RECIPIENTS} ·" in footer(workspace.views.get(modal.id)))
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_SEARCH_INPUT, view_id=modal.id, value="7")
    view = await eventually(lambda: (v := workspace.views.get(modal.id)) and "of 6 ·" in footer(v) and v)
    assert [row[:9] for row in rows_of(view)] == [f"`•••00{n}7`" for n in range(6)]

    # the Search button: the form's digits; a whole number is refused, not searched
    await driver.view_submission(MEMBER_ID, modal.id, {BlockId.DETAILS_SEARCH: {
        ActionId.DETAILS_SEARCH_INPUT: {"value": "13800130007"}}})
    assert "1 to 4 digits" in workspace.submissions[-1].errors[BlockId.DETAILS_SEARCH]
    await driver.view_submission(MEMBER_ID, modal.id, {BlockId.DETAILS_SEARCH: {
        ActionId.DETAILS_SEARCH_INPUT: {"value": "0042"}},
        BlockId.DETAILS_FILTER: {ActionId.DETAILS_FILTER_SELECT: {"selected_option": {"value": "all"}}}})
    view = await eventually(lambda: (v := workspace.views.get(modal.id)) and "of 1 ·" in footer(v) and v)
    assert rows_of(view)[0].startswith("`•••0042`")
    assert whole_numbers_in(json.dumps(view.definition)) == []


async def test_status_opens_the_details_and_a_purged_task_shows_totals_only(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"status #{task_id}")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    assert modal.definition["submit"]["text"] == "Search"
    # its requester reads each recipient with their message, 10 a page (test_details_messages.py)
    assert len([b for b in modal.blocks if b.get("block_id", "").startswith(BlockId.DETAILS_MESSAGE)]) == 10

    # as retention leaves it: the totals saved on the task, the recipient rows gone
    purged_at = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    p = progress_of(bot_runtime, task_id)
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(task_id)
        task.final_counts = {"counts": uow.task_recipients.counts(task_id), "reasons": [], "fallbacks": 0}
        task.details_purged_at = purged_at
        uow.commit()
    with Session(bot_runtime.engine) as session:
        session.execute(delete(TaskRecipient).where(TaskRecipient.task_id == task_id))
        session.commit()
    await driver.view_closed(SENDER_ID, modal.id)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "status big SEND")  # by name, any case
    purged = await eventually(lambda: (v := workspace.views.top_modal(SENDER_ID)) and v.id != modal.id and v)
    shown = texts(purged.blocks)
    assert f"details were purged <!date^{int(purged_at.timestamp())}^" in shown and "totals above are kept" in shown
    assert rows_of(purged) == [] and "submit" not in purged.definition
    assert not [b for b in purged.blocks if b["type"] == "input"]
    assert f"*Recipients*\\n{RECIPIENTS}" in shown and f"*Delivered*\\n{p.delivered}" in shown
    assert f"*Failed*\\n{p.failed}" in shown
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "list")  # the list keeps the totals too
    assert f"Delivered {p.delivered:,} · Failed {p.failed:,}" in texts(last_reply(workspace).blocks)
    # the purged task's recipients are no longer looked up either
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "lookup 13800130007")
    assert last_reply(workspace).text.startswith("•••0007 is not among the recipients")

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "status 999")
    assert last_reply(workspace).text.startswith("No task is numbered or named “999”")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "status")
    assert last_reply(workspace).text.startswith("Usage: `/sms status &lt;task id or name&gt;`")


async def test_lookup_answers_per_task_by_last_four_digits(workspace, driver, catalog, bot_runtime, emulator, gateway,
                                                           clock, bot):  # noqa: F811
    task_id, _card = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway, recipients=20)
    with bot_runtime.uow() as uow:
        [row], _total = uow.task_recipients.details(task_id, ending="0007")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "lookup +86 138 0013 0007")
    reply = last_reply(workspace)
    assert reply.text == "•••0007 in 1 of this channel's tasks"
    line = texts(reply.blocks)
    assert f"*Big send* (#{task_id}, completed): *" in line
    assert {"delivered": "*delivered*", "failed": "*failed*", "submitted": "*awaiting receipt*"}[row.status] in line
    assert "submitted <!date^" in line
    await driver.slash_command(SENDER_ID, APPROVALS_CHANNEL_ID, "lookup 13800130007")  # the thread's channel
    assert last_reply(workspace).text == "•••0007 in 1 of this channel's tasks"
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "lookup 13900000000")
    assert last_reply(workspace).text.startswith("•••0000 is not among the recipients of this channel's tasks")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "lookup 12345")
    assert last_reply(workspace).text.startswith("That is not a phone number I can use: too short.")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "lookup")
    assert last_reply(workspace).text.startswith("Usage: `/sms lookup &lt;number&gt;`")


async def test_the_final_reports_details_button_opens_the_same_modal(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card_ts)
                                       if m.text.startswith("Send completed.")])
    await driver.block_actions(MEMBER_ID, ActionId.TASK_DETAILS, message=(APPROVALS_CHANNEL_ID, report[0].ts))
    modal = await eventually(lambda: workspace.views.top_modal(MEMBER_ID))
    assert len(rows_of(modal)) == 25 and all(row.startswith("`•••") for row in rows_of(modal))
