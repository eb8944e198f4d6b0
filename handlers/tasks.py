"""A send task's thread: the card, approve/reject, edit, cancel, copy, delete. What a press
posts in the thread is in the workspace's language (`in_public`); modals and refusals to the
person who pressed are in theirs."""

from __future__ import annotations

import logging

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import in_public
from domain.schedule import StartChoice, from_local, late_reason
from domain.tasks import TaskFieldError
from domain.use_cases.approvals import Approval, NeedsStartChoice, decide_task, task_to_decide
from domain.use_cases.tasks import cancel_task, copy_source, delete_task, get_task, task_to_edit
from handlers import listeners
from handlers.home import publish_home, refresh_if_on_home
from handlers.form_input import FormInputError, choice, clock_time, day, on_inputs
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import LateStartState, SendModalState, TaskRef, TaskRejectState
from handlers.pressed import where_pressed
from handlers.replies import error_text
from handlers.send_modal import SendModal, form_from_task, user_timezone
from handlers.send_blocks import RecipientOption, SendForm
from handlers.task_thread import TaskThread
from handlers.task_blocks import (
    CANCELED_NOTE,
    DELETED_NOTE,
    acted_note,
    approval_note,
    build_late_start_modal,
    build_task_reject_modal,
    decided_news,
    rejected_note,
)

log = logging.getLogger(__name__)


async def approve(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                  start_signal, languages, ref: TaskRef) -> None:
    await ack()
    try:
        task = await anyio.to_thread.run_sync(lambda: decide_task(
            uow(), ref.id, ref.version, actor, Approval(approve=True), allow_self_approval=settings.allow_self_approval,
            now=clock(), rules=settings.start_rules))
    except NeedsStartChoice as late:
        # Late, or outside the window: nothing is sent until the approver chooses when.
        current = await anyio.to_thread.run_sync(get_task, uow(), ref.id)
        await client.views_open(trigger_id=body["trigger_id"], view=build_late_start_modal(
            current, late.late, from_home=where_pressed(body).on_home))
        return
    start_signal.nudge()  # this process's dispatcher starts it now, if it is due
    thread = TaskThread(client, uow, settings, clock, languages=languages)
    with in_public():
        note = approval_note(actor.user_id, task)
    await thread.refresh(task, note, card_at=where_pressed(body).message)
    await tell_of_decision(thread, task, actor)
    await refresh_if_on_home(body, client, uow, settings, actor)


async def tell_of_decision(thread: TaskThread, task, actor: Actor) -> None:
    """The requester hears of the decision, unless they made it (self-approval)."""
    if actor.user_id != task.created_by:
        await thread.tell_requester(task, lambda told: decided_news(told, actor.user_id))


async def submit_late_start(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                            start_signal, languages, ref: LateStartState) -> None:
    values = view["state"]["values"]
    try:
        chosen = choice(StartChoice, _picked(values, BlockId.LATE_START_CHOICE, "selected_option"),
                        BlockId.LATE_START_CHOICE, StartChoice.EARLIEST)
        on = day(_picked(values, BlockId.LATE_START_DATE, "selected_date"), BlockId.LATE_START_DATE)
        at = clock_time(_picked(values, BlockId.LATE_START_TIME, "selected_time"), BlockId.LATE_START_TIME)
    except FormInputError as error:
        await ack(response_action="errors", errors=on_inputs(view, {error.block_id: error_text(error)}))
        return
    tz = await user_timezone(client, actor.user_id, settings.timezone)
    reschedule_at = from_local(on, at, tz) if on and at else None
    try:
        task = await anyio.to_thread.run_sync(lambda: decide_task(
            uow(), ref.id, ref.version, actor, Approval(approve=True, start=chosen, reschedule_at=reschedule_at),
            allow_self_approval=settings.allow_self_approval, now=clock(), rules=settings.start_rules))
    except TaskFieldError as error:
        await ack(response_action="errors", errors={BlockId.LATE_START_DATE: error_text(error)})
        return
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.LATE_START_CHOICE: error_text(error)})
        return
    await ack()
    start_signal.nudge()
    thread = TaskThread(client, uow, settings, clock, languages=languages)
    with in_public():
        why = late_reason(ref.late_cause, ref.asked_time, settings.start_rules.window)
        note = approval_note(actor.user_id, task, chosen, why)
    await thread.refresh(task, note)
    await tell_of_decision(thread, task, actor)
    if ref.from_home:
        await publish_home(client, uow, settings, actor)


def _picked(values: dict, block_id: str, key: str):
    element = next(iter((values.get(block_id) or {}).values()), {})
    picked = element.get(key)
    return picked.get("value") if isinstance(picked, dict) else picked


async def open_reject(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings,
                      ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(lambda: task_to_decide(
        uow(), ref.id, actor, allow_self_approval=settings.allow_self_approval))
    await client.views_open(trigger_id=body["trigger_id"],
                            view=build_task_reject_modal(task, from_home=where_pressed(body).on_home))


async def submit_reject(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                        languages, ref: TaskRejectState) -> None:
    reason = view["state"]["values"][BlockId.APPROVAL_REASON][ActionId.APPROVAL_REASON_INPUT]["value"] or ""
    try:
        task = await anyio.to_thread.run_sync(lambda: decide_task(
            uow(), ref.id, ref.version, actor, Approval(approve=False, reason=reason),
            allow_self_approval=settings.allow_self_approval, now=clock(), rules=settings.start_rules))
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.APPROVAL_REASON: error_text(error)})
        return
    await ack()
    thread = TaskThread(client, uow, settings, clock, languages=languages)
    with in_public():
        note = rejected_note(actor.user_id, task.reason or "")
    await thread.refresh(task, note)
    await tell_of_decision(thread, task, actor)
    if ref.from_home:
        await publish_home(client, uow, settings, actor)


async def cancel(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                 ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(lambda: cancel_task(
        uow(), ref.id, actor, now=clock(), tz=settings.timezone, cutoffs=settings.cutoffs))
    with in_public():
        note = acted_note(actor.user_id, CANCELED_NOTE)
    await TaskThread(client, uow, settings, clock).refresh(task, note, card_at=where_pressed(body).message)


async def delete(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                 ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(get_task, uow(), ref.id)
    await anyio.to_thread.run_sync(lambda: delete_task(
        uow(), ref.id, actor, now=clock(), tz=settings.timezone, cutoffs=settings.cutoffs))
    with in_public():
        note = acted_note(actor.user_id, DELETED_NOTE)
    await TaskThread(client, uow, settings, clock).refresh(task, note, deleted=True,
                                                           card_at=where_pressed(body).message)


async def edit(ack: AsyncAck, body: dict, client: AsyncWebClient, member_actor, uow, settings, clock,
               ref: TaskRef) -> None:
    await ack()
    actor = await member_actor()
    task = await anyio.to_thread.run_sync(lambda: task_to_edit(
        uow(), ref.id, actor, now=clock(), tz=settings.timezone, cutoffs=settings.cutoffs))
    modal = SendModal(uow, settings, actor)
    state = SendModalState(channel_id=task.origin_channel, task_id=task.id, version=task.version,
                           previous_list_id=task.recipient_list_id)
    options = await modal.options(state, imports_of=task.created_by)
    tz = await user_timezone(client, actor.user_id, settings.timezone)
    form = form_from_task(task, options, tz)
    await client.views_open(trigger_id=body["trigger_id"], view=await modal.render(state, form, editing=True))


async def copy(ack: AsyncAck, body: dict, client: AsyncWebClient, member_actor, uow, settings, ref: TaskRef) -> None:
    await ack()
    view = await copy_modal(uow, settings, await member_actor(), where_pressed(body).channel, ref.id)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def copy_modal(uow, settings, actor: Actor, channel: str, task_id: int, *,
                     recipients: RecipientOption | None = None) -> dict:
    """The send modal as a copy of a task, for one who may see it (`actor`, with their channels):
    the same content, no send time. Its recipients are chosen anew with the original's among the
    choices, or, given `recipients`, fixed to that list (a resend to the failed numbers)."""
    draft, extra = await anyio.to_thread.run_sync(copy_source, uow(), task_id, actor)
    modal = SendModal(uow, settings, actor)
    if recipients is None:
        state = SendModalState(channel_id=channel, previous_list_id=extra["previous_list_id"])
    else:
        state = SendModalState(channel_id=channel, list_id=int(recipients.value.removeprefix("list:")))
    options = await modal.options(state)
    if recipients is not None:  # shown by the given label, wherever else the list is offered
        options = [o for o in options if o.value != recipients.value] + [recipients]
    form = SendForm(name=draft.name, kind=draft.kind, signature_id=draft.signature_id,
                    template_id=draft.template_id, fallback=draft.fallback,
                    fallback_template_id=draft.fallback_template_id, default_link=draft.default_link or "",
                    recipients=recipients.value if recipients else None, recipient_options=options)
    return await modal.render(state, form)


LISTENERS = (
    listeners.action(ActionId.TASK_APPROVE, approve),
    listeners.action(ActionId.TASK_REJECT, open_reject),
    listeners.view(CallbackId.TASK_REJECT, submit_reject),
    listeners.view(CallbackId.TASK_LATE_START, submit_late_start),
    listeners.action(ActionId.TASK_CANCEL, cancel),
    listeners.action(ActionId.TASK_DELETE, delete),
    listeners.action(ActionId.TASK_EDIT, edit),
    listeners.action(ActionId.TASK_COPY, copy),
)
