"""Who may do what (domain/policy.py), and text that names people without Slack markup."""

import pytest

from domain.approvers import Actor
from domain.errors import Person, Said
from domain.policy import NotAllowed, check_approver, check_can_decide, check_owner_or_approver, may_decide

OWNER, OTHER, APPROVER = Actor("U0OWNER01"), Actor("W0OTHER01"), Actor("U0APPROV1", is_approver=True)


@pytest.mark.parametrize(("actor", "allowed"), [(OWNER, True), (OTHER, False), (APPROVER, True)])
def test_the_owner_or_an_approver(actor, allowed):
    if allowed:
        check_owner_or_approver(actor, OWNER.user_id, "change it")
        return
    with pytest.raises(NotAllowed) as refused:
        check_owner_or_approver(actor, OWNER.user_id, "change it", owner_as=" (who asked)")
    message = refused.value.message
    assert message == "Only U0OWNER01 (who asked) or an approver can change it."  # ids, no markup
    assert message.render(lambda user: f"@{user.lower()}") == "Only @u0owner01 (who asked) or an approver can change it."


def test_approvers_only():
    check_approver(APPROVER, "set a code")
    with pytest.raises(NotAllowed, match="^Only an approver can set a code.$"):
        check_approver(OWNER, "set a code")


@pytest.mark.parametrize(("actor", "requester", "self_allowed", "allowed"), [
    (APPROVER, OWNER.user_id, False, True),
    (OWNER, OWNER.user_id, True, False),  # not an approver, whatever the setting
    (APPROVER, APPROVER.user_id, False, False),  # four eyes
    (APPROVER, APPROVER.user_id, True, True),
])
def test_four_eyes(actor, requester, self_allowed, allowed):
    assert may_decide(actor, requester, allow_self_approval=self_allowed) is allowed
    if not allowed:
        with pytest.raises(NotAllowed):
            check_can_decide(actor, requester, allow_self_approval=self_allowed)


def test_said_escapes_the_words_around_people_but_not_the_people():
    text = Said("<b> by ", Person("U1"), " & co")
    assert str(text) == "<b> by U1 & co"
    assert text.render(lambda u: f"<@{u}>", escape=lambda t: t.replace("<", "&lt;")) == "&lt;b> by <@U1> & co"
