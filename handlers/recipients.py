"""Recipient imports: a file dropped into a channel or DM, or `/sms import` (file or pasted numbers)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.applications import Routing
from domain.errors import DomainError
from domain.i18n import N_, _, current_language, in_public, speaking
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits, RecipientFileError
from domain.recipient_import import NothingToImport, summary_line
from domain.spreadsheets import invalid_rows_xlsx
from domain.use_cases.requests import take_once
from domain.use_cases.recipients import (
    PASTED_NUMBERS,
    ImportSource,
    ImportSummary,
    PreparedImport,
    import_file,
    import_pasted,
    prepare_file,
)
from handlers import listeners
from handlers.form_input import submission_key
from handlers.ids import ActionId, BlockId, CallbackId, EventType
from handlers.payloads import ImportModalState
from handlers.recipients_blocks import (
    Message,
    build_import_failed,
    build_import_modal,
    build_import_progress,
    build_import_result,
    build_nothing_imported,
    invalid_rows_comment,
)
from handlers.replies import error_mrkdwn, reply_ephemeral_or_dm
from handlers.slack_files import download_private_file, resolve_shared_file, send_file_privately
from handlers.sms_command import Invocation, Subcommand

log = logging.getLogger(__name__)

RECIPIENT_FILE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
# A file dropped into a conversation, or into a thread and "also sent to the channel".
SHARED_FILE_SUBTYPES = re.compile(r"^(file_share|thread_broadcast)$")
PROGRESS_INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class ImportSettings:
    limits: Limits
    normalizer: PhoneNormalizer
    routes: Callable[[], Routing]  # where numbers are sent now: a number no application takes is invalid


def is_recipient_file(file: dict[str, Any]) -> bool:
    return str(file.get("name", "")).lower().endswith(RECIPIENT_FILE_SUFFIXES)


class ImportReply:
    """The one message that tells how an import went: posted at once, edited in place. Whatever
    Slack refuses on the way (the conversation gone or closed to the bot, the message deleted),
    the uploader is told in their direct message instead: no import ends unanswered."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None, *, broadcast: bool = False) -> None:
        """`broadcast`: the reply in `thread_ts` is also sent to the channel (a file dropped there)."""
        self._client, self._channel, self._thread_ts, self._broadcast = client, channel, thread_ts, broadcast
        self._ts: str | None = None
        self._user_id = ""
        self.rows_read = 0

    async def start(self, name: str, user_id: str) -> None:
        self._user_id = user_id
        text, blocks = build_import_progress(name)
        try:
            response = await self._client.chat_postMessage(
                channel=self._channel, thread_ts=self._thread_ts, text=text, blocks=blocks,
                **({"reply_broadcast": True} if self._broadcast and self._thread_ts else {}))
        except SlackApiError as error:
            log.info("the import's message went to the direct message: %s", error.response.get("error"))
            response = await self._post_to_uploader(text, blocks)
        self._ts = response["ts"]

    async def _post_to_uploader(self, text: str, blocks: list[dict]):
        self._channel = (await self._client.conversations_open(users=self._user_id))["channel"]["id"]
        self._thread_ts = None
        return await self._client.chat_postMessage(channel=self._channel, text=text, blocks=blocks)

    async def show(self, text: str, blocks: list[dict]) -> None:
        try:
            await self._client.chat_update(channel=self._channel, ts=self._ts, text=text, blocks=blocks)
        except SlackApiError as error:
            log.info("the import's result went to the direct message: %s", error.response.get("error"))
            self._ts = (await self._post_to_uploader(text, blocks))["ts"]

    async def keep_progress_fresh(self, name: str) -> None:
        shown = 0
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL_SECONDS)
            if self.rows_read != shown:
                shown = self.rows_read
                text, blocks = build_import_progress(name, shown)
                try:
                    await self._client.chat_update(channel=self._channel, ts=self._ts, text=text, blocks=blocks)
                except SlackApiError as error:  # the result still gets through (show)
                    log.info("the import's progress could not be shown: %s", error.response.get("error"))


def shown_name(name: str | None) -> str:
    """An import's name as shown: its file's, or what pasted numbers (None) are called in the reader's language."""
    return _("Pasted numbers") if name is None else name


async def report_import(client: AsyncWebClient, reply: ImportReply, user_id: str, name: str | None,
                        run: Callable[[], Awaitable[ImportSummary]]) -> None:
    """Run an import behind a progress message, then show its result there and hand the
    invalid rows (they hold phone numbers) to the uploader alone. The message is read where the
    import was asked (a file's thread): it and the import's refusals are in the workspace's
    language; the invalid rows go in the uploader's. `name`: the file's (None: pasted numbers)."""
    uploader = current_language()
    with in_public():
        await reply.start(shown_name(name), user_id)
        ticker = asyncio.create_task(reply.keep_progress_fresh(shown_name(name)))
        try:
            summary = await run()
        except Exception as error:
            ticker.cancel()
            await reply.show(*await _import_refused(client, user_id, name, error, uploader))
            return
        ticker.cancel()
        with speaking(uploader):
            sent = await send_invalid_report(client, user_id, shown_name(name), summary.invalid_rows,
                                             summary.invalid_report)
        await reply.show(*build_import_result(
            name=shown_name(name), summary_line=summary_line(summary), list_id=summary.list_id,
            variables=summary.variables, report_sent=sent, already_imported=summary.already_imported,
        ))


async def _import_refused(client: AsyncWebClient, user_id: str, name: str | None, error: Exception,
                          uploader: str) -> Message:
    """What an import that stored nothing shows, in the current language; called while `error` is handled."""
    if isinstance(error, NothingToImport):
        with speaking(uploader):
            sent = await send_invalid_report(client, user_id, shown_name(name), error.outcome.invalid)
        return build_nothing_imported(shown_name(name), summary_line(error.outcome), sent)
    if isinstance(error, DomainError):
        return build_import_failed(shown_name(name), error_mrkdwn(error))
    log.exception("import of a recipient file failed")
    return build_import_failed(shown_name(name), _("Something went wrong on our side. Please try again."))


async def download_and_import(client: AsyncWebClient, uow, settings: ImportSettings, file_id: str,
                              source: ImportSource, progress=None) -> ImportSummary:
    """A Slack file into a stored recipient list; parsing runs off the event loop."""
    _info, data = await download_private_file(client, file_id, settings.limits)
    return await anyio.to_thread.run_sync(lambda: import_file(
        uow(), data, source, limits=settings.limits, normalizer=settings.normalizer, progress=progress))


async def prepare_slack_file(client: AsyncWebClient, settings: ImportSettings, file_id: str,
                             source: ImportSource) -> PreparedImport:
    """A Slack file read and normalised, not stored: the caller stores it with what it is for."""
    _info, data = await download_private_file(client, file_id, settings.limits)
    return await anyio.to_thread.run_sync(lambda: prepare_file(
        data, source, limits=settings.limits, normalizer=settings.normalizer, routes=settings.routes()))


async def send_invalid_report(client: AsyncWebClient, user_id: str, name: str, invalid_rows: list,
                              report: bytes | None = None) -> bool:
    """The invalid rows, to the uploader alone. `report`: written already (with the import);
    False if there was none to send or Slack did not take it (the result still says so)."""
    if not invalid_rows:
        return False
    content = report or await anyio.to_thread.run_sync(invalid_rows_xlsx, invalid_rows)
    filename = _("invalid-rows-{name}.xlsx", name=name.rsplit(".", 1)[0])
    try:
        await send_file_privately(client, user_id, filename=filename, content=content,
                                  comment=invalid_rows_comment(name, len(invalid_rows)))
    except Exception:  # the import stands and its result is shown: it says no report was sent
        log.warning("the invalid-rows report of an import could not be sent", exc_info=True)
        return False
    return True


async def import_slack_file(client, uow, settings: ImportSettings, file_id: str, user_id: str, channel_id: str,
                            thread_ts: str | None, name: str, *, broadcast: bool = False):
    reply = ImportReply(client, channel_id, thread_ts, broadcast=broadcast)
    source = ImportSource(user_id=user_id, channel_id=channel_id, kind="file", name=name, thread_ts=thread_ts,
                          slack_file_id=file_id, language=current_language())

    async def run() -> ImportSummary:
        def progress(rows: int) -> None:
            reply.rows_read = rows

        return await download_and_import(client, uow, settings, file_id, source, progress)

    await report_import(client, reply, user_id, name, run)


async def import_dropped_files(event: dict, client: AsyncWebClient, context, uow,
                               import_settings: ImportSettings) -> None:
    if event.get("bot_id") or event.get("user") == context.bot_user_id:
        return  # the bot's own uploads (samples, reports) are not imports
    thread_ts = event.get("thread_ts") or event["ts"]
    # A file dropped in the channel is answered in its thread and in the channel, where it was
    # seen (the details stay in the thread); one dropped in a thread is answered there.
    in_channel = event.get("thread_ts") is None or event.get("subtype") == "thread_broadcast"
    for shared in event.get("files", []):
        try:
            file = await resolve_shared_file(client, shared)
        except RecipientFileError as error:
            await reply_ephemeral_or_dm(client, channel=event["channel"], user=event["user"],
                                        text=error_mrkdwn(error), thread_ts=event.get("thread_ts"))
            continue
        if is_recipient_file(file):
            await import_slack_file(client, uow, import_settings, file["id"], event["user"], event["channel"], thread_ts,
                                    file.get("name", "file"), broadcast=in_channel)


async def ignore_other_messages() -> None:
    """Every other message in the bot's channels: acknowledged, nothing to do."""


async def open_import_modal(invocation: Invocation) -> None:
    await invocation.acknowledge()
    await invocation.client.views_open(
        trigger_id=invocation.command["trigger_id"], view=build_import_modal(invocation.channel_id)
    )


async def submit_import(ack: AsyncAck, view: dict, body: dict, client: AsyncWebClient, uow, clock,
                        import_settings: ImportSettings, ref: ImportModalState) -> None:
    values = view["state"]["values"]
    files = (values.get(BlockId.IMPORT_FILE, {}).get(ActionId.IMPORT_FILE_INPUT) or {}).get("files") or []
    pasted = (values.get(BlockId.IMPORT_PASTE, {}).get(ActionId.IMPORT_PASTE_INPUT) or {}).get("value") or ""
    if bool(files) == bool(pasted.strip()):
        message = _("Choose a file or paste numbers (one of the two).")
        await ack(response_action="errors", errors={BlockId.IMPORT_FILE: message, BlockId.IMPORT_PASTE: message})
        return
    await ack()
    # The modal closes with this answer: the same submission delivered again imports nothing more.
    if not await anyio.to_thread.run_sync(take_once, uow(), f"import:{submission_key(view)}", clock()):
        return
    user_id = body["user"]["id"]
    channel_id = ref.channel_id
    if files:
        file = files[0]
        await import_slack_file(client, uow, import_settings, file["id"], user_id, channel_id, None,
                                file.get("name", "file"))
        return
    reply = ImportReply(client, channel_id, None)
    source = ImportSource(user_id=user_id, channel_id=channel_id, kind="paste", name=PASTED_NUMBERS,
                          language=current_language())

    async def run() -> ImportSummary:
        return await anyio.to_thread.run_sync(
            lambda: import_pasted(uow(), pasted, source, normalizer=import_settings.normalizer))

    await report_import(client, reply, user_id, None, run)


LISTENERS = (
    listeners.event({"type": EventType.MESSAGE, "subtype": SHARED_FILE_SUBTYPES}, import_dropped_files),
    listeners.event(EventType.MESSAGE, ignore_other_messages),
    listeners.view(CallbackId.IMPORT_SUBMIT, submit_import),
)


SUBCOMMANDS = (
    Subcommand("import", "/sms import", N_("Import recipients from a file or pasted numbers"), open_import_modal),
)
