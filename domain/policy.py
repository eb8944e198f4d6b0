"""Who may do what: the one home of the rules every use case asks before it acts.

- the owner (whoever asked for it) or an approver;
- approvers only;
- four-eyes: an approver who did not ask for it (unless self-approval is allowed)."""

from __future__ import annotations

from domain.approvers import Actor
from domain.errors import DomainError, Person, Said


class NotAllowed(DomainError):
    pass


def may_change(actor: Actor, owner_id: str) -> bool:
    return actor.user_id == owner_id or actor.is_approver


def check_owner_or_approver(actor: Actor, owner_id: str, to_do: str, *, owner_as: str = "") -> None:
    """`to_do` completes "Only <owner> or an approver can …"; `owner_as` says who the owner is."""
    if not may_change(actor, owner_id):
        raise NotAllowed(Said("Only ", Person(owner_id), f"{owner_as} or an approver can {to_do}."))


def check_approver(actor: Actor, to_do: str) -> None:
    if not actor.is_approver:
        raise NotAllowed(f"Only an approver can {to_do}.")


def check_can_decide(actor: Actor, requester_id: str, *, allow_self_approval: bool) -> None:
    if not actor.is_approver:
        raise NotAllowed("Only an approver can approve or reject this. Ask one of the approvers in this channel.")
    if actor.user_id == requester_id and not allow_self_approval:
        raise NotAllowed("You asked for this, so another approver has to decide it (four-eyes rule).")


def may_decide(actor: Actor, requester_id: str, *, allow_self_approval: bool) -> bool:
    try:
        check_can_decide(actor, requester_id, allow_self_approval=allow_self_approval)
    except NotAllowed:
        return False
    return True
