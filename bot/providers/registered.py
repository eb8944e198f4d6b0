"""What the adapters of providers that send registered templates (Huawei Cloud, UCloud, and
Alibaba Cloud's text) share: refusing a message before any request, and one answer for every
number of a request."""

from __future__ import annotations

from collections.abc import Sequence

from bot.providers.numbers import is_e164
from bot.providers.base import OutgoingMessage, SubmitResult, SubmitStatus

Entry = tuple[int, OutgoingMessage]  # a message's place in the submitted batch, and the message


def rejected(message: OutgoingMessage, code: str, text: str) -> SubmitResult:
    return SubmitResult(message.client_ref, SubmitStatus.rejected, error_code=code, error_message=text)


def text_template_refusal(message: OutgoingMessage, provider: str) -> SubmitResult | None:
    """Why a message cannot go to a provider that sends registered text templates only
    (`provider`: its name as people know it), before any request."""
    registered = message.registered
    if registered is None:
        return rejected(message, "not_registered_content",
                        f"{provider} sends only registered templates, and this message names none")
    if message.kind != "text":
        return rejected(message, "kind_not_supported", f"{provider} sends text templates only, not {message.kind}")
    if registered.template_code is None:
        name = registered.template_name
        return rejected(message, "template_not_registered",
                        f"Template {name!r} has no {provider} template id: register it in the {provider} console, "
                        f"then give its id with `/sms template code {name} <id>` (another SMS application's: "
                        f"`/sms app register`)")
    if not is_e164(message.phone):
        return rejected(message, "invalid_number", "The recipient is not an E.164 number")
    return None


def every_result(entries: Sequence[Entry], outcome) -> list[tuple[int, SubmitResult]]:
    """`outcome`: a verdict (status, error code and message, retry after) for every entry."""
    return [(index, SubmitResult(message.client_ref, outcome.status, None, outcome.error_code, outcome.error_message,
                                 retry_after=outcome.retry_after))
            for index, message in entries]
