"""Huawei Cloud Message & SMS (MSGSMS): the provider. Its local fake is under tests/."""

from bot.providers.huawei.calls import NUMBERS_PER_CALL
from bot.providers.huawei.provider import AUTH_SCHEMES, DEFAULT_BASE_URL, HuaweiProvider

__all__ = ["AUTH_SCHEMES", "DEFAULT_BASE_URL", "NUMBERS_PER_CALL", "HuaweiProvider"]
