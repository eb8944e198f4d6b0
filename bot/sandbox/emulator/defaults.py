"""The sandbox workspace's fixed ids and seed data: the one place that spells them out.

The e2e tests, the sandbox page and the bot's sandbox settings all refer to these
names instead of repeating id literals.
"""

from __future__ import annotations

TEAM_ID = "T0SANDBOX1"
TEAM_DOMAIN = "sandbox"
TEAM_NAME = "Sandbox"

BOT_USER_ID = "U0SMSBOT01"
BOT_ID = "B0SMSBOT01"
APP_ID = "A0SMSBOT01"
BOT_NAME = "smsbot"
DEFAULT_BOT_TOKEN = "xoxb-sandbox-bot-token"
# The app-level token (connections:write) that opens Socket Mode connections.
DEFAULT_APP_TOKEN = "xapp-1-A0SMSBOT01-1-sandbox-app-token"
# Slack still sends the deprecated verification token in every payload; Bolt ignores it.
VERIFICATION_TOKEN = "sandbox-verification-token"

SENDER_ID = "U0SENDER01"
APPROVER_ID = "U0APPROV01"
SECOND_APPROVER_ID = "U0APPROV02"
MEMBER_ID = "U0MEMBER01"

APPROVERS_GROUP_ID = "S0APPROVE1"
APPROVERS_GROUP_HANDLE = "sms-approvers"

GENERAL_CHANNEL_ID = "C0GENERAL1"
APPROVALS_CHANNEL_ID = "C0APPROVE1"

# (id, name, real_name) of the people in the default workspace.
SEED_USERS = (
    (SENDER_ID, "sender", "Sam Sender"),
    (APPROVER_ID, "approver", "Ada Approver"),
    (SECOND_APPROVER_ID, "approver2", "Abe Approver"),
    (MEMBER_ID, "member", "Mia Member"),
)
# (id, handle, name, member ids)
SEED_USERGROUPS = (
    (APPROVERS_GROUP_ID, APPROVERS_GROUP_HANDLE, "SMS approvers", (APPROVER_ID, SECOND_APPROVER_ID)),
)
# (id, name); every seeded user and the bot are members.
SEED_CHANNELS = (
    (GENERAL_CHANNEL_ID, "general"),
    (APPROVALS_CHANNEL_ID, "sms-approvals"),
)

# A message ts looks like Slack's: seconds since the epoch, a dot, six digits.
TS_EPOCH_FLOOR = 1_763_900_000
TRIGGER_LIFETIME_SECONDS = 3.0
# A response_url accepts five posts within thirty minutes.
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_LIFETIME_SECONDS = 30 * 60
MAX_VIEW_STACK = 3
