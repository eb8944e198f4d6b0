"""Use cases of sending: start due tasks, claim work, record what the provider said, apply
receipts, finish tasks. The database is the source of truth at every step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.applications import MAINLAND_PREFIX
from domain.approvers import Actor
from domain.content import Purpose
from domain.errors import DomainError
from domain.i18n import N_, _, moment
from domain.policy import check_owner_or_approver
from domain.optout import FATIGUED, OPTED_OUT, FatiguePolicy
from domain.dispatch import Claim, LostSend, MessagePlan, Outcome, Progress, ReceiptUpdate, Route, Settlement
from domain.local_windows import WAITING_FOR_WINDOW, RecipientWindows
from domain.schedule import StartRules, is_stale, next_window_opening
from domain.segments import SignatureStyle
from domain.task_state import FINAL_STATUSES, TaskAction, TaskStatus, next_status
from domain.tasks import Composition, sent_as
from domain.use_cases.reporting import ALL_FAILED, RECEIPT_DEADLINE
from domain.use_cases.applications import applications, current_routing
from domain.use_cases.retention import saved_totals
from domain.use_cases.tasks import TaskView, existing_task, view_of
from storage.tables import AuditEntry
from storage.uow import SqlUnitOfWork as UnitOfWork
from storage.uow import retry_on_conflict


@dataclass(frozen=True)
class Work:
    task_id: int
    claimed: list[Claim]
    routes: dict[int, Route]  # by application id, for those the claimed recipients go through


def _audit(uow: UnitOfWork, action: str, task_id: int, **detail) -> None:
    uow.audit.add(AuditEntry(actor="smsbot", action=f"task.{action}", target_type="task", target_id=str(task_id),
                             detail=detail))


def start_due_tasks(uow: UnitOfWork, now: datetime, rules: StartRules,
                    fatigue: FatiguePolicy | None = None, windows: RecipientWindows | None = None) -> list[TaskView]:
    """Scheduled tasks whose time has come (inside the sending window, for the sends it holds)
    and whose thread is open start sending: their recipients are copied in the same transaction, and for a promotional send
    the opted-out and fatigued numbers are skipped there and then. Safe in two processes."""
    started = []
    with uow:
        for task in uow.tasks.due(now):
            if task.send_at is not None and is_stale(task.send_at, now):
                continue  # the stale-task sweep cancels it
            if task.thread_ts is None:
                continue  # its thread is still being opened, and a send tells everything there
            purpose = _sent_as(uow, task)
            promotional = purpose is Purpose.PROMOTIONAL
            if not rules.may_send(purpose, now) and not _goes_by_own_windows(uow, task, purpose, windows):
                continue
            if not uow.tasks.move(task.id, from_status=TaskStatus.scheduled,
                                  to_status=next_status(task.status, TaskAction.start)):
                continue
            count = uow.task_recipients.materialize(task.id, task.recipient_list_id, _routes_of(uow, task))
            skipped = 0
            if promotional:
                skipped = uow.opt_outs.skip_opted_out(task.id, OPTED_OUT)
                if fatigue is not None:
                    skipped += uow.opt_outs.skip_fatigued(task.id, since=fatigue.since(now),
                                                         limit=fatigue.max_messages, reason=FATIGUED)
            _audit(uow, "started", task.id, recipients=count, skipped=skipped)
            started.append(task.id)
        uow.commit()
        return [view_of(uow, uow.tasks.get(task_id)) for task_id in started]


def _goes_by_own_windows(uow: UnitOfWork, task, purpose: Purpose, windows: RecipientWindows | None) -> bool:
    """A task with international numbers starts outside the workspace window when they go by
    their own windows (its mainland numbers still wait for the workspace's)."""
    if windows is None or not windows.per_recipient(purpose):
        return False
    recipient_list = uow.recipient_lists.get(task.recipient_list_id)
    return uow.recipient_lists.count_with_prefix(task.recipient_list_id, MAINLAND_PREFIX) < recipient_list.imported_count


def _routes_of(uow: UnitOfWork, task) -> tuple[str, int | None, int | None]:
    """Where its numbers go: as split when it was submitted (and approved so), or, for a task
    submitted before applications existed, as the applications route now."""
    if task.split:
        parts = {part["numbers"]: part["application_id"] for part in task.split}
        return MAINLAND_PREFIX, parts.get("mainland"), parts.get("international")
    routes = current_routing(uow)
    return (MAINLAND_PREFIX, routes.mainland.id if routes.mainland else None,
            routes.international.id if routes.international else None)


THREAD_WAIT = timedelta(seconds=1)


def next_start_at(uow: UnitOfWork, now: datetime) -> datetime | None:
    """When to look for tasks to start next: the next send time (None: none is scheduled for
    later), or in a moment for a due task whose thread is still being recorded."""
    with uow:
        if uow.tasks.due_without_thread(now):
            return now + THREAD_WAIT
        return uow.tasks.next_send_at(now)


def _sent_as(uow: UnitOfWork, task) -> Purpose:
    templates = [uow.templates.get(task.template_id)]
    if task.fallback_template_id:
        templates.append(uow.templates.get(task.fallback_template_id))
    return sent_as(task.purpose, *(template.purpose for template in templates))


def message_plan(uow: UnitOfWork, task, composition: Composition) -> MessagePlan:
    template, signature = uow.templates.get(task.template_id), uow.signatures.get(task.signature_id)
    columns = uow.recipient_lists.get(task.recipient_list_id).variables
    card, fallback = None, None
    if task.kind == "card":
        card = {"title": template.title, "image_url": template.image_url, "buttons": list(template.buttons),
                "default_link": task.default_link or template.default_link}
        if task.fallback_template_id:
            fallback = uow.templates.get(task.fallback_template_id)
    return MessagePlan(
        template.body, signature.name, _sent_as(uow, task), SignatureStyle(composition.style),
        composition.optout_hint, list(columns), task.kind, card, fallback.body if fallback else None,
        media_urls=tuple(template.media_urls) if task.kind == "digital" else (),
        template_name=template.name, fallback_kind=task.fallback if fallback else None,
        fallback_template_name=fallback.name if fallback else None)


def task_routes(uow: UnitOfWork, task, plan: MessagePlan, application_ids: set[int | None],
                composition: Composition) -> dict[int, Route]:
    """The applications named, each with the task's plan under its templates' codes there."""
    codes = uow.applications.registrations("template", [task.template_id, task.fallback_template_id or 0])
    template_codes, fallback_codes = codes.get(task.template_id, {}), codes.get(task.fallback_template_id or 0, {})
    return {app.id: Route(app, replace(plan, template_code=template_codes.get(app.id),
                                       fallback_template_code=fallback_codes.get(app.id)))
            for app in applications(uow, composition.provider) if app.id in application_ids}


def claim_work(uow: UnitOfWork, task_id: int, owner: str, limit: int, now: datetime, lease: timedelta,
               composition: Composition, rules: StartRules | None = None,
               windows: RecipientWindows | None = None, application_id: int | None = None) -> Work | None:
    """Recipients (of `application_id` alone if given) marked in flight and committed before
    any request leaves; none outside the sending window (the tick then pauses the task and says
    so), and none outside its own window where each international number has one (`windows`):
    those wait, pending, until it opens."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task.status != TaskStatus.sending:
            return None  # paused, canceled or gone: stop between chunks
        except_prefix = None
        if rules is not None and not rules.may_send(task.purpose, now):
            if windows is None or not windows.per_recipient(task.purpose):
                return None
            except_prefix = MAINLAND_PREFIX  # the workspace window holds mainland numbers only
        claimed = [Claim(*row) for row in uow.task_recipients.claim(
            task_id, owner, limit, now, now + lease, except_prefix=except_prefix, application_id=application_id)]
        if windows is not None:
            waiting = {c.id: opens for c in claimed if (opens := windows.opening_for(c.phone, task.purpose, now))}
            uow.task_recipients.defer(list(waiting.items()), WAITING_FOR_WINDOW)
            claimed = [c for c in claimed if c.id not in waiting]
        uow.commit()
        routes = task_routes(uow, task, message_plan(uow, task, composition), {c.application_id for c in claimed},
                             composition) if claimed else {}
        return Work(task_id, claimed, routes)


def waiting_for_window(uow: UnitOfWork, task_id: int) -> tuple[int, datetime | None]:
    """How many of a task's recipients wait for their own window, and when the first opens."""
    with uow:
        return uow.task_recipients.waiting_for_window(task_id, WAITING_FOR_WINDOW)


def record_outcomes(uow: UnitOfWork, outcomes: list[Outcome], now: datetime) -> None:
    def record() -> None:
        with uow:
            uow.task_recipients.record(outcomes, now)
            uow.commit()

    retry_on_conflict(record)


def apply_receipts(uow: UnitOfWork, receipts: list[ReceiptUpdate]) -> int:
    """Receipts touch the same rows as submit results, in another order: a deadlock between
    the two is retried, never lost."""
    def apply() -> int:
        with uow:
            settled = uow.task_recipients.apply_receipts(receipts)
            uow.commit()
            return settled

    return retry_on_conflict(apply)


def progress(uow: UnitOfWork, task_id: int) -> Progress:
    with uow:
        task = uow.tasks.get(task_id)
        if task is not None and task.final_counts is not None:
            return saved_totals(task.final_counts)[0]  # its details were purged
        return Progress.from_counts(uow.task_recipients.counts(task_id))


def finish_if_done(uow: UnitOfWork, task_id: int, now: datetime) -> TaskView | None:
    """Completed once no recipient is pending or in flight (receipts may still come); failed if
    every message sent has failed already. `now` starts the retention period of its details."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task.status != TaskStatus.sending:
            return None
        progress = Progress.from_counts(uow.task_recipients.counts(task_id))
        if not progress.done:
            return None
        action, reason = (TaskAction.fail, ALL_FAILED) if progress.all_failed else (TaskAction.complete, None)
        if not uow.tasks.move(task_id, from_status=TaskStatus.sending, to_status=next_status(task.status, action),
                              finished_at=now, **({"reason": reason} if reason else {})):
            return None
        _audit(uow, "failed" if reason else "completed", task_id, **({"reason": reason} if reason else {}))
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def fail_task(uow: UnitOfWork, task_id: int, cause: str, now: datetime) -> TaskView | None:
    """The provider refused the account, its credentials or the content: nothing more is
    claimed, every recipient not yet sent is released unsent, and the task says why. None if
    it was no longer sending (stopped or paused meanwhile: the rest waits with it)."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is None or task.status != TaskStatus.sending:
            return None
        if not uow.tasks.move(task_id, from_status=TaskStatus.sending,
                              to_status=next_status(task.status, TaskAction.fail), reason=cause[:500],
                              finished_at=now):
            return None
        uow.task_recipients.skip_pending(task_id, NOT_SENT_AFTER_FAILURE)
        _audit(uow, "failed", task_id, reason=cause[:500])
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def lost_sends(uow: UnitOfWork, now: datetime, limit: int, after_id: int = 0) -> list[LostSend]:
    """Recipients in flight past their lease, to ask the provider about before they are given
    up as "outcome unknown"."""
    with uow:
        return [LostSend(row.id, row.client_ref, row.application_id)
                for row in uow.task_recipients.lost_in_flight(now, limit, after_id)]


def settle_asked(uow: UnitOfWork, settlements: list[Settlement], now: datetime) -> int:
    """The provider's word on lost sends: one it never received is pending again (sent once, at
    last), one it took is submitted (its receipt to come), one it refused is failed. Never twice:
    a send the provider cannot tell about is not settled here."""
    def settle() -> int:
        with uow:
            settled = uow.task_recipients.settle_asked(settlements, now)
            uow.commit()
            return settled

    return retry_on_conflict(settle)


def settle_lost_sends(uow: UnitOfWork, now: datetime) -> tuple[int, int]:
    """In flight past its lease (its worker died), and submitted with no receipt in 72 hours."""
    with uow:
        interrupted = uow.task_recipients.settle_interrupted(now)
        expired = uow.task_recipients.expire_without_receipt(now - RECEIPT_DEADLINE)
        uow.commit()
        return interrupted, expired


def failure_summary(uow: UnitOfWork, task_id: int) -> tuple[Progress, list[tuple[str, int]], int]:
    """The totals, the top failure reasons and the card fallbacks: from the recipients, or
    as saved when the task's details were purged."""
    with uow:
        task = uow.tasks.get(task_id)
        if task is not None and task.final_counts is not None:
            return saved_totals(task.final_counts)
        return (Progress.from_counts(uow.task_recipients.counts(task_id)),
                uow.task_recipients.failure_reasons(task_id), uow.task_recipients.fallback_count(task_id))


def record_progress_message(uow: UnitOfWork, task_id: int, ts: str) -> None:
    with uow:
        uow.tasks.set_progress_message(task_id, ts)
        uow.commit()


# Why a recipient was skipped: stored in English, translated where shown (_(STOPPED)).
STOPPED = N_("task stopped before this number was sent")
NOT_SENT_AFTER_FAILURE = N_("not sent: the send failed")
# A send paused by the window's close, not by a person: the tick resumes it when it opens. A
# task's reason, stored in English (and compared so), translated where shown.
WINDOW_CLOSED = N_("the sending window closed")


def change_sending(uow: UnitOfWork, task_id: int, action: TaskAction, actor: Actor, now: datetime,
                   rules: StartRules) -> TaskView:
    """Pause, resume or stop a send (requester or approver). Stopping skips whoever was not
    sent yet; messages already on their way still get their receipts. A stopped send is over:
    `now` starts the retention period of its details."""
    with uow:
        task = existing_task(uow, task_id)
        check_owner_or_approver(actor, task.created_by, _("pause, resume or stop this send"))
        target = next_status(task.status, action)
        if action is TaskAction.resume and not rules.may_send(task.purpose, now):
            opening = next_window_opening(now, rules.window).astimezone(rules.window.tz)
            raise DomainError(_("The sending window ({window}) is closed: this send goes on by itself when it "
                                "opens, at {opening}.", window=str(rules.window), opening=moment(opening)))
        finished = {"finished_at": now} if target in FINAL_STATUSES else {}
        if not uow.tasks.move(task_id, from_status=task.status, to_status=target,
                              # Who stopped it is who decided its end; a stop needs no other reason.
                              # A resumed send forgets why it was paused (the window's pause included).
                              **({"decided_by": actor.user_id, "reason": None} if action is TaskAction.cancel
                                 else {"reason": None if action is TaskAction.resume else task.reason}),
                              **finished):
            raise DomainError(_("Someone else changed this send first."))
        if action is TaskAction.cancel:
            uow.task_recipients.skip_pending(task_id, STOPPED)
        uow.audit.add(AuditEntry(actor=actor.user_id, action=f"task.{action}", target_type="task",
                                 target_id=str(task_id), detail={}))
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))


def pause_outside_window(uow: UnitOfWork, now: datetime, rules: StartRules,
                         windows: RecipientWindows | None = None) -> list[TaskView]:
    """Sends still going when their window closes pause until it opens again; not one with
    international numbers still to send by their own windows. Safe in two processes: each
    task moves once."""
    paused = []
    with uow:
        for task_id in uow.tasks.ids_in(TaskStatus.sending):
            task = uow.tasks.get(task_id)
            if rules.may_send(task.purpose, now):
                continue
            if (windows is not None and windows.per_recipient(task.purpose)
                    and uow.task_recipients.has_pending_without_prefix(task_id, MAINLAND_PREFIX)):
                continue
            if uow.tasks.move(task_id, from_status=TaskStatus.sending, to_status=TaskStatus.paused,
                              reason=WINDOW_CLOSED):
                _audit(uow, "pause", task_id, reason=WINDOW_CLOSED)
                paused.append(task_id)
        uow.commit()
        return [view_of(uow, uow.tasks.get(task_id)) for task_id in paused]


def resume_in_window(uow: UnitOfWork, now: datetime, rules: StartRules) -> list[TaskView]:
    """Sends the window paused go on when it opens (those a person paused wait for them)."""
    resumed = []
    with uow:
        for task_id in uow.tasks.ids_in(TaskStatus.paused):
            task = uow.tasks.get(task_id)
            if task.reason != WINDOW_CLOSED or not rules.may_send(task.purpose, now):
                continue
            if uow.tasks.move(task_id, from_status=TaskStatus.paused, to_status=TaskStatus.sending, reason=None):
                _audit(uow, "resume", task_id, reason="the sending window opened")
                resumed.append(task_id)
        uow.commit()
        return [view_of(uow, uow.tasks.get(task_id)) for task_id in resumed]


def pause_for_throttling(uow: UnitOfWork, task_id: int, reason: str) -> TaskView | None:
    """The provider keeps refusing for throughput: stop pushing, and say why in the thread."""
    with uow:
        if not uow.tasks.move(task_id, from_status=TaskStatus.sending, to_status=TaskStatus.paused, reason=reason):
            return None
        _audit(uow, "pause", task_id, reason=reason)
        uow.commit()
        return view_of(uow, uow.tasks.get(task_id))
