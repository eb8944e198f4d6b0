"""Signatures and templates registered in Slack and approved in the approvals thread."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.emulator import Channel
from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, MEMBER_ID, SECOND_APPROVER_ID, SENDER_ID,
)
from handlers.ids import ActionId, BlockId


@pytest.fixture
def bot_overrides():
    return {"approvals_channel": APPROVALS_CHANNEL_ID}


async def eventually(check, timeout: float = 5.0):
    for _ in range(int(timeout / 0.02)):
        result = check()
        if result:
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def approval_requests(workspace):
    return [m for m in workspace.messages(APPROVALS_CHANNEL_ID) if m.blocks and m.blocks[0]["type"] == "header"]


def ephemeral_texts(workspace, user_id):
    return [e.text for e in workspace.ephemerals(user_id=user_id)]


async def add_signature(workspace, driver, name="Acme", user=SENDER_ID):
    await driver.slash_command(user, GENERAL_CHANNEL_ID, f"signature add {name} Our shop's sender name")
    return await eventually(lambda: [m for m in approval_requests(workspace) if f"“{name}”" in m.text])


async def test_a_signature_is_pending_until_an_approver_approves_it(workspace, driver, uow):
    [request] = await add_signature(workspace, driver)
    assert "【Acme】" in str(request.blocks)
    assert "waiting for approval in <#C0APPROVE1>" in (await eventually(lambda: ephemeral_texts(workspace, SENDER_ID)))[0]

    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    updated = await eventually(lambda: [m for m in approval_requests(workspace) if "approved" in m.text])
    assert "actions" not in [b["type"] for b in updated[0].blocks]  # the buttons are gone
    replies = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    assert replies[0].text == "<@U0APPROV01> approved signature “Acme”. It can be used in sends now."
    with uow:
        [signature] = uow.signatures.all()
        assert (signature.status, signature.decided_by) == ("approved", APPROVER_ID)
        assert [e.action for e in uow.audit.latest()][:2] == ["signature.approved", "signature.submitted"]


async def test_the_requester_and_non_approvers_are_refused(workspace, driver, uow):
    [request] = await add_signature(workspace, driver, user=APPROVER_ID)
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    await eventually(lambda: [t for t in ephemeral_texts(workspace, APPROVER_ID) if "four-eyes" in t])
    await driver.block_actions(MEMBER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    assert "Only an approver" in (await eventually(lambda: ephemeral_texts(workspace, MEMBER_ID)))[0]
    await driver.block_actions(MEMBER_ID, ActionId.CONTENT_REJECT, message=(APPROVALS_CHANNEL_ID, request.ts))
    await eventually(lambda: len(ephemeral_texts(workspace, MEMBER_ID)) == 2)
    assert workspace.views.top_modal(MEMBER_ID) is None
    with uow:
        assert uow.signatures.all()[0].status == "pending"


async def test_reject_needs_a_reason_and_posts_it_in_the_thread(workspace, driver, uow):
    [request] = await add_signature(workspace, driver)
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_REJECT, message=(APPROVALS_CHANNEL_ID, request.ts))
    modal = await eventually(lambda: workspace.views.top_modal(APPROVER_ID))
    await driver.view_submission(APPROVER_ID, modal.id, {})
    assert workspace.submissions[-1].response_action == "errors"
    reason = {BlockId.APPROVAL_REASON: {ActionId.APPROVAL_REASON_INPUT: {"value": "Use the legal company name"}}}
    await driver.view_submission(APPROVER_ID, modal.id, reason)
    replies = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    assert replies[0].text == "<@U0APPROV01> rejected signature “Acme”: Use the legal company name"
    with uow:
        assert uow.signatures.all()[0].reject_reason == "Use the legal company name"


async def test_two_approvers_at_once_one_decision_wins(workspace, driver, uow):
    [request] = await add_signature(workspace, driver)
    await asyncio.gather(
        driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts)),
        driver.block_actions(SECOND_APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts)),
    )
    told = await eventually(lambda: ephemeral_texts(workspace, APPROVER_ID) + ephemeral_texts(workspace, SECOND_APPROVER_ID))
    assert len(told) == 1 and "was already approved by" in told[0]
    replies = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    await asyncio.sleep(0.2)
    assert len(workspace.replies(APPROVALS_CHANNEL_ID, request.ts)) == len(replies) == 1
    with uow:
        assert len([e for e in uow.audit.latest() if e.action == "signature.approved"]) == 1


async def test_bad_signature_names_are_refused(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "signature add A")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "signature add 【Acme】")
    texts = ephemeral_texts(workspace, SENDER_ID)
    assert "2–12 characters" in texts[0] and "without brackets" in texts[1]
    assert approval_requests(workspace) == []


def template_values(kind: str, **fields: str) -> dict:
    values = {
        BlockId.TEMPLATE_KIND: {ActionId.TEMPLATE_KIND_SELECT: {"type": "static_select",
                                                                "selected_option": {"value": kind}}},
        BlockId.TEMPLATE_PURPOSE: {ActionId.TEMPLATE_FIELD: {"type": "static_select",
                                                             "selected_option": {"value": fields.pop("purpose", "promotional")}}},
    }
    for block, value in fields.items():
        values[f"template.{block}"] = {ActionId.TEMPLATE_FIELD: {"type": "plain_text_input", "value": value}}
    return values


async def open_template_modal(workspace, driver):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template add")
    return await eventually(lambda: workspace.views.top_modal(SENDER_ID))


async def test_a_card_template_reveals_its_fields_checks_links_and_goes_to_approval(workspace, driver, uow):
    modal = await open_template_modal(workspace, driver)
    assert BlockId.TEMPLATE_DEFAULT_LINK not in [b["block_id"] for b in modal.blocks]
    await driver.block_actions(SENDER_ID, ActionId.TEMPLATE_KIND_SELECT, view_id=modal.id,
                               block_id=BlockId.TEMPLATE_KIND, selected_option={"value": "card"})
    card = await eventually(lambda: (v := workspace.views.get(modal.id)) and
                            BlockId.TEMPLATE_DEFAULT_LINK in [b["block_id"] for b in v.blocks] and v)

    fields = dict(name="Spring card", body="Hi ${name}, ${coupon} is yours", title="Spring sale",
                  buttons="Shop | https://shop.example.com", default_link="http://shop.example.com")
    await driver.view_submission(SENDER_ID, card.id, template_values("card", **fields))
    assert workspace.submissions[-1].errors == {BlockId.TEMPLATE_DEFAULT_LINK: "The default link must be an https:// link."}

    fields["default_link"] = "https://shop.example.com"
    await driver.view_submission(SENDER_ID, card.id, template_values("card", **fields))
    [request] = await eventually(lambda: approval_requests(workspace))
    summary = str(request.blocks)
    assert "Spring sale" in summary and "`${name}`, `${coupon}`" in summary
    assert "Reply STOP to opt out" in summary  # promotional: the hint is shown
    with uow:
        [template] = uow.templates.all()
    assert (template.kind, template.status, template.buttons) == ("card", "pending",
                                                                  [{"text": "Shop", "url": "https://shop.example.com"}])


async def test_template_list_show_and_disable(workspace, driver):
    modal = await open_template_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, template_values("text", purpose="notification",
                                                                      name="Receipt", body="Order ${order} shipped"))
    await eventually(lambda: approval_requests(workspace))
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "template list")
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "template show receipt")
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "template disable receipt")
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template disable receipt")
    listing, shown, refused = workspace.ephemerals(user_id=MEMBER_ID)
    assert "*Receipt* — text, notification — :hourglass_flowing_sand: pending" in str(listing.blocks)
    assert "Order ${order} shipped" in str(shown.blocks)
    assert "Only <@U0SENDER01> or an approver" in refused.text
    assert "disabled" in (await eventually(lambda: ephemeral_texts(workspace, SENDER_ID)[-1:]))[0]


async def test_the_sample_file_carries_a_templates_variable_columns(workspace, driver):
    from tests.e2e.imports import files_sent_to, read_xlsx

    modal = await open_template_modal(workspace, driver)
    await driver.view_submission(SENDER_ID, modal.id, template_values("text", purpose="notification",
                                                                      name="Receipt", body="Hi ${name}, order ${order}"))
    await eventually(lambda: approval_requests(workspace))
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "sample receipt")
    [sample] = await eventually(lambda: files_sent_to(workspace, SENDER_ID))
    rows = read_xlsx(sample.content)
    assert rows[0] == ("phone", "name", "order") and len(rows) == 3
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "sample nosuch")
    assert any("No template is named “nosuch”" in t for t in ephemeral_texts(workspace, SENDER_ID))


async def test_a_template_sent_from_a_channel_without_the_bot_is_confirmed_in_a_direct_message(workspace, driver):
    random = workspace.add_channel(Channel(id="C0RANDOM01", name="random", members={SENDER_ID}))
    await driver.slash_command(SENDER_ID, random.id, "template add")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, template_values("text", purpose="notification",
                                                                      name="Receipt", body="Order ${order} shipped"))
    dm = workspace.open_dm(SENDER_ID)
    [told] = await eventually(lambda: workspace.messages(dm.id))
    assert told.text == "Template *Receipt* is waiting for approval in <#C0APPROVE1>."
    assert not [c for c in workspace.calls("chat.postEphemeral") if c.ok]  # Slack refused the ephemeral in #random


def chosen_signatures(*ids: int) -> dict:
    return {BlockId.TEMPLATE_SIGNATURES: {ActionId.TEMPLATE_FIELD: {
        "type": "multi_static_select", "selected_options": [{"value": str(i)} for i in ids]}}}


def signatures_block(view) -> dict | None:
    return next((b for b in view.blocks if b.get("block_id") == BlockId.TEMPLATE_SIGNATURES), None)


@pytest.fixture
def signatures(bot_runtime, clock) -> dict[str, int]:
    """Acme and Beta approved, Later still pending."""
    from domain.approvers import Actor
    from domain.use_cases.content import ContentKind, add_signature, decide_content

    uow, approver = bot_runtime.uow, Actor(APPROVER_ID, is_approver=True)
    ids = {name: add_signature(uow(), name, "", Actor(SENDER_ID)).id for name in ("Acme", "Beta", "Later")}
    for name in ("Acme", "Beta"):
        decide_content(uow(), ContentKind.SIGNATURE, ids[name], approver, approve=True, reason=None,
                       allow_self_approval=False, now=clock())
    return ids


async def test_without_an_approved_signature_the_template_modal_offers_none(workspace, driver):
    modal = await open_template_modal(workspace, driver)
    assert signatures_block(modal) is None  # an empty select is not a valid one


async def test_a_template_can_be_bound_to_approved_signatures_in_its_modal(workspace, driver, uow, signatures):
    modal = await open_template_modal(workspace, driver)
    block = signatures_block(modal)
    assert [o["text"]["text"] for o in block["element"]["options"]] == ["Acme", "Beta"]  # approved ones only
    assert (block["optional"], block["label"]["text"]) == (True, "Only with these signatures")
    await driver.block_actions(SENDER_ID, ActionId.TEMPLATE_KIND_SELECT, view_id=modal.id,
                               block_id=BlockId.TEMPLATE_KIND, selected_option={"value": "digital"})
    digital = await eventually(lambda: (v := workspace.views.get(modal.id)) and
                               BlockId.TEMPLATE_SUBJECT in [b["block_id"] for b in v.blocks] and v)
    assert len(signatures_block(digital)["element"]["options"]) == 2  # still offered after the redraw

    fields = template_values("text", purpose="notification", name="Receipt", body="Order ${order} shipped")
    await driver.crafted_view_submission(SENDER_ID, modal.id, fields | chosen_signatures(signatures["Later"]))
    assert workspace.submissions[-1].errors == {
        BlockId.TEMPLATE_SIGNATURES: "Choose approved signatures only, or none to allow any."}
    with uow:
        assert uow.templates.all() == []

    await driver.view_submission(SENDER_ID, modal.id, fields | chosen_signatures(signatures["Beta"]))
    [request] = await eventually(lambda: approval_requests(workspace))
    assert "Signatures: only Beta" in str(request.blocks)
    await driver.slash_command(MEMBER_ID, GENERAL_CHANNEL_ID, "template list")
    [listing] = workspace.ephemerals(user_id=MEMBER_ID)
    assert "*Receipt* — text, notification — only with Beta — :hourglass_flowing_sand: pending" in str(listing.blocks)
    with uow:
        assert uow.templates.all()[0].signature_ids == [signatures["Beta"]]


async def test_changing_a_templates_signatures_sends_it_back_to_approval(workspace, driver, uow, signatures):
    modal = await open_template_modal(workspace, driver)
    fields = template_values("text", purpose="notification", name="Receipt", body="Order ${order} shipped")
    await driver.view_submission(SENDER_ID, modal.id, fields)
    [request] = await eventually(lambda: approval_requests(workspace))
    assert "Signatures: any approved one" in str(request.blocks)
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template edit receipt")
    edit = await eventually(lambda: (v := workspace.views.top_modal(SENDER_ID)) and v.id != modal.id and v)
    assert "initial_options" not in signatures_block(edit)["element"]  # bound to none
    await driver.view_submission(SENDER_ID, edit.id, fields | chosen_signatures(signatures["Beta"], signatures["Acme"]))
    again = await eventually(lambda: approval_requests(workspace)[1:])
    assert "Signatures: only Beta, Acme" in str(again[0].blocks)
    with uow:
        [template] = uow.templates.all()
        assert (template.status, template.signature_ids) == ("pending", [signatures["Beta"], signatures["Acme"]])
        assert uow.audit.latest()[0].action == "template.changed"

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template edit receipt")
    reopened = await eventually(lambda: (v := workspace.views.top_modal(SENDER_ID)) and v.id != edit.id and v)
    assert [o["value"] for o in signatures_block(reopened)["element"]["initial_options"]] == [
        str(signatures["Acme"]), str(signatures["Beta"])]  # the binding as it stands, in the modal's order


async def test_an_approval_pressed_before_the_request_is_recorded_updates_the_message_pressed(workspace, driver,
                                                                                           bot_runtime):
    """The bot posts a request, then records where: an approver may click in between. The
    decision edits the message the button was on, never a chat.update without a channel."""
    from domain.approvers import Actor
    from domain.content import Purpose, TemplateDraft, TemplateKind
    from domain.use_cases.content import ContentKind, add_template
    from handlers.content import build_approval_request

    view = add_template(bot_runtime.uow(), TemplateDraft(name="Early", kind=TemplateKind.TEXT,
                                                         purpose=Purpose.NOTIFICATION, body="Hi"), Actor(SENDER_ID))
    text, blocks = build_approval_request(view, "Early")
    request = workspace.post_message(APPROVALS_CHANNEL_ID, workspace.bot.user_id, text, blocks)  # not recorded
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    replies = await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))
    assert "approved" in replies[0].text.lower()
    assert "Template approved" in str(workspace.message(APPROVALS_CHANNEL_ID, request.ts).blocks)
