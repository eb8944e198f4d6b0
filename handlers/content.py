"""`/sms signature …`, `/sms template …`, and the approval of content in threads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.content import ContentError, ContentStatus, Purpose, TemplateDraft, TemplateKind, parse_buttons
from domain.errors import DomainError
from domain.i18n import N_, _, in_public
from domain.use_cases.content import (
    ContentKind,
    ContentView,
    add_signature,
    add_template,
    content_to_decide,
    decide_content,
    disable_content,
    find_content,
    list_content,
    record_approval_request,
    set_template_code,
    template_to_edit,
    update_template,
    withdraw_content,
)
from domain.use_cases.tasks import get_task
from handlers import listeners
from handlers.approvals_channel import ApprovalsChannel, posting_approval_request
from handlers.content_blocks import (
    build_approval_request,
    build_content_list,
    build_decided_request,
    build_decision_reply,
    build_reject_modal,
    build_template_details,
    build_template_modal,
    code_text,
    content_waiting_text,
    describe,
    disabled_text,
    signature_usage,
    template_changed_note,
    template_usage,
)
from handlers.home import publish_home, refresh_if_on_home
from handlers.form_input import FormInputError, choice, on_inputs
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import ContentRef, ContentRejectState, TemplateModalState
from handlers.pressed import where_pressed
from handlers.replies import error_text, reply_ephemeral_or_dm
from handlers.sms_command import Invocation, Subcommand
from handlers.task_thread import TaskThread
from handlers.working_views import update_pressed_view

TEMPLATE_FIELD_BLOCKS = {
    "name": BlockId.TEMPLATE_NAME, "body": BlockId.TEMPLATE_BODY, "subject": BlockId.TEMPLATE_SUBJECT,
    "media_urls": BlockId.TEMPLATE_MEDIA_URLS, "title": BlockId.TEMPLATE_TITLE, "image_url": BlockId.TEMPLATE_IMAGE_URL,
    "buttons": BlockId.TEMPLATE_BUTTONS, "default_link": BlockId.TEMPLATE_DEFAULT_LINK,
    "signatures": BlockId.TEMPLATE_SIGNATURES,
}


def signature_prefix(style: str) -> Callable[[str], str]:
    return (lambda name: f"【{name}】") if style == "brackets" else (lambda name: f"{name}: ")


def _described(view: ContentView, settings) -> str:
    return describe(view, signature_prefix=signature_prefix(settings.signature_style), optout_hint=settings.optout_hint)


def _template_draft(values: dict) -> TemplateDraft:
    def text(block_id: str) -> str:
        return ((values.get(block_id) or {}).get(ActionId.TEMPLATE_FIELD) or {}).get("value") or ""

    def chosen(block_id: str, action_id: str) -> str | None:
        return (((values.get(block_id) or {}).get(action_id) or {}).get("selected_option") or {}).get("value")

    kind = choice(TemplateKind, chosen(BlockId.TEMPLATE_KIND, ActionId.TEMPLATE_KIND_SELECT), BlockId.TEMPLATE_KIND,
                  TemplateKind.TEXT)
    purpose = choice(Purpose, chosen(BlockId.TEMPLATE_PURPOSE, ActionId.TEMPLATE_FIELD), BlockId.TEMPLATE_PURPOSE,
                     Purpose.NOTIFICATION)
    return TemplateDraft(
        name=text(BlockId.TEMPLATE_NAME), kind=kind, purpose=purpose,
        body=text(BlockId.TEMPLATE_BODY), subject=text(BlockId.TEMPLATE_SUBJECT) or None,
        media_urls=[line.strip() for line in text(BlockId.TEMPLATE_MEDIA_URLS).splitlines() if line.strip()],
        title=text(BlockId.TEMPLATE_TITLE) or None, image_url=text(BlockId.TEMPLATE_IMAGE_URL).strip() or None,
        buttons=parse_buttons(text(BlockId.TEMPLATE_BUTTONS)), default_link=text(BlockId.TEMPLATE_DEFAULT_LINK) or None,
        signature_ids=_chosen_signatures(values),
    )


def _chosen_signatures(values: dict) -> list[int]:
    chosen = (values.get(BlockId.TEMPLATE_SIGNATURES) or {}).get(ActionId.TEMPLATE_FIELD) or {}
    ids = [str(option.get("value")) for option in chosen.get("selected_options") or []]
    if not all(value.isdigit() for value in ids):  # only a crafted request: never read as "any"
        raise ContentError(_("Choose signatures from the list."), "signatures")
    return [int(value) for value in ids]


async def _approved_signatures(uow) -> list[ContentView]:
    """The signatures a template may be bound to."""
    return await anyio.to_thread.run_sync(list_content, uow(), ContentKind.SIGNATURE, ContentStatus.APPROVED)


async def open_template_modal(invocation: Invocation, editing: ContentView | None = None) -> None:
    """A new template's modal, or one prefilled with the template to change: either offers the
    approved signatures to bind it to."""
    signatures = await _approved_signatures(invocation.context["uow"])
    await invocation.acknowledge()
    if editing is None:
        modal = build_template_modal(invocation.channel_id, signatures=signatures)
    else:
        modal = build_template_modal(invocation.channel_id, TemplateKind(editing.detail["kind"]),
                                     template_id=editing.id, initial={"name": editing.name, **editing.detail},
                                     signatures=signatures)
    await invocation.client.views_open(trigger_id=invocation.command["trigger_id"], view=modal)


async def request_approval(client: AsyncWebClient, uow, settings, view: ContentView, origin_channel: str, *,
                           new: bool) -> str:
    """Posts the request where approvers look; returns the channel it went to. Where Slack
    refuses it, `new` content is taken back (an edit stays saved) and the person is refused."""
    channel = settings.approvals_channel or origin_channel
    with in_public():
        text, blocks = build_approval_request(view, _described(view, settings))

    async def withdraw(reason: str) -> None:
        await anyio.to_thread.run_sync(withdraw_content, uow(), view.kind, view.id, reason)

    async with posting_approval_request(client, channel, withdraw=withdraw if new else None):
        posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    await anyio.to_thread.run_sync(record_approval_request, uow(), view.kind, view.id, channel, posted["ts"])
    return channel


async def add_signature_for_approval(invocation: Invocation, name_and_note: str) -> None:
    uow, settings = invocation.context["uow"], invocation.context["settings"]
    await invocation.context["approvals_channel"].require_postable(invocation.client)
    name, _space, note = name_and_note.strip().partition(" ")
    view = await anyio.to_thread.run_sync(add_signature, uow(), name, note, invocation.actor)
    await invocation.acknowledge()
    channel = await request_approval(invocation.client, uow, settings, view, invocation.channel_id, new=True)
    await invocation.reply(content_waiting_text(ContentKind.SIGNATURE, view.name, channel))


async def signature(invocation: Invocation) -> None:
    action, _space, rest = invocation.parsed.rest.partition(" ")
    uow = invocation.context["uow"]
    action = action.lower()
    if action == "add":
        await add_signature_for_approval(invocation, rest)
    elif action == "list":
        await invocation.reply(*build_content_list(ContentKind.SIGNATURE, await anyio.to_thread.run_sync(
            list_content, uow(), ContentKind.SIGNATURE)))
    elif action == "disable":
        view = await anyio.to_thread.run_sync(disable_content, uow(), ContentKind.SIGNATURE, rest, invocation.actor)
        await invocation.reply(disabled_text(ContentKind.SIGNATURE, view.name))
    else:
        await invocation.reply(signature_usage())


async def template(invocation: Invocation) -> None:
    action, _space, rest = invocation.parsed.rest.partition(" ")
    uow, settings = invocation.context["uow"], invocation.context["settings"]
    action = action.lower()
    if action == "add":
        await open_template_modal(invocation)
    elif action == "list":
        await invocation.reply(*build_content_list(ContentKind.TEMPLATE, await anyio.to_thread.run_sync(
            list_content, uow(), ContentKind.TEMPLATE)))
    elif action == "edit":
        await open_template_modal(invocation, await anyio.to_thread.run_sync(template_to_edit, uow(), rest,
                                                                            invocation.actor))
    elif action == "show":
        view = await anyio.to_thread.run_sync(find_content, uow(), ContentKind.TEMPLATE, rest)
        await invocation.reply(*build_template_details(view, _described(view, settings)))
    elif action == "disable":
        view = await anyio.to_thread.run_sync(disable_content, uow(), ContentKind.TEMPLATE, rest, invocation.actor)
        await invocation.reply(disabled_text(ContentKind.TEMPLATE, view.name))
    elif action == "code":
        name, _space, code = rest.strip().rpartition(" ")
        if not name:
            raise ContentError(_("`{command} template code <name> <code>`: the template's code at the provider, like "
                                 "SMS_123456789 (or `none` to clear it).", command=SLASH_COMMAND))
        view, code_set = await anyio.to_thread.run_sync(set_template_code, uow(), name, code, invocation.actor)
        await invocation.reply(code_text(view.name, code_set))
    else:
        await invocation.reply(template_usage())


async def switch_template_kind(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, uow,
                               ref: TemplateModalState) -> None:
    await ack()
    view = body["view"]
    kind = TemplateKind(action["selected_option"]["value"])
    signatures = await _approved_signatures(uow)
    await update_pressed_view(client, view, build_template_modal(
        ref.channel_id, kind, template_id=ref.template_id, signatures=signatures))


async def submit_template(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock,
                          approvals_channel: ApprovalsChannel, ref: TemplateModalState) -> None:
    if await approvals_channel.refuse_if_unpostable(ack, client, BlockId.TEMPLATE_NAME):
        return
    requeued: list[int] = []
    try:
        draft = _template_draft(view["state"]["values"])
        if ref.template_id is None:
            added = await anyio.to_thread.run_sync(add_template, uow(), draft, actor)
        else:
            added, requeued = await anyio.to_thread.run_sync(update_template, uow(), ref.template_id, draft, actor)
    except FormInputError as error:
        await ack(response_action="errors", errors=on_inputs(view, {error.block_id: error_text(error)}))
        return
    except ContentError as error:
        block = TEMPLATE_FIELD_BLOCKS.get(error.field or "name", BlockId.TEMPLATE_NAME)
        await ack(response_action="errors", errors={block: error_text(error)})
        return
    await ack()
    channel = await request_approval(client, uow, settings, added, ref.channel_id, new=ref.template_id is None)
    await reply_ephemeral_or_dm(client, channel=ref.channel_id, user=actor.user_id,
                                text=content_waiting_text(ContentKind.TEMPLATE, added.name, channel))
    thread = TaskThread(client, uow, settings, clock)
    for task_id in requeued:
        with in_public():
            note = template_changed_note(added.name, actor.user_id)
        await thread.refresh(await anyio.to_thread.run_sync(get_task, uow(), task_id), note)


async def show_decision(client: AsyncWebClient, settings, view: ContentView,
                        pressed_at: tuple[str, str] | None = None) -> None:
    """`pressed_at`: the request a button was pressed on, known even before the bot has recorded
    where it posted it (an approver can click a moment after it appears)."""
    channel, ts = pressed_at or (view.approval_channel, view.approval_ts)
    if channel is None or ts is None:
        return  # decided on the Home tab before the request was recorded: nothing to edit yet
    with in_public():
        text, blocks = build_decided_request(view, _described(view, settings))
        reply = build_decision_reply(view)
    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    await client.chat_postMessage(channel=channel, thread_ts=ts, text=reply)


async def approve(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings, clock: Callable[[],
                  datetime], ref: ContentRef) -> None:
    await ack()
    view = await anyio.to_thread.run_sync(lambda: decide_content(
        uow(), ContentKind(ref.kind), ref.id, actor, approve=True, reason=None,
        allow_self_approval=settings.allow_self_approval, now=clock()))
    await show_decision(client, settings, view, where_pressed(body).message)
    await refresh_if_on_home(body, client, uow, settings, actor)


async def open_reject(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, uow, settings,
                      ref: ContentRef) -> None:
    await ack()
    view = await anyio.to_thread.run_sync(lambda: content_to_decide(
        uow(), ContentKind(ref.kind), ref.id, actor, allow_self_approval=settings.allow_self_approval))
    pressed = where_pressed(body)
    if pressed.on_home:  # no message to point at: the request's own message is known
        modal = build_reject_modal(ref.kind, ref.id, view.approval_channel or "", view.approval_ts or "", view.name,
                                   from_home=True)
    else:
        modal = build_reject_modal(ref.kind, ref.id, pressed.channel, pressed.message_ts, view.name)
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=modal)
    except SlackApiError:
        raise DomainError(_("Slack could not open the form; press Reject again.")) from None


async def submit_reject(ack: AsyncAck, view: dict, client: AsyncWebClient, actor: Actor, uow, settings,
                        clock: Callable[[], datetime], ref: ContentRejectState) -> None:
    reason = view["state"]["values"][BlockId.APPROVAL_REASON][ActionId.APPROVAL_REASON_INPUT]["value"] or ""
    try:
        decided = await anyio.to_thread.run_sync(lambda: decide_content(
            uow(), ContentKind(ref.kind), ref.id, actor, approve=False, reason=reason,
            allow_self_approval=settings.allow_self_approval, now=clock()))
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.APPROVAL_REASON: error_text(error)})
        return
    await ack()
    await show_decision(client, settings, decided, (ref.channel_id, ref.message_ts) if ref.message_ts else None)
    if ref.from_home:
        await publish_home(client, uow, settings, actor)


LISTENERS = (
    listeners.action(ActionId.TEMPLATE_KIND_SELECT, switch_template_kind),
    listeners.view(CallbackId.TEMPLATE_ADD, submit_template),
    listeners.action(ActionId.CONTENT_APPROVE, approve),
    listeners.action(ActionId.CONTENT_REJECT, open_reject),
    listeners.view(CallbackId.CONTENT_REJECT, submit_reject),
)


SUBCOMMANDS = (
    Subcommand("signature", f"{SLASH_COMMAND} signature add|list|disable",
               N_("Register sender signatures (approved before use)"), signature),
    Subcommand("template", f"{SLASH_COMMAND} template add|list|show|edit|disable|code",
               N_("Register message templates (approved before use)"), template),
)
