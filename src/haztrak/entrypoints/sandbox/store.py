"""Where the sandbox keeps what it must not forget: a SQLite file of its own, or nothing.

e-Manifest never forgets a manifest and never issues a tracking number twice, so neither may
the sandbox across a restart. `SqliteSandboxStore` keeps the manifests, their attachments, the
tracking-number counter, the time of the last write, the token secret and grants, and the
failed logins and lockouts in one SQLite file (`HT_VAR_DIR/sandbox/state.sqlite3` by default).
`SandboxStore` keeps nothing: a throw-away sandbox for tests (`HT_SANDBOX_STATE=memory`).

The state reads from its dictionaries in memory; every change is written here first, in one
transaction, and only then to memory, so that what a client was told is on disk. The file is
held with an exclusive lock for as long as the sandbox runs: a second process on the same file
would hand out the same numbers, so it is refused. The state's re-entrant lock serialises every
call, which is what makes one connection safe to share between the server's threads.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

SCHEMA_VERSION = 1
WAIT_SECONDS = 5.0
"""How long opening waits for another sandbox on the same file to let go (a restart)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS manifests (mtn TEXT PRIMARY KEY, document BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS attachments (mtn TEXT PRIMARY KEY, content BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tokens"
    " (token_id TEXT PRIMARY KEY, expires_at REAL NOT NULL, grant_json BLOB NOT NULL)",
    # A manifest's versions (corrections): the list, oldest first; added to schema 1 as a
    # table of its own, so a state file from before has none (every manifest one version).
    "CREATE TABLE IF NOT EXISTS versions (mtn TEXT PRIMARY KEY, history BLOB NOT NULL)",
)


class SandboxStateUnavailable(RuntimeError):
    """The sandbox's state file cannot be used: another sandbox holds it, or it is unreadable."""


class Snapshot(msgspec.Struct, kw_only=True):
    """Everything a store holds, as the state keeps it in memory (grants as their JSON)."""

    manifests: dict[str, dict[str, Any]]
    attachments: dict[str, bytes]
    next_serial: int
    last_write: datetime | None = None
    token_secret: bytes
    tokens: dict[str, bytes] = {}
    failed_logins: dict[str, int] = {}
    locked_api_ids: list[str] = []
    versions: dict[str, list[dict[str, Any]]] = {}


class SandboxStore:
    """Keeps nothing: the sandbox forgets everything when the process ends."""

    location = "memory"

    def load(self) -> Snapshot | None:
        return None

    def replace(self, snapshot: Snapshot) -> None:
        """Everything at once (the first start, a reset)."""

    def put_manifest(
        self,
        mtn: str,
        document: dict[str, Any],
        attachment: bytes | None,
        *,
        next_serial: int,
        last_write: datetime | None,
        versions: list[dict[str, Any]] | None = None,
    ) -> None:
        """A manifest (with its new attachment, if any), with the counter and the time of the
        write that made it, together; and its versions, when they changed."""

    def put_manifests(self, documents: dict[str, dict[str, Any]], *, next_serial: int) -> None:
        """Many new manifests at once, with the counter past their numbers (a bulk seed)."""

    def delete_manifest(self, mtn: str) -> None: ...

    def put_token(self, token_id: str, expires_at: datetime, grant: bytes) -> None: ...
    def put_tokens(self, grants: dict[str, tuple[datetime, bytes]]) -> None: ...

    def drop_tokens_expired_before(self, moment: datetime) -> None: ...

    def put_logins(self, failed_logins: dict[str, int], locked_api_ids: set[str]) -> None: ...

    def close(self) -> None: ...


class SqliteSandboxStore(SandboxStore):
    def __init__(self, path: Path, *, wait_seconds: float | None = None) -> None:
        self.path = path
        self.location = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Owner only, like the TLS key beside it: the file holds the token secret.
            path.touch(mode=0o600, exist_ok=True)
            self._db = sqlite3.connect(
                path,
                isolation_level=None,  # transactions are begun and committed here, explicitly
                check_same_thread=False,  # shared by the server's threads under the state lock
                timeout=WAIT_SECONDS if wait_seconds is None else wait_seconds,
            )
        except (OSError, sqlite3.Error) as error:
            raise self._unavailable(f"cannot be opened ({error})") from error
        try:
            # Exclusive: this process alone uses the file until it closes it (or dies).
            self._db.execute("PRAGMA locking_mode = EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode = WAL")
            # FULL: a number handed out survives a power cut, not only a killed process.
            self._db.execute("PRAGMA synchronous = FULL")
            with self._transaction() as db:  # takes the exclusive lock now, or says who has it
                for statement in _SCHEMA:
                    db.execute(statement)
        except sqlite3.OperationalError as error:
            self._db.close()
            if "locked" in str(error) or "busy" in str(error):
                raise self._unavailable(
                    "is in use by another e-Manifest sandbox process; stop that one, or give "
                    "this one its own file with HT_SANDBOX_STATE=/path/to/file (or "
                    "HT_SANDBOX_STATE=memory for a throw-away sandbox)"
                ) from error
            raise self._unavailable(f"cannot be used ({error})") from error
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise self._unavailable(
                f"is not a sandbox state file ({error}); move it away to start afresh"
            ) from error

    def _unavailable(self, why: str) -> SandboxStateUnavailable:
        return SandboxStateUnavailable(f"the e-Manifest sandbox state file {self.path} {why}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- reading --------------------------------------------------------------------------------

    def load(self) -> Snapshot | None:
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if "next_serial" not in meta:
            return None
        version = int(meta.get("schema", SCHEMA_VERSION))
        if version != SCHEMA_VERSION:
            raise self._unavailable(
                f"has schema {version}; this Haztrak reads schema {SCHEMA_VERSION}"
            )
        decode = msgspec.json.decode
        last_write = meta.get("last_write")
        return Snapshot(
            manifests={
                mtn: decode(document)
                for mtn, document in self._db.execute("SELECT mtn, document FROM manifests")
            },
            attachments=dict(self._db.execute("SELECT mtn, content FROM attachments").fetchall()),
            next_serial=int(meta["next_serial"]),
            last_write=datetime.fromisoformat(str(last_write)) if last_write else None,
            token_secret=bytes(meta["token_secret"]),
            tokens=dict(self._db.execute("SELECT token_id, grant_json FROM tokens").fetchall()),
            failed_logins=decode(meta.get("failed_logins", b"{}"), type=dict[str, int]),
            locked_api_ids=decode(meta.get("locked_api_ids", b"[]"), type=list[str]),
            versions={
                mtn: decode(history)
                for mtn, history in self._db.execute("SELECT mtn, history FROM versions")
            },
        )

    # -- writing --------------------------------------------------------------------------------

    def replace(self, snapshot: Snapshot) -> None:
        encode = msgspec.json.encode
        with self._transaction() as db:
            for table in ("manifests", "attachments", "tokens", "meta", "versions"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - the fixed table names
            db.executemany(
                "INSERT INTO manifests (mtn, document) VALUES (?, ?)",
                [(mtn, encode(document)) for mtn, document in snapshot.manifests.items()],
            )
            db.executemany(
                "INSERT INTO attachments (mtn, content) VALUES (?, ?)",
                list(snapshot.attachments.items()),
            )
            db.executemany(
                "INSERT INTO versions (mtn, history) VALUES (?, ?)",
                [(mtn, encode(history)) for mtn, history in snapshot.versions.items()],
            )
            self._set_meta(
                db,
                schema=SCHEMA_VERSION,
                next_serial=snapshot.next_serial,
                token_secret=snapshot.token_secret,
                failed_logins=encode(snapshot.failed_logins),
                locked_api_ids=encode(snapshot.locked_api_ids),
            )
            if snapshot.last_write is not None:
                self._set_meta(db, last_write=snapshot.last_write.isoformat())

    def put_manifest(
        self,
        mtn: str,
        document: dict[str, Any],
        attachment: bytes | None,
        *,
        next_serial: int,
        last_write: datetime | None,
        versions: list[dict[str, Any]] | None = None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO manifests (mtn, document) VALUES (?, ?)",
                (mtn, msgspec.json.encode(document)),
            )
            if attachment is not None:
                db.execute(
                    "INSERT OR REPLACE INTO attachments (mtn, content) VALUES (?, ?)",
                    (mtn, attachment),
                )
            if versions is not None:
                db.execute(
                    "INSERT OR REPLACE INTO versions (mtn, history) VALUES (?, ?)",
                    (mtn, msgspec.json.encode(versions)),
                )
            self._set_meta(db, next_serial=next_serial)
            if last_write is not None:
                self._set_meta(db, last_write=last_write.isoformat())

    def put_manifests(self, documents: dict[str, dict[str, Any]], *, next_serial: int) -> None:
        encode = msgspec.json.encode
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO manifests (mtn, document) VALUES (?, ?)",
                [(mtn, encode(document)) for mtn, document in documents.items()],
            )
            self._set_meta(db, next_serial=next_serial)

    def delete_manifest(self, mtn: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM manifests WHERE mtn = ?", (mtn,))
            db.execute("DELETE FROM attachments WHERE mtn = ?", (mtn,))
            db.execute("DELETE FROM versions WHERE mtn = ?", (mtn,))

    def put_token(self, token_id: str, expires_at: datetime, grant: bytes) -> None:
        self.put_tokens({token_id: (expires_at, grant)})

    def put_tokens(self, grants: dict[str, tuple[datetime, bytes]]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO tokens (token_id, expires_at, grant_json) VALUES (?, ?, ?)",
                [(key, at.timestamp(), grant) for key, (at, grant) in grants.items()],
            )

    def drop_tokens_expired_before(self, moment: datetime) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM tokens WHERE expires_at < ?", (moment.timestamp(),))

    def put_logins(self, failed_logins: dict[str, int], locked_api_ids: set[str]) -> None:
        encode = msgspec.json.encode
        with self._transaction() as db:
            self._set_meta(
                db,
                failed_logins=encode(failed_logins),
                locked_api_ids=encode(sorted(locked_api_ids)),
            )

    @staticmethod
    def _set_meta(db: sqlite3.Connection, **values: object) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
        )

    def close(self) -> None:
        self._db.close()
