"""Use cases for recipient lists: import a file or pasted numbers, stored whole or not at all."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from domain.applications import Routing
from domain.i18n import N_, n_, speaking
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits, RecipientFileError, Table, read_recipient_table
from domain.spreadsheets import invalid_rows_xlsx
from domain.recipient_import import (
    ImportOutcome,
    InvalidRow,
    Progress,
    build_recipients,
    check_not_empty,
    pasted_table,
)
from domain.use_cases.applications import read_routing
from storage.errors import AlreadyExists
from storage.tables import AuditEntry, RecipientList
from storage.uow import SqlUnitOfWork as UnitOfWork


@dataclass(frozen=True)
class ImportSource:
    """Who imported what, and where the answer goes."""

    user_id: str
    channel_id: str
    kind: str  # "file" or "paste"
    name: str = ""
    thread_ts: str | None = None
    slack_file_id: str | None = None
    # The uploader's language, for their invalid-rows report, where the import runs in another
    # (a result posted in a thread is in the workspace's); None: the current language.
    language: str | None = None


# The name pasted numbers are stored under; translated where shown.
PASTED_NUMBERS = N_("pasted numbers")


@dataclass(frozen=True)
class ImportSummary:
    list_id: int
    data_rows: int
    imported_count: int
    invalid_count: int
    duplicate_count: int
    variables: list[str]
    invalid_rows: list[InvalidRow]
    already_imported: bool = False
    invalid_report: bytes | None = None  # the XLSX of the invalid rows, written before the list was stored


@dataclass(frozen=True)
class PreparedImport:
    """Recipients read and normalised, not yet stored: a send stores them in its own
    transaction, so a refused send leaves no list behind."""

    outcome: ImportOutcome
    source: ImportSource
    invalid_report: bytes | None = None


def prepare_file(data: bytes, source: ImportSource, *, limits: Limits, normalizer: PhoneNormalizer, routes: Routing,
                 progress: Progress | None = None) -> PreparedImport:
    """`routes`: where numbers are sent now (a number no application takes is invalid)."""
    table = read_recipient_table(data, source.name, limits)
    return _prepared(table, source, normalizer, routes, progress)


def prepare_pasted(text: str, source: ImportSource, *, normalizer: PhoneNormalizer, routes: Routing) -> PreparedImport:
    return _prepared(pasted_table(text), source, normalizer, routes, None)


def _prepared(table: Table, source: ImportSource, normalizer: PhoneNormalizer, routes: Routing,
              progress: Progress | None) -> PreparedImport:
    outcome = build_recipients(table, normalizer, progress, routes)
    check_not_empty(outcome)
    return PreparedImport(outcome, source, _invalid_report(outcome, source.language))


def _invalid_report(outcome: ImportOutcome, language: str | None) -> bytes | None:
    """Written before anything is stored: an import whose report cannot be written is refused
    whole, never stored with its uploader left without the rows it lost."""
    if not outcome.invalid:
        return None
    try:
        with speaking(language) if language else nullcontext():
            return invalid_rows_xlsx(outcome.invalid)
    except Exception as error:
        raise RecipientFileError(n_(
            "The report of the {count} invalid row could not be written ({error}), so nothing was imported.",
            "The report of the {count} invalid rows could not be written ({error}), so nothing was imported.",
            len(outcome.invalid), error=type(error).__name__)) from None



def store_import(work: UnitOfWork, prepared: PreparedImport) -> RecipientList:
    """The list and its audit row, inside the caller's transaction (not committed here)."""
    outcome, source = prepared.outcome, prepared.source
    recipient_list = RecipientList(
        created_by=source.user_id, channel_id=source.channel_id, thread_ts=source.thread_ts,
        source=source.kind, source_name=source.name[:255], slack_file_id=source.slack_file_id,
        data_rows=outcome.data_rows, imported_count=outcome.imported_count,
        invalid_count=outcome.invalid_count, duplicate_count=outcome.duplicate_count,
        variables=outcome.variables,
    )
    work.recipient_lists.add(recipient_list, outcome.recipients)
    work.audit.add(AuditEntry(
        actor=source.user_id, action="recipients.imported", target_type="recipient_list",
        target_id=str(recipient_list.id),
        detail={"source": source.kind, "name": source.name, "imported": outcome.imported_count,
                "invalid": outcome.invalid_count, "duplicates": outcome.duplicate_count},
    ))
    return recipient_list


def import_file(
    uow: UnitOfWork,
    data: bytes,
    source: ImportSource,
    *,
    limits: Limits,
    normalizer: PhoneNormalizer,
    routes: Routing | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Parse and normalise outside any transaction, then store the list in one. `routes`: as
    the database says now, unless given."""
    if source.slack_file_id:
        earlier = earlier_import(uow, source)
        if earlier is not None:
            return earlier
    return _store(uow, prepare_file(data, source, limits=limits, normalizer=normalizer,
                                    routes=routes or read_routing(uow), progress=progress))


def import_pasted(uow: UnitOfWork, text: str, source: ImportSource, *, normalizer: PhoneNormalizer) -> ImportSummary:
    return _store(uow, prepare_pasted(text, source, normalizer=normalizer, routes=read_routing(uow)))


def _store(uow: UnitOfWork, prepared: PreparedImport) -> ImportSummary:
    try:
        with uow as work:
            recipient_list = store_import(work, prepared)
            work.commit()
    except AlreadyExists:
        # Slack delivered the same file twice (an event retry, or two events) at once.
        earlier = earlier_import(uow, prepared.source)
        if earlier is None:
            raise
        return earlier
    return summary_of(recipient_list, prepared.outcome, prepared.invalid_report)


def earlier_import(uow: UnitOfWork, source: ImportSource) -> ImportSummary | None:
    """The same person's import of the same Slack file in the same channel; a file shared again
    by someone else, or elsewhere, is imported afresh for them."""
    if not source.slack_file_id:
        return None
    with uow as work:
        earlier = work.recipient_lists.by_slack_file(source.slack_file_id, source.user_id, source.channel_id)
        if earlier is None:
            return None
        return ImportSummary(
            list_id=earlier.id, data_rows=earlier.data_rows, imported_count=earlier.imported_count,
            invalid_count=earlier.invalid_count, duplicate_count=earlier.duplicate_count,
            variables=list(earlier.variables), invalid_rows=[], already_imported=True,
        )


def summary_of(recipient_list: RecipientList, outcome: ImportOutcome,
               invalid_report: bytes | None = None) -> ImportSummary:
    return ImportSummary(
        list_id=recipient_list.id, data_rows=outcome.data_rows, imported_count=outcome.imported_count,
        invalid_count=outcome.invalid_count, duplicate_count=outcome.duplicate_count,
        variables=outcome.variables, invalid_rows=outcome.invalid,
        invalid_report=invalid_report,
    )
