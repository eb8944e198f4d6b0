"""UCloud USMS: sends registered templates with per-number variables, receipts pushed or pulled."""

from bot.providers.ucloud.provider import UCloudProvider

__all__ = ["UCloudProvider"]
