"""File uploads as files_upload_v2 sends them, and downloads that need the bot token."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import BOT_USER_ID, DEFAULT_BOT_TOKEN, GENERAL_CHANNEL_ID, Workspace

CSV = b"phone,name\n+8613800138000,Ada\n13800138001,Abe\n"


async def test_files_upload_v2_shares_the_file_and_its_bytes(client: AsyncWebClient, workspace: Workspace):
    parent = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="Task 42")

    answer = await client.files_upload_v2(
        channel=GENERAL_CHANNEL_ID,
        thread_ts=parent["ts"],
        filename="failed-numbers.csv",
        content=CSV,
        title="Failed numbers",
        initial_comment="3 numbers failed",
    )

    uploaded = answer["file"]
    assert (uploaded["name"], uploaded["title"], uploaded["size"]) == ("failed-numbers.csv", "Failed numbers", len(CSV))
    assert (uploaded["mimetype"], uploaded["filetype"]) == ("text/csv", "csv")
    assert workspace.files.get(uploaded["id"]).content == CSV
    [share] = workspace.replies(GENERAL_CHANNEL_ID, parent["ts"])
    assert (share.user, share.text, share.file_ids) == (BOT_USER_ID, "3 numbers failed", [uploaded["id"]])
    info = await client.files_info(file=uploaded["id"])
    assert info["file"]["channels"] == [GENERAL_CHANNEL_ID]
    methods = [c.method for c in workspace.calls()]
    assert methods[-3:-1] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


async def test_a_download_needs_the_bot_token(client: AsyncWebClient):
    uploaded = (await client.files_upload_v2(channel=GENERAL_CHANNEL_ID, filename="a.csv", content=CSV))["file"]
    url = uploaded["url_private_download"]

    with_token = httpx.get(url, headers={"Authorization": f"Bearer {DEFAULT_BOT_TOKEN}"})
    anonymous = httpx.get(url)
    wrong_token = httpx.get(url, headers={"Authorization": "Bearer xoxb-stolen"})

    assert with_token.status_code == 200 and with_token.content == CSV
    assert with_token.headers["content-type"].startswith("text/csv")
    for refused in (anonymous, wrong_token):
        assert refused.status_code in (302, 403) and CSV not in refused.content
    inline = httpx.get(uploaded["url_private"], headers={"Authorization": f"Bearer {DEFAULT_BOT_TOKEN}"})
    assert inline.content == CSV


async def test_an_upload_url_also_takes_a_multipart_form(client: AsyncWebClient, workspace: Workspace):
    ticket = await client.files_getUploadURLExternal(filename="sample.csv", length=len(CSV))

    posted = httpx.post(ticket["upload_url"], files={"filename": ("sample.csv", CSV, "text/csv")})
    done = await client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "Sample"}])

    assert posted.status_code == 200
    assert done["files"][0]["title"] == "Sample"
    assert workspace.files.get(ticket["file_id"]).content == CSV
    assert workspace.messages(GENERAL_CHANNEL_ID) == []  # no channel given: not shared


async def test_completing_an_unknown_or_unsent_upload_is_file_not_found(client: AsyncWebClient):
    ticket = await client.files_getUploadURLExternal(filename="empty.csv", length=10)

    for file_id in ("F0NOTHERE0", ticket["file_id"]):
        with pytest.raises(SlackApiError) as refused:
            await client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=GENERAL_CHANNEL_ID)
        assert refused.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as unknown_info:
        await client.files_info(file="F0NOTHERE0")
    assert unknown_info.value.response["error"] == "file_not_found"


async def test_get_upload_url_needs_filename_and_length(client: AsyncWebClient):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("files.getUploadURLExternal", params={"filename": "a.csv"})

    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == ["[ERROR] missing required field: length"]
