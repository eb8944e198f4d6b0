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


def test_worker_needs_a_gateway_url(tmp_path):
    result = run_smsbot("worker", cwd=tmp_path, SMSBOT_SLACK_BOT_TOKEN="xoxb-1", SMSBOT_SLACK_SIGNING_SECRET="s")
    assert result.returncode == 2
    assert result.stderr.strip() == "smsbot: SMSBOT_SIMULATOR_URL is missing: set it in the environment or .env"


def test_the_simulator_gateway_runs_alone(tmp_path):
    import socket
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    env = {**clean, "SMSBOT_SIMULATOR_API_KEY": "k", "SMSBOT_SIMULATOR_SECRET": "s",
           "SMSBOT_PUBLIC_URL": "http://127.0.0.1:9"}
    process = subprocess.Popen([sys.executable, "-m", "bot", "simulator", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                answer = httpx.post(f"http://127.0.0.1:{port}/v1/messages", headers={"Authorization": "Bearer k"},
                                    json={"messages": [{"ref": "r1", "to": "+8613800138000", "text": "hi"}]})
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer.status_code == 200
        assert answer.json()["results"][0]["status"] == "accepted"
    finally:
        process.terminate()
        process.wait(10)
