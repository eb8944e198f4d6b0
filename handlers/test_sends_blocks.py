"""Block Kit for a test send: the modal that asks for numbers and values, and its answers."""

from __future__ import annotations

from typing import Any

from domain.tasks import MAX_TEST_NUMBERS
from domain.use_cases.test_sends import TestSendForm
from handlers.block_kit import escape, mention, plain
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import TaskRef

UNAPPROVED = "This content is not approved yet: the test shows what an approver is asked to approve."


def _value_input(name: str) -> dict[str, Any]:
    # Prefilled with the column's name, so a message sent as it stands shows where each value goes.
    return {"type": "input", "block_id": f"{BlockId.TEST_VALUE}{name}"[:255], "label": plain(f"${{{name}}}"[:2000]),
            "element": {"type": "plain_text_input", "action_id": ActionId.TEST_NUMBERS_INPUT,
                        "initial_value": name[:3000], "max_length": 500}}


def build_test_send_modal(form: TestSendForm, ref: TaskRef) -> dict[str, Any]:
    intro = (f"Send this task's message through the real provider to up to {MAX_TEST_NUMBERS} numbers of "
             "yours, with the values you type below (never a recipient's). Test messages are not counted "
             "in the task, and each one counts against your daily test limit.")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": plain(intro)}]
    if not form.approved:
        blocks.append({"type": "context", "elements": [plain(f":warning: {UNAPPROVED}")]})
    blocks.append({"type": "input", "block_id": BlockId.TEST_NUMBERS, "label": plain("Numbers"),
                   "element": {"type": "plain_text_input", "action_id": ActionId.TEST_NUMBERS_INPUT,
                               "multiline": True}})
    blocks += [_value_input(name) for name in form.variables[:40]]
    return {"type": "modal", "callback_id": CallbackId.TASK_TEST_SEND, "private_metadata": ref.dump(),
            "title": plain("Test send"), "submit": plain("Send test"), "close": plain("Cancel"), "blocks": blocks}


def typed_values(values: dict) -> dict[str, str]:
    """The variable values typed in the modal, by variable name."""
    return {block_id.removeprefix(BlockId.TEST_VALUE): (action.get("value") or "")
            for block_id, actions in values.items() if block_id.startswith(BlockId.TEST_VALUE)
            for action in actions.values()}


def build_test_send_result(results: list[tuple[str, str, str | None]], *, approved: bool, left_today: int) -> str:
    # The provider's words, which it may take from anywhere: escaped like any supplied text.
    lines = [f"{shown}: {escape(status)}" + (f" ({escape(reason)})" if reason else "")
             for shown, status, reason in results]
    note = "" if approved else " Its content is not approved yet."
    return f"Test send: {'; '.join(lines)}.{note} You can send {left_today} more test messages in the next 24 hours."


def build_test_send_note(user_id: str, shown_numbers: list[str], *, approved: bool) -> str:
    """The thread's record of a test: who, to which numbers (last four digits), of what content."""
    what = "this task's approved content" if approved else "this task's content, not approved yet,"
    count = len(shown_numbers)
    return (f"{mention(user_id)} sent a test of {what} to {count} number{'s' if count != 1 else ''} "
            f"({', '.join(shown_numbers)}).")
