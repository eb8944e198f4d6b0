"""Recipient lists, their recipients (bulk-inserted with SQLAlchemy Core) and audiences."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import orjson
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.errors import AlreadyExists
from storage.tables import Audience, Recipient, RecipientList

INSERT_BATCH = 20_000
RecipientRow = tuple[int, str, str]  # row number, E.164 phone, variable values as a JSON array


def _bulk_insert_sql(dialect: str, paramstyle: str, list_id: int) -> str:
    # The list id is our own integer, written into the statement so that the rows can be
    # passed to the driver as they are, without repacking a million tuples.
    marker = "?" if paramstyle == "qmark" else "%s"
    variables = f"CAST({marker} AS JSON)" if dialect == "postgresql" else marker
    return (f"INSERT INTO recipient (list_id, row_number, phone, variables) "
            f"VALUES ({int(list_id)}, {marker}, {marker}, {variables})")


class RecipientListRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, recipient_list: RecipientList, recipients: Iterable[RecipientRow]) -> RecipientList:
        """The list and every recipient, in the caller's transaction: all or nothing.
        Recipients go in through the driver's executemany, their variables already JSON
        text: the ORM, or even Core's per-row parameter processing, took most of an
        import's time (see the import benchmark in the README)."""
        self._session.add(recipient_list)
        try:
            self._session.flush()
        except IntegrityError:
            raise AlreadyExists(f"recipient list for file {recipient_list.slack_file_id}") from None
        connection = self._session.connection()
        statement = _bulk_insert_sql(connection.dialect.name, connection.dialect.paramstyle, recipient_list.id)
        rows = iter(recipients)
        while batch := list(islice(rows, INSERT_BATCH)):
            connection.exec_driver_sql(statement, batch)
        return recipient_list

    def get(self, list_id: int) -> RecipientList | None:
        return self._session.get(RecipientList, list_id)

    def by_slack_file(self, file_id: str, user_id: str, channel_id: str) -> RecipientList | None:
        """This person's import of this Slack file in this channel."""
        return self._session.exec(select(RecipientList).where(
            RecipientList.slack_file_id == file_id, RecipientList.created_by == user_id,
            RecipientList.channel_id == channel_id)).first()

    def latest(self, limit: int = 20) -> list[RecipientList]:
        return list(self._session.exec(select(RecipientList).order_by(col(RecipientList.id).desc()).limit(limit)))

    def recent_for(self, user_id: str, channel_id: str, limit: int) -> list[RecipientList]:
        query = (
            select(RecipientList)
            .where(RecipientList.created_by == user_id, RecipientList.channel_id == channel_id)
            .order_by(col(RecipientList.id).desc())
            .limit(limit)
        )
        return list(self._session.exec(query))

    def latest_for(self, user_id: str, channel_id: str) -> RecipientList | None:
        recent = self.recent_for(user_id, channel_id, 1)
        return recent[0] if recent else None

    def recipients(self, list_id: int, *, limit: int | None = None) -> list[Recipient]:
        query = select(Recipient).where(Recipient.list_id == list_id).order_by(col(Recipient.id)).limit(limit)
        return list(self._session.exec(query))

    def iter_recipients(self, list_id: int, batch: int = 10_000) -> Iterator[Recipient]:
        query = select(Recipient).where(Recipient.list_id == list_id).order_by(col(Recipient.id))
        yield from self._session.exec(query.execution_options(yield_per=batch))

    def iter_variables(self, list_id: int, batch: int = 20_000) -> Iterator[tuple[int, list[str], str]]:
        """(row number, variable values, phone) of every recipient in order, straight from the driver
        and streamed: every message of a send is measured when it is submitted, and ORM rows
        would cost seconds a million."""
        connection = self._session.connection()
        rows = connection.exec_driver_sql(
            f"SELECT row_number, variables, phone FROM recipient WHERE list_id = {int(list_id)} ORDER BY id",
            execution_options={"stream_results": True, "max_row_buffer": batch})
        for row_number, variables, phone in rows:
            yield row_number, orjson.loads(variables) if isinstance(variables, (str, bytes)) else variables, phone

    def count_recipients(self, list_id: int) -> int:
        return self._session.exec(select(func.count()).where(Recipient.list_id == list_id)).one()

    def count_with_prefix(self, list_id: int, prefix: str) -> int:
        """Recipients whose number starts so (+86: the mainland's)."""
        return self._session.exec(select(func.count()).where(
            Recipient.list_id == list_id, col(Recipient.phone).startswith(prefix, autoescape=True))).one()


class AudienceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, audience: Audience) -> Audience:
        self._session.add(audience)
        try:
            self._session.flush()
        except IntegrityError:
            raise AlreadyExists(f"audience {audience.name}") from None
        return audience

    def by_name(self, name_key: str) -> Audience | None:
        return self._session.exec(select(Audience).where(Audience.name_key == name_key)).first()

    def all_with_lists(self) -> list[tuple[Audience, RecipientList]]:
        query = (
            select(Audience, RecipientList)
            .join(RecipientList, col(RecipientList.id) == col(Audience.list_id))
            .order_by(col(Audience.name_key))
        )
        return list(self._session.exec(query))

    def delete(self, audience: Audience) -> None:
        self._session.delete(audience)
