"""SMS providers behind one interface (`base.SmsProvider`); `simulator` is the embedded default."""

from bot.providers.base import (
    MESSAGE_KINDS,
    InboundMessage,
    OutgoingMessage,
    ProviderError,
    Receipt,
    ReceiptStatus,
    SmsProvider,
    SubmitResult,
    SubmitStatus,
)

__all__ = [
    "MESSAGE_KINDS",
    "InboundMessage",
    "OutgoingMessage",
    "ProviderError",
    "Receipt",
    "ReceiptStatus",
    "SmsProvider",
    "SubmitResult",
    "SubmitStatus",
]
