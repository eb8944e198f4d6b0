"""What Slack does with the app's answers outside the Web API.

Three ways an app answers without calling a method: a POST to a response_url, the
body of a slash command's ack, and the response_action of a view_submission ack.
Each is applied to the workspace the way Slack shows it to people.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.limits import check_message_blocks, check_view
from bot.sandbox.emulator.model import JsonDict, ResponseUrlPost, Submission
from domain.i18n import ENGLISH, _, language_of_slack_locale, speaking

if TYPE_CHECKING:
    from bot.sandbox.emulator.state import Workspace

# Slack waits this long for an ack; a later answer is lost and the user sees an error.
ACK_TIMEOUT_SECONDS = 3.0


def _checked_blocks(body: JsonDict) -> list[JsonDict] | None:
    blocks = body.get("blocks")
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        raise SlackFailure("invalid_blocks_format", status_code=400)
    problems = check_message_blocks(blocks)
    if problems:
        raise SlackFailure("invalid_blocks", problems, status_code=400)
    return blocks


def apply_response_url_post(workspace: Workspace, response_id: str, body: JsonDict) -> ResponseUrlPost:
    """A POST to /response/<id>: a new ephemeral or in-channel reply, or an edit of the original."""
    with workspace.lock:
        try:
            target = workspace.use_response_url(response_id)
            blocks = _checked_blocks(body)
            effect = _apply_reply(workspace, target.channel_id, target.user_id, target.message_ts, body, blocks)
        except SlackFailure as failure:
            workspace.response_url_posts.append(ResponseUrlPost(response_id, body, failure.error))
            raise
        post = ResponseUrlPost(response_id, body, effect)
        workspace.response_url_posts.append(post)
        return post


def _apply_reply(
    workspace: Workspace,
    channel_id: str,
    user_id: str,
    original_ts: str | None,
    body: JsonDict,
    blocks: list[JsonDict] | None,
) -> str:
    text = body.get("text") or ""
    if original_ts and body.get("delete_original"):
        workspace.delete_message(channel_id, original_ts)
        workspace.delete_ephemeral(original_ts)
        return "deleted"
    if original_ts and body.get("replace_original"):
        if workspace.message(channel_id, original_ts) is not None:
            workspace.update_message(channel_id, original_ts, text=text, blocks=blocks or [])
        else:
            workspace.replace_ephemeral(original_ts, text, blocks)
        return "replaced"
    if body.get("response_type") == "in_channel":
        workspace.post_message(channel_id, workspace.bot.user_id, text, blocks, thread_ts=body.get("thread_ts"))
        return "in_channel"
    workspace.post_ephemeral(
        channel_id, user_id, text, blocks, thread_ts=body.get("thread_ts"), source="response_url"
    )
    return "ephemeral"


def command_failed_text(workspace: Workspace, user_id: str, command: str, error: str) -> str:
    """What Slack shows the user when a command's request fails, in their Slack language."""
    user = workspace.user(user_id)
    with speaking(language_of_slack_locale(user.locale if user else None) or ENGLISH):
        return _('{command} failed with the error "{error}"', command=command, error=error)


def apply_command_ack(
    workspace: Workspace,
    channel_id: str,
    user_id: str,
    command: str,
    status_code: int,
    body_text: str,
    elapsed_seconds: float,
) -> str:
    """Show a slash command's ack the way Slack does; returns the effect."""
    error = None
    if elapsed_seconds > ACK_TIMEOUT_SECONDS:
        error = "operation_timeout"
    elif status_code != 200:
        error = "dispatch_failed"
    if error:
        workspace.post_ephemeral(channel_id, user_id, command_failed_text(workspace, user_id, command, error),
                                 source="command_error")
        return error
    if not body_text.strip():
        return "empty"
    try:
        body = json.loads(body_text)
    except json.JSONDecodeError:
        body = {"text": body_text}  # a plain-text ack shows as that text
    if not isinstance(body, dict):
        body = {"text": body_text}
    try:
        blocks = _checked_blocks(body)
    except SlackFailure as failure:
        workspace.post_ephemeral(channel_id, user_id, command_failed_text(workspace, user_id, command, failure.error),
                                 source="command_error")
        return failure.error
    text = body.get("text") or ""
    if body.get("response_type") == "in_channel":
        workspace.post_message(channel_id, workspace.bot.user_id, text, blocks)
        return "in_channel"
    workspace.post_ephemeral(channel_id, user_id, text, blocks, source="command_ack")
    return "ephemeral"


def apply_submission_answer(
    workspace: Workspace, view_id: str, status_code: int, body_text: str, elapsed_seconds: float
) -> Submission:
    """Apply a view_submission ack: close, show errors, update, push or clear."""
    with workspace.lock:
        submission = _submission(workspace, view_id, status_code, body_text, elapsed_seconds)
        workspace.submissions.append(submission)
        return submission


def _submission(
    workspace: Workspace, view_id: str, status_code: int, body_text: str, elapsed_seconds: float
) -> Submission:
    views = workspace.views
    view = views.get(view_id)
    if view is None:
        return Submission(view_id, None, problems=["view not found"])
    if elapsed_seconds > ACK_TIMEOUT_SECONDS or status_code != 200:
        # The modal stays open with Slack's "We had some trouble connecting" banner.
        problem = "operation_timeout" if status_code == 200 else f"HTTP {status_code}"
        return Submission(view_id, None, problems=[problem])
    if not body_text.strip():
        views.close(view_id)
        return Submission(view_id, None)
    try:
        answer = json.loads(body_text)
    except json.JSONDecodeError:
        return Submission(view_id, None, problems=["the answer is not JSON"])
    action = answer.get("response_action") if isinstance(answer, dict) else None
    if action == "errors":
        return _show_errors(workspace, view_id, answer.get("errors"))
    if action == "clear":
        views.clear(view_id)
        return Submission(view_id, action)
    if action in ("update", "push"):
        problems = check_view(answer.get("view"), ("modal",))
        if problems:
            return Submission(view_id, action, problems=problems)
        try:
            if action == "update":
                views.replace(view, answer["view"])
            else:
                views.push(view.user_id, answer["view"], view.id)
        except SlackFailure as failure:
            return Submission(view_id, action, problems=[failure.error])
        return Submission(view_id, action)
    return Submission(view_id, action, problems=[f"unknown response_action: {action!r}"])


def _show_errors(workspace: Workspace, view_id: str, errors: object) -> Submission:
    view = workspace.views.get(view_id)
    if not isinstance(errors, dict) or not errors:
        return Submission(view_id, "errors", problems=["errors must be a non-empty object"])
    input_block_ids = {b.get("block_id") for b in view.blocks if isinstance(b, dict) and b.get("type") == "input"}
    unknown = sorted(set(errors) - input_block_ids)
    if unknown:
        # Slack refuses errors for blocks that are not input blocks of this view.
        return Submission(view_id, "errors", dict(errors), problems=[f"not an input block_id: {b}" for b in unknown])
    view.errors = {str(k): str(v) for k, v in errors.items()}
    workspace.changed("views")
    return Submission(view_id, "errors", dict(view.errors))
