"""Every recipient's message is measured at submission: one over the limit is refused by its
row, or skipped and counted if the requester chooses so, and never reaches the provider; the
cost is every message's segments, on the preview, the card and the final report."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.use_cases.recipients import ImportSource, import_file
from handlers.ids import ActionId, BlockId
from tests.e2e.test_dispatch import (  # noqa: F401  (fixtures: the gateway and the bot that sends through it)
    bot, bot_provider, gateway, gateway_options, started, status_of,
)
from tests.e2e.test_send_tasks import (  # noqa: F401  (the approved content fixture)
    cards, catalog, eventually, form, open_send_modal, select,
)

LONG_NAME = "W" * 600  # row 3 of the file: its message is 629 characters


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


@pytest.fixture
def uneven_list(bot_runtime):
    csv = f"phone,name\n13800138000,Li\n13912345678,{LONG_NAME}\n13700137000,{'é' * 60}\n".encode()
    return import_file(bot_runtime.uow(), csv, ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "uneven.csv"),
                       limits=Limits(1 << 20, 1000), normalizer=PhoneNormalizer("CN")).list_id


def skip_box(ticked: bool) -> dict:
    chosen = [{"value": "skip"}] if ticked else []
    return {ActionId.SEND_FIELD: {"type": "checkboxes", "selected_options": chosen}}


async def test_a_recipient_whose_message_is_too_long_is_named_by_its_row(workspace, driver, catalog, uneven_list,
                                                                         bot_runtime):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(
        catalog, recipients={ActionId.SEND_REFRESH: select(f"list:{uneven_list}")}))
    refusal = workspace.submissions[-1].errors[BlockId.SEND_TEMPLATE]
    assert "1 recipient's message is over 500 characters" in refusal
    assert "(row 3; the longest, row 3, has 629)" in refusal
    assert cards(workspace) == []
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None


async def test_the_preview_shows_the_longest_message_and_the_exact_cost(workspace, driver, catalog, uneven_list):
    modal = await open_send_modal(workspace, driver)
    workspace.views.set_state(modal.id, form(catalog, recipients={ActionId.SEND_REFRESH: select(f"list:{uneven_list}")}))
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=BlockId.SEND_TEMPLATE,
                               selected_option={"value": str(catalog["Receipt"])})
    preview = await eventually(lambda: [b for b in workspace.views.get(modal.id).blocks
                                        if b.get("block_id") == BlockId.SEND_PREVIEW and b["type"] == "section"])
    shown = preview[0]["text"]["text"]
    assert "*Longest message* (629 characters)" in shown and LONG_NAME[:100] in shown
    # Li: 1 segment; the 60 é: 91 units, 2 segments; the long one is not sent: 3 in all at 0.045.
    assert "3 recipients · est. CNY 0.14" in shown
    assert ":warning: 1 recipient's message is over 500 characters" in shown
    assert any(b.get("block_id") == BlockId.SEND_SKIP_TOO_LONG for b in workspace.views.get(modal.id).blocks)


async def test_skipped_when_chosen_counted_and_never_sent(workspace, driver, catalog, uneven_list, bot_runtime,
                                                           emulator, gateway, clock, bot):  # noqa: F811
    _server, _config, state = gateway
    clock.now = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(
        catalog, recipients={ActionId.SEND_REFRESH: select(f"list:{uneven_list}")}, skip_too_long=skip_box(True)))
    assert workspace.submissions[-1].errors == {}
    card = (await eventually(lambda: cards(workspace)))[-1]
    assert "est. CNY 0.14" in str(card.blocks)  # the exact cost, on the approval card
    with bot_runtime.uow() as uow:
        task = uow.tasks.get(1)
        assert (task.recipient_count, task.segments, task.too_long) == (3, 3, 1)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    await eventually(lambda: status_of(bot_runtime, 1)[0] == "scheduled")
    _client, ticker = await started(bot_runtime, emulator, gateway, 1)
    await eventually(lambda: status_of(bot_runtime, 1)[0] == "completed")
    with bot_runtime.uow() as uow:
        skipped, _total = uow.task_recipients.details(1, statuses=["skipped"])
    assert [(r.row_number, r.reason) for r in skipped] == [(3, "message too long")]
    assert state.submissions_for("+8613912345678") == 0 and state.total_submissions == 2
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                       if m.text.startswith("Send completed.")])
    assert ("Estimated cost when submitted: CNY 0.14 for 3 segments; 1 recipient skipped because their message "
            "was over the limit.") in str(report[0].blocks)
    await ticker.providers.aclose()


async def test_a_large_list_is_measured_after_slack_is_answered(workspace, driver, catalog, uneven_list, bot_runtime,
                                                               monkeypatch):
    """Past MEASURED_INLINE recipients the answer to Slack cannot wait for the measuring: the
    modal says it is working, then shows the refusal with the form, or the task submitted."""
    import handlers.send

    monkeypatch.setattr(handlers.send, "MEASURED_INLINE", 2)
    modal = await open_send_modal(workspace, driver)
    chosen = {ActionId.SEND_REFRESH: select(f"list:{uneven_list}")}
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=chosen))
    assert workspace.submissions[-1].response_action == "update"
    back = await eventually(lambda: (v := workspace.views.get(modal.id)) and "Nothing was saved" in str(v.blocks) and v)
    assert "1 recipient's message is over 500 characters" in str(back.blocks)
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, recipients=chosen, skip_too_long=skip_box(True)))
    await eventually(lambda: "waiting for approval: 3 recipients" in str(workspace.views.get(modal.id).blocks))
    await eventually(lambda: cards(workspace))
