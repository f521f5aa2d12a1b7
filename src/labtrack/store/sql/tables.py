"""The database schema (SQLAlchemy Core tables). Rows never leave the store.

Changes to this file need an alembic migration under ``migrations/versions`` and a new
``SCHEMA_VERSION``; ``tests/store/test_migrations.py`` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
    text,
)

from labtrack.store.sql import pg_metric_runs

# The alembic revision the tables below correspond to.
SCHEMA_VERSION = "0011_run_create"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("artifact_location", Text, nullable=False),
    Column("lifecycle_stage", String(32), nullable=False, default="active"),
    Column("creation_time", BigInteger),
    Column("last_update_time", BigInteger),
    # Team mode: the user who created it (NULL: nobody, so only admins manage it).
    Column("owner", String(256)),
)

experiment_tags = Table(
    "experiment_tags",
    metadata,
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(250), nullable=False),
    Column("value", Text),
    PrimaryKeyConstraint("experiment_id", "key"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_uuid", String(32), primary_key=True),
    Column("name", String(250)),
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id"),
        nullable=False,
    ),
    Column("user_id", String(256)),
    Column("status", String(20), nullable=False),
    Column("start_time", BigInteger, nullable=False),
    Column("end_time", BigInteger),
    Column("lifecycle_stage", String(32), nullable=False, default="active"),
    Column("artifact_uri", Text, nullable=False),
    Column("deleted_time", BigInteger),
    # Bumped on every write to the run or its data: what the sidebar polls.
    Column("last_update_time", BigInteger, nullable=False),
    # When the process logging into a RUNNING run last said it was alive (its metric writer
    # beats); NULL once the run ends, or for runs no labtrack process owns. The server ends
    # runs whose heartbeat is older than ``c.Labtrack.stale_run_timeout`` as KILLED.
    Column("heartbeat_time", BigInteger),
    Index("ix_runs_experiment_start", "experiment_id", "start_time"),
    # The sidebar's change marker (latest update and count of an experiment's runs) from the
    # index alone. (An index on last_update_time alone, read by no query, went in 0011.)
    Index("ix_runs_experiment_update", "experiment_id", "last_update_time"),
    # Only runs a process beats for (the stale-run check reads ``heartbeat_time < ?``): a run
    # created or ended without a beat writes no page of this index (0011).
    Index(
        "ix_runs_heartbeat_time",
        "heartbeat_time",
        sqlite_where=text("heartbeat_time IS NOT NULL"),
        postgresql_where=text("heartbeat_time IS NOT NULL"),
    ),
)

params = Table(
    "params",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("run_uuid", "key"),
    # Covers "params.k = 'v'" filters over many runs: the runs come from the index alone.
    Index("ix_params_key_value_run", "key", "value", "run_uuid"),
    # A run's params are read as one range of the primary key, values in place (0009).
    sqlite_with_rowid=False,
)

tags = Table(
    "tags",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Text),
    PrimaryKeyConstraint("run_uuid", "key"),
    Index("ix_tags_key", "key"),
    sqlite_with_rowid=False,
)

# Full history. NaN is stored as value 0 with is_nan true, so every database keeps it.
metrics = Table(
    "metrics",
    metadata,
    Column("run_uuid", String(32), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False, default=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("step", BigInteger, nullable=False, default=0),
    # A history is read in (step, timestamp) order: with the timestamp in the index too, SQLite
    # reads it in order instead of sorting each step's points (-25% for a long history).
    Index("ix_metrics_run_key_step_timestamp", "run_uuid", "key", "step", "timestamp"),
    # On SQLite a foreign key. PostgreSQL checks a key row by row (half of its work on an
    # ingest batch), so there statement-level triggers keep the same guarantee instead
    # (pg_metric_runs.py, migration 0010_pg_ingest).
    ForeignKeyConstraint(["run_uuid"], ["runs.run_uuid"], ondelete="CASCADE").ddl_if(
        dialect="sqlite"
    ),
)


@event.listens_for(metadata, "after_create")
def _metric_run_triggers(target: MetaData, connection: Connection, **kw: Any) -> None:
    """A fresh PostgreSQL store's stand-in for the history's foreign key (once: create_all
    runs this hook again on a database that has the tables)."""
    if connection.dialect.name == "postgresql" and not pg_metric_runs.present(connection):
        for statement in pg_metric_runs.CREATE:
            connection.exec_driver_sql(statement)


# The value with the largest (step, timestamp) per run and key: what search and tables read.
latest_metrics = Table(
    "latest_metrics",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False, default=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("min_value", Float(precision=53)),
    Column("max_value", Float(precision=53)),
    Column("count", BigInteger, nullable=False, default=1),
    PrimaryKeyConstraint("run_uuid", "key"),
    # Covers "metrics.k > x" filters over many runs (NaN is value 0 with is_nan, hence is_nan
    # before value): the matching runs are one range of the index.
    Index("ix_latest_metrics_key_nan_value_run", "key", "is_nan", "value", "run_uuid"),
    sqlite_with_rowid=False,
)

# Min/max summaries of long metric series at several resolutions, so a chart over millions of
# points reads a few thousand rows. Level ``L`` cuts the steps into buckets of 2**L steps
# (``bucket = step >> L``); each row holds its bucket's non-NaN points: how many, their step and
# timestamp range, their smallest and largest value. Written with the points, once a series
# passes ``metrics.SUMMARY_FROM`` points (shorter ones are read whole).
metric_summaries = Table(
    "metric_summaries",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("level", Integer, nullable=False),
    Column("bucket", BigInteger, nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("min_step", BigInteger, nullable=False),
    Column("max_step", BigInteger, nullable=False),
    Column("min_timestamp", BigInteger, nullable=False),
    Column("max_timestamp", BigInteger, nullable=False),
    Column("min_value", Float(precision=53), nullable=False),
    Column("max_value", Float(precision=53), nullable=False),
    PrimaryKeyConstraint("run_uuid", "key", "level", "bucket"),
    sqlite_with_rowid=False,
)

# Content-addressed payloads (notebook versions, environments): stored once however many runs
# point at them. ``data`` is zlib-compressed; ``digest`` is the SHA-256 of the uncompressed bytes.
blobs = Table(
    "blobs",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_time", BigInteger, nullable=False),
)

# What the Jupyter server knows about each kernel: the notebook it serves now (after renames).
# Kernels read it to learn their notebook without tokens.
notebook_sessions = Table(
    "notebook_sessions",
    metadata,
    Column("kernel_id", String(64), primary_key=True),
    Column("notebook_path", Text, nullable=False),
    Column("notebook_id", String(64)),
    Column("root_dir", Text),
    Column("updated_time", BigInteger, nullable=False),
)

# -- model registry --------------------------------------------------------------------------
# A registered model and everything under it. Children point at (name, version) with ON UPDATE
# CASCADE, so a rename is one UPDATE of ``registered_models.name``, and ON DELETE CASCADE, so
# deleting a model or a version takes its tags, aliases and transitions with it.
# ``last_updated_time`` is bumped (strictly increasing) by every change to the model or any of
# its versions, aliases and tags: serving processes poll it to learn when to re-resolve.
registered_models = Table(
    "registered_models",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_updated_time", BigInteger, nullable=False),
    Column("description", Text),
    Column("owner", String(256)),
)

# Version numbers are 1, 2, ... per model: the primary key makes a duplicate impossible, and the
# writer holds the model row (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) while it
# picks the next number.
model_versions = Table(
    "model_versions",
    metadata,
    Column(
        "name",
        String(256),
        ForeignKey("registered_models.name", onupdate="CASCADE", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_updated_time", BigInteger, nullable=False),
    Column("user_id", String(256)),
    Column("current_stage", String(20), nullable=False),
    Column("description", Text),
    # Always a location inside the store (a run's artifact folder or <root>/models/...).
    Column("source", Text, nullable=False),
    Column("run_id", String(32)),
    Column("status", String(20), nullable=False),
    Column("status_message", Text),
    # The logged model (MLflow 3) the version was registered from, if any.
    Column("model_id", String(36)),
    PrimaryKeyConstraint("name", "version"),
    Index("ix_model_versions_run_id", "run_id"),
)

registered_model_tags = Table(
    "registered_model_tags",
    metadata,
    Column(
        "name",
        String(256),
        ForeignKey("registered_models.name", onupdate="CASCADE", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(250), nullable=False),
    Column("value", Text),
    PrimaryKeyConstraint("name", "key"),
)


def _version_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["name", "version"],
        ["model_versions.name", "model_versions.version"],
        onupdate="CASCADE",
        ondelete="CASCADE",
    )


model_version_tags = Table(
    "model_version_tags",
    metadata,
    Column("name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Text),
    PrimaryKeyConstraint("name", "version", "key"),
    _version_fk(),
)

# An alias names one version; deleting the version deletes its aliases (as in MLflow).
registered_model_aliases = Table(
    "registered_model_aliases",
    metadata,
    Column("name", String(256), nullable=False),
    Column("alias", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    PrimaryKeyConstraint("name", "alias"),
    _version_fk(),
)

# Who moved which version from which stage to which, and when.
model_version_transitions = Table(
    "model_version_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("from_stage", String(20), nullable=False),
    Column("to_stage", String(20), nullable=False),
    Column("user_id", String(256)),
    Column("timestamp", BigInteger, nullable=False),
    Index("ix_model_version_transitions_name_version", "name", "version"),
    _version_fk(),
)


# Requests to move a version to a stage, what became of them, and comments (Databricks'
# activities). A request is the row of its REQUESTED_TRANSITION, ``request_state`` PENDING until
# it is approved, rejected or cancelled (each of which adds a row of its own); a comment is a
# NEW_COMMENT row whose ``comment`` may be edited. Direct moves are in model_version_transitions.
model_version_activities = Table(
    "model_version_activities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("activity_type", String(32), nullable=False),
    Column("request_state", String(16)),
    Column("from_stage", String(20)),
    Column("to_stage", String(20)),
    Column("user_id", String(256)),
    Column("comment", Text),
    Column("system_comment", Text),
    # A request's wish that approving it archive the versions in the target stage.
    Column("archive_existing_versions", Boolean),
    Column("creation_time", BigInteger, nullable=False),
    Column("last_updated_time", BigInteger, nullable=False),
    Index("ix_model_version_activities_name_version", "name", "version"),
    _version_fk(),
)

# -- logged models (MLflow 3) ------------------------------------------------------------------
# A model as an object of its own: files under <experiment>/models/<model_id>/artifacts, params,
# tags, and metric points linked to it. ``status`` is LoggedModelStatus.to_int(); the run it came
# from (``source_run_id``) may be none (create_external_model, initialize_logged_model).
logged_models = Table(
    "logged_models",
    metadata,
    Column("model_id", String(36), primary_key=True),
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(500), nullable=False),
    Column("artifact_location", Text, nullable=False),
    Column("creation_timestamp_ms", BigInteger, nullable=False),
    Column("last_updated_timestamp_ms", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("lifecycle_stage", String(32), nullable=False, default="active"),
    Column("model_type", String(500)),
    Column("source_run_id", String(32)),
    Column("status_message", Text),
    Index("ix_logged_models_experiment_creation", "experiment_id", "creation_timestamp_ms"),
    Index("ix_logged_models_source_run_id", "source_run_id"),
)


def _logged_model_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["model_id"], ["logged_models.model_id"], ondelete="CASCADE")


logged_model_params = Table(
    "logged_model_params",
    metadata,
    Column("model_id", String(36), nullable=False),
    Column("key", String(255), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
    _logged_model_fk(),
)

logged_model_tags = Table(
    "logged_model_tags",
    metadata,
    Column("model_id", String(36), nullable=False),
    Column("key", String(255), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("model_id", "key"),
    _logged_model_fk(),
)

# Metric points linked to a logged model (``log_metric(..., model_id=...)``). The run's own
# history keeps the same point in ``metrics``: this table only says which model (and which
# dataset) it measured, so the run's metric write path is not touched. NaN as in ``metrics``.
logged_model_metrics = Table(
    "logged_model_metrics",
    metadata,
    Column("model_id", String(36), nullable=False),
    Column("key", String(250), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False, default=False),
    Column("run_id", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("dataset_name", String(500)),
    Column("dataset_digest", String(36)),
    PrimaryKeyConstraint("model_id", "key", "timestamp", "step", "run_id"),
    _logged_model_fk(),
)

# -- datasets and run inputs -------------------------------------------------------------------
# A dataset is stored once per experiment, name and digest; runs point at it through ``inputs``.
# ``dataset_source``, ``dataset_schema`` and ``dataset_profile`` are JSON text.
datasets = Table(
    "datasets",
    metadata,
    Column("dataset_uuid", String(36), nullable=False, unique=True),
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(500), nullable=False),
    Column("digest", String(36), nullable=False),
    Column("dataset_source_type", String(36), nullable=False),
    Column("dataset_source", Text, nullable=False),
    Column("dataset_schema", Text),
    Column("dataset_profile", Text),
    PrimaryKeyConstraint("experiment_id", "name", "digest"),
)

# Edges between a source and a destination, as MLflow stores them: a dataset used by a run
# (DATASET -> RUN), a logged model used by a run (RUN_INPUT -> MODEL_INPUT) and a logged model a
# run produced (RUN_OUTPUT -> MODEL_OUTPUT, at ``step``).
inputs = Table(
    "inputs",
    metadata,
    Column("input_uuid", String(36), nullable=False, unique=True),
    Column("source_type", String(36), nullable=False),
    Column("source_id", String(36), nullable=False),
    Column("destination_type", String(36), nullable=False),
    Column("destination_id", String(36), nullable=False),
    Column("step", BigInteger, nullable=False, default=0),
    PrimaryKeyConstraint("source_type", "source_id", "destination_type", "destination_id"),
    Index("ix_inputs_destination", "destination_type", "destination_id", "source_type"),
)

# How a run used a dataset: ``mlflow.data.context`` (training, evaluation ...) and user tags.
input_tags = Table(
    "input_tags",
    metadata,
    Column(
        "input_uuid",
        String(36),
        ForeignKey("inputs.input_uuid", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(255), nullable=False),
    Column("value", String(500), nullable=False),
    PrimaryKeyConstraint("input_uuid", "name"),
)


# -- team mode: grants on experiments and registered models -----------------------------------
# One row per (resource, principal). ``resource_id`` is an experiment id (as text) or a model
# name; no foreign key, since it points into two tables (a model's rename and deletion carry
# its rows along in the registry repository). The principal index serves "what may this user
# read", the question every search asks.
permission_grants = Table(
    "permission_grants",
    metadata,
    Column("resource_kind", String(32), nullable=False),
    Column("resource_id", String(256), nullable=False),
    Column("principal_kind", String(16), nullable=False),
    Column("principal", String(256), nullable=False),
    Column("permission", String(16), nullable=False),
    PrimaryKeyConstraint("resource_kind", "resource_id", "principal_kind", "principal"),
    Index(
        "ix_permission_grants_principal",
        "principal_kind",
        "principal",
        "resource_kind",
        "resource_id",
    ),
)


def on_dialect(dialect: str) -> Callable[..., bool]:
    """An alembic ``include_object`` filter: the objects of these tables that exist on
    ``dialect`` (a constraint made with ``ddl_if`` for another dialect does not), so a
    comparison with a database of that dialect does not report them missing."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        wanted = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        if wanted is None:
            return True
        return dialect == wanted if isinstance(wanted, str) else dialect in wanted

    return include
