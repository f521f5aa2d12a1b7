"""The database schema (SQLAlchemy Core tables). Rows never leave the store.

Changes to this file need an alembic migration under ``migrations/versions`` and a new
``SCHEMA_VERSION``; ``tests/store/test_migrations.py`` checks the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

# The alembic revision the tables below correspond to.
SCHEMA_VERSION = "0002_notebooks"

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
    Index("ix_runs_experiment_start", "experiment_id", "start_time"),
    Index("ix_runs_last_update", "last_update_time"),
)

params = Table(
    "params",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("run_uuid", "key"),
    Index("ix_params_key_value", "key", "value"),
)

tags = Table(
    "tags",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Text),
    PrimaryKeyConstraint("run_uuid", "key"),
    Index("ix_tags_key", "key"),
)

# Full history. NaN is stored as value 0 with is_nan true, so every database keeps it.
metrics = Table(
    "metrics",
    metadata,
    Column("run_uuid", String(32), ForeignKey("runs.run_uuid", ondelete="CASCADE"), nullable=False),
    Column("key", String(250), nullable=False),
    Column("value", Float(precision=53), nullable=False),
    Column("is_nan", Boolean, nullable=False, default=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("step", BigInteger, nullable=False, default=0),
    Index("ix_metrics_run_key_step", "run_uuid", "key", "step"),
)

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
    Index("ix_latest_metrics_key_value", "key", "value"),
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
