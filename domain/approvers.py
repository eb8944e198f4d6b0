"""Who may approve: configured users, or members of configured user groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person behind a Slack request. `channels`: the conversations they are a member of,
    among those the bot can see, where a rule needs them (who may use a list or see a task):
    filled from Slack by the handler that asks; empty, the person is a member of none."""

    user_id: str
    is_approver: bool = False
    channels: frozenset[str] = frozenset()


def is_approver(user_id: str, approver_user_ids: Iterable[str], group_members: Iterable[str]) -> bool:
    return user_id in set(approver_user_ids) or user_id in set(group_members)
