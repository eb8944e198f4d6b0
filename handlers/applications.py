"""`/sms app`: SMS applications, for approvers. Add one (its credentials come from the
environment, checked before anything is stored), change it, list them, and register
signatures and templates for one."""

from __future__ import annotations

import anyio

from domain.privacy import mask_phone_numbers
from domain.use_cases.applications import (
    ApplicationView,
    add_application,
    change_application,
    list_applications,
    register_content,
    unregister_content,
)
from handlers.block_kit import escape
from handlers.ids import SLASH_COMMAND
from handlers.sms_command import Invocation, Subcommand

APP_USAGE = escape(
    f"`{SLASH_COMMAND} app list`, `{SLASH_COMMAND} app add <name> <provider> mainland|international|any "
    f"[sender=<sender>] [price=<per segment>] [rate=<messages a second>]`, `{SLASH_COMMAND} app set <name> "
    f"[numbers=…] [sender=…] [price=…] [rate=…] [default]`, `{SLASH_COMMAND} app register <name> signature|template <content name> [code=<provider code>]`, "
    f"`{SLASH_COMMAND} app unregister <name> signature|template <content name>`.")
OPTIONS = ("numbers", "sender", "price", "rate", "code")


def split_options(text: str) -> tuple[list[str], dict[str, str]]:
    """Words, and `key=value` options among them (the keys in OPTIONS; `default` as a flag,
    after the first word: that one names an application, which may be called default)."""
    words, options = [], {}
    for word in text.split():
        key, equals, value = word.partition("=")
        if equals and key.lower() in OPTIONS:
            options[key.lower()] = value
        elif word.lower() == "default" and words:
            options["default"] = "yes"
        else:
            words.append(word)
    return words, options


def describe_application(view: ApplicationView, price: str, deployment_rate: float, problem: str | None) -> str:
    app = view.application
    # A sender that is a phone number shows like any number in Slack: its last four digits.
    sender = f" · sender {escape(mask_phone_numbers(app.sender))}" if app.sender else ""
    cost = f"{app.price_per_segment} per segment" if app.price_per_segment is not None else f"{price} per segment"
    lines = [f"*{escape(app.name)}*{' (default)' if app.is_default else ''} — {app.provider} · {app.numbers} "
             f"numbers{sender} · {cost} · {describe_rate(app.send_rate, deployment_rate)}"]
    if problem:
        lines.append(f":warning: cannot send: {escape(problem)}")
    signatures = ", ".join(escape(name) for name in view.signatures) or "none"
    templates = ", ".join(f"{escape(name)} (`{escape(code)}`)" if code else escape(name)
                          for name, code in view.templates) or "none"
    lines.append(f"Signatures: {signatures}\nTemplates: {templates}")
    return "\n".join(lines)


def describe_rate(own: float | None, deployment_rate: float) -> str:
    if own:
        return f"up to {own:g} messages a second"
    if deployment_rate:
        return f"up to {deployment_rate:g} messages a second, shared with the deployment's account"
    return "as fast as the provider takes"


async def app_command(invocation: Invocation) -> None:
    action, _, rest = invocation.parsed.rest.partition(" ")
    action = action.lower()
    uow, settings = invocation.context["uow"], invocation.context["settings"]
    check = invocation.context["check_application"]
    words, options = split_options(rest)
    if action == "list":
        views = await anyio.to_thread.run_sync(list_applications, uow(), settings.provider)
        text = "\n\n".join(describe_application(v, str(settings.price_per_segment), settings.send_rate,
                                                check(v.application)) for v in views)
        await invocation.reply(f"*SMS applications* (a number goes to the one for its kind, mainland or "
                               f"international, before one for any)\n\n{text}")
    elif action == "add" and len(words) == 3:
        await _add(invocation, words, options)
    elif action == "set" and len(words) == 1:
        app = await anyio.to_thread.run_sync(lambda: change_application(
            uow(), invocation.actor, words[0], settings.provider, numbers=options.get("numbers"),
            sender=options.get("sender"), price=options.get("price"), rate=options.get("rate"),
            make_default="default" in options))
        await invocation.reply(f"Application *{escape(app.name)}* changed: {app.numbers} numbers"
                               f"{' · the default' if app.is_default else ''} · "
                               f"{describe_rate(app.send_rate, settings.send_rate)}. Tasks already submitted keep "
                               "the split they were approved with; a rate applies to them from their next chunk.")
    elif action in ("register", "unregister") and len(words) >= 3:
        await _register(invocation, action, words, options)
    else:
        await invocation.reply(APP_USAGE)


async def _add(invocation: Invocation, words: list[str], options: dict[str, str]) -> None:
    """Refused before anything is stored when the application's provider lacks a setting."""
    uow, check = invocation.context["uow"], invocation.context["check_application"]
    name, provider, numbers = words

    def add():
        return add_application(uow(), invocation.actor, name=name, provider=provider, numbers=numbers,
                               sender=options.get("sender"), price=options.get("price"), rate=options.get("rate"),
                               check=check)

    app = await anyio.to_thread.run_sync(add)
    await invocation.reply(f"Application *{escape(app.name)}* added: {app.provider}, {app.numbers} numbers. Register "
                           f"its signatures and templates with `{SLASH_COMMAND} app register {escape(app.name)} …`.")


async def _register(invocation: Invocation, action: str, words: list[str], options: dict[str, str]) -> None:
    uow = invocation.context["uow"]
    app_name, kind, content = words[0], words[1].lower(), " ".join(words[2:])
    if action == "register":
        app, name = await anyio.to_thread.run_sync(lambda: register_content(
            uow(), invocation.actor, app_name, kind, content, options.get("code")))
        code = f" as `{escape(options['code'])}`" if options.get("code") else ""
        await invocation.reply(f"The {kind} “{escape(name)}” is registered for *{escape(app)}*{code}: sends "
                               f"through it may use it.")
    else:
        app, name = await anyio.to_thread.run_sync(lambda: unregister_content(
            uow(), invocation.actor, app_name, kind, content))
        await invocation.reply(f"The {kind} “{escape(name)}” is no longer registered for *{escape(app)}*.")


SUBCOMMANDS = (
    Subcommand("app", f"{SLASH_COMMAND} app list|add|set|register|unregister",
               "Approvers: SMS applications, which send mainland and international numbers, and their content",
               app_command),
)
