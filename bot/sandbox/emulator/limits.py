"""Block Kit checks the way Slack applies them, as Slack words them.

Pure functions over blocks and views (already parsed from JSON). Each returns a list
of messages in Slack's `response_metadata.messages` form, e.g.
"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text]";
an empty list means Slack would accept the surface.
"""

from __future__ import annotations

from typing import Any

# Slack refuses a file larger than this in a modal's file_input (a message takes far more).
FILE_INPUT_MAX_BYTES = 10 * 1024 * 1024

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_SELECT_OPTIONS = 100
MAX_CHOICE_OPTIONS = 10  # checkboxes and radio buttons
MAX_OVERFLOW_OPTIONS = 5
MAX_PLACEHOLDER = 150
MAX_LABEL = 2000
MAX_VIEW_TITLE = 24  # also submit and close
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255  # callback_id, external_id, block_id, action_id

BLOCK_TYPES = frozenset({
    "actions", "context", "context_actions", "divider", "file", "header", "image", "input",
    "markdown", "rich_text", "section", "table", "video",
})
ELEMENT_TYPES = frozenset({
    "button", "channels_select", "checkboxes", "conversations_select", "datepicker",
    "datetimepicker", "email_text_input", "external_select", "feedback_buttons", "file_input",
    "icon_button", "image", "multi_channels_select", "multi_conversations_select",
    "multi_external_select", "multi_static_select", "multi_users_select", "number_input",
    "overflow", "plain_text_input", "radio_buttons", "rich_text_input", "static_select",
    "timepicker", "url_text_input", "users_select", "workflow_button",
})
STATIC_SELECTS = frozenset({"static_select", "multi_static_select"})
CHOICE_ELEMENTS = frozenset({"checkboxes", "radio_buttons"})
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
VIEW_TYPES = ("modal", "home")


def check_message_blocks(blocks: Any) -> list[str]:
    """Problems Slack reports as invalid_blocks for a message's `blocks`."""
    checker = _Checker()
    checker.blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    return checker.problems


def check_view(view: Any, allowed_types: tuple[str, ...] = VIEW_TYPES) -> list[str]:
    """Problems Slack reports as invalid_arguments for a `view` of one of allowed_types."""
    checker = _Checker()
    checker.view(view, "/view", allowed_types)
    return checker.problems


def _error(text: str, pointer: str) -> str:
    return f"[ERROR] {text} [json-pointer:{pointer}]"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, text: str, pointer: str) -> None:
        self.problems.append(_error(text, pointer))

    # ------------------------------------------------------------------ primitives

    def string(self, value: Any, pointer: str, limit: int) -> None:
        """An optional string field no longer than limit."""
        if value is None:
            return
        if not isinstance(value, str):
            self.add("must provide a string", pointer)
        elif len(value) > limit:
            self.add(f"must be less than {limit + 1} characters", pointer)

    def text(self, node: dict, key: str, pointer: str, limit: int, *,
             required: bool = True, plain_only: bool = False) -> None:
        """A text object under node[key]; Slack points at the object, not its `text`."""
        obj = node.get(key)
        if obj is None:
            if required:
                self.add(f"missing required field: {key}", pointer)
            return
        self.text_object(obj, f"{pointer}/{key}", limit, plain_only=plain_only)

    def text_object(self, obj: Any, here: str, limit: int, *, plain_only: bool = False) -> None:
        if not isinstance(obj, dict):
            self.add("must provide an object", here)
            return
        allowed = {"plain_text"} if plain_only else TEXT_TYPES
        if obj.get("type") not in allowed:
            self.add("must be a valid enum value", f"{here}/type")
        value = obj.get("text")
        if not isinstance(value, str):
            self.add("missing required field: text", here)
        elif len(value) > limit:
            self.add(f"must be less than {limit + 1} characters", here)
        elif not value:
            self.add("must be more than 0 characters", here)

    def count(self, items: Any, pointer: str, limit: int, *, minimum: int = 0) -> bool:
        """True when items is a list; reports too many (or too few) items."""
        if not isinstance(items, list):
            self.add("must provide an array", pointer)
            return False
        if len(items) > limit:
            self.add(f"no more than {limit} items allowed", pointer)
        elif len(items) < minimum:
            self.add(f"must provide at least {minimum} items", pointer)
        return True

    def typed_object(self, node: Any, pointer: str, known: frozenset[str]) -> str | None:
        """The node's type when it is an object with a known type; reports otherwise."""
        if not isinstance(node, dict):
            self.add("must provide an object", pointer)
            return None
        kind = node.get("type")
        if kind is None:
            self.add("missing required field: type", pointer)
            return None
        if kind not in known:
            self.add(f"unsupported type: {kind}", f"{pointer}/type")
            return None
        return kind

    # ------------------------------------------------------------------ blocks

    def blocks(self, blocks: Any, pointer: str, limit: int) -> None:
        if not self.count(blocks, pointer, limit):
            return
        seen_block_ids: dict[str, int] = {}
        for index, block in enumerate(blocks):
            here = f"{pointer}/{index}"
            kind = self.typed_object(block, here, BLOCK_TYPES)
            if kind is None:
                continue
            block_id = block.get("block_id")
            self.string(block_id, f"{here}/block_id", MAX_ID)
            if isinstance(block_id, str):
                if block_id in seen_block_ids:
                    self.add(f"duplicate block_id: {block_id}", f"{here}/block_id")
                seen_block_ids.setdefault(block_id, index)
            check = getattr(self, f"block_{kind}", None)
            if check is not None:
                check(block, here)

    def block_section(self, block: dict, pointer: str) -> None:
        if block.get("text") is None and block.get("fields") is None:
            self.add("must provide either text or fields", pointer)
        self.text(block, "text", pointer, MAX_SECTION_TEXT, required=False)
        fields = block.get("fields")
        if fields is not None and self.count(fields, f"{pointer}/fields", MAX_SECTION_FIELDS):
            for index, field in enumerate(fields):
                self.text_object(field, f"{pointer}/fields/{index}", MAX_FIELD_TEXT)
        if block.get("accessory") is not None:
            self.element(block["accessory"], f"{pointer}/accessory")

    def block_header(self, block: dict, pointer: str) -> None:
        self.text(block, "text", pointer, MAX_HEADER_TEXT, plain_only=True)

    def block_context(self, block: dict, pointer: str) -> None:
        elements = block.get("elements")
        here = f"{pointer}/elements"
        if elements is None:
            self.add("missing required field: elements", pointer)
        elif self.count(elements, here, MAX_CONTEXT_ELEMENTS, minimum=1):
            for index, element in enumerate(elements):
                self.typed_object(element, f"{here}/{index}", TEXT_TYPES | {"image"})

    def block_actions(self, block: dict, pointer: str) -> None:
        elements = block.get("elements")
        here = f"{pointer}/elements"
        if elements is None:
            self.add("missing required field: elements", pointer)
        elif self.count(elements, here, MAX_ACTIONS_ELEMENTS, minimum=1):
            for index, element in enumerate(elements):
                self.element(element, f"{here}/{index}")

    def block_input(self, block: dict, pointer: str) -> None:
        self.text(block, "label", pointer, MAX_LABEL, plain_only=True)
        self.text(block, "hint", pointer, MAX_LABEL, required=False, plain_only=True)
        if block.get("element") is None:
            self.add("missing required field: element", pointer)
        else:
            self.element(block["element"], f"{pointer}/element")

    def block_image(self, block: dict, pointer: str) -> None:
        self.string(block.get("image_url"), f"{pointer}/image_url", MAX_URL)
        if block.get("alt_text") is None:
            self.add("missing required field: alt_text", pointer)
        self.string(block.get("alt_text"), f"{pointer}/alt_text", MAX_LABEL)

    # ------------------------------------------------------------------ elements

    def element(self, element: Any, pointer: str) -> None:
        kind = self.typed_object(element, pointer, ELEMENT_TYPES)
        if kind is None:
            return
        self.string(element.get("action_id"), f"{pointer}/action_id", MAX_ID)
        self.text(element, "placeholder", pointer, MAX_PLACEHOLDER, required=False, plain_only=True)
        if kind == "button":
            self.text(element, "text", pointer, MAX_BUTTON_TEXT, plain_only=True)
            self.string(element.get("value"), f"{pointer}/value", MAX_BUTTON_VALUE)
            self.string(element.get("url"), f"{pointer}/url", MAX_URL)
            if element.get("style") not in (None, "primary", "danger"):
                self.add("must be a valid enum value", f"{pointer}/style")
        elif kind in STATIC_SELECTS:
            self.select_options(element, pointer)
        elif kind in CHOICE_ELEMENTS:
            self.options(element.get("options"), f"{pointer}/options", MAX_CHOICE_OPTIONS,
                         required=True, plain_only=False)
        elif kind == "overflow":
            self.options(element.get("options"), f"{pointer}/options", MAX_OVERFLOW_OPTIONS, required=True)
        menu = kind not in CHOICE_ELEMENTS
        if isinstance(element.get("initial_option"), dict):
            self.option(element["initial_option"], f"{pointer}/initial_option", plain_only=menu)
        if isinstance(element.get("initial_options"), list):
            for index, option in enumerate(element["initial_options"]):
                self.option(option, f"{pointer}/initial_options/{index}", plain_only=menu)

    def select_options(self, element: dict, pointer: str) -> None:
        options, groups = element.get("options"), element.get("option_groups")
        if options is None and groups is None:
            self.add("must provide either options or option_groups", pointer)
        self.options(options, f"{pointer}/options", MAX_SELECT_OPTIONS)
        if groups is not None and self.count(groups, f"{pointer}/option_groups", MAX_SELECT_OPTIONS):
            for index, group in enumerate(groups):
                if isinstance(group, dict):
                    here = f"{pointer}/option_groups/{index}"
                    self.options(group.get("options"), f"{here}/options", MAX_SELECT_OPTIONS, required=True)

    def options(self, options: Any, pointer: str, limit: int, *,
                required: bool = False, plain_only: bool = True) -> None:
        if options is None:
            if required:
                self.add("missing required field: options", pointer.rsplit("/", 1)[0])
            return
        if self.count(options, pointer, limit, minimum=1):
            for index, option in enumerate(options):
                self.option(option, f"{pointer}/{index}", plain_only=plain_only)

    def option(self, option: Any, pointer: str, *, plain_only: bool = True) -> None:
        """Menus show plain text only; checkboxes and radio buttons also take mrkdwn."""
        if not isinstance(option, dict):
            self.add("must provide an object", pointer)
            return
        self.text(option, "text", pointer, MAX_OPTION_TEXT, plain_only=plain_only)
        self.text(option, "description", pointer, MAX_OPTION_TEXT, required=False)
        if option.get("value") is None:
            self.add("missing required field: value", pointer)
        self.string(option.get("value"), f"{pointer}/value", MAX_OPTION_VALUE)

    # ------------------------------------------------------------------ views

    def view(self, view: Any, pointer: str, allowed_types: tuple[str, ...]) -> None:
        if not isinstance(view, dict):
            self.add("must provide an object", pointer)
            return
        kind = view.get("type")
        if kind is None:
            self.add("missing required field: type", pointer)
            return
        if kind not in allowed_types:
            self.add("must be a valid enum value", f"{pointer}/type")
            return
        if kind == "modal":
            self.text(view, "title", pointer, MAX_VIEW_TITLE, plain_only=True)
            self.text(view, "submit", pointer, MAX_VIEW_TITLE, required=False, plain_only=True)
            self.text(view, "close", pointer, MAX_VIEW_TITLE, required=False, plain_only=True)
        self.string(view.get("private_metadata"), f"{pointer}/private_metadata", MAX_PRIVATE_METADATA)
        for key in ("callback_id", "external_id"):
            self.string(view.get(key), f"{pointer}/{key}", MAX_ID)
        blocks = view.get("blocks")
        if blocks is None:
            self.add("missing required field: blocks", pointer)
            return
        self.blocks(blocks, f"{pointer}/blocks", MAX_VIEW_BLOCKS)
        has_inputs = isinstance(blocks, list) and any(
            isinstance(block, dict) and block.get("type") == "input" for block in blocks
        )
        if kind == "modal" and has_inputs and view.get("submit") is None:
            self.add("must provide submit when the view contains input blocks", f"{pointer}/submit")
