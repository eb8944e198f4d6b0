"""Exports and follow-ups: the buttons on a task's final report and `/sms export`. A file with
whole numbers goes only into the asker's direct message with the bot, after an audit entry;
"Resend to failed" opens the send modal as a copy of the task with its failed and no-receipt
numbers as recipients; "Save failed as audience" saves them under a name derived from the
task (no question asked, so it is one click); "Follow up on…" opens a modal to do either with
its delivered, failed and no-receipt numbers in any mix, an audience named or not."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import N_, _, number
from domain.exports import (
    DEFAULT_FOLLOW_UP,
    ExportKind,
    FollowUpGroup,
    export_filename,
    follow_up_words,
    parse_kind,
    split_export_args,
)
from domain.schedule import to_local
from domain.status import parse_task_ref
from domain.use_cases.exports import (
    check_follow_up,
    follow_up_counts,
    follow_up_list,
    plan_export,
    record_export,
    record_export_failure,
    save_follow_up_audience,
    write_export,
)
from domain.use_cases.audiences import check_name_free
from domain.use_cases.status import find_task
from handlers import listeners
from handlers.exports_blocks import (
    FollowUpDo,
    audience_saved_text,
    build_follow_up_modal,
    export_comment,
    export_usage,
    follow_up_view,
    preparing_text,
)
from handlers.form_input import FormInputError, choice, on_inputs
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ExportRef, FollowUpState, TaskRef
from handlers.pressed import where_pressed
from handlers.replies import error_mrkdwn, error_text, reply_ephemeral
from handlers.send_blocks import RecipientOption, build_done_view, build_working_view
from handlers.slack_files import FileUploadFailed, open_direct_message, send_path_privately
from handlers.sms_command import Invocation, Subcommand
from handlers.task_thread import composition
from handlers.tasks import copy_modal
from handlers.working_views import as_working, new_working_id, show_over_working

Tell = Callable[[str], Awaitable[None]]
Show = Callable[[dict], Awaitable[None]]


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
            raise DomainError(_("The export of *{name}* could not be delivered: {error}", name=plan.task_name,
                                error=error)) from None
    return rows


async def export_command(invocation: Invocation) -> None:
    await invocation.acknowledge()  # counting and writing may take longer than Slack waits
    text, kind = split_export_args(invocation.parsed.rest)
    if not text:
        await invocation.reply(export_usage())
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


async def _resend_in(show: Show, uow, settings, actor: Actor, member_actor, channel: str, task_id: int,
                    groups: frozenset[FollowUpGroup] = DEFAULT_FOLLOW_UP) -> None:
    """`show` puts a view in the modal that is working: the send modal as a copy of the task,
    its recipients the numbers in `groups`, or why there are none."""
    try:
        follow = await anyio.to_thread.run_sync(lambda: follow_up_list(
            uow(), task_id, actor, channel_id=channel, purpose="resend", groups=groups))
    except DomainError as error:
        await show(build_done_view(error_mrkdwn(error)))
        return
    words = follow_up_words(groups)
    capitalized = words[0].upper() + words[1:]
    recipients = RecipientOption(f"list:{follow.list_id}", _(
        "{words} numbers of {name} ({count})", words=capitalized, name=follow.task_name, count=number(follow.count)))
    await show(await copy_modal(uow, settings, await member_actor(), channel, task_id, recipients=recipients))


async def resend(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, member_actor, uow, settings,
                 ref: TaskRef) -> None:
    await ack()
    channel = where_pressed(body).channel
    await anyio.to_thread.run_sync(check_follow_up, uow(), ref.id, actor)
    # The trigger is good for 3 s; copying a large list takes longer: a working view first.
    opened = await client.views_open(trigger_id=body["trigger_id"], view=build_working_view(
        _("Gathering the {words} numbers…", words=follow_up_words(DEFAULT_FOLLOW_UP))))

    async def show(view: dict) -> None:
        await client.views_update(view_id=opened["view"]["id"], view=view)

    await _resend_in(show, uow, settings, actor, member_actor, channel, ref.id)


async def save_audience(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                        ref: TaskRef) -> None:
    await ack()
    pressed = where_pressed(body)
    today = to_local(clock(), settings.timezone).date()
    saved = await anyio.to_thread.run_sync(lambda: save_follow_up_audience(
        uow(), ref.id, actor, channel_id=pressed.channel, today=today))
    await reply_ephemeral(client, channel=pressed.channel, user=actor.user_id, thread_ts=pressed.thread_ts,
                          text=audience_saved_text(saved.name, saved.recipient_count))


async def choose_follow_up(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow,
                           ref: TaskRef) -> None:
    """Follow up on…: a modal to pick delivered, failed and no-receipt numbers, in any mix."""
    await ack()
    pressed = where_pressed(body)
    counts = await anyio.to_thread.run_sync(follow_up_counts, uow(), ref.id, actor)
    state = FollowUpState(task_id=ref.id, channel_id=pressed.channel, thread_ts=pressed.thread_ts)
    await client.views_open(trigger_id=body["trigger_id"], view=build_follow_up_modal(counts, state))


def _follow_up_form(view: dict) -> tuple[frozenset[FollowUpGroup], FollowUpDo, str | None]:
    values = view["state"]["values"]

    def element(block_id: str, action_id: str) -> dict:
        return (values.get(block_id) or {}).get(action_id) or {}

    picked = element(BlockId.FOLLOW_UP_NUMBERS, ActionId.FOLLOW_UP_NUMBERS_INPUT).get("selected_options") or []
    groups = frozenset(choice(FollowUpGroup, o.get("value"), BlockId.FOLLOW_UP_NUMBERS, None) for o in picked)
    if not groups or None in groups:
        raise FormInputError(BlockId.FOLLOW_UP_NUMBERS, _("Choose delivered, failed or no receipt, in any mix."))
    do = choice(FollowUpDo, (element(BlockId.FOLLOW_UP_DO, ActionId.FOLLOW_UP_DO_INPUT).get("selected_option")
                             or {}).get("value"), BlockId.FOLLOW_UP_DO, FollowUpDo.RESEND)
    name = (element(BlockId.FOLLOW_UP_NAME, ActionId.FOLLOW_UP_NAME_INPUT).get("value") or "").strip()
    return groups, do, name or None


async def submit_follow_up(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, member_actor, uow,
                           settings, clock, ref: FollowUpState) -> None:
    """The numbers chosen: checked on their fields, then resent to (the send modal, in place) or
    saved as an audience, after a working view (a large task takes longer than Slack waits)."""
    try:
        groups, do, name = _follow_up_form(view)
        if do is FollowUpDo.AUDIENCE and name is not None:
            name = await anyio.to_thread.run_sync(check_name_free, uow(), name)
    except FormInputError as error:
        await ack(response_action="errors", errors=on_inputs(view, {error.block_id: error_text(error)}))
        return
    except DomainError as error:  # the name is not one, or is taken
        await ack(response_action="errors", errors={BlockId.FOLLOW_UP_NAME: error_text(error)})
        return
    working = new_working_id()
    await ack(response_action="update", view=as_working(
        follow_up_view(_("Gathering the {words} numbers…", words=follow_up_words(groups)), done=False), working))

    async def show(result: dict) -> None:
        await show_over_working(client, working, result)

    if do is FollowUpDo.RESEND:
        await _resend_in(show, uow, settings, actor, member_actor, ref.channel_id, ref.task_id, groups)
    else:
        await show(follow_up_view(await _saved(uow, settings, clock, actor, ref, groups, name), done=True))


async def _saved(uow, settings, clock, actor: Actor, ref: FollowUpState, groups: frozenset[FollowUpGroup],
                 name: str | None) -> str:
    """The audience saved, said in mrkdwn; or why not (no such numbers, or no longer the person's)."""
    today = to_local(clock(), settings.timezone).date()
    try:
        saved = await anyio.to_thread.run_sync(lambda: save_follow_up_audience(
            uow(), ref.task_id, actor, channel_id=ref.channel_id, today=today, groups=groups, name=name))
    except DomainError as error:
        return error_mrkdwn(error)
    return audience_saved_text(saved.name, saved.recipient_count, follow_up_words(groups))


LISTENERS = (
    listeners.action(ActionId.EXPORT_FAILED, export_button),
    listeners.action(ActionId.EXPORT_MORE, export_menu),
    listeners.action(ActionId.FOLLOW_UP_RESEND, resend),
    listeners.action(ActionId.FOLLOW_UP_AUDIENCE, save_audience),
    listeners.action(ActionId.FOLLOW_UP_CHOOSE, choose_follow_up),
    listeners.view(CallbackId.FOLLOW_UP, submit_follow_up),
)


SUBCOMMANDS = (
    Subcommand("export", f"{SLASH_COMMAND} export <task> [failed|no-receipt|all]",
               N_("Get a task's failed, no-receipt or all recipients as XLSX, in a DM"), export_command),
)
