"""Every Slack id the bot's listeners and builders share: one place, no literals elsewhere."""

from enum import StrEnum

SLASH_COMMAND = "/sms"


class EventType(StrEnum):
    APP_HOME_OPENED = "app_home_opened"


class BlockId(StrEnum):
    HELP_COMMANDS = "help.commands"
    HOME_INTRO = "home.intro"
    HOME_STEPS = "home.steps"
    HOME_ROLE = "home.role"


class ActionId(StrEnum):
    pass


class CallbackId(StrEnum):
    pass
