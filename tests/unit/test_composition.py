"""The one composition root: what each process starts, and what the runtime never loads."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.composition import http_parts, socket_mode_parts, worker_parts
from bot.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


def test_every_mode_starts_the_dispatcher_and_the_tick_and_only_http_takes_slack_requests():
    settings = load_settings(tick_seconds=5)
    http, socket_mode, worker = http_parts(settings), socket_mode_parts(settings), worker_parts(settings)
    for parts in (http, socket_mode, worker):
        assert parts.dispatcher and parts.ticks and parts.tick_seconds == 5
    assert (http.slack_http, socket_mode.slack_http, worker.slack_http) == (True, False, False)
    assert (http.socket_mode, socket_mode.socket_mode, worker.socket_mode) == (False, True, False)
    # Providers push receipts over HTTP, so a Socket Mode process still serves the webhooks.
    assert http.webhooks and socket_mode.webhooks and not worker.webhooks


def test_a_web_process_may_leave_sending_to_workers():
    assert not http_parts(load_settings(dispatcher=False)).dispatcher


@pytest.mark.parametrize("entry", ["bot.cli", "bot.composition"])
def test_the_runtime_loads_neither_the_emulator_nor_test_code(entry):
    code = (f"import sys, {entry}; "
            "print(sorted(m for m in sys.modules if m.startswith(('bot.sandbox', 'tests'))))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["bot.providers.alibaba", "bot.providers.huawei", "bot.providers.ucloud",
                                    "bot.providers.twilio", "bot.providers.simulator", "bot.providers.registered",
                                    "bot.providers.factory"])
def test_each_provider_adapter_imports_on_its_own(module):
    """A deployment loads only its provider's adapter: one imported first, before any other, must
    not trip over another's half-loaded package (Huawei's did, through the shared number rules)."""
    imported = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
