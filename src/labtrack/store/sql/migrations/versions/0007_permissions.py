"""Team mode: owners of experiments and registered models, and the grants that share them.

``experiments.owner`` and ``registered_models.owner`` name the user who owns each; existing
ones get the creator the data knows of (the user of an experiment's first run, the user who
registered a model's first version), else NULL (owned by nobody: only admins manage them in
team mode). ``permission_grants`` holds one READ, EDIT or MANAGE per resource and principal.

Revision ID: 0007_permissions
Revises: 0006_metric_summaries
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_permissions"
down_revision = "0006_metric_summaries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("experiments", sa.Column("owner", sa.String(256)))
    op.add_column("registered_models", sa.Column("owner", sa.String(256)))
    op.create_table(
        "permission_grants",
        sa.Column("resource_kind", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.String(256), nullable=False),
        sa.Column("principal_kind", sa.String(16), nullable=False),
        sa.Column("principal", sa.String(256), nullable=False),
        sa.Column("permission", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint(
            "resource_kind",
            "resource_id",
            "principal_kind",
            "principal",
            name="pk_permission_grants",
        ),
    )
    op.create_index(
        "ix_permission_grants_principal",
        "permission_grants",
        ["principal_kind", "principal", "resource_kind", "resource_id"],
    )
    # The first run's user; runs logged by no one in particular ('' ) do not count.
    # The Default experiment (id 0) stays owned by nobody and open to everyone for EDIT: it is
    # where MLflow clients log when no experiment is set, everybody's shared scratch space.
    op.execute(
        "UPDATE experiments SET owner = (SELECT r.user_id FROM runs r "
        "WHERE r.experiment_id = experiments.experiment_id AND r.user_id <> '' "
        "ORDER BY r.start_time, r.run_uuid LIMIT 1) WHERE experiment_id <> 0"
    )
    op.execute(
        "INSERT INTO permission_grants "
        "(resource_kind, resource_id, principal_kind, principal, permission) "
        "SELECT 'experiment', '0', 'group', '*', 'EDIT' FROM experiments "
        "WHERE experiment_id = 0"
    )
    op.execute(
        "UPDATE registered_models SET owner = (SELECT v.user_id FROM model_versions v "
        "WHERE v.name = registered_models.name AND v.user_id <> '' "
        "ORDER BY v.version LIMIT 1)"
    )


def downgrade() -> None:
    op.drop_index("ix_permission_grants_principal", "permission_grants")
    op.drop_table("permission_grants")
    with op.batch_alter_table("registered_models") as batch:
        batch.drop_column("owner")
    with op.batch_alter_table("experiments") as batch:
        batch.drop_column("owner")
