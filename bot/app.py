"""The Slack app and what it stands on: the engine, the unit of work, the clock and the
provider a test send goes through. The composition root (`bot.composition`) builds a process
around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from sqlalchemy.engine import Engine

from bot.dispatcher import TestSender
from bot.metrics import MeteredWebClient
from bot.providers.base import SmsProvider
from bot.providers.roster import ProviderRoster
from bot.application_settings import check_application_settings
from bot.settings import Settings, SettingsError
from domain.applications import Application
from handlers import register_all
from handlers.approvals_channel import ApprovalsChannel
from handlers.progress import ProgressSignal, StartSignal
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork


@dataclass
class Runtime:
    """What one process holds: the settings, the engine, the Slack app and, where this process
    sends, the provider."""

    settings: Settings
    engine: Engine
    slack: AsyncApp
    uow: Callable[[], SqlUnitOfWork]
    clock: Callable[[], datetime]
    approvals_channel: ApprovalsChannel
    progress_signal: ProgressSignal
    start_signal: StartSignal
    providers: ProviderRoster | None = None  # each SMS application's provider, where this process sends

    def close(self) -> None:
        self.engine.dispose()


def application_problem(settings: Settings, application: Application) -> str | None:
    """The setting an SMS application's provider lacks (one line), or None."""
    try:
        check_application_settings(settings, application)
    except SettingsError as error:
        return str(error)
    return None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def build_runtime(settings: Settings, clock: Callable[[], datetime] = utc_now, *,
                  provider: SmsProvider | None = None, own_url: str | None = None) -> Runtime:
    """`clock` is the one source of the current time, so tests can move it. Without a
    `provider` (the deployment's own) the app takes requests but a test send is refused.
    `own_url`: where this process serves webhooks, for an application's embedded gateway."""
    settings.require("slack_signing_secret", "slack_bot_token")
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    token = settings.slack_bot_token.get_secret_value()
    slack = AsyncApp(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        # Slack's 429 answers are waited out (Retry-After), and the progress message catches up.
        client=MeteredWebClient(token=token, base_url=settings.slack_api_url,
                                retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)]),
    )
    uow = lambda: SqlUnitOfWork(session_factory)  # noqa: E731  (a fresh unit of work per use case)
    providers = (ProviderRoster(settings, provider, own_url=own_url or settings.public_url or "http://127.0.0.1",
                                uow=uow)
                 if provider is not None else None)
    test_sender = TestSender(providers) if providers is not None else None
    approvals_channel = ApprovalsChannel(settings.approvals_channel)
    progress_signal = ProgressSignal()  # Pause, Resume and Stop wake this process's notifier
    start_signal = StartSignal()  # an approval wakes this process's sending
    register_all(slack, settings=settings, uow=uow, clock=clock,
                 test_send=test_sender.send if test_sender is not None else None,
                 approvals_channel=approvals_channel, progress_signal=progress_signal, start_signal=start_signal,
                 check_application=lambda application: application_problem(settings, application))
    return Runtime(settings=settings, engine=engine, slack=slack, uow=uow, clock=clock,
                   approvals_channel=approvals_channel, progress_signal=progress_signal, start_signal=start_signal,
                   providers=providers)
