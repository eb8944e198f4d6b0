"""Helpers for tests that start from a task sent through the simulator gateway (see
test_dispatch.py, whose gateway and sending-bot fixtures they import): a finished task with
its final report, what the bot stored about it, and the files it handed out."""

from __future__ import annotations

import asyncio
import io

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlmodel import Session, select

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from domain.approvers import Actor
from domain.content import Purpose, TemplateKind
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.segments import SignatureStyle
from domain.tasks import Composition, TaskDraft
from domain.use_cases.recipients import ImportSource, import_file
from domain.use_cases.approvals import Approval, decide_task
from domain.use_cases.tasks import create_task, record_task_thread
from storage.tables import Recipient, TaskRecipient
from tests.e2e.test_dispatch import eventually, started, status_of

SENDER = Actor(SENDER_ID)
RECEIPT_LATENCY_MAX = 0.3  # the gateway fixture's slowest receipt, in seconds


def default_csv(recipients: int) -> str:
    return "phone,name,coupon\n" + "".join(f"1380013{n:04d},N{n},C{n}\n" for n in range(recipients))


async def sent_task(runtime, catalog, clock, workspace, emulator, gateway, *, csv: str | None = None,
                    recipients: int = 60, name: str = "Big send"):
    """An approved task over the CSV's numbers, started by a tick and sent by the bot's own
    dispatcher until it completed, its last receipts in. Returns (task id, card ts, report)."""
    summary = import_file(runtime.uow(), (csv or default_csv(recipients)).encode(),
                          ImportSource(SENDER_ID, GENERAL_CHANNEL_ID, "file", "list.csv"),
                          limits=Limits(1 << 20, 10_000), normalizer=PhoneNormalizer("CN"))
    draft = TaskDraft(name=name, purpose=Purpose.NOTIFICATION, kind=TemplateKind.TEXT,
                      recipient_list_id=summary.list_id, signature_id=catalog["signature"],
                      template_id=catalog["Receipt"])
    task = create_task(runtime.uow(), draft, SENDER, origin_channel=GENERAL_CHANNEL_ID, now=clock(),
                       window=runtime.settings.sending_window,
                       composition=Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out"))
    card_ts, report = await sent_to_the_end(runtime, task, clock, workspace, emulator, gateway)
    return task.id, card_ts, report


async def sent_to_the_end(runtime, task, clock, workspace, emulator, gateway, *,
                          report_starts: str = "Send completed.") -> tuple[str, object]:
    """A created task, its card in the approvals channel, approved, started by a tick and sent
    by the bot's own dispatcher until it completed, its last receipts in: (card ts, report)."""
    card = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, "Send task card")
    record_task_thread(runtime.uow(), task.id, APPROVALS_CHANNEL_ID, card.ts)
    decide_task(runtime.uow(), task.id, task.version, Actor(APPROVER_ID, is_approver=True), Approval(approve=True),
                allow_self_approval=False, now=clock(), rules=runtime.settings.start_rules)
    _client, ticker = await started(runtime, emulator, gateway, task.id)
    await eventually(lambda: status_of(runtime, task.id)[0] == "completed")
    report = await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                                       if m.text.startswith(report_starts)])
    await asyncio.sleep(RECEIPT_LATENCY_MAX * 2)  # the last receipts
    await ticker.providers.aclose()
    return card.ts, report[0]


def recipients_of(runtime, task_id: int, statuses: tuple[str, ...] | None = None) -> list:
    """The task's recipients in order (rows with .phone, .variables, .status...)."""
    with Session(runtime.engine) as session:
        rows = session.exec(select(TaskRecipient).where(TaskRecipient.task_id == task_id)
                            .order_by(TaskRecipient.id)).all()
        return [r for r in rows if statuses is None or r.status in statuses]


def list_recipients(runtime, list_id: int) -> list:
    with Session(runtime.engine) as session:
        return session.exec(select(Recipient).where(Recipient.list_id == list_id).order_by(Recipient.id)).all()


def audit(runtime, action: str) -> list:
    with runtime.uow() as uow:
        return [e for e in reversed(uow.audit.latest(500)) if e.action == action]


def uploads_to(workspace, channel_id: str) -> list:
    """files.completeUploadExternal calls that shared into that channel."""
    return [c for c in workspace.calls("files.completeUploadExternal") if c.args.get("channel_id") == channel_id]


def read_with_openpyxl(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell for cell in row] for row in sheet.iter_rows()]


def values_with_calamine(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def report_ts(report) -> tuple[str, str]:
    return APPROVALS_CHANNEL_ID, report.ts
