"""The app factory: one AsyncApp wired to the settings, storage and every feature's listeners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.settings import Settings
from handlers import register_all
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork


@dataclass
class Runtime:
    """What one process holds: the settings, the engine and the Slack app."""

    settings: Settings
    engine: Engine
    slack: AsyncApp
    uow: Callable[[], SqlUnitOfWork]
    clock: Callable[[], datetime]
    # Filled in once sending is up (a web process with a provider): handlers reach it here.
    services: dict = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def build_runtime(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Runtime:
    """`clock` is the one source of the current time, so tests can move it."""
    settings.require("slack_signing_secret", "slack_bot_token")
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    token = settings.slack_bot_token.get_secret_value()
    slack = AsyncApp(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        # Slack's 429 answers are waited out (Retry-After), and the progress message catches up.
        client=AsyncWebClient(token=token, base_url=settings.slack_api_url,
                              retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)]),
    )
    uow = lambda: SqlUnitOfWork(session_factory)  # noqa: E731  (a fresh unit of work per use case)
    services: dict = {}
    register_all(slack, settings=settings, uow=uow, clock=clock, services=services)
    return Runtime(settings=settings, engine=engine, slack=slack, uow=uow, clock=clock, services=services)
