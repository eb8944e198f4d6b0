"""`/sms app`: SMS applications, for approvers. Add one (its credentials come from the
environment, checked before anything is stored), change it, list them, and register
signatures and templates for one."""

from __future__ import annotations

import anyio

from domain.i18n import N_, _, n_
from domain.privacy import mask_phone_numbers
from domain.use_cases.applications import (
    ApplicationView,
    add_application,
    change_application,
    list_applications,
    register_content,
    unregister_content,
)
from handlers.block_kit import escape, listing
from handlers.ids import SLASH_COMMAND
from handlers.sms_command import Invocation, Subcommand

OPTIONS = ("numbers", "sender", "price", "rate", "code")
NUMBERS_WORDS = {
    "mainland": N_("mainland numbers"),
    "international": N_("international numbers"),
    "any": N_("any numbers"),
}


def app_usage() -> str:
    """How to use `/sms app`, escaped: its placeholders (`<name>`) would be links in mrkdwn."""
    return escape(_(
        "`{command} app list`, `{command} app add <name> <provider> mainland|international|any [sender=<sender>] "
        "[price=<per segment>] [rate=<messages a second>]`, `{command} app set <name> [numbers=…] [sender=…] "
        "[price=…] [rate=…] [default]`, `{command} app register <name> signature|template <content name> "
        "[code=<provider code>]`, `{command} app unregister <name> signature|template <content name>`.",
        command=SLASH_COMMAND))


def numbers_word(numbers: str) -> str:
    """"mainland numbers": which numbers an application takes."""
    return _(NUMBERS_WORDS[str(numbers)])


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
    name = f"*{escape(app.name)}*"
    if app.is_default:
        name = _("{name} (default)", name=name)
    parts = [app.provider, numbers_word(app.numbers)]
    if app.sender:  # a sender that is a phone number shows like any number in Slack: its last four digits
        parts.append(_("sender {sender}", sender=escape(mask_phone_numbers(app.sender))))
    own_price = app.price_per_segment if app.price_per_segment is not None else price
    parts += [_("{price} per segment", price=own_price), describe_rate(app.send_rate, deployment_rate)]
    lines = [f"{name} — " + " · ".join(parts)]
    if problem:
        lines.append(_(":warning: cannot send: {problem}", problem=escape(problem)))
    signatures = listing(escape(name) for name in view.signatures) or _("none")
    templates = listing(f"{escape(name)} (`{escape(code)}`)" if code else escape(name)
                        for name, code in view.templates) or _("none")
    lines.append(_("Signatures: {signatures}", signatures=signatures) + "\n"
                 + _("Templates: {templates}", templates=templates))
    return "\n".join(lines)


def describe_rate(own: float | None, deployment_rate: float) -> str:
    """The rate `{:g}`-written, as it was typed: "50", "0.5"."""
    rate = own or deployment_rate
    written, one = f"{rate:g}", 1 if rate == 1 else 2  # 0.5 and 1.5 read "messages" too
    if own:
        return n_("up to {rate} message a second", "up to {rate} messages a second", one, rate=written)
    if deployment_rate:
        return n_("up to {rate} message a second, shared with the deployment's account",
                  "up to {rate} messages a second, shared with the deployment's account", one, rate=written)
    return _("as fast as the provider takes")


async def app_command(invocation: Invocation) -> None:
    action, _space, rest = invocation.parsed.rest.partition(" ")
    action = action.lower()
    uow, settings = invocation.context["uow"], invocation.context["settings"]
    check = invocation.context["check_application"]
    words, options = split_options(rest)
    if action == "list":
        views = await anyio.to_thread.run_sync(list_applications, uow(), settings.provider)
        text = "\n\n".join(describe_application(v, str(settings.price_per_segment), settings.send_rate,
                                                check(v.application)) for v in views)
        await invocation.reply(_("*SMS applications* (a number goes to the one for its kind, mainland or "
                                 "international, before one for any)") + f"\n\n{text}")
    elif action == "add" and len(words) == 3:
        await _add(invocation, words, options)
    elif action == "set" and len(words) == 1:
        await _change(invocation, words[0], options)
    elif action in ("register", "unregister") and len(words) >= 3:
        await _register(invocation, action, words, options)
    else:
        await invocation.reply(app_usage())


async def _change(invocation: Invocation, name: str, options: dict[str, str]) -> None:
    uow, settings = invocation.context["uow"], invocation.context["settings"]
    app = await anyio.to_thread.run_sync(lambda: change_application(
        uow(), invocation.actor, name, settings.provider, numbers=options.get("numbers"),
        sender=options.get("sender"), price=options.get("price"), rate=options.get("rate"),
        make_default="default" in options))
    params = {"name": escape(app.name), "numbers": numbers_word(app.numbers),
              "rate": describe_rate(app.send_rate, settings.send_rate)}
    if app.is_default:
        await invocation.reply(_("Application *{name}* changed: {numbers} · the default · {rate}. Tasks already "
                                 "submitted keep the split they were approved with; a rate applies to them from "
                                 "their next chunk.", **params))
    else:
        await invocation.reply(_("Application *{name}* changed: {numbers} · {rate}. Tasks already submitted keep the "
                                 "split they were approved with; a rate applies to them from their next chunk.",
                                 **params))


async def _add(invocation: Invocation, words: list[str], options: dict[str, str]) -> None:
    """Refused before anything is stored when the application's provider lacks a setting."""
    uow, check = invocation.context["uow"], invocation.context["check_application"]
    name, provider, numbers = words

    def add():
        return add_application(uow(), invocation.actor, name=name, provider=provider, numbers=numbers,
                               sender=options.get("sender"), price=options.get("price"), rate=options.get("rate"),
                               check=check)

    app = await anyio.to_thread.run_sync(add)
    await invocation.reply(_("Application *{name}* added: {provider}, {numbers}. Register its signatures and "
                             "templates with `{command} app register {name} …`.", name=escape(app.name),
                             provider=app.provider, numbers=numbers_word(app.numbers), command=SLASH_COMMAND))


async def _register(invocation: Invocation, action: str, words: list[str], options: dict[str, str]) -> None:
    uow = invocation.context["uow"]
    app_name, kind, content = words[0], words[1].lower(), " ".join(words[2:])
    if action == "register":
        app, name = await anyio.to_thread.run_sync(lambda: register_content(
            uow(), invocation.actor, app_name, kind, content, options.get("code")))
        await invocation.reply(registered_text(kind, name, app, options.get("code")))
    else:
        app, name = await anyio.to_thread.run_sync(lambda: unregister_content(
            uow(), invocation.actor, app_name, kind, content))
        params = {"name": escape(name), "application": escape(app)}
        await invocation.reply(_("The signature “{name}” is no longer registered for *{application}*.", **params)
                               if kind == "signature" else
                               _("The template “{name}” is no longer registered for *{application}*.", **params))


def registered_text(kind: str, name: str, app: str, code: str | None) -> str:
    params = {"name": escape(name), "application": escape(app)}
    if code:
        return _("The template “{name}” is registered for *{application}* as `{code}`: sends through it may use it.",
                 code=escape(code), **params)
    if kind == "signature":
        return _("The signature “{name}” is registered for *{application}*: sends through it may use it.", **params)
    return _("The template “{name}” is registered for *{application}*: sends through it may use it.", **params)


SUBCOMMANDS = (
    Subcommand("app", f"{SLASH_COMMAND} app list|add|set|register|unregister",
               N_("Approvers: SMS applications, which send mainland and international numbers, and their content"),
               app_command),
)
