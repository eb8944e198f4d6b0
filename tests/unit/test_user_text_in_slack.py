"""User text is inert in Slack. Whatever a person or a file supplied (names, reasons, message
text, file names, column names, values), with broadcasts, mentions, channel and URL links and
mrkdwn mixed in, every builder shows escaped: the only markup left in a message's `text` and in
every mrkdwn text object of its blocks is what the builder made from the ids and links it was
given. Plain text (headers, labels, options, a modal's inline errors) stays as typed."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.audit_trail import Recorded, TrailOrder, trail_lines, trail_page
from domain.content import ContentError, ContentStatus, Purpose
from domain.dispatch import Progress
from domain.errors import DomainError, Person, Said
from domain.exports import ExportKind, parse_kind
from domain.recipient_messages import RecipientMessage
from domain.status import Page, RecipientFilter
from domain.schedule import LateCause, LateStart, SendWindow, StartChoice
from domain.task_state import TaskStatus
from domain.tasks import ContentChoice, Preview
from domain.use_cases.audiences import AudienceView
from domain.use_cases.audit_trail import AuditTrail
from domain.use_cases.content import ContentKind, ContentView
from domain.use_cases.exports import FollowUpCounts
from domain.use_cases.status import (
    Dashboard, LookupLine, PendingContent, PendingTask, RecipientLine, TaskDetails, TaskPage, TaskSummary,
)
from domain.use_cases.tasks import TaskView
from domain.use_cases.test_sends import TestSendForm
from handlers import FEATURES, audiences, audiences_blocks, content_blocks, exports_blocks, optout, recipients_blocks
from handlers import send_blocks, task_blocks, test_sends_blocks
from handlers.audit_blocks import build_audit_trail
from handlers.block_kit import escape, quoted, quoted_within
from handlers.help_blocks import build_help_message, build_unknown_command_message
from handlers.home_blocks import build_home_view
from handlers.payloads import FollowUpState, SendModalState, TaskListState, TaskRef
from handlers.progress_blocks import build_final_report, build_progress_message
from handlers.replies import error_mrkdwn, error_text
from handlers.status_blocks import build_details_modal, build_lookup_message, build_task_list
from tests.slack_calls import mrkdwn_objects

SENDER, APPROVER = "U0SENDER01", "U0APPROV01"
CHANNEL, THREAD_TS = "C0APPROVE1", "1763900000.000100"
THREAD = f"https://sandbox.example/archives/{CHANNEL}/p1763900000000100"
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
PROGRESS = Progress(total=3, pending=0, in_flight=0, submitted=1, delivered=1, failed=1, skipped=0)

TAGS = ["<!here>", "<!channel>", "<!everyone>", "<@U123ABC>", "<#C123|x>", "<http://evil.example|x>",
        "<mailto:a@b.c>", "<please>", "<!subteam^S0APPROVE1>", f"<@{SENDER}>", f"<{THREAD}|x>"]
MARKUP = [*TAGS, "*", "`", "_", "~", "&", "<", ">", "&lt;", "&amp;", "\n>", "|"]
_mixed = st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=12)), max_size=3).map("".join)
# Each value holds at least one tag: a builder that forgets to escape one fails at once.
hostile = st.builds(lambda before, tag, after: before + tag + after, _mixed, st.sampled_from(TAGS), _mixed)

SPAN = re.compile(r"<([^<>]*)>")
NOT_AN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def _made_by_the_builder(inner: str) -> bool:
    """A mention or channel of the ids it was given, a date, or a link to the thread it was given."""
    if inner.startswith("@"):
        return inner[1:] in (SENDER, APPROVER)
    if inner.startswith("#"):
        return inner[1:] == CHANNEL
    if inner.startswith("!"):
        return inner.startswith("!date^")
    url, bar, _label = inner.partition("|")
    return bool(bar) and url == THREAD


def mrkdwn_texts(shown) -> list[str]:
    """A message's text (a note is one) and every mrkdwn text object in its blocks, or a view's."""
    if isinstance(shown, str):
        return [shown]
    if isinstance(shown, tuple):
        text, blocks = shown
        return [text, *mrkdwn_objects(blocks)]
    return mrkdwn_objects(shown)


def assert_inert(*shown) -> None:
    for text in [text for result in shown for text in mrkdwn_texts(result)]:
        foreign = [m.group(0) for m in SPAN.finditer(text) if not _made_by_the_builder(m.group(1))]
        assert foreign == [], f"markup the builder did not make: {foreign} in {text!r}"
        rest = re.sub(r"(?m)^>", "", SPAN.sub("", text))  # a blockquote's marks are the builder's
        assert "<" not in rest and ">" not in rest, f"an unescaped angle bracket in {text!r}"
        assert not NOT_AN_ENTITY.search(text), f"an unescaped & in {text!r}"


Text = Callable[[], str]


def texts(data) -> Text:
    return lambda: data.draw(hostile)


def a_task(text: Text, status: TaskStatus) -> TaskView:
    return TaskView(
        id=7, name=text(), status=status, created_by=SENDER, purpose="promotional", kind="card", signature_id=1,
        signature=text(), template_id=2, template=text(), fallback="text", fallback_template_id=3,
        fallback_template=text(), default_link=text(), recipient_list_id=4, recipient_count=2, send_at=WHEN,
        version=1, origin_channel="C0GENERAL1", thread_channel=CHANNEL, thread_ts=THREAD_TS, decided_by=APPROVER,
        reason=text(), progress_ts=THREAD_TS, approved_by=SENDER)


def a_preview(text: Text) -> Preview:
    return Preview(text=text(), characters=80, encoding="UCS-2", segments=2, recipients=2, cost="CNY 0.18",
                   too_long=1, longest=text())


def a_summary(text: Text, task_id: int = 7) -> TaskSummary:
    return TaskSummary(id=task_id, version=1, name=text(), status=TaskStatus.sending, created_by=SENDER, send_at=WHEN,
                       origin_channel="C0GENERAL1", thread_channel=CHANNEL, thread_ts=THREAD_TS, progress=PROGRESS,
                       started=True, recipient_count=3, cause=text())


def a_template(text: Text, status: ContentStatus) -> ContentView:
    detail = {"kind": "card", "purpose": Purpose.PROMOTIONAL, "body": text(), "subject": text(), "title": text(),
              "media_urls": [text()], "image_url": text(), "buttons": [{"text": text(), "url": text()}],
              "default_link": text(), "variables": [text()], "provider_code": text()}
    return ContentView(ContentKind.TEMPLATE, 1, text(), status, SENDER, detail, CHANNEL, THREAD_TS, APPROVER, text())


def a_refusal(text: Text) -> DomainError:
    return DomainError(Said(text(), Person(APPROVER), text()))


@settings(deadline=None)
@given(st.data())
def test_a_task_card_its_modals_and_its_thread_notes(data):
    text = texts(data)
    task = a_task(text, data.draw(st.sampled_from(TaskStatus)))
    form = TestSendForm(task.id, text(), [text(), text()], approved=False)
    late = LateStart(LateCause.PASSED, WHEN, SendWindow.parse("08:00-22:00", "Asia/Shanghai"), WHEN)
    assert_inert(task_blocks.build_task_card(task, a_preview(text)),
                 task_blocks.build_task_card(task, None, deleted=True, closed=frozenset({"edit"})),
                 task_blocks.build_task_reject_modal(task),
                 test_sends_blocks.build_test_send_modal(form, TaskRef(id=task.id, version=1)),
                 test_sends_blocks.build_test_send_result([("•••0000", text(), text()), ("•••0001", "delivered", None)],
                                                          approved=False, left_today=3),
                 test_sends_blocks.build_test_send_note(SENDER, ["•••0000"], approved=True),
                 task_blocks.build_late_start_modal(task, late, from_home=False),
                 task_blocks.rejected_note(APPROVER, text()), task_blocks.submitted_note(task, THREAD),
                 task_blocks.approval_note(APPROVER, task), task_blocks.approval_note(APPROVER, task,
                                                                                     StartChoice.EARLIEST, text()),
                 task_blocks.edited_note(SENDER, 2), task_blocks.acted_note(APPROVER, "canceled this task"),
                 # what the requester is told, in their DM or in the thread
                 task_blocks.requester_news(task, task_blocks.decided_news(task, APPROVER), THREAD, in_thread=False),
                 task_blocks.requester_news(task, task_blocks.started_news(task), None, in_thread=True),
                 task_blocks.requester_news(task, task_blocks.ended_news(task, 1, 2, 3, 6), THREAD, in_thread=False))


@settings(deadline=None)
@given(st.data())
def test_task_lines_in_lists_status_lookup_and_home(data):
    text = texts(data)
    linked, unlinked = a_summary(text), a_summary(text, task_id=8)
    page = TaskPage([linked, unlinked], Page(0, 2, 5))
    details = TaskDetails(linked, RecipientFilter.ALL, None,
                          [RecipientLine("•••0000", 2, "failed", WHEN, WHEN, text())], Page(0, 10, 1))
    messages = TaskDetails(linked, RecipientFilter.ALL, None,
                           [RecipientLine("•••0000", 2, "failed", WHEN, WHEN, text(), provider_id=text(),
                                          message=RecipientMessage(text() + "\n" + text(), 9, 1, fallback=True))],
                           Page(0, 10, 1), with_messages=True)
    dashboard = Dashboard(recent=[linked, unlinked], pending_tasks=[PendingTask(a_summary(text), True, a_preview(text)),
                                                                    PendingTask(a_summary(text, 9), False)],
                          pending_tasks_total=3, pending_content=[PendingContent("template", 1, text(), SENDER, text(),
                                                                                 True)], pending_content_total=2)
    named = TaskListState(scope="all", channel_id="C0GENERAL1", status="sending", name=text()[:30])
    assert_inert(build_task_list(page, TaskListState(scope="channel", channel_id="C0GENERAL1"), {7: THREAD}),
                 build_task_list(page, named, {}), build_task_list(TaskPage([], Page(0, 10, 0)), named, {}),
                 build_details_modal(details, notice=error_mrkdwn(a_refusal(text))), build_details_modal(messages),
                 build_lookup_message("•••0000", [LookupLine(7, text(), TaskStatus.completed, "failed", WHEN, WHEN,
                                                             text())]),
                 build_home_view(is_approver=True, dashboard=dashboard, links={7: THREAD}))


@settings(deadline=None)
@given(st.data())
def test_a_tasks_audit_trail(data):
    text = texts(data)
    entries = [Recorded(WHEN, SENDER, "task.created", {"name": text(), "recipients": 2}),
               Recorded(WHEN, APPROVER, "task.reject", {"version": 1, "reason": text()}),
               Recorded(WHEN, "smsbot", "task.withdrawn", {"name": text(), "reason": text()}),
               Recorded(WHEN, APPROVER, "task.approve", {"version": 1, "send_at": WHEN.isoformat()}),
               Recorded(WHEN, APPROVER, "task.exported", {"kind": text(), "rows": 3, "file": text()}),
               Recorded(WHEN, SENDER, f"task.{text()}", {"reason": text()})]
    for name, status in ((text(), TaskStatus.canceled), (None, None)):
        lines, page = trail_page(trail_lines(entries), TrailOrder.NEWEST, 0, size=4)
        assert_inert(build_audit_trail(AuditTrail(7, name, status, lines, page, TrailOrder.NEWEST)),
                     build_audit_trail(AuditTrail(7, name, status, [], Page(0, 4, 0), TrailOrder.OLDEST)))


@settings(deadline=None)
@given(st.data())
def test_content_requests_decisions_and_replies(data):
    text = texts(data)
    template = a_template(text, data.draw(st.sampled_from([ContentStatus.APPROVED, ContentStatus.REJECTED])))
    signature = ContentView(ContentKind.SIGNATURE, 2, text(), ContentStatus.PENDING, SENDER, {"purpose_note": text()})
    described = content_blocks.describe(template, optout_hint=text())
    signed = content_blocks.describe(signature, signature_prefix=lambda name: f"【{name}】")
    assert_inert(described, signed, content_blocks.build_approval_request(signature, signed),
                 content_blocks.build_decided_request(template, described),
                 content_blocks.build_decision_reply(template),
                 content_blocks.build_reject_modal("template", 1, CHANNEL, THREAD_TS, text()),
                 content_blocks.build_content_list(ContentKind.TEMPLATE, [template]),
                 content_blocks.build_content_list(ContentKind.SIGNATURE, [signature]),
                 content_blocks.build_template_details(template, described),
                 content_blocks.content_waiting_text(ContentKind.SIGNATURE, text(), CHANNEL),
                 content_blocks.disabled_text(ContentKind.TEMPLATE, text()), content_blocks.code_text(text(), text()),
                 content_blocks.code_text(text(), None),
                 content_blocks.template_changed_note(text(), APPROVER))


@settings(deadline=None)
@given(st.data())
def test_the_send_modal_its_preview_and_its_notices(data):
    text = texts(data)
    form = send_blocks.SendForm(name=text(), recipient_options=[send_blocks.RecipientOption("list:4", text())])
    choices = [ContentChoice(1, text(), "approved", "text", "notification", text())]
    preview = send_blocks.build_preview_blocks(a_preview(text))
    notice = send_blocks.import_failed_notice(text(), error_mrkdwn(a_refusal(text))) + \
        send_blocks.problems_notice([text(), text()])
    assert_inert(preview, send_blocks.build_preview_blocks(None),
                 send_blocks.build_send_modal(SendModalState(channel_id="C0GENERAL1", list_id=4), form,
                                              signatures=choices, templates=choices, preview_blocks=preview,
                                              notice=notice),
                 send_blocks.build_working_view(send_blocks.importing_text(text())),
                 send_blocks.build_done_view(send_blocks.task_waiting_text(text(), "2 imported", text())),
                 send_blocks.build_done_view(send_blocks.list_task_waiting_text(text(), 3)))


@settings(deadline=None)
@given(st.data())
def test_import_results_audiences_and_exports(data):
    text = texts(data)
    assert_inert(recipients_blocks.build_import_progress(text(), 1200),
                 recipients_blocks.build_import_failed(text(), error_mrkdwn(DomainError(text()))),
                 recipients_blocks.build_import_result(name=text(), summary_line="2 imported", list_id=4,
                                                       variables=[text(), text()], report_sent=True,
                                                       already_imported=True),
                 recipients_blocks.build_nothing_imported(text(), "0 imported", True),
                 recipients_blocks.invalid_rows_comment(text(), 3),
                 audiences_blocks.build_audience_list([AudienceView(text(), 4, 2, [text()], SENDER, WHEN)]),
                 audiences_blocks.audience_saved_text(text(), 2), audiences_blocks.audience_deleted_text(text()),
                 exports_blocks.audience_saved_text(text(), 2),
                 exports_blocks.build_follow_up_modal(FollowUpCounts(text(), 1, 2, 3, 1),
                                                      FollowUpState(task_id=7, channel_id=CHANNEL)),
                 exports_blocks.follow_up_view(exports_blocks.audience_saved_text(text(), 2, "delivered"), done=True),
                 exports_blocks.preparing_text(text(), ExportKind.FAILED, 3),
                 exports_blocks.export_comment(text(), ExportKind.ALL, 3))


@settings(deadline=None)
@given(st.data())
def test_progress_final_report_and_error_replies(data):
    text = texts(data)
    with pytest.raises(DomainError) as not_an_export:
        parse_kind(text())
    assert_inert(build_progress_message(PROGRESS, rate=3.0, eta_seconds=2, task_ref="{}"),
                 build_final_report(PROGRESS, [(text(), 1), (text(), 2)], 1,
                                    retention=exports_blocks.retention_line(WHEN),
                                    actions=exports_blocks.build_report_actions(7, 1)),
                 build_final_report(PROGRESS, [], 0, status="failed", cause=text()),
                 error_mrkdwn(DomainError(text())), error_mrkdwn(a_refusal(text)),
                 error_mrkdwn(ContentError(text(), "name")), error_mrkdwn(not_an_export.value),
                 build_unknown_command_message(text(), "send", []))


def test_usage_and_help_show_their_placeholders_not_links():
    commands = [subcommand for feature in FEATURES for subcommand in getattr(feature, "SUBCOMMANDS", ())]
    assert_inert(content_blocks.signature_usage(), content_blocks.template_usage(), audiences.usage(), optout.usage(),
                 exports_blocks.export_usage(), audiences_blocks.build_audience_list([]), build_help_message(commands),
                 build_unknown_command_message("sned", "send", commands))
    assert "`/sms audience save &lt;name&gt;`" in audiences.usage()


@given(st.text(alphabet="&<>a\n…", max_size=400), st.integers(min_value=2, max_value=300))
def test_a_quote_cut_to_fit_stays_within_its_limit_and_says_so(typed, limit):
    shown = quoted_within(typed, limit)
    assert len(shown) <= limit
    if shown == quoted(typed):
        return
    assert shown.endswith("…") and quoted(typed).startswith(shown[:-1])  # a start of it, never a broken entity
    assert not re.search(r"&(?:a|am|amp|l|lt|g|gt)?…$", shown)


def test_the_longest_messages_fit_a_section_and_a_page_fits_a_modal():
    """A skipped message may be far over 500 characters, and every `&` of it grows fivefold
    once escaped: it is cut to the section's 3,000 characters with "…"."""
    line = RecipientLine("•••0000", 2, "skipped", None, None, "r" * 300, provider_id="p" * 64,
                         message=RecipientMessage("&" * 5000, 5000, 75))
    summary = a_summary(lambda: "x" * 30)
    view = build_details_modal(TaskDetails(summary, RecipientFilter.ALL, "0000", [line] * 10, Page(0, 10, 1000),
                                           with_messages=True))
    sections = [b["text"]["text"] for b in view["blocks"] if b.get("block_id", "").startswith("details.message")]
    assert len(sections) == 10 and len(view["blocks"]) <= 100
    assert all(len(text) <= 3000 and text.endswith("&amp;…") for text in sections)
    assert "SMS ID " + "p" * 64 + " · 5,000 characters · 75 segments" in sections[0]


@given(st.text())
def test_escaping_changes_only_what_slack_parses_and_reads_back_as_typed(typed):
    assert html.unescape(escape(typed)) == typed
    assert escape(typed).replace("&amp;", "").replace("&lt;", "").replace("&gt;", "") == \
        typed.replace("&", "").replace("<", "").replace(">", "")


def test_plain_text_is_shown_as_typed_not_escaped():
    typed = "<!here> *Weekly* & <please>"
    task = a_task(lambda: typed, TaskStatus.moderating)
    card = task_blocks.build_task_card(task, None)[1]
    assert card[0]["text"] == {"type": "plain_text", "text": f"Send task: {typed}"}
    form = send_blocks.SendForm(recipient_options=[send_blocks.RecipientOption("list:4", typed)])
    modal = send_blocks.build_send_modal(SendModalState(channel_id="C0GENERAL1"), form, signatures=[],
                                         templates=[], preview_blocks=[])
    assert {"type": "plain_text", "text": typed} in [o["text"] for b in modal["blocks"]
                                                     for o in (b.get("element") or {}).get("options", [])]
    assert error_text(ContentError(f"A template named “{typed}” already exists.")) == \
        f"A template named “{typed}” already exists."
    assert error_mrkdwn(ContentError(f"“{typed}”")) == "“&lt;!here&gt; *Weekly* &amp; &lt;please&gt;”"
