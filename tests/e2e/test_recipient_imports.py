"""Recipient files dropped into Slack, imported end to end through the emulator."""

from __future__ import annotations

import asyncio

from bot.sandbox.emulator.defaults import APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from tests.e2e.imports import files_sent_to, final_reply, read_xlsx, xlsx_bytes, zip_bomb


def stored_lists(uow):
    with uow:
        return uow.recipient_lists.latest()


def recipients_of(uow, list_id):
    with uow:
        return [(r.row_number, r.phone, list(r.variables)) for r in uow.recipient_lists.recipients(list_id)]


CSV = (
    "phone,name,coupon\n"
    "13800138000,Li Lei,A1\n"          # row 2
    "+86 139 1234 5678,Han Meimei,B2\n"  # row 3
    "8613800138000,Dup,C3\n"           # row 4: duplicate of row 2 after normalisation
    "12345,Short,D4\n"                 # row 5: invalid
    "hello,Text,E5\n"                  # row 6: invalid
    "+1 201-555-0123,Bob,F6\n"         # row 7
).encode()


async def test_a_dropped_csv_is_imported_with_exact_counts(workspace, driver, uow):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    assert shared.responses[0].status_code == 200
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "3 imported, 2 invalid removed, 1 duplicate removed" in reply.text
    assert "`${name}`" in str(reply.blocks) and "`${coupon}`" in str(reply.blocks)

    [recipient_list] = stored_lists(uow)
    assert (recipient_list.imported_count, recipient_list.invalid_count, recipient_list.duplicate_count) == (3, 2, 1)
    assert recipients_of(uow, recipient_list.id) == [
        (2, "+8613800138000", ["Li Lei", "A1"]),
        (3, "+8613912345678", ["Han Meimei", "B2"]),
        (7, "+12015550123", ["Bob", "F6"]),
    ]
    # Slack never shows the whole numbers
    assert "13800138000" not in str(reply.blocks) and "13912345678" not in str(reply.blocks)
    # One reply: posted as progress in the file's thread, then edited in place into the result.
    [posted] = [c for c in workspace.calls("chat.postMessage") if c.args.get("thread_ts") == shared.message_ts]
    assert posted.args["text"].startswith("Importing spring.csv")
    assert workspace.calls("chat.update")[-1].args["ts"] == reply.ts


async def test_a_dropped_files_result_is_seen_in_the_channel_and_stays_in_its_thread(workspace, driver):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    [posted] = [c for c in workspace.calls("chat.postMessage") if c.args.get("thread_ts") == shared.message_ts]
    assert posted.args["reply_broadcast"] is True  # "also send to the channel"
    in_channel = [m for m in workspace.messages(GENERAL_CHANNEL_ID) if m.ts == reply.ts]
    assert in_channel and "3 imported" in in_channel[0].text  # the counts where the file was dropped
    assert "Create send task" in str(in_channel[0].blocks)  # and the button to go on
    payload = workspace.message_payload(in_channel[0])
    assert payload["subtype"] == "thread_broadcast" and payload["root"]["ts"] == shared.message_ts


async def test_a_file_dropped_in_a_thread_is_answered_in_that_thread_alone(workspace, driver):
    root = workspace.post_message(GENERAL_CHANNEL_ID, SENDER_ID, "lists for Monday")
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV, thread_ts=root.ts)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, root.ts)
    assert "3 imported" in reply.text and shared.message_ts != reply.ts
    assert [m.ts for m in workspace.messages(GENERAL_CHANNEL_ID)] == [root.ts]


async def test_the_invalid_rows_report_reaches_only_the_uploader(workspace, driver):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    [report] = files_sent_to(workspace, SENDER_ID)
    assert report.name.endswith(".xlsx")
    rows = read_xlsx(report.content)
    assert rows[0] == ("row", "value", "reason")
    assert [(r[0], r[1]) for r in rows[1:]] == [(5, "12345"), (6, "hello")]
    assert files_sent_to(workspace, APPROVER_ID) == []
    assert all(GENERAL_CHANNEL_ID not in f.channels for f in workspace.files.all() if f.id != shared.file_id)


async def test_numeric_cells_come_out_exact(workspace, driver, uow):
    content = xlsx_bytes([["Mobile", "city"], [13800138000, "Beijing"], [8613912345678, "Shanghai"],
                          [13800138000.0, "again"], ["+44 7911 123456", "London"]])
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "numbers.xlsx", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "3 imported, 0 invalid removed, 1 duplicate removed" in reply.text
    [recipient_list] = stored_lists(uow)
    assert [p for _, p, _ in recipients_of(uow, recipient_list.id)] == ["+8613800138000", "+8613912345678", "+447911123456"]


async def test_a_gbk_csv_with_a_chinese_header(workspace, driver, uow):
    content = "手机号,姓名\n13800138000,李雷\n13912345678,韩梅梅\n".encode("gbk")
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "名单.csv", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "2 imported, 0 invalid removed, 0 duplicates removed" in reply.text
    [recipient_list] = stored_lists(uow)
    assert recipient_list.variables == ["姓名"]
    assert recipients_of(uow, recipient_list.id)[1] == (3, "+8613912345678", ["韩梅梅"])


async def test_the_same_file_delivered_twice_is_imported_once(workspace, driver, uow):
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    [message] = [m for m in workspace.messages(GENERAL_CHANNEL_ID) if m.ts == shared.message_ts]
    event = workspace.message_payload(message)
    event.update({"channel": GENERAL_CHANNEL_ID, "event_ts": message.ts, "channel_type": "channel"})
    await driver.event(event)  # Slack retries an event it thinks we missed
    replies = []
    for _ in range(100):
        replies = [m for m in workspace.replies(GENERAL_CHANNEL_ID, shared.message_ts) if "imported" in m.text]
        if len(replies) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(stored_lists(uow)) == 1
    assert "imported before" in str(replies[-1].blocks)


async def test_other_files_and_the_bots_own_uploads_are_left_alone(workspace, driver, uow):
    await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "photo.png", b"\x89PNG\r\n\x1a\n")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "sample")
    await asyncio.sleep(0.5)
    assert stored_lists(uow) == []
    assert [m for m in workspace.messages(GENERAL_CHANNEL_ID, include_replies=True) if "Importing" in m.text] == []


async def test_a_zip_bomb_is_refused_without_being_inflated(workspace, driver, uow):
    content = zip_bomb()
    assert len(content) < 2 * 1024 * 1024  # small enough to pass the size limit
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "bomb.xlsx", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "looks like a zip bomb" in reply.text
    assert stored_lists(uow) == []


async def test_a_formula_without_a_saved_value_is_an_invalid_row(workspace, driver, uow):
    content = xlsx_bytes([["phone"], [13800138000], ["=CONCAT(\"1391234\",\"5678\")"]])
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "formulas.xlsx", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "1 imported, 1 invalid removed" in reply.text
    [report] = files_sent_to(workspace, SENDER_ID)
    assert read_xlsx(report.content)[1][2].startswith("formula without a saved value")


async def test_slacks_retries_of_a_dropped_file_are_answered_once(workspace, driver, uow):
    """Slack redelivers the message event (same event_id, X-Slack-Retry-Num) when an answer was
    slow: one import, one "Importing…" reply, one result."""
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV, retries=3)
    assert all(response.status_code == 200 for response in shared.responses)
    # The retries were answered before share_file returned, each before any listener ran; a
    # listener's first act is its "Importing…" reply, made long before the first import ends.
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "3 imported" in reply.text
    posted = [c for c in workspace.calls("chat.postMessage") if c.args.get("thread_ts") == shared.message_ts]
    assert len(posted) == 1
    assert len(stored_lists(uow)) == 1


async def test_a_control_character_in_an_invalid_row_reaches_the_report_readably(workspace, driver, uow):
    """Before, the report's spreadsheet writer refused the character, the import was stored and
    the uploader was told nothing."""
    from tests.e2e.imports import read_xlsx

    content = b"phone,name\n13800138000,Li\n12\x0b34,Bad\n"
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "tabbed.csv", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "1 imported, 1 invalid removed" in reply.text
    [report] = await eventually_files(workspace)
    assert read_xlsx(report.content)[1][:2] == (3, "12\\x0b34")
    assert len(stored_lists(uow)) == 1


async def test_a_csv_field_over_the_readers_limit_is_refused_with_its_line(workspace, driver, uow):
    content = b"phone,name\n13800138000,Li\n13912345678," + b"x" * 200_000 + b"\n"
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "long.csv", content)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "was not imported" in reply.text
    assert "Line 3 of the CSV has a field longer than 131,072 characters" in reply.text
    assert stored_lists(uow) == []


async def eventually_files(workspace, timeout: float = 10.0):
    from tests.e2e.imports import files_sent_to

    for _ in range(int(timeout / 0.05)):
        if files := files_sent_to(workspace, SENDER_ID):
            return files
        await asyncio.sleep(0.05)
    raise AssertionError("no file reached the uploader")


async def test_an_import_whose_report_cannot_be_written_is_refused_whole(workspace, driver, uow, monkeypatch):
    import domain.use_cases.recipients as recipients

    def refuse(_rows):
        raise ValueError("the writer refused a cell")

    monkeypatch.setattr(recipients, "invalid_rows_xlsx", refuse)
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "was not imported" in reply.text and "could not be written (ValueError), so nothing was imported" in reply.text
    assert stored_lists(uow) == []


async def test_a_report_slack_will_not_take_still_leaves_the_result_shown(workspace, driver, uow, monkeypatch):
    import handlers.recipients

    async def refuse(*_args, **_kwargs):
        raise RuntimeError("files.completeUploadExternal failed")

    monkeypatch.setattr(handlers.recipients, "send_file_privately", refuse)
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert "3 imported, 2 invalid removed" in reply.text
    assert "in your direct messages" not in str(reply.blocks)  # it does not claim a report it could not send
    assert len(stored_lists(uow)) == 1


async def test_an_import_whose_message_was_deleted_still_reaches_the_uploader(workspace, driver, uow):
    """Someone deletes the "Importing…" message before the result: chat.update gets Slack's
    message_not_found, and the result goes to the uploader's direct message instead."""
    from bot.sandbox.emulator.defaults import BOT_USER_ID

    def delete_progress_messages(_what: str) -> None:
        for message in workspace.messages(GENERAL_CHANNEL_ID, include_replies=True):
            if message.user == BOT_USER_ID and message.text.startswith("Importing"):
                workspace.delete_message(GENERAL_CHANNEL_ID, message.ts)

    stop = workspace.add_listener(delete_progress_messages)
    try:
        await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "people.csv", b"phone\n13800138000\n")
        dm = workspace.open_dm(SENDER_ID).id
        result = await final_reply(workspace, dm)
    finally:
        stop()
    assert "1 imported" in result.text
    assert any(c.error == "message_not_found" for c in workspace.calls("chat.update"))
    assert len(stored_lists(uow)) == 1
