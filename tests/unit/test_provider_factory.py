"""`make_provider`: the provider a deployment's settings name, agreeing with the settings on
templates (the send modal checks `provider_renders_templates`, the dispatcher asks the provider)."""

import os

import pytest

from bot.providers.factory import make_provider
from bot.settings import SettingsError, load_settings

PUBLIC_URL = "https://smsbot.example.com"
OWN_URL = "http://127.0.0.1:3000"
COMPLETE = {
    "simulator": {"provider": "simulator"},  # no simulator_url: an embedded gateway of its own
    "twilio": {"provider": "twilio", "twilio_account_sid": "AC" + "0123abcd" * 4, "twilio_auth_token": "auth-token",
               "twilio_from": "+15005550006", "public_url": PUBLIC_URL},
    "alibaba": {"provider": "alibaba", "alibaba_access_key_id": "LTAI-key", "alibaba_access_key_secret": "secret",
                "alibaba_webhook_token": "t" * 24, "public_url": PUBLIC_URL},
    "huawei": {"provider": "huawei", "huawei_app_key": "app-key", "huawei_app_secret": "app-secret",
               "huawei_sender": "csms12345678", "huawei_webhook_token": "h" * 24, "public_url": PUBLIC_URL},
    "ucloud": {"provider": "ucloud", "ucloud_public_key": "public-key", "ucloud_private_key": "private-key"},
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("SMSBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize("name", list(COMPLETE))
async def test_the_provider_is_the_one_named_and_agrees_on_templates(name):
    settings = load_settings(**COMPLETE[name])
    setup = make_provider(settings, own_url=OWN_URL)
    try:
        assert setup.provider.name == settings.provider == name
        assert setup.provider.uses_registered_templates is settings.provider_renders_templates
        assert (setup.embedded_gateway is not None) is (name == "simulator")
    finally:
        await setup.provider.aclose()
        setup.stop()


async def test_huawei_sends_with_the_configured_scheme_and_reports_come_to_the_public_url():
    setup = make_provider(load_settings(**COMPLETE["huawei"], huawei_auth_scheme="wsse"), own_url=OWN_URL)
    try:
        provider = setup.provider
        assert (provider.auth_scheme, provider.sender) == ("wsse", "csms12345678")
        assert provider.base_url == "https://smsapi.cn-north-4.myhuaweicloud.com:443"
        assert provider._callback == f"{PUBLIC_URL}/webhooks/sms/huawei?token={'h' * 24}"
    finally:
        await setup.provider.aclose()


async def test_ucloud_pulls_receipts_unless_a_push_url_with_its_token_was_set_up():
    pulled = make_provider(load_settings(**COMPLETE["ucloud"]), own_url=OWN_URL).provider
    pushed = make_provider(load_settings(**COMPLETE["ucloud"], ucloud_webhook_token="u" * 24, ucloud_project_id="org-1"),
                           own_url=OWN_URL).provider
    try:
        assert pulled.receipts == {"pull"} and pushed.receipts == {"push", "pull"}
        assert (pushed.base_url, pushed.project_id) == ("https://api.ucloud.cn/", "org-1")
    finally:
        await pulled.aclose()
        await pushed.aclose()


async def test_twilio_status_callbacks_go_to_the_public_url():
    setup = make_provider(load_settings(**COMPLETE["twilio"]), own_url=OWN_URL)
    try:
        assert setup.provider.status_callback_url == f"{PUBLIC_URL}/webhooks/sms/twilio"
    finally:
        await setup.provider.aclose()


@pytest.mark.parametrize(("name", "missing", "variable"), [
    ("twilio", "twilio_account_sid", "SMSBOT_TWILIO_ACCOUNT_SID"),
    ("twilio", "twilio_auth_token", "SMSBOT_TWILIO_AUTH_TOKEN"),
    ("twilio", "public_url", "SMSBOT_PUBLIC_URL"),
    ("twilio", "twilio_from", "SMSBOT_TWILIO_FROM or SMSBOT_TWILIO_MESSAGING_SERVICE_SID"),
    ("alibaba", "alibaba_access_key_id", "SMSBOT_ALIBABA_ACCESS_KEY_ID"),
    ("alibaba", "alibaba_access_key_secret", "SMSBOT_ALIBABA_ACCESS_KEY_SECRET"),
    ("alibaba", "alibaba_webhook_token", "SMSBOT_ALIBABA_WEBHOOK_TOKEN"),
    ("alibaba", "public_url", "SMSBOT_PUBLIC_URL"),
    ("huawei", "huawei_app_key", "SMSBOT_HUAWEI_APP_KEY"),
    ("huawei", "huawei_app_secret", "SMSBOT_HUAWEI_APP_SECRET"),
    ("huawei", "huawei_sender", "SMSBOT_HUAWEI_SENDER"),
    ("huawei", "huawei_webhook_token", "SMSBOT_HUAWEI_WEBHOOK_TOKEN"),
    ("huawei", "public_url", "SMSBOT_PUBLIC_URL"),
])
def test_a_missing_credential_is_named(name, missing, variable):
    settings = load_settings(**{key: value for key, value in COMPLETE[name].items() if key != missing})
    with pytest.raises(SettingsError, match=f"^{variable} is missing"):
        make_provider(settings, own_url=OWN_URL)
