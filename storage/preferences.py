"""What each person chose for themselves."""

from __future__ import annotations

from sqlmodel import Session

from storage.tables import UserPreference, utcnow


class PreferenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def language(self, user_id: str) -> str | None:
        row = self._session.get(UserPreference, user_id)
        return row.language if row else None

    def set_language(self, user_id: str, language: str | None) -> None:
        row = self._session.get(UserPreference, user_id)
        if row is None:
            self._session.add(UserPreference(user_id=user_id, language=language))
        else:
            row.language, row.updated_at = language, utcnow()
