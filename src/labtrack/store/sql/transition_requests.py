"""Stage-transition requests, comments and activities of model versions in the SQL store.

Every write holds the registered model's row (as the other registry writes do), so an approval
and a cancellation of the same request cannot both succeed: whichever comes second finds the
request no longer pending. An approval moves the version with the same code as a direct
transition (:func:`~.model_versions.apply_transition`), so both record the move in
``model_version_transitions``; the activity list shows that move once, as the approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, select, update

from labtrack.entities.model_registry import ModelVersionStages
from labtrack.entities.transition_requests import (
    Activity,
    ActivityType,
    Comment,
    RequestState,
    TransitionRequest,
)
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    PermissionDeniedError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from labtrack.store.contract_transition_requests import COMMENT_MAX_LENGTH
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, now_ms
from labtrack.store.sql.model_versions import apply_transition, transition_target
from labtrack.store.sql.registry_rows import (
    LIVE_VERSIONS,
    lock_model,
    model_exists,
    model_missing,
    touch,
    version_row,
)
from labtrack.utils import registry_validation as check

__all__ = ["TransitionRequestRepository", "comment_text"]

ACTIVITIES = tables.model_version_activities


def comment_text(text: Any, required: bool = False) -> str | None:
    """A comment as stored: None (if not required) or a string of at most 5,000 characters."""
    if text is None or (isinstance(text, str) and not text.strip() and not required):
        if required:
            raise InvalidParameterError("A comment needs some text; it cannot be empty.")
        return None
    if not isinstance(text, str):
        raise InvalidParameterError(f"A comment must be a string; got {type(text).__name__}.")
    if required and not text.strip():
        raise InvalidParameterError("A comment needs some text; it cannot be empty.")
    if "\x00" in text:
        raise InvalidParameterError("A comment cannot contain NUL characters.")
    if len(text) > COMMENT_MAX_LENGTH:
        raise InvalidParameterError(
            f"The comment is {len(text)} characters long; the limit is {COMMENT_MAX_LENGTH} "
            "(put longer notes in the version's description or an artifact)."
        )
    return text


def _comment_id(comment_id: Any) -> int:
    text = str(comment_id).strip() if isinstance(comment_id, (str, int)) else ""
    if not text.isdigit() or isinstance(comment_id, bool):
        raise InvalidParameterError(
            f"Invalid comment id {comment_id!r}: use the id a comment was created with "
            "(get_model_version_activities lists them)."
        )
    return int(text)


def _of_version(name: str, number: int) -> Any:
    return and_(ACTIVITIES.c.name == name, ACTIVITIES.c.version == number)


def _request(row: Row[Any]) -> TransitionRequest:
    return TransitionRequest(
        id=str(row.id),
        name=row.name,
        version=row.version,
        to_stage=row.to_stage,
        user_id=row.user_id,
        creation_timestamp=row.creation_time,
        comment=row.comment,
        state=row.request_state,
        archive_existing_versions=bool(row.archive_existing_versions),
    )


def _activity(row: Row[Any]) -> Activity:
    return Activity(
        id=str(row.id),
        name=row.name,
        version=row.version,
        activity_type=row.activity_type,
        user_id=row.user_id,
        creation_timestamp=row.creation_time,
        last_updated_timestamp=row.last_updated_time,
        from_stage=row.from_stage,
        to_stage=row.to_stage,
        comment=row.comment,
        system_comment=row.system_comment,
    )


def _comment(row: Row[Any]) -> Comment:
    return Comment(
        id=str(row.id),
        name=row.name,
        version=row.version,
        user_id=row.user_id,
        comment=row.comment or "",
        creation_timestamp=row.creation_time,
        last_updated_timestamp=row.last_updated_time,
    )


def _pending(
    connection: Connection, name: str, number: int, stage: str, creator: str | None = None
) -> Sequence[Row[Any]]:
    query = select(ACTIVITIES).where(
        _of_version(name, number),
        ACTIVITIES.c.activity_type == ActivityType.REQUESTED_TRANSITION,
        ACTIVITIES.c.request_state == RequestState.PENDING,
        ACTIVITIES.c.to_stage == stage,
    )
    if creator is not None:
        query = query.where(ACTIVITIES.c.user_id == creator)
    return connection.execute(query.order_by(ACTIVITIES.c.id)).all()


def _nothing_pending(
    connection: Connection, name: str, number: int, stage: str, creator: str | None = None
) -> Exception:
    """The error for acting on a request that is not pending: settled (400) or never made
    (404)."""
    query = select(ACTIVITIES.c.request_state).where(
        _of_version(name, number),
        ACTIVITIES.c.activity_type == ActivityType.REQUESTED_TRANSITION,
        ACTIVITIES.c.to_stage == stage,
    )
    if creator is not None:
        query = query.where(ACTIVITIES.c.user_id == creator)
    last = connection.execute(query.order_by(ACTIVITIES.c.id.desc()).limit(1)).scalar()
    by = f" by {creator!r}" if creator is not None else ""
    if last is not None:
        return InvalidStateError(
            f"The request{by} to move version {number} of {name!r} to {stage} was already "
            f"{last.lower()}; only a pending request can be approved, rejected or cancelled. "
            "Request the transition again if it is still wanted."
        )
    return ResourceNotFoundError(
        f"No pending request{by} to move version {number} of {name!r} to {stage}. List the "
        f"pending ones with get_transition_requests({name!r}, {number})."
    )


class TransitionRequestRepository:
    """Requests (create, list, approve, reject, cancel), comments and the activity list."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _insert(self, connection: Connection, **values: Any) -> Row[Any]:
        now = values.pop("now")
        new_id = connection.execute(
            ACTIVITIES.insert().values(creation_time=now, last_updated_time=now, **values)
        ).inserted_primary_key
        assert new_id is not None
        row = connection.execute(select(ACTIVITIES).where(ACTIVITIES.c.id == new_id[0])).one()
        touch(connection, values["name"])
        return row

    def create_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None,
        user_id: str | None,
        archive_existing_versions: bool = False,
    ) -> TransitionRequest:
        name, number = check.model_name(name), check.version_number(version)
        if not isinstance(archive_existing_versions, bool):
            raise InvalidParameterError("archive_existing_versions must be true or false.")
        target = transition_target(stage, archive_existing_versions)
        text = comment_text(comment)

        def work(connection: Connection) -> TransitionRequest:
            lock_model(connection, name)
            row = version_row(connection, name, number)
            if row.current_stage == target:
                raise InvalidParameterError(
                    f"Version {number} of {name!r} is already in {target}; request another "
                    f"stage ({', '.join(s for s in ModelVersionStages.ALL if s != target)})."
                )
            if user_id is not None and _pending(connection, name, number, target, user_id):
                raise ResourceAlreadyExistsError(
                    f"{user_id!r} already has a pending request to move version {number} of "
                    f"{name!r} to {target}; cancel it first to ask again with a new comment."
                )
            created = self._insert(
                connection,
                now=now_ms(),
                name=name,
                version=number,
                activity_type=ActivityType.REQUESTED_TRANSITION,
                request_state=RequestState.PENDING,
                from_stage=row.current_stage,
                to_stage=target,
                user_id=user_id,
                comment=text,
                archive_existing_versions=archive_existing_versions,
            )
            return _request(created)

        return self.database.write(work)

    def get_transition_requests(self, name: str, version: int | str) -> list[TransitionRequest]:
        name, number = check.model_name(name), check.version_number(version)

        def work(connection: Connection) -> list[TransitionRequest]:
            version_row(connection, name, number)
            rows = connection.execute(
                select(ACTIVITIES)
                .where(
                    _of_version(name, number),
                    ACTIVITIES.c.activity_type == ActivityType.REQUESTED_TRANSITION,
                    ACTIVITIES.c.request_state == RequestState.PENDING,
                )
                .order_by(ACTIVITIES.c.id)
            )
            return [_request(row) for row in rows]

        return self.database.read(work)

    def get_pending_transition_requests(self, name: str) -> list[TransitionRequest]:
        """Every pending request of the model's versions (what the versions table marks)."""
        name = check.model_name(name)
        versions = tables.model_versions

        def work(connection: Connection) -> list[TransitionRequest]:
            live = select(versions.c.version).where(versions.c.name == name, LIVE_VERSIONS)
            rows = connection.execute(
                select(ACTIVITIES)
                .where(
                    ACTIVITIES.c.name == name,
                    ACTIVITIES.c.version.in_(live),
                    ACTIVITIES.c.activity_type == ActivityType.REQUESTED_TRANSITION,
                    ACTIVITIES.c.request_state == RequestState.PENDING,
                )
                .order_by(ACTIVITIES.c.version, ACTIVITIES.c.id)
            )
            found = [_request(row) for row in rows]
            if not found and not model_exists(connection, name):
                raise model_missing(name)
            return found

        return self.database.read(work)

    def _settle(
        self,
        name: str,
        version: int | str,
        stage: str,
        outcome: str,
        comment: str | None,
        user_id: str | None,
        creator: str | None = None,
        archive_existing_versions: bool = False,
    ) -> Activity:
        """Approve, reject or cancel: mark the pending request(s) and add the outcome's row."""
        name, number = check.model_name(name), check.version_number(version)
        text = comment_text(comment)
        if outcome == RequestState.APPROVED:
            target = transition_target(stage, archive_existing_versions)
        else:
            target = ModelVersionStages.canonical(stage)
        kind = {
            RequestState.APPROVED: ActivityType.APPROVED_REQUEST,
            RequestState.REJECTED: ActivityType.REJECTED_REQUEST,
            RequestState.CANCELLED: ActivityType.CANCELLED_REQUEST,
        }[outcome]

        def work(connection: Connection) -> Activity:
            lock_model(connection, name)
            row = version_row(connection, name, number)
            pending = _pending(connection, name, number, target, creator)
            if not pending:
                raise _nothing_pending(connection, name, number, target, creator)
            now = now_ms()
            system_comment = None
            if outcome == RequestState.APPROVED:
                archived = apply_transition(
                    connection, row, target, archive_existing_versions, user_id, now
                )
                if archived:
                    listed = ", ".join(str(v) for v in archived)
                    system_comment = f"Archived what was in {target} before: version(s) {listed}."
            connection.execute(
                update(ACTIVITIES)
                .where(ACTIVITIES.c.id.in_([p.id for p in pending]))
                .values(request_state=outcome, last_updated_time=now)
            )
            settled = self._insert(
                connection,
                now=now,
                name=name,
                version=number,
                activity_type=kind,
                from_stage=row.current_stage,
                to_stage=target,
                user_id=user_id,
                comment=text,
                system_comment=system_comment,
            )
            return _activity(settled)

        return self.database.write(work)

    def approve_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool,
        comment: str | None,
        user_id: str | None,
    ) -> Activity:
        if not isinstance(archive_existing_versions, bool):
            raise InvalidParameterError("archive_existing_versions must be true or false.")
        return self._settle(
            name,
            version,
            stage,
            RequestState.APPROVED,
            comment,
            user_id,
            archive_existing_versions=archive_existing_versions,
        )

    def reject_transition_request(
        self, name: str, version: int | str, stage: str, comment: str | None, user_id: str | None
    ) -> Activity:
        return self._settle(name, version, stage, RequestState.REJECTED, comment, user_id)

    def delete_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        creator: str,
        comment: str | None,
        user_id: str | None,
    ) -> Activity:
        if not isinstance(creator, str) or not creator:
            raise InvalidParameterError(
                "creator is required: the user whose request is cancelled (its user_id)."
            )
        return self._settle(
            name, version, stage, RequestState.CANCELLED, comment, user_id, creator=creator
        )

    # -- comments ------------------------------------------------------------------------------
    def create_comment(
        self, name: str, version: int | str, comment: str, user_id: str | None
    ) -> Comment:
        name, number = check.model_name(name), check.version_number(version)
        text = comment_text(comment, required=True)

        def work(connection: Connection) -> Comment:
            lock_model(connection, name)
            version_row(connection, name, number)
            created = self._insert(
                connection,
                now=now_ms(),
                name=name,
                version=number,
                activity_type=ActivityType.NEW_COMMENT,
                user_id=user_id,
                comment=text,
            )
            return _comment(created)

        return self.database.write(work)

    def _comment_row(self, connection: Connection, number: int) -> Row[Any]:
        versions = tables.model_versions
        row = connection.execute(
            select(ACTIVITIES)
            .join(
                versions,
                and_(
                    versions.c.name == ACTIVITIES.c.name,
                    versions.c.version == ACTIVITIES.c.version,
                ),
            )
            .where(
                ACTIVITIES.c.id == number,
                ACTIVITIES.c.activity_type == ActivityType.NEW_COMMENT,
                LIVE_VERSIONS,
            )
        ).first()
        if row is None:
            raise ResourceNotFoundError(
                f"No comment with id {number}; a version's comments are in "
                "get_model_version_activities(name, version)."
            )
        return row

    def get_comment(self, comment_id: str) -> Comment:
        number = _comment_id(comment_id)
        return self.database.read(
            lambda connection: _comment(self._comment_row(connection, number))
        )

    def _author_only(self, row: Row[Any], user_id: str | None, what: str) -> None:
        if user_id is not None and row.user_id != user_id:
            raise PermissionDeniedError(
                f"Only the author ({row.user_id!r}) may {what} comment {row.id}; add a comment "
                "of your own instead."
            )

    def update_comment(self, comment_id: str, comment: str, user_id: str | None) -> Comment:
        number = _comment_id(comment_id)
        text = comment_text(comment, required=True)

        def work(connection: Connection) -> Comment:
            row = self._comment_row(connection, number)
            lock_model(connection, row.name)
            self._author_only(row, user_id, "edit")
            connection.execute(
                update(ACTIVITIES)
                .where(ACTIVITIES.c.id == number)
                .values(comment=text, last_updated_time=now_ms())
            )
            touch(connection, row.name)
            return _comment(self._comment_row(connection, number))

        return self.database.write(work)

    def delete_comment(self, comment_id: str, user_id: str | None) -> None:
        number = _comment_id(comment_id)

        def work(connection: Connection) -> None:
            row = self._comment_row(connection, number)
            lock_model(connection, row.name)
            self._author_only(row, user_id, "delete")
            connection.execute(delete(ACTIVITIES).where(ACTIVITIES.c.id == number))
            touch(connection, row.name)

        self.database.write(work)

    # -- the activity list ---------------------------------------------------------------------
    def get_model_version_activities(self, name: str, version: int | str) -> list[Activity]:
        name, number = check.model_name(name), check.version_number(version)
        moves = tables.model_version_transitions

        def work(connection: Connection) -> list[Activity]:
            version_row(connection, name, number)
            found = [
                _activity(row)
                for row in connection.execute(
                    select(ACTIVITIES).where(_of_version(name, number)).order_by(ACTIVITIES.c.id)
                )
            ]
            approved = {
                (a.creation_timestamp, a.to_stage)
                for a in found
                if a.activity_type == ActivityType.APPROVED_REQUEST
            }
            rows = connection.execute(
                select(moves)
                .where(moves.c.name == name, moves.c.version == number)
                .order_by(moves.c.timestamp, moves.c.id)
            ).all()
            # A move to Archived made together with another version's move (same model, same
            # instant) is the archiving of "archive existing versions": the system's doing.
            times = {row.timestamp for row in rows if row.to_stage == ModelVersionStages.ARCHIVED}
            causes: dict[int, tuple[int, str]] = {}
            if times:
                for other in connection.execute(
                    select(moves.c.timestamp, moves.c.version, moves.c.to_stage).where(
                        moves.c.name == name,
                        moves.c.version != number,
                        moves.c.timestamp.in_(times),
                        moves.c.to_stage != ModelVersionStages.ARCHIVED,
                    )
                ):
                    causes[other.timestamp] = (other.version, other.to_stage)
            for row in rows:
                if (row.timestamp, row.to_stage) in approved:
                    continue  # shown as the approval that made it
                cause = causes.get(row.timestamp) if row.to_stage == "Archived" else None
                found.append(
                    Activity(
                        id=f"transition-{row.id}",
                        name=name,
                        version=number,
                        activity_type=(
                            ActivityType.SYSTEM_TRANSITION
                            if cause
                            else ActivityType.APPLIED_TRANSITION
                        ),
                        user_id=row.user_id,
                        creation_timestamp=row.timestamp,
                        last_updated_timestamp=row.timestamp,
                        from_stage=row.from_stage,
                        to_stage=row.to_stage,
                        system_comment=(
                            f"Archived when version {cause[0]} moved to {cause[1]}."
                            if cause
                            else None
                        ),
                    )
                )
            found.sort(key=lambda a: a.creation_timestamp)  # stable: ties keep their order
            return found

        return self.database.read(work)
