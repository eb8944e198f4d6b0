"""`/sms send` and the "Create send task" button: the send modal, from choice to submission."""

from __future__ import annotations

from datetime import date, time

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.content import Purpose, TemplateKind
from domain.errors import DomainError
from domain.recipient_import import summary_line
from domain.schedule import from_local, to_local
from domain.segments import SignatureStyle
from domain.tasks import Composition, Fallback, TaskDraft, TaskInvalid
from domain.use_cases.recipients import ImportSource, import_pasted
from domain.use_cases.tasks import (
    TaskView,
    create_task,
    edit_task,
    preview_for,
    recipient_choices,
    send_choices,
)
from handlers import listeners
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import SendModalState
from handlers.recipients import ImportSettings, download_and_import, send_invalid_report
from handlers.task_thread import on_task_submitted
from handlers.send_blocks import (
    FIELD_BLOCKS,
    RecipientOption,
    SendForm,
    build_done_view,
    build_preview_blocks,
    build_send_modal,
    build_working_view,
    import_failed_notice,
    importing_text,
    problems_notice,
    task_waiting_text,
)
from handlers.sms_command import Invocation, Subcommand
from handlers.replies import error_mrkdwn, error_text


def _value(values: dict, block_id: str):
    """The one input of a block, whatever its element type."""
    for element in (values.get(block_id) or {}).values():
        if element.get("selected_option"):
            return element["selected_option"]["value"]
        for key in ("value", "selected_date", "selected_time"):
            if element.get(key):
                return element[key]
    return None


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def parse_form(values: dict, options: list[RecipientOption]) -> SendForm:
    send_date, send_time = _value(values, BlockId.SEND_DATE), _value(values, BlockId.SEND_TIME)
    recipients = _value(values, BlockId.SEND_RECIPIENTS)
    files = ((values.get(BlockId.SEND_FILE) or {}).get(ActionId.SEND_FIELD) or {}).get("files") or []
    return SendForm(
        name=_value(values, BlockId.SEND_NAME) or "",
        recipients=recipients if recipients and recipients.startswith("list:") else None,
        pasted=_value(values, BlockId.SEND_PASTE) or "",
        file_id=files[0]["id"] if files else None,
        file_name=files[0].get("name", "recipient file") if files else "",
        purpose=Purpose(_value(values, BlockId.SEND_PURPOSE) or Purpose.NOTIFICATION),
        kind=TemplateKind(_value(values, BlockId.SEND_KIND) or TemplateKind.TEXT),
        signature_id=_int(_value(values, BlockId.SEND_SIGNATURE)),
        template_id=_int(_value(values, BlockId.SEND_TEMPLATE)),
        fallback=Fallback(_value(values, BlockId.SEND_FALLBACK) or Fallback.NONE),
        fallback_template_id=_int(_value(values, BlockId.SEND_FALLBACK_TEMPLATE)),
        default_link=_value(values, BlockId.SEND_DEFAULT_LINK) or "",
        send_date=date.fromisoformat(send_date) if send_date else None,
        send_time=time.fromisoformat(send_time) if send_time else None,
        recipient_options=options,
    )


def form_from_task(task: TaskView, options: list[RecipientOption], tz: str) -> SendForm:
    local = to_local(task.send_at, tz) if task.send_at else None
    return SendForm(
        name=task.name, recipients=f"list:{task.recipient_list_id}", purpose=Purpose(task.purpose),
        kind=TemplateKind(task.kind), signature_id=task.signature_id, template_id=task.template_id,
        fallback=Fallback(task.fallback), fallback_template_id=task.fallback_template_id,
        default_link=task.default_link or "", send_date=local.date() if local else None,
        send_time=local.time().replace(second=0, microsecond=0) if local else None, recipient_options=options,
    )


async def user_timezone(client: AsyncWebClient, user_id: str, fallback: str) -> str:
    """Times are entered and shown in each person's own Slack time zone."""
    try:
        return (await client.users_info(user=user_id))["user"].get("tz") or fallback
    except Exception:  # a missing profile must not block a send
        return fallback


class SendModal:
    """Renders the send modal for a person: their choices, the catalog, the live preview."""

    def __init__(self, uow, settings) -> None:
        self._uow, self._settings = uow, settings

    async def options(self, user_id: str, channel_id: str) -> list[RecipientOption]:
        choices = await anyio.to_thread.run_sync(recipient_choices, self._uow(), user_id, channel_id)
        return [RecipientOption(f"list:{list_id}", label) for list_id, label in choices]

    async def render(self, state: SendModalState, form: SendForm, *, editing: bool = False,
                     notice: str | None = None) -> dict:
        settings = self._settings
        catalog = await anyio.to_thread.run_sync(send_choices, self._uow())
        list_id = state.list_id or (int(form.recipients.split(":")[1]) if form.recipients else None)
        preview = await anyio.to_thread.run_sync(lambda: preview_for(
            self._uow(), list_id=list_id, signature_id=form.signature_id, template_id=form.template_id,
            purpose=form.purpose, style=SignatureStyle(settings.signature_style), optout_hint=settings.optout_hint,
            price_per_segment=settings.price_per_segment, currency=settings.currency))
        problem = "Pasted numbers are counted when you submit." if form.pasted and not list_id else None
        return build_send_modal(state, form, signatures=catalog.signatures, templates=catalog.templates,
                                preview_blocks=build_preview_blocks(preview, problem), editing=editing or
                                state.task_id is not None, notice=notice)


async def open_send_modal(client, uow, settings, trigger_id: str, user_id: str, state: SendModalState,
                          form: SendForm | None = None) -> None:
    """The send modal as `/sms send` opens it (also the Home tab's New send)."""
    modal = SendModal(uow, settings)
    options = await modal.options(user_id, state.channel_id)
    form = form or SendForm()
    form.recipient_options = options
    if state.list_id is not None and not any(o.value == f"list:{state.list_id}" for o in options):
        form.recipient_options.append(RecipientOption(f"list:{state.list_id}", "Recipients: the chosen import"))
    await client.views_open(trigger_id=trigger_id, view=await modal.render(state, form))


async def send(invocation: Invocation) -> None:
    await invocation.acknowledge()
    await open_send_modal(invocation.client, invocation.context["uow"], invocation.context["settings"],
                          invocation.command["trigger_id"], invocation.actor.user_id,
                          SendModalState(channel_id=invocation.channel_id))


async def create_from_import(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, actor: Actor, uow,
                             settings) -> None:
    await ack()
    state = SendModalState(channel_id=body["channel"]["id"], list_id=int(action["value"]))
    await open_send_modal(client, uow, settings, body["trigger_id"], actor.user_id, state)


async def refresh(ack: AsyncAck, body: dict, client: AsyncWebClient, uow, settings, ref: SendModalState) -> None:
    await ack()
    view = body["view"]
    modal = SendModal(uow, settings)
    form = parse_form(view["state"]["values"], await modal.options(body["user"]["id"], ref.channel_id))
    rendered = await modal.render(ref, form, editing=ref.task_id is not None)
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=rendered)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        # Two choices made faster than the modal re-rendered: this payload already carries
        # both (Slack sends every input's ref), so its render is the newer one.
        await client.views_update(view_id=view["id"], view=rendered)


async def submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                 import_settings: ImportSettings, ref: SendModalState) -> None:
    form = parse_form(view["state"]["values"], [])
    tz = await user_timezone(client, actor.user_id, settings.timezone)
    list_id = ref.list_id or (int(form.recipients.split(":")[1]) if form.recipients else None)
    if form.file_id and list_id is None and not form.pasted.strip():
        # Reading a large file takes longer than Slack waits for the answer to a submission.
        await ack(response_action="update", view=build_working_view(importing_text(form.file_name)))
        await submit_with_file(client, uow, settings, import_settings, clock, actor, view["id"], ref, form, tz)
        return
    errors: dict[str, str] = {}
    if form.pasted.strip() and list_id is None:
        source = ImportSource(user_id=actor.user_id, channel_id=ref.channel_id, kind="paste", name="pasted numbers")
        try:
            list_id = (await anyio.to_thread.run_sync(lambda: import_pasted(
                uow(), form.pasted, source, normalizer=import_settings.normalizer))).list_id
        except DomainError as error:
            errors[BlockId.SEND_PASTE] = error_text(error)
    draft, time_error = build_draft(form, list_id, tz)
    if time_error:
        errors.update(time_error)
    task = None
    try:
        task = await save_task(uow, settings, clock, actor, ref, draft)
    except TaskInvalid as invalid:
        errors.update({FIELD_BLOCKS[field]: message for field, message in invalid.problems.items()})
    except DomainError as error:
        errors.setdefault(BlockId.SEND_NAME, error_text(error))
    if errors:
        if BlockId.SEND_RECIPIENTS in errors and ref.list_id is not None:
            errors[BlockId.SEND_NAME] = errors.pop(BlockId.SEND_RECIPIENTS)  # a section can't hold an error
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    await on_task_submitted(client, uow, settings, task, actor, edited=ref.task_id is not None)


async def submit_with_file(client, uow, settings, import_settings: ImportSettings, clock, actor: Actor, view_id: str,
                           state: SendModalState, form: SendForm, tz: str) -> None:
    modal = SendModal(uow, settings)
    form.recipient_options = await modal.options(actor.user_id, state.channel_id)

    async def show_form(notice: str) -> None:  # mrkdwn
        await client.views_update(view_id=view_id, view=await modal.render(state, form, notice=notice))

    source = ImportSource(user_id=actor.user_id, channel_id=state.channel_id, kind="file", name=form.file_name,
                          slack_file_id=form.file_id)
    try:
        summary = await download_and_import(client, uow, import_settings, form.file_id, source)
    except DomainError as error:
        await show_form(import_failed_notice(form.file_name, error_mrkdwn(error)))
        return
    await send_invalid_report(client, actor.user_id, form.file_name, summary.invalid_rows)
    form.file_id, form.recipients = None, f"list:{summary.list_id}"
    form.recipient_options = await modal.options(actor.user_id, state.channel_id)
    draft, time_error = build_draft(form, summary.list_id, tz)
    if time_error:
        await show_form(problems_notice(list(time_error.values())))
        return
    try:
        task = await save_task(uow, settings, clock, actor, state, draft)
    except TaskInvalid as invalid:
        await show_form(problems_notice(list(invalid.problems.values())))
        return
    except DomainError as error:
        await show_form(error_mrkdwn(error))
        return
    await client.views_update(view_id=view_id, view=build_done_view(
        task_waiting_text(task.name, summary_line(summary), form.file_name)))
    await on_task_submitted(client, uow, settings, task, actor, edited=state.task_id is not None)


async def save_task(uow, settings, clock, actor: Actor, state: SendModalState, draft: TaskDraft) -> TaskView:
    if state.task_id is not None:
        return await anyio.to_thread.run_sync(lambda: edit_task(
            uow(), state.task_id, draft, actor, now=clock(), window=settings.sending_window,
            composition=composition(settings)))
    return await anyio.to_thread.run_sync(lambda: create_task(
        uow(), draft, actor, origin_channel=state.channel_id, now=clock(), window=settings.sending_window,
        composition=composition(settings)))


def composition(settings) -> Composition:
    return Composition(SignatureStyle(settings.signature_style), settings.optout_hint,
                       registered_templates=settings.provider_renders_templates)


def build_draft(form: SendForm, list_id: int | None, tz: str) -> tuple[TaskDraft, dict[str, str]]:
    """The draft a form describes, and the date/time problem it has, if any."""
    errors: dict[str, str] = {}
    send_at = None
    if form.send_date or form.send_time:
        if not (form.send_date and form.send_time):
            errors[BlockId.SEND_TIME if form.send_date else BlockId.SEND_DATE] = "Give both a date and a time, or neither."
        else:
            send_at = from_local(form.send_date, form.send_time, tz)
    draft = TaskDraft(name=form.name, purpose=form.purpose, kind=form.kind, recipient_list_id=list_id,
                      signature_id=form.signature_id, template_id=form.template_id, fallback=form.fallback,
                      fallback_template_id=form.fallback_template_id, default_link=form.default_link or None,
                      send_at=send_at)
    return draft, errors


LISTENERS = (
    listeners.action(ActionId.IMPORT_CREATE_TASK, create_from_import),
    listeners.action(ActionId.SEND_REFRESH, refresh),
    listeners.view(CallbackId.SEND_SUBMIT, submit),
)


SUBCOMMANDS = (
    Subcommand("send", f"{SLASH_COMMAND} send", "Create a send task (approved before it goes out)", send),
)
