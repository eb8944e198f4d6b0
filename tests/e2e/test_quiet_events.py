"""Events smsbot has no work for are acknowledged without a warning: an app subscribed to
file_shared (configured by hand, or from an older manifest) gets one with every upload."""

from __future__ import annotations

import logging

import pytest

from bot.manifest import bot_events
from bot.sandbox.emulator import Workspace
from bot.sandbox.emulator.defaults import GENERAL_CHANNEL_ID, SENDER_ID
from tests.e2e.imports import final_reply
from tests.e2e.test_recipient_imports import CSV, stored_lists


@pytest.fixture
def workspace():
    return Workspace(bot_events=[*bot_events(), "file_shared"])


async def test_a_file_shared_event_is_acknowledged_without_a_warning(workspace, driver, uow, caplog):
    caplog.set_level(logging.INFO)
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "spring.csv", CSV)
    assert [response.status_code for response in shared.responses] == [200, 200]  # the message, then file_shared
    await final_reply(workspace, GENERAL_CHANNEL_ID, shared.message_ts)
    assert len(stored_lists(uow)) == 1  # imported once, from the message event
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
