"""files.* methods: file info and the external upload flow files_upload_v2 drives."""

from __future__ import annotations

from bot.sandbox.emulator.errors import SlackFailure, require
from bot.sandbox.emulator.methods_common import ApiCall, MethodHandler, postable_channel
from bot.sandbox.emulator.model import JsonDict


def files_info(call: ApiCall) -> JsonDict:
    require(call.args, "file")
    ws = call.workspace
    stored = ws.files.get(call.get("file"))
    if stored is None:
        raise SlackFailure("file_deleted" if ws.files.was_deleted(call.get("file")) else "file_not_found")
    return {"file": ws.files.payload(stored.id), "comments": [], "response_metadata": {"next_cursor": ""}}


def files_delete(call: ApiCall) -> JsonDict:
    """A bot deletes its own file; its own message that showed only that file goes too."""
    require(call.args, "file")
    ws = call.workspace
    file_id = str(call.get("file"))
    stored = ws.files.get(file_id)
    if stored is None:
        raise SlackFailure("file_deleted" if ws.files.was_deleted(file_id) else "file_not_found")
    if stored.user != ws.bot.user_id:
        raise SlackFailure("cant_delete_file")
    ws.files.delete(file_id)
    for channel in ws.channels():
        for message in ws.messages(channel.id, include_replies=True):
            if message.file_ids == [file_id] and message.user == ws.bot.user_id:
                ws.delete_message(channel.id, message.ts)
    return {}


def get_upload_url(call: ApiCall) -> JsonDict:
    require(call.args, "filename", "length")
    try:
        length = int(call.get("length"))
    except (TypeError, ValueError):
        raise SlackFailure("invalid_arguments", ["[ERROR] must be an integer [json-pointer:/length]"]) from None
    ws = call.workspace
    upload = ws.files.start_upload(ws.bot.user_id, str(call.get("filename")), length, call.get("alt_txt"))
    return {"upload_url": ws.files.upload_url(upload), "file_id": upload.file_id}


def _requested_files(call: ApiCall) -> list[JsonDict]:
    require(call.args, "files")
    files = call.args["files"]
    if not isinstance(files, list) or not all(isinstance(f, dict) and f.get("id") for f in files):
        raise SlackFailure("invalid_arguments", ["[ERROR] must provide an array of {id, title} [json-pointer:/files]"])
    return files


def _target_channels(call: ApiCall) -> list[str]:
    ws = call.workspace
    references = []
    if call.get("channel_id") is not None:
        references.append(call.get("channel_id"))
    references += [c for c in str(call.get("channels", "")).split(",") if c]
    # Files are shared by channel id; unlike chat.postMessage a user id is no channel here.
    for reference in references:
        if not ws.channel(reference):
            raise SlackFailure("channel_not_found")
    return [postable_channel(ws, reference).id for reference in references]


def complete_upload(call: ApiCall) -> JsonDict:
    ws = call.workspace
    with ws.lock:
        requested = _requested_files(call)
        channel_ids = _target_channels(call)
        completed = [ws.files.complete_upload(f["id"], f.get("title")) for f in requested]
        for channel_id in channel_ids:
            for stored in completed:
                ws.files.share(stored.id, channel_id)
            ws.post_message(
                channel_id,
                ws.bot.user_id,
                call.get("initial_comment", ""),
                call.get("blocks"),
                thread_ts=call.get("thread_ts"),
                file_ids=[stored.id for stored in completed],
                subtype="file_share",
            )
        return {"files": [ws.files.payload(stored.id) for stored in completed]}


METHODS: dict[str, MethodHandler] = {
    "files.info": files_info,
    "files.delete": files_delete,
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
