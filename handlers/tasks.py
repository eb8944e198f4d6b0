"""A send task's thread: the card, approve/reject, edit, cancel, copy, delete."""

from __future__ import annotations

import logging

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.phones import PhoneNormalizer
from domain.privacy import last_four
from domain.tasks import check_test_numbers
from domain.use_cases.tasks import (
    cancel_task,
    copy_source,
    decide_task,
    delete_task,
    get_task,
    task_to_decide,
    task_to_edit,
)
from handlers import listeners
from handlers.home import pressed_on_home, publish_home, refresh_if_on_home
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import SendModalState, TaskRef, TaskRejectState
from handlers.replies import error_text, reply_ephemeral
from handlers.send import SendModal, form_from_task, user_timezone
from handlers.send_blocks import RecipientOption, SendForm
from handlers.task_thread import TaskThread, pressed_card
from handlers.task_blocks import (
    acted_note,
    approved_note,
    build_task_reject_modal,
    build_test_send_modal,
    build_test_send_result,
    rejected_note,
)

log = logging.getLogger(__name__)


async def approve(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                  ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(lambda: decide_task(
        uow(), ref.id, ref.version, actor, approve=True, reason=None,
        allow_self_approval=settings.allow_self_approval, now=clock()))
    await TaskThread(client, uow, settings).refresh(task, approved_note(actor.user_id, task.send_at),
                                                    card_at=pressed_card(body))
    await refresh_if_on_home(body, client, uow, settings, actor)


async def open_reject(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings,
                      ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(lambda: task_to_decide(
        uow(), ref.id, actor, allow_self_approval=settings.allow_self_approval))
    await client.views_open(trigger_id=body["trigger_id"],
                            view=build_task_reject_modal(task, from_home=pressed_on_home(body)))


async def submit_reject(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                        ref: TaskRejectState) -> None:
    reason = view["state"]["values"][BlockId.APPROVAL_REASON][ActionId.APPROVAL_REASON_INPUT]["value"] or ""
    try:
        task = await anyio.to_thread.run_sync(lambda: decide_task(
            uow(), ref.id, ref.version, actor, approve=False, reason=reason,
            allow_self_approval=settings.allow_self_approval, now=clock()))
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.APPROVAL_REASON: error_text(error)})
        return
    await ack()
    await TaskThread(client, uow, settings).refresh(task, rejected_note(actor.user_id, task.reason or ""))
    if ref.from_home:
        await publish_home(client, uow, settings, actor)


async def cancel(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                 ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(lambda: cancel_task(
        uow(), ref.id, actor, now=clock(), tz=settings.timezone))
    await TaskThread(client, uow, settings).refresh(task, acted_note(actor.user_id, "canceled this task"),
                                                    card_at=pressed_card(body))


async def delete(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings,
                 ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(get_task, uow(), ref.id)
    await anyio.to_thread.run_sync(delete_task, uow(), ref.id, actor)
    await TaskThread(client, uow, settings).refresh(task, acted_note(actor.user_id, "deleted this task"), deleted=True,
                                                    card_at=pressed_card(body))


async def edit(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(task_to_edit, uow(), ref.id, actor)
    modal = SendModal(uow, settings)
    state = SendModalState(channel_id=task.origin_channel, task_id=task.id, version=task.version)
    options = await modal.options(task.created_by, task.origin_channel)
    if not any(o.value == f"list:{task.recipient_list_id}" for o in options):
        options.append(RecipientOption(f"list:{task.recipient_list_id}", f"This task's {task.recipient_count:,} recipients"))
    tz = await user_timezone(client, actor.user_id, settings.timezone)
    form = form_from_task(task, options, tz)
    await client.views_open(trigger_id=body["trigger_id"], view=await modal.render(state, form, editing=True))


async def open_test_send(ack: AsyncAck, body: dict, client: AsyncWebClient, uow, ref: TaskRef) -> None:
    await ack()
    task = await anyio.to_thread.run_sync(get_task, uow(), ref.id)
    await client.views_open(trigger_id=body["trigger_id"], view=build_test_send_modal(task))


async def submit_test_send(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, test_send,
                           normalizer: PhoneNormalizer, ref: TaskRef) -> None:
    text = view["state"]["values"][BlockId.TEST_NUMBERS][ActionId.TEST_NUMBERS_INPUT]["value"] or ""
    try:
        if test_send is None:
            raise DomainError("Sending is off in this process, so nothing can be tested here.")
        phones = check_test_numbers(text, normalizer)
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.TEST_NUMBERS: error_text(error)})
        return
    await ack()
    task = await anyio.to_thread.run_sync(get_task, uow(), ref.id)
    results = await test_send(task.id, phones)
    shown = [(last_four(phone), status, reason) for phone, status, reason in results]
    await reply_ephemeral(client, channel=task.thread_channel or task.origin_channel, user=actor.user_id,
                          text=build_test_send_result(shown))


async def copy(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, ref: TaskRef) -> None:
    await ack()
    view = await copy_modal(uow, settings, actor.user_id, body["channel"]["id"], ref.id)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def copy_modal(uow, settings, user_id: str, channel: str, task_id: int, *,
                     recipients: RecipientOption | None = None) -> dict:
    """The send modal as a copy of a task: the same content, no send time. Its recipients are
    chosen anew with the original's among the choices, or, given `recipients`, fixed to that
    list (a resend to the failed numbers)."""
    draft, extra = await anyio.to_thread.run_sync(copy_source, uow(), task_id)
    modal = SendModal(uow, settings)
    options = await modal.options(user_id, channel)
    chosen = recipients or RecipientOption(f"list:{extra['previous_list_id']}", "The same recipients as the original")
    if recipients is not None:  # shown by the given label, wherever else the list is offered
        options = [o for o in options if o.value != chosen.value]
    if not any(o.value == chosen.value for o in options):
        options.append(chosen)
    form = SendForm(name=draft.name, purpose=draft.purpose, kind=draft.kind, signature_id=draft.signature_id,
                    template_id=draft.template_id, fallback=draft.fallback,
                    fallback_template_id=draft.fallback_template_id, default_link=draft.default_link or "",
                    recipients=chosen.value if recipients else None, recipient_options=options)
    if recipients is None:
        state = SendModalState(channel_id=channel, previous_list_id=extra["previous_list_id"])
    else:
        state = SendModalState(channel_id=channel, list_id=int(recipients.value.removeprefix("list:")))
    return await modal.render(state, form)


LISTENERS = (
    listeners.action(ActionId.TASK_APPROVE, approve),
    listeners.action(ActionId.TASK_REJECT, open_reject),
    listeners.view(CallbackId.TASK_REJECT, submit_reject),
    listeners.action(ActionId.TASK_CANCEL, cancel),
    listeners.action(ActionId.TASK_DELETE, delete),
    listeners.action(ActionId.TASK_EDIT, edit),
    listeners.action(ActionId.TASK_TEST_SEND, open_test_send),
    listeners.view(CallbackId.TASK_TEST_SEND, submit_test_send),
    listeners.action(ActionId.TASK_COPY, copy),
)
