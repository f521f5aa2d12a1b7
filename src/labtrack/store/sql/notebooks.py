"""Blobs (content-addressed payloads) and kernel -> notebook sessions, for the SQL store."""

from __future__ import annotations

import hashlib
import zlib

from sqlalchemy import Connection, delete, select

from labtrack.errors import ResourceNotFoundError
from labtrack.store.contract import NotebookSession
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, now_ms, upsert_into


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class NotebookRepository:
    """Notebook versions and environments (stored once by digest), and kernel sessions."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def put_blob(self, kind: str, data: bytes) -> str:
        blobs = tables.blobs
        digest = digest_of(data)

        def work(connection: Connection) -> None:
            if connection.execute(select(blobs.c.digest).where(blobs.c.digest == digest)).first():
                return
            connection.execute(
                upsert_into(connection, blobs).on_conflict_do_nothing(index_elements=["digest"]),
                {
                    "digest": digest,
                    "kind": kind,
                    "size": len(data),
                    "data": zlib.compress(data, 1),
                    "created_time": now_ms(),
                },
            )

        self.database.write(work)
        return digest

    def get_blob(self, digest: str) -> tuple[str, bytes]:
        blobs = tables.blobs

        def work(connection: Connection) -> tuple[str, bytes]:
            row = connection.execute(
                select(blobs.c.kind, blobs.c.data).where(blobs.c.digest == digest)
            ).first()
            if row is None:
                raise ResourceNotFoundError(f"No stored version with digest {digest!r}.")
            return row.kind, zlib.decompress(row.data)

        return self.database.read(work)

    def set_notebook_session(
        self, kernel_id: str, notebook_path: str, notebook_id: str | None, root_dir: str | None
    ) -> None:
        values = {
            "kernel_id": kernel_id,
            "notebook_path": notebook_path,
            "notebook_id": notebook_id,
            "root_dir": root_dir,
            "updated_time": now_ms(),
        }

        def work(connection: Connection) -> None:
            insert = upsert_into(connection, tables.notebook_sessions)
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["kernel_id"],
                    set_={
                        column: insert.excluded[column]
                        for column in values
                        if column != "kernel_id"
                    },
                ),
                values,
            )

        self.database.write(work)

    def get_notebook_session(self, kernel_id: str) -> NotebookSession | None:
        sessions = tables.notebook_sessions

        def work(connection: Connection) -> NotebookSession | None:
            row = connection.execute(
                select(sessions).where(sessions.c.kernel_id == kernel_id)
            ).first()
            return NotebookSession(**row._mapping) if row is not None else None

        return self.database.read(work)

    def delete_notebook_session(self, kernel_id: str) -> None:
        sessions = tables.notebook_sessions
        self.database.write(
            lambda connection: connection.execute(
                delete(sessions).where(sessions.c.kernel_id == kernel_id)
            )
        )
