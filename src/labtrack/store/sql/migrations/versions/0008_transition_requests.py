"""Stage-transition requests and comments on model versions (the version's activity).

``model_version_activities`` holds one row per request, approval, rejection, cancellation and
comment; a request's ``request_state`` is PENDING until one of the others settles it. Nothing
existing changes, so the upgrade only creates the table.

Revision ID: 0008_transition_requests
Revises: 0007_permissions
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_transition_requests"
down_revision = "0007_permissions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_version_activities",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("activity_type", sa.String(32), nullable=False),
        sa.Column("request_state", sa.String(16)),
        sa.Column("from_stage", sa.String(20)),
        sa.Column("to_stage", sa.String(20)),
        sa.Column("user_id", sa.String(256)),
        sa.Column("comment", sa.Text),
        sa.Column("system_comment", sa.Text),
        sa.Column("archive_existing_versions", sa.Boolean),
        sa.Column("creation_time", sa.BigInteger, nullable=False),
        sa.Column("last_updated_time", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_version_activities"),
        sa.ForeignKeyConstraint(
            ["name", "version"],
            ["model_versions.name", "model_versions.version"],
            name="fk_model_version_activities_name_model_versions",
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_model_version_activities_name_version",
        "model_version_activities",
        ["name", "version"],
    )


def downgrade() -> None:
    op.drop_index("ix_model_version_activities_name_version", "model_version_activities")
    op.drop_table("model_version_activities")
