"""The command line's one-line errors are in SMSBOT_LANGUAGE (the environment's, else .env's),
English by default and when the setting itself is not a language smsbot speaks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot import cli
from domain.i18n import ENGLISH, set_deployment_language


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("SMSBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    yield
    set_deployment_language(ENGLISH)  # main() sets it for the process


def smsbot(monkeypatch, capsys, *args: str) -> str:
    """What `smsbot ARGS` printed on stderr, run in this process; it must fail with code 2."""
    monkeypatch.setattr(sys, "argv", ["smsbot", *args])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2
    return capsys.readouterr().err


def test_a_missing_setting_is_said_in_english_by_default(monkeypatch, capsys):
    assert smsbot(monkeypatch, capsys, "worker") == (
        "smsbot: SMSBOT_SIMULATOR_URL is missing: set it in the environment or .env\n")


def test_a_missing_setting_is_said_in_chinese_with_smsbot_language_zh(monkeypatch, capsys):
    monkeypatch.setenv("SMSBOT_LANGUAGE", "zh")
    assert smsbot(monkeypatch, capsys, "worker") == "smsbot: 缺少 SMSBOT_SIMULATOR_URL：请在环境变量或 .env 中设置\n"


def test_the_language_may_come_from_dotenv(tmp_path, monkeypatch, capsys):
    (tmp_path / ".env").write_text("SMSBOT_LANGUAGE=zh\nSMSBOT_TIMEZONE=Nowhere\n")
    assert smsbot(monkeypatch, capsys, "worker") == (
        "smsbot: SMSBOT_TIMEZONE 格式有误：未知的时区 'Nowhere'（请使用 IANA 时区名，如 Asia/Shanghai）\n")


@pytest.mark.parametrize("variable, value, chinese", [
    ("SMSBOT_PORT", "0", "SMSBOT_PORT 格式有误：须大于或等于 1（收到的是 '0'）"),
    ("SMSBOT_MAX_FILE_MB", "lots", "SMSBOT_MAX_FILE_MB 格式有误：须为数字（收到的是 'lots'）"),
    ("SMSBOT_PROVIDER", "nexmo", "SMSBOT_PROVIDER 格式有误：须为 'simulator', 'twilio', 'alibaba', 'huawei' 或 "
                                 "'ucloud'（收到的是 'nexmo'）"),
    ("SMSBOT_HUAWEI_SENDER", "x" * 22, "SMSBOT_HUAWEI_SENDER 格式有误：至多只能有 21 个字符（收到的是 '" + "x" * 22 + "'）"),
])
def test_pydantics_reasons_are_said_in_chinese_too(monkeypatch, capsys, variable, value, chinese):
    monkeypatch.setenv(variable, value)
    english = smsbot(monkeypatch, capsys, "worker")
    assert english.startswith(f"smsbot: {variable} is malformed: ")  # pydantic's own words
    monkeypatch.setenv("SMSBOT_LANGUAGE", "zh")
    assert smsbot(monkeypatch, capsys, "worker") == f"smsbot: {chinese}\n"


def test_a_language_smsbot_does_not_speak_is_refused_in_english(monkeypatch, capsys):
    monkeypatch.setenv("SMSBOT_LANGUAGE", "fr")
    assert smsbot(monkeypatch, capsys, "worker") == (
        "smsbot: SMSBOT_LANGUAGE is malformed: Input should be 'en' or 'zh' (got 'fr')\n")


def test_a_bad_manifest_url_is_said_in_chinese(monkeypatch, capsys):
    monkeypatch.setenv("SMSBOT_LANGUAGE", "zh")
    assert smsbot(monkeypatch, capsys, "manifest", "--url", "ftp://x") == (
        "smsbot: --url：'ftp://x' 不是 https:// URL；Slack 只调用 https 地址\n")


def test_the_installed_command_says_it_in_chinese(tmp_path):
    """`python -m bot`, as an operator runs it: the language is read before anything else."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    done = subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={**clean, "SMSBOT_LANGUAGE": "zh", "SMSBOT_SLACK_BOT_TOKEN": "xoxb-1"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["smsbot: 缺少 SMSBOT_SLACK_SIGNING_SECRET：请在环境变量或 .env 中设置"]
