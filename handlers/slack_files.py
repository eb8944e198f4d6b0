"""Files through Slack: download a private file with the bot token, hand a file to one person."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import anyio
import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.i18n import N_, _
from domain.recipient_files import Limits, RecipientFileError, check_size

DOWNLOAD_TIMEOUT_SECONDS = 120
# Why a shared file cannot be read, by its mode; translated where it is said.
_UNREADABLE_MODES = {
    "tombstone": N_("it was deleted"),
    "hidden_by_limit": N_("Slack hides it: the workspace's plan limits how far back files can be seen"),
}


def _unreadable(why: str) -> RecipientFileError:
    return RecipientFileError(_("I could not read the file you shared ({why}). If it was a recipient list, upload "
                                "it again or use `/sms import`.", why=why))


async def resolve_shared_file(client: AsyncWebClient, file: dict) -> dict:
    """A file as a message event carries it, made whole. In a Slack Connect channel the event
    holds a stub (`file_access: check_file_info`, no name, no URLs) and files.info tells the
    rest; a deleted or plan-hidden file cannot be read at all (RecipientFileError says why)."""
    if file.get("mode") in _UNREADABLE_MODES:
        raise _unreadable(_(_UNREADABLE_MODES[file["mode"]]))
    if file.get("file_access") != "check_file_info" and file.get("name"):
        return file
    try:
        return (await client.files_info(file=file["id"]))["file"]
    except SlackApiError as error:
        raise _unreadable(_("Slack said {error}", error=error.response.get("error"))) from None


async def download_private_file(client: AsyncWebClient, file_id: str, limits: Limits) -> tuple[dict, bytes]:
    """The file's metadata and bytes; refused by its declared size before any download,
    and cut off while streaming if it turns out larger."""
    try:
        info = (await client.files_info(file=file_id))["file"]
    except SlackApiError as error:
        raise RecipientFileError(_("I could not read that file from Slack ({error}).",
                                   error=error.response.get("error"))) from None
    check_size(int(info.get("size") or 0), limits)
    headers = {"Authorization": f"Bearer {client.token}"}
    chunks: list[bytes] = []
    received = 0
    async with httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT_SECONDS, follow_redirects=True) as http:
        async with http.stream("GET", info["url_private_download"], headers=headers) as response:
            if response.status_code != 200:
                raise RecipientFileError(_refused_download(info.get("name"), response.status_code))
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                check_size(received, limits)
                chunks.append(chunk)
    data = b"".join(chunks)
    check_size(len(data), limits)
    return info, data


def _refused_download(name: str | None, status: int) -> str:
    if not name:
        return _("Slack refused the download of the file (HTTP {status}).", status=status)
    return _("Slack refused the download of {name} (HTTP {status}).", name=name, status=status)


async def send_file_privately(client: AsyncWebClient, user_id: str, *, filename: str, content: bytes,
                              comment: str) -> None:
    """Into the person's direct message with the bot: the only place a file with phone numbers goes."""
    channel = (await client.conversations_open(users=user_id))["channel"]["id"]
    await client.files_upload_v2(
        channel=channel, filename=filename, title=filename, content=content, initial_comment=comment
    )


UPLOAD_TIMEOUT_SECONDS = 600
UPLOAD_CHUNK_BYTES = 1 << 20


class FileUploadFailed(Exception):
    pass


async def _read_chunks(path: str) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as source:
        while chunk := await source.read(UPLOAD_CHUNK_BYTES):
            yield chunk


async def open_direct_message(client: AsyncWebClient, user_id: str) -> str:
    """The channel id of the person's direct message with the bot."""
    return (await client.conversations_open(users=user_id))["channel"]["id"]


async def send_path_privately(client: AsyncWebClient, dm_channel: str, *, filename: str, path: str,
                              comment: str) -> None:
    """A file on disk into a direct message (`open_direct_message`), through the same three
    steps as `files_upload_v2` (get an upload URL, send the bytes, complete the upload), but
    streamed from the file: a million-row export is never read into memory whole."""
    size = os.path.getsize(path)
    upload = await client.files_getUploadURLExternal(filename=filename, length=size)
    async with httpx.AsyncClient(timeout=UPLOAD_TIMEOUT_SECONDS) as http:
        # An explicit length: httpx then sends the stream as it is, not chunked.
        response = await http.post(upload["upload_url"], content=_read_chunks(path),
                                   headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"})
    if response.status_code != 200:
        raise FileUploadFailed(_("Slack refused the upload of {name} (HTTP {status}).", name=filename,
                                 status=response.status_code))
    await client.files_completeUploadExternal(files=[{"id": upload["file_id"], "title": filename}],
                                              channel_id=dm_channel, initial_comment=comment)


async def share_in_thread(client: AsyncWebClient, *, channel: str, thread_ts: str, filename: str, title: str,
                          content: bytes, alt_text: str) -> str | None:
    """A small file (a chart) into a thread, for everyone in the channel: its id."""
    response = await client.files_upload_v2(channel=channel, thread_ts=thread_ts, filename=filename, title=title,
                                            content=content, alt_txt=alt_text[:1000])
    files = response.get("files") or []
    return files[0].get("id") if files else None
