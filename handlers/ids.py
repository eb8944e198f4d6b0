"""Every Slack id the bot's listeners and builders share: one place, no literals elsewhere."""

from enum import StrEnum

SLASH_COMMAND = "/sms"


class EventType(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    MESSAGE = "message"


class BlockId(StrEnum):
    HELP_COMMANDS = "help.commands"
    HOME_INTRO = "home.intro"
    HOME_STEPS = "home.steps"
    HOME_ROLE = "home.role"
    IMPORT_RESULT = "import.result"
    IMPORT_ACTIONS = "import.actions"
    IMPORT_FILE = "import.file"
    IMPORT_PASTE = "import.paste"
    AUDIENCE_NAME = "audience.name"
    AUDIENCE_LIST = "audience.list"


class ActionId(StrEnum):
    IMPORT_SAVE_AUDIENCE = "import.save_audience"
    IMPORT_FILE_INPUT = "import.file_input"
    IMPORT_PASTE_INPUT = "import.paste_input"
    AUDIENCE_NAME_INPUT = "audience.name_input"


class CallbackId(StrEnum):
    IMPORT_SUBMIT = "import.submit"
    AUDIENCE_SAVE = "audience.save"
