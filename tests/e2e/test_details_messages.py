"""What each recipient was sent, in the Details modal, end to end after a real send through the
simulator gateway: its requester and the approvers read the SMS ID, the characters, the segments
and the text, composed as the dispatcher composed it; a member of the channel reads the last four
digits and the status only; Refresh reads the page shown again. Every call is checked for whole
numbers, markup and Slack's limits when each test ends (tests/slack_calls.py)."""

from __future__ import annotations

import json
import re

from sqlalchemy import update
from sqlmodel import Session

from bot.sandbox.emulator import payloads
from bot.sandbox.emulator.defaults import APPROVER_ID, MEMBER_ID, SENDER_ID
from handlers.ids import ActionId, BlockId
from storage.tables import TaskRecipient
from tests.e2e.sent_tasks import recipients_of, report_ts, sent_task
from tests.e2e.test_dispatch import bot, bot_overrides, bot_provider, eventually, gateway, gateway_options  # noqa: F401
from tests.e2e.test_send_tasks import catalog  # noqa: F401  ("Receipt": "Hi ${name}, your order shipped")
from tests.slack_calls import whole_numbers_in


def message_sections(view) -> list[str]:
    return [b["text"]["text"] for b in view.blocks if b.get("block_id", "").startswith(BlockId.DETAILS_MESSAGE)]


def short_rows(view) -> list[str]:
    return [line for b in view.blocks if b.get("block_id", "").startswith(BlockId.DETAILS_ROWS)
            for line in b["text"]["text"].split("\n")]


def footer(view) -> str:
    return next(b["elements"][0]["text"] for b in view.blocks if b["type"] == "context" and "page" in str(b))


def quoted_text(section: str) -> str:
    """The message as the section quotes it, unescaped."""
    quoted = "\n".join(line[1:] for line in section.split("\n") if line.startswith(">"))
    return quoted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def open_details(driver, workspace, user: str, report):
    await driver.block_actions(user, ActionId.TASK_DETAILS, message=report_ts(report))
    return await eventually(lambda: workspace.views.top_modal(user))


async def test_the_requester_and_approvers_read_each_recipients_sms_id_and_message_and_a_member_does_not(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                             recipients=30)
    stored = recipients_of(bot_runtime, task_id)
    for user in (SENDER_ID, APPROVER_ID):
        modal = await open_details(driver, workspace, user, report)
        sections = message_sections(modal)
        assert len(sections) == 10 and short_rows(modal) == []  # 10 a page, one section each
        assert footer(modal).startswith("1–10 of 30 · page 1 of 3")
        for section, recipient in zip(sections, stored):
            sent = f"【Acme】Hi {recipient.variables[0]}, your order shipped"  # UCS-2 for the brackets
            assert section.startswith(f"`•••{recipient.phone[-4:]}` · row {recipient.row_number} ·")
            assert f"\nSMS ID {recipient.provider_id} · {len(sent)} characters · 1 segment\n" in section
            assert recipient.provider_id and quoted_text(section) == sent
        assert {b["action_id"] for b in modal.blocks[-1]["elements"]} == {ActionId.DETAILS_NEXT,
                                                                           ActionId.DETAILS_REFRESH}

    member = await open_details(driver, workspace, MEMBER_ID, report)
    shown = json.dumps(member.definition, ensure_ascii=False)
    assert message_sections(member) == [] and len(short_rows(member)) == 25
    assert "SMS ID" not in shown and "your order shipped" not in shown
    assert not [r.provider_id for r in stored if r.provider_id in shown]
    # paging, filtering and refreshing ask again, and a member never gets the messages
    refreshed_from = workspace.views.get(member.id).hash
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_REFRESH, view_id=member.id)
    # one press at a time, as a person makes them: each answer is the view the next press reads
    await eventually(lambda: workspace.views.get(member.id).hash != refreshed_from)
    await driver.block_actions(MEMBER_ID, ActionId.DETAILS_NEXT, view_id=member.id)
    view = await eventually(lambda: (v := workspace.views.get(member.id)) and "page 2 of 2" in footer(v) and v)
    assert message_sections(view) == [] and "SMS ID" not in json.dumps(view.definition)


async def test_next_pressed_before_refresh_rerendered_the_modal_is_not_lost(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    """Refresh, then Next at once: both payloads carry the page-1 view's hash, so Next's update
    meets the view Refresh made (hash_conflict). It is the person's latest press: page 2 shows."""
    _task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                              recipients=30)
    modal = await open_details(driver, workspace, SENDER_ID, report)

    def pressed(action_id: str) -> dict:
        return payloads.block_actions_payload(workspace, SENDER_ID, action_id, view_id=modal.id, block_id=None,
                                              message=None, value=None, selected_option=None)

    refresh, next_page = pressed(ActionId.DETAILS_REFRESH), pressed(ActionId.DETAILS_NEXT)
    page_1 = modal.hash
    await driver.send_interaction(refresh)
    await eventually(lambda: workspace.views.get(modal.id).hash != page_1)  # Refresh re-rendered page 1
    await driver.send_interaction(next_page)
    await eventually(lambda: "page 2 of 3" in footer(workspace.views.get(modal.id)))


async def test_a_message_is_escaped_its_numbers_masked_and_a_long_one_measured_in_segments(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    values = ["<!here> & <@U0NOBODY1> *bold*", "call +8613900001111 or 13900002222", "Lü " + "ü" * 200]
    csv = "phone,name,coupon\n" + "".join(f"1380013{n:04d},{value},C{n}\n" for n, value in enumerate(values))
    _task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway, csv=csv)
    modal = await open_details(driver, workspace, SENDER_ID, report)
    first, second, third = message_sections(modal)
    assert "Hi &lt;!here&gt; &amp; &lt;@U0NOBODY1&gt; *bold*, your order shipped" in first  # inert
    assert quoted_text(first) == f"【Acme】Hi {values[0]}, your order shipped"
    # numbers in the text by their last four digits; the length is the text's as sent
    sent = f"【Acme】Hi {values[1]}, your order shipped"
    assert quoted_text(second) == "【Acme】Hi call •••1111 or •••2222, your order shipped"
    assert f" · {len(sent)} characters · 1 segment\n" in second
    long = f"【Acme】Hi {values[2]}, your order shipped"  # UCS-2: 67 units a segment past 70
    assert f" · {len(long)} characters · {-(-len(long) // 67)} segments\n" in third
    assert quoted_text(third) == long
    assert whole_numbers_in(json.dumps(modal.definition)) == []


async def test_refresh_reads_the_page_shown_again_with_its_filter_and_search(
        workspace, driver, catalog, bot_runtime, emulator, gateway, clock, bot):  # noqa: F811
    task_id, _card, report = await sent_task(bot_runtime, catalog, clock, workspace, emulator, gateway,
                                             recipients=30)
    modal = await open_details(driver, workspace, SENDER_ID, report)
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_NEXT, view_id=modal.id)
    await eventually(lambda: "page 2 of 3" in footer(workspace.views.get(modal.id)))

    twelfth = recipients_of(bot_runtime, task_id)[11]  # on page 2
    settle(bot_runtime, twelfth.id, "failed", "late failure from the carrier")
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_REFRESH, view_id=modal.id)
    view = await eventually(lambda: (v := workspace.views.get(modal.id))
                            and "late failure" in json.dumps(v.definition) and v)
    assert footer(view).startswith("11–20 of 30 · page 2 of 3")  # the same page
    assert "*failed* ·" in message_sections(view)[1] and "late failure from the carrier" in message_sections(view)[1]

    # a search and a filter are kept too: the failed ones ending in 2
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_FILTER_SELECT, view_id=modal.id,
                               selected_option={"value": "failed"})
    await eventually(lambda: "page 1 of" in footer(workspace.views.get(modal.id)))
    failed_ending_2 = [r for r in recipients_of(bot_runtime, task_id) if r.status == "failed" and r.phone[-1] == "2"]
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_SEARCH_INPUT, view_id=modal.id, value="2")
    await eventually(lambda: (v := workspace.views.get(modal.id)) and (
        footer(v).startswith(f"1–{len(failed_ending_2)} of {len(failed_ending_2)} ·") if failed_ending_2
        else "No failed recipients ending in 2." in json.dumps(v.definition)))
    newly = next(r for r in recipients_of(bot_runtime, task_id) if r.status != "failed" and r.phone[-1] == "2")
    settle(bot_runtime, newly.id, "failed", "another late failure")
    await driver.block_actions(SENDER_ID, ActionId.DETAILS_REFRESH, view_id=modal.id)
    after = await eventually(lambda: (v := workspace.views.get(modal.id))
                             and "another late failure" in json.dumps(v.definition) and v)
    count = len(failed_ending_2) + 1
    assert footer(after).startswith(f"1–{count} of {count} ·")
    assert all(re.match(r"`•••\d\d\d2` · .*\*failed\*", s) for s in message_sections(after))


def settle(bot_runtime, recipient_id: int, status: str, reason: str) -> None:
    """A receipt as it would land while the modal is open."""
    with Session(bot_runtime.engine) as session:
        session.execute(update(TaskRecipient).where(TaskRecipient.id == recipient_id)
                        .values(status=status, reason=reason))
        session.commit()
