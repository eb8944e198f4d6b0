"""The App Home tab."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from handlers.home_blocks import build_home_view
from handlers.ids import EventType


def register(app: AsyncApp) -> None:
    @app.event(EventType.APP_HOME_OPENED)
    async def publish_home(event: dict, client: AsyncWebClient, actor: Actor) -> None:
        if event.get("tab", "home") != "home":
            return
        await client.views_publish(user_id=actor.user_id, view=build_home_view(is_approver=actor.is_approver))
