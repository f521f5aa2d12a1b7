"""Multi-resolution summaries of long metric series; run heartbeats.

``metric_summaries`` holds, per run, key, level and bucket of 2**level steps, the count, step
and timestamp range and the min and max of a series' non-NaN points. Series that already have
10,000 points or more are summarized here from their history (the store writes the summaries
of newer points itself). ``runs.heartbeat_time`` is when the process logging into a running run
last said it was alive. The history index also holds the timestamp (histories are read by
step, then timestamp); the key indexes of params and latest metrics hold the run id, so
filters over many runs read them alone; the runs' index by experiment and last update serves
the sidebar's change marker.

Revision ID: 0006_metric_summaries
Revises: 0005_logged_models_datasets
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_metric_summaries"
down_revision = "0005_logged_models_datasets"
branch_labels = None
depends_on = None

# The store's constants when this revision was written (store/sql/metric_writes.py); fixed
# here so the migration keeps meaning what it meant.
SUMMARY_FROM = 10_000
LEVELS = tuple(range(6, 37, 3))
COLUMNS = (
    "run_uuid, key, level, bucket, count, min_step, max_step, min_timestamp, max_timestamp, "
    "min_value, max_value"
)


def upgrade() -> None:
    op.drop_index("ix_metrics_run_key_step", "metrics")
    op.create_index(
        "ix_metrics_run_key_step_timestamp", "metrics", ["run_uuid", "key", "step", "timestamp"]
    )
    op.drop_index("ix_params_key_value", "params")
    op.create_index("ix_params_key_value_run", "params", ["key", "value", "run_uuid"])
    op.drop_index("ix_latest_metrics_key_value", "latest_metrics")
    op.create_index(
        "ix_latest_metrics_key_nan_value_run",
        "latest_metrics",
        ["key", "is_nan", "value", "run_uuid"],
    )
    op.create_index("ix_runs_experiment_update", "runs", ["experiment_id", "last_update_time"])
    op.add_column("runs", sa.Column("heartbeat_time", sa.BigInteger))
    op.create_index("ix_runs_heartbeat_time", "runs", ["heartbeat_time"])
    op.create_table(
        "metric_summaries",
        sa.Column("run_uuid", sa.String(32), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("bucket", sa.BigInteger, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("min_step", sa.BigInteger, nullable=False),
        sa.Column("max_step", sa.BigInteger, nullable=False),
        sa.Column("min_timestamp", sa.BigInteger, nullable=False),
        sa.Column("max_timestamp", sa.BigInteger, nullable=False),
        sa.Column("min_value", sa.Float(precision=53), nullable=False),
        sa.Column("max_value", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_uuid"],
            ["runs.run_uuid"],
            name="fk_metric_summaries_run_uuid_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_uuid", "key", "level", "bucket", name="pk_metric_summaries"),
        sqlite_with_rowid=False,
    )
    finest = LEVELS[0]
    op.execute(
        f"INSERT INTO metric_summaries ({COLUMNS}) SELECT m.run_uuid, m.key, {finest}, "
        f"m.step >> {finest}, count(*), min(m.step), max(m.step), min(m.timestamp), "
        "max(m.timestamp), min(m.value), max(m.value) FROM metrics m "
        "JOIN latest_metrics l ON l.run_uuid = m.run_uuid AND l.key = m.key "
        f"WHERE l.count >= {SUMMARY_FROM} AND NOT m.is_nan "
        f"GROUP BY m.run_uuid, m.key, m.step >> {finest}"
    )
    for below, level in zip(LEVELS, LEVELS[1:], strict=False):
        op.execute(
            f"INSERT INTO metric_summaries ({COLUMNS}) SELECT run_uuid, key, {level}, "
            "bucket >> 3, sum(count), min(min_step), max(max_step), min(min_timestamp), "
            "max(max_timestamp), min(min_value), max(max_value) FROM metric_summaries "
            f"WHERE level = {below} GROUP BY run_uuid, key, bucket >> 3"
        )


def downgrade() -> None:
    op.drop_table("metric_summaries")
    op.drop_index("ix_runs_heartbeat_time", "runs")
    op.drop_column("runs", "heartbeat_time")
    op.drop_index("ix_metrics_run_key_step_timestamp", "metrics")
    op.create_index("ix_metrics_run_key_step", "metrics", ["run_uuid", "key", "step"])
    op.drop_index("ix_runs_experiment_update", "runs")
    op.drop_index("ix_latest_metrics_key_nan_value_run", "latest_metrics")
    op.create_index("ix_latest_metrics_key_value", "latest_metrics", ["key", "value"])
    op.drop_index("ix_params_key_value_run", "params")
    op.create_index("ix_params_key_value", "params", ["key", "value"])
