"""The emulator's Web API, reached over HTTP by slack_sdk's own clients."""

from __future__ import annotations

import json

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.emulator import (
    APPROVER_ID,
    APPROVERS_GROUP_ID,
    BOT_ID,
    BOT_USER_ID,
    DEFAULT_BOT_TOKEN,
    GENERAL_CHANNEL_ID,
    MEMBER_ID,
    SECOND_APPROVER_ID,
    SENDER_ID,
    TEAM_ID,
    Channel,
)

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Spring promo* to 1,250 recipients"}}


async def test_auth_test_names_the_bot_and_its_team(client: AsyncWebClient, emulator):
    answer = await client.auth_test()

    assert answer["user_id"] == BOT_USER_ID
    assert answer["bot_id"] == BOT_ID
    assert answer["team_id"] == TEAM_ID
    assert answer["url"] == emulator.url + "/"
    assert answer["is_enterprise_install"] is False


def test_a_call_without_token_is_not_authed_and_still_recorded(api_url, workspace):
    with pytest.raises(SlackApiError) as refused:
        WebClient(base_url=api_url).auth_test()

    assert refused.value.response["error"] == "not_authed"
    [call] = workspace.calls("auth.test")
    assert (call.ok, call.error) == (False, "not_authed")


def test_an_unknown_token_is_invalid_auth(api_url):
    with pytest.raises(SlackApiError) as refused:
        WebClient(token="xoxb-someone-else", base_url=api_url).chat_postMessage(channel=GENERAL_CHANNEL_ID, text="x")

    assert refused.value.response["error"] == "invalid_auth"


def test_an_unknown_method_answers_404_like_slack(sync_client: WebClient):
    with pytest.raises(SlackApiError) as refused:
        sync_client.api_call("chat.teleport", json={"channel": GENERAL_CHANNEL_ID})

    assert refused.value.response.status_code == 404
    assert refused.value.response["error"] == "unknown_method"


async def test_post_message_without_channel_is_channel_not_found(client: AsyncWebClient):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.postMessage", json={"text": "hello"})

    assert refused.value.response["error"] == "channel_not_found"


async def test_post_message_where_the_bot_is_not_a_member_is_not_in_channel(client, workspace):
    workspace.add_channel(Channel("C0RANDOM01", "random", {SENDER_ID}))
    workspace.add_channel(Channel("G0SECRET01", "secret", {SENDER_ID}, is_private=True))

    with pytest.raises(SlackApiError) as public:
        await client.chat_postMessage(channel="C0RANDOM01", text="hi")
    with pytest.raises(SlackApiError) as private:
        await client.chat_postMessage(channel="G0SECRET01", text="hi")

    assert public.value.response["error"] == "not_in_channel"
    assert private.value.response["error"] == "channel_not_found"


async def test_conversations_info_tells_whether_the_bot_is_a_member(client, workspace):
    workspace.add_channel(Channel("C0RANDOM01", "random", {SENDER_ID}))
    workspace.add_channel(Channel("G0SECRET01", "secret", {SENDER_ID}, is_private=True))

    outside = (await client.conversations_info(channel="C0RANDOM01"))["channel"]
    inside = (await client.conversations_info(channel=GENERAL_CHANNEL_ID))["channel"]
    with pytest.raises(SlackApiError) as private:
        await client.conversations_info(channel="G0SECRET01")

    assert (outside["name"], outside["is_member"], outside["is_archived"]) == ("random", False, False)
    assert inside["is_member"] is True
    assert private.value.response["error"] == "channel_not_found"  # a private channel the bot is not in


async def test_users_conversations_lists_a_persons_channels_as_a_bot_sees_them(client, workspace):
    workspace.add_channel(Channel("C0RANDOM01", "random", {MEMBER_ID}))  # public: listed without the bot
    workspace.add_channel(Channel("G0SECRET01", "secret", {MEMBER_ID}, is_private=True))  # private, bot not in it
    workspace.add_channel(Channel("G0SHARED01", "shared", {MEMBER_ID, BOT_USER_ID}, is_private=True))
    workspace.open_dm(MEMBER_ID)

    pages, cursor = [], None
    while True:
        response = await client.users_conversations(user=MEMBER_ID, types="public_channel,private_channel,mpim",
                                                     limit=2, cursor=cursor)
        pages.append([c["id"] for c in response["channels"]])
        cursor = response["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert pages == [["C0APPROVE1", "C0GENERAL1"], ["C0RANDOM01", "G0SHARED01"]]
    assert "is_member" not in response["channels"][0]  # Slack omits it here
    only_public = await client.users_conversations(user=MEMBER_ID)
    assert [c["id"] for c in only_public["channels"]] == ["C0APPROVE1", "C0GENERAL1", "C0RANDOM01"]
    for bad, error in (({"user": "U0NOBODY01"}, "user_not_found"), ({"cursor": "not a cursor"}, "invalid_cursor")):
        with pytest.raises(SlackApiError) as refused:
            await client.users_conversations(**bad)
        assert refused.value.response["error"] == error


async def test_a_test_can_ask_for_slacks_failures_on_chosen_calls(client, workspace):
    posted = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="Sending")
    workspace.faults.add("chat.update", "message_not_found", when=lambda args: args.get("ts") == posted["ts"])
    with pytest.raises(SlackApiError) as gone:
        await client.chat_update(channel=GENERAL_CHANNEL_ID, ts=posted["ts"], text="50%")
    assert gone.value.response["error"] == "message_not_found"
    await client.chat_update(channel=GENERAL_CHANNEL_ID, ts=posted["ts"], text="60%")  # once, as asked

    workspace.faults.add("chat.postMessage", "ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="again")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["retry-after"] == "7"
    assert limited.value.response["error"] == "ratelimited"
    workspace.faults.add("chat.postMessage", "not_in_channel", times=None)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="again")
    workspace.faults.clear()
    assert (await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="again"))["ok"]


async def test_an_archived_channel_says_so_and_refuses_posts(client, workspace):
    workspace.channel(GENERAL_CHANNEL_ID).is_archived = True

    info = (await client.conversations_info(channel=GENERAL_CHANNEL_ID))["channel"]
    refusals = []
    for post in (client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="hi"),
                 client.chat_postEphemeral(channel=GENERAL_CHANNEL_ID, user=SENDER_ID, text="hi")):
        with pytest.raises(SlackApiError) as refused:
            await post
        refusals.append(refused.value.response["error"])

    assert (info["is_archived"], info["is_member"]) == (True, True)
    assert refusals == ["is_archived", "is_archived"]
    assert workspace.messages(GENERAL_CHANNEL_ID) == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_post_message_without_any_content_is_no_text(client: AsyncWebClient):
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=GENERAL_CHANNEL_ID)

    assert refused.value.response["error"] == "no_text"


async def test_a_section_over_3000_characters_is_invalid_blocks(client: AsyncWebClient, workspace):
    long_section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="fallback", blocks=[SECTION, long_section])

    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text]"
    ]
    assert workspace.messages(GENERAL_CHANNEL_ID) == []


async def test_a_message_posted_to_a_user_id_lands_in_the_bots_dm(client: AsyncWebClient, workspace):
    answer = await client.chat_postMessage(channel=SENDER_ID, text="your export is ready")

    dm = workspace.channel(answer["channel"])
    assert dm.is_im and dm.im_user == SENDER_ID
    assert [m.text for m in workspace.messages(dm.id)] == ["your export is ready"]


async def test_post_update_and_permalinks_follow_the_thread(client: AsyncWebClient, workspace, emulator):
    parent = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="Task 42", blocks=[SECTION])
    reply = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="0 / 10 sent", thread_ts=parent["ts"])
    # A reply to a reply joins the parent's thread, as in Slack.
    nested = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="note", thread_ts=reply["ts"])

    updated = await client.chat_update(channel=GENERAL_CHANNEL_ID, ts=reply["ts"], text="10 / 10 sent")
    parent_link = await client.chat_getPermalink(channel=GENERAL_CHANNEL_ID, message_ts=parent["ts"])
    reply_link = await client.chat_getPermalink(channel=GENERAL_CHANNEL_ID, message_ts=reply["ts"])

    assert float(parent["ts"]) < float(reply["ts"]) < float(nested["ts"])
    assert nested["message"]["thread_ts"] == parent["ts"]
    assert updated["message"]["text"] == "10 / 10 sent" and "edited" in updated["message"]
    assert [m.text for m in workspace.replies(GENERAL_CHANNEL_ID, parent["ts"])] == ["10 / 10 sent", "note"]
    assert [m.ts for m in workspace.messages(GENERAL_CHANNEL_ID)] == [parent["ts"]]
    assert workspace.message(GENERAL_CHANNEL_ID, parent["ts"]).blocks == [SECTION]  # untouched
    digits = parent["ts"].replace(".", "")
    assert parent_link["permalink"] == f"{emulator.url}/archives/{GENERAL_CHANNEL_ID}/p{digits}"
    assert reply_link["permalink"].endswith(f"?thread_ts={parent['ts']}&cid={GENERAL_CHANNEL_ID}")


async def test_update_refuses_unknown_and_other_peoples_messages(client: AsyncWebClient, workspace):
    theirs = workspace.post_message(GENERAL_CHANNEL_ID, SENDER_ID, "my own words")

    with pytest.raises(SlackApiError) as unknown:
        await client.chat_update(channel=GENERAL_CHANNEL_ID, ts="1763900000.999999", text="x")
    with pytest.raises(SlackApiError) as not_ours:
        await client.chat_update(channel=GENERAL_CHANNEL_ID, ts=theirs.ts, text="x")

    assert unknown.value.response["error"] == "message_not_found"
    assert not_ours.value.response["error"] == "cant_update_message"
    assert workspace.message(GENERAL_CHANNEL_ID, theirs.ts).text == "my own words"


async def test_post_ephemeral_is_kept_for_one_user_only(client: AsyncWebClient, workspace):
    workspace.add_channel(Channel("C0RANDOM01", "random", {SENDER_ID, BOT_USER_ID}))

    answer = await client.chat_postEphemeral(channel=GENERAL_CHANNEL_ID, user=SENDER_ID, text="only you")
    with pytest.raises(SlackApiError) as outsider:
        await client.chat_postEphemeral(channel="C0RANDOM01", user=MEMBER_ID, text="x")

    [ephemeral] = workspace.ephemerals(user_id=SENDER_ID)
    assert (ephemeral.ts, ephemeral.text, ephemeral.channel) == (answer["message_ts"], "only you", GENERAL_CHANNEL_ID)
    assert workspace.ephemerals(user_id=MEMBER_ID) == []
    assert workspace.messages(GENERAL_CHANNEL_ID) == []
    assert outsider.value.response["error"] == "user_not_in_channel"


def test_form_encoded_blocks_are_recorded_as_data(sync_client: WebClient, workspace):
    sync_client.api_call(
        "chat.postMessage",
        data={"channel": GENERAL_CHANNEL_ID, "text": "form", "blocks": json.dumps([SECTION])},
    )

    [call] = workspace.calls("chat.postMessage")
    assert call.args["blocks"] == [SECTION]
    assert "token" not in call.args
    assert workspace.messages(GENERAL_CHANNEL_ID)[0].blocks == [SECTION]


async def test_users_usergroups_and_conversations(client: AsyncWebClient):
    user = await client.users_info(user=APPROVER_ID)
    group = await client.usergroups_users_list(usergroup=APPROVERS_GROUP_ID)
    channel = await client.conversations_info(channel=GENERAL_CHANNEL_ID)
    dm = await client.conversations_open(users=SENDER_ID)

    assert (user["user"]["name"], user["user"]["real_name"]) == ("approver", "Ada Approver")
    assert group["users"] == [APPROVER_ID, SECOND_APPROVER_ID]
    assert channel["channel"]["name"] == "general"
    assert channel["channel"]["is_member"] is True and channel["channel"]["is_im"] is False
    assert dm["channel"]["id"].startswith("D")
    for call, error in (
        (client.users_info(user="U0NOBODY00"), "user_not_found"),
        (client.usergroups_users_list(usergroup="S0NOBODY00"), "no_such_subteam"),
        (client.conversations_info(channel="C0NOWHERE0"), "channel_not_found"),
    ):
        with pytest.raises(SlackApiError) as refused:
            await call
        assert refused.value.response["error"] == error


async def test_a_missing_required_argument_is_invalid_arguments(client: AsyncWebClient):
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("usergroups.users.list", params={})

    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == ["[ERROR] missing required field: usergroup"]


async def test_inspection_endpoints_show_calls_and_messages(client: AsyncWebClient, emulator):
    await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="visible")

    calls = httpx.get(emulator.url + "/_emulator/calls", params={"method": "chat.postMessage"}).json()
    messages = httpx.get(f"{emulator.url}/_emulator/channels/{GENERAL_CHANNEL_ID}/messages").json()

    assert [c["args"]["text"] for c in calls] == ["visible"]
    assert [m["text"] for m in messages] == ["visible"]


def test_a_token_form_field_authenticates_and_is_never_recorded(api_url, workspace):
    WebClient(base_url=api_url).api_call("auth.test", data={"token": DEFAULT_BOT_TOKEN})

    [call] = workspace.calls("auth.test")
    assert call.ok and call.args == {}


async def test_a_reply_also_sent_to_the_channel_is_in_its_thread_and_the_channels_history(
        client: AsyncWebClient, workspace):
    root = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="a file")
    reply = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="imported", thread_ts=root["ts"],
                                          reply_broadcast=True)
    quiet = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="details", thread_ts=root["ts"])
    alone = await client.chat_postMessage(channel=GENERAL_CHANNEL_ID, text="no thread", reply_broadcast=True)

    assert reply["message"]["subtype"] == "thread_broadcast" and reply["message"]["root"]["ts"] == root["ts"]
    assert [m.ts for m in workspace.replies(GENERAL_CHANNEL_ID, root["ts"])] == [reply["ts"], quiet["ts"]]
    assert [m.ts for m in workspace.messages(GENERAL_CHANNEL_ID)] == [root["ts"], reply["ts"], alone["ts"]]
    assert "subtype" not in alone["message"]  # Slack ignores reply_broadcast without thread_ts
