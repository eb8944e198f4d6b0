"""The signatures a template may be sent with, on SQLite and PostgreSQL: bound to approved ones
only, named on the template's view, and a change of them is a change of the template."""

from datetime import UTC, datetime

import pytest

from domain.approvers import Actor
from domain.content import ContentError, Purpose, TemplateDraft, TemplateKind
from domain.use_cases.content import (
    ContentKind, add_signature, add_template, decide_content, list_content, update_template,
)

SENDER, APPROVER = Actor("U0SENDER01"), Actor("U0APPROV01", is_approver=True)
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.fixture
def uow(uow_factory):
    return uow_factory


@pytest.fixture
def signatures(uow) -> dict[str, int]:
    """Two approved signatures and a pending one."""
    ids = {name: add_signature(uow(), name, "", SENDER).id for name in ("Acme", "Beta", "Later")}
    for name in ("Acme", "Beta"):
        decide_content(uow(), ContentKind.SIGNATURE, ids[name], APPROVER, approve=True, reason=None,
                       allow_self_approval=False, now=NOW)
    return ids


def receipt(*signature_ids: int, body: str = "Your order shipped") -> TemplateDraft:
    return TemplateDraft(name="Receipt", kind=TemplateKind.TEXT, purpose=Purpose.NOTIFICATION, body=body,
                         signature_ids=list(signature_ids))


def test_a_template_keeps_the_signatures_it_was_bound_to_in_their_order(uow, signatures):
    added = add_template(uow(), receipt(signatures["Beta"], signatures["Acme"], signatures["Beta"]), SENDER)
    assert added.detail["signatures"] == {signatures["Beta"]: "Beta", signatures["Acme"]: "Acme"}
    [listed] = list_content(uow(), ContentKind.TEMPLATE)
    assert list(listed.detail["signatures"].values()) == ["Beta", "Acme"]
    with uow() as work:
        assert work.templates.get(added.id).signature_ids == [signatures["Beta"], signatures["Acme"]]
        assert work.audit.latest()[0].detail["signatures"] == [signatures["Beta"], signatures["Acme"]]


def test_only_approved_signatures_can_be_bound(uow, signatures):
    for ids in ([signatures["Later"]], [signatures["Acme"], 999]):
        with pytest.raises(ContentError) as refused:
            add_template(uow(), receipt(*ids), SENDER)
        assert refused.value.field == "signatures"
    with uow() as work:
        assert work.templates.all() == []
    assert add_template(uow(), receipt(), SENDER).detail["signatures"] == {}  # none: any


def test_changing_only_the_signatures_sends_the_template_back_to_approval(uow, signatures):
    added = add_template(uow(), receipt(signatures["Acme"]), SENDER)
    decide_content(uow(), ContentKind.TEMPLATE, added.id, APPROVER, approve=True, reason=None,
                   allow_self_approval=False, now=NOW)
    changed, _ = update_template(uow(), added.id, receipt(signatures["Beta"]), SENDER)
    assert (changed.status, changed.detail["signatures"]) == ("pending", {signatures["Beta"]: "Beta"})
    with pytest.raises(ContentError):
        update_template(uow(), added.id, receipt(signatures["Later"]), SENDER)
    with uow() as work:
        assert work.templates.get(added.id).signature_ids == [signatures["Beta"]]
