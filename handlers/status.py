"""Status and reporting: `/sms list`, `/sms status`, `/sms lookup`, and the task details modal
that the Details button opens wherever it is (task card, final report, list, Home tab)."""

from __future__ import annotations

import logging
from typing import Any

import anyio
from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from domain.approvers import Actor
from domain.errors import DomainError
from domain.i18n import N_
from domain.status import (
    ListQuery, ListScope, RecipientFilter, name_filter, parse_list_args, parse_search, parse_task_ref, visible_to,
)
from domain.task_state import TaskStatus
from domain.use_cases.status import TaskSummary, find_task_details, list_tasks, lookup_number, task_details
from handlers import listeners
from handlers.ids import SLASH_COMMAND, ActionId, BlockId, CallbackId
from handlers.payloads import DetailsState, TaskListState, TaskRef
from handlers.replies import error_mrkdwn, error_text
from handlers.sms_command import Invocation, Subcommand
from handlers.status_blocks import build_details_modal, build_lookup_message, build_task_list
from handlers.task_thread import composition
from handlers.working_views import update_pressed_view

log = logging.getLogger(__name__)
PERMALINK_WAIT_SECONDS = 1.0


class ThreadLinks:
    """Links to task threads. Slack's permalinks share one form, `<workspace>/archives/<channel>/
    p<ts without its dot>`: one chat.getPermalink call teaches the workspace's address, and
    every later link is built from it, so a page of tasks costs no call per task. Kept per
    Web API address and token, that is per workspace."""

    def __init__(self) -> None:
        self._bases: dict[tuple[str, str | None], str] = {}

    async def for_tasks(self, client: AsyncWebClient, tasks: list[TaskSummary]) -> dict[int, str]:
        threaded = [t for t in tasks if t.thread_channel and t.thread_ts]
        if not threaded:
            return {}
        key = (client.base_url, client.token)
        if key not in self._bases:
            first = threaded[0]
            link = None
            with anyio.move_on_after(PERMALINK_WAIT_SECONDS):  # the list goes in the ack: never wait long
                try:
                    link = (await client.chat_getPermalink(channel=first.thread_channel,
                                                           message_ts=first.thread_ts))["permalink"]
                except SlackApiError as error:
                    log.info("no permalink for task %s: %s", first.id, error.response.get("error"))
            base, found, _path = (link or "").partition("/archives/")
            if not found:
                return {first.id: link} if link else {}
            self._bases[key] = base
        base = self._bases[key]
        return {t.id: f"{base}/archives/{t.thread_channel}/p{t.thread_ts.replace('.', '')}" for t in threaded}


def _query(state: TaskListState) -> ListQuery:
    return ListQuery(ListScope(state.scope), TaskStatus(state.status) if state.status else None,
                     name_filter(state.name))


def _input(view: dict, block_id: str, action_id: str) -> dict[str, Any]:
    return ((view.get("state") or {}).get("values", {}).get(block_id) or {}).get(action_id) or {}


def _chosen_filter(view: dict, state: DetailsState) -> RecipientFilter:
    option = _input(view, BlockId.DETAILS_FILTER, ActionId.DETAILS_FILTER_SELECT).get("selected_option")
    try:
        return RecipientFilter((option or {}).get("value") or state.filter or RecipientFilter.ALL)
    except ValueError:
        return RecipientFilter.ALL


def _shown_filter(state: DetailsState) -> RecipientFilter:
    """The filter the page was shown with (a tampered one shows every recipient)."""
    try:
        return RecipientFilter(state.filter or RecipientFilter.ALL)
    except ValueError:
        return RecipientFilter.ALL


links = ThreadLinks()


async def render_list(client: AsyncWebClient, uow, actor: Actor, state: TaskListState) -> tuple[str, list]:
    """`actor`: with their channels. The channel the state names is checked like any other: a
    tampered one lists only what the person may see there."""
    which = visible_to(_query(state), actor, state.channel_id)
    page = await anyio.to_thread.run_sync(lambda: list_tasks(uow(), which, state.page))
    shown = TaskListState(**{**state.model_dump(), "page": page.page.number})
    return build_task_list(page, shown, await links.for_tasks(client, page.tasks))


async def list_command(invocation: Invocation) -> None:
    query = parse_list_args(invocation.parsed.args)
    state = TaskListState(scope=query.scope, channel_id=invocation.channel_id,
                          status=query.status.value if query.status else None, name=query.name)
    await invocation.reply(*await render_list(invocation.client, invocation.context["uow"],
                                              await invocation.member_actor(), state))


async def status_command(invocation: Invocation) -> None:
    ref = parse_task_ref(invocation.parsed.rest)
    actor = await invocation.member_actor()
    details = await anyio.to_thread.run_sync(lambda: find_task_details(
        invocation.context["uow"](), ref, invocation.channel_id, actor,
        composition=composition(invocation.context["settings"])))
    await invocation.acknowledge()
    await invocation.client.views_open(trigger_id=invocation.command["trigger_id"],
                                       view=build_details_modal(details))


async def lookup_command(invocation: Invocation) -> None:
    actor = await invocation.member_actor()
    shown, lines = await anyio.to_thread.run_sync(lambda: lookup_number(
        invocation.context["uow"](), invocation.parsed.rest, invocation.channel_id, actor,
        normalizer=invocation.context["normalizer"]))
    await invocation.reply(*build_lookup_message(shown, lines))


async def turn_page(ack: AsyncAck, client: AsyncWebClient, respond: AsyncRespond, uow, member_actor,
                    ref: TaskListState) -> None:
    await ack()
    text, blocks = await render_list(client, uow, await member_actor(), ref)
    await respond(text=text, blocks=blocks, replace_original=True)


async def open_details(ack: AsyncAck, body: dict, client: AsyncWebClient, uow, member_actor, settings,
                       ref: TaskRef) -> None:
    await ack()
    actor = await member_actor()
    details = await anyio.to_thread.run_sync(lambda: task_details(uow(), ref.id, actor,
                                                                  composition=composition(settings)))
    view = build_details_modal(details)
    if (body.get("view") or {}).get("type") == "modal":  # pressed inside a modal: stack on it
        await client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        await client.views_open(trigger_id=body["trigger_id"], view=view)


async def show(client: AsyncWebClient, uow, settings, actor: Actor, view: dict, state: DetailsState, *,
               choice: RecipientFilter, search: str | None, page: int, notice: str | None = None) -> None:
    """`actor`: with their channels; who may see the task, and its messages, is asked again on
    every page."""
    details = await anyio.to_thread.run_sync(lambda: task_details(
        uow(), state.task_id, actor, composition=composition(settings), choice=choice, search=search, page=page))
    await update_pressed_view(client, view, build_details_modal(details, notice=notice))


async def change_filter(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, uow, member_actor,
                        settings, ref: DetailsState) -> None:
    await ack()
    view = body["view"]
    choice = RecipientFilter((action.get("selected_option") or {}).get("value") or RecipientFilter.ALL)
    typed = _input(view, BlockId.DETAILS_SEARCH, ActionId.DETAILS_SEARCH_INPUT).get("value")
    try:
        search, notice = parse_search(typed), None
    except DomainError as error:
        search, notice = ref.search, error_mrkdwn(error)
    await show(client, uow, settings, await member_actor(), view, ref, choice=choice, search=search,
               page=0, notice=notice)


async def search(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, uow, member_actor, settings,
                 ref: DetailsState) -> None:
    await ack()
    view = body["view"]
    try:
        wanted, notice = parse_search(action.get("value")), None
    except DomainError as error:
        wanted, notice = ref.search, error_mrkdwn(error)
    await show(client, uow, settings, await member_actor(), view, ref, choice=_chosen_filter(view, ref),
               search=wanted, page=0, notice=notice)


async def page_details(ack: AsyncAck, action: dict, body: dict, client: AsyncWebClient, uow, member_actor,
                       settings, ref: DetailsState) -> None:
    await ack()
    await show(client, uow, settings, await member_actor(), body["view"], ref,
               choice=_shown_filter(ref), search=ref.search, page=int(action["value"]))


async def refresh_details(ack: AsyncAck, body: dict, client: AsyncWebClient, uow, member_actor, settings,
                          ref: DetailsState) -> None:
    """Refresh: the page shown read again, with the filter and search it was shown with."""
    await ack()
    await show(client, uow, settings, await member_actor(), body["view"], ref,
               choice=_shown_filter(ref), search=ref.search, page=ref.page)


async def submit_search(ack: AsyncAck, view: dict, client: AsyncWebClient, uow, member_actor, settings,
                        ref: DetailsState) -> None:
    """The Search button: the filter and the digits as they are in the form."""
    try:
        wanted = parse_search(_input(view, BlockId.DETAILS_SEARCH, ActionId.DETAILS_SEARCH_INPUT).get("value"))
    except DomainError as error:
        await ack(response_action="errors", errors={BlockId.DETAILS_SEARCH: error_text(error)})
        return
    actor = await member_actor()
    try:
        details = await anyio.to_thread.run_sync(lambda: task_details(
            uow(), ref.task_id, actor, composition=composition(settings), choice=_chosen_filter(view, ref),
            search=wanted))
    except DomainError as error:  # no longer the person's to see, or gone
        await ack(response_action="errors", errors={BlockId.DETAILS_SEARCH: error_text(error)})
        return
    await ack(response_action="update", view=build_details_modal(details))


LISTENERS = (
    listeners.action(ActionId.LIST_PREVIOUS, turn_page),
    listeners.action(ActionId.LIST_NEXT, turn_page),
    listeners.action(ActionId.DETAILS_PREVIOUS, page_details),
    listeners.action(ActionId.DETAILS_NEXT, page_details),
    listeners.action(ActionId.DETAILS_REFRESH, refresh_details),
    listeners.action(ActionId.TASK_DETAILS, open_details),
    listeners.action(ActionId.DETAILS_FILTER_SELECT, change_filter),
    listeners.action(ActionId.DETAILS_SEARCH_INPUT, search),
    listeners.view(CallbackId.TASK_DETAILS, submit_search),
)


SUBCOMMANDS = (
    Subcommand("list", f"{SLASH_COMMAND} list [all] [status] [name words…]",
               N_("List this channel's send tasks (or all you can see), with their counts; words after the status "
                  "keep those whose name contains them"), list_command),
    Subcommand("status", f"{SLASH_COMMAND} status <task id or name>",
               N_("A task's totals and its recipients, by last four digits"), status_command),
    Subcommand("lookup", f"{SLASH_COMMAND} lookup <number>",
               N_("What became of one number in this channel's tasks"), lookup_command),
)
