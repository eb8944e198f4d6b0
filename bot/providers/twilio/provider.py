"""`TwilioProvider`: the `SmsProvider` for Twilio Programmable Messaging, over httpx.

One `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` per message (Twilio has no batch
create), at most `concurrency` in flight. Status callbacks and incoming messages both arrive
at the app's `/webhooks/sms/twilio` as signed form posts; each status callback URL carries the
message's `client_ref` as `?ref=`, so a callback names its recipient even when it overtakes
the create's answer. Receipts can also be pulled: one `GET .../Messages/{sid}.json` per message.
Facts about Twilio: /work/shared/PROVIDERS.md section 1.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
from twilio.request_validator import RequestValidator

from bot.providers.base import (
    InboundMessage,
    OutgoingMessage,
    ProviderError,
    Receipt,
    SentRef,
    SubmitResult,
    SubmitStatus,
)
from bot.providers.http_client import HttpClientOwner, describe_error
from bot.providers.twilio import codes
from bot.providers.twilio.receipts import FAILED_STATUSES, final_outcome, receipt_from_fetch

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
REF_PARAMETER = "ref"
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

INBOUND_STATUSES = frozenset({"received", "receiving"})


class TwilioProvider(HttpClientOwner):
    name = "twilio"
    max_batch = 1000
    uses_registered_templates = False
    receipts = frozenset({"push", "pull"})

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        status_callback_url: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str = "https://api.twilio.com",
        concurrency: int = 10,
        timeout: float = 10.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        if not account_sid or not auth_token:
            raise ProviderError("twilio provider: account_sid and auth_token are required")
        if not from_number and not messaging_service_sid:
            raise ProviderError("twilio provider: give from_number or messaging_service_sid (or both)")
        if not status_callback_url:
            raise ProviderError("twilio provider: status_callback_url is required (delivery receipts arrive there)")
        if "_" in (urlsplit(status_callback_url).hostname or ""):
            raise ProviderError("twilio provider: Twilio refuses status callback URLs with an underscore in the host")
        if concurrency < 1:
            raise ProviderError(f"twilio provider: concurrency must be at least 1, not {concurrency}")
        self.account_sid = account_sid
        self._auth_token = auth_token
        self.status_callback_url = status_callback_url
        self.from_number = from_number or None
        self.messaging_service_sid = messaging_service_sid or None
        self.messages_url = f"{base_url.rstrip('/')}/{codes.API_VERSION}/Accounts/{account_sid}/Messages.json"
        self._messages_folder = self.messages_url.removesuffix(".json")  # + /{MessageSid}.json
        self.concurrency = concurrency
        self._timeout = timeout
        self._validator = RequestValidator(auth_token)
        # Enough pooled connections for `concurrency` requests, so none waits into a PoolTimeout.
        self._use_client(http_client, limits=httpx.Limits(max_connections=max(concurrency, 10),
                                                          max_keepalive_connections=concurrency))

    def __repr__(self) -> str:  # never show the auth token
        return f"TwilioProvider(account_sid={self.account_sid!r}, concurrency={self.concurrency})"


    # --- sending ------------------------------------------------------------------------
    async def submit(self, messages: Sequence[OutgoingMessage]) -> list[SubmitResult]:
        semaphore = self._semaphore()
        return list(await asyncio.gather(*(self._submit_one(message, semaphore) for message in messages)))


    async def _submit_one(self, message: OutgoingMessage, semaphore: asyncio.Semaphore) -> SubmitResult:
        body, fell_back = message.text, False
        if message.kind == "card":
            if not message.fallback_text:
                return SubmitResult(
                    message.client_ref, SubmitStatus.rejected, None, "card_unsupported",
                    "Twilio cannot show card messages and no fallback text was given",
                )
            # Twilio has no cards at all: every card goes out as its plain SMS fallback.
            body, fell_back = message.fallback_text, True
        form = self._create_form(message, body)
        async with semaphore:
            try:
                response = await self._client.post(
                    self.messages_url,
                    content=urlencode(form).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                    auth=(self.account_sid, self._auth_token),
                    timeout=self._timeout,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                # The request never left: nothing was processed.
                return _result(message, SubmitStatus.transient, "connection_failed", describe_error(error))
            except httpx.HTTPError as error:
                # Read/write timeout, cut connection...: Twilio may have created the message.
                return _result(message, SubmitStatus.unknown, "no_answer", describe_error(error))
        return _from_response(message, response, fell_back)

    def _create_form(self, message: OutgoingMessage, body: str) -> list[tuple[str, str]]:
        form = [("To", message.phone)]
        if self.from_number:
            form.append(("From", self.from_number))
        if self.messaging_service_sid:
            form.append(("MessagingServiceSid", self.messaging_service_sid))
        if body or message.kind != "digital":
            form.append(("Body", body))  # an empty text Body gets Twilio's own 21602 answer
        if message.kind == "digital":
            form.extend(("MediaUrl", url) for url in message.media_urls)
        form.append(("StatusCallback", callback_url(self.status_callback_url, message.client_ref)))
        return form

    # --- asking Twilio (receipts by pull) -------------------------------------------------
    # A lost create cannot be asked about (no `check_submissions`): Twilio knows our reference
    # only inside the StatusCallback URL, which nothing documented finds a message by.
    async def query_receipts(self, sent: Sequence[SentRef]) -> list[Receipt]:
        """The final statuses of these messages: one fetch each by its sid, in the same
        `concurrency` slots as creates. A message still queued or sent, one without a sid, or
        one Twilio did not answer about gives no receipt; a 429 ends the round for the rest."""
        semaphore, problems = self._semaphore(), Counter()  # what went wrong, told once per round
        asked = [item for item in sent if item.provider_id]
        fetched = await asyncio.gather(*(self._fetch_receipt(item, semaphore, problems) for item in asked))
        if problems:
            log.warning("twilio: %d of %d receipt queries got no answer (%s)", sum(problems.values()), len(asked),
                        ", ".join(f"{problem} x{count}" for problem, count in problems.most_common()))
        return [receipt for receipt in fetched if receipt is not None]

    async def _fetch_receipt(self, sent: SentRef, semaphore: asyncio.Semaphore,
                             problems: Counter[str]) -> Receipt | None:
        async with semaphore:
            if problems["HTTP 429"]:
                problems["not asked after a 429"] += 1
                return None
            try:
                response = await self._client.get(
                    f"{self._messages_folder}/{quote(sent.provider_id or '', safe='')}.json",
                    headers={"Accept": "application/json"}, auth=(self.account_sid, self._auth_token),
                    timeout=self._timeout)
            except httpx.HTTPError as error:
                problems[type(error).__name__] += 1
                return None
            if response.status_code != 200:  # counted before the slot is freed: the next sees a 429
                problems[f"HTTP {response.status_code}"] += 1
        return receipt_from_fetch(sent, response)

    # --- webhooks -----------------------------------------------------------------------
    def verify_webhook(self, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        signature = header(headers, SIGNATURE_HEADER)
        if not signature or not url:
            return False
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        # JSON webhooks are signed over the URL, with the body's hash in `bodySHA256`; the
        # validator checks that hash when handed the raw body as a string.
        params: FormParams | str = text if "bodySHA256" in parse_qs(urlsplit(url).query) else FormParams(text)
        try:
            return bool(self._validator.validate(url, params, signature))
        except (TypeError, ValueError):
            return False

    def parse_receipts(self, body: bytes, headers: Mapping[str, str] | None = None, url: str = "") -> list[Receipt]:
        form = _form(body)
        outcome = final_outcome(form.get("MessageStatus") or form.get("SmsStatus"), form.get("ErrorCode"))
        if outcome is None:
            return []  # queued, sent, read, an incoming message...: nothing final to record
        return [
            Receipt(
                client_ref=_query_value(url, REF_PARAMETER),
                provider_id=form.get("MessageSid") or form.get("SmsSid") or None,
                status=outcome.status,
                error_code=outcome.error_code,
                error_message=outcome.error_message,
                # RawDlrDoneDate has no time zone: the moment we hear of it is the honest time.
                at=datetime.now(UTC),
                phone=form.get("To") or None,
            )
        ]

    def parse_inbound(
        self, body: bytes, headers: Mapping[str, str] | None = None, url: str = ""
    ) -> list[InboundMessage]:
        form = _form(body)
        status = form.get("SmsStatus") or form.get("MessageStatus")
        phone = form.get("From")
        if not phone or status not in INBOUND_STATUSES | {None}:
            return []
        if status is None and "Body" not in form:
            return []  # neither an incoming message nor a status we know
        return [InboundMessage(phone=phone, text=form.get("Body", ""), at=datetime.now(UTC))]

    def webhook_answer(self) -> tuple[int, bytes, str]:
        # Empty TwiML: Twilio sends no reply of its own to an incoming message.
        return 200, EMPTY_TWIML, "text/xml"


class FormParams:
    """Form fields with repeated names kept, as `RequestValidator` expects (it calls `getlist`)."""

    def __init__(self, text: str) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in parse_qsl(text, keep_blank_values=True):
            self._values.setdefault(name, []).append(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __getitem__(self, name: str) -> str:
        return self._values[name][-1]

    def getlist(self, name: str) -> list[str]:
        return list(self._values.get(name, []))


def callback_url(base: str, client_ref: str) -> str:
    """`base` with `ref=<client_ref>` added to its query (any query it has is kept as is)."""
    parts = urlsplit(base)
    extra = urlencode({REF_PARAMETER: client_ref})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header from a case-insensitive mapping (starlette, httpx) or a plain dict."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value


def _form(body: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def _query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name) if url else None
    return values[-1] if values else None



def _result(
    message: OutgoingMessage, status: SubmitStatus, code: str, text: str, retry_after: float | None = None
) -> SubmitResult:
    return SubmitResult(message.client_ref, status, None, code, text, retry_after=retry_after)


def _from_response(message: OutgoingMessage, response: httpx.Response, fell_back: bool) -> SubmitResult:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    twilio_code = body.get("code")
    code = str(twilio_code) if twilio_code is not None else f"http_{status}"
    text = str(body.get("message") or f"HTTP {status}")
    if 200 <= status < 300:
        if body.get("status") in FAILED_STATUSES:  # created, but already failed
            error = body.get("error_code")
            return SubmitResult(message.client_ref, SubmitStatus.rejected, body.get("sid"),
                                str(error) if error is not None else "failed",
                                body.get("error_message") or codes.delivery_failure_reason(error, body["status"]))
        # No sid would be odd, but the message exists; its callbacks still name it by `ref`.
        return SubmitResult(message.client_ref, SubmitStatus.accepted, body.get("sid"), fell_back=fell_back)
    if status == 429 or twilio_code in codes.THROTTLING_CODES:
        return _result(message, SubmitStatus.throttled, code, text, _retry_after(response))
    if status in (401, 403):
        # Our credentials are wrong: nothing was sent, and the recipients are not at fault.
        return _result(message, SubmitStatus.transient, code,
                       f"HTTP {status}: {text}; check the Twilio account SID and auth token")
    if status >= 500:
        return _result(message, SubmitStatus.transient, code, text)
    if 400 <= status < 500:
        return _result(message, SubmitStatus.rejected, code, text)
    return _result(message, SubmitStatus.unknown, "bad_answer", f"unexpected HTTP {status} from Twilio")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
