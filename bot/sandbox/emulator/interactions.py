"""What a workspace keeps of people's interactions with the app: ephemeral messages, trigger
ids (good for 3 s, exchanged once) and response URLs (five posts in 30 minutes). A part of
`Workspace`, which holds the lock, the clock and the ids they use."""

from __future__ import annotations

import secrets

from bot.sandbox.emulator import defaults
from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.model import EphemeralMessage, JsonDict, ResponseUrl, Trigger


class InteractionState:
    # ------------------------------------------------------------------ ephemeral messages

    def post_ephemeral(
        self,
        channel_id: str,
        user_id: str,
        text: str = "",
        blocks: list[JsonDict] | None = None,
        *,
        thread_ts: str | None = None,
        source: str = "chat.postEphemeral",
    ) -> EphemeralMessage:
        with self.lock:
            ephemeral = EphemeralMessage(
                channel_id, user_id, self.next_ts(), text or "", list(blocks or []), thread_ts, source,
                person_in_thread=self._person_in_thread.get((user_id, channel_id)),
            )
            self._ephemerals.append(ephemeral)
            self.changed("ephemerals")
            return ephemeral

    def ephemerals(self, *, user_id: str | None = None, channel_id: str | None = None) -> list[EphemeralMessage]:
        with self.lock:
            return [
                e
                for e in self._ephemerals
                if (user_id is None or e.user == user_id) and (channel_id is None or e.channel == channel_id)
            ]

    def ephemeral(self, ts: str) -> EphemeralMessage | None:
        with self.lock:
            return next((e for e in self._ephemerals if e.ts == ts), None)

    def replace_ephemeral(self, ts: str, text: str, blocks: list[JsonDict] | None) -> None:
        with self.lock:
            ephemeral = self.ephemeral(ts)
            if ephemeral is not None:
                ephemeral.text, ephemeral.blocks = text, list(blocks or [])
                self.changed("ephemerals")

    def delete_ephemeral(self, ts: str) -> None:
        with self.lock:
            self._ephemerals = [e for e in self._ephemerals if e.ts != ts]
            self.changed("ephemerals")

    # ------------------------------------------------------------------ where people are

    def note_where(self, user_id: str, channel_id: str, thread_ts: str | None) -> None:
        """Where a person acted last in a conversation: in a thread (a press on a message in it,
        a reply), or None, the channel itself (a slash command, a message). Each ephemeral
        message keeps it, so a test can tell an answer that went to the channel pane while its
        person looked at a thread."""
        with self.lock:
            self._person_in_thread[(user_id, channel_id)] = thread_ts

    # ------------------------------------------------------------------ trigger ids

    def issue_trigger(self, user_id: str, view_id: str | None = None) -> str:
        """A trigger id as an interaction hands one to the app: valid 3 s, usable once."""
        with self.lock:
            number = next(self._sequence)
            trigger_id = f"{number}.{self.team.id[1:]}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = Trigger(trigger_id, user_id, self.clock(), view_id)
            return trigger_id

    def exchange_trigger(self, trigger_id: str) -> Trigger:
        with self.lock:
            trigger = self._triggers.get(trigger_id)
            if trigger is None:
                raise SlackFailure("invalid_trigger_id")
            if trigger.exchanged:
                raise SlackFailure("exchanged_trigger_id")
            if self.clock() - trigger.issued_at > defaults.TRIGGER_LIFETIME_SECONDS:
                raise SlackFailure("expired_trigger_id")
            trigger.exchanged = True
            return trigger

    # ------------------------------------------------------------------ response urls

    def issue_response_url(self, channel_id: str, user_id: str, message_ts: str | None = None) -> str:
        with self.lock:
            response_id = secrets.token_hex(12)
            self._response_urls[response_id] = ResponseUrl(
                response_id, channel_id, user_id, self.clock(), message_ts
            )
            return self.emulator_url(f"/response/{response_id}")

    def use_response_url(self, response_id: str) -> ResponseUrl:
        with self.lock:
            response_url = self._response_urls.get(response_id)
            if response_url is None:
                raise SlackFailure("no_service", status_code=404)
            expired = self.clock() - response_url.issued_at > defaults.RESPONSE_URL_LIFETIME_SECONDS
            if expired or response_url.uses >= defaults.RESPONSE_URL_MAX_USES:
                raise SlackFailure("expired_url", status_code=404)
            response_url.uses += 1
            return response_url
