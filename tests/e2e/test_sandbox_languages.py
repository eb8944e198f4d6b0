"""The sandbox in each person's language: the page's own words come from the catalogs, and the
language switch of the person the page acts as changes their Slack locale, so the page's words
and what smsbot says to them, at once (smsbot is told with `/sms language`, as it would be by
the person). A sandbox started with SMSBOT_LANGUAGE=zh is Chinese for everyone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from bot.sandbox.emulator import Workspace
from bot.sandbox.emulator.defaults import (
    APPROVER_ID,
    GENERAL_CHANNEL_ID,
    SEED_CHANNELS,
    SEED_USERS,
    SENDER_ID,
)
from bot.sandbox.emulator.replies import apply_command_ack
from bot.sandbox.seed import NO_VARIABLES_TEMPLATE, SIGNATURE
from domain.i18n import ENGLISH, set_deployment_language
from tests.e2e.test_sandbox import eventually, page_of, post
from tests.sandbox_harness import served_sandbox
from tests.untranslated import untranslated

# What the page names that is the same in every language: people, channels, commands, the seed.
NAMES = [real_name for _id, _name, real_name in SEED_USERS] + [name for _id, name in SEED_CHANNELS] + [
    "/sms send", "/sms help", "/sms", SIGNATURE, NO_VARIABLES_TEMPLATE, "English", "en-US", "zh-CN"]


def texts(sandbox, language: str) -> dict[str, Any]:
    answer = httpx.get(f"{sandbox.url}/sandbox/api/texts", params={"language": language})
    assert answer.status_code == 200, answer.text
    return answer.json()


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def ephemeral_texts(sandbox, user: str) -> list[str]:
    return [m["text"] for m in page_of(sandbox, user)["messages"] if m["ephemeral"]]


def says(sandbox, user: str, command: str) -> str:
    """What smsbot answers `user` to `/sms COMMAND`, typed on the page in #general."""
    before = len(ephemeral_texts(sandbox, user))
    assert post(sandbox, "command", user=user, channel=GENERAL_CHANNEL_ID, text=f"/sms {command}").status_code == 200
    return eventually(lambda: ephemeral_texts(sandbox, user)[before:])[-1]


def test_the_pages_words_are_in_english_and_in_chinese(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        english, chinese = texts(sandbox, "en"), texts(sandbox, "zh")
        assert (english["guide"]["title"], english["send"], english["locale"]) == (
            "Try it in five minutes", "Send", "en-US")
        assert (chinese["guide"]["title"], chinese["send"], chinese["locale"]) == ("五分钟上手", "发送", "zh-CN")
        assert chinese["guide"]["steps"][0].startswith('<a href="/sandbox/sample" download id="sample-link">下载示例接收人')
        assert "（60 行：" in chinese["guide"]["steps"][0]
        assert untranslated(strings_in(chinese), supplied=NAMES) == []
        assert httpx.get(f"{sandbox.url}/sandbox/api/texts", params={"language": "fr"}).status_code == 400


def test_a_persons_language_switch_changes_the_page_and_what_smsbot_says_to_them(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        assert says(sandbox, SENDER_ID, "language").startswith("smsbot speaks to you in English")  # its locale known
        page = page_of(sandbox, SENDER_ID)
        assert page["language"] == "en"
        assert {p["role_label"] for p in page["users"] if not p["is_bot"]} == {
            "sends SMS", "approves sends", "follows the threads"}

        switched = post(sandbox, "language", user=SENDER_ID, language="zh", channel=GENERAL_CHANNEL_ID)
        assert switched.json() == {"ok": True, "status": 200}
        assert sandbox.workspace.user(SENDER_ID).locale == "zh-CN"
        told = eventually(lambda: [t for t in ephemeral_texts(sandbox, SENDER_ID) if "今后将使用简体中文" in t])
        assert told == ["smsbot 今后将使用简体中文与你交流。频道和消息列中的消息仍使用工作区的语言。"]
        assert says(sandbox, SENDER_ID, "language").startswith("smsbot 当前使用简体中文与你交流")
        page = page_of(sandbox, SENDER_ID)
        assert page["language"] == "zh"
        assert {p["role_label"] for p in page["users"] if not p["is_bot"]} == {"发送短信", "审批发送任务", "关注消息列"}
        refused = post(sandbox, "command", user=SENDER_ID, channel=GENERAL_CHANNEL_ID, text="/nosuch")
        assert refused.json()["error"] == "/nosuch 不是有效的命令。此工作区有 /sms。"

        assert page_of(sandbox, APPROVER_ID)["language"] == "en"  # each person has their own
        assert says(sandbox, APPROVER_ID, "language").startswith("smsbot speaks to you in English")
    with served_sandbox(tmp_path) as again:  # the person's Slack language is kept with the workspace
        assert page_of(again, SENDER_ID)["language"] == "zh"
        assert page_of(again, APPROVER_ID)["language"] == "en"


def test_a_sandbox_started_in_chinese_is_chinese_for_everyone(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSBOT_LANGUAGE", "zh")
    try:
        with served_sandbox(tmp_path) as sandbox:
            assert {page_of(sandbox, user_id)["language"] for user_id, _name, _real in SEED_USERS} == {"zh"}
            assert says(sandbox, APPROVER_ID, "language").startswith("smsbot 当前使用简体中文与你交流")
    finally:
        set_deployment_language(ENGLISH)  # the sandbox's bot set it for the process


def test_slacks_own_error_for_a_failed_command_is_in_the_persons_slack_language():
    workspace = Workspace()
    workspace.user(SENDER_ID).locale = "zh-CN"
    apply_command_ack(workspace, GENERAL_CHANNEL_ID, SENDER_ID, "/sms", 500, "", elapsed_seconds=0.1)
    apply_command_ack(workspace, GENERAL_CHANNEL_ID, APPROVER_ID, "/sms", 500, "", elapsed_seconds=0.1)
    assert [e.text for e in workspace.ephemerals()] == [
        "/sms 失败，错误为“dispatch_failed”", '/sms failed with the error "dispatch_failed"']
