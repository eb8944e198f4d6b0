"""Content and commands in both languages: the real plurals (content lists, sending rates, numbers
no application takes), the words that depend on a kind or a status, and the help's summaries."""

from __future__ import annotations

import pytest

from domain.applications import Routing
from domain.content import ContentStatus
from domain.i18n import CHINESE, speaking
from domain.tasks import TaskField, TaskInvalid
from domain.use_cases.applications import check_routable
from domain.use_cases.content import ContentKind, ContentView
from handlers.applications import describe_rate
from handlers.block_kit import listing
from handlers.content_blocks import build_content_list, status_mark
from handlers.help_blocks import build_help_message
from handlers.sms_command import SUBCOMMANDS


def signature(name: str) -> ContentView:
    return ContentView(ContentKind.SIGNATURE, 1, name, ContentStatus.PENDING, "U1")


@pytest.mark.parametrize("count, english, chinese", [
    (1, "1 signature", "1 个签名"), (2, "2 signatures", "2 个签名"), (1234, "1,234 signatures", "1,234 个签名"),
])
def test_a_content_list_counts_its_signatures(count, english, chinese):
    views = [signature(f"S{n}") for n in range(count)]
    assert build_content_list(ContentKind.SIGNATURE, views)[0] == english
    with speaking(CHINESE):
        assert build_content_list(ContentKind.SIGNATURE, views)[0] == chinese


def test_an_empty_list_says_how_to_add_one():
    assert build_content_list(ContentKind.TEMPLATE, [])[0] == "No templates yet. Add one with `/sms template add`."
    with speaking(CHINESE):
        assert build_content_list(ContentKind.TEMPLATE, [])[0] == "还没有模板。可用 `/sms template add` 添加。"


@pytest.mark.parametrize("own, deployment, english, chinese", [
    (1.0, 0.0, "up to 1 message a second", "最高每秒 1 条"),
    (2.0, 0.0, "up to 2 messages a second", "最高每秒 2 条"),
    (0.5, 0.0, "up to 0.5 messages a second", "最高每秒 0.5 条"),
    (None, 1.0, "up to 1 message a second, shared with the deployment's account", "最高每秒 1 条，与部署的账号共用"),
    (None, 0.0, "as fast as the provider takes", "按服务商可接受的最快速度"),
])
def test_a_sending_rate_in_both_languages(own, deployment, english, chinese):
    assert describe_rate(own, deployment) == english
    with speaking(CHINESE):
        assert describe_rate(own, deployment) == chinese


@pytest.mark.parametrize("count, english, chinese", [
    (1, "1 of these numbers is international", "其中 1 个是国际号码"),
    (2, "2 of these numbers are international", "其中 2 个是国际号码"),
    (12345, "12,345 of these numbers are international", "其中 12,345 个是国际号码"),
])
def test_numbers_no_application_takes_are_counted(count, english, chinese):
    mainland_only = Routing(mainland=None, international=None)
    for language, expected in ((None, english), (CHINESE, chinese)):
        with speaking(language), pytest.raises(TaskInvalid) as refused:
            check_routable(mainland_only, mainland=0, international=count)
        assert refused.value.problems[TaskField.RECIPIENTS].startswith(expected)


def test_statuses_lists_and_the_help_in_chinese():
    with speaking(CHINESE):
        assert status_mark(ContentStatus.DISABLED) == ":no_entry_sign: 已停用"
        assert listing(["甲", "乙", "丙"]) == "甲、乙、丙"
        _said, blocks = build_help_message(list(SUBCOMMANDS))
        assert "`/sms help` — 查看 smsbot 能做什么、怎么用" in blocks[1]["text"]["text"]
    assert listing(["a", "b", "c"]) == "a, b, c"
