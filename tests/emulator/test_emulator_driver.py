"""The driver against a small real Bolt AsyncApp served over HTTP, its client aimed at the emulator."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import unquote

import httpx
import pytest
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.routing import Route

from bot.threaded_server import ThreadedServer
from bot.sandbox.emulator import (
    APPROVER_ID,
    BOT_USER_ID,
    DEFAULT_BOT_TOKEN,
    GENERAL_CHANNEL_ID,
    SENDER_ID,
    DriverError,
    SlackDriver,
    Workspace,
)

SIGNING_SECRET = "sandbox-signing-secret"
MODAL = {
    "type": "modal",
    "callback_id": "send.submit",
    "private_metadata": '{"channel": "C0GENERAL1"}',
    "title": {"type": "plain_text", "text": "New SMS send"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [{"type": "input", "block_id": "body", "label": {"type": "plain_text", "text": "Message"},
                "element": {"type": "plain_text_input", "action_id": "body_input"}}],
}
APPROVE_BLOCKS = [{"type": "actions", "block_id": "decide", "elements": [
    {"type": "button", "action_id": "approve", "text": {"type": "plain_text", "text": "Approve"}, "value": "task-42"},
]}]
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}]}


@dataclass
class Heard:
    """What the listeners received, for the tests to look at."""

    submissions: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    downloads: list[bytes] = field(default_factory=list)


def build_bolt_app(api_url: str, heard: Heard) -> Starlette:
    app = AsyncApp(client=AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=api_url), signing_secret=SIGNING_SECRET)

    @app.command("/sms")
    async def sms(ack, command, client, respond):
        text = command["text"]
        if text == "ack":
            await ack(text="Working on it")
        elif text == "public":
            await ack()
            await respond(text="Everyone sees this", response_type="in_channel")
        elif text == "modal":
            await ack()
            await client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        else:
            await ack()
            await client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text=f"got {text}")

    @app.view("send.submit")
    async def submit(ack, view, body):
        heard.submissions.append({"values": view["state"]["values"], "metadata": view["private_metadata"],
                                  "user": body["user"]["id"]})
        if not view["state"]["values"]["body"]["body_input"]["value"]:
            await ack(response_action="errors", errors={"body": "Type a message"})
        else:
            await ack()

    @app.view_closed("send.submit")
    async def closed(ack, view):
        await ack()
        heard.closed.append(view["id"])

    @app.action("approve")
    async def approve(ack, body, respond):
        await ack()
        heard.actions.append(body)
        await respond(replace_original=True, text=f"Approved by <@{body['user']['id']}>")

    @app.event("app_home_opened")
    async def home(event, client):
        await client.views_publish(user_id=event["user"], view=HOME)

    @app.message("hello")
    async def hello(say):
        await say("hello back")

    @app.event("file_shared")
    async def file_shared(event, client):
        info = await client.files_info(file=event["file_id"])
        async with httpx.AsyncClient() as http:
            download = await http.get(info["file"]["url_private_download"],
                                      headers={"Authorization": f"Bearer {DEFAULT_BOT_TOKEN}"})
        heard.downloads.append(download.content)

    handler = AsyncSlackRequestHandler(app)

    async def events(request):
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def driver(api_url: str, workspace: Workspace, heard: Heard):
    bot = ThreadedServer(build_bolt_app(api_url, heard)).start()
    yield SlackDriver(workspace, bot.url + "/slack/events", SIGNING_SECRET)
    bot.stop()


async def test_a_slash_command_reaches_the_listener_which_posts_an_ephemeral(driver, workspace, eventually):
    response = await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "hello there")

    assert response.status_code == 200
    [call] = await eventually(lambda: workspace.calls("chat.postEphemeral"))
    assert call.ok
    assert (call.args["channel"], call.args["user"], call.args["text"]) == (GENERAL_CHANNEL_ID, SENDER_ID, "got hello there")
    assert [e.text for e in workspace.ephemerals(user_id=SENDER_ID)] == ["got hello there"]


async def test_an_ack_with_text_shows_as_an_ephemeral_message(driver, workspace):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "ack")

    [shown] = workspace.ephemerals(user_id=SENDER_ID)
    assert (shown.text, shown.source) == ("Working on it", "command_ack")


async def test_an_in_channel_respond_posts_through_the_response_url(driver, workspace, eventually):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "public")

    [post] = await eventually(lambda: workspace.response_url_posts)
    assert post.effect == "in_channel"
    assert [m.text for m in workspace.messages(GENERAL_CHANNEL_ID)] == ["Everyone sees this"]
    assert workspace.calls("chat.postMessage") == []  # not a Web API call


async def test_a_forged_signature_is_refused_with_401(driver, workspace):
    body = "command=%2Fsms&text=hello&user_id=U0SENDER01&channel_id=C0GENERAL1"

    response = await driver.post_raw(body, driver.signed_headers(body, secret="not-the-secret"))

    assert response.status_code == 401
    assert workspace.calls() == []


async def test_a_stale_timestamp_is_refused_with_401(driver, workspace):
    body = "command=%2Fsms&text=hello&user_id=U0SENDER01&channel_id=C0GENERAL1"

    response = await driver.post_raw(body, driver.signed_headers(body, timestamp=int(time.time()) - 6 * 60))

    assert response.status_code == 401
    assert workspace.calls() == []


async def test_a_modal_submission_reaches_the_listener_and_its_answer_is_applied(driver, workspace, heard, eventually):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "modal")
    view = await eventually(lambda: workspace.views.top_modal(SENDER_ID))

    empty = await driver.view_submission(SENDER_ID, view.id, {})
    filled = await driver.view_submission(SENDER_ID, view.id, {"body": {"body_input": {"value": "Hi ${name}"}}})

    assert empty.status_code == filled.status_code == 200
    assert [s.response_action for s in workspace.submissions] == ["errors", None]
    # An input left empty is still sent, with a null value, as Slack does.
    assert heard.submissions[0]["values"] == {"body": {"body_input": {"type": "plain_text_input", "value": None}}}
    assert heard.submissions[1] == {
        "values": {"body": {"body_input": {"type": "plain_text_input", "value": "Hi ${name}"}}},
        "metadata": MODAL["private_metadata"],
        "user": SENDER_ID,
    }
    assert workspace.views.get(view.id).closed and workspace.views.top_modal(SENDER_ID) is None


async def test_errors_keep_the_modal_open_with_the_errors_shown(driver, workspace, eventually):
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "modal")
    view = await eventually(lambda: workspace.views.top_modal(SENDER_ID))

    await driver.view_submission(SENDER_ID, view.id, {"body": {"body_input": {"value": ""}}})

    assert workspace.views.top_modal(SENDER_ID).id == view.id
    assert workspace.views.get(view.id).errors == {"body": "Type a message"}


async def test_closing_a_modal_notifies_only_when_asked(driver, workspace, heard, eventually):
    quiet = workspace.views.open_modal(SENDER_ID, MODAL)
    assert await driver.view_closed(SENDER_ID, quiet.id) is None
    noisy = workspace.views.open_modal(SENDER_ID, dict(MODAL, notify_on_close=True))

    response = await driver.view_closed(SENDER_ID, noisy.id)

    assert response.status_code == 200
    assert await eventually(lambda: heard.closed) == [noisy.id]
    assert workspace.views.top_modal(SENDER_ID) is None


async def test_a_button_press_reaches_the_listener_and_respond_replaces_the_message(driver, workspace, heard, eventually):
    posted = workspace.post_message(GENERAL_CHANNEL_ID, BOT_USER_ID, "Approve task 42?", APPROVE_BLOCKS)

    response = await driver.block_actions(APPROVER_ID, "approve", message=(GENERAL_CHANNEL_ID, posted.ts))

    assert response.status_code == 200
    await eventually(lambda: workspace.response_url_posts)
    [action] = heard.actions[0]["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == ("approve", "decide", "task-42")
    assert heard.actions[0]["container"]["message_ts"] == posted.ts
    assert workspace.message(GENERAL_CHANNEL_ID, posted.ts).text == f"Approved by <@{APPROVER_ID}>"
    with pytest.raises(DriverError):
        await driver.block_actions(APPROVER_ID, "reject", message=(GENERAL_CHANNEL_ID, posted.ts))


async def test_events_reach_the_listeners(driver, workspace, heard, eventually):
    home = await driver.app_home_opened(SENDER_ID)
    hello = await driver.message(SENDER_ID, GENERAL_CHANNEL_ID, "hello bot")
    shared = await driver.share_file(SENDER_ID, GENERAL_CHANNEL_ID, "recipients.csv", b"phone\n+8613800138000\n")

    assert home.status_code == hello.status_code == shared.responses[1].status_code == 200
    assert (await eventually(lambda: workspace.views.home(SENDER_ID))).blocks == HOME["blocks"]
    replies = await eventually(lambda: [m for m in workspace.messages(GENERAL_CHANNEL_ID) if m.user == BOT_USER_ID])
    assert [m.text for m in replies] == ["hello back"]
    assert await eventually(lambda: heard.downloads) == [b"phone\n+8613800138000\n"]
    file_message = workspace.message(GENERAL_CHANNEL_ID, shared.message_ts)
    assert file_message.file_ids == [shared.file_id] and file_message.subtype == "file_share"


async def test_an_event_envelope_is_what_slack_sends(driver, workspace):
    captured = []

    async def capture(body, headers):
        captured.append(json.loads(body))
        return httpx.Response(200)

    driver.post_raw = capture
    await driver.event({"type": "app_mention", "user": SENDER_ID, "text": "<@U0SMSBOT01> hi"})

    [envelope] = captured
    assert envelope["type"] == "event_callback" and envelope["team_id"] == workspace.team.id
    assert envelope["api_app_id"] == workspace.bot.app_id and envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == BOT_USER_ID
    assert envelope["event"]["event_ts"]


async def test_a_press_in_a_thread_names_it_and_the_workspace_notes_where_its_person_was(driver, workspace):
    """Slack's shapes: a reply and an ephemeral message in a thread name it in the container; a
    thread's parent carries its own ts as thread_ts. Each ephemeral keeps the thread its person
    was in (where they last pressed, typed a command or wrote), for the suite's thread check."""
    captured = []

    async def capture(body, headers):
        if body.startswith("payload="):
            captured.append(json.loads(unquote(body.removeprefix("payload="))))
        answered = httpx.Response(200)
        answered.elapsed = timedelta(0)
        return answered

    driver.post_raw = capture
    parent = workspace.post_message(GENERAL_CHANNEL_ID, BOT_USER_ID, "Approve?", APPROVE_BLOCKS)
    reply = workspace.post_message(GENERAL_CHANNEL_ID, BOT_USER_ID, "Again?", APPROVE_BLOCKS, thread_ts=parent.ts)
    only_you = workspace.post_ephemeral(GENERAL_CHANNEL_ID, APPROVER_ID, "Yours?", APPROVE_BLOCKS, thread_ts=parent.ts)

    def answer() -> str | None:
        return workspace.post_ephemeral(GENERAL_CHANNEL_ID, APPROVER_ID, "answer").person_in_thread

    for ts in (reply.ts, only_you.ts):
        await driver.block_actions(APPROVER_ID, "approve", message=(GENERAL_CHANNEL_ID, ts))
        assert captured[-1]["container"]["thread_ts"] == parent.ts and answer() == parent.ts
    assert captured[0]["message"]["thread_ts"] == parent.ts and captured[1]["container"]["is_ephemeral"]
    await driver.block_actions(APPROVER_ID, "approve", message=(GENERAL_CHANNEL_ID, parent.ts))
    assert "thread_ts" not in captured[-1]["container"] and captured[-1]["message"]["thread_ts"] == parent.ts
    assert answer() is None  # the parent, pressed in the channel
    await driver.message(APPROVER_ID, GENERAL_CHANNEL_ID, "a reply", thread_ts=parent.ts)
    assert answer() == parent.ts
    await driver.slash_command(APPROVER_ID, GENERAL_CHANNEL_ID, "list")
    assert answer() is None
    assert workspace.post_ephemeral(GENERAL_CHANNEL_ID, SENDER_ID, "someone else").person_in_thread is None
