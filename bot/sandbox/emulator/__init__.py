"""A local Slack workspace: Web API, interaction driver and server, for the sandbox and e2e tests.

    workspace = Workspace()
    emulator = start_emulator(workspace)           # Web API at emulator.url + "/api/"
    bot = ThreadedServer(bot_asgi_app).start()     # the app under test (bot.threaded_server)
    driver = SlackDriver(workspace, bot.url + "/slack/events", signing_secret)
    await driver.slash_command(SENDER_ID, GENERAL_CHANNEL_ID, "send")
"""

from bot.sandbox.emulator.defaults import (
    APP_ID,
    APPROVALS_CHANNEL_ID,
    APPROVER_ID,
    APPROVERS_GROUP_HANDLE,
    APPROVERS_GROUP_ID,
    BOT_ID,
    BOT_USER_ID,
    DEFAULT_BOT_TOKEN,
    GENERAL_CHANNEL_ID,
    MEMBER_ID,
    SECOND_APPROVER_ID,
    SENDER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
)
from bot.sandbox.emulator.driver import SharedFile, SlackDriver
from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.files import StoredFile
from bot.sandbox.emulator.limits import check_message_blocks, check_view
from bot.sandbox.emulator.model import (
    Channel,
    EphemeralMessage,
    Message,
    RecordedCall,
    ResponseUrlPost,
    Submission,
    User,
    Usergroup,
)
from bot.sandbox.emulator.payloads import DriverError
from bot.sandbox.emulator.server import start_emulator
from bot.sandbox.emulator.clock import ManualClock
from bot.sandbox.emulator.state import Workspace
from bot.sandbox.emulator.views import View
from bot.sandbox.emulator.web_api import create_emulator_app

__all__ = [
    "APP_ID",
    "APPROVALS_CHANNEL_ID",
    "APPROVER_ID",
    "APPROVERS_GROUP_HANDLE",
    "APPROVERS_GROUP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "DEFAULT_BOT_TOKEN",
    "GENERAL_CHANNEL_ID",
    "MEMBER_ID",
    "SECOND_APPROVER_ID",
    "SENDER_ID",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "Channel",
    "DriverError",
    "EphemeralMessage",
    "ManualClock",
    "Message",
    "RecordedCall",
    "ResponseUrlPost",
    "SharedFile",
    "SlackDriver",
    "SlackFailure",
    "StoredFile",
    "Submission",
    "User",
    "Usergroup",
    "View",
    "Workspace",
    "check_message_blocks",
    "check_view",
    "create_emulator_app",
    "start_emulator",
]
