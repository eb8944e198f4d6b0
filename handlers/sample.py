"""`/sms sample`: a recipient file to start from, sent to the asker."""

from __future__ import annotations

import anyio
from slack_sdk.web.async_client import AsyncWebClient

from domain.i18n import N_, _
from domain.spreadsheets import sample_recipients_xlsx
from domain.use_cases.content import ContentKind, find_content
from handlers.ids import SLASH_COMMAND
from handlers.slack_files import send_file_privately
from handlers.sms_command import Invocation, Subcommand

SAMPLE_FILENAME = N_("smsbot-recipients-sample.xlsx")  # in the reader's language: _(SAMPLE_FILENAME)


async def send_sample_file(client: AsyncWebClient, user_id: str, variables: list[str] | None = None) -> None:
    """The sample, into the person's DM with the bot (also the Home tab's Sample file), in their language."""
    content = await anyio.to_thread.run_sync(sample_recipients_xlsx, list(variables or []))
    await send_file_privately(
        client, user_id, filename=_(SAMPLE_FILENAME), content=content,
        comment=_("A sample recipient file: one `{phone}` column, then one column per template variable. "
                  "Fill it in and drop it into a channel with me.", phone=_("phone")),
    )


async def send_sample(invocation: Invocation) -> None:
    template_name = invocation.parsed.rest.strip()
    variables: list[str] = []
    if template_name:  # its variables become the sample's columns
        template = await anyio.to_thread.run_sync(
            find_content, invocation.context["uow"](), ContentKind.TEMPLATE, template_name)
        variables = template.detail["variables"]
    await invocation.acknowledge()
    await send_sample_file(invocation.client, invocation.actor.user_id, variables)
    await invocation.reply(_("I sent you a sample recipient file in our direct messages."))


LISTENERS = (
)


SUBCOMMANDS = (
    Subcommand("sample", f"{SLASH_COMMAND} sample [template]",
               N_("Get a sample recipient file (with a template's variable columns)"), send_sample),
)
