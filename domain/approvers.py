"""Who may approve: configured users, or members of configured user groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person behind a Slack request."""

    user_id: str
    is_approver: bool = False


def is_approver(user_id: str, approver_user_ids: Iterable[str], group_members: Iterable[str]) -> bool:
    return user_id in set(approver_user_ids) or user_id in set(group_members)
