"""The Huawei fake served over real HTTP on loopback, and the messages the tests send through it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from huaweicloudsdksmsapi.v1 import SMSApiClient
from huaweicloudsdksmsapi.v1.smsapi_credentials import SMSApiCredentials

from bot.providers import OutgoingMessage, RegisteredContent
from bot.providers.huawei import HuaweiProvider
from bot.threaded_server import ThreadedServer
from tests.provider_fakes.huawei import FakeHuaweiConfig, FakeHuaweiState, create_fake_huawei
from tests.providers.conftest import phone

APP_KEY = "c8RWg3ggEcyd4D3p94bf3Y7x1Ile"
APP_SECRET = "q4Ii87BhST9vcs8wvrzN80SfD7Al"
SENDER = "csms12345678"  # the channel number
TOKEN = "receipt-token-" + "h" * 24
SIGN = "华为云短信测试"
TEMPLATE_ID = "8ff55eac1d0b478ab3c06c3c6a492300"
# Its body names ${name} first, then ${code}: parameters go by position, in that order.
TEXT = RegisteredContent(sign_name=SIGN, template_name="welcome", template_code=TEMPLATE_ID,
                         variables=("name", "code"))


def texts(count: int, *, start: int = 0, prefix: str = "r", campaign: str = "task-1",
          registered: RegisteredContent = TEXT, kind: str = "text",
          params: Callable[[int], dict[str, str]] | None = None) -> list[OutgoingMessage]:
    # The file's columns come in another order than the template's variables.
    make = params or (lambda i: {"code": str(i), "name": f"客户 {i}"})
    return [OutgoingMessage(f"{prefix}{i}", phone(i), "", kind=kind, campaign=campaign, params=make(i),
                            registered=registered)
            for i in range(start, start + count)]


@dataclass
class RunningFake:
    url: str
    state: FakeHuaweiState
    config: FakeHuaweiConfig

    def provider(self, **options: Any) -> HuaweiProvider:
        options.setdefault("timeout", 5.0)
        options.setdefault("base_url", self.url)
        # Nobody listens there unless a test gives its receiver: reports are dropped at once.
        options.setdefault("status_callback_url", "http://127.0.0.1:9/webhooks/sms/huawei")
        secret = options.pop("app_secret", APP_SECRET)
        return HuaweiProvider(APP_KEY, secret, sender=SENDER, webhook_token=TOKEN, **options)

    def sdk(self, secret: str = APP_SECRET) -> SMSApiClient:
        """Huawei's official client, its endpoint the fake's address."""
        return (SMSApiClient.new_builder().with_credentials(SMSApiCredentials(APP_KEY, secret))
                .with_endpoint(self.url).build())


@pytest.fixture(name="start_fake")
def start_fake_fixture() -> Iterator[Callable[..., RunningFake]]:
    """`start_fake(**config)`: a fake with these settings, served until the test ends."""
    servers: list[ThreadedServer] = []

    def start(**overrides: Any) -> RunningFake:
        # No status reports unless a test wants them: pushes cost time on a busy machine.
        settings: dict[str, Any] = dict(apps={APP_KEY: APP_SECRET}, senders={SENDER}, deliver_ratio=0.0,
                                        fail_ratio=0.0, seed=7, receipt_latency=(0.0, 0.0),
                                        report_flush_interval=0.05)
        config = FakeHuaweiConfig(**(settings | overrides))
        app, state = create_fake_huawei(config)
        server = ThreadedServer(app).start()
        servers.append(server)
        return RunningFake(server.url, state, config)

    yield start
    for server in servers:
        server.stop()
