"""When receipts are pulled, and how often a message is asked about."""

from datetime import timedelta

import pytest

from bot.provider_queries import pulls_receipts
from domain.dispatch import ask_again_after


@pytest.mark.parametrize(("age", "again"), [
    (timedelta(seconds=1), timedelta(seconds=5)), (timedelta(minutes=3), timedelta(minutes=1)),
    (timedelta(hours=5), timedelta(minutes=10)),
])
def test_a_message_is_asked_about_less_often_as_it_ages(age, again):
    assert ask_again_after(age) == again


class Provider:
    def __init__(self, *ways):
        self.receipts = frozenset(ways)

    async def query_receipts(self, sent):
        return []


@pytest.mark.parametrize(("ways", "mode", "public_url", "socket_mode", "pulls"), [
    (("push", "pull"), "auto", None, False, False),  # receipts reach this process: pushed
    (("push", "pull"), "auto", None, True, True),  # Socket Mode, no public URL: nothing can reach it
    (("push", "pull"), "auto", "https://sms.example.com", True, False),
    (("pull",), "auto", "https://sms.example.com", False, True),  # a provider that only answers when asked
    (("push",), "pull", None, True, False),  # cannot be asked
    (("push", "pull"), "both", "https://sms.example.com", False, True),
    (("push", "pull"), "push", None, True, False),
])
def test_receipts_are_pulled_where_they_cannot_be_pushed(ways, mode, public_url, socket_mode, pulls):
    assert pulls_receipts(Provider(*ways), mode, public_url=public_url, socket_mode=socket_mode) is pulls
