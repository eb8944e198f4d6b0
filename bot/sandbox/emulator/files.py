"""Files people and the app upload, and the two-step external uploads behind files_upload_v2."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

from bot.sandbox.emulator.errors import SlackFailure
from bot.sandbox.emulator.model import JsonDict

if TYPE_CHECKING:
    from bot.sandbox.emulator.state import Workspace

# Slack's filetype names differ from extensions for a few common kinds; the system
# mimetypes table may lack the office formats, so the ones the bot handles are spelled out.
_KNOWN_TYPES = {
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "xls": ("application/vnd.ms-excel", "xls"),
    "txt": ("text/plain", "text"),
    "json": ("application/json", "json"),
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
}


def guess_type(filename: str) -> tuple[str, str]:
    """(mimetype, Slack filetype) from a file name."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension in _KNOWN_TYPES:
        return _KNOWN_TYPES[extension]
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return mimetype, extension or "binary"


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    mimetype: str
    filetype: str
    user: str
    created: int
    content: bytes = b""
    channels: list[str] = field(default_factory=list)
    alt_txt: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class PendingUpload:
    upload_id: str
    file_id: str
    filename: str
    length: int
    user: str
    alt_txt: str | None = None
    content: bytes | None = None


class FileStore:
    def __init__(self, workspace: Workspace):
        self._workspace = workspace
        self._lock = workspace.lock
        self._files: dict[str, StoredFile] = {}
        self._uploads: dict[str, PendingUpload] = {}
        self._deleted: set[str] = set()

    def delete(self, file_id: str) -> None:
        with self._lock:
            self._files.pop(file_id, None)
            self._deleted.add(file_id)

    def was_deleted(self, file_id: str) -> bool:
        with self._lock:
            return file_id in self._deleted

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(file_id)

    def all(self) -> list[StoredFile]:
        with self._lock:
            return list(self._files.values())

    def add(
        self,
        user_id: str,
        name: str,
        content: bytes,
        *,
        title: str | None = None,
        mimetype: str | None = None,
        file_id: str | None = None,
    ) -> StoredFile:
        """A finished file, e.g. one a person dropped into the sandbox page."""
        guessed_mimetype, filetype = guess_type(name)
        with self._lock:
            stored = StoredFile(
                id=file_id or self._workspace.new_id("F"),
                name=name,
                title=title or name,
                mimetype=mimetype or guessed_mimetype,
                filetype=filetype,
                user=user_id,
                created=int(self._workspace.wall_clock()),
                content=bytes(content),
            )
            self._files[stored.id] = stored
            return stored

    def share(self, file_id: str, channel_id: str) -> None:
        with self._lock:
            stored = self._files[file_id]
            if channel_id not in stored.channels:
                stored.channels.append(channel_id)

    # ------------------------------------------------------------------ external uploads

    def start_upload(self, user_id: str, filename: str, length: int, alt_txt: str | None = None) -> PendingUpload:
        with self._lock:
            upload = PendingUpload(
                upload_id=self._workspace.new_id("UP"),
                file_id=self._workspace.new_id("F"),
                filename=filename,
                length=length,
                user=user_id,
                alt_txt=alt_txt,
            )
            self._uploads[upload.upload_id] = upload
            return upload

    def upload_url(self, upload: PendingUpload) -> str:
        return self._workspace.emulator_url(f"/upload/v1/{upload.upload_id}")

    def receive_upload(self, upload_id: str, content: bytes) -> PendingUpload:
        with self._lock:
            upload = self._uploads.get(upload_id)
            if upload is None:
                raise SlackFailure("upload_not_found", status_code=404)
            upload.content = content
            return upload

    def complete_upload(self, file_id: str, title: str | None) -> StoredFile:
        """Turn an uploaded pending file into a file; unknown or empty uploads are not found."""
        with self._lock:
            upload = next((u for u in self._uploads.values() if u.file_id == file_id), None)
            if upload is None:
                if file_id in self._files:  # completing twice keeps the first completion
                    return self._files[file_id]
                raise SlackFailure("file_not_found")
            if upload.content is None:
                raise SlackFailure("file_not_found")
            del self._uploads[upload.upload_id]
            stored = self.add(upload.user, upload.filename, upload.content, title=title, file_id=file_id)
            stored.alt_txt = upload.alt_txt
            return stored

    # ------------------------------------------------------------------ rendering and download

    def url_private(self, stored: StoredFile, *, download: bool = False) -> str:
        folder = f"/files-pri/{self._workspace.team.id}-{stored.id}"
        name = quote(stored.name)
        return self._workspace.emulator_url(f"{folder}/download/{name}" if download else f"{folder}/{name}")

    def payload(self, file_id: str) -> JsonDict:
        with self._lock:
            stored = self._files[file_id]
            is_public = any(not self._is_private(c) for c in stored.channels)
            return {
                "id": stored.id,
                "created": stored.created,
                "timestamp": stored.created,
                "name": stored.name,
                "title": stored.title,
                "mimetype": stored.mimetype,
                "filetype": stored.filetype,
                "pretty_type": stored.filetype.upper(),
                "user": stored.user,
                "user_team": self._workspace.team.id,
                "editable": False,
                "size": stored.size,
                "mode": "hosted",
                "is_external": False,
                "external_type": "",
                "is_public": is_public,
                "public_url_shared": False,
                "display_as_bot": False,
                "username": "",
                "url_private": self.url_private(stored),
                "url_private_download": self.url_private(stored, download=True),
                "permalink": self._workspace.emulator_url(f"/files/{stored.user}/{stored.id}/{quote(stored.name)}"),
                "channels": [c for c in stored.channels if not self._is_private(c)],
                "groups": [c for c in stored.channels if self._is_private(c) and not c.startswith("D")],
                "ims": [c for c in stored.channels if c.startswith("D")],
                "comments_count": 0,
                **({"alt_txt": stored.alt_txt} if stored.alt_txt else {}),
            }

    def _is_private(self, channel_id: str) -> bool:
        channel = self._workspace.channel(channel_id)
        return channel is not None and channel.is_private
