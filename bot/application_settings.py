"""An SMS application's provider settings: the deployment's, with the application's own
`SMSBOT_APP_<NAME>_*` variables over them.

Credentials never pass through Slack: an application added with `/sms app add intl twilio …`
sends with `SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID` and the like where they are set, else with the
deployment's own `SMSBOT_TWILIO_*`. Any provider setting can be given so (its base URL, its
webhook token, send concurrency), under the same name with the application's prefix.
"""

from __future__ import annotations

import os

from pydantic import ValidationError

from bot.settings import ENV_PREFIX, Settings, SettingsError, malformed
from domain.applications import PROVIDERS, Application
from domain.i18n import _

# The application's sender stands for the provider's sender setting.
SENDER_SETTINGS = {"twilio": "twilio_from", "huawei": "huawei_sender"}
PROVIDER_SETTINGS = frozenset(name for name in Settings.model_fields
                              if name.split("_")[0] in PROVIDERS) | {"send_concurrency"}


def env_prefix(application_name: str) -> str:
    return f"{ENV_PREFIX}APP_{application_name.upper().replace('-', '_')}_"


def own_settings(application_name: str) -> dict[str, object]:
    """The provider settings the application's own variables set (none: it sends with the deployment's)."""
    prefix = env_prefix(application_name)
    try:
        own = Settings(_env_prefix=prefix)
    except ValidationError as error:
        raise malformed(prefix, error, show_input=False) from None
    return {name: getattr(own, name) for name in own.model_fields_set if name in PROVIDER_SETTINGS}


def application_settings(settings: Settings, application: Application) -> tuple[Settings, bool]:
    """(its settings, whether they differ from the deployment's provider settings)."""
    overrides = own_settings(application.name)
    if application.sender and application.provider in SENDER_SETTINGS:
        overrides[SENDER_SETTINGS[application.provider]] = application.sender
    merged = settings.model_copy(update={**overrides, "provider": application.provider})
    return merged, bool(overrides) or application.provider != settings.provider


def check_application_settings(settings: Settings, application: Application) -> None:
    """One line naming the first setting the application's provider lacks, under its own prefix."""
    merged, _differs = application_settings(settings, application)
    try:
        merged.require_provider()
    except SettingsError as error:
        if error.setting not in PROVIDER_SETTINGS:
            raise  # the deployment's own (its public URL)
        deployments = f"{ENV_PREFIX}{error.setting.upper()}"
        own = str(error).replace(deployments, f"{env_prefix(application.name)}{error.setting.upper()}", 1)
        raise SettingsError(_("{problem} (or the deployment's {setting})", problem=own, setting=deployments),
                            setting=error.setting) from None


def application_secrets() -> list[str]:
    """Every secret set for an application, so that logging can redact them."""
    secret_names = {name.upper() for name, field in Settings.model_fields.items()
                    if field.annotation is not None and "SecretStr" in str(field.annotation)}
    return [value for key, value in os.environ.items()
            if key.startswith(f"{ENV_PREFIX}APP_") and value and any(key.endswith(f"_{n}") for n in secret_names)]

