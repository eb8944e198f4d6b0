from hypothesis import given
from hypothesis import strategies as st

from domain.i18n import CHINESE, _, speaking
from domain.names import ELLIPSIS, fitted, fitted_into


def test_a_name_that_fits_is_kept():
    assert fitted("Copy of Spring sale", 30) == "Copy of Spring sale"


def test_a_long_name_is_cut_at_a_word_boundary_with_an_ellipsis():
    assert fitted("Copy of Spring sale — sample list", 30) == "Copy of Spring sale — sample…"
    assert fitted("Copy of Spring sale — samples for the north", 30) == "Copy of Spring sale — samples…"
    assert fitted("Resend of Spring sale — sample list", 30) == "Resend of Spring sale…"  # no dangling dash


def test_a_word_longer_than_half_the_room_is_cut_inside():
    assert fitted("Copy of Supercalifragilisticexpialidocious", 30) == "Copy of Supercalifragilistice…"


def test_chinese_has_no_spaces_and_is_cut_at_the_limit():
    name = fitted("复制：春季促销活动（华东地区会员专享）第二批次发送名单以及补充", 20)
    assert name == "复制：春季促销活动（华东地区会员专享）…" and len(name) == 20


@given(st.text(min_size=0, max_size=80), st.integers(min_value=2, max_value=40))
def test_a_fitted_name_always_fits_and_keeps_its_start(text, limit):
    name = fitted(text, limit)
    assert len(name) <= limit
    kept = name.removesuffix(ELLIPSIS)
    assert " ".join(text.split()).startswith(kept)


def copy_of(name: str) -> str:
    return _("Copy of {name}", name=name)


def test_a_made_name_cuts_the_name_never_the_words_around_it():
    assert fitted_into(copy_of, "Spring sale — sample list", 30) == "Copy of Spring sale — sample…"
    assert fitted_into(copy_of, "Big send", 30) == "Copy of Big send"
    with speaking(CHINESE):  # "{name} 的副本": the suffix stays whole
        made = fitted_into(copy_of, "春季促销活动华东地区会员专享第二批次发送名单以及补充名单", 30)
    assert made.endswith("… 的副本") and len(made) == 30
