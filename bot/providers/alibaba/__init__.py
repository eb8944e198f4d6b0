"""Alibaba Cloud SMS (Dysmsapi 2017-05-25): the provider (`provider`) and a local fake of the API (`fake`)."""

from bot.providers.alibaba.fake import create_fake_alibaba
from bot.providers.alibaba.fake_state import FAILURE_REASONS, FakeAlibabaConfig, FakeAlibabaState, SentSms
from bot.providers.alibaba.provider import DEFAULT_BASE_URL, NUMBERS_PER_CALL, AlibabaProvider

__all__ = [
    "DEFAULT_BASE_URL",
    "FAILURE_REASONS",
    "NUMBERS_PER_CALL",
    "AlibabaProvider",
    "FakeAlibabaConfig",
    "FakeAlibabaState",
    "SentSms",
    "create_fake_alibaba",
]
