"""`GET /healthz` on both databases, and when the database does not answer."""

import httpx
import pytest

from bot.composition import Parts, compose
from bot.threaded_server import ThreadedServer
from tests.e2e.conftest import bot_settings


def get_health(emulator, database_url):
    process = compose(bot_settings(emulator, database_url), Parts(slack_http=True))
    with ThreadedServer(process.asgi()) as server:
        return httpx.get(server.url + "/healthz")


def test_healthz_is_ok_when_the_database_answers(emulator, migrated_database_url):
    response = get_health(emulator, migrated_database_url)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "unreachable_url",
    ["sqlite:////nonexistent-dir/smsbot.db", "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"],
)
def test_healthz_is_503_when_the_database_does_not_answer(emulator, unreachable_url):
    response = get_health(emulator, unreachable_url)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
