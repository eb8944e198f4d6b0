"""What people type, and what their files hold, is shown in Slack as typed and never acts as
markup: a task, template, signature or audience named `<!here> *Weekly* <please>`, a rejection
reason with `<!channel>`, a file named after `<!here>` whose rows hold `<!everyone>`, all through
the whole flow (submit, approve and reject, status, list, Home). The bot never broadcasts, and
no one it did not mean is mentioned."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from tests.e2e.imports import final_reply
from tests.slack_calls import BROADCAST, mrkdwn_in, shown_to_people

HOSTILE = "<!here> *Weekly* <please>"
SHOWN = "&lt;!here&gt; *Weekly* &lt;please&gt;"
REASON = "<!channel> not now, <@U0MEMBER01> & team"
REASON_SHOWN = "&lt;!channel&gt; not now, &lt;@U0MEMBER01&gt; &amp; team"
BODY = "Hi ${name} <!channel> & <@U0MEMBER01>"
FILE = ("phone,name\n"
        "13800138000,<!everyone> Li\n"  # a value from the file, shown in the preview
        "12345,<!here>\n").encode()     # an invalid row: its value goes in the report file only


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID, "timezone": "Asia/Shanghai"}


async def eventually(check, timeout: float = 5.0):
    for _ in range(int(timeout / 0.02)):
        if result := check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def text_input(value: str) -> dict:
    return {"type": "plain_text_input", "value": value}


def select(value) -> dict:
    return {"type": "static_select", "selected_option": {"value": str(value)}}


def newest_in(workspace, channel: str, text: str, *, every: bool = False):
    """The newest message there with that text (all of them, oldest first, with `every`)."""
    found = [m for m in workspace.messages(channel) if text in m.text]
    return found if every else found[-1:]


async def requested(workspace, kind: str):
    """The newest approval request for content, once recorded (its requester has been told):
    a decision can follow."""
    def told():
        requests = workspace.messages(APPROVALS_CHANNEL_ID)
        waiting = [e for e in workspace.ephemerals(user_id=SENDER_ID) if "is waiting for approval" in e.text]
        return (requests and len(waiting) == len(requests)
                and requests[-1].text.startswith(f"Approval needed: {kind}") and requests[-1])
    return await eventually(told)


async def decide(workspace, driver, message, reason: str | None = None) -> None:
    """An approver approves, or rejects with the reason, the request or card in `message`."""
    if reason is None:
        approve = ActionId.TASK_APPROVE if "Send task" in message.text else ActionId.CONTENT_APPROVE
        await driver.block_actions(APPROVER_ID, approve, message=(APPROVALS_CHANNEL_ID, message.ts))
    else:
        reject = ActionId.TASK_REJECT if "Send task" in message.text else ActionId.CONTENT_REJECT
        await driver.block_actions(APPROVER_ID, reject, message=(APPROVALS_CHANNEL_ID, message.ts))
        modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
        await driver.view_submission(APPROVER_ID, modal.id, {BlockId.APPROVAL_REASON: {
            ActionId.APPROVAL_REASON_INPUT: text_input(reason)}})
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, message.ts))


async def add_template(workspace, driver, name: str, body: str):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template add")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, {
        BlockId.TEMPLATE_KIND: {ActionId.TEMPLATE_KIND_SELECT: select("text")},
        BlockId.TEMPLATE_PURPOSE: {ActionId.TEMPLATE_FIELD: select("notification")},
        BlockId.TEMPLATE_NAME: {ActionId.TEMPLATE_FIELD: text_input(name)},
        BlockId.TEMPLATE_BODY: {ActionId.TEMPLATE_FIELD: text_input(body)}})
    return await requested(workspace, "template")


async def approved_content(workspace, driver, uow) -> tuple[int, int]:
    """A signature and a template named by people, approved; one more template, rejected."""
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, f"signature add <!here> Our shop {REASON}")
    await decide(workspace, driver, await requested(workspace, "signature"))
    await decide(workspace, driver, await add_template(workspace, driver, HOSTILE, BODY))
    await decide(workspace, driver, await add_template(workspace, driver, "<!everyone> promo", "Buy"), REASON)
    with uow:
        return uow.signatures.all()[0].id, next(t.id for t in uow.templates.all() if t.name == HOSTILE)


async def imported_and_saved(workspace, driver, uow) -> tuple[int, object]:
    """A dropped file named by a person, then saved as an audience of that name."""
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, f"{HOSTILE}.csv", FILE)
    reply = await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    await driver.block_actions(SENDER_ID, ActionId.IMPORT_SAVE_AUDIENCE, message=(GENERAL_CHANNEL_ID, reply.ts))
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, {BlockId.AUDIENCE_NAME: {
        ActionId.AUDIENCE_NAME_INPUT: text_input(HOSTILE)}})
    await eventually(lambda: [e for e in workspace.ephemerals(user_id=SENDER_ID) if "Saved audience" in e.text])
    with uow:
        return uow.recipient_lists.latest()[0].id, reply


async def submitted_task(workspace, driver, name: str, list_id: int, content: tuple[int, int]):
    signature, template = content
    cards = len(newest_in(workspace, APPROVALS_CHANNEL_ID, "Send task", every=True))
    notes = len(newest_in(workspace, GENERAL_CHANNEL_ID, "submitted send task", every=True))
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "send")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, {
        BlockId.SEND_NAME: {ActionId.SEND_FIELD: text_input(name)},
        BlockId.SEND_RECIPIENTS: {ActionId.SEND_REFRESH: select(f"list:{list_id}")},
        BlockId.SEND_KIND: {ActionId.SEND_REFRESH: select("text")},
        BlockId.SEND_SIGNATURE: {ActionId.SEND_REFRESH: select(signature)},
        BlockId.SEND_TEMPLATE: {ActionId.SEND_REFRESH: select(template)}})
    assert workspace.submissions[-1].errors == {}
    # The requester is told once the card is posted and its thread recorded: a decision can follow.
    await eventually(lambda: newest_in(workspace, GENERAL_CHANNEL_ID, "submitted send task", every=True)[notes:], 10)
    return newest_in(workspace, APPROVALS_CHANNEL_ID, "Send task", every=True)[cards]


def assert_nothing_acts_as_markup(workspace) -> None:
    """No broadcast, no mention of the member (no one meant to name them), no `<please>` link."""
    for call in shown_to_people(workspace):
        for text in mrkdwn_in(call["args"]):
            assert not BROADCAST.search(text), (call["method"], text)
            assert "<@U0MEMBER01>" not in text and "<please>" not in text, (call["method"], text)


async def test_text_people_type_and_files_hold_shows_as_typed_and_never_notifies(workspace, driver, uow):
    content = await approved_content(workspace, driver, uow)
    list_id, import_reply = await imported_and_saved(workspace, driver, uow)
    rejected = await submitted_task(workspace, driver, HOSTILE, list_id, content)
    await decide(workspace, driver, rejected, REASON)
    approved = await submitted_task(workspace, driver, "<!channel> again", list_id, content)
    await decide(workspace, driver, approved)
    for command in ("list all", "audience list", "template list", "signature list", f"template show {HOSTILE}",
                    "template show <!here> gone", "template code <!here>", "status 1"):
        await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, command)
    await driver.app_home_opened(SENDER_ID)
    home = await eventually(lambda: workspace.views.home(SENDER_ID))
    await eventually(lambda: len(workspace.ephemerals(user_id=SENDER_ID)) >= 8)

    assert_nothing_acts_as_markup(workspace)
    assert import_reply.text.startswith(f"{SHOWN}.csv: 1 imported, 1 invalid removed")
    card = workspace.message(APPROVALS_CHANNEL_ID, rejected.ts)
    assert card.text == f"Send task “{SHOWN}”: rejected" and REASON_SHOWN in str(card.blocks)
    assert {"type": "plain_text", "text": f"Send task: {HOSTILE}"} in [b.get("text") for b in card.blocks]
    assert "【&lt;!here&gt;】Hi &lt;!everyone&gt; Li &lt;!channel&gt; &amp; &lt;@U0MEMBER01&gt;" in str(card.blocks)
    assert workspace.replies(APPROVALS_CHANNEL_ID, rejected.ts)[-1].text == \
        f"<@{APPROVER_ID}> rejected this task: {REASON_SHOWN}"
    answers = " ".join(e.text + str(e.blocks) for e in workspace.ephemerals(user_id=SENDER_ID))
    for shown in (f"Saved audience *{SHOWN}*", f"*{SHOWN}* — 1 recipient,", f"Template {SHOWN} (approved)",
                  "No template is named “&lt;!here&gt; gone”", "`/sms template code &lt;name&gt; &lt;code&gt;`",
                  "Signature *&lt;!here&gt;* is waiting for approval in <#C0APPROVE1>"):
        assert shown in answers, shown
    [signature] = newest_in(workspace, APPROVALS_CHANNEL_ID, "signature “&lt;!here&gt;” approved")
    assert f"*Signature* `【&lt;!here&gt;】` — Our shop {REASON_SHOWN}" in str(signature.blocks)
    [template] = newest_in(workspace, APPROVALS_CHANNEL_ID, "template “&lt;!everyone&gt; promo” rejected")
    assert workspace.replies(APPROVALS_CHANNEL_ID, template.ts)[-1].text == \
        f"<@{APPROVER_ID}> rejected template “&lt;!everyone&gt; promo”: {REASON_SHOWN}"
    assert SHOWN in str(home.blocks) and "&lt;!channel&gt; again" in str(home.blocks)
    assert MEMBER_ID not in {e.user for e in workspace.ephemerals()}
