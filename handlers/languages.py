"""Each person's language: the one they chose (`/sms language en|zh|auto`), else their Slack
locale's (`users.info` with `include_locale`), else the deployment's (`SMSBOT_LANGUAGE`).
Both are cached: a request never waits on Slack for someone already asked about."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import anyio
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.i18n import LANGUAGE_NAMES, N_, _, deployment_language, language_of_slack_locale, speaking
from domain.use_cases.preferences import choose_language, chosen_language
from handlers.ids import SLASH_COMMAND
from handlers.sms_command import Invocation, Subcommand

log = logging.getLogger(__name__)

LOCALE_SECONDS = 3600  # a Slack locale changes rarely: asked of Slack once an hour at most
CHOICE_SECONDS = 60  # a choice made in another process is heard within a minute
FAILED_SECONDS = 60  # a users.info that failed is not asked again at once


class ReaderLanguages:
    def __init__(self, uow: Callable, clock: Callable[[], float] = time.monotonic) -> None:
        self._uow, self._clock = uow, clock
        self._locales: dict[str, tuple[str | None, float]] = {}  # user -> (language, until)
        self._choices: dict[str, tuple[str | None, float]] = {}
        self._asking: dict[str, asyncio.Future] = {}

    async def of(self, client: AsyncWebClient, user_id: str) -> str | None:
        """The person's language, or None for the deployment's."""
        now = self._clock()
        choice = self._choices.get(user_id)
        if choice is None or choice[1] <= now:
            choice = (await anyio.to_thread.run_sync(chosen_language, self._uow(), user_id), now + CHOICE_SECONDS)
            self._choices[user_id] = choice
        if choice[0] is not None:
            return choice[0]
        return await self._slack_language(client, user_id)

    def chose(self, user_id: str, language: str | None) -> None:
        self._choices[user_id] = (language, self._clock() + CHOICE_SECONDS)

    async def _slack_language(self, client: AsyncWebClient, user_id: str) -> str | None:
        known = self._locales.get(user_id)
        if known is not None and known[1] > self._clock():
            return known[0]
        if user_id not in self._asking:  # one users.info for every request that waits on it
            self._asking[user_id] = asyncio.ensure_future(self._ask(client, user_id))
            self._asking[user_id].add_done_callback(lambda _done: self._asking.pop(user_id, None))
        return await asyncio.shield(self._asking[user_id])

    async def _ask(self, client: AsyncWebClient, user_id: str) -> str | None:
        try:
            user = (await client.users_info(user=user_id, include_locale=True))["user"]
        except SlackApiError as error:
            log.warning("the language of %s could not be read: %s", user_id, error.response.get("error"))
            self._locales[user_id] = (None, self._clock() + FAILED_SECONDS)
            return None
        language = language_of_slack_locale(user.get("locale"))
        self._locales[user_id] = (language, self._clock() + LOCALE_SECONDS)
        return language


async def language_command(invocation: Invocation) -> None:
    choice = invocation.parsed.rest.strip()
    if not choice:
        current = invocation.context.get("language") or deployment_language()
        await invocation.reply(_("smsbot speaks to you in {language}. Change it with `{command} language en|zh`, "
                                 "or `{command} language auto` for your Slack language.",
                                 language=LANGUAGE_NAMES[current], command=SLASH_COMMAND))
        return
    languages: ReaderLanguages = invocation.context["languages"]
    chosen = await anyio.to_thread.run_sync(choose_language, invocation.context["uow"](), invocation.actor, choice)
    languages.chose(invocation.actor.user_id, chosen)
    language = await languages.of(invocation.client, invocation.actor.user_id)
    with speaking(language):
        await invocation.reply(_("smsbot now speaks to you in {language}. Channel and thread messages stay in the "
                                 "workspace's language.", language=LANGUAGE_NAMES[language or deployment_language()]))


SUBCOMMANDS = (
    Subcommand("language", f"{SLASH_COMMAND} language en|zh|auto", N_("Choose the language smsbot speaks to you in"),
               language_command),
)
