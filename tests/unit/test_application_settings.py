"""An SMS application's provider settings (bot/application_settings.py): its own
SMSBOT_APP_<NAME>_* variables over the deployment's, one-line errors, secrets redacted."""

import pytest

from bot.application_settings import application_settings, check_application_settings
from bot.settings import SettingsError, load_settings
from domain.applications import Application, NumberRule

SID = "AC" + "0123abcd" * 4
INTL = Application(2, "intl", "twilio", NumberRule.INTERNATIONAL, sender="+15005550006")


@pytest.fixture
def deployment(monkeypatch):
    for name in ("SMSBOT_PROVIDER", "SMSBOT_TWILIO_ACCOUNT_SID", "SMSBOT_TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(_env_file=None, provider="simulator", public_url="https://smsbot.example.com")


def test_an_application_reads_its_own_variables_over_the_deployments(deployment, monkeypatch):
    monkeypatch.setenv("SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN", "intl-token")
    settings, differs = application_settings(deployment, INTL)
    assert (settings.provider, settings.twilio_account_sid, settings.twilio_from) == ("twilio", SID, "+15005550006")
    assert settings.twilio_auth_token.get_secret_value() == "intl-token" and differs
    assert deployment.provider == "simulator" and deployment.twilio_account_sid is None  # the deployment's untouched
    check_application_settings(deployment, INTL)  # nothing lacking
    assert "intl-token" in deployment.secret_values()  # redacted from logs like the deployment's own


def test_an_application_on_the_deployments_provider_without_settings_of_its_own_shares_it(deployment):
    same = Application(3, "cn", "simulator", NumberRule.MAINLAND)
    assert application_settings(deployment, same)[1] is False


def test_what_an_application_lacks_is_named_under_its_own_prefix(deployment, monkeypatch):
    monkeypatch.setenv("SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID", SID)
    with pytest.raises(SettingsError) as lacking:
        check_application_settings(deployment, INTL)
    assert str(lacking.value) == ("SMSBOT_APP_INTL_TWILIO_AUTH_TOKEN is missing: set it in the environment or .env "
                                  "(or the deployment's SMSBOT_TWILIO_AUTH_TOKEN)")
    monkeypatch.setenv("SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID", "not-a-sid")
    with pytest.raises(SettingsError) as malformed:
        check_application_settings(deployment, INTL)
    assert str(malformed.value).startswith("SMSBOT_APP_INTL_TWILIO_ACCOUNT_SID is malformed")
