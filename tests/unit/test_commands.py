from domain.commands import HELP, closest_command, parse_command


def test_empty_text_means_help():
    assert parse_command("").name == HELP
    assert parse_command(None).name == HELP
    assert parse_command("   ").name == HELP


def test_subcommand_is_case_insensitive_and_keeps_its_arguments():
    parsed = parse_command('  HELP  send "Spring promo" now ')
    assert parsed.name == "help"
    assert parsed.args == ("send", "Spring promo", "now")
    assert parsed.rest == 'send "Spring promo" now'


def test_unbalanced_quote_falls_back_to_words():
    assert parse_command('status "spring').args == ('"spring',)


def test_closest_command_suggests_a_typo_and_nothing_for_gibberish():
    assert closest_command("hlep", ["help", "send"]) == "help"
    assert closest_command("xyz", ["help", "send"]) is None
