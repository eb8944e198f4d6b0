"""`/sms audience save|list|delete` and the "Save as audience" button on an import."""

from __future__ import annotations

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.errors import DomainError
from domain.i18n import N_, _
from domain.use_cases.audiences import delete_audience, list_audiences, save_audience
from domain.use_cases.send_previews import check_list_usable
from handlers import listeners
from handlers.audiences_blocks import (
    audience_deleted_text,
    audience_saved_text,
    build_audience_list,
    build_save_audience_modal,
)
from handlers.block_kit import escape
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import AudienceSaveState, ListRef
from handlers.pressed import where_pressed
from handlers.replies import error_text, reply_ephemeral_or_dm
from handlers.sms_command import Invocation, Subcommand


def usage() -> str:
    return escape(_("`{command} audience save <name>` saves your latest import in this channel, `{command} audience "
                    "list` lists them, `{command} audience delete <name>` deletes one.", command=SLASH_COMMAND))


async def audience(invocation: Invocation) -> None:
    action, _space, name = invocation.parsed.rest.partition(" ")
    uow = invocation.context["uow"]
    action = action.lower()
    if action == "list":
        views = await anyio.to_thread.run_sync(list_audiences, uow(), await invocation.member_actor())
        await invocation.reply(*build_audience_list(views))
    elif action == "save":
        saved = await anyio.to_thread.run_sync(lambda: save_audience(
            uow(), name, invocation.actor, channel_id=invocation.channel_id))  # the person's own latest import
        await invocation.reply(audience_saved_text(saved.name, saved.recipient_count))
    elif action == "delete":
        deleted = await anyio.to_thread.run_sync(delete_audience, uow(), name, invocation.actor)
        await invocation.reply(audience_deleted_text(deleted))
    else:
        await invocation.reply(usage())


async def open_save_modal(ack: AsyncAck, body: dict, client: AsyncWebClient, uow, member_actor,
                          ref: ListRef) -> None:
    """Refused at once to anyone who may not send to the import's list."""
    await ack()
    await anyio.to_thread.run_sync(check_list_usable, uow(), ref.id, await member_actor())
    pressed = where_pressed(body)  # the import's reply, in the thread of the file it read
    await client.views_open(trigger_id=body["trigger_id"],
                            view=build_save_audience_modal(ref.id, pressed.channel, pressed.thread_ts))


async def submit_save(ack: AsyncAck, view: dict, client: AsyncWebClient, member_actor, uow,
                      ref: AudienceSaveState) -> None:
    name = ((view["state"]["values"].get(BlockId.AUDIENCE_NAME) or {}).get(ActionId.AUDIENCE_NAME_INPUT)
            or {}).get("value") or ""
    actor = await member_actor()
    try:
        saved = await anyio.to_thread.run_sync(lambda: save_audience(
            uow(), name, actor, channel_id=ref.channel_id, list_id=ref.list_id))
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.AUDIENCE_NAME: error_text(error)})
        return
    await ack()
    await reply_ephemeral_or_dm(client, channel=ref.channel_id, user=actor.user_id, thread_ts=ref.thread_ts,
                                text=audience_saved_text(saved.name, saved.recipient_count))


LISTENERS = (
    listeners.action(ActionId.IMPORT_SAVE_AUDIENCE, open_save_modal),
    listeners.view(CallbackId.AUDIENCE_SAVE, submit_save),
)


SUBCOMMANDS = (
    Subcommand("audience", f"{SLASH_COMMAND} audience save|list|delete", N_("Save and reuse recipient lists"),
               audience),
)
