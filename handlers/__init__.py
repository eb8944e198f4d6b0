"""Slack listeners and the Block Kit they render. `register_all` wires them on one app."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp

from domain.i18n import set_deployment_language
from domain.phones import PhoneNormalizer
from domain.recipient_files import Limits
from domain.use_cases.applications import read_routing
from handlers import applications, audiences, audit, content, errors, exports, home, languages, listeners, optout
from handlers import progress, quiet_events, recipients, sample, send, sms_command, status, tasks, test_sends
from handlers.approvals_channel import ApprovalsChannel
from handlers.memberships import ChannelMemberships
from handlers.middleware import ApproverConfig, ApproverDirectory, ListenerContext, TestSend, install_context_middleware

# In the order Bolt tries them (the first listener that matches a request takes it) and the
# order `/sms help` lists the subcommands.
FEATURES = (sms_command, recipients, audiences, sample, content, applications, send, tasks, test_sends, progress, optout,
            home, status, audit, exports, languages, quiet_events)


def register_all(app: AsyncApp, *, settings: Any, uow: Callable[[], Any], clock: Callable[[], datetime],
                 test_send: TestSend | None, approvals_channel: ApprovalsChannel, progress_signal: Any,
                 start_signal: Any, check_application: Callable[[Any], str | None]) -> None:
    """`test_send`: sends a task's message to a few numbers; None where this process cannot send.
    `check_application`: what an SMS application's provider lacks to send (its settings), if anything.
    `approvals_channel`: the process's one check of it, shared with its start-up.
    `progress_signal`: wakes the process's threads' notifier (handlers/progress.py);
    `start_signal`: its sending, when an approval here lets a task start."""
    set_deployment_language(settings.language)
    subcommands = sms_command.SubcommandRegistry()
    for feature in FEATURES:
        for subcommand in getattr(feature, "SUBCOMMANDS", ()):
            subcommands.add(subcommand)
    import_settings = recipients.ImportSettings(
        limits=Limits(max_bytes=int(settings.max_file_mb * 1024 * 1024), max_rows=settings.max_recipients),
        normalizer=PhoneNormalizer(settings.default_region),
        routes=lambda: read_routing(uow()),
    )
    approvers = ApproverDirectory(ApproverConfig(settings.approver_user_ids, settings.approver_group_ids))
    install_context_middleware(app, approvers, ListenerContext(
        settings=settings, uow=uow, clock=clock, test_send=test_send, import_settings=import_settings,
        normalizer=import_settings.normalizer, subcommands=subcommands, approvals_channel=approvals_channel,
        memberships=ChannelMemberships(clock=lambda: clock().timestamp()), progress_signal=progress_signal,
        start_signal=start_signal, check_application=check_application, languages=languages.ReaderLanguages(uow)))
    errors.register(app)
    for feature in FEATURES:
        listeners.register(app, getattr(feature, "LISTENERS", ()))
