"""Signed submissions carrying values no input offers (crafted, or stale): each is refused on its
field with a clear message, never a 500, and nothing is stored."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from domain.use_cases.refusals import REFUSED
from handlers.ids import ActionId, BlockId, CallbackId
from tests.e2e.test_send_tasks import (  # noqa: F401  (fixtures: approved content, the approvals channel)
    bot_overrides, catalog, eventually, form, open_send_modal, select, submit_valid_task,
)


@pytest.mark.parametrize(("block", "value", "shown_on", "says"), [
    ("recipients", {ActionId.SEND_REFRESH: select("list:abc")}, BlockId.SEND_RECIPIENTS, "not one of the choices"),
    ("kind", {ActionId.SEND_REFRESH: select("evil")}, BlockId.SEND_KIND, "not one of the choices"),
    ("date", {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "2026-02-30"}}, BlockId.SEND_DATE,
     "2026-02-30 is not a date"),
    ("time", {ActionId.SEND_FIELD: {"type": "timepicker", "selected_time": "25:61"}}, BlockId.SEND_TIME,
     "25:61 is not a time of day"),
])
async def test_the_send_modal_refuses_values_it_never_offered_on_their_field(workspace, driver, catalog, bot_runtime,
                                                                            block, value, shown_on, says):
    modal = await open_send_modal(workspace, driver)
    response = await driver.crafted_view_submission(SENDER_ID, modal.id, form(catalog, **{block: value}))
    assert response.status_code == 200
    assert says in workspace.submissions[-1].errors[shown_on]
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None


async def test_a_made_up_block_gets_its_error_on_an_input_slack_accepts(workspace, driver, catalog):
    modal = await open_send_modal(workspace, driver)
    values = form(catalog)
    values["send.made_up"] = {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "never"}}
    values[BlockId.SEND_DATE] = {ActionId.SEND_FIELD: {"type": "datepicker", "selected_date": "never"}}
    await driver.crafted_view_submission(SENDER_ID, modal.id, values)
    assert workspace.submissions[-1].errors == {BlockId.SEND_DATE: "never is not a date."}


async def test_a_late_approval_with_a_made_up_choice_is_refused_inline(workspace, driver, catalog, bot_runtime, clock):
    from datetime import datetime, timezone

    card = await submit_valid_task(workspace, driver, catalog)
    clock.now = datetime(2026, 11, 23, 14, 30, tzinfo=timezone.utc)  # 22:30 in Shanghai
    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.crafted_view_submission(APPROVER_ID, modal.id, {BlockId.LATE_START_CHOICE: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "radio_buttons", "selected_option": {"value": "whenever"}}}})
    assert "not one of the choices" in workspace.submissions[-1].errors[BlockId.LATE_START_CHOICE]
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).status == "moderating"


async def test_the_template_modal_refuses_a_purpose_it_never_offered(workspace, driver, bot_runtime):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template add")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    values = {BlockId.TEMPLATE_NAME: {ActionId.TEMPLATE_FIELD: {"type": "plain_text_input", "value": "Evil"}},
              BlockId.TEMPLATE_BODY: {ActionId.TEMPLATE_FIELD: {"type": "plain_text_input", "value": "Hi"}},
              BlockId.TEMPLATE_PURPOSE: {ActionId.TEMPLATE_FIELD: {"type": "static_select",
                                                                   "selected_option": {"value": "evil"}}}}
    await driver.crafted_view_submission(SENDER_ID, modal.id, values)
    assert "not one of the choices" in workspace.submissions[-1].errors[BlockId.TEMPLATE_PURPOSE]
    with bot_runtime.uow() as uow:
        assert uow.templates.all() == []


async def test_a_submission_whose_private_metadata_is_not_ours_is_answered_not_crashed(workspace, driver, catalog,
                                                                                     bot_runtime):
    modal = await open_send_modal(workspace, driver)
    workspace.views.get(modal.id).definition["private_metadata"] = "{not json"
    response = await driver.crafted_view_submission(SENDER_ID, modal.id, form(catalog))
    assert response.status_code == 200
    assert "no longer matches anything I know" in str(workspace.submissions[-1].errors)
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
    [(who, what, why)] = refused(bot_runtime)
    assert (who, what) == (SENDER_ID, CallbackId.SEND_SUBMIT) and "no longer matches" in why


def tasks_stored(bot_runtime) -> int:
    with bot_runtime.uow() as uow:
        return uow.tasks.page(limit=100)[1]


async def test_the_same_submission_twice_or_three_times_at_once_makes_one_task(workspace, driver, catalog,
                                                                             bot_runtime):
    import asyncio

    from bot.sandbox.emulator import payloads

    modal = await open_send_modal(workspace, driver)
    workspace.views.set_state(modal.id, form(catalog))
    payload = payloads.view_submission_payload(workspace, SENDER_ID, modal.id)
    answers = await asyncio.gather(*(driver.send_interaction(payload) for _ in range(3)))  # Slack, or a double click
    assert [a.status_code for a in answers] == [200, 200, 200]
    await driver.send_interaction(payload)  # and once more, later
    assert tasks_stored(bot_runtime) == 1
    await eventually(lambda: [m for m in workspace.messages(APPROVALS_CHANNEL_ID) if m.text.startswith("Send task")])
    assert len([m for m in workspace.messages(APPROVALS_CHANNEL_ID) if m.text.startswith("Send task")]) == 1


async def test_a_corrected_resubmission_after_a_refusal_is_taken(workspace, driver, catalog, bot_runtime):
    modal = await open_send_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, form(catalog, name={ActionId.SEND_FIELD: {
        "type": "plain_text_input", "value": "x" * 31}}))
    assert workspace.submissions[-1].errors
    await driver.view_submission(SENDER_ID, modal.id, form(catalog))
    assert workspace.submissions[-1].errors == {}
    assert tasks_stored(bot_runtime) == 1


async def test_limits_hold_whatever_the_client_sent(workspace, driver, catalog, bot_runtime):
    """A crafted 5,000-character template body, a task name holding NUL, a 600-character reason:
    each refused on its field, nothing stored, whatever the modal's own limits."""
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template add")
    template = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.crafted_view_submission(SENDER_ID, template.id, {
        BlockId.TEMPLATE_NAME: {ActionId.TEMPLATE_FIELD: {"type": "plain_text_input", "value": "Huge"}},
        BlockId.TEMPLATE_BODY: {ActionId.TEMPLATE_FIELD: {"type": "plain_text_input", "value": "x" * 5000}}})
    assert "At most 1,000 characters; this has 5,000" in workspace.submissions[-1].errors[BlockId.TEMPLATE_BODY]
    await driver.view_closed(SENDER_ID, template.id)

    modal = await open_send_modal(workspace, driver)
    await driver.crafted_view_submission(SENDER_ID, modal.id, form(catalog, name={
        ActionId.SEND_FIELD: {"type": "plain_text_input", "value": "Weekly\x00\nsale"}}))
    assert "without control characters" in workspace.submissions[-1].errors[BlockId.SEND_NAME]

    card = await submit_valid_task(workspace, driver, catalog)
    await driver.block_actions(APPROVER_ID, ActionId.TASK_REJECT, message=(APPROVALS_CHANNEL_ID, card.ts))
    reject = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.crafted_view_submission(APPROVER_ID, reject.id, {BlockId.APPROVAL_REASON: {
        ActionId.APPROVAL_REASON_INPUT: {"type": "plain_text_input", "value": "no " * 200}}})
    assert "The reason is too long" in workspace.submissions[-1].errors[BlockId.APPROVAL_REASON]
    with bot_runtime.uow() as uow:
        assert "Huge" not in [t.name for t in uow.templates.all()]
        assert uow.tasks.get(1).status == "moderating"
    # each refusal is on the record: who, which form, why
    records = refused(bot_runtime)
    assert [(who, what) for who, what, _why in records] == [
        (SENDER_ID, CallbackId.TEMPLATE_ADD), (SENDER_ID, CallbackId.SEND_SUBMIT), (APPROVER_ID, CallbackId.TASK_REJECT)]
    for (_who, _what, why), said in zip(records, ("this has 5,000", "without control characters", "too long")):
        assert said in why


def refused(bot_runtime) -> list[tuple[str, str, str]]:
    """(who, what, why) of every refusal on the record, oldest first."""
    with bot_runtime.uow() as uow:
        return [(e.actor, e.target_id, e.detail["reason"]) for e in reversed(uow.audit.latest())
                if e.action == REFUSED]
