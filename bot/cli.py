"""`smsbot`: serve, sandbox, simulator, worker, migrate, manifest."""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import typer
from dotenv import dotenv_values

from bot.settings import ENV_PREFIX, Settings, SettingsError, load_settings
from domain.i18n import ENGLISH, _, set_deployment_language

try:  # Typer raises its own copy of click's exceptions since 0.2x, click's before
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors

cli = typer.Typer(
    help="smsbot: bulk SMS from Slack with approvals and live progress.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("smsbot")


def _compose(settings: Settings, parts, *, migrate: bool, own_url: str | None = None):
    from bot.composition import compose
    from bot.logs import configure_logging
    from storage.engine import check_database
    from storage.migrate import upgrade

    # Settings first, then the database, both before logging starts: a failure is one line.
    settings.require("slack_signing_secret", "slack_bot_token")
    with _opening_the_database():
        check_database(settings.database_url)
    configure_logging(settings.log_level, settings.secret_values(), log_format=settings.log_format)
    process = compose(settings, parts, own_url=own_url)
    if migrate:
        upgrade(settings.database_url)
    return process


@contextmanager
def _opening_the_database():
    """Storage's DatabaseUnavailable said as a settings error: one line, exit code 2."""
    from storage.engine import DatabaseUnavailable

    try:
        yield
    except DatabaseUnavailable as error:
        raise SettingsError(_("cannot open the database {url}: {reason}", url=error.url, reason=error.reason),
                            setting="database_url") from None


@cli.command()
def serve(
    host: str = typer.Option(None, help="Interface to listen on [default: SMSBOT_HOST, 127.0.0.1]."),
    port: int = typer.Option(None, help="Port to listen on [default: SMSBOT_PORT, 3000]."),
    socket_mode: bool = typer.Option(False, "--socket-mode", help="Connect to Slack over Socket Mode instead of HTTP; "
                                     "the port then serves the providers' webhooks and the health check."),
    migrate: bool = typer.Option(True, help="Apply database migrations before serving."),
) -> None:
    """Run the bot: Slack's requests over HTTP or Socket Mode, the dispatcher, the scheduler's
    tick and the providers' receipts."""
    import uvicorn

    from bot.composition import http_parts, socket_mode_parts

    settings = load_settings()
    host, port = host or settings.host, port or settings.port
    if socket_mode:
        settings.require("slack_app_token")
    settings.require_provider()
    _check_port_is_free(host, port)
    loopback = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    parts = socket_mode_parts(settings) if socket_mode else http_parts(settings)
    process = _compose(settings, parts, migrate=migrate, own_url=f"http://{loopback}:{port}")
    web_app = process.asgi()
    # Everything loaded so far lives as long as the process: moving it out of the
    # collector's reach keeps full collections from stalling acks (~80 ms each).
    gc.freeze()
    if socket_mode:
        log.info("smsbot over Socket Mode; webhooks and health check on http://%s:%d", host, port)
    else:
        log.info("smsbot listening on http://%s:%d/slack/events", host, port)
    uvicorn.run(web_app, host=host, port=port, log_config=None, access_log=False)


@cli.command()
def sandbox(
    port: int = typer.Option(8080, help="Port of the page (and of everything else the sandbox serves)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    data_dir: Path = typer.Option(Path(".smsbot-sandbox"), "--data-dir",
                                  help="Where the sandbox keeps its SQLite database and workspace between runs."),
    reset: bool = typer.Option(False, "--reset", help="Start afresh: delete the data directory's database and workspace."),
    pace: str = typer.Option("watch", help="How fast sends go: watch (the sample send takes about 40 s, receipts "
                                           "trail it) or quick (a few seconds)."),
) -> None:
    """Try smsbot in a browser, no Slack workspace needed: the bot, the simulator SMS gateway and a
    local Slack workspace with a web page, in one process on SQLite."""
    import uvicorn

    from bot.logs import configure_logging
    from bot.sandbox.pace import PACES
    from bot.sandbox.run import Sandbox, SandboxOptions

    if pace not in PACES:
        raise SettingsError(_("--pace: {pace} is not one of {paces}", pace=repr(pace), paces=", ".join(PACES)))
    _check_port_is_free(host, port)
    configure_logging(load_settings().log_level)
    options = SandboxOptions(data_dir=data_dir.expanduser().resolve(), host=host, port=port, reset=reset,
                             pace=PACES[pace])

    def ready(sandbox: Sandbox) -> None:
        typer.echo(_("smsbot sandbox is running: open {url}  (data in {folder}; Ctrl+C stops it)",
                     url=sandbox.url, folder=options.data_dir))

    _check_data_dir(options.data_dir)
    with _opening_the_database():
        app = Sandbox(options, on_ready=ready)
    configure_logging(app.settings.log_level, app.settings.secret_values(), log_format=app.settings.log_format)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the driver's every request to the bot
    if app.seeded:
        log.info("sandbox: seeded %d approved signatures and %d approved templates", app.seeded.signatures,
                 app.seeded.templates)
    if app.restored_messages:
        log.info("sandbox: %d messages kept from the last run", app.restored_messages)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=2)
    typer.echo(_("smsbot sandbox stopped; its data stays in {folder} (--reset starts afresh)",
                 folder=options.data_dir))


def _why_port_is_taken(host: str, port: int) -> str | None:
    """Why nothing could listen on host:port now (None: it is free)."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def _check_port_is_free(host: str, port: int) -> None:
    """One clear line instead of uvicorn's traceback."""
    if reason := _why_port_is_taken(host, port):
        raise SettingsError(_("--port: cannot listen on {address} ({reason}); choose another with --port",
                              address=f"{host}:{port}", reason=reason))


def _check_metrics_port_is_free(settings: Settings) -> None:
    """A worker's /metrics port: one clear line instead of its server thread's traceback."""
    if settings.metrics_port and (reason := _why_port_is_taken(settings.host, settings.metrics_port)):
        raise SettingsError(_("{setting}: cannot listen on {address} ({reason}); set another",
                              setting=f"{ENV_PREFIX}METRICS_PORT", address=f"{settings.host}:{settings.metrics_port}",
                              reason=reason), setting="metrics_port")


def _check_data_dir(folder: Path) -> None:
    """A folder that cannot be made (a file in its way, no permission): one line, not a traceback."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        # A file in the folder's place is "File exists" to mkdir; the reader needs "Not a directory".
        reason = os.strerror(errno.ENOTDIR) if isinstance(error, FileExistsError) else error.strerror
        raise SettingsError(_("--data-dir: cannot use {folder} ({reason}); choose another with --data-dir",
                              folder=folder, reason=reason)) from None


@cli.command()
def simulator(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8025, help="Port to listen on."),
) -> None:
    """Run the simulator SMS gateway alone (point SMSBOT_SIMULATOR_URL at it)."""
    from bot.logs import configure_logging
    from bot.providers.factory import simulator_credentials, webhook_url
    from bot.providers.simulator import SimulatorConfig, run_gateway

    settings = load_settings()
    settings.require("simulator_api_key", "simulator_secret", "public_url")
    _check_port_is_free(host, port)
    configure_logging(settings.log_level, settings.secret_values(), log_format=settings.log_format)
    api_key, secret = simulator_credentials(settings)
    run_gateway(SimulatorConfig(api_key=api_key, receipt_secret=secret,
                                receipt_url=webhook_url(settings, "simulator", settings.public_url)), host, port)


@cli.command()
def worker() -> None:
    """Run dispatchers and the scheduler's tick alone, beside the web processes on one PostgreSQL."""
    from bot.composition import worker_parts

    settings = load_settings()
    # A worker cannot embed the simulator: the gateway must outlive it and serve every worker.
    if settings.provider == "simulator":
        settings.require("simulator_url")
    settings.require_provider()
    _check_metrics_port_is_free(settings)
    process = _compose(settings, worker_parts(settings), migrate=False)
    log.info("dispatcher %s running, with the scheduler's tick", process.sending.dispatcher.owner)
    asyncio.run(process.run_until_signalled())


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    from bot.logs import configure_logging
    from storage.migrate import current_revision, upgrade

    settings = load_settings()
    configure_logging(settings.log_level, settings.secret_values(), log_format=settings.log_format)
    with _opening_the_database():
        upgrade(settings.database_url)  # checks the database before alembic logs a line
    typer.echo(_("database at revision {revision}", revision=current_revision(settings.database_url)))


@cli.command()
def manifest(
    url: str = typer.Option(..., help="The public https:// base URL Slack will call."),
    socket_mode: bool = typer.Option(False, "--socket-mode", help="Mark the app as a Socket Mode app."),
) -> None:
    """Print manifest.yml with the request URLs pointing at URL."""
    from bot.manifest import render_manifest

    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:  # said here, in SMSBOT_LANGUAGE
        raise SettingsError(_("--url: {url} is not an https:// URL; Slack only calls https", url=repr(url)))
    typer.echo(render_manifest(url, socket_mode=socket_mode), nl=False)


def speak_the_deployments_language() -> None:
    """SMSBOT_LANGUAGE (the environment's, else .env's), read before the settings so that their
    own errors are said in it; English when it is not one smsbot speaks (the settings' error
    then says so)."""
    name = f"{ENV_PREFIX}LANGUAGE"
    language = os.environ.get(name)
    if language is None and Path(".env").is_file():
        language = dotenv_values(".env").get(name)
    try:
        set_deployment_language((language or ENGLISH).strip())
    except ValueError:
        set_deployment_language(ENGLISH)


def main() -> None:
    """Every expected failure ends the same way: one line, `smsbot: …`, and exit code 2."""
    speak_the_deployments_language()
    try:
        # Not standalone: click would print a usage error as a box of five lines.
        code = cli(standalone_mode=False)
    except SettingsError as error:
        _stop(str(error))
    except click_errors.UsageError as error:
        _stop_on_usage_error(error)
    except click_errors.ClickException as error:
        _stop(error.format_message(), code=error.exit_code)
    except click_errors.Abort:
        _stop(_("aborted"), code=1)
    sys.exit(code if isinstance(code, int) else 0)


def _stop_on_usage_error(error) -> None:
    # `smsbot` alone has printed its help already; click says so with this error (since 8.2).
    if type(error).__name__ == "NoArgsIsHelpError":
        sys.exit(2)
    command = error.ctx.command_path if error.ctx else "smsbot"
    _stop(_("{problem} (see {command} --help)", problem=error.format_message(), command=command))


def _stop(message: str, *, code: int = 2) -> None:
    print("smsbot: " + " ".join(message.split()), file=sys.stderr)
    sys.exit(code)
