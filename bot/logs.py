"""Logging that never prints a whole phone number or a secret."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable

from domain.privacy import mask_phone_numbers, redact_secrets


class PrivacyFilter(logging.Filter):
    """Masks phone numbers to their last four digits and redacts secrets, tracebacks included."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        return mask_phone_numbers(redact_secrets(text, self._secrets))

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors: time, level, logger, message (and the
    traceback), each already masked by the PrivacyFilter."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", secrets: Iterable[str] = (), stream=None,
                      log_format: str = "text") -> logging.Handler:
    """One handler on the root logger; uvicorn and alembic propagate to it. `log_format`:
    text, or json (SMSBOT_LOG_FORMAT)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PrivacyFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # Two lines on every tick say nothing the bot's own log lines do not.
    logging.getLogger("apscheduler").setLevel(max(root.level, logging.WARNING))
    return handler
