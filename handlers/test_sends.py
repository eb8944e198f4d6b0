"""The card's Test send button: who may test, with which values, how many, on the record."""

from __future__ import annotations

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import _, in_public
from domain.phones import PhoneNormalizer
from domain.privacy import last_four
from domain.tasks import check_test_numbers
from domain.use_cases.tasks import get_task
from domain.use_cases.test_sends import permit_test_send, test_send_form
from handlers import listeners
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import TaskRef
from handlers.replies import error_text, reply_ephemeral_or_dm
from handlers.task_thread import composition
from handlers.test_sends_blocks import (
    build_test_send_modal,
    build_test_send_note,
    build_test_send_result,
    typed_values,
)


async def open_test_send(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, ref: TaskRef) -> None:
    await ack()
    form = await anyio.to_thread.run_sync(test_send_form, uow(), ref.id, actor)
    await client.views_open(trigger_id=body["trigger_id"], view=build_test_send_modal(form, ref))


async def submit_test_send(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                           test_send, normalizer: PhoneNormalizer, ref: TaskRef) -> None:
    values = view["state"]["values"]
    numbers = ((values.get(BlockId.TEST_NUMBERS) or {}).get(ActionId.TEST_NUMBERS_INPUT) or {}).get("value") or ""
    try:
        if test_send is None:
            raise DomainError(_("Sending is off in this process, so nothing can be tested here."))
        phones = check_test_numbers(numbers, normalizer)
        permit = await anyio.to_thread.run_sync(lambda: permit_test_send(
            uow(), ref.id, actor, phones, typed_values(values), now=clock(),
            daily_limit=settings.test_send_daily_limit, composition=composition(settings)))
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.TEST_NUMBERS: error_text(error)})  # on the record
        return
    await ack()
    results = await test_send(permit, phones)
    shown = [(last_four(phone), status, reason) for phone, status, reason in results]
    task = await anyio.to_thread.run_sync(get_task, uow(), ref.id)
    channel = task.thread_channel or task.origin_channel
    await reply_ephemeral_or_dm(client, channel=channel, user=actor.user_id, thread_ts=task.thread_ts,
                          text=build_test_send_result(shown, approved=permit.approved, left_today=permit.left_today))
    if task.thread_ts:
        with in_public():  # the thread's record, which many read
            note = build_test_send_note(actor.user_id, [number for number, _status, _reason in shown],
                                        approved=permit.approved)
        await client.chat_postMessage(channel=channel, thread_ts=task.thread_ts, text=note)


LISTENERS = (
    listeners.action(ActionId.TASK_TEST_SEND, open_test_send),
    listeners.view(CallbackId.TASK_TEST_SEND, submit_test_send),
)
