"""The provider of each SMS application in this process.

The deployment's own provider (SMSBOT_PROVIDER, or the one a test or the sandbox set up)
serves every application that sends through the same provider with the same settings; one
with settings of its own (`SMSBOT_APP_<NAME>_*`, a sender) gets its own client, built the first
time it is needed, whichever process needs it: the dispatcher to send, the web process to take
its receipts at `/webhooks/sms/<provider>/<application>`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.application_settings import application_settings, check_application_settings
from bot.providers.base import SmsProvider
from bot.providers.factory import ProviderSetup, make_provider
from domain.applications import Application
from domain.use_cases.applications import read_applications

log = logging.getLogger(__name__)


class ProviderRoster:
    def __init__(self, settings, default: SmsProvider, *, own_url: str, uow: Callable) -> None:
        """`uow`: where the SMS applications are, as they are now."""
        self._settings, self.default, self._own_url, self.uow = settings, default, own_url, uow
        self._providers: dict[int, SmsProvider] = {}
        self._setups: list[ProviderSetup] = []
        self._lock = threading.Lock()

    def install(self, application_id: int, provider: SmsProvider) -> None:
        """An application's provider set up already (the sandbox's, a test's fake)."""
        self._providers[application_id] = provider

    def provider_for(self, application: Application) -> SmsProvider:
        """Raises SettingsError (one line) when its provider lacks a setting."""
        with self._lock:
            provider = self._providers.get(application.id)
            if provider is None:
                provider = self._providers[application.id] = self._build(application)
            return provider

    def _build(self, application: Application) -> SmsProvider:
        if application.provider == "simulator" and self.default.name == "simulator":
            return self.default  # the simulator stands in for any application
        settings, differs = application_settings(self._settings, application)
        if not differs:
            return self.default
        check_application_settings(self._settings, application)  # a missing setting named by its own prefix
        setup = make_provider(settings, own_url=self._own_url, application=application.name.casefold())
        self._setups.append(setup)
        log.info("application %s sends through its own %s client", application.name, application.provider)
        return setup.provider

    def for_webhook(self, provider_name: str, application_name: str | None) -> SmsProvider | None:
        """The provider a webhook at /webhooks/sms/<provider>[/<application>] is for, if any."""
        if application_name is None:
            return self.default if self.default.name == provider_name else None
        wanted = application_name.casefold()
        application = next((a for a in read_applications(self.uow(), self._settings.provider)
                            if a.name.casefold() == wanted), None)
        if application is None or application.provider != provider_name:
            return None
        provider = self.provider_for(application)
        return provider if provider is not self.default else None

    def providers(self) -> list[SmsProvider]:
        """Each client built so far, once."""
        return list({id(p): p for p in (self.default, *self._providers.values())}.values())

    async def aclose(self) -> None:
        for provider in self.providers():
            await provider.aclose()
        for setup in self._setups:
            setup.stop()
