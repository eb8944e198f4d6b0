"""The reference each button or form carries (a task, a content item, an export, a page…),
parsed once by the context middleware into the listener's `ref` argument."""

from __future__ import annotations

from pydantic import ValidationError

from domain.errors import DomainError
from domain.i18n import _
from handlers.ids import ActionId, CallbackId
from handlers.payloads import (
    AudienceSaveState,
    AuditTrailState,
    ContentRef,
    ContentRejectState,
    DetailsState,
    ExportRef,
    FollowUpState,
    ImportModalState,
    LateStartState,
    ListRef,
    Payload,
    SendModalState,
    TaskListState,
    TaskRef,
    TaskRejectState,
    TemplateModalState,
)

# A button's (or a menu option's) value.
BY_ACTION: dict[str, type[Payload]] = {
    **dict.fromkeys((ActionId.TASK_APPROVE, ActionId.TASK_REJECT, ActionId.TASK_CANCEL, ActionId.TASK_DELETE,
                     ActionId.TASK_EDIT, ActionId.TASK_TEST_SEND, ActionId.TASK_COPY, ActionId.TASK_PAUSE,
                     ActionId.TASK_RESUME, ActionId.TASK_STOP, ActionId.TASK_DETAILS, ActionId.FOLLOW_UP_RESEND,
                     ActionId.FOLLOW_UP_AUDIENCE, ActionId.FOLLOW_UP_CHOOSE), TaskRef),
    ActionId.CONTENT_APPROVE: ContentRef,
    ActionId.CONTENT_REJECT: ContentRef,
    ActionId.EXPORT_FAILED: ExportRef,
    ActionId.EXPORT_MORE: ExportRef,
    ActionId.IMPORT_CREATE_TASK: ListRef,
    ActionId.IMPORT_SAVE_AUDIENCE: ListRef,
    ActionId.LIST_PREVIOUS: TaskListState,
    ActionId.LIST_NEXT: TaskListState,
    **dict.fromkeys((ActionId.AUDIT_PREVIOUS, ActionId.AUDIT_NEXT, ActionId.AUDIT_ORDER), AuditTrailState),
}
# A modal's private_metadata, for its submission and for the actions inside it.
BY_VIEW: dict[str, type[Payload]] = {
    CallbackId.IMPORT_SUBMIT: ImportModalState,
    CallbackId.AUDIENCE_SAVE: AudienceSaveState,
    CallbackId.CONTENT_REJECT: ContentRejectState,
    CallbackId.TEMPLATE_ADD: TemplateModalState,
    CallbackId.SEND_SUBMIT: SendModalState,
    CallbackId.TASK_REJECT: TaskRejectState,
    CallbackId.TASK_LATE_START: LateStartState,
    CallbackId.TASK_TEST_SEND: TaskRef,
    CallbackId.TASK_DETAILS: DetailsState,
    CallbackId.FOLLOW_UP: FollowUpState,
}


class StaleReference(DomainError):
    """Said in the language of the moment it is made: the middleware makes it again once it knows
    the reader's."""

    def __init__(self) -> None:
        super().__init__(_("This button or form no longer matches anything I know; open it again."))


def reference_of(body: dict) -> Payload | None:
    """The request's reference, or None for a request that carries none."""
    kind = body.get("type")
    try:
        if kind == "block_actions":
            action = (body.get("actions") or [{}])[0]
            carried = BY_ACTION.get(action.get("action_id", ""))
            if carried is not None:
                return carried.load(action.get("value") or (action.get("selected_option") or {}).get("value"))
        view = body.get("view") or {}
        if kind in ("block_actions", "view_submission", "view_closed") and view.get("callback_id") in BY_VIEW:
            return BY_VIEW[view["callback_id"]].load(view.get("private_metadata"))
    except ValidationError:
        raise StaleReference() from None
    return None
