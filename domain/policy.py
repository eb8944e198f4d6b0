"""Who may do what: the one home of the rules every use case asks before it acts.

- the owner (whoever asked for it) or an approver;
- approvers only;
- four-eyes: an approver who did not ask for it (unless self-approval is allowed);
- who may use a recipient list, who may see a task, and who may read what its recipients were sent."""

from __future__ import annotations

from collections.abc import Iterable

from domain.approvers import Actor
from domain.errors import DomainError, Person, Said
from domain.i18n import N_, _

PERSON_MARK = "\x00"  # where a translated sentence names its person, for `naming`


class NotAllowed(DomainError):
    pass


def naming(sentence: str, user_id: str) -> Said:
    """A translated sentence whose `{person}` was filled with `PERSON_MARK`, naming that person
    where the language puts them."""
    before, _mark, after = sentence.partition(PERSON_MARK)
    return Said(before, Person(user_id), after)


def may_change(actor: Actor, owner_id: str) -> bool:
    return actor.user_id == owner_id or actor.is_approver


def check_owner_or_approver(actor: Actor, owner_id: str, to_do: str, *, owner_as: str = "") -> None:
    """`to_do` completes "Only <owner> or an approver can …"; `owner_as` says who the owner is.
    Both are given in the reader's language (the caller's `_()`)."""
    if not may_change(actor, owner_id):
        raise NotAllowed(naming(_("Only {person}{owner_as} or an approver can {to_do}.", person=PERSON_MARK,
                                  owner_as=owner_as, to_do=to_do), owner_id))


def check_approver(actor: Actor, to_do: str) -> None:
    """`to_do`, in the reader's language, completes "Only an approver can …"."""
    if not actor.is_approver:
        raise NotAllowed(_("Only an approver can {to_do}.", to_do=to_do))


def check_can_decide(actor: Actor, requester_id: str, *, allow_self_approval: bool) -> None:
    if not actor.is_approver:
        raise NotAllowed(_("Only an approver can approve or reject this. Ask one of the approvers in this channel."))
    if actor.user_id == requester_id and not allow_self_approval:
        raise NotAllowed(_("You asked for this, so another approver has to decide it (four-eyes rule)."))


def may_decide(actor: Actor, requester_id: str, *, allow_self_approval: bool) -> bool:
    try:
        check_can_decide(actor, requester_id, allow_self_approval=allow_self_approval)
    except NotAllowed:
        return False
    return True


def is_direct_message(channel_id: str) -> bool:
    """Slack's direct-message ids start with D: such a conversation has no other members to share with."""
    return channel_id.startswith("D")


def may_use_list(actor: Actor, *, uploader: str, channel_id: str) -> bool:
    """A recipient list (an import, or the list behind an audience) is its uploader's, and the
    channel's it was imported in: its members and the approvers may send to it. A list
    imported in a direct message is its uploader's alone."""
    if actor.user_id == uploader:
        return True
    if is_direct_message(channel_id):
        return False
    return actor.is_approver or channel_id in actor.channels


def check_may_use_list(actor: Actor, *, uploader: str, channel_id: str) -> None:
    if not may_use_list(actor, uploader=uploader, channel_id=channel_id):
        raise NotAllowed(_(NOT_YOUR_LIST))


# Translated where it is shown: _(NOT_YOUR_LIST).
NOT_YOUR_LIST = N_("Those recipients are not yours to use: a list belongs to whoever imported it and to the "
                   "members of the channel it was imported in (an import in a direct message to its uploader "
                   "alone).")


def may_see_task(actor: Actor, *, requester: str, channels: Iterable[str | None]) -> bool:
    """A task, its details and its results are seen by its requester, the approvers, and the
    members of the channels it was asked from or posted in."""
    return actor.user_id == requester or actor.is_approver or any(c in actor.channels for c in channels if c)


def check_may_see_task(actor: Actor, *, requester: str, channels: Iterable[str | None]) -> None:
    if not may_see_task(actor, requester=requester, channels=channels):
        raise NotAllowed(_("That task is not one you can see: it belongs to the members of the channel it was "
                           "asked in, its requester and the approvers."))


def may_read_messages(actor: Actor, *, requester: str) -> bool:
    """What each recipient was sent (its text, with their values in it) and the provider's SMS ID
    are for the task's requester and the approvers, who may export its numbers too; the channel's
    other members see each recipient's last four digits and status only."""
    return may_change(actor, requester)


def sees_channel(actor: Actor, channel_id: str) -> bool:
    """Whether every task of a channel is the person's to see (a member of it, or an approver)."""
    return actor.is_approver or channel_id in actor.channels
