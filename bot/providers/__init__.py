"""SMS providers behind one interface (`base.SmsProvider`); `simulator` is the embedded default."""

from bot.providers.base import (
    FALLBACK_KINDS,
    MESSAGE_KINDS,
    InboundMessage,
    OutgoingMessage,
    ProviderError,
    Receipt,
    RegisteredContent,
    ReceiptStatus,
    SmsProvider,
    SubmitResult,
    SubmitStatus,
)

__all__ = [
    "FALLBACK_KINDS",
    "MESSAGE_KINDS",
    "InboundMessage",
    "OutgoingMessage",
    "ProviderError",
    "Receipt",
    "RegisteredContent",
    "ReceiptStatus",
    "SmsProvider",
    "SubmitResult",
    "SubmitStatus",
]
