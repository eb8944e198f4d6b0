"""Each person in their language: a Slack locale of zh-CN (users.info with include_locale) gets
Chinese; `/sms language en|zh|auto` overrides it, and is refused in their language when
unknown; the deployment's SMSBOT_LANGUAGE is what the rest get."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator.defaults import APPROVER_ID, GENERAL_CHANNEL_ID, SENDER_ID
from tests.e2e.test_dispatch import eventually
from tests.untranslated import shown_texts, untranslated


async def says(workspace, driver, user: str, command: str) -> str:
    before = len(workspace.ephemerals(user_id=user))
    await driver.slash_command(user, GENERAL_CHANNEL_ID, command)
    return (await eventually(lambda: workspace.ephemerals(user_id=user)[before:]))[-1].text


async def test_a_person_whose_slack_speaks_chinese_is_answered_in_chinese(workspace, driver):
    workspace.user(SENDER_ID).locale = "zh-CN"
    assert (await says(workspace, driver, SENDER_ID, "language")).startswith("smsbot 当前使用简体中文与你交流")
    assert (await says(workspace, driver, APPROVER_ID, "language")).startswith("smsbot speaks to you in English")
    [asked] = [c for c in workspace.calls("users.info") if c.args["user"] == SENDER_ID]
    assert asked.args["include_locale"] in ("1", "true", True)
    assert untranslated(shown_texts(workspace.calls(), user=SENDER_ID)) == []


async def test_a_person_chooses_their_language_and_goes_back_to_slacks(workspace, driver, bot_runtime):
    workspace.user(SENDER_ID).locale = "zh-CN"
    assert (await says(workspace, driver, SENDER_ID, "language en")).startswith(
        "smsbot now speaks to you in English. Channel and thread messages stay in the workspace's language.")
    assert (await says(workspace, driver, SENDER_ID, "language")).startswith("smsbot speaks to you in English")
    with bot_runtime.uow() as uow:
        assert uow.preferences.language(SENDER_ID) == "en"  # kept for every process
    assert (await says(workspace, driver, SENDER_ID, "language zh-CN")).startswith("smsbot 今后将使用简体中文与你交流")
    assert (await says(workspace, driver, SENDER_ID, "language auto")).startswith("smsbot 今后将使用简体中文")
    with bot_runtime.uow() as uow:
        assert uow.preferences.language(SENDER_ID) is None


async def test_a_language_smsbot_does_not_speak_is_refused_in_the_askers(workspace, driver, bot_runtime):
    workspace.user(SENDER_ID).locale = "zh-CN"
    refused = await says(workspace, driver, SENDER_ID, "language fr")
    assert "smsbot 支持English / 简体中文：请选择 en, zh 之一" in refused
    with bot_runtime.uow() as uow:
        assert uow.preferences.language(SENDER_ID) is None  # nothing stored


@pytest.mark.parametrize("bot_overrides", [{"language": "zh"}])
async def test_a_person_whose_slack_language_we_do_not_speak_gets_the_deployments(workspace, driver, bot_overrides):
    workspace.user(SENDER_ID).locale = "ja-JP"
    assert (await says(workspace, driver, SENDER_ID, "language")).startswith("smsbot 当前使用简体中文与你交流")
