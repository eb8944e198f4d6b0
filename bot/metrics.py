"""What an operator can watch: Prometheus metrics of sending, receipts and Slack calls, served
at `GET /metrics` by every process that serves HTTP (and by a worker on `SMSBOT_METRICS_PORT`).

Counters live in this process (Prometheus adds them up across processes); the queue depth and
the oldest receipt awaited are read from the database at each scrape, the same for every
process. No label carries a number, a name or a secret.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

MESSAGES = Counter("smsbot_messages", "Messages handed to a provider, by what it answered (skipped: not sent)",
                   ["provider", "application", "result"])
PROVIDER_ERRORS = Counter("smsbot_provider_errors", "Provider answers other than accepted, by kind",
                          ["provider", "kind"])
PROVIDER_SECONDS = Histogram("smsbot_provider_request_seconds", "Time a provider took to answer a batch",
                             ["provider"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
RECEIPTS = Counter("smsbot_receipts", "Delivery receipts applied, by how they came and their status",
                   ["way", "status"])
DISPATCH_PASSES = Counter("smsbot_dispatch_passes", "Claims of a chunk by a dispatcher (empty ones included)")
RATE_WAIT = Counter("smsbot_rate_wait_seconds", "Time dispatchers waited for SMSBOT_SEND_RATE")
SLACK_CALLS = Counter("smsbot_slack_api_calls", "Slack Web API calls, by method", ["method"])
SLACK_ERRORS = Counter("smsbot_slack_api_errors", "Slack Web API calls Slack refused, by method and error",
                       ["method", "error"])
QUEUE_DEPTH = Gauge("smsbot_queue_depth", "Recipients of sending or paused tasks not yet answered for",
                    ["state"])
RECEIPT_LAG = Gauge("smsbot_oldest_awaiting_receipt_seconds",
                    "Age of the oldest message of a task still watched that awaits its receipt")


class MeteredWebClient(AsyncWebClient):
    """Counts every Web API call and every refusal, whoever makes it (listeners, the notifier)."""

    async def api_call(self, api_method: str, **kwargs: Any):  # type: ignore[override]
        SLACK_CALLS.labels(api_method).inc()
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            SLACK_ERRORS.labels(api_method, str(error.response.get("error") or "unknown")).inc()
            raise


def exposition(depth: dict[str, int], oldest_awaiting_s: float) -> tuple[bytes, str]:
    """The metrics as Prometheus reads them, with the database's figures of this scrape."""
    for state in ("pending", "in_flight"):
        QUEUE_DEPTH.labels(state).set(depth.get(state, 0))
    RECEIPT_LAG.set(oldest_awaiting_s)
    return generate_latest(), CONTENT_TYPE_LATEST
