"""Files through Slack: download a private file with the bot token, hand a file to one person."""

from __future__ import annotations

import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.recipient_files import Limits, RecipientFileError, check_size

DOWNLOAD_TIMEOUT_SECONDS = 120


async def download_private_file(client: AsyncWebClient, file_id: str, limits: Limits) -> tuple[dict, bytes]:
    """The file's metadata and bytes; refused by its declared size before any download,
    and cut off while streaming if it turns out larger."""
    try:
        info = (await client.files_info(file=file_id))["file"]
    except SlackApiError as error:
        raise RecipientFileError(f"I could not read that file from Slack ({error.response.get('error')}).") from None
    check_size(int(info.get("size") or 0), limits)
    headers = {"Authorization": f"Bearer {client.token}"}
    chunks: list[bytes] = []
    received = 0
    async with httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT_SECONDS, follow_redirects=True) as http:
        async with http.stream("GET", info["url_private_download"], headers=headers) as response:
            if response.status_code != 200:
                raise RecipientFileError(f"Slack refused the download of {info.get('name', 'the file')} (HTTP {response.status_code}).")
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                check_size(received, limits)
                chunks.append(chunk)
    data = b"".join(chunks)
    check_size(len(data), limits)
    return info, data


async def send_file_privately(
    client: AsyncWebClient, user_id: str, *, filename: str, content: bytes, comment: str
) -> None:
    """Into the person's direct message with the bot: the only place a file with phone numbers goes."""
    channel = (await client.conversations_open(users=user_id))["channel"]["id"]
    await client.files_upload_v2(
        channel=channel, filename=filename, title=filename, content=content, initial_comment=comment
    )
