"""Who may do what (domain/policy.py), and text that names people without Slack markup."""

import pytest

from domain.approvers import Actor
from domain.errors import Person, Said
from domain.policy import (
    NotAllowed,
    check_approver,
    check_can_decide,
    check_may_use_list,
    check_owner_or_approver,
    may_decide,
    may_read_messages,
    may_see_task,
    may_use_list,
    sees_channel,
)

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


MEMBER = Actor("U0MEMBER1", channels=frozenset({"C0SALES01"}))


@pytest.mark.parametrize(("actor", "channel", "allowed"), [
    (OWNER, "C0SALES01", True), (MEMBER, "C0SALES01", True), (APPROVER, "C0SALES01", True),
    (OTHER, "C0SALES01", False),  # not a member of the channel it was imported in
    (OWNER, "D0OWNER01", True), (MEMBER, "D0OWNER01", False),
    (APPROVER, "D0OWNER01", False),  # an import in a direct message is its uploader's alone
    (Actor("U0MEMBER1", channels=frozenset({"D0OWNER01"})), "D0OWNER01", False),
])
def test_who_may_use_a_recipient_list(actor, channel, allowed):
    assert may_use_list(actor, uploader=OWNER.user_id, channel_id=channel) is allowed
    if not allowed:
        with pytest.raises(NotAllowed, match="not yours to use"):
            check_may_use_list(actor, uploader=OWNER.user_id, channel_id=channel)


@pytest.mark.parametrize(("actor", "allowed"), [(OWNER, True), (APPROVER, True), (MEMBER, True), (OTHER, False)])
def test_who_may_see_a_task(actor, allowed):
    channels = ("D0OWNER01", None, "C0SALES01")  # asked in a DM, threaded in a channel
    assert may_see_task(actor, requester=OWNER.user_id, channels=channels) is allowed
    assert sees_channel(actor, "C0SALES01") is (actor in (MEMBER, APPROVER))


@pytest.mark.parametrize(("actor", "allowed"), [(OWNER, True), (APPROVER, True), (MEMBER, False), (OTHER, False)])
def test_who_may_read_what_each_recipient_was_sent(actor, allowed):
    """The texts (with the recipients' values) and SMS IDs: those who may export the numbers,
    not every member who may see the task."""
    assert may_read_messages(actor, requester=OWNER.user_id) is allowed
