"""The one settings object, read once from SMSBOT_* variables and a .env file."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.applications import RENDERS_TEMPLATES
from domain.i18n import ENGLISH, N_, _, current_language, n_
from domain.local_windows import RecipientWindows, WindowBasis
from domain.optout import DEFAULT_KEYWORDS
from domain.schedule import Cutoffs, SendWindow, StartRules, WindowScope, parse_send_window
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "SMSBOT_"
SLACK_API_URL = "https://slack.com/api/"
# Users are U… ids, and W… ids in Enterprise Grid; user groups are S… ids.
_USER_OR_GROUP_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable, in the deployment's
    language (SMSBOT_LANGUAGE) on the command line, in the reader's in Slack. `setting`: the
    field it is about (`twilio_from`), where one is."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite:///smsbot.db"
    timezone: str = "UTC"
    approvers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    approvals_channel: str | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # What channel and thread messages are written in, and anything not said to one person;
    # each person's own replies, modals, DMs and Home are in their Slack language or their choice.
    language: Literal["en", "zh"] = "en"
    default_region: str = "CN"
    max_file_mb: float = Field(default=12, gt=0, le=100)
    max_recipients: int = Field(default=1_000_000, gt=0, le=10_000_000)
    signature_style: Literal["brackets", "colon"] = "brackets"
    optout_hint: str = Field(default="Reply STOP to opt out", min_length=1, max_length=60)
    allow_self_approval: bool = False
    # How the requester hears of approval, rejection, start, completion and failure: a DM with
    # a link to the thread, or a mention in the thread.
    tell_requester: Literal["dm", "thread"] = "dm"
    price_per_segment: Decimal = Field(default=Decimal("0.045"), ge=0)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    send_window: str = "08:00-22:00"
    # How long before its send time a scheduled task can still be edited, and canceled or deleted.
    edit_cutoff_minutes: int = Field(default=10, ge=0, le=1440)
    cancel_cutoff_minutes: int = Field(default=5, ge=0, le=1440)
    # Which sends the window holds: every one (the mainland rule the consoles follow) or promotional only.
    window_applies_to: WindowScope = WindowScope.ALL
    # recipient: international numbers get the window's hours in their own time zone (mainland
    # numbers keep SMSBOT_TIMEZONE's); workspace: every number by SMSBOT_TIMEZONE's.
    window_basis: WindowBasis = WindowBasis.RECIPIENT
    provider: Literal["simulator", "twilio", "alibaba", "huawei", "ucloud"] = "simulator"
    simulator_url: str | None = None  # None: `smsbot serve` runs the simulator gateway itself
    simulator_api_key: SecretStr | None = None
    simulator_secret: SecretStr | None = None
    twilio_account_sid: str | None = Field(default=None, pattern=r"^AC[0-9a-fA-F]{32}$")
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None  # a number in E.164 or an alphanumeric sender id
    twilio_messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9a-fA-F]{32}$")
    twilio_base_url: str = "https://api.twilio.com"
    alibaba_access_key_id: str | None = None
    alibaba_access_key_secret: SecretStr | None = None
    # The receipts URL configured in Alibaba's console carries it: its pushes are not signed.
    alibaba_webhook_token: SecretStr | None = Field(default=None, min_length=24)
    alibaba_base_url: str = "https://dysmsapi.aliyuncs.com"
    huawei_app_key: str | None = None
    huawei_app_secret: SecretStr | None = None
    huawei_sender: str | None = Field(default=None, min_length=1, max_length=21)  # the channel number
    # The "APP access address" the console shows; this is the Chinese mainland one.
    huawei_base_url: str = "https://smsapi.cn-north-4.myhuaweicloud.com:443"
    huawei_auth_scheme: Literal["aksk", "wsse"] = "aksk"
    # Every URL Huawei pushes to carries it: its status reports and replies are not signed.
    huawei_webhook_token: SecretStr | None = Field(default=None, min_length=24)
    ucloud_public_key: str | None = None
    ucloud_private_key: SecretStr | None = None
    ucloud_project_id: str | None = None  # required for a sub-account's keys
    ucloud_base_url: str = "https://api.ucloud.cn"
    # The URL given to UCloud for pushes carries it (they are not signed); unset, receipts are pulled only.
    ucloud_webhook_token: SecretStr | None = Field(default=None, min_length=24)
    send_concurrency: int = Field(default=10, ge=1, le=100)  # provider requests in flight per dispatcher
    public_url: str | None = None  # where providers post receipts; default: this process on loopback
    # How receipts come: pushed to /webhooks/sms/<provider>, pulled from the provider, or both;
    # auto: pulled where the provider only answers when asked, or in Socket Mode without a public URL.
    receipts: Literal["auto", "push", "pull", "both"] = "auto"
    # Where `serve` listens: Slack's request URL (HTTP mode), the providers' webhooks and the
    # health check (both modes: a Socket Mode process still takes receipts over HTTP).
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    # Where a worker (no web routes of its own) serves GET /metrics; unset: it serves none.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Largest request body read from Slack or a provider; past it, 413 without reading the rest.
    max_request_kb: int = Field(default=1024, ge=64, le=65536)
    dispatcher: bool = True
    # How often the scheduler ticks: start due tasks, settle lost sends, cancel stale tasks, purge.
    tick_seconds: float = Field(default=30, ge=0.5, le=3600)
    dispatch_chunk: int = Field(default=1000, ge=1, le=1000)
    send_rate: float = Field(default=0, ge=0)  # the account's messages a second, shared by every process; 0: as fast as the provider takes
    throttle_pause_after: int = Field(default=20, ge=1)
    fatigue_max: int = Field(default=3, ge=1)
    # Test messages one person may send in 24 hours (a test goes to at most 5 numbers).
    test_send_daily_limit: int = Field(default=20, ge=1, le=1000)
    fatigue_days: int = Field(default=7, ge=1, le=365)
    # Per-recipient details (numbers, outcomes) of a finished task are purged after this many days.
    detail_retention_days: int = Field(default=7, ge=1, le=3650)
    optout_keywords: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(DEFAULT_KEYWORDS))

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError(_("must be a bot token starting with xoxb-"))
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError(_("must be an app-level token starting with xapp-"))
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(_("must be an http(s) URL"))
        return value if value.endswith("/") else value + "/"

    @field_validator("twilio_base_url", "alibaba_base_url", "huawei_base_url", "ucloud_base_url", "simulator_url",
                     "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(_("must be an http(s) URL"))
        return value.rstrip("/") if value else value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(_("must be a sqlite:/// or postgresql:// URL"))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("unknown time zone {value} (use an IANA name like Asia/Shanghai)",
                               value=repr(value))) from None
        return value

    @field_validator("approvers", mode="before")
    @classmethod
    def _split_approvers(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for approver in value or []:
            if not _USER_OR_GROUP_ID.match(approver):
                raise ValueError(_("{value} is not a Slack user id (U… or W…) or user group id (S…)",
                                   value=repr(approver)))
        return value

    @field_validator("approvals_channel")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        if value and not _CHANNEL_ID.match(value):
            raise ValueError(_("{value} is not a Slack channel id (C…)", value=repr(value)))
        return value or None

    @field_validator("log_level")
    @classmethod
    def _log_level_name(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(_("must be one of DEBUG, INFO, WARNING, ERROR"))
        return value.upper()

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        import phonenumbers

        value = value.strip().upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(_("{value} is not a region code phonenumbers knows (e.g. CN, US, GB)", value=repr(value)))
        return value

    @field_validator("optout_keywords", mode="before")
    @classmethod
    def _split_keywords(cls, value: object) -> object:
        if isinstance(value, str):
            value = [word.strip() for word in value.split(",") if word.strip()]
        if not value:
            raise ValueError(_("give at least one opt-out word"))
        return value

    @field_validator("send_window")
    @classmethod
    def _window_shape(cls, value: str) -> str:
        parse_send_window(value)  # raises ValueError with the reason
        return value

    @property
    def sending_window(self) -> SendWindow:
        return SendWindow.parse(self.send_window, self.timezone)

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_kb * 1024

    @property
    def cutoffs(self) -> Cutoffs:
        return Cutoffs(edit=timedelta(minutes=self.edit_cutoff_minutes),
                       cancel=timedelta(minutes=self.cancel_cutoff_minutes))

    @property
    def start_rules(self) -> StartRules:
        return StartRules(self.sending_window, self.window_applies_to)

    @property
    def recipient_windows(self) -> RecipientWindows:
        return RecipientWindows(self.sending_window, self.window_basis, self.window_applies_to)

    @property
    def provider_renders_templates(self) -> bool:
        """Alibaba, Huawei Cloud and UCloud send templates registered with them, filled with each recipient's values."""
        return self.provider in RENDERS_TEMPLATES

    @property
    def approver_user_ids(self) -> frozenset[str]:
        return frozenset(a for a in self.approvers if a.startswith(("U", "W")))

    @property
    def approver_group_ids(self) -> frozenset[str]:
        return frozenset(a for a in self.approvers if a.startswith("S"))

    def secret_values(self) -> list[str]:
        """Every secret this process holds, so that logging can redact them."""
        secrets = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token,
                   self.simulator_api_key, self.simulator_secret, self.twilio_auth_token,
                   self.alibaba_access_key_secret, self.alibaba_webhook_token,
                   self.huawei_app_secret, self.huawei_webhook_token, self.ucloud_private_key,
                   self.ucloud_webhook_token)
        own = [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]
        from bot.application_settings import application_secrets  # it builds on this module

        return own + application_secrets()

    def require(self, *names: str) -> None:
        """Fail with one line naming the first missing setting a command needs."""
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                variable = ENV_PREFIX + name.upper()
                raise SettingsError(_("{setting} is missing: set it in the environment or .env", setting=variable),
                                    setting=name)

    def require_provider(self) -> None:
        """Fail with one line naming the first setting the chosen provider lacks. Real providers
        post receipts to `public_url`, so it must be set for them."""
        if self.provider == "twilio":
            self.require("twilio_account_sid", "twilio_auth_token", "public_url")
            if not (self.twilio_from or self.twilio_messaging_service_sid):
                sender, service = ENV_PREFIX + "TWILIO_FROM", ENV_PREFIX + "TWILIO_MESSAGING_SERVICE_SID"
                raise SettingsError(_("{sender} or {service} is missing: Twilio needs a sender",
                                      sender=sender, service=service), setting="twilio_from")
        elif self.provider == "alibaba":
            self.require("alibaba_access_key_id", "alibaba_access_key_secret", "alibaba_webhook_token", "public_url")
        elif self.provider == "huawei":
            self.require("huawei_app_key", "huawei_app_secret", "huawei_sender", "huawei_webhook_token", "public_url")
        elif self.provider == "ucloud":
            # Receipts are pulled: no public URL needed unless UCloud is to push them.
            self.require("ucloud_public_key", "ucloud_private_key")


def load_settings(**overrides: object) -> Settings:
    """Read the settings once, turning pydantic's report into one line."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise malformed(ENV_PREFIX, error, show_input=True) from None


def malformed(prefix: str, error: ValidationError, *, show_input: bool) -> SettingsError:
    """pydantic's report as one line naming the variable (`prefix` and the field)."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "settings"
    reason = reason_of(first)
    if show_input and first["type"] not in ("value_error", "missing"):
        reason = _("{reason} (got {value})", reason=reason, value=repr(first.get("input")))
    variable = prefix + field.upper()
    return SettingsError(_("{setting} is malformed: {reason}", setting=variable, reason=reason), setting=field)


# What pydantic says of a value of the wrong kind, in its own English words; said in the
# reader's language where it is not English.
PYDANTIC_REASONS = {
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
}


def reason_of(error) -> str:
    """Why a value was refused: our validators' words are already in the reader's language;
    pydantic's are English, and put into the reader's where we know them."""
    english = error["msg"].removeprefix("Value error, ")
    context = error.get("ctx") or {}
    if current_language() == ENGLISH:
        return english
    kind = error["type"]
    if kind in ("literal_error", "enum"):
        return _("Input should be {expected}", expected=_alternatives(context["expected"]))
    if kind in ("string_too_short", "too_short"):
        return n_("Should have at least {count} character", "Should have at least {count} characters",
                  context["min_length"])
    if kind in ("string_too_long", "too_long"):
        return n_("Should have at most {count} character", "Should have at most {count} characters",
                  context["max_length"])
    if kind in PYDANTIC_REASONS:
        return _(PYDANTIC_REASONS[kind], **{name: _limit(value) for name, value in context.items()})
    return english


def _alternatives(expected: str) -> str:
    """pydantic's "'en' or 'zh'" in the reader's words."""
    choices = re.findall(r"'[^']*'", expected)
    if len(choices) < 2:
        return expected
    return _("{choices} or {last}", choices=", ".join(choices[:-1]), last=choices[-1])


def _limit(value: object) -> object:
    """A bound as pydantic writes it: 0, not 0.0."""
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    return value
