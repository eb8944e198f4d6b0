"""What a provider's refusal means for a send, per provider: one number's fault (that number
fails, the send goes on), not now (nothing was sent: the number is tried again later), or the
account's, credentials' or content's fault (no number of the send can go: the send fails at
once, saying which error, and every number not yet sent is released unsent).

The codes are the providers' own (../shared/PROVIDERS.md); the adapters hand them on as
`error_code` with the status they read from the answer (rejected, throttled, transient,
unknown), which decides between the first two kinds."""

from __future__ import annotations

from enum import StrEnum

from domain.i18n import N_, _


class ErrorKind(StrEnum):
    PER_NUMBER = "per_number"
    TRANSIENT = "transient"
    FATAL = "fatal"


FATAL_CODES: dict[str, frozenset[str]] = {
    # The simulator refuses a wrong API key with 401, which its adapter names "unauthorized".
    "simulator": frozenset({"unauthorized"}),
    "twilio": frozenset({
        "20003",  # authenticate: wrong account SID or auth token
        "20005",  # the account is not active
        "20404",  # the account, service or sender is not found
        "21603",  # neither From nor MessagingServiceSid: the sender is not configured
        "21606",  # the From number is not a valid, SMS-capable number of the account
        "21212",  # the From number is invalid
        "30002",  # the account is suspended
    }),
    "alibaba": frozenset({
        # credentials and request signing
        "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive",
        "InvalidTimeStamp.Expired", "InvalidTimeStamp.Format", "SignatureNonceUsed", "IncompleteSignature",
        "Forbidden.AccessKeyDisabled", "isp.RAM_PERMISSION_DENY",
        # the account: no balance, suspended for arrears, its console quotas reached
        "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE", "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL",
        # the content: the template or the signature is not approved (or not for this use)
        "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
    }),
    "huawei": frozenset({
        # credentials and request signing: the Authorization or X-WSSE header, the AK/SK
        # signature, an unknown or unusable app_key or app_secret
        "E000001", "E000002", "E000003", "E000004", "E000005", "E000006", "E000007", "E000008",
        "E000020", "E000021", "E000022", "E000023", "E000045",
        "E000101", "E000102", "E000103", "E000104", "E000111",
        # a request Huawei cannot parse: ours to fix, no number would get through
        "E000000", "E000503",
        # the account: frozen (arrears, balance, violation); this server not in the app's IP whitelist
        "E000112", "E000620",
        # the content: variables or type not matching the template, template not approved
        "E200028", "E200029", "E200030", "E200031", "E200033",
        # the sender: the channel number is not the app's; no gateway route for the app (sms_05_0051)
        "E200018", "E200027",
        # the adapter's own: a card or digital message, which Message & SMS cannot send
        "kind_not_supported",
    }),
    "ucloud": frozenset({
        # a request UCloud cannot take as written: ours to fix, no number would get through
        "18000", "18001", "18002", "18003", "18019",
        # the account: no SMS balance
        "18013",
        # the content: no signature, template missing or not approved, parameters not matching,
        # a forbidden word; a template and signature group refused whole
        "18016", "18017", "18018", "18023", "group_refused",
        # credentials and request signing, the project and the API key's permissions
        "160", "161", "170", "171", "172", "173", "174", "180",
        "290", "291", "292", "293", "294", "295", "299",
        "kind_not_supported",
    }),
}
# A code no table names, of a kind that can only be the deployment's: missing credentials.
FATAL_PREFIXES: dict[str, tuple[str, ...]] = {"alibaba": ("Missing", "InvalidAccessKey")}


def classify(provider: str, status: str, code: str | None) -> ErrorKind:
    """`status`: what the adapter read (rejected, throttled, transient, unknown); `code`: the
    provider's error code."""
    if code and (code in FATAL_CODES.get(provider, ()) or code.startswith(FATAL_PREFIXES.get(provider, ()))):
        return ErrorKind.FATAL
    if status == "rejected":
        return ErrorKind.PER_NUMBER
    return ErrorKind.TRANSIENT


# A failed task's reason, stored in English with the provider's words in it (`fatal_cause`);
# `refusal_in_words` says it in the reader's language.
REFUSED_THE_SEND = N_("the provider refused the send: {said}")
_REFUSED_PREFIX = REFUSED_THE_SEND.removesuffix("{said}")


def fatal_cause(provider: str, code: str, message: str | None) -> str:
    """How the thread, the card and the list say why the send failed (stored in English)."""
    said = f"{message} ({code})" if message and code not in message else (message or code)
    return REFUSED_THE_SEND.format(said=said)


def refusal_in_words(reason: str) -> str | None:
    """A stored `fatal_cause` in the reader's language (the provider's own words kept); None
    for any other reason."""
    if not reason.startswith(_REFUSED_PREFIX):
        return None
    return _(REFUSED_THE_SEND, said=reason.removeprefix(_REFUSED_PREFIX))
