"""Checks recorded Web API calls with the validation kit that sits beside the repository
(Slack's published method specs and a Block Kit schema), not with our own emulator's rules."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

CHECKER_IN_SHARED = Path("shared") / "validation" / "check_slack_calls.py"


def _beside(repository: Path) -> Path:
    return repository.parent / CHECKER_IN_SHARED


def _origin() -> Path | None:
    """The repository a clone was made from, when it is a folder on this machine: a fresh
    clone elsewhere (CI's) finds the kit beside its origin."""
    config = Path(__file__).resolve().parents[1] / ".git" / "config"
    if not config.exists():
        return None
    found = re.search(r'\[remote "origin"\][^\[]*?url\s*=\s*(\S+)', config.read_text(encoding="utf-8"))
    origin = Path(found.group(1).removeprefix("file://")) if found else None
    return origin if origin is not None and origin.is_dir() else None


def _find_checker() -> Path:
    if given := os.environ.get("SMSBOT_SLACK_CHECKER"):
        return Path(given)
    here = _beside(Path(__file__).resolve().parents[1])
    origin = _origin()
    return here if here.exists() or origin is None else _beside(origin.resolve())


CHECKER = _find_checker()


def _load_checker():
    if not CHECKER.exists():
        raise AssertionError(f"the Slack call checker is missing at {CHECKER} (set SMSBOT_SLACK_CHECKER)")
    spec = importlib.util.spec_from_file_location("check_slack_calls", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_checker_inputs = None


def _methods_and_schema():
    global _checker_inputs
    if _checker_inputs is None:
        module = _load_checker()
        methods = json.loads(module.DEFAULT_METHODS.read_text(encoding="utf-8"))
        _checker_inputs = (module, methods, module.BlockKitSchema(module.DEFAULT_SCHEMA))
    return _checker_inputs


def check_calls_file(path: Path) -> list[str]:
    """The checker's problem lines for a JSON Lines file of calls."""
    module, methods, schema = _methods_and_schema()
    checker = module.Checker(methods, schema)
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            checker.check_line(lineno, line)
    return checker.lines


def _replies_outside_the_web_api(workspace) -> list[dict]:
    """Ack bodies and response_url posts reach Slack without a Web API method; their
    blocks obey the same rules as chat.postEphemeral's, so they are checked as such."""
    return [
        {"method": "chat.postEphemeral",
         "args": {"channel": e.channel, "user": e.user, "text": e.text, "blocks": e.blocks or None}}
        for e in workspace.ephemerals()
        if e.source in ("command_ack", "response_url")
    ]


# What a whole phone number looks like in a call: `+` and 7 or more digits, a bare mainland
# mobile, or 12+ digits in a row (a number without its `+`). A message ts has 10 digits and a
# dot; Slack ids start with a letter.
WHOLE_NUMBER = re.compile(r"\+\d{7,15}|(?<![\w.])(?:1[3-9]\d{9}|\d{12,15})(?![\w.])")


def whole_numbers_in(text: str) -> list[str]:
    return WHOLE_NUMBER.findall(text)


# Markup Slack acts on in mrkdwn: a broadcast notifies everyone in the conversation; a mention
# or a channel link names a user or a conversation by id (an optional `|label` after it).
BROADCAST = re.compile(r"<!(?:here|channel|everyone)(?:\|[^>]*)?>")
NAMED = re.compile(r"<([@#])([A-Z0-9]+)(?:\|[^>]*)?>")
# A message's text and a file's comment are mrkdwn; blocks and views hold mrkdwn text objects.
MRKDWN_ARGS = ("text", "initial_comment")
BLOCK_ARGS = ("blocks", "view", "attachments")


def _decoded(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def mrkdwn_objects(value) -> list[str]:
    """The text of every mrkdwn text object in blocks, a view, or anything holding them."""
    if isinstance(value, list):
        return [text for item in value for text in mrkdwn_objects(item)]
    if not isinstance(value, dict):
        return []
    own = [value["text"]] if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str) else []
    return own + [text for item in value.values() for text in mrkdwn_objects(item)]


def mrkdwn_in(args: dict) -> list[str]:
    """Every string of a call that Slack reads as mrkdwn."""
    texts = [args[key] for key in MRKDWN_ARGS if isinstance(args.get(key), str)]
    return texts + [text for key in BLOCK_ARGS for text in mrkdwn_objects(_decoded(args.get(key)))]


def markup_problems(workspace, calls: list[dict]) -> list[str]:
    """The bot never broadcasts, and mentions only people and conversations of the workspace:
    anything else came from someone's text that was not escaped."""
    problems = []
    for call in calls:
        for text in mrkdwn_in(call["args"]):
            problems += [f"{call['method']}: broadcast {found} — {text[:200]!r}" for found in BROADCAST.findall(text)]
            for sigil, named in NAMED.findall(text):
                known = workspace.user(named) if sigil == "@" else workspace.channel(named)
                if known is None:
                    problems.append(f"{call['method']}: <{sigil}{named}> names no one here — {text[:200]!r}")
    return problems


def _views_as_shown(workspace) -> list[dict]:
    """Views as they were last shown, those a view_submission's answer put up included."""
    return [{"method": f"view {view.id}", "args": {"view": view.definition}} for view in workspace.views.all()]


def shown_to_people(workspace) -> list[dict]:
    """Everything the bot put before people, as calls: its Web API calls, its answers outside
    the Web API (acks, response_url posts) and its views as they were last shown."""
    calls = [{"method": call.method, "args": call.args} for call in workspace.calls()]
    return calls + _replies_outside_the_web_api(workspace) + _views_as_shown(workspace)


# Ephemerals the bot posted itself: a command's ack is Slack's to place.
ANSWERS = ("chat.postEphemeral", "response_url")


def answers_outside_the_thread(workspace) -> list[str]:
    """An answer to a person who was in a thread (they pressed a button on a message in it, or
    wrote there) goes to that thread: without its thread_ts it shows in the channel pane,
    away from where they look. The emulator, not the bot, noted where each person was."""
    return [f"{e.source} to {e.user} in {e.channel}: thread_ts {e.thread_ts!r}, but they were in thread "
            f"{e.person_in_thread} — {e.text[:120]!r}"
            for e in workspace.ephemerals()
            if e.source in ANSWERS and e.person_in_thread and e.thread_ts != e.person_in_thread]


def assert_calls_follow_slack_specs(workspace, path: Path) -> None:
    """Every test's calls, through Slack's specs; none may show a whole phone number (the
    privacy rule: last four digits only, full numbers only in an export file); none may
    broadcast or name a user or a conversation the workspace does not have; every answer to a
    person in a thread is in that thread."""
    workspace.export_jsonl(path)
    with path.open("a", encoding="utf-8") as calls:
        for reply in _replies_outside_the_web_api(workspace):
            calls.write(json.dumps(reply) + "\n")
    problems = check_calls_file(path)
    assert problems == [], "the bot made Web API calls Slack would refuse:\n" + "\n".join(problems)
    shown = whole_numbers_in(path.read_text(encoding="utf-8"))
    assert shown == [], f"whole phone numbers in calls to Slack: {shown[:5]}"
    markup = markup_problems(workspace, shown_to_people(workspace))
    assert markup == [], "markup in calls to Slack that the bot did not make:\n" + "\n".join(markup[:20])
    astray = answers_outside_the_thread(workspace)
    assert astray == [], "ephemeral answers outside the thread the person was in:\n" + "\n".join(astray[:20])
