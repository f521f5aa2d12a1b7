"""Model registry: registered models, versions, their tags, aliases and stage transitions.

Revision ID: 0003_registry
Revises: 0002_notebooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_registry"
down_revision = "0002_notebooks"
branch_labels = None
depends_on = None


def _version_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["name", "version"],
        ["model_versions.name", "model_versions.version"],
        name=f"fk_{table}_name_model_versions",
        onupdate="CASCADE",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("creation_time", sa.BigInteger, nullable=False),
        sa.Column("last_updated_time", sa.BigInteger, nullable=False),
        sa.Column("description", sa.Text),
        sa.PrimaryKeyConstraint("name", name="pk_registered_models"),
    )
    op.create_table(
        "model_versions",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("creation_time", sa.BigInteger, nullable=False),
        sa.Column("last_updated_time", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.String(256)),
        sa.Column("current_stage", sa.String(20), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(32)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_message", sa.Text),
        sa.PrimaryKeyConstraint("name", "version", name="pk_model_versions"),
        sa.ForeignKeyConstraint(
            ["name"],
            ["registered_models.name"],
            name="fk_model_versions_name_registered_models",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_model_versions_run_id", "model_versions", ["run_id"])
    op.create_table(
        "registered_model_tags",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text),
        sa.PrimaryKeyConstraint("name", "key", name="pk_registered_model_tags"),
        sa.ForeignKeyConstraint(
            ["name"],
            ["registered_models.name"],
            name="fk_registered_model_tags_name_registered_models",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "model_version_tags",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text),
        sa.PrimaryKeyConstraint("name", "version", "key", name="pk_model_version_tags"),
        _version_fk("model_version_tags"),
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("alias", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", "alias", name="pk_registered_model_aliases"),
        _version_fk("registered_model_aliases"),
    )
    op.create_table(
        "model_version_transitions",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("from_stage", sa.String(20), nullable=False),
        sa.Column("to_stage", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(256)),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_version_transitions"),
        _version_fk("model_version_transitions"),
    )
    op.create_index(
        "ix_model_version_transitions_name_version",
        "model_version_transitions",
        ["name", "version"],
    )


def downgrade() -> None:
    op.drop_table("model_version_transitions")
    op.drop_table("registered_model_aliases")
    op.drop_table("model_version_tags")
    op.drop_table("registered_model_tags")
    op.drop_index("ix_model_versions_run_id", table_name="model_versions")
    op.drop_table("model_versions")
    op.drop_table("registered_models")
