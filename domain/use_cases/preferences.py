"""Use cases of what a person chooses for themselves."""

from __future__ import annotations

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import LANGUAGE_NAMES, LANGUAGES, _
from storage.uow import SqlUnitOfWork as UnitOfWork

AUTOMATIC = "auto"  # back to the language of their Slack locale


class PreferenceError(DomainError):
    pass


def choose_language(uow: UnitOfWork, actor: Actor, choice: str) -> str | None:
    """`choice`: one of LANGUAGES ("zh-CN" and the like are taken for "zh"), or "auto".
    Returns the language chosen (None: their Slack locale's from now on)."""
    choice = choice.strip().lower().replace("_", "-")
    language = None if choice == AUTOMATIC else choice.split("-")[0]
    if language is not None and language not in LANGUAGES:
        raise PreferenceError(_("smsbot speaks {languages}: choose one of {choices}, or auto for your Slack "
                                "language.", languages=" / ".join(LANGUAGE_NAMES.values()),
                                choices=", ".join(LANGUAGES)))
    with uow:
        uow.preferences.set_language(actor.user_id, language)
        uow.commit()
    return language


def chosen_language(uow: UnitOfWork, user_id: str) -> str | None:
    with uow:
        return uow.preferences.language(user_id)
