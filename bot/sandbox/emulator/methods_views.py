"""views.* methods: modals opened with trigger ids, pushed, updated; Home tabs published."""

from __future__ import annotations

from bot.sandbox.emulator.errors import SlackFailure, missing_field, present, require
from bot.sandbox.emulator.limits import check_view
from bot.sandbox.emulator.methods_common import ApiCall, MethodHandler
from bot.sandbox.emulator.model import JsonDict


def _checked_view(call: ApiCall, allowed_types: tuple[str, ...]) -> JsonDict:
    require(call.args, "view")
    view = call.args["view"]
    problems = check_view(view, allowed_types)
    if problems:
        raise SlackFailure("invalid_arguments", problems)
    return view


def _trigger(call: ApiCall):
    """Exchange the call's trigger id (or interactivity pointer, the same thing to Slack)."""
    given = [name for name in ("trigger_id", "interactivity_pointer") if present(call.args.get(name))]
    if not given:
        raise missing_field("trigger_id")
    if len(given) > 1:
        raise SlackFailure("invalid_arguments", ["[ERROR] provide only one of trigger_id, interactivity_pointer"])
    return call.workspace.exchange_trigger(call.args[given[0]])


def _check_hash(call: ApiCall, current_hash: str) -> None:
    given = call.get("hash")
    if given is not None and given != current_hash:
        raise SlackFailure("hash_conflict")


def open_view(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        view = _checked_view(call, ("modal",))
        trigger = _trigger(call)
        opened = ws.views.open_modal(trigger.user_id, view)
        return {"view": ws.views.payload(opened)}


def push_view(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        view = _checked_view(call, ("modal",))
        trigger = _trigger(call)
        pushed = ws.views.push(trigger.user_id, view, trigger.view_id)
        return {"view": ws.views.payload(pushed)}


def update_view(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        view_id, external_id = call.get("view_id"), call.get("external_id")
        if (view_id is None) == (external_id is None):
            raise SlackFailure(
                "invalid_arguments", ["[ERROR] provide exactly one of view_id, external_id"]
            )
        require(call.args, "view")
        current = ws.views.find_open(view_id=view_id, external_id=external_id)
        view = _checked_view(call, (current.type,))
        _check_hash(call, current.hash)
        updated = ws.views.replace(current, view)
        return {"view": ws.views.payload(updated)}


def publish_view(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        require(call.args, "user_id", "view")
        user_id = call.get("user_id")
        view = _checked_view(call, ("home",))
        if ws.user(user_id) is None:
            raise SlackFailure("user_not_found")
        home = ws.views.home(user_id)
        if home is not None:
            _check_hash(call, home.hash)
        published = ws.views.publish(user_id, view)
        return {"view": ws.views.payload(published)}


METHODS: dict[str, MethodHandler] = {
    "views.open": open_view,
    "views.push": push_view,
    "views.update": update_view,
    "views.publish": publish_view,
}
