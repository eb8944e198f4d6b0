import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith("SMSBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults():
    settings = load_settings()
    assert settings.database_url == "sqlite:///smsbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.approvers == []


def test_values_come_from_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("SMSBOT_TIMEZONE=Asia/Shanghai\nSMSBOT_APPROVERS=U0APPROV01, W0GRIDAPP1, S0APPROVE1\n")
    monkeypatch.setenv("SMSBOT_SLACK_API_URL", "http://127.0.0.1:9999/api")
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.approver_user_ids == {"U0APPROV01", "W0GRIDAPP1"}  # W…: Enterprise Grid users
    assert settings.approver_group_ids == {"S0APPROVE1"}
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SMSBOT_TIMEZONE", "Mars/Base", "SMSBOT_TIMEZONE is malformed: unknown time zone 'Mars/Base'"),
        ("SMSBOT_SLACK_BOT_TOKEN", "xoxp-user", "SMSBOT_SLACK_BOT_TOKEN is malformed: must be a bot token"),
        ("SMSBOT_APPROVERS", "alice", "SMSBOT_APPROVERS is malformed: 'alice' is not a Slack user id"),
        ("SMSBOT_DATABASE_URL", "mysql://x", "SMSBOT_DATABASE_URL is malformed"),
        ("SMSBOT_APPROVALS_CHANNEL", "#general", "SMSBOT_APPROVALS_CHANNEL is malformed"),
        ("SMSBOT_PROVIDER", "nexmo", "SMSBOT_PROVIDER is malformed"),
        ("SMSBOT_TWILIO_ACCOUNT_SID", "AC123", "SMSBOT_TWILIO_ACCOUNT_SID is malformed"),
        ("SMSBOT_ALIBABA_WEBHOOK_TOKEN", "short", "SMSBOT_ALIBABA_WEBHOOK_TOKEN is malformed"),
        ("SMSBOT_ALIBABA_BASE_URL", "dysmsapi.aliyuncs.com", "SMSBOT_ALIBABA_BASE_URL is malformed: must be an http"),
        ("SMSBOT_HUAWEI_AUTH_SCHEME", "basic", "SMSBOT_HUAWEI_AUTH_SCHEME is malformed"),
        ("SMSBOT_HUAWEI_SENDER", "x" * 22, "SMSBOT_HUAWEI_SENDER is malformed"),
        ("SMSBOT_HUAWEI_WEBHOOK_TOKEN", "short", "SMSBOT_HUAWEI_WEBHOOK_TOKEN is malformed"),
        ("SMSBOT_HUAWEI_BASE_URL", "smsapi.example", "SMSBOT_HUAWEI_BASE_URL is malformed: must be an http"),
    ],
)
def test_malformed_setting_names_the_variable(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


def test_require_names_the_missing_variable():
    with pytest.raises(SettingsError, match="^SMSBOT_SLACK_SIGNING_SECRET is missing"):
        load_settings().require("slack_signing_secret")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"SMSBOT_PROVIDER": "twilio"}, "SMSBOT_TWILIO_ACCOUNT_SID is missing"),
        ({"SMSBOT_PROVIDER": "twilio", "SMSBOT_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "SMSBOT_TWILIO_AUTH_TOKEN": "t",
          "SMSBOT_PUBLIC_URL": "https://bot.example"}, "SMSBOT_TWILIO_FROM or SMSBOT_TWILIO_MESSAGING_SERVICE_SID"),
        ({"SMSBOT_PROVIDER": "twilio", "SMSBOT_TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "SMSBOT_TWILIO_AUTH_TOKEN": "t",
          "SMSBOT_TWILIO_FROM": "+15005550006"}, "SMSBOT_PUBLIC_URL is missing"),
        ({"SMSBOT_PROVIDER": "alibaba", "SMSBOT_ALIBABA_ACCESS_KEY_ID": "LTAI"}, "SMSBOT_ALIBABA_ACCESS_KEY_SECRET is missing"),
        ({"SMSBOT_PROVIDER": "huawei", "SMSBOT_HUAWEI_APP_KEY": "k", "SMSBOT_HUAWEI_APP_SECRET": "s"},
         "SMSBOT_HUAWEI_SENDER is missing"),
        ({"SMSBOT_PROVIDER": "ucloud", "SMSBOT_UCLOUD_PUBLIC_KEY": "k"}, "SMSBOT_UCLOUD_PRIVATE_KEY is missing"),
        ({"SMSBOT_PROVIDER": "ucloud", "SMSBOT_UCLOUD_PUBLIC_KEY": "k", "SMSBOT_UCLOUD_PRIVATE_KEY": "p",
          "SMSBOT_UCLOUD_WEBHOOK_TOKEN": "short"}, "SMSBOT_UCLOUD_WEBHOOK_TOKEN is malformed"),
    ],
)
def test_a_provider_names_the_setting_it_lacks(monkeypatch, given, expected):
    for variable, value in given.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{expected}"):
        load_settings().require_provider()


def test_only_alibaba_huawei_and_ucloud_render_registered_templates(monkeypatch):
    assert not load_settings().provider_renders_templates
    for provider in ("alibaba", "huawei", "ucloud"):
        monkeypatch.setenv("SMSBOT_PROVIDER", provider)
        assert load_settings().provider_renders_templates


def test_secret_values_are_listed_for_redaction(monkeypatch):
    monkeypatch.setenv("SMSBOT_SLACK_SIGNING_SECRET", "abc123")
    monkeypatch.setenv("SMSBOT_SLACK_BOT_TOKEN", "xoxb-1-2")
    settings = load_settings()
    assert set(settings.secret_values()) == {"abc123", "xoxb-1-2"}
    assert "abc123" not in repr(settings)
    monkeypatch.setenv("SMSBOT_HUAWEI_APP_SECRET", "huawei-app-secret")
    monkeypatch.setenv("SMSBOT_HUAWEI_WEBHOOK_TOKEN", "w" * 24)
    assert {"huawei-app-secret", "w" * 24} <= set(load_settings().secret_values())
    monkeypatch.setenv("SMSBOT_UCLOUD_PRIVATE_KEY", "ucloud-private-key")
    assert "ucloud-private-key" in load_settings().secret_values()
