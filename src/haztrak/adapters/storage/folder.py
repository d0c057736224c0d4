"""DocumentStore on a folder (`HT_VAR_DIR/documents` by default): one file per key.

Writes go to a temporary file in the same folder and are renamed into place, so a reader never
sees half a file and a crash leaves no partial document. File I/O runs in threads.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from haztrak.adapters.storage.keys import check_key, check_prefix
from haztrak.application.ports.storage import DocumentStoreUnavailable, StoredFile
from haztrak.domain.manifest.attachments import content_type_of


class FolderDocumentStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def __repr__(self) -> str:
        return f"<FolderDocumentStore {self._root}>"

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*check_key(key))

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._put, self._path(key), data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, self._path(key))

    async def files(self, prefix: str) -> list[StoredFile]:
        folder = self._root.joinpath(*check_prefix(prefix))
        try:  # most manifests have no folder: one stat here spares a thread's round trip
            if not os.path.isdir(folder):  # noqa: ASYNC240 (one stat, no thread)
                return []
        except OSError:
            pass  # the thread's listing says what is wrong
        return await asyncio.to_thread(self._list, folder, prefix)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, self._path(key))

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise DocumentStoreUnavailable(
                f"the document folder refused a write ({type(error).__name__})"
            ) from None

    @staticmethod
    def _get(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as error:
            raise DocumentStoreUnavailable(
                f"the document folder refused a read ({type(error).__name__})"
            ) from None

    @staticmethod
    def _list(folder: Path, prefix: str) -> list[StoredFile]:
        try:
            entries = sorted(folder.iterdir()) if folder.is_dir() else []
            files = []
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file():
                    continue
                stat = entry.stat()
                files.append(
                    StoredFile(
                        key=prefix + entry.name,
                        size=stat.st_size,
                        content_type=content_type_of(entry.name),
                        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                    )
                )
            return files
        except OSError as error:
            raise DocumentStoreUnavailable(
                f"the document folder refused a listing ({type(error).__name__})"
            ) from None

    @staticmethod
    def _delete(path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise DocumentStoreUnavailable(
                f"the document folder refused a deletion ({type(error).__name__})"
            ) from None
