"""Exports and follow-ups: the buttons on a task's final report and `/sms export`. A file with
whole numbers goes only into the asker's direct message with the bot, after an audit entry;
"Resend to failed" opens the send modal as a copy of the task with its failed and no-receipt
numbers as recipients; "Save failed as audience" saves them under a name derived from the
task (no question asked, so it is one click; renaming is a delete and a save away)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.exports import ExportKind, export_filename, parse_kind, split_export_args
from domain.schedule import to_local
from domain.status import parse_task_ref
from domain.use_cases.exports import (
    check_follow_up,
    follow_up_list,
    plan_export,
    record_export,
    record_export_failure,
    save_failed_as_audience,
    write_export,
)
from domain.use_cases.status import find_task
from handlers import listeners
from handlers.exports_blocks import EXPORT_USAGE, audience_saved_text, export_comment, preparing_text
from handlers.ids import SLASH_COMMAND, ActionId
from handlers.payloads import ExportRef, TaskRef
from handlers.pressed import where_pressed
from handlers.replies import error_mrkdwn, reply_ephemeral
from handlers.send_blocks import RecipientOption, build_done_view, build_working_view
from handlers.slack_files import FileUploadFailed, open_direct_message, send_path_privately
from handlers.sms_command import Invocation, Subcommand
from handlers.task_thread import composition
from handlers.tasks import copy_modal

Tell = Callable[[str], Awaitable[None]]


async def deliver_export(client: AsyncWebClient, uow, settings, clock, actor: Actor, task_id: int, kind: ExportKind,
                         *, tell: Tell) -> int:
    """Checks, says it is preparing, streams the rows into a temporary file, audits, and
    uploads the file into the asker's DM. Returns the rows exported; DomainError if refused."""
    plan = await anyio.to_thread.run_sync(lambda: plan_export(uow(), task_id, actor, kind,
                                                              composition=composition(settings)))
    await tell(preparing_text(plan.task_name, kind, plan.rows))
    filename = export_filename(plan.task_id, kind, clock())
    with tempfile.TemporaryDirectory(prefix="smsbot-export-") as folder:
        path = os.path.join(folder, filename)

        def write() -> int:
            with open(path, "wb") as target:
                return write_export(uow(), plan, target, tz=settings.timezone)

        rows = await anyio.to_thread.run_sync(write)
        dm = await open_direct_message(client, actor.user_id)
        await anyio.to_thread.run_sync(lambda: record_export(uow(), plan, actor, rows=rows, filename=filename,
                                                             delivered_to=dm))
        try:
            await send_path_privately(client, dm, filename=filename, path=path,
                                      comment=export_comment(plan.task_name, kind, rows))
        except (FileUploadFailed, OSError) as error:
            await anyio.to_thread.run_sync(record_export_failure, uow(), plan, actor, str(error))
            raise DomainError(f"The export of *{plan.task_name}* could not be delivered: {error}") from None
    return rows


async def export_command(invocation: Invocation) -> None:
    await invocation.acknowledge()  # counting and writing may take longer than Slack waits
    text, kind = split_export_args(invocation.parsed.rest)
    if not text:
        await invocation.reply(EXPORT_USAGE)
        return
    context = invocation.context
    task_id = await anyio.to_thread.run_sync(find_task, context["uow"](), parse_task_ref(text),
                                             invocation.channel_id)
    await deliver_export(invocation.client, context["uow"], context["settings"], context["clock"],
                         invocation.actor, task_id, kind, tell=invocation.reply)


async def export_from_report(body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                             ref: ExportRef) -> None:
    pressed = where_pressed(body)  # the final report, in the task's thread

    async def tell(text: str) -> None:
        await reply_ephemeral(client, channel=pressed.channel, user=actor.user_id, text=text,
                              thread_ts=pressed.thread_ts)

    await deliver_export(client, uow, settings, clock, actor, ref.id, parse_kind(ref.kind), tell=tell)


async def export_button(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                        ref: ExportRef) -> None:
    await ack()
    await export_from_report(body, client, actor, uow, settings, clock, ref)


async def export_menu(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                      ref: ExportRef) -> None:
    await ack()
    await export_from_report(body, client, actor, uow, settings, clock, ref)


async def resend(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, member_actor, uow, settings,
                 ref: TaskRef) -> None:
    await ack()
    channel = where_pressed(body).channel
    await anyio.to_thread.run_sync(check_follow_up, uow(), ref.id, actor)
    # The trigger is good for 3 s; copying a large list takes longer: a working view first.
    opened = await client.views_open(trigger_id=body["trigger_id"], view=build_working_view(
        "Gathering the failed and no-receipt numbers…"))
    view_id = opened["view"]["id"]
    try:
        follow = await anyio.to_thread.run_sync(lambda: follow_up_list(
            uow(), ref.id, actor, channel_id=channel, purpose="resend"))
    except DomainError as error:
        await client.views_update(view_id=view_id, view=build_done_view(error_mrkdwn(error)))
        return
    recipients = RecipientOption(f"list:{follow.list_id}",
                                 f"Failed and no-receipt numbers of {follow.task_name} ({follow.count:,})")
    await client.views_update(view_id=view_id, view=await copy_modal(uow, settings, await member_actor(), channel,
                                                                     ref.id, recipients=recipients))


async def save_audience(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                        ref: TaskRef) -> None:
    await ack()
    pressed = where_pressed(body)
    today = to_local(clock(), settings.timezone).date()
    saved = await anyio.to_thread.run_sync(lambda: save_failed_as_audience(
        uow(), ref.id, actor, channel_id=pressed.channel, today=today))
    await reply_ephemeral(client, channel=pressed.channel, user=actor.user_id, thread_ts=pressed.thread_ts,
                          text=audience_saved_text(saved.name, saved.recipient_count))


LISTENERS = (
    listeners.action(ActionId.EXPORT_FAILED, export_button),
    listeners.action(ActionId.EXPORT_MORE, export_menu),
    listeners.action(ActionId.FOLLOW_UP_RESEND, resend),
    listeners.action(ActionId.FOLLOW_UP_AUDIENCE, save_audience),
)


SUBCOMMANDS = (
    Subcommand("export", f"{SLASH_COMMAND} export <task> [failed|no-receipt|all]",
               "Get a task's failed, no-receipt or all recipients as XLSX, in a DM", export_command),
)
