"""`smsbot sandbox` without a browser: its seed, the page's API and event stream, and what it
keeps between runs. The browser walkthrough is in tests/browser."""

from __future__ import annotations

import json
import time

import httpx

from bot.sandbox.emulator.defaults import GENERAL_CHANNEL_ID, MEMBER_ID, SENDER_ID
from domain.use_cases.applications import list_applications, read_routing
from bot.sandbox import seed
from bot.sandbox.seed import NO_VARIABLES_TEMPLATE, SAMPLE_FILENAME, SAMPLE_ROWS, TEMPLATES
from domain.content import ContentStatus
from domain.use_cases.content import ContentKind, list_content
from handlers.ids import ActionId, BlockId, CallbackId
from tests.sandbox_harness import served_sandbox


def page_of(sandbox, user: str, channel: str = GENERAL_CHANNEL_ID, thread: str | None = None) -> dict:
    params = {"user": user, "channel": channel, **({"thread": thread} if thread else {})}
    answer = httpx.get(f"{sandbox.url}/sandbox/api/page", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def post(sandbox, path: str, **body) -> httpx.Response:
    return httpx.post(f"{sandbox.url}/sandbox/api/{path}", json=body, timeout=10)


def eventually(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_new_sandbox_has_approved_content_once(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        assert sandbox.seeded is not None
        signatures = list_content(sandbox.runtime.uow(), ContentKind.SIGNATURE)
        templates = list_content(sandbox.runtime.uow(), ContentKind.TEMPLATE)
        assert [(s.name, s.status) for s in signatures] == [("Acme", ContentStatus.APPROVED)]
        assert sorted(t.name for t in templates) == sorted(t.name for t in TEMPLATES)
        assert {t.status for t in templates} == {ContentStatus.APPROVED}
        routes = read_routing(sandbox.runtime.uow(), "simulator")
        assert (routes.mainland.label, routes.international.label) == ("default (simulator)", "international (simulator)")
        assert {app.application.name: (len(app.signatures), len(app.templates))
                for app in list_applications(sandbox.runtime.uow(), "simulator")} == {
            "default": (1, len(TEMPLATES)), "international": (1, len(TEMPLATES))}
        sample = httpx.get(f"{sandbox.url}/sandbox/sample")
        assert sample.headers["content-disposition"] == f'attachment; filename="{SAMPLE_FILENAME}"'
        assert len(sample.text.splitlines()) == SAMPLE_ROWS + 1
    with served_sandbox(tmp_path) as again:  # kept between runs: nothing seeded twice
        assert again.seeded is None
        assert len(list_content(again.runtime.uow(), ContentKind.SIGNATURE)) == 1


def test_a_kept_sandbox_gains_the_seeded_templates_it_lacks_and_only_those(tmp_path, monkeypatch):
    """A sandbox kept from before the no-variables template was seeded gets it on its next start,
    approved and registered like the rest (the guide's pasted numbers need it); nothing twice."""
    older = tuple(t for t in TEMPLATES if t.name != NO_VARIABLES_TEMPLATE)
    monkeypatch.setattr(seed, "TEMPLATES", older)
    with served_sandbox(tmp_path) as first:
        assert first.seeded.templates == len(older)
    monkeypatch.setattr(seed, "TEMPLATES", TEMPLATES)
    with served_sandbox(tmp_path) as kept:
        assert (kept.seeded.signatures, kept.seeded.templates) == (0, 1)
        templates = {t.name: t.status for t in list_content(kept.runtime.uow(), ContentKind.TEMPLATE)}
        assert templates[NO_VARIABLES_TEMPLATE] == ContentStatus.APPROVED and len(templates) == len(TEMPLATES)
        assert len(list_content(kept.runtime.uow(), ContentKind.SIGNATURE)) == 1
        assert {app.application.name: len(app.templates)
                for app in list_applications(kept.runtime.uow(), "simulator")} == {
            "default": len(TEMPLATES), "international": len(TEMPLATES)}
    with served_sandbox(tmp_path) as again:
        assert again.seeded is None


def test_a_slash_command_from_the_page_reaches_the_bot_signed(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        answer = post(sandbox, "command", user=SENDER_ID, channel=GENERAL_CHANNEL_ID, text="/sms help")
        assert answer.json() == {"ok": True, "status": 200}
        help_message = page_of(sandbox, SENDER_ID)["messages"][-1]
        assert help_message["ephemeral"] and "/sms send" in json.dumps(help_message["blocks"])
        assert page_of(sandbox, MEMBER_ID)["messages"] == []  # ephemeral: the sender's alone
        refused = post(sandbox, "command", user=SENDER_ID, channel=GENERAL_CHANNEL_ID, text="/nosuch")
        assert refused.status_code == 400 and "not a valid command" in refused.json()["error"]
        assert post(sandbox, "command", user="U0NOBODY01", channel=GENERAL_CHANNEL_ID, text="/sms").status_code == 400


def test_changes_stream_to_the_page(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        with httpx.stream("GET", f"{sandbox.url}/sandbox/api/events", timeout=10) as events:
            post(sandbox, "message", user=SENDER_ID, channel=GENERAL_CHANNEL_ID, text="hello")
            changes = next(line for line in events.iter_lines() if line.startswith("data:"))
        assert "messages" in json.loads(changes.removeprefix("data:"))


def test_the_workspace_is_kept_between_runs_unless_reset(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        shared = httpx.post(f"{sandbox.url}/sandbox/api/share", content=sandbox_csv(),
                            params={"user": SENDER_ID, "channel": GENERAL_CHANNEL_ID, "name": "list.csv"})
        assert shared.status_code == 200, shared.text
        upload = eventually(lambda: next((m for m in page_of(sandbox, SENDER_ID)["messages"]
                                          if m["files"] and m["reply_count"]), None))
        thread = eventually(lambda: (t := page_of(sandbox, SENDER_ID, thread=upload["ts"])["thread"]) and
                            "imported" in t["replies"][-1]["text"] and t)
    with served_sandbox(tmp_path) as again:
        kept = page_of(again, SENDER_ID, thread=upload["ts"])["thread"]
        assert kept["root"]["ts"] == upload["ts"] and kept["replies"][-1]["ts"] == thread["replies"][-1]["ts"]
        file_url = kept["root"]["files"][0]["url"]
        assert httpx.get(f"{again.url}{file_url}", params={"user": MEMBER_ID}).content == sandbox_csv()
    with served_sandbox(tmp_path, reset=True) as fresh:
        assert page_of(fresh, SENDER_ID)["messages"] == []
        assert fresh.seeded is not None


def sandbox_csv() -> bytes:
    return b"phone,name\n13800138000,Li\n13912345678,Han\n"


def test_a_modal_upload_over_slacks_10_mb_is_refused_with_where_to_drop_it(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        big = b"phone\n" + b"13800138000\n" * (10 * 1024 * 1024 // 12 + 1)
        answer = httpx.post(f"{sandbox.url}/sandbox/api/file", params={"user": SENDER_ID, "name": "big.csv"},
                            content=big, timeout=30)
        assert answer.json()["ok"] is False and "10 MB" in answer.json()["error"]
        small = httpx.post(f"{sandbox.url}/sandbox/api/file", params={"user": SENDER_ID, "name": "small.csv"},
                           content=b"phone\n13800138000\n", timeout=30)
        assert small.json()["ok"] is True


def test_pasted_numbers_can_be_sent_with_the_seeded_template_that_has_no_variables(tmp_path):
    with served_sandbox(tmp_path) as sandbox:
        post(sandbox, "command", user=SENDER_ID, channel=GENERAL_CHANNEL_ID, text="/sms send")
        modal = eventually(lambda: sandbox.workspace.views.top_modal(SENDER_ID))
        assert modal.callback_id == CallbackId.SEND_SUBMIT
        content = {c.name: c.id for kind in (ContentKind.SIGNATURE, ContentKind.TEMPLATE)
                   for c in list_content(sandbox.runtime.uow(), kind)}

        def submitted(template: str) -> dict:
            answer = post(sandbox, "submit", user=SENDER_ID, view_id=modal.id, values={
                BlockId.SEND_NAME: {ActionId.SEND_FIELD: {"type": "plain_text_input", "value": "Store closed"}},
                BlockId.SEND_PASTE: {ActionId.SEND_FIELD: {"type": "plain_text_input",
                                                           "value": "13800138000\n13912345678"}},
                BlockId.SEND_SIGNATURE: {ActionId.SEND_REFRESH: {
                    "type": "static_select", "selected_option": {"value": str(content["Acme"])}}},
                BlockId.SEND_TEMPLATE: {ActionId.SEND_REFRESH: {
                    "type": "static_select", "selected_option": {"value": str(content[template])}}},
            })
            return answer.json()

        refused = submitted("Order shipped")  # its ${name} and ${order}: pasted numbers have none
        assert "name" in json.dumps(refused["errors"])
        assert submitted(NO_VARIABLES_TEMPLATE).get("errors") is None
        with sandbox.runtime.uow() as uow:
            task = uow.tasks.get(1)
        assert (task.name, task.recipient_count) == ("Store closed", 2)
