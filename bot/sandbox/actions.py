"""What a person does on the page, done as Slack would: through the emulator's driver, so the
bot receives the same signed requests it gets from Slack."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.sandbox.emulator import defaults, payloads
from bot.sandbox.emulator.driver import SlackDriver
from bot.sandbox.emulator.limits import FILE_INPUT_MAX_BYTES
from bot.sandbox.emulator.model import JsonDict
from bot.sandbox.emulator.payloads import DriverError
from bot.sandbox.page_texts import SLACK_LOCALES
from domain.i18n import LANGUAGES, _

SLASH_COMMANDS = ("/sms",)


class PageError(Exception):
    """Something the person asked for that Slack's client would refuse; the message says why."""


@dataclass
class Outcome:
    """What the page is told: the app's HTTP status and, for a submission, what it answered."""

    status: int | None = None
    errors: dict[str, str] | None = None
    problems: list[str] | None = None

    def to_json(self) -> JsonDict:
        return {k: v for k, v in {"status": self.status, "errors": self.errors,
                                  "problems": self.problems}.items() if v is not None}


class PageActions:
    def __init__(self, driver: SlackDriver) -> None:
        self.driver = driver
        self.workspace = driver.workspace

    async def command(self, user_id: str, channel_id: str, line: str) -> Outcome:
        command, _space, text = line.strip().partition(" ")
        if command not in SLASH_COMMANDS:
            commands = ", ".join(SLASH_COMMANDS)
            raise PageError(_("{command} is not a valid command. This workspace has {commands}.",
                              command=command, commands=commands))
        response = await self.driver.slash_command(user_id, channel_id, text.strip(), command)
        return Outcome(response.status_code)

    async def message(self, user_id: str, channel_id: str, text: str, thread_ts: str | None) -> Outcome:
        if not text.strip():
            raise PageError(_("Write a message first."))
        response = await self.driver.message(user_id, channel_id, text, thread_ts=thread_ts or None)
        return Outcome(response.status_code)

    async def share_file(self, user_id: str, channel_id: str, filename: str, content: bytes, text: str) -> Outcome:
        shared = await self.driver.share_file(user_id, channel_id, filename, content, text=text)
        return Outcome(max(r.status_code for r in shared.responses))

    def upload_for_input(self, user_id: str, filename: str, content: bytes) -> JsonDict:
        """A file chosen in a modal's file_input: stored, shared nowhere, as Slack does."""
        if len(content) > FILE_INPUT_MAX_BYTES:
            megabytes = FILE_INPUT_MAX_BYTES // (1024 * 1024)
            raise PageError(_("Slack takes files up to {megabytes} MB in a form; drop a larger file into the "
                              "channel instead.", megabytes=megabytes))
        stored = self.workspace.files.add(user_id, filename, content)
        return self.workspace.files.payload(stored.id)

    async def action(self, user_id: str, request: JsonDict) -> Outcome:
        """A click, a choice or Enter in a message (`channel`, `ts`) or a modal (`view_id`,
        with the modal's inputs as typed so far in `values`, which Slack sends along)."""
        view_id = request.get("view_id")
        if view_id:
            self._keep_typed_values(user_id, view_id, request.get("values") or {})
        selected = request.get("selected_option")
        response = await self.driver.block_actions(
            user_id, request["action_id"], request.get("value"), block_id=request.get("block_id"),
            message=None if view_id else (request["channel"], request["ts"]), view_id=view_id or None,
            selected_option=selected,
        )
        return Outcome(response.status_code)

    async def submit(self, user_id: str, view_id: str, values: JsonDict) -> Outcome:
        response = await self.driver.view_submission(user_id, view_id, values)
        submission = self.workspace.submissions[-1] if self.workspace.submissions else None
        if submission is None or submission.view_id != view_id:
            return Outcome(response.status_code)
        return Outcome(response.status_code, submission.errors or None, submission.problems or None)

    async def close(self, user_id: str, view_id: str) -> Outcome:
        response = await self.driver.view_closed(user_id, view_id)
        return Outcome(response.status_code if response is not None else None)

    async def choose_language(self, user_id: str, language: str, channel_id: str) -> Outcome:
        """The person's Slack language (their locale, which users.info tells the bot), and so the
        page's. smsbot asks Slack for a locale once an hour at most, so the page then tells it
        as the person would, with `/sms language en|zh` in the channel they are in: smsbot
        speaks to them in it at once, and says so."""
        if language not in LANGUAGES:
            raise PageError(_("smsbot speaks {languages}.", languages=", ".join(LANGUAGES)))
        user = self.workspace.user(user_id)
        user.locale = SLACK_LOCALES[language]
        self.workspace.changed("users")
        response = await self.driver.slash_command(user_id, channel_id, f"language {language}", SLASH_COMMANDS[0])
        return Outcome(response.status_code)

    async def open_home(self, user_id: str) -> Outcome:
        response = await self.driver.app_home_opened(user_id)
        return Outcome(response.status_code)

    async def suggest(self, user_id: str, request: JsonDict) -> list[JsonDict]:
        """An external_select's options: Slack asks the app with a block_suggestion request."""
        payload = self._suggestion_payload(user_id, request)
        body = "payload=" + quote(json.dumps(payload))
        response = await self.driver.post_raw(body, self.driver.signed_headers(body))
        if response.status_code != 200 or not response.text.strip():
            return []
        answer: Any = response.json()
        if not isinstance(answer, dict):
            return []
        if answer.get("option_groups"):
            return [o for group in answer["option_groups"] for o in group.get("options", [])]
        return list(answer.get("options") or [])

    def _keep_typed_values(self, user_id: str, view_id: str, values: JsonDict) -> None:
        view = self.workspace.views.get(view_id)
        if view is None or view.closed or view.user_id != user_id:
            raise PageError(_("That modal is no longer open."))
        self.workspace.views.set_state(view_id, payloads.submitted_state(view.blocks, values))

    def _suggestion_payload(self, user_id: str, request: JsonDict) -> JsonDict:
        ws = self.workspace
        payload: JsonDict = {
            "type": "block_suggestion", "user": payloads.user_ref(ws, user_id), "team": payloads.team_ref(ws),
            "api_app_id": ws.bot.app_id, "token": defaults.VERIFICATION_TOKEN, "action_id": request["action_id"],
            "block_id": request.get("block_id") or "", "value": request.get("value") or "",
        }
        view_id = request.get("view_id")
        if view_id:
            view = ws.views.get(view_id)
            if view is None or view.closed:
                raise PageError(_("That modal is no longer open."))
            payload["container"] = {"type": "view", "view_id": view_id}
            payload["view"] = ws.views.payload(view)
        else:
            payload["container"] = {"type": "message", "channel_id": request["channel"],
                                    "message_ts": request["ts"], "is_ephemeral": False}
            payload["channel"] = {"id": request["channel"]}
        return payload


__all__ = ["DriverError", "Outcome", "PageActions", "PageError"]
