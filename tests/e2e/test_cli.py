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
    for command in ("serve", "sandbox", "migrate", "manifest"):
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


def test_the_sandbox_serves_its_page_and_health_and_keeps_its_data(tmp_path):
    import signal
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    data = tmp_path / "data"
    process = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--port", str(port), "--data-dir", str(data)],
                               cwd=tmp_path, env=clean, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = process.stdout.readline()  # printed once the page answers
        assert f"open http://127.0.0.1:{port}" in ready
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "smsbot sandbox" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok", "database": "ok"}
        people = httpx.get(f"http://127.0.0.1:{port}/sandbox/api/page", params={"user": "U0SENDER01"}).json()["users"]
        assert {p["role"] for p in people if not p["is_bot"]} == {"sender", "approver", "member"}
        busy = run_smsbot("sandbox", "--port", str(port), "--data-dir", str(data), cwd=tmp_path)
        assert busy.returncode == 2 and busy.stderr.strip() == (
            f"smsbot: --port: cannot listen on 127.0.0.1:{port} (Address already in use); choose another with --port")
    finally:
        process.send_signal(signal.SIGINT)
        stopped = process.communicate(timeout=20)[0]
    assert process.returncode == 0 and "smsbot sandbox stopped" in stopped
    assert (data / "smsbot.db").exists() and (data / "workspace.json").exists()
