"""`/sms send` and the "Create send task" button: the send modal, from choice to submission."""

from __future__ import annotations

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import N_, _, n_
from domain.recipient_import import summary_line
from domain.schedule import from_local
from domain.tasks import (
    TaskDraft,
    TaskFieldError,
    TaskInvalid,
    check_one_recipient_source,
)
from domain.use_cases.recipients import ImportSource, PreparedImport, prepare_pasted
from domain.use_cases.send_previews import check_list_usable, list_size
from domain.use_cases.tasks import AlreadySubmitted, TaskView, create_task, edit_task, precheck_draft
from handlers import listeners
from handlers.approvals_channel import ApprovalsChannel
from handlers.form_input import FormInputError, on_inputs, submission_key
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ListRef, SendModalState
from handlers.pressed import where_pressed
from handlers.recipients import ImportSettings, prepare_slack_file, send_invalid_report
from handlers.send_modal import SendModal, list_id_of, parse_form, user_timezone
from handlers.task_thread import composition, on_task_submitted
from handlers.send_blocks import (
    FIELD_BLOCKS,
    SendForm,
    build_done_view,
    build_working_view,
    import_failed_notice,
    importing_text,
    list_task_waiting_text,
    problems_notice,
    task_waiting_text,
)
from handlers.sms_command import Invocation, Subcommand
from handlers.replies import error_mrkdwn, error_text
from handlers.working_views import as_working, new_working_id, show_over_working, update_pressed_view


async def open_send_modal(client, uow, settings, trigger_id: str, actor: Actor, state: SendModalState,
                          form: SendForm | None = None) -> None:
    """The send modal as `/sms send` opens it (also the Home tab's New send); `actor` with their
    channels."""
    modal = SendModal(uow, settings, actor)
    form = form or SendForm()
    form.recipient_options = await modal.options(state)
    await client.views_open(trigger_id=trigger_id, view=await modal.render(state, form))


async def send(invocation: Invocation) -> None:
    await invocation.acknowledge()
    await open_send_modal(invocation.client, invocation.context["uow"], invocation.context["settings"],
                          invocation.command["trigger_id"], await invocation.member_actor(),
                          SendModalState(channel_id=invocation.channel_id))


async def create_from_import(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, member_actor, uow,
                             settings, ref: ListRef) -> None:
    """The import's own buttons: refused at once to anyone who may not send to its list."""
    await ack()
    actor = await member_actor()
    await anyio.to_thread.run_sync(check_list_usable, uow(), ref.id, actor)
    state = SendModalState(channel_id=where_pressed(body).channel, list_id=ref.id)
    await open_send_modal(client, uow, settings, body["trigger_id"], actor, state)


async def refresh(ack: AsyncAck, body: dict, client: AsyncWebClient, uow, settings, member_actor,
                  ref: SendModalState) -> None:
    await ack()
    view = body["view"]
    modal = SendModal(uow, settings, await member_actor())
    form = parse_form(view["state"]["values"], await modal.options(ref))
    rendered = await modal.render(ref, form, editing=ref.task_id is not None)
    # Of two choices made faster than the modal re-rendered, the second's payload carries both
    # (Slack sends every input's state), so its render is the newer one.
    await update_pressed_view(client, view, rendered)


# Recipients whose messages are measured before Slack is answered (4–6 µs each: see
# docs/performance.md); a larger list is measured after the answer, while the modal says so.
MEASURED_INLINE = 200_000


def _recipients_block(state: SendModalState) -> str:
    """Where a recipients problem shows: a fixed import is a section, which can't hold an error."""
    return BlockId.SEND_NAME if state.list_id is not None else BlockId.SEND_RECIPIENTS


async def submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, member_actor, uow, settings, clock,
                 import_settings: ImportSettings, approvals_channel: ApprovalsChannel, ref: SendModalState) -> None:
    if await approvals_channel.refuse_if_unpostable(ack, client, BlockId.SEND_NAME):
        return
    actor = await member_actor()  # who may use which list is asked of the task's use case
    try:
        form = parse_form(view["state"]["values"], [])
    except FormInputError as error:
        await ack(response_action="errors", errors=on_inputs(view, {error.block_id: error_text(error)}))
        return
    tz = await user_timezone(client, actor.user_id, settings.timezone)
    list_id = ref.list_id or list_id_of(form.recipients)
    try:
        check_one_recipient_source(chosen=list_id is not None, pasted=bool(form.pasted.strip()),
                                   uploaded=form.file_id is not None)
    except TaskFieldError as error:
        await ack(response_action="errors", errors={_recipients_block(ref): error_text(error)})
        return
    long_submission = LongSubmission(ack, client, uow, settings, clock, actor, ref, form, submission_key(view))
    if form.file_id:
        await submit_with_file(long_submission, import_settings, tz)
        return
    if list_id is not None and (count := await anyio.to_thread.run_sync(list_size, uow(), list_id, actor)) > MEASURED_INLINE:
        await submit_large_list(long_submission, list_id, count, tz)
        return
    await submit_inline(ack, client, uow, settings, clock, actor, import_settings, ref, form, list_id, tz,
                        submission_key(view))


async def submit_inline(ack: AsyncAck, client, uow, settings, clock, actor: Actor, import_settings: ImportSettings,
                        ref: SendModalState, form: SendForm, list_id: int | None, tz: str, submission: str) -> None:
    """A submission answered at once: every problem inline, nothing saved unless it all passes."""
    errors: dict[str, str] = {}
    new_recipients = None
    if form.pasted.strip():
        # Stored under our English words, translated where shown (`import_name`).
        source = ImportSource(user_id=actor.user_id, channel_id=ref.channel_id, kind="paste", name="pasted numbers")
        try:
            new_recipients = await anyio.to_thread.run_sync(lambda: prepare_pasted(
                form.pasted, source, normalizer=import_settings.normalizer, routes=import_settings.routes()))
        except DomainError as error:
            errors[BlockId.SEND_PASTE] = error_text(error)
    draft, time_error = build_draft(form, list_id, tz)
    errors.update(time_error)
    task = None
    try:
        if errors:  # every other problem is still shown at once, and nothing is saved
            await anyio.to_thread.run_sync(lambda: precheck_draft(
                uow(), draft, clock(), settings.sending_window, composition(settings)))
        else:
            task = await save_task(uow, settings, clock, actor, ref, draft, new_recipients, submission)
    except AlreadySubmitted:
        await ack()  # the same submission made its task already: it closes, and nothing more
        return
    except TaskInvalid as invalid:
        errors.update({FIELD_BLOCKS[field]: message for field, message in invalid.problems.items()})
    except DomainError as error:
        errors.setdefault(BlockId.SEND_NAME, error_text(error))
    if errors:
        if BlockId.SEND_PASTE in errors:
            errors.pop(BlockId.SEND_RECIPIENTS, None)  # the pasted numbers' own problem says it
        if BlockId.SEND_RECIPIENTS in errors and ref.list_id is not None:
            errors[BlockId.SEND_NAME] = errors.pop(BlockId.SEND_RECIPIENTS)
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    await on_task_submitted(client, uow, settings, clock, task, actor, edited=ref.task_id is not None)


class LongSubmission:
    """A submission that takes longer than Slack waits for its answer (a file to read, a large
    list to measure): everything else is checked inline first; then the modal says it is
    working, and shows the result, or the form again with the reason on top."""

    def __init__(self, ack: AsyncAck, client, uow, settings, clock, actor: Actor, state: SendModalState,
                 form: SendForm, submission: str) -> None:
        self.ack, self.client, self.uow, self.settings, self.clock = ack, client, uow, settings, clock
        self.actor, self.state, self.form = actor, state, form
        self.working_id, self.submission = "", submission
        self.modal = SendModal(uow, settings, actor)

    async def start(self, draft: TaskDraft, time_error: dict[str, str], working: str) -> bool:
        problems = dict(time_error)
        try:
            await anyio.to_thread.run_sync(lambda: precheck_draft(
                self.uow(), draft, self.clock(), self.settings.sending_window, composition(self.settings)))
        except TaskInvalid as invalid:
            problems.update({FIELD_BLOCKS[field]: message for field, message in invalid.problems.items()})
        if problems:
            await self.ack(response_action="errors", errors=problems)
            return False
        # The result names the working view by its own external id (handlers/working_views.py).
        self.working_id = new_working_id()
        await self.ack(response_action="update", view=as_working(build_working_view(working), self.working_id))
        self.form.recipient_options = await self.modal.options(self.state)
        return True

    async def _show(self, view: dict) -> None:
        await show_over_working(self.client, self.working_id, view)

    async def show_form(self, notice: str) -> None:
        await self._show(await self.modal.render(self.state, self.form, notice=notice))

    async def save(self, draft: TaskDraft, new_recipients: PreparedImport | None = None) -> TaskView:
        return await save_task(self.uow, self.settings, self.clock, self.actor, self.state, draft, new_recipients,
                               self.submission)

    async def already(self, error: AlreadySubmitted) -> None:
        """The same submission delivered again: its task exists, and this modal says so (the
        first delivery's result may have been covered by this one's working view)."""
        await self._show(build_done_view(error_mrkdwn(error)))

    async def done(self, task: TaskView, message: str) -> None:
        """The request is posted first: if Slack refuses it, the task is taken back and the form
        says why, instead of a "waiting for approval" that is not true."""
        try:
            await on_task_submitted(self.client, self.uow, self.settings, self.clock, task, self.actor,
                                    edited=self.state.task_id is not None)
        except DomainError as error:
            await self.show_form(error_mrkdwn(error))
            return
        await self._show(build_done_view(message))


async def submit_with_file(submission: LongSubmission, import_settings: ImportSettings, tz: str) -> None:
    """The file is read only once the rest of the form passed, and stored only with its task."""
    form, actor = submission.form, submission.actor
    draft, time_error = build_draft(form, None, tz)
    if not await submission.start(draft, time_error, importing_text(form.file_name)):
        return
    source = ImportSource(user_id=actor.user_id, channel_id=submission.state.channel_id, kind="file",
                          name=form.file_name, slack_file_id=form.file_id)
    try:
        prepared = await prepare_slack_file(submission.client, import_settings, form.file_id, source)
        task = await submission.save(draft, prepared)
    except AlreadySubmitted as already:
        await submission.already(already)
        return
    except TaskInvalid as invalid:
        await submission.show_form(problems_notice([_("Nothing was saved:"), *invalid.problems.values(),
                                                    _("Fix the file and upload it again.")]))
        return
    except DomainError as error:
        await submission.show_form(import_failed_notice(form.file_name, error_mrkdwn(error)))
        return
    await send_invalid_report(submission.client, actor.user_id, form.file_name, prepared.outcome.invalid,
                              prepared.invalid_report)
    await submission.done(task, task_waiting_text(task.name, summary_line(prepared.outcome), form.file_name))


async def submit_large_list(submission: LongSubmission, list_id: int, count: int, tz: str) -> None:
    """Every message of a large list is measured after the answer to Slack."""
    draft, time_error = build_draft(submission.form, list_id, tz)
    checking = n_("Checking the message of {count} recipient…", "Checking the messages of {count} recipients…", count)
    if not await submission.start(draft, time_error, checking):
        return
    try:
        task = await submission.save(draft)
    except AlreadySubmitted as already:
        await submission.already(already)
        return
    except TaskInvalid as invalid:
        await submission.show_form(problems_notice([_("Nothing was saved:"), *invalid.problems.values()]))
        return
    except DomainError as error:
        await submission.show_form(_("Nothing was saved: {reason}", reason=error_mrkdwn(error)))
        return
    await submission.done(task, list_task_waiting_text(task.name, task.recipient_count))


async def save_task(uow, settings, clock, actor: Actor, state: SendModalState, draft: TaskDraft,
                    new_recipients: PreparedImport | None = None, submission: str | None = None) -> TaskView:
    """`submission`: the key of the modal submission a new task comes from (see `submission_key`)."""
    if state.task_id is not None:
        return await anyio.to_thread.run_sync(lambda: edit_task(
            uow(), state.task_id, draft, actor, now=clock(), window=settings.sending_window,
            composition=composition(settings), cutoffs=settings.cutoffs, new_recipients=new_recipients))
    return await anyio.to_thread.run_sync(lambda: create_task(
        uow(), draft, actor, origin_channel=state.channel_id, now=clock(), window=settings.sending_window,
        composition=composition(settings), new_recipients=new_recipients, submission_key=submission))


def build_draft(form: SendForm, list_id: int | None, tz: str) -> tuple[TaskDraft, dict[str, str]]:
    """The draft a form describes, and the date/time problem it has, if any."""
    errors: dict[str, str] = {}
    send_at = None
    if form.send_date or form.send_time:
        if not (form.send_date and form.send_time):
            errors[BlockId.SEND_TIME if form.send_date else BlockId.SEND_DATE] = _("Give both a date and a time, or "
                                                                                   "neither.")
        else:
            send_at = from_local(form.send_date, form.send_time, tz)
    draft = TaskDraft(name=form.name, purpose=form.purpose, kind=form.kind, recipient_list_id=list_id,
                      signature_id=form.signature_id, template_id=form.template_id, fallback=form.fallback,
                      fallback_template_id=form.fallback_template_id, default_link=form.default_link or None,
                      send_at=send_at, skip_too_long=form.skip_too_long)
    return draft, errors


LISTENERS = (
    listeners.action(ActionId.IMPORT_CREATE_TASK, create_from_import),
    listeners.action(ActionId.SEND_REFRESH, refresh),
    listeners.view(CallbackId.SEND_SUBMIT, submit),
)


SUBCOMMANDS = (
    Subcommand("send", f"{SLASH_COMMAND} send", N_("Create a send task (approved before it goes out)"), send),
)
