"""Alibaba Cloud SMS (Dysmsapi 2017-05-25): the provider. Its local fake is under tests/."""

from bot.providers.alibaba.provider import DEFAULT_BASE_URL, NUMBERS_PER_CALL, AlibabaProvider

__all__ = ["DEFAULT_BASE_URL", "NUMBERS_PER_CALL", "AlibabaProvider"]
