"""The send modal as a form: reading its state into a `SendForm`, a task into one, and rendering
it for a person with the catalog and the live preview."""

from __future__ import annotations


import anyio
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.content import Purpose, TemplateKind
from domain.i18n import _
from domain.schedule import to_local
from domain.tasks import Fallback, kept_signature
from domain.use_cases.send_previews import preview_for, recipient_choices, send_choices
from domain.use_cases.tasks import TaskView
from handlers.form_input import choice, clock_time, day, list_reference
from handlers.ids import ActionId, BlockId
from handlers.payloads import SendModalState
from handlers.send_blocks import RecipientOption, SendForm, build_preview_blocks, build_send_modal
from handlers.task_thread import composition


def _value(values: dict, block_id: str):
    """The one input of a block, whatever its element type."""
    for element in (values.get(block_id) or {}).values():
        if element.get("selected_option"):
            return element["selected_option"]["value"]
        for key in ("value", "selected_date", "selected_time"):
            if element.get(key):
                return element[key]
    return None


def _checked(values: dict, block_id: str) -> bool:
    """Whether the checkbox of a block is ticked."""
    return any(element.get("selected_options") for element in (values.get(block_id) or {}).values())


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _purpose(value) -> Purpose | None:
    """A purpose only a crafted payload names (the modal takes the template's): checked against it."""
    return Purpose(value) if value in set(Purpose) else None


def parse_form(values: dict, options: list[RecipientOption]) -> SendForm:
    """The form as its inputs hold it; `FormInputError` on the field of a value none offers."""
    send_date, send_time = _value(values, BlockId.SEND_DATE), _value(values, BlockId.SEND_TIME)
    recipients = _value(values, BlockId.SEND_RECIPIENTS)
    files = ((values.get(BlockId.SEND_FILE) or {}).get(ActionId.SEND_FIELD) or {}).get("files") or []
    return SendForm(
        name=_value(values, BlockId.SEND_NAME) or "",
        recipients=list_reference(recipients, BlockId.SEND_RECIPIENTS) if recipients != "none" else None,
        pasted=_value(values, BlockId.SEND_PASTE) or "",
        file_id=files[0]["id"] if files else None,
        file_name=files[0].get("name") or _("recipient file") if files else "",
        purpose=_purpose(_value(values, BlockId.SEND_PURPOSE)),
        kind=choice(TemplateKind, _value(values, BlockId.SEND_KIND), BlockId.SEND_KIND, TemplateKind.TEXT),
        signature_id=_int(_value(values, BlockId.SEND_SIGNATURE)),
        template_id=_int(_value(values, BlockId.SEND_TEMPLATE)),
        fallback=choice(Fallback, _value(values, BlockId.SEND_FALLBACK), BlockId.SEND_FALLBACK, Fallback.NONE),
        fallback_template_id=_int(_value(values, BlockId.SEND_FALLBACK_TEMPLATE)),
        default_link=_value(values, BlockId.SEND_DEFAULT_LINK) or "",
        send_date=day(send_date, BlockId.SEND_DATE),
        send_time=clock_time(send_time, BlockId.SEND_TIME),
        skip_too_long=_checked(values, BlockId.SEND_SKIP_TOO_LONG),
        recipient_options=options,
    )


def form_from_task(task: TaskView, options: list[RecipientOption], tz: str) -> SendForm:
    local = to_local(task.send_at, tz) if task.send_at else None
    return SendForm(
        name=task.name, recipients=f"list:{task.recipient_list_id}",
        kind=TemplateKind(task.kind), signature_id=task.signature_id, template_id=task.template_id,
        fallback=Fallback(task.fallback), fallback_template_id=task.fallback_template_id,
        default_link=task.default_link or "", send_date=local.date() if local else None,
        send_time=local.time().replace(second=0, microsecond=0) if local else None, recipient_options=options,
        skip_too_long=task.too_long > 0,
    )


async def user_timezone(client: AsyncWebClient, user_id: str, fallback: str) -> str:
    """Times are entered and shown in each person's own Slack time zone."""
    try:
        return (await client.users_info(user=user_id))["user"].get("tz") or fallback
    except Exception:  # a missing profile must not block a send
        return fallback


class SendModal:
    """Renders the send modal for a person (`actor`, with their channels): their choices, the
    catalog, the live preview of recipients they may use."""

    def __init__(self, uow, settings, actor: Actor) -> None:
        self._uow, self._settings, self._actor = uow, settings, actor

    async def options(self, state: SendModalState, *, imports_of: str | None = None) -> list[RecipientOption]:
        """Recent imports (the person's, or `imports_of`'s) and the audiences the person may use,
        and the list the modal was opened with (an import, or a copy's original recipients),
        kept on every re-render."""
        choices = await anyio.to_thread.run_sync(lambda: recipient_choices(
            self._uow(), self._actor, state.channel_id, imports_of=imports_of))
        options = [RecipientOption(f"list:{list_id}", label) for list_id, label in choices]
        previous = (_("This task's recipients") if state.task_id is not None else
                    _("The same recipients as the original"))
        for list_id, label in ((state.list_id, _("Recipients: the chosen import")), (state.previous_list_id, previous)):
            if list_id is not None and not any(o.value == f"list:{list_id}" for o in options):
                options.append(RecipientOption(f"list:{list_id}", label))
        return options

    async def render(self, state: SendModalState, form: SendForm, *, editing: bool = False,
                     notice: str | None = None) -> dict:
        settings = self._settings
        list_id = state.list_id or list_id_of(form.recipients)
        # Only what the applications of the list's numbers may send is offered.
        catalog = await anyio.to_thread.run_sync(send_choices, self._uow(), self._actor, list_id)
        signatures = catalog.signatures_for(form.template_id, form.kind)  # the ones the template allows
        form.signature_id = kept_signature(form.signature_id, signatures)  # a lone one is chosen for you
        preview = await anyio.to_thread.run_sync(lambda: preview_for(
            self._uow(), self._actor, list_id=list_id, signature_id=form.signature_id, template_id=form.template_id,
            fallback_template_id=form.fallback_template_id if form.kind is TemplateKind.CARD else None,
            composition=composition(settings), price_per_segment=settings.price_per_segment,
            currency=settings.currency))
        problem = _("Pasted numbers are counted when you submit.") if form.pasted and not list_id else None
        return build_send_modal(state, form, signatures=signatures, templates=catalog.templates,
                                preview_blocks=build_preview_blocks(preview, problem), editing=editing or
                                state.task_id is not None, notice=notice)


def list_id_of(recipients: str | None) -> int | None:
    return int(recipients.split(":")[1]) if recipients else None
