"""Opening the database: a PostgreSQL host that takes the connection and then says nothing
(a stuck proxy, a host behind a firewall that answers the handshake) stops the process with
a reason after a timeout, instead of holding it forever."""

import socket
import time
from collections.abc import Iterator

import pytest

import storage.engine
from storage.engine import DatabaseUnavailable, check_database


@pytest.fixture
def silent_host() -> Iterator[str]:
    """host:port whose kernel completes every TCP handshake and nobody ever reads or answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"127.0.0.1:{listener.getsockname()[1]}"


def refusal_after(url: str) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as refused:
        check_database(url)
    return str(refused.value), time.monotonic() - started


def test_a_host_that_never_answers_is_given_up_after_the_connect_timeout(silent_host, monkeypatch):
    monkeypatch.setattr(storage.engine, "POSTGRES_CONNECT_TIMEOUT_SECONDS", 1)
    reason, waited = refusal_after(f"postgresql://smsbot:hunter2@{silent_host}/sms")
    assert "timeout" in reason and "hunter2" not in reason
    assert 1 <= waited < 10


def test_the_urls_own_connect_timeout_is_the_one_kept(silent_host, monkeypatch):
    monkeypatch.setattr(storage.engine, "POSTGRES_CONNECT_TIMEOUT_SECONDS", 600)
    reason, waited = refusal_after(f"postgresql://smsbot@{silent_host}/sms?connect_timeout=2")
    assert "timeout" in reason
    assert 2 <= waited < 10
