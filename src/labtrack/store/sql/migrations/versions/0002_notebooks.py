"""Notebook versions and environments (content-addressed blobs); kernel -> notebook sessions.

Revision ID: 0002_notebooks
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_notebooks"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_time", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_blobs"),
    )
    op.create_table(
        "notebook_sessions",
        sa.Column("kernel_id", sa.String(64), nullable=False),
        sa.Column("notebook_path", sa.Text, nullable=False),
        sa.Column("notebook_id", sa.String(64)),
        sa.Column("root_dir", sa.Text),
        sa.Column("updated_time", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("kernel_id", name="pk_notebook_sessions"),
    )


def downgrade() -> None:
    op.drop_table("notebook_sessions")
    op.drop_table("blobs")
