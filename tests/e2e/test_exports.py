"""Exports of a sent task's recipients, end to end: from the final report's buttons and from
`/sms export`, into the asker's direct message only, audited, with nothing in them that a
spreadsheet would run."""

from __future__ import annotations

import io
import zipfile

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from domain.content import Purpose, TemplateKind
from domain.exports import ExportKind
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.tasks import create_task
from handlers.ids import ActionId
from handlers.payloads import ExportRef
from tests.e2e.sent_tasks import (
    SENDER,
    audit,
    read_with_openpyxl,
    recipients_of,
    report_ts,
    sent_task,
    uploads_to,
    values_with_calamine,
)
from tests.e2e.test_dispatch import bot, bot_overrides, bot_provider, eventually, gateway, gateway_options  # noqa: F401
from tests.e2e.test_send_tasks import catalog  # noqa: F401  (approved content)


def files_in(workspace, channel_id: str) -> list:
    return [f for f in workspace.files.all() if channel_id in f.channels]


async def test_export_failed_goes_only_to_the_requesters_dm_and_is_audited(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, card_ts, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway)
    failed = recipients_of(bot_runtime, task_id, ("failed",))
    assert failed  # the simulator fails ~10%

    await driver.block_actions(SENDER_ID, ActionId.EXPORT_FAILED, message=report_ts(report))
    dm = workspace.open_dm(SENDER_ID).id
    [upload] = await eventually(lambda: uploads_to(workspace, dm))
    assert upload.ok and "with whole phone numbers" in upload.args["initial_comment"]
    preparing = [e.text for e in workspace.ephemerals(user_id=SENDER_ID) if e.text.startswith("Preparing")]
    assert preparing == [f"Preparing the export of *Big send* (failed, {len(failed)} rows)… "
                         "It will arrive in our direct messages."]
    # The file is shared into the DM and nowhere else: no channel message carries it.
    [export] = files_in(workspace, dm)
    assert export.channels == [dm] and export.name.startswith(f"smsbot-task-{task_id}-failed-")
    for channel in (APPROVALS_CHANNEL_ID, GENERAL_CHANNEL_ID):
        assert not [m for m in workspace.messages(channel, include_replies=True) if export.id in m.file_ids]
    assert [c.args.get("channel_id") for c in workspace.calls("files.completeUploadExternal")
            if c.args.get("channel_id") != APPROVALS_CHANNEL_ID] == [dm]  # the chart went to the thread

    rows = values_with_calamine(export.content)
    assert rows[0] == ["row", "phone", "name", "coupon", "status", "submitted at (Asia/Shanghai)",
                       "receipt at (Asia/Shanghai)", "error code", "reason", "SMS ID", "characters", "segments",
                       "text"]
    assert [r[1] for r in rows[1:]] == [r.phone for r in failed]  # whole numbers, `+` kept, in order
    assert [r[2:4] for r in rows[1:]] == [list(r.variables) for r in failed]
    assert {r[4] for r in rows[1:]} == {"failed"} and all(r[8] for r in rows[1:])
    # what each was sent: the provider's SMS ID, and the text as the dispatcher composed it, measured
    texts = [f"【Acme】Hi {r.variables[0]}, your order shipped" for r in failed]
    assert [r[9:] for r in rows[1:]] == [[r.provider_id, len(text), 1, text] for r, text in zip(failed, texts)]
    assert all(r.provider_id for r in failed)

    [entry] = audit(bot_runtime, "task.exported")
    assert (entry.actor, entry.target_id) == (SENDER_ID, str(task_id))
    assert entry.detail == {"kind": "failed", "rows": len(failed), "file": export.name, "delivered_to": dm}


async def test_an_approver_may_export_all_and_a_member_is_refused(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway, recipients=30)
    everyone = ExportRef(id=task_id, kind=ExportKind.ALL).dump()

    await driver.block_actions(MEMBER_ID, ActionId.EXPORT_MORE, message=report_ts(report),
                               selected_option={"value": everyone})
    refusal = await eventually(lambda: [e.text for e in workspace.ephemerals(user_id=MEMBER_ID)])
    assert refusal == ["Only <@U0SENDER01> (who asked for this send) or an approver can export its recipients "
                       "or follow up on them."]
    await driver.block_actions(MEMBER_ID, ActionId.EXPORT_FAILED, message=report_ts(report))
    await eventually(lambda: len(workspace.ephemerals(user_id=MEMBER_ID)) == 2)

    await driver.block_actions(APPROVER_ID, ActionId.EXPORT_MORE, message=report_ts(report),
                               selected_option={"value": everyone})
    approver_dm = workspace.open_dm(APPROVER_ID).id
    await eventually(lambda: uploads_to(workspace, approver_dm))
    [export] = files_in(workspace, approver_dm)
    rows = read_with_openpyxl(export.content)
    first = recipients_of(bot_runtime, task_id)[0]
    assert len(rows) == 31 and [c.value for c in rows[1][:2]] == [first.row_number, first.phone]
    assert not files_in(workspace, workspace.open_dm(MEMBER_ID).id)
    assert [(e.actor, e.detail["kind"], e.detail["rows"]) for e in audit(bot_runtime, "task.exported")] == [
        (APPROVER_ID, "all", 30)]


async def test_cells_that_could_run_as_formulas_are_neutralised_and_numbers_stay_text(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    dangerous = ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "plain", "a=b"]
    csv = "phone,name,coupon\n" + "".join(f"1380013{n:04d},\"{value}\",C{n}\n" for n, value in enumerate(dangerous))
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway, csv=csv)

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"export {task_id} all")
    dm = workspace.open_dm(SENDER_ID).id
    await eventually(lambda: uploads_to(workspace, dm))
    [export] = files_in(workspace, dm)
    sheet = read_with_openpyxl(export.content)
    names = [row[2].value for row in sheet[1:]]
    stored = [r.variables[0] for r in recipients_of(bot_runtime, task_id)]
    assert names == [("'" + v) if v[:1] in "=+-@\t\r" else v for v in stored]
    # The import trims the tab and the carriage return (the unit tests cover them): four are left.
    assert sum(name.startswith("'") for name in names) == 4
    assert all(not name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
    phones = [row[1] for row in sheet[1:]]
    assert all(cell.data_type == "s" and cell.value.startswith("+86") and cell.number_format == "@" for cell in phones)
    # calamine, the reader the bot imports with, sees the same text: the export can be imported back.
    assert [r[1] for r in values_with_calamine(export.content)[1:]] == [c.value for c in phones]
    # No cell is a formula in the file itself.
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(export.content)).read("xl/worksheets/sheet1.xml")


async def test_export_command_refuses_before_the_send_and_names_its_usage(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    draft = TaskDraft(name="Later", purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                      recipient_list_id=catalog["list"], signature_id=catalog["signature"],
                      template_id=catalog["Receipt"])
    task = create_task(bot_runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=bot_runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "export Later no-receipt")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "export")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"export {task.id} delivered")
    answers = await eventually(lambda: len(workspace.ephemerals(user_id=SENDER_ID)) >= 3
                               and sorted(e.text for e in workspace.ephemerals(user_id=SENDER_ID)))
    assert answers == sorted([
        "*Later* has not been sent yet: there are no results to export or follow up.",
        "`/sms export &lt;task&gt; [failed|no-receipt|all]`: the task's id (`12` or `#12`) or name; `failed` when not "
        "given. The file comes to you in a direct message.",
        "“delivered” is not an export: use `failed`, `no-receipt` or `all`.",
    ])
    assert not workspace.calls("files.completeUploadExternal") and not audit(bot_runtime, "task.exported")


async def test_answers_to_the_final_reports_buttons_stay_in_the_tasks_thread(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    """The final report is a reply in the task's thread: what its buttons answer goes there."""
    _task_id, card_ts, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                                recipients=20)
    await driver.block_actions(MEMBER_ID, ActionId.EXPORT_FAILED, message=report_ts(report))
    await driver.block_actions(SENDER_ID, ActionId.EXPORT_FAILED, message=report_ts(report))
    await driver.block_actions(SENDER_ID, ActionId.FOLLOW_UP_AUDIENCE, message=report_ts(report))
    [refused] = await eventually(lambda: workspace.ephemerals(user_id=MEMBER_ID))
    preparing, saved = await eventually(lambda: len(workspace.ephemerals(user_id=SENDER_ID)) == 2 and sorted(
        workspace.ephemerals(user_id=SENDER_ID), key=lambda e: e.text))
    assert refused.text.startswith("Only <@U0SENDER01>")
    assert preparing.text.startswith("Preparing the export") and saved.text.startswith("Saved audience")
    assert {(e.channel, e.thread_ts) for e in (refused, preparing, saved)} == {(APPROVALS_CHANNEL_ID, card_ts)}
