"""views.* through slack_sdk: trigger ids, limits, stacks and hashes."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import SENDER_ID, ManualClock, Workspace


def modal(title: str = "New SMS send", **extra) -> dict:
    view = {
        "type": "modal",
        "callback_id": "send.submit",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Create"},
        "blocks": [{
            "type": "input",
            "block_id": "body",
            "label": {"type": "plain_text", "text": "Message"},
            "element": {"type": "plain_text_input", "action_id": "body_input"},
        }],
    }
    view.update(extra)
    return view


HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*3 sends* running"}}]}


async def refused(call) -> dict:
    with pytest.raises(SlackApiError) as failure:
        await call
    return failure.value.response


async def test_views_open_with_a_30_character_title_is_invalid_arguments(client, workspace):
    answer = await refused(client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=modal("T" * 30)))

    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title]"
    ]
    assert workspace.views.top_modal(SENDER_ID) is None


async def test_views_open_stores_the_modal_for_the_trigger_user(client, workspace):
    answer = await client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=modal())

    view = answer["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert view["callback_id"] == "send.submit" and view["state"] == {"values": {}}
    assert workspace.views.top_modal(SENDER_ID).id == view["id"]


async def test_a_trigger_expires_after_3_seconds(client: AsyncWebClient, workspace: Workspace, clock: ManualClock):
    trigger_id = workspace.issue_trigger(SENDER_ID)
    clock.advance(3.01)

    answer = await refused(client.views_open(trigger_id=trigger_id, view=modal()))

    assert answer["error"] == "expired_trigger_id"


async def test_a_trigger_is_good_for_one_view_only(client, workspace, clock):
    trigger_id = workspace.issue_trigger(SENDER_ID)
    clock.advance(2.9)

    await client.views_open(trigger_id=trigger_id, view=modal())
    again = await refused(client.views_open(trigger_id=trigger_id, view=modal()))
    made_up = await refused(client.views_open(trigger_id="123.456.abc", view=modal()))

    assert again["error"] == "exchanged_trigger_id"
    assert made_up["error"] == "invalid_trigger_id"


async def test_views_update_refuses_a_stale_hash(client, workspace):
    opened = (await client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=modal()))["view"]
    first = await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Step 2"))

    stale = await refused(client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Step 3")))

    assert first["view"]["hash"] != opened["hash"]
    assert stale["error"] == "hash_conflict"
    assert workspace.views.get(opened["id"]).definition["title"]["text"] == "Step 2"


async def test_views_update_needs_exactly_one_known_view_reference(client, workspace):
    opened = await client.views_open(
        trigger_id=workspace.issue_trigger(SENDER_ID), view=modal(external_id="send-42")
    )

    by_external_id = await client.views_update(external_id="send-42", view=modal("Updated", external_id="send-42"))
    # views_update() itself sends only one of the two, so the raw call shows Slack's check.
    both_ids = {"view_id": opened["view"]["id"], "external_id": "send-42", "view": modal()}
    both = await refused(client.api_call("views.update", json=both_ids))
    neither = await refused(client.api_call("views.update", json={"view": modal()}))
    unknown = await refused(client.views_update(view_id="V0NOTHERE0", view=modal()))

    assert by_external_id["view"]["id"] == opened["view"]["id"]
    assert (both["error"], neither["error"], unknown["error"]) == ("invalid_arguments",) * 2 + ("not_found",)


async def test_views_push_stacks_at_most_three_views(client, workspace):
    root = (await client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=modal("One")))["view"]
    second = await client.views_push(trigger_id=workspace.issue_trigger(SENDER_ID, root["id"]), view=modal("Two"))
    third = await client.views_push(trigger_id=workspace.issue_trigger(SENDER_ID), view=modal("Three"))

    fourth = await refused(client.views_push(trigger_id=workspace.issue_trigger(SENDER_ID), view=modal("Four")))

    assert second["view"]["root_view_id"] == root["id"]
    assert third["view"]["previous_view_id"] == second["view"]["id"]
    assert [v.id for v in workspace.views.stack(root["id"])] == [root["id"], second["view"]["id"], third["view"]["id"]]
    assert fourth["error"] == "push_limit_reached"


async def test_views_publish_keeps_one_home_per_user(client, workspace):
    first = await client.views_publish(user_id=SENDER_ID, view=HOME)
    second = await client.views_publish(user_id=SENDER_ID, view=HOME, hash=first["view"]["hash"])
    stale = await refused(client.views_publish(user_id=SENDER_ID, view=HOME, hash=first["view"]["hash"]))
    not_home = await refused(client.views_publish(user_id=SENDER_ID, view=modal()))

    assert second["view"]["id"] == first["view"]["id"] == workspace.views.home(SENDER_ID).id
    assert stale["error"] == "hash_conflict"
    assert not_home["error"] == "invalid_arguments"
    assert not_home["response_metadata"]["messages"] == ["[ERROR] must be a valid enum value [json-pointer:/view/type]"]


async def test_a_modal_with_inputs_but_no_submit_is_refused(client, workspace):
    view = modal()
    del view["submit"]

    answer = await refused(client.views_open(trigger_id=workspace.issue_trigger(SENDER_ID), view=view))

    assert answer["error"] == "invalid_arguments"
    assert any("submit" in message for message in answer["response_metadata"]["messages"])
