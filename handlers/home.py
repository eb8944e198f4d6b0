"""The App Home tab: a dashboard of the person's tasks, approvals waiting for an approver, and
quick actions (New send, Upload recipients, Sample file)."""

from __future__ import annotations

import anyio
from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.use_cases.status import Pricing, home_dashboard
from handlers import listeners
from handlers.home_blocks import build_home_view
from handlers.ids import ActionId, EventType
from handlers.payloads import SendModalState
from handlers.pressed import where_pressed
from handlers.recipients_blocks import build_import_modal
from handlers.sample import send_sample_file
from handlers.send import open_send_modal
from handlers.status import ThreadLinks
from handlers.task_thread import composition

_links = ThreadLinks()


async def publish_home(client: AsyncWebClient, uow, settings, actor: Actor) -> None:
    pricing = Pricing(composition(settings), settings.price_per_segment, settings.currency)
    dashboard = await anyio.to_thread.run_sync(lambda: home_dashboard(
        uow(), actor, allow_self_approval=settings.allow_self_approval, pricing=pricing))
    tasks = [*dashboard.recent, *(item.task for item in dashboard.pending_tasks)]
    links = await _links.for_tasks(client, tasks)
    await client.views_publish(user_id=actor.user_id, view=build_home_view(
        is_approver=actor.is_approver, dashboard=dashboard, links=links))


async def refresh_if_on_home(body: dict, client: AsyncWebClient, uow, settings, actor: Actor) -> None:
    """After a decision taken on the Home tab, the tab shows what is left to decide."""
    if where_pressed(body).on_home:
        await publish_home(client, uow, settings, actor)


async def _direct_channel(client: AsyncWebClient, user_id: str) -> str:
    """Where work started from the Home tab belongs: the person's DM with the bot."""
    return (await client.conversations_open(users=user_id))["channel"]["id"]


async def show_home(event: dict, client: AsyncWebClient, actor: Actor, uow, settings) -> None:
    if event.get("tab", "home") != "home":
        return
    await publish_home(client, uow, settings, actor)


async def new_send(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor, member_actor, uow,
                   settings) -> None:
    await ack()
    trigger_id = body["trigger_id"]  # read first: it lasts 3 seconds
    channel = await _direct_channel(client, actor.user_id)
    await open_send_modal(client, uow, settings, trigger_id, await member_actor(), SendModalState(channel_id=channel))


async def upload(ack: AsyncAck, body: dict, client: AsyncWebClient, actor: Actor) -> None:
    await ack()
    channel = await _direct_channel(client, actor.user_id)
    await client.views_open(trigger_id=body["trigger_id"], view=build_import_modal(channel))


async def sample(ack: AsyncAck, client: AsyncWebClient, actor: Actor) -> None:
    await ack()
    await send_sample_file(client, actor.user_id)


LISTENERS = (
    listeners.event(EventType.APP_HOME_OPENED, show_home),
    listeners.action(ActionId.HOME_NEW_SEND, new_send),
    listeners.action(ActionId.HOME_UPLOAD, upload),
    listeners.action(ActionId.HOME_SAMPLE, sample),
)
