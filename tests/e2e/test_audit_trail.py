"""`/sms audit` end to end: an approver reads who did what to a task and when, newest or oldest
first, page by page, a deleted task's too; anyone else is refused, and the refusal is on the
record (and not in the task's trail)."""

from __future__ import annotations

import json

from bot.sandbox.emulator import payloads
from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from domain.approvers import Actor
from domain.exports import ExportKind
from domain.segments import SignatureStyle
from domain.tasks import Composition
from domain.use_cases.exports import ExportPlan, record_export
from domain.use_cases.refusals import REFUSED
from domain.use_cases.test_sends import permit_test_send
from handlers.ids import ActionId, BlockId
from tests.e2e.test_send_tasks import (  # noqa: F401  (fixtures: approved content, the approvals channel)
    bot_overrides, catalog, eventually, submit_valid_task,
)

APPROVER = Actor(APPROVER_ID, is_approver=True)


def last_reply(workspace, user_id=APPROVER_ID):
    return workspace.ephemerals(user_id=user_id)[-1]


def entries(message) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b.get("block_id", "").startswith(BlockId.AUDIT_ENTRY)]


def audit_rows(bot_runtime, task_id: int) -> list:
    with bot_runtime.uow() as uow:
        return uow.audit.for_target("task", str(task_id))


def refusals(bot_runtime) -> list[tuple[str, str, str]]:
    with bot_runtime.uow() as uow:
        return [(e.actor, e.target_id, e.detail["reason"]) for e in reversed(uow.audit.latest()) if e.action == REFUSED]


def exported(bot_runtime, task_id: int, times: int = 1) -> None:
    """As the export listener records it, before the file leaves."""
    plan = ExportPlan(task_id, "November receipts", ExportKind.FAILED, 3, [], False, message_plan=None)  # no text read
    for _ in range(times):
        record_export(bot_runtime.uow(), plan, APPROVER, rows=3, filename="November receipts failed.xlsx",
                      delivered_to="D0APPROVER")


def pressed_by(workspace, user_id: str, owner_id: str, ts: str) -> dict:
    """The order button of `owner_id`'s trail, pressed by someone else (a copied payload)."""
    payload = payloads.block_actions_payload(workspace, owner_id, ActionId.AUDIT_ORDER, value=None, block_id=None,
                                             message=(GENERAL_CHANNEL_ID, ts), view_id=None, selected_option=None)
    payload["user"] = payloads.user_ref(workspace, user_id)
    return payload


def date_of(row) -> str:
    return f"<!date^{int(row.at.timestamp())}^{{date_short_pretty}} {{time}}|"


async def test_an_approver_reads_a_tasks_trail_newest_first_then_oldest_first(
        workspace, driver, catalog, bot_runtime, clock):  # noqa: F811
    card = await submit_valid_task(workspace, driver, catalog)  # task 1, created by the sender
    permit_test_send(bot_runtime.uow(), 1, Actor(SENDER_ID), ["+8613800138000"], {}, now=clock(), daily_limit=20,
                     composition=Composition(SignatureStyle.BRACKETS, "Reply STOP"))
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: len(audit_rows(bot_runtime, 1)) == 3)
    exported(bot_runtime, 1)
    await driver.block_actions(MEMBER_ID, ActionId.TASK_CANCEL, message=(APPROVALS_CHANNEL_ID, card.ts))  # refused
    await driver.block_actions(SENDER_ID, ActionId.TASK_CANCEL, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: len(audit_rows(bot_runtime, 1)) == 5 and refusals(bot_runtime))
    rows = audit_rows(bot_runtime, 1)

    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audit #1")
    reply = last_reply(workspace)
    assert reply.text == "Audit trail of “November receipts” (#1, canceled): 1–5 of 5, newest first"
    shown = entries(reply)
    assert [line.split(" · ")[1] for line in shown] == [
        f"<@{SENDER_ID}> canceled it", f"<@{APPROVER_ID}> exported its recipients", f"<@{APPROVER_ID}> approved it",
        f"<@{SENDER_ID}> sent a test of it", f"<@{SENDER_ID}> created it"]
    assert all(line.startswith(date_of(row)) for row, line in zip(reversed(rows), shown))  # each reader's zone
    assert "to •••8000" in shown[3] and "content not approved yet" in shown[3]  # last four digits only
    assert "failed recipients · 3 rows · to their direct message" in shown[1]
    assert "named “November receipts” · 2 recipients" in shown[4]
    assert "refused" not in json.dumps(reply.blocks) and MEMBER_ID not in json.dumps(reply.blocks)

    await driver.block_actions(APPROVER_ID, ActionId.AUDIT_ORDER, message=(GENERAL_CHANNEL_ID, reply.ts))
    oldest = await eventually(lambda: (m := workspace.ephemeral(reply.ts)).text.endswith("oldest first") and m)
    assert f"<@{SENDER_ID}> created it" in entries(oldest)[0] and "canceled it" in entries(oldest)[-1]
    [nav] = [b for b in oldest.blocks if b.get("block_id") == BlockId.AUDIT_NAV]
    assert [e["text"]["text"] for e in nav["elements"]] == ["Newest first"]  # one page: no Previous/Next

    await driver.slash_command(APPROVER_ID, APPROVALS_CHANNEL_ID, "audit november RECEIPTS")  # by name, any case
    assert last_reply(workspace).text.startswith("Audit trail of “November receipts” (#1, canceled)")


async def test_anyone_but_an_approver_is_refused_and_the_refusal_is_on_the_record(
        workspace, driver, catalog, bot_runtime):  # noqa: F811
    await submit_valid_task(workspace, driver, catalog)
    for user in (SENDER_ID, MEMBER_ID):  # the requester too
        await driver.slash_command(user, GENERAL_CHANNEL_ID, "audit 1")
        assert last_reply(workspace, user).text == "Only an approver can see a task's audit trail."
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audit 1")
    trail = last_reply(workspace)
    await driver.send_interaction(pressed_by(workspace, SENDER_ID, APPROVER_ID, trail.ts))  # the approver's button
    await eventually(lambda: len(refusals(bot_runtime)) == 3)
    assert refusals(bot_runtime) == [(SENDER_ID, "/sms audit", "Only an approver can see a task's audit trail."),
                                     (MEMBER_ID, "/sms audit", "Only an approver can see a task's audit trail."),
                                     (SENDER_ID, ActionId.AUDIT_ORDER, "Only an approver can see a task's audit trail.")]
    assert workspace.ephemeral(trail.ts).text.endswith("newest first")  # the approver's trail unchanged
    assert [row.action for row in audit_rows(bot_runtime, 1)] == ["task.created"]  # refusals are not the task's

    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audit")
    assert last_reply(workspace).text.startswith("Usage: `/sms audit &lt;task id or name&gt;`")
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audit 99")
    assert last_reply(workspace).text.startswith("No task is numbered or named “99”")


async def test_a_long_trail_is_paged_and_a_deleted_task_is_found_by_its_id(
        workspace, driver, catalog, bot_runtime):  # noqa: F811
    card = await submit_valid_task(workspace, driver, catalog, name={ActionId.SEND_FIELD: {
        "type": "plain_text_input", "value": "<!here> & receipts"}})
    exported(bot_runtime, 1, times=19)
    await driver.block_actions(SENDER_ID, ActionId.TASK_CANCEL, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: any("canceled this task" in m.text for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)))
    await driver.block_actions(SENDER_ID, ActionId.TASK_DELETE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: len(audit_rows(bot_runtime, 1)) == 22)
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None

    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audit 1")
    first = last_reply(workspace)
    assert first.text == "Audit trail of “&lt;!here&gt; &amp; receipts” (#1, deleted): 1–15 of 22, newest first"
    assert f"<@{SENDER_ID}> deleted it · named “&lt;!here&gt; &amp; receipts”" in entries(first)[0]
    assert "page 1 of 2" in json.dumps(first.blocks)
    await driver.block_actions(APPROVER_ID, ActionId.AUDIT_NEXT, message=(GENERAL_CHANNEL_ID, first.ts))
    second = await eventually(lambda: (m := workspace.ephemeral(first.ts)).text.endswith("16–22 of 22, newest first")
                              and m)
    assert len(entries(second)) == 7 and "created it" in entries(second)[-1]
    assert [b["block_id"] for b in second.blocks if b.get("block_id", "").startswith(BlockId.AUDIT_ENTRY)][0] == \
        f"{BlockId.AUDIT_ENTRY}:15"
    await driver.block_actions(APPROVER_ID, ActionId.AUDIT_PREVIOUS, message=(GENERAL_CHANNEL_ID, first.ts))
    await eventually(lambda: workspace.ephemeral(first.ts).text.endswith("1–15 of 22, newest first"))
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "audit receipts")  # a deleted task has no name to find
    assert last_reply(workspace).text.startswith("No task is numbered or named “receipts”")
