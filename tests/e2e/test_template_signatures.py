"""A template bound to signatures, end to end: the send modal offers only those once the template
is chosen, a crafted submission with another is refused inline, and a task whose template no
longer allows its signature is not approved."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import APPROVALS_CHANNEL_ID, APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from domain.content import Purpose, TemplateDraft, TemplateKind
from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content
from handlers.ids import ActionId, BlockId
from tests.e2e.test_send_tasks import (  # noqa: F401  (fixtures: approved content, the approvals channel)
    APPROVER, SENDER, bot_overrides, cards, catalog, eventually, form, open_send_modal, select, submit_valid_task, text,
)


@pytest.fixture
def signed(bot_runtime, catalog, clock) -> dict[str, int]:
    """Beside the catalog's Acme, two more approved signatures; Notice is bound to both, Gamma only
    to one."""
    uow = bot_runtime.uow

    def approved(kind, view) -> int:
        decide_content(uow(), kind, view.id, APPROVER, approve=True, reason=None, allow_self_approval=False,
                       now=clock())
        return view.id

    ids = {name: approved(ContentKind.SIGNATURE, add_signature(uow(), name, "", SENDER)) for name in ("Beta", "Gamma")}
    for name, bound in (("Notice", ["Beta", "Gamma"]), ("Gamma only", ["Gamma"])):
        draft = TemplateDraft(name=name, kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body="Hi ${name}",
                              signature_ids=[ids[n] for n in bound])
        ids[name] = approved(ContentKind.TEMPLATE, add_template(uow(), draft, SENDER))
    return ids


def signature_block(workspace, view_id: str) -> dict:
    return next(b for b in workspace.views.get(view_id).blocks if b.get("block_id") == BlockId.SEND_SIGNATURE)


def offered(block: dict) -> list[str]:
    return [o["text"]["text"] for o in block["element"]["options"]]


async def choose_template(workspace, driver, modal, catalog, template_id: int, offers: list[str]) -> dict:
    """The person picks the template (the rest of the form as filled so far); the modal re-renders
    with the signatures it `offers`."""
    chosen = {ActionId.SEND_REFRESH: select(template_id)}
    workspace.views.set_state(modal.id, form(catalog, signature=None, template=chosen))
    await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id, block_id=BlockId.SEND_TEMPLATE,
                               selected_option={"value": str(template_id)})
    return await eventually(lambda: sorted(offered(block := signature_block(workspace, modal.id))) == offers and block)


async def test_once_a_bound_template_is_chosen_only_its_signatures_are_offered(workspace, driver, catalog, signed):
    modal = await open_send_modal(workspace, driver)
    assert sorted(offered(signature_block(workspace, modal.id))) == ["Acme", "Beta", "Gamma"]

    block = await choose_template(workspace, driver, modal, catalog, signed["Notice"], ["Beta", "Gamma"])
    assert "initial_option" not in block["element"]  # two to choose from: none chosen for you
    assert block["hint"]["text"] == "Only the signatures “Notice” may be sent with."

    block = await choose_template(workspace, driver, modal, catalog, signed["Gamma only"], ["Gamma"])
    assert block["element"]["initial_option"]["value"] == str(signed["Gamma"])  # the only one: chosen for you

    block = await choose_template(workspace, driver, modal, catalog, catalog["Shipped"], ["Acme", "Beta", "Gamma"])
    assert "hint" not in block  # bound to none: any


async def test_a_crafted_submission_with_another_signature_is_refused_inline_and_nothing_is_stored(
        workspace, driver, catalog, signed, bot_runtime):
    modal = await open_send_modal(workspace, driver)
    values = form(catalog, template={ActionId.SEND_REFRESH: select(signed["Notice"])})  # with Acme
    await driver.crafted_view_submission(SENDER_ID, modal.id, values)
    assert workspace.submissions[-1].errors == {
        BlockId.SEND_SIGNATURE: "“Notice” may be sent only with the signatures Beta, Gamma."}
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1) is None
    assert cards(workspace) == []

    await submit_valid_task(workspace, driver, catalog, template={ActionId.SEND_REFRESH: select(signed["Notice"])},
                            signature={ActionId.SEND_REFRESH: select(signed["Gamma"])})
    with bot_runtime.uow() as uow:
        assert uow.tasks.get(1).signature_id == signed["Gamma"]


async def test_a_task_whose_template_no_longer_allows_its_signature_is_not_approved(workspace, driver, catalog, signed,
                                                                                  bot_runtime):
    card = await submit_valid_task(workspace, driver, catalog)  # Acme, and Receipt bound to none

    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "template edit receipt")
    modal = await eventually(lambda: workspace.views.top_modal(SENDER_ID))
    await driver.view_submission(SENDER_ID, modal.id, {
        BlockId.TEMPLATE_KIND: {ActionId.TEMPLATE_KIND_SELECT: select("text")},
        BlockId.TEMPLATE_PURPOSE: {ActionId.TEMPLATE_FIELD: select("notification")},
        BlockId.TEMPLATE_NAME: {ActionId.TEMPLATE_FIELD: text("Receipt")},
        BlockId.TEMPLATE_BODY: {ActionId.TEMPLATE_FIELD: text("Hi ${name}, your order shipped")},  # as it was
        BlockId.TEMPLATE_SIGNATURES: {ActionId.TEMPLATE_FIELD: {"type": "multi_static_select", "selected_options": [
            {"value": str(signed["Beta"])}]}},
    })
    await eventually(lambda: [m for m in workspace.replies(APPROVALS_CHANNEL_ID, card.ts)
                              if "needs a new approval" in m.text])
    request = next(m for m in workspace.messages(APPROVALS_CHANNEL_ID) if "template “Receipt”" in m.text)
    assert "Signatures: only Beta" in str(request.blocks)
    await driver.block_actions(APPROVER_ID, ActionId.CONTENT_APPROVE, message=(APPROVALS_CHANNEL_ID, request.ts))
    await eventually(lambda: workspace.replies(APPROVALS_CHANNEL_ID, request.ts))

    await driver.block_actions(APPROVER_ID, ActionId.TASK_APPROVE, message=(APPROVALS_CHANNEL_ID, card.ts))
    refused = await eventually(lambda: [e.text for e in workspace.ephemerals(user_id=APPROVER_ID)])
    assert refused == ["“Receipt” may be sent only with the signature Beta. This task's signature is “Acme”: "
                       "edit the task to choose another before it can be approved."]
    with bot_runtime.uow() as uow:
        assert (uow.tasks.get(1).status, uow.templates.get(catalog["Receipt"]).status) == ("moderating", "approved")


async def test_a_cards_fallback_offers_only_templates_that_allow_the_chosen_signature(
        workspace, driver, catalog, signed):
    """The fallback goes out under the task's signature too."""
    modal = await open_send_modal(workspace, driver)

    async def fallbacks_with(signature_id: int) -> list[str]:
        workspace.views.set_state(modal.id, form(
            catalog, kind={ActionId.SEND_REFRESH: select("card")}, fallback={ActionId.SEND_REFRESH: select("text")},
            template={ActionId.SEND_REFRESH: select(catalog["Spring card"])},
            signature={ActionId.SEND_REFRESH: select(signature_id)}))
        await driver.block_actions(SENDER_ID, ActionId.SEND_REFRESH, view_id=modal.id,
                                   block_id=BlockId.SEND_SIGNATURE, selected_option={"value": str(signature_id)})
        await eventually(lambda: signature_block(workspace, modal.id)["element"].get("initial_option", {})
                         .get("value") == str(signature_id))  # redrawn for this signature
        block = next(b for b in workspace.views.get(modal.id).blocks
                     if b.get("block_id") == BlockId.SEND_FALLBACK_TEMPLATE)
        return sorted(o["text"]["text"].split(" · ")[0] for o in block["element"]["options"])

    unbound = ["Coupon", "Long", "Receipt", "Shipped"]
    assert await fallbacks_with(catalog["signature"]) == unbound
    assert await fallbacks_with(signed["Beta"]) == sorted([*unbound, "Notice"])
    assert await fallbacks_with(signed["Gamma"]) == sorted([*unbound, "Gamma only", "Notice"])
