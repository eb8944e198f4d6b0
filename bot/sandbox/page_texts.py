"""The sandbox page's own words, in the current language: its top bar, sidebar, composer,
thread pane, the frame of modals, the guide and the people's roles. Served to the page as JSON
(`GET /sandbox/api/texts?language=`), so that its JavaScript holds no English of its own.
What the bot says is the bot's, in the language it speaks to the person the page acts as."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.sandbox.emulator.defaults import (
    APPROVALS_CHANNEL_ID,
    BOT_NAME,
    GENERAL_CHANNEL_ID,
    SEED_CHANNELS,
    SEED_USERS,
)
from bot.sandbox.pace import PACES, sample_send_seconds
from bot.sandbox.seed import NO_VARIABLES_TEMPLATE, SAMPLE_ROWS, SIGNATURE
from domain.i18n import CHINESE, ENGLISH, LANGUAGE_NAMES, LANGUAGES, N_, _, current_language, n_, number

# Each language as Slack's locale names it (users.info with include_locale).
SLACK_LOCALES = {ENGLISH: "en-US", CHINESE: "zh-CN"}
ROLE_LABELS = {"sender": N_("sends SMS"), "approver": N_("approves sends"), "member": N_("follows the threads")}
SAMPLE_LINK = "/sandbox/sample"


def page_texts() -> dict[str, Any]:
    return {
        "locale": SLACK_LOCALES[current_language()],
        "languages": [{"code": code, "name": LANGUAGE_NAMES[code]} for code in LANGUAGES],
        **frame_texts(),
        **message_texts(),
        **modal_texts(),
        "guide": guide(),
    }


def frame_texts() -> dict[str, str]:
    """The top bar, the sidebar, the composer and the thread pane."""
    return {
        "title": _("smsbot sandbox"),
        "notice": _("A local Slack workspace: the real bot answers, SMS go to a simulated gateway, nothing leaves "
                    "this machine."),
        "you_are": _("You are"), "switch_user": _("Switch user"),
        "language": _("Language"), "switch_language": _("Switch language"),
        "guide_button": _("Guide"), "channels": _("Channels"), "apps": _("Apps"), "reconnecting": _("Reconnecting…"),
        "home": _("Home"), "messages": _("Messages"), "choose_channel": _("Choose a channel"),
        "upload_title": _("Upload a file into this channel"), "upload_label": _("Upload a file"),
        "message_label": _("Message"), "send": _("Send"),
        "message_channel": _("Message #{channel} — or type /sms help"), "message_app": _("Message {name}"),
        "thread": _("Thread"), "thread_in": _("Thread in {channel}"), "close_thread": _("Close thread"),
        "reply_label": _("Reply"), "reply_placeholder": _("Reply…"),
        "load_failed": _("Could not load the workspace: {error}"), "uploading_file": _("Uploading {name}…"),
    }


def message_texts() -> dict[str, str]:
    """Around a message, and Slack's date words (its `<!date^…>` tokens)."""
    return {
        "no_messages": _("No messages yet."), "loading_home": _("Loading the Home tab…"),
        "app_badge": _("APP"), "edited": _("(edited)"), "only_you": _("Only visible to you"),
        "last_reply": _("last reply {time}"), "reply_in_thread": _("Reply in thread"), "reply_button": _("Reply"),
        "replied_to_thread": _("replied to a thread"),
        "today": _("Today"), "yesterday": _("Yesterday"), "tomorrow": _("Tomorrow"),
        "image": _("image"), "image_unreachable": _("{image} (not reachable from the sandbox)"),
        "remote_file": _("remote file"), "unsupported": _("[{type} block]"),
    }


def modal_texts() -> dict[str, str]:
    """The frame of a modal and of a confirmation, and the inputs' own words."""
    return {
        "cancel": _("Cancel"), "yes": _("Yes"), "are_you_sure": _("Are you sure?"), "back": _("Back"),
        "close": _("Close"), "slack_would_show": _("Slack would show: {problems}"),
        "select_an_item": _("Select an item"), "optional": _("(optional)"), "more_actions": _("More actions"),
        "uploading": _("Uploading…"),
    }


def role_label(role: str | None) -> str | None:
    return _(ROLE_LABELS[role]) if role else None


def guide() -> dict[str, Any]:
    """The guide beside the channel: every part of smsbot in eight steps, as HTML (the words
    escaped, the links, names, buttons and commands put in by this module). The browser walk
    follows it step by step, so each button a step names is one the page shows."""
    sender, approver, second_approver, member = (real_name for _id, _name, real_name in SEED_USERS)
    general, approvals = (_channel_link(channel_id) for channel_id in (GENERAL_CHANNEL_ID, APPROVALS_CHANNEL_ID))
    label = _("Download the sample recipients")
    download = f'<a href="{SAMPLE_LINK}" download id="sample-link">{escape(label)}</a>'
    rows = n_("{count} row", "{count} rows", SAMPLE_ROWS)
    steps = [
        _html(_("{download} ({rows}: one is not a phone number, one repeats another)."), download=download,
              rows=escape(rows)),
        _html(_("As {sender}, open {general} and drop the file in with {plus}. smsbot says in the channel what it "
                "kept, with a button to go on; the file's thread keeps the details."),
              sender=_bold(sender), general=general, plus=_bold("+")),
        _html(_("Type {command}: pick the import, the signature {signature} and a template. Choose {card} to see "
                "the fallback appear; a mistake shows under its field. Pasted numbers carry no names: send them "
                "with {notice}, the template without variables."), command=_code("/sms send"),
              signature=_bold(SIGNATURE), card=_bold(_("Card")), notice=_bold(NO_VARIABLES_TEMPLATE)),
        _html(_("No one approves their own send. Switch to {approver} (top right), open {approvals} and press "
                "{approve} on the task."), approver=_bold(approver), approvals=approvals, approve=_bold(_("Approve"))),
        _html(_("Open the task's thread and watch: for about {seconds} seconds the progress message fills as the "
                "simulated gateway delivers most messages and fails a few. Press {pause}, then {resume}."),
              seconds=escape(number(sample_send_seconds(PACES["watch"]))), pause=_bold(_("Pause")), resume=_bold(_("Resume"))),
        _html(_("After {finished}, receipts still arrive: the report under it counts them until the last is in "
                "(a few never get one, as at a real carrier)."), finished=_bold(_("Sending finished"))),
        _html(_("On the report, {details} shows each recipient's outcome, {export} sends you the failures in a "
                "spreadsheet, and {resend} sends them a copy, through approval again."), details=_bold(_("Details")),
              export=_bold(_("Export failed")), resend=_bold(_("Resend to failed"))),
        _html(_("Open the {app} app (under Apps): the spreadsheet is in its Messages. Switch back to {sender}: "
                "the app's Home tab lists their tasks. {help} lists everything else."), app=_bold(BOT_NAME),
              sender=_bold(sender), help=_code("/sms help")),
    ]
    return {
        "title": _("Try it in five minutes"),
        "steps": steps,
        "roles": _("People: {sender} sends; {approver} and {second_approver} approve; {member} follows.",
                   sender=sender, approver=approver, second_approver=second_approver, member=member),
        "languages": _("Each person has their own Slack language: the switch at the top changes it for the person "
                       "you are, on this page and in what smsbot says to them."),
    }


def _html(message: str, **markup: str) -> str:
    """A translated message's words escaped, its placeholders filled with markup made here."""
    return escape(message, quote=False).format(**markup)


def _bold(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _channel_link(channel_id: str) -> str:
    name = dict(SEED_CHANNELS)[channel_id]
    return f'<a href="#" data-guide-channel="{channel_id}">#{escape(name)}</a>'
