"""Block Kit for a test send: the modal that asks for numbers and values, and its answers."""

from __future__ import annotations

from typing import Any

from domain.dispatch import reason_in_words
from domain.i18n import N_, _, n_
from domain.send_words import in_turn, listed
from domain.tasks import MAX_TEST_NUMBERS
from domain.use_cases.test_sends import TestSendForm
from handlers.block_kit import escape, mention, plain
from handlers.ids import ActionId, BlockId, CallbackId
from handlers.payloads import TaskRef

UNAPPROVED = N_("This content is not approved yet: the test shows what an approver is asked to approve.")
# The provider's answer to a number (its SubmitStatus: the English shows it as it is), without
# and with a reason.
ANSWERS = {
    "accepted": (N_("{number}: accepted"), N_("{number}: accepted ({reason})")),
    "rejected": (N_("{number}: rejected"), N_("{number}: rejected ({reason})")),
    "throttled": (N_("{number}: throttled"), N_("{number}: throttled ({reason})")),
    "transient": (N_("{number}: transient"), N_("{number}: transient ({reason})")),
    "unknown": (N_("{number}: unknown"), N_("{number}: unknown ({reason})")),
}


def _value_input(name: str) -> dict[str, Any]:
    # Prefilled with the column's name, so a message sent as it stands shows where each value goes.
    return {"type": "input", "block_id": f"{BlockId.TEST_VALUE}{name}"[:255], "label": plain(f"${{{name}}}"[:2000]),
            "element": {"type": "plain_text_input", "action_id": ActionId.TEST_NUMBERS_INPUT,
                        "initial_value": name[:3000], "max_length": 500}}


def build_test_send_modal(form: TestSendForm, ref: TaskRef) -> dict[str, Any]:
    intro = n_("Send this task's message through the real provider to up to {count} number of yours, with the values "
               "you type below (never a recipient's). Test messages are not counted in the task, and each one counts "
               "against your daily test limit.",
               "Send this task's message through the real provider to up to {count} numbers of yours, with the values "
               "you type below (never a recipient's). Test messages are not counted in the task, and each one counts "
               "against your daily test limit.", MAX_TEST_NUMBERS)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": plain(intro)}]
    if not form.approved:
        blocks.append({"type": "context", "elements": [plain(f":warning: {_(UNAPPROVED)}")]})
    blocks.append({"type": "input", "block_id": BlockId.TEST_NUMBERS, "label": plain(_("Numbers")),
                   "element": {"type": "plain_text_input", "action_id": ActionId.TEST_NUMBERS_INPUT,
                               "multiline": True}})
    blocks += [_value_input(name) for name in form.variables[:40]]
    return {"type": "modal", "callback_id": CallbackId.TASK_TEST_SEND, "private_metadata": ref.dump(),
            "title": plain(_("Test send")), "submit": plain(_("Send test")), "close": plain(_("Cancel")),
            "blocks": blocks}


def typed_values(values: dict) -> dict[str, str]:
    """The variable values typed in the modal, by variable name."""
    return {block_id.removeprefix(BlockId.TEST_VALUE): (action.get("value") or "")
            for block_id, actions in values.items() if block_id.startswith(BlockId.TEST_VALUE)
            for action in actions.values()}


def _answer(shown: str, status: str, reason: str | None) -> str:
    """One number's answer. The provider's words, which it may take from anywhere, are escaped
    like any supplied text; our own reasons are said in the reader's language."""
    plain_answer, with_reason = ANSWERS.get(status, (None, None))
    if reason:
        reason = escape(reason_in_words(reason))
        if with_reason is None:
            return _("{number}: {status} ({reason})", number=shown, status=escape(status), reason=reason)
        return _(with_reason, number=shown, reason=reason)
    if plain_answer is None:
        return _("{number}: {status}", number=shown, status=escape(status))
    return _(plain_answer, number=shown)


def build_test_send_result(results: list[tuple[str, str, str | None]], *, approved: bool, left_today: int) -> str:
    answers = in_turn([_answer(*result) for result in results])
    if approved:
        return n_("Test send: {answers}. You can send {count} more test message in the next 24 hours.",
                  "Test send: {answers}. You can send {count} more test messages in the next 24 hours.",
                  left_today, answers=answers)
    return n_("Test send: {answers}. Its content is not approved yet. You can send {count} more test message in the "
              "next 24 hours.",
              "Test send: {answers}. Its content is not approved yet. You can send {count} more test messages in the "
              "next 24 hours.", left_today, answers=answers)


def build_test_send_note(user_id: str, shown_numbers: list[str], *, approved: bool) -> str:
    """The thread's record of a test: who, to which numbers (last four digits), of what content."""
    numbers, count, person = listed(shown_numbers), len(shown_numbers), mention(user_id)
    if approved:
        return n_("{person} sent a test of this task's approved content to {count} number ({numbers}).",
                  "{person} sent a test of this task's approved content to {count} numbers ({numbers}).",
                  count, person=person, numbers=numbers)
    return n_("{person} sent a test of this task's content, not approved yet, to {count} number ({numbers}).",
              "{person} sent a test of this task's content, not approved yet, to {count} numbers ({numbers}).",
              count, person=person, numbers=numbers)
