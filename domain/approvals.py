"""Who may decide an approval request. Pure."""

from __future__ import annotations

from domain.approvers import Actor
from domain.errors import DomainError


class NotAllowed(DomainError):
    pass


def check_can_decide(actor: Actor, requester_id: str, *, allow_self_approval: bool) -> None:
    if not actor.is_approver:
        raise NotAllowed("Only an approver can approve or reject this. Ask one of the approvers in this channel.")
    if actor.user_id == requester_id and not allow_self_approval:
        raise NotAllowed("You asked for this, so another approver has to decide it (four-eyes rule).")
