"""Logged models (MLflow 3) with their params, tags and metrics; datasets, run inputs and
outputs, input tags; the logged model a registered version came from.

Tables and a nullable column only: no existing row changes, and nothing here depends on the
names of system tags.

Revision ID: 0005_logged_models_datasets
Revises: 0004_mlflow_tags
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_logged_models_datasets"
down_revision = "0004_mlflow_tags"
branch_labels = None
depends_on = None


def _model_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["model_id"],
        ["logged_models.model_id"],
        name=f"fk_{table}_model_id_logged_models",
        ondelete="CASCADE",
    )


def _experiment_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["experiment_id"],
        ["experiments.experiment_id"],
        name=f"fk_{table}_experiment_id_experiments",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column("model_versions", sa.Column("model_id", sa.String(36)))
    op.create_table(
        "logged_models",
        sa.Column("model_id", sa.String(36), nullable=False),
        sa.Column("experiment_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.Text, nullable=False),
        sa.Column("creation_timestamp_ms", sa.BigInteger, nullable=False),
        sa.Column("last_updated_timestamp_ms", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("model_type", sa.String(500)),
        sa.Column("source_run_id", sa.String(32)),
        sa.Column("status_message", sa.Text),
        sa.PrimaryKeyConstraint("model_id", name="pk_logged_models"),
        _experiment_fk("logged_models"),
    )
    op.create_index(
        "ix_logged_models_experiment_creation",
        "logged_models",
        ["experiment_id", "creation_timestamp_ms"],
    )
    op.create_index("ix_logged_models_source_run_id", "logged_models", ["source_run_id"])
    for table in ("logged_model_params", "logged_model_tags"):
        op.create_table(
            table,
            sa.Column("model_id", sa.String(36), nullable=False),
            sa.Column("key", sa.String(255), nullable=False),
            sa.Column("value", sa.Text, nullable=False),
            sa.PrimaryKeyConstraint("model_id", "key", name=f"pk_{table}"),
            _model_fk(table),
        )
    op.create_table(
        "logged_model_metrics",
        sa.Column("model_id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("step", sa.BigInteger, nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("is_nan", sa.Boolean, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("dataset_name", sa.String(500)),
        sa.Column("dataset_digest", sa.String(36)),
        sa.PrimaryKeyConstraint(
            "model_id",
            "key",
            "timestamp",
            "step",
            "run_id",
            name="pk_logged_model_metrics",
        ),
        _model_fk("logged_model_metrics"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_uuid"],
            name="fk_logged_model_metrics_run_id_runs",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "datasets",
        sa.Column("dataset_uuid", sa.String(36), nullable=False),
        sa.Column("experiment_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False),
        sa.Column("dataset_source_type", sa.String(36), nullable=False),
        sa.Column("dataset_source", sa.Text, nullable=False),
        sa.Column("dataset_schema", sa.Text),
        sa.Column("dataset_profile", sa.Text),
        sa.PrimaryKeyConstraint("experiment_id", "name", "digest", name="pk_datasets"),
        sa.UniqueConstraint("dataset_uuid", name="uq_datasets_dataset_uuid"),
        _experiment_fk("datasets"),
    )
    op.create_table(
        "inputs",
        sa.Column("input_uuid", sa.String(36), nullable=False),
        sa.Column("source_type", sa.String(36), nullable=False),
        sa.Column("source_id", sa.String(36), nullable=False),
        sa.Column("destination_type", sa.String(36), nullable=False),
        sa.Column("destination_id", sa.String(36), nullable=False),
        sa.Column("step", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "source_type", "source_id", "destination_type", "destination_id", name="pk_inputs"
        ),
        sa.UniqueConstraint("input_uuid", name="uq_inputs_input_uuid"),
    )
    op.create_index(
        "ix_inputs_destination", "inputs", ["destination_type", "destination_id", "source_type"]
    )
    op.create_table(
        "input_tags",
        sa.Column("input_uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("input_uuid", "name", name="pk_input_tags"),
        sa.ForeignKeyConstraint(
            ["input_uuid"],
            ["inputs.input_uuid"],
            name="fk_input_tags_input_uuid_inputs",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("input_tags")
    op.drop_index("ix_inputs_destination", table_name="inputs")
    op.drop_table("inputs")
    op.drop_table("datasets")
    op.drop_table("logged_model_metrics")
    op.drop_table("logged_model_tags")
    op.drop_table("logged_model_params")
    op.drop_index("ix_logged_models_source_run_id", table_name="logged_models")
    op.drop_index("ix_logged_models_experiment_creation", table_name="logged_models")
    op.drop_table("logged_models")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("model_id")
