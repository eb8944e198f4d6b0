"""Where a press happened, read from block_actions payloads in the shapes Slack sends."""

from handlers.pressed import where_pressed

CARD, REPLY = "1732368000.000100", "1732368050.000200"


def on_message(ts: str, *, container_thread: str | None = None, message_thread: str | None = None,
               ephemeral: bool = False) -> dict:
    container = {"type": "message", "message_ts": ts, "channel_id": "C1", "is_ephemeral": ephemeral}
    if container_thread:
        container["thread_ts"] = container_thread
    body = {"type": "block_actions", "container": container, "channel": {"id": "C1", "name": "general"}}
    if not ephemeral:
        body["message"] = {"type": "message", "ts": ts, **({"thread_ts": message_thread} if message_thread else {})}
    return body


def test_a_reply_in_a_thread_is_answered_in_that_thread():
    pressed = where_pressed(on_message(REPLY, container_thread=CARD, message_thread=CARD))
    assert (pressed.channel, pressed.message_ts, pressed.thread_ts) == ("C1", REPLY, CARD)
    assert pressed.message == ("C1", REPLY) and not pressed.in_modal and not pressed.on_home
    # the message's own thread_ts says the same when the container leaves it out
    assert where_pressed(on_message(REPLY, message_thread=CARD)).thread_ts == CARD


def test_an_ephemeral_message_in_a_thread_names_it_in_its_container():
    assert where_pressed(on_message(REPLY, container_thread=CARD, ephemeral=True)).thread_ts == CARD


def test_a_threads_parent_pressed_in_the_channel_is_answered_in_the_channel():
    assert where_pressed(on_message(CARD, message_thread=CARD)).thread_ts is None
    assert where_pressed(on_message(CARD)).thread_ts is None
    # pressed on the parent inside the thread, Slack says so in the container
    assert where_pressed(on_message(CARD, container_thread=CARD, message_thread=CARD)).thread_ts == CARD


def test_a_press_in_a_modal_or_on_the_home_tab_has_no_channel():
    for kind in ("modal", "home"):
        body = {"type": "block_actions", "container": {"type": "view", "view_id": "V1"},
                "view": {"id": "V1", "type": kind}}
        pressed = where_pressed(body)
        assert (pressed.channel, pressed.thread_ts, pressed.message) == (None, None, None)
        assert (pressed.in_modal, pressed.on_home) == (kind == "modal", kind == "home")
