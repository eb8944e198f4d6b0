"""Twilio Programmable Messaging: the adapter (`provider`) and a local fake of its API (`fake`).

The fake is imported lazily by whoever needs it (tests, the sandbox), so that the adapter
alone does not pull in the fake's server-side dependencies.
"""

from bot.providers.twilio.provider import EMPTY_TWIML, SIGNATURE_HEADER, TwilioProvider

__all__ = ["EMPTY_TWIML", "SIGNATURE_HEADER", "TwilioProvider"]
