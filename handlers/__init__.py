"""Slack listeners and the Block Kit they render. `register_all` wires them on one app."""

from __future__ import annotations

from typing import Any, Callable

from slack_bolt.async_app import AsyncApp

from handlers import errors, home, sms_command
from handlers.middleware import ApproverConfig, ApproverDirectory, install_context_middleware


def register_all(app: AsyncApp, *, settings: Any, uow: Callable[[], Any]) -> None:
    approvers = ApproverDirectory(ApproverConfig(settings.approver_user_ids, settings.approver_group_ids))
    install_context_middleware(app, settings=settings, uow=uow, approvers=approvers)
    errors.register(app)
    registry = sms_command.SubcommandRegistry()
    sms_command.register(app, registry)
    home.register(app)
