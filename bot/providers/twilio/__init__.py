"""Twilio Programmable Messaging: the adapter. Its local fake is under tests/."""

from bot.providers.twilio.provider import EMPTY_TWIML, SIGNATURE_HEADER, TwilioProvider

__all__ = ["EMPTY_TWIML", "SIGNATURE_HEADER", "TwilioProvider"]
