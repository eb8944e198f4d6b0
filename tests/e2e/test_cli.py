"""The `smsbot` command as an operator runs it."""

import os
import subprocess
import sys

import yaml

from storage.migrate import head_revision


def run_smsbot(*args: str, cwd, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**clean, **env},
        capture_output=True, text=True, timeout=60,
    )


def test_help_lists_the_commands(tmp_path):
    result = run_smsbot("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "migrate", "manifest"):
        assert command in result.stdout


def test_serve_without_signing_secret_stops_with_one_line(tmp_path):
    result = run_smsbot("serve", cwd=tmp_path, SMSBOT_SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "smsbot: SMSBOT_SLACK_SIGNING_SECRET is missing: set it in the environment or .env"
    ]
    assert result.stdout == ""


def test_malformed_setting_from_dotenv_stops_with_one_line(tmp_path):
    (tmp_path / ".env").write_text("SMSBOT_SLACK_SIGNING_SECRET=x\nSMSBOT_SLACK_BOT_TOKEN=xoxb-1\nSMSBOT_TIMEZONE=Nowhere\n")
    result = run_smsbot("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "SMSBOT_TIMEZONE is malformed" in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_mode_needs_the_app_token(tmp_path):
    result = run_smsbot("serve", "--socket-mode", cwd=tmp_path,
                        SMSBOT_SLACK_BOT_TOKEN="xoxb-1", SMSBOT_SLACK_SIGNING_SECRET="s")
    assert result.returncode == 2
    assert result.stderr.strip() == "smsbot: SMSBOT_SLACK_APP_TOKEN is missing: set it in the environment or .env"


def test_migrate_creates_the_schema(tmp_path):
    result = run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    assert result.returncode == 0, result.stderr
    assert f"database at revision {head_revision()}" in result.stdout


def test_manifest_prints_yaml_with_the_url(tmp_path):
    result = run_smsbot("manifest", "--url", "https://sms.example.org", cwd=tmp_path)
    assert result.returncode == 0
    manifest = yaml.safe_load(result.stdout)
    assert manifest["settings"]["interactivity"]["request_url"] == "https://sms.example.org/slack/events"
    bad = run_smsbot("manifest", "--url", "ftp://x", cwd=tmp_path)
    assert bad.returncode == 2 and "https" in bad.stderr
