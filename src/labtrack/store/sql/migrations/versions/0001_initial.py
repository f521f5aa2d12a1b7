"""The first schema: experiments, runs, params, tags, metrics with history.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.Text, nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("creation_time", sa.BigInteger),
        sa.Column("last_update_time", sa.BigInteger),
        sa.PrimaryKeyConstraint("experiment_id", name="pk_experiments"),
        sa.UniqueConstraint("name", name="uq_experiments_name"),
    )
    op.create_table(
        "experiment_tags",
        sa.Column("experiment_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name="fk_experiment_tags_experiment_id_experiments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("experiment_id", "key", name="pk_experiment_tags"),
    )
    op.create_table(
        "runs",
        sa.Column("run_uuid", sa.String(32), nullable=False),
        sa.Column("name", sa.String(250)),
        sa.Column("experiment_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.String(256)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("start_time", sa.BigInteger, nullable=False),
        sa.Column("end_time", sa.BigInteger),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("artifact_uri", sa.Text, nullable=False),
        sa.Column("deleted_time", sa.BigInteger),
        sa.Column("last_update_time", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name="fk_runs_experiment_id_experiments",
        ),
        sa.PrimaryKeyConstraint("run_uuid", name="pk_runs"),
    )
    op.create_index("ix_runs_experiment_start", "runs", ["experiment_id", "start_time"])
    op.create_index("ix_runs_last_update", "runs", ["last_update_time"])
    for table, value_type in (("params", sa.Text), ("tags", sa.Text)):
        op.create_table(
            table,
            sa.Column("run_uuid", sa.String(32), nullable=False),
            sa.Column("key", sa.String(250), nullable=False),
            sa.Column("value", value_type, nullable=table == "tags"),
            sa.ForeignKeyConstraint(
                ["run_uuid"],
                ["runs.run_uuid"],
                name=f"fk_{table}_run_uuid_runs",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("run_uuid", "key", name=f"pk_{table}"),
        )
    op.create_index("ix_params_key_value", "params", ["key", "value"])
    op.create_index("ix_tags_key", "tags", ["key"])
    op.create_table(
        "metrics",
        sa.Column("run_uuid", sa.String(32), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("is_nan", sa.Boolean, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("step", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_uuid"], ["runs.run_uuid"], name="fk_metrics_run_uuid_runs", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_metrics_run_key_step", "metrics", ["run_uuid", "key", "step"])
    op.create_table(
        "latest_metrics",
        sa.Column("run_uuid", sa.String(32), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("is_nan", sa.Boolean, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("step", sa.BigInteger, nullable=False),
        sa.Column("min_value", sa.Float(precision=53)),
        sa.Column("max_value", sa.Float(precision=53)),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_uuid"],
            ["runs.run_uuid"],
            name="fk_latest_metrics_run_uuid_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_uuid", "key", name="pk_latest_metrics"),
    )
    op.create_index("ix_latest_metrics_key_value", "latest_metrics", ["key", "value"])


def downgrade() -> None:
    for table in ("latest_metrics", "metrics", "tags", "params", "runs", "experiment_tags"):
        op.drop_table(table)
    op.drop_table("experiments")
