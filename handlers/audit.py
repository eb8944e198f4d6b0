"""`/sms audit <task id or name>`: a task's audit trail, for approvers, as a message only the
asker sees, paged in place (Previous/Next, newest or oldest first). Anyone else is refused by
the use case, and the refusal goes on the record like every other."""

from __future__ import annotations

import anyio
from slack_bolt.async_app import AsyncAck, AsyncRespond

from domain.approvers import Actor
from domain.audit_trail import AUDIT_USAGE, TrailOrder
from domain.i18n import N_
from domain.status import parse_task_ref
from domain.use_cases.audit_trail import task_audit_trail
from handlers import listeners
from handlers.audit_blocks import build_audit_trail
from handlers.ids import SLASH_COMMAND, ActionId
from handlers.payloads import AuditTrailState
from handlers.sms_command import Invocation, Subcommand


async def audit_command(invocation: Invocation) -> None:
    ref = parse_task_ref(invocation.parsed.rest, usage=AUDIT_USAGE)
    trail = await anyio.to_thread.run_sync(lambda: task_audit_trail(
        invocation.context["uow"](), ref, invocation.actor, channel_id=invocation.channel_id))
    await invocation.reply(*build_audit_trail(trail))


async def turn_page(ack: AsyncAck, respond: AsyncRespond, uow, actor: Actor, ref: AuditTrailState) -> None:
    """Who may read it is asked again on every page."""
    await ack()
    trail = await anyio.to_thread.run_sync(lambda: task_audit_trail(
        uow(), ref.task_id, actor, page=ref.page, order=TrailOrder(ref.order)))
    text, blocks = build_audit_trail(trail)
    await respond(text=text, blocks=blocks, replace_original=True)


LISTENERS = (
    listeners.action(ActionId.AUDIT_PREVIOUS, turn_page),
    listeners.action(ActionId.AUDIT_NEXT, turn_page),
    listeners.action(ActionId.AUDIT_ORDER, turn_page),
)


SUBCOMMANDS = (
    Subcommand("audit", f"{SLASH_COMMAND} audit <task id or name>",
               N_("Approvers: who created, edited, approved, tested, exported, paused, stopped or deleted a task, "
                  "and when"), audit_command),
)
