"""Modals and Home tabs: the views Slack keeps per user, with modal stacks and hashes."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.sandbox.emulator import defaults
from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.model import JsonDict

if TYPE_CHECKING:
    from bot.sandbox.emulator.state import Workspace


@dataclass
class View:
    id: str
    type: str  # "modal" or "home"
    user_id: str
    definition: JsonDict  # the view object as the app sent it
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str | None = None
    # Slack's state.values: {block_id: {action_id: {"type": ..., "value"/...}}}
    state_values: JsonDict = field(default_factory=dict)
    # Field errors shown after a response_action "errors" answer.
    errors: dict[str, str] = field(default_factory=dict)
    closed: bool = False

    @property
    def callback_id(self) -> str:
        return self.definition.get("callback_id") or ""

    @property
    def private_metadata(self) -> str:
        return self.definition.get("private_metadata") or ""

    @property
    def blocks(self) -> list[JsonDict]:
        return list(self.definition.get("blocks") or [])

    @property
    def notify_on_close(self) -> bool:
        return bool(self.definition.get("notify_on_close"))

    @property
    def clear_on_close(self) -> bool:
        return bool(self.definition.get("clear_on_close"))

    def to_api(self, team_id: str, app_id: str, bot_id: str) -> JsonDict:
        body: JsonDict = {
            "id": self.id,
            "team_id": team_id,
            "type": self.type,
            "blocks": copy.deepcopy(self.blocks),
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "state": {"values": copy.deepcopy(self.state_values)},
            "hash": self.hash,
            "title": self.definition.get("title"),
            "clear_on_close": self.clear_on_close,
            "notify_on_close": self.notify_on_close,
            "close": self.definition.get("close"),
            "submit": self.definition.get("submit"),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id,
            "app_id": app_id,
            "external_id": self.external_id or "",
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        }
        if self.definition.get("submit_disabled") is not None:
            body["submit_disabled"] = bool(self.definition["submit_disabled"])
        return body


def _input_action_ids(blocks: list[JsonDict]) -> set[tuple[str, str]]:
    pairs = set()
    for block in blocks:
        element = block.get("element") if isinstance(block, dict) else None
        if isinstance(element, dict) and block.get("block_id") and element.get("action_id"):
            pairs.add((block["block_id"], element["action_id"]))
    return pairs


class ViewStore:
    """Every view by id; one modal stack per open modal; one Home tab per user."""

    def __init__(self, workspace: Workspace):
        self._workspace = workspace
        self._lock = workspace.lock
        self._views: dict[str, View] = {}
        self._stacks: dict[str, list[str]] = {}  # root view id -> view ids, bottom first
        self._open_modal: dict[str, str] = {}  # user id -> root view id of the visible modal
        self._homes: dict[str, str] = {}  # user id -> home view id

    def payload(self, view: View) -> JsonDict:
        bot = self._workspace.bot
        return view.to_api(self._workspace.team.id, bot.app_id, bot.bot_id)

    def get(self, view_id: str) -> View | None:
        with self._lock:
            return self._views.get(view_id)

    def all(self) -> list[View]:
        """Every view opened, pushed or published, as it was last shown (open or closed)."""
        with self._lock:
            return list(self._views.values())

    def find_open(self, *, view_id: str | None = None, external_id: str | None = None) -> View:
        with self._lock:
            if view_id is not None:
                view = self._views.get(view_id)
            else:
                view = next((v for v in self._views.values() if v.external_id == external_id), None)
            if view is None or view.closed:
                raise SlackFailure("not_found")
            return view

    def stack(self, view_id: str) -> list[View]:
        """The open modal stack the view belongs to, bottom first (empty once closed)."""
        with self._lock:
            view = self._views.get(view_id)
            if view is None:
                return []
            return [self._views[v] for v in self._stacks.get(view.root_view_id, [])]

    def top_modal(self, user_id: str) -> View | None:
        """The modal the user is looking at, if any."""
        with self._lock:
            root = self._open_modal.get(user_id)
            if root is None:
                return None
            return self._views[self._stacks[root][-1]]

    def home(self, user_id: str) -> View | None:
        with self._lock:
            view_id = self._homes.get(user_id)
            return self._views.get(view_id) if view_id else None

    # ------------------------------------------------------------------ changes

    def _new_view(self, user_id: str, definition: JsonDict, root: str | None, previous: str | None) -> View:
        external_id = definition.get("external_id") or None
        if external_id and any(v.external_id == external_id and not v.closed for v in self._views.values()):
            raise SlackFailure("duplicate_external_id")
        view_id = self._workspace.new_id("V")
        view = View(
            id=view_id,
            type=definition["type"],
            user_id=user_id,
            definition=copy.deepcopy(definition),
            hash=self._new_hash(),
            root_view_id=root or view_id,
            previous_view_id=previous,
            external_id=external_id,
        )
        self._views[view_id] = view
        return view

    def _new_hash(self) -> str:
        return f"{int(self._workspace.wall_clock())}.{secrets.token_hex(4)}"

    def open_modal(self, user_id: str, definition: JsonDict) -> View:
        """A new modal replaces whatever modal the user had open."""
        with self._lock:
            current = self.top_modal(user_id)
            if current is not None:
                self.clear(current.id)
            view = self._new_view(user_id, definition, None, None)
            self._stacks[view.id] = [view.id]
            self._open_modal[user_id] = view.id
            self._workspace.changed("views")
            return view

    def push(self, user_id: str, definition: JsonDict, from_view_id: str | None) -> View:
        with self._lock:
            below = self.get(from_view_id) if from_view_id else self.top_modal(user_id)
            if below is None or below.closed or below.type != "modal":
                raise SlackFailure("not_found")
            stack = self._stacks[below.root_view_id]
            if len(stack) >= defaults.MAX_VIEW_STACK:
                raise SlackFailure("push_limit_reached")
            view = self._new_view(user_id, definition, below.root_view_id, stack[-1])
            stack.append(view.id)
            self._workspace.changed("views")
            return view

    def replace(self, view: View, definition: JsonDict) -> View:
        """views.update / response_action update: same id, new content, new hash."""
        with self._lock:
            kept_inputs = _input_action_ids(list(definition.get("blocks") or []))
            # Slack keeps what the user typed into inputs whose block and action ids survive.
            view.state_values = {
                block_id: {a: v for a, v in actions.items() if (block_id, a) in kept_inputs}
                for block_id, actions in view.state_values.items()
            }
            view.state_values = {b: a for b, a in view.state_values.items() if a}
            view.definition = copy.deepcopy(definition)
            view.external_id = definition.get("external_id") or view.external_id
            view.hash = self._new_hash()
            view.errors = {}
            self._workspace.changed("views")
            return view

    def publish(self, user_id: str, definition: JsonDict) -> View:
        with self._lock:
            home = self.home(user_id)
            if home is not None:
                return self.replace(home, definition)
            view = self._new_view(user_id, definition, None, None)
            self._homes[user_id] = view.id
            self._workspace.changed("views")
            return view

    def set_state(self, view_id: str, values: JsonDict) -> None:
        with self._lock:
            self._views[view_id].state_values = copy.deepcopy(values)

    def close(self, view_id: str) -> list[View]:
        """Close a view and any view pushed above it; the one below shows again."""
        with self._lock:
            view = self._views[view_id]
            stack = self._stacks.get(view.root_view_id, [view.id])
            position = stack.index(view.id) if view.id in stack else 0
            closed_ids, self._stacks[view.root_view_id] = stack[position:], stack[:position]
            for closed_id in closed_ids:
                self._views[closed_id].closed = True
            if not self._stacks[view.root_view_id]:
                del self._stacks[view.root_view_id]
                if self._open_modal.get(view.user_id) == view.root_view_id:
                    del self._open_modal[view.user_id]
            self._workspace.changed("views")
            return [self._views[v] for v in closed_ids]

    def clear(self, view_id: str) -> list[View]:
        """Close the whole modal the view belongs to."""
        with self._lock:
            return self.close(self._views[view_id].root_view_id)
