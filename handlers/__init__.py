"""Slack listeners and the Block Kit they render. `register_all` wires them on one app."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp

from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from handlers import audiences, content, errors, home, optout, progress, recipients, sample, send, sms_command, tasks
from handlers import status
from handlers import exports
from handlers.middleware import ApproverConfig, ApproverDirectory, TestSend, install_context_middleware


def register_all(app: AsyncApp, *, settings: Any, uow: Callable[[], Any], clock: Callable[[], datetime],
                 test_send: TestSend | None) -> None:
    """`test_send`: sends a task's message to a few numbers; None where this process cannot send."""
    approvers = ApproverDirectory(ApproverConfig(settings.approver_user_ids, settings.approver_group_ids))
    install_context_middleware(app, settings=settings, uow=uow, approvers=approvers, clock=clock, test_send=test_send)
    errors.register(app)
    registry = sms_command.SubcommandRegistry()
    sms_command.register(app, registry)
    import_settings = recipients.ImportSettings(
        limits=Limits(max_bytes=int(settings.max_file_mb * 1024 * 1024), max_rows=settings.max_recipients),
        normalizer=PhoneNormalizer(settings.default_region),
    )
    recipients.register(app, registry, import_settings)
    audiences.register(app, registry)
    sample.register(registry)
    content.register(app, registry)
    send.register(app, registry, import_settings=import_settings, on_task_submitted=tasks.on_task_submitted)
    tasks.register(app, normalizer=import_settings.normalizer)
    progress.register(app)
    optout.register(registry, normalizer=import_settings.normalizer)
    home.register(app)
    status.register(app, registry, normalizer=import_settings.normalizer)
    exports.register(app, registry)
