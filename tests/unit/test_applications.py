"""SMS applications (domain/applications.py): which application each number goes through."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.applications import (
    Application,
    ApplicationError,
    NumberRule,
    RouteShare,
    check_application_name,
    check_price,
    routing,
    shares,
)

DEFAULT = Application(1, "default", "simulator", NumberRule.ANY, is_default=True)
MAINLAND = Application(2, "mainland", "huawei", NumberRule.MAINLAND)
INTL = Application(3, "intl", "twilio", NumberRule.INTERNATIONAL, price_per_segment=Decimal("0.35"))


def test_one_application_takes_every_number_as_before_applications():
    routes = routing([DEFAULT])
    assert routes.for_phone("+8613800138000") == routes.for_phone("+14155550100") == DEFAULT
    assert routes.takes_every_number and routes.applications == [DEFAULT]


def test_an_application_for_one_kind_of_number_comes_before_one_for_any():
    routes = routing([DEFAULT, MAINLAND, INTL])
    assert routes.for_phone("+8613800138000") == MAINLAND
    assert routes.for_phone("+85291234567") == INTL  # Hong Kong is international, as the consoles count it
    assert routes.applications == [MAINLAND, INTL]


def test_a_number_no_application_takes_is_refused_with_the_reason():
    routes = routing([MAINLAND])
    assert routes.refusal("+8613800138000") is None
    assert routes.refusal("+14155550100") == "no SMS application sends to international numbers"
    assert not routes.takes_every_number


def test_among_equals_the_default_wins_then_the_oldest():
    later_default = Application(9, "second", "twilio", NumberRule.MAINLAND, is_default=True)
    assert routing([MAINLAND, later_default]).mainland == later_default
    assert routing([Application(5, "b", "twilio", NumberRule.ANY), Application(4, "a", "twilio", NumberRule.ANY)]
                   ).mainland.id == 4


@given(st.lists(st.sampled_from(list(NumberRule)), min_size=1, max_size=5), st.booleans())
def test_every_number_goes_to_an_application_that_takes_it(rules, mainland):
    apps = [Application(i + 1, f"a{i}", "simulator", rule, is_default=i == 0) for i, rule in enumerate(rules)]
    phone = "+8613800138000" if mainland else "+447700900123"
    chosen = routing(apps).for_phone(phone)
    takers = [a for a in apps if a.accepts_mainland(mainland)]
    assert (chosen is None) == (not takers)
    if chosen is not None:
        assert chosen in takers
        assert chosen.numbers is not NumberRule.ANY or all(a.numbers is NumberRule.ANY for a in takers)


def test_shares_merge_when_one_application_takes_both_kinds():
    assert shares(routing([DEFAULT]), mainland=(3, 4), international=(2, 2)) == [RouteShare(DEFAULT, 5, 6)]
    split = shares(routing([DEFAULT, INTL]), mainland=(3, 4), international=(2, 2))
    assert split == [RouteShare(DEFAULT, 3, 4), RouteShare(INTL, 2, 2)]
    assert [share.cost(Decimal("0.05")) for share in split] == [Decimal("0.20"), Decimal("0.70")]


@pytest.mark.parametrize("name", ["", "1st", "has space", "x" * 21, "a@b"])
def test_an_application_name_is_one_short_word(name):
    with pytest.raises(ApplicationError):
        check_application_name(name)


@pytest.mark.parametrize("price", ["-1", "abc", "NaN", "101"])
def test_a_price_is_a_sane_number(price):
    with pytest.raises(ApplicationError):
        check_price(price)
