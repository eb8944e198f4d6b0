"""The provider a deployment sends through, from its settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pydantic import SecretStr

from bot.providers.base import SmsProvider
from bot.providers.simulator import SimulatorConfig, SimulatorProvider, create_gateway_app
from bot.threaded_server import ThreadedServer


@dataclass
class ProviderSetup:
    provider: SmsProvider
    embedded_gateway: ThreadedServer | None = None

    def stop(self) -> None:
        if self.embedded_gateway is not None:
            self.embedded_gateway.stop()


def simulator_credentials(settings) -> tuple[str, str]:
    """Configured, or made up for an embedded gateway that only this process talks to."""
    key = settings.simulator_api_key or SecretStr(secrets.token_urlsafe(24))
    secret = settings.simulator_secret or SecretStr(secrets.token_urlsafe(24))
    settings.simulator_api_key, settings.simulator_secret = key, secret
    return key.get_secret_value(), secret.get_secret_value()


def webhook_url(settings, provider_name: str, default_base: str, application: str | None = None) -> str:
    """`application`: an SMS application's own provider posts to its own path."""
    path = f"/webhooks/sms/{provider_name}" + (f"/{application}" if application else "")
    return f"{(settings.public_url or default_base).rstrip('/')}{path}"


def make_provider(settings, *, own_url: str, application: str | None = None) -> ProviderSetup:
    """`own_url`: where this process serves its webhooks, for an embedded gateway.
    `application`: the SMS application it is built for, when not the deployment's own."""
    settings.require_provider()
    if settings.provider == "twilio":
        from bot.providers.twilio import TwilioProvider

        return ProviderSetup(TwilioProvider(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
            status_callback_url=webhook_url(settings, "twilio", own_url, application), from_number=settings.twilio_from,
            messaging_service_sid=settings.twilio_messaging_service_sid, base_url=settings.twilio_base_url,
            concurrency=settings.send_concurrency))
    if settings.provider == "alibaba":
        from bot.providers.alibaba import AlibabaProvider

        return ProviderSetup(AlibabaProvider(
            settings.alibaba_access_key_id, settings.alibaba_access_key_secret.get_secret_value(),
            webhook_token=settings.alibaba_webhook_token.get_secret_value(), base_url=settings.alibaba_base_url,
            concurrency=settings.send_concurrency))
    if settings.provider == "huawei":
        from bot.providers.huawei import HuaweiProvider

        return ProviderSetup(HuaweiProvider(
            settings.huawei_app_key, settings.huawei_app_secret.get_secret_value(), sender=settings.huawei_sender,
            status_callback_url=webhook_url(settings, "huawei", own_url, application),
            webhook_token=settings.huawei_webhook_token.get_secret_value(), base_url=settings.huawei_base_url,
            auth_scheme=settings.huawei_auth_scheme, concurrency=settings.send_concurrency))
    if settings.provider == "ucloud":
        from bot.providers.ucloud import UCloudProvider

        token = settings.ucloud_webhook_token
        return ProviderSetup(UCloudProvider(
            settings.ucloud_public_key, settings.ucloud_private_key.get_secret_value(),
            webhook_token=token.get_secret_value() if token else None, project_id=settings.ucloud_project_id,
            base_url=settings.ucloud_base_url, concurrency=settings.send_concurrency))
    return simulator_setup(settings, own_url, application)


def simulator_setup(settings, own_url: str, application: str | None = None) -> ProviderSetup:
    """The simulator gateway configured, or one embedded in this process."""
    api_key, secret = simulator_credentials(settings)
    if settings.simulator_url:
        return ProviderSetup(SimulatorProvider(settings.simulator_url, api_key, secret))
    config = SimulatorConfig(api_key=api_key, receipt_secret=secret,
                             receipt_url=webhook_url(settings, "simulator", own_url, application))
    app, _state = create_gateway_app(config)
    gateway = ThreadedServer(app).start()
    return ProviderSetup(SimulatorProvider(gateway.url, api_key, secret), gateway)
