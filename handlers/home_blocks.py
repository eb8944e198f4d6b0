"""Block Kit for the App Home tab."""

from __future__ import annotations

from typing import Any

from handlers.ids import SLASH_COMMAND, BlockId


def build_home_view(*, is_approver: bool) -> dict[str, Any]:
    role = (
        "You are an *approver*: send requests and new content wait for you in the approvals channel."
        if is_approver
        else "You can launch sends; an approver reviews each one before it goes out."
    )
    steps = "\n".join(
        [
            "1. Drop an XLSX or CSV with a `phone` column (and one column per template variable) into a channel.",
            f"2. Run `{SLASH_COMMAND} send` and pick an approved signature and template.",
            "3. An approver approves it in the thread; progress is posted there as it sends.",
            f"Run `{SLASH_COMMAND} help` for every command.",
        ]
    )
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "smsbot: bulk SMS from Slack"}},
            {"type": "section", "block_id": BlockId.HOME_INTRO, "text": {"type": "mrkdwn", "text":
                "Send SMS to thousands of numbers from a spreadsheet, with every send reviewed by an "
                "approver and followed live in its thread. Numbers are shown by their last four digits only."}},
            {"type": "divider"},
            {"type": "section", "block_id": BlockId.HOME_STEPS, "text": {"type": "mrkdwn", "text": "*How to start*\n" + steps}},
            {"type": "context", "block_id": BlockId.HOME_ROLE, "elements": [{"type": "mrkdwn", "text": role}]},
        ],
    }
