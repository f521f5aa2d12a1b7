"""Blobs (content-addressed payloads) and kernel -> notebook sessions, for the SQL store."""

from __future__ import annotations

import hashlib
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, select

from labtrack.errors import ResourceNotFoundError
from labtrack.store.sql import tables

T = TypeVar("T")
B, S = tables.blobs, tables.notebook_sessions


@dataclass(frozen=True)
class NotebookSession:
    kernel_id: str
    notebook_path: str
    notebook_id: str | None
    root_dir: str | None
    updated_time: int


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class NotebookStoreMixin:
    """Mixed into SqlTrackingStore; relies on its ``_write`` / ``_read`` and ``_insert``."""

    _write: Callable[[Callable[[Connection], Any]], Any]
    _read: Callable[[Callable[[Connection], Any]], Any]

    def put_blob(self, kind: str, data: bytes) -> str:
        """Store ``data`` once under its SHA-256 digest; return the digest."""
        digest = digest_of(data)

        def txn(conn: Connection) -> None:
            if conn.execute(select(B.c.digest).where(B.c.digest == digest)).first():
                return
            from labtrack.store.sql.run_data import _insert

            conn.execute(
                _insert(conn, B).on_conflict_do_nothing(index_elements=["digest"]),
                {
                    "digest": digest,
                    "kind": kind,
                    "size": len(data),
                    "data": zlib.compress(data, 1),
                    "created_time": int(time.time() * 1000),
                },
            )

        self._write(txn)
        return digest

    def get_blob(self, digest: str) -> tuple[str, bytes]:
        """(kind, data) of a stored blob."""

        def txn(conn: Connection) -> tuple[str, bytes]:
            row = conn.execute(select(B.c.kind, B.c.data).where(B.c.digest == digest)).first()
            if row is None:
                raise ResourceNotFoundError(f"No stored version with digest {digest!r}.")
            return row.kind, zlib.decompress(row.data)

        return self._read(txn)  # type: ignore[no-any-return]

    def has_blob(self, digest: str) -> bool:
        return bool(
            self._read(
                lambda conn: conn.execute(select(B.c.digest).where(B.c.digest == digest)).first()
            )
        )

    def set_notebook_session(
        self, kernel_id: str, notebook_path: str, notebook_id: str | None, root_dir: str | None
    ) -> None:
        from labtrack.store.sql.run_data import _insert

        values = {
            "kernel_id": kernel_id,
            "notebook_path": notebook_path,
            "notebook_id": notebook_id,
            "root_dir": root_dir,
            "updated_time": int(time.time() * 1000),
        }

        def txn(conn: Connection) -> None:
            stmt = _insert(conn, S)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["kernel_id"],
                    set_={k: stmt.excluded[k] for k in values if k != "kernel_id"},
                ),
                values,
            )

        self._write(txn)

    def get_notebook_session(self, kernel_id: str) -> NotebookSession | None:
        def txn(conn: Connection) -> NotebookSession | None:
            row = conn.execute(select(S).where(S.c.kernel_id == kernel_id)).first()
            return NotebookSession(**row._mapping) if row is not None else None

        return self._read(txn)  # type: ignore[no-any-return]

    def delete_notebook_session(self, kernel_id: str) -> None:
        self._write(lambda conn: conn.execute(delete(S).where(S.c.kernel_id == kernel_id)))

    def list_notebook_sessions(self) -> list[NotebookSession]:
        def txn(conn: Connection) -> list[NotebookSession]:
            return [NotebookSession(**row._mapping) for row in conn.execute(select(S))]

        return self._read(txn)  # type: ignore[no-any-return]
