"""Every Slack id the bot's listeners and builders share: one place, no literals elsewhere."""

from enum import StrEnum

SLASH_COMMAND = "/sms"


class EventType(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    MESSAGE = "message"


class BlockId(StrEnum):
    HELP_COMMANDS = "help.commands"
    HELP_WARNING = "help.warning"
    HOME_INTRO = "home.intro"
    HOME_STEPS = "home.steps"
    HOME_ROLE = "home.role"
    IMPORT_RESULT = "import.result"
    IMPORT_ACTIONS = "import.actions"
    IMPORT_FILE = "import.file"
    IMPORT_PASTE = "import.paste"
    AUDIENCE_NAME = "audience.name"
    AUDIENCE_LIST = "audience.list"
    APPROVAL_SUMMARY = "approval.summary"
    APPROVAL_ACTIONS = "approval.actions"
    APPROVAL_REASON = "approval.reason"
    TEMPLATE_NAME = "template.name"
    TEMPLATE_KIND = "template.kind"
    TEMPLATE_PURPOSE = "template.purpose"
    TEMPLATE_BODY = "template.body"
    TEMPLATE_SUBJECT = "template.subject"
    TEMPLATE_MEDIA_URLS = "template.media_urls"
    TEMPLATE_TITLE = "template.title"
    TEMPLATE_IMAGE_URL = "template.image_url"
    TEMPLATE_BUTTONS = "template.buttons"
    TEMPLATE_DEFAULT_LINK = "template.default_link"
    TEMPLATE_SIGNATURES = "template.signatures"
    SEND_NAME = "send.name"
    SEND_RECIPIENTS = "send.recipients"
    SEND_PASTE = "send.paste"
    SEND_FILE = "send.file"
    SEND_NOTICE = "send.notice"
    SEND_PURPOSE = "send.purpose"
    SEND_KIND = "send.kind"
    SEND_SIGNATURE = "send.signature"
    SEND_TEMPLATE = "send.template"
    SEND_FALLBACK = "send.fallback"
    SEND_FALLBACK_TEMPLATE = "send.fallback_template"
    SEND_DEFAULT_LINK = "send.default_link"
    SEND_DATE = "send.date"
    SEND_TIME = "send.time"
    SEND_PREVIEW = "send.preview"
    SEND_SKIP_TOO_LONG = "send.skip_too_long"
    TASK_SUMMARY = "task.summary"
    TASK_ACTIONS = "task.actions"
    PROGRESS_ACTIONS = "progress.actions"
    TEST_NUMBERS = "task.test_numbers"
    LATE_START_CHOICE = "task.late_start_choice"
    LATE_START_DATE = "task.late_start_date"
    LATE_START_TIME = "task.late_start_time"
    TEST_VALUE = "task.test_value:"  # + the variable's name: one input per template variable
    # Status and reporting: /sms list, the details modal, /sms lookup, the Home dashboard.
    LIST_TASK = "list.task"  # + ":<task id>", one section per task
    LIST_NAV = "list.nav"
    DETAILS_TOTALS = "details.totals"
    DETAILS_FILTER = "details.filter"
    DETAILS_SEARCH = "details.search"
    DETAILS_ROWS = "details.rows"  # + ":<n>", a few recipients each
    DETAILS_MESSAGE = "details.message"  # + ":<n>", one recipient with its SMS ID and message each
    DETAILS_NAV = "details.nav"
    HOME_ACTIONS = "home.actions"
    HOME_RECENT = "home.recent"  # + ":<task id>"
    HOME_PENDING_TASK = "home.pending_task"  # + ":<task id>"
    HOME_PENDING_CONTENT = "home.pending_content"  # + ":<kind>:<id>"
    HOME_PENDING_PREVIEW = "home.pending_preview"  # + ":<task id>", the message an approval would send
    # A task's audit trail (/sms audit).
    AUDIT_ENTRY = "audit.entry"  # + ":<n>", one entry each
    AUDIT_NAV = "audit.nav"
    # Exports and follow-ups: the final report's buttons.
    REPORT_ACTIONS = "report.actions"
    # The follow-up modal: which numbers (delivered, failed, no receipt), resend or save, a name.
    FOLLOW_UP_NUMBERS = "followup.numbers"
    FOLLOW_UP_DO = "followup.do"
    FOLLOW_UP_NAME = "followup.name"


class ActionId(StrEnum):
    IMPORT_SAVE_AUDIENCE = "import.save_audience"
    IMPORT_FILE_INPUT = "import.file_input"
    IMPORT_PASTE_INPUT = "import.paste_input"
    AUDIENCE_NAME_INPUT = "audience.name_input"
    CONTENT_APPROVE = "content.approve"
    CONTENT_REJECT = "content.reject"
    APPROVAL_REASON_INPUT = "approval.reason_input"
    TEMPLATE_KIND_SELECT = "template.kind_select"
    TEMPLATE_FIELD = "template.field"  # every other template input: its block id tells which
    SEND_FIELD = "send.field"  # send modal inputs that need no listener: the block id tells which
    SEND_REFRESH = "send.refresh"  # a send modal choice that re-renders the modal and its preview
    IMPORT_CREATE_TASK = "import.create_task"
    TASK_APPROVE = "task.approve"
    TASK_REJECT = "task.reject"
    TASK_EDIT = "task.edit"
    TASK_CANCEL = "task.cancel"
    TASK_COPY = "task.copy"
    TASK_DELETE = "task.delete"
    TASK_PAUSE = "task.pause"
    TASK_RESUME = "task.resume"
    TASK_STOP = "task.stop"
    TASK_TEST_SEND = "task.test_send"
    TEST_NUMBERS_INPUT = "task.test_numbers_input"
    TASK_DETAILS = "task.details"  # opens the per-recipient details modal of the task in its value
    LIST_PREVIOUS = "list.previous"
    LIST_NEXT = "list.next"
    DETAILS_FILTER_SELECT = "details.filter_select"
    DETAILS_SEARCH_INPUT = "details.search_input"
    DETAILS_PREVIOUS = "details.previous"
    DETAILS_NEXT = "details.next"
    DETAILS_REFRESH = "details.refresh"  # re-reads the page shown (its filter, search and page)
    AUDIT_PREVIOUS = "audit.previous"  # value: AuditTrailState, each of the three
    AUDIT_NEXT = "audit.next"
    AUDIT_ORDER = "audit.order"  # newest first <-> oldest first
    HOME_NEW_SEND = "home.new_send"
    HOME_UPLOAD = "home.upload"
    HOME_SAMPLE = "home.sample"
    EXPORT_FAILED = "export.failed"  # value: ExportRef
    EXPORT_MORE = "export.more"  # an overflow menu: each option's value is an ExportRef
    FOLLOW_UP_RESEND = "followup.resend"  # value: TaskRef
    FOLLOW_UP_AUDIENCE = "followup.audience"  # value: TaskRef
    FOLLOW_UP_CHOOSE = "followup.choose"  # value: TaskRef; opens the follow-up modal
    FOLLOW_UP_NUMBERS_INPUT = "followup.numbers_input"
    FOLLOW_UP_DO_INPUT = "followup.do_input"
    FOLLOW_UP_NAME_INPUT = "followup.name_input"


class CallbackId(StrEnum):
    IMPORT_SUBMIT = "import.submit"
    AUDIENCE_SAVE = "audience.save"
    CONTENT_REJECT = "content.reject_reason"
    TEMPLATE_ADD = "template.add"
    SEND_SUBMIT = "send.submit"
    TASK_REJECT = "task.reject_reason"
    TASK_LATE_START = "task.late_start"
    TASK_TEST_SEND = "task.test_send_numbers"
    TASK_DETAILS = "task.details_view"
    FOLLOW_UP = "followup.submit"
