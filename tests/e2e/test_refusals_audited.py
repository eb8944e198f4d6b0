"""Refusals are on the record like successes: who asked for what, and why it was refused, from a
button and from a command (a crafted modal's: tests/e2e/test_test_sends.py)."""

from __future__ import annotations

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, GENERAL_CHANNEL_ID, MEMBER_ID
from domain.use_cases.refusals import REFUSED
from handlers.ids import ActionId
from tests.e2e.test_send_tasks import bot_overrides, catalog, eventually, submit_valid_task  # noqa: F401


def refusals(bot_runtime) -> dict[str, tuple[str, str]]:
    """What was asked for -> (who asked, why it was refused)."""
    with bot_runtime.uow() as uow:
        return {e.target_id: (e.actor, e.detail["reason"]) for e in uow.audit.latest() if e.action == REFUSED}


async def test_a_refused_button_and_a_refused_command_each_have_their_audit_row(workspace, driver, catalog,
                                                                               bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(MEMBER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "template code Receipt SMS_1")
    found = await eventually(lambda: len(refusals(bot_runtime)) == 2 and refusals(bot_runtime))
    assert found[ActionId.TASK_APPROVE][0] == MEMBER_ID and "Only an approver" in found[ActionId.TASK_APPROVE][1]
    assert found["/sms template"] == (MEMBER_ID, found["/sms template"][1])
    assert "Only an approver can set a template's provider code" in found["/sms template"][1]
