"""The `smsbot` command as an operator runs it."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
import yaml
from sqlalchemy.engine import make_url

from storage.migrate import head_revision
from tests.databases import postgres_admin_url

SERVE_ENV = {"SMSBOT_SLACK_BOT_TOKEN": "xoxb-1", "SMSBOT_SLACK_SIGNING_SECRET": "s"}
SIMULATOR_ENV = {"SMSBOT_SIMULATOR_API_KEY": "k", "SMSBOT_SIMULATOR_SECRET": "s",
                 "SMSBOT_PUBLIC_URL": "http://127.0.0.1:9"}


def run_smsbot(*args: str, cwd, prefix: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMSBOT_")}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "bot", *args], cwd=cwd, env={**clean, **env},
        capture_output=True, text=True, timeout=60,
    )


def assert_one_line(result: subprocess.CompletedProcess, *causes: str) -> str:
    """An expected failure: exit code 2 and one line on stderr, `smsbot: …`, naming its cause."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("smsbot: "), result.stderr
    assert "Traceback" not in result.stderr
    for cause in causes:
        assert cause in lines[0]
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    process = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--port", str(port), "--data-dir", str(data),
                                "--pace", "quick"],
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


# Every expected failure: one line naming its cause, exit code 2, no traceback.

def _not_a_database(tmp_path):
    (tmp_path / "notes.db").write_text("not a database\n" * 100)
    return f"sqlite:///{tmp_path / 'notes.db'}", "file is not a database"


def _read_only(tmp_path):
    run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'ro.db'}")
    return f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true", "attempt to write a readonly database"


UNOPENABLE_SQLITE = {
    "missing folder": lambda tmp_path: ("sqlite:////nonexistent/dir/x.db", "unable to open database file"),
    "a directory": lambda tmp_path: (f"sqlite:///{tmp_path}", "unable to open database file"),
    "under a file": lambda tmp_path: (f"sqlite:///{tmp_path / 'm.db' / 'x.db'}", "unable to open database file"),
    "not a database": _not_a_database,
    "read-only": _read_only,
}


@pytest.mark.parametrize("case", UNOPENABLE_SQLITE, ids=list(UNOPENABLE_SQLITE))
def test_migrate_names_the_sqlite_database_it_cannot_open(tmp_path, case):
    (tmp_path / "m.db").write_text("")  # a file where "under a file" wants a folder
    url, reason = UNOPENABLE_SQLITE[case](tmp_path)
    result = run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=url)
    assert assert_one_line(result) == f"smsbot: cannot open the database {url}: {reason}"


def test_migrate_names_a_sqlite_file_it_cannot_write(tmp_path):
    # Root writes to read-only files: as root, the second run goes without the capability that
    # lets it (setpriv drops CAP_DAC_OVERRIDE), so the file's mode holds as for anyone else.
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    assert run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=url).returncode == 0
    (tmp_path / "ro.db").chmod(0o444)
    as_anyone = ("setpriv", "--bounding-set=-dac_override") if os.geteuid() == 0 else ()
    result = run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=url, prefix=as_anyone)
    assert_one_line(result, f"cannot open the database {url}: attempt to write a readonly database")


URLS_WITH_A_PASSWORD = {  # the URL, as said, and why
    "nobody listens": ("postgresql://smsbot:hunter2@127.0.0.1:1/sms", "postgresql://smsbot:***@127.0.0.1:1/sms",
                       "Connection refused"),
    "in the query": ("postgresql://127.0.0.1:1/sms?password=hunter2", "postgresql://127.0.0.1:1/sms?password=***",
                     "Connection refused"),
    "host left out": ("postgresql://smsbot:hunter2/sms", "postgresql://smsbot:***/sms", "its port is not a number"),
    "an unencoded @": ("postgresql://smsbot:hun@ter2@127.0.0.1:1/sms", "postgresql://smsbot:***@127.0.0.1:1/sms",
                       "an @ in its password must be written %40"),
}


@pytest.mark.parametrize("case", URLS_WITH_A_PASSWORD, ids=list(URLS_WITH_A_PASSWORD))
def test_migrate_names_postgresql_it_cannot_open_without_its_password(tmp_path, case):
    url, said, reason = URLS_WITH_A_PASSWORD[case]
    result = run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=url)
    assert_one_line(result, f"cannot open the database {said}: ", reason)
    assert "hunter2" not in result.stderr and "ter2" not in result.stderr


def test_migrate_names_a_postgresql_database_that_does_not_exist(tmp_path):
    url = make_url(postgres_admin_url()).set(database=f"smsbot_missing_{uuid.uuid4().hex[:8]}")
    result = run_smsbot("migrate", cwd=tmp_path, SMSBOT_DATABASE_URL=url.render_as_string(hide_password=False))
    assert_one_line(result, f"cannot open the database {url.render_as_string(hide_password=True)}: ",
                    f'database "{url.database}" does not exist')


@pytest.mark.parametrize("command", [["serve"], ["serve", "--no-migrate"], ["worker"]], ids=" ".join)
def test_serve_and_worker_name_the_database_they_cannot_open(tmp_path, command):
    port = ["--port", str(free_port())] if command[0] == "serve" else []
    result = run_smsbot(*command, *port, cwd=tmp_path, **SERVE_ENV, SMSBOT_SIMULATOR_URL="http://127.0.0.1:9",
                        SMSBOT_DATABASE_URL="postgresql://smsbot:hunter2@127.0.0.1:1/sms")
    assert_one_line(result, "cannot open the database postgresql://smsbot:***@127.0.0.1:1/sms: ", "Connection refused")
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize("reset", [[], ["--reset"]], ids=["kept", "reset"])
def test_sandbox_names_the_database_it_cannot_open(tmp_path, reset):
    (tmp_path / "data" / "smsbot.db").mkdir(parents=True)
    result = run_smsbot("sandbox", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"), *reset,
                        cwd=tmp_path)
    assert_one_line(result, f"cannot open the database sqlite:///{tmp_path / 'data' / 'smsbot.db'}: "
                            "unable to open database file")


@pytest.mark.parametrize("where", ["data", "data/inner"])
def test_sandbox_names_a_data_dir_a_file_is_in_the_way_of(tmp_path, where):
    (tmp_path / "data").write_text("")
    result = run_smsbot("sandbox", "--port", str(free_port()), "--data-dir", str(tmp_path / where), cwd=tmp_path)
    assert_one_line(result, f"--data-dir: cannot use {tmp_path / where} (Not a directory)")


@pytest.mark.parametrize("command", ["serve", "sandbox", "simulator"])
def test_a_port_in_use_is_one_line(tmp_path, command):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        data_dir = ["--data-dir", str(tmp_path / "data")] if command == "sandbox" else []
        result = run_smsbot(command, "--port", str(port), *data_dir, cwd=tmp_path, **SERVE_ENV, **SIMULATOR_ENV)
    assert assert_one_line(result) == (
        f"smsbot: --port: cannot listen on 127.0.0.1:{port} (Address already in use); choose another with --port")


def test_a_workers_metrics_port_in_use_is_one_line(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_smsbot("worker", cwd=tmp_path, **SERVE_ENV, SMSBOT_SIMULATOR_URL="http://127.0.0.1:9",
                            SMSBOT_METRICS_PORT=str(port))
    assert assert_one_line(result) == (
        f"smsbot: SMSBOT_METRICS_PORT: cannot listen on 127.0.0.1:{port} (Address already in use); set another")


BAD_SETTINGS = {
    "migrate": (["migrate"], {"SMSBOT_DATABASE_URL": "mysql://db/sms"},
                "SMSBOT_DATABASE_URL is malformed: must be a sqlite:/// or postgresql:// URL"),
    "serve": (["serve"], {**SERVE_ENV, "SMSBOT_PORT": "http"}, "SMSBOT_PORT is malformed"),
    "worker": (["worker"], {**SERVE_ENV, "SMSBOT_TICK_SECONDS": "0"}, "SMSBOT_TICK_SECONDS is malformed"),
    "sandbox": (["sandbox"], {"SMSBOT_LOG_LEVEL": "LOUD"}, "SMSBOT_LOG_LEVEL is malformed"),
    "simulator": (["simulator"], {"SMSBOT_SIMULATOR_SECRET": "s", "SMSBOT_PUBLIC_URL": "http://127.0.0.1:9"},
                  "SMSBOT_SIMULATOR_API_KEY is missing"),
    "simulator malformed": (["simulator"], {**SIMULATOR_ENV, "SMSBOT_PUBLIC_URL": "gopher://x"},
                            "SMSBOT_PUBLIC_URL is malformed"),
    "manifest without --url": (["manifest"], {}, "Missing option '--url'."),
    "serve --port abc": (["serve", "--port", "abc"], SERVE_ENV, "Invalid value for '--port'"),
    "a misspelt command": (["serv"], {}, "No such command 'serv'."),
    "sandbox --pace slow": (["sandbox", "--pace", "slow"], {}, "--pace: 'slow' is not one of watch, quick"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_a_bad_setting_or_option_is_one_line(tmp_path, case):
    args, env, cause = BAD_SETTINGS[case]
    if args == ["sandbox"]:
        args = ["sandbox", "--port", str(free_port()), "--data-dir", str(tmp_path / "data")]
    assert_one_line(run_smsbot(*args, cwd=tmp_path, **env), cause)


def test_the_database_line_is_said_in_the_deployments_language(tmp_path):
    result = run_smsbot("migrate", cwd=tmp_path, SMSBOT_LANGUAGE="zh",
                        SMSBOT_DATABASE_URL="sqlite:////nonexistent/dir/x.db")
    assert assert_one_line(result) == "smsbot: 无法打开数据库 sqlite:////nonexistent/dir/x.db：unable to open database file"
