"""Every file the bot refuses gets its own message in the thread, and nothing is stored."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import GENERAL_CHANNEL_ID, SENDER_ID
from tests.e2e.imports import final_reply, xlsx_bytes

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.fixture
def bot_overrides():
    return {"max_file_mb": 0.05, "max_recipients": 5}


def many_rows_csv() -> bytes:
    return ("phone\n" + "".join(f"1380013800{i}\n" for i in range(6))).encode()


HOSTILE = [
    ("empty.csv", b"", "The file is empty."),
    ("big.csv", b"phone\n" + b"13800138000\n" * 6000, "the limit is 0.05 MB per task"),
    ("many.csv", many_rows_csv(), "more than 5 data rows, the limit per task"),
    ("old.xls", CFB, "legacy Excel 97-2003 (.xls)"),
    ("locked.xlsx", CFB + "EncryptionInfo".encode("utf-16-le"), "password-protected"),
    ("report.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is a PDF, not a spreadsheet"),
    ("header-only.csv", b"phone,name\n", "a header row but no data rows"),
    ("names.csv", b"name,city\nLi,Beijing\n", "No phone column found. Name one of the columns phone, mobile, number, "
                                              "msisdn, \u624b\u673a\u53f7, \u624b\u673a\u53f7\u7801. Columns found: `name`, `city`."),
    ("bad.xlsx", b"PK\x03\x04 not really a zip", "The workbook is damaged"),
]


@pytest.mark.parametrize(("filename", "content", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_file_is_refused_with_its_own_message(workspace, driver, uow, filename, content, message):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, filename, content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "was not imported" in reply.text
    assert message in reply.text
    with uow:
        assert uow.recipient_lists.latest() == []


async def test_an_xlsx_over_the_row_limit_is_refused_before_reading_it_all(workspace, driver, uow):
    content = xlsx_bytes([["phone"]] + [[13800138000 + i] for i in range(6)])
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "many.xlsx", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "more than 5 data rows" in reply.text
