"""Helpers for import tests: making files, and waiting for the bot's answer in Slack."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile

from openpyxl import Workbook, load_workbook

from bot.sandbox.emulator.defaults import BOT_USER_ID


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


async def final_reply(workspace, channel_id: str, thread_ts: str | None = None, timeout: float = 20.0):
    """The bot's import message once it is no longer a progress message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = workspace.replies(channel_id, thread_ts) if thread_ts else workspace.messages(channel_id)
        answers = [m for m in messages if m.user == BOT_USER_ID and m.ts != thread_ts]
        if answers and not answers[-1].text.startswith("Importing"):
            return answers[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no final import reply in {channel_id} (thread {thread_ts})")


def files_sent_to(workspace, user_id: str) -> list:
    """Files the bot shared into its direct message with that person."""
    dm = workspace.open_dm(user_id)
    return [f for f in workspace.files.all() if dm.id in f.channels]


def zip_bomb() -> bytes:
    """A workbook whose sheet inflates to ~200 MB from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            row = b"<row><c><v>1</v></c></row>" * 4096
            for _ in range(2000):
                sheet.write(row)
    return buffer.getvalue()
