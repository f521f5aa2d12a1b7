"""System tags take MLflow's names: ``labtrack.runName`` -> ``mlflow.runName`` and the rest.

Run tags and experiment tags are renamed in place. A run (or experiment) that already holds the
MLflow name keeps it: the user set it on purpose, and the labtrack one is dropped. The source
type of a script run, ``SCRIPT``, becomes MLflow's ``LOCAL``. The downgrade renames back (and a
``LOCAL`` run whose source is a ``.py`` file is a ``SCRIPT`` again); a tag dropped because both
names were present does not come back.

The names are written out here, not imported: a migration must keep doing what it did when it
was written, whatever later code calls the tags.

Revision ID: 0004_mlflow_tags
Revises: 0003_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_mlflow_tags"
down_revision = "0003_registry"
branch_labels = None
depends_on = None

RENAMES = {
    "labtrack.runName": "mlflow.runName",
    "labtrack.parentRunId": "mlflow.parentRunId",
    "labtrack.user": "mlflow.user",
    "labtrack.source.name": "mlflow.source.name",
    "labtrack.source.type": "mlflow.source.type",
    "labtrack.source.git.commit": "mlflow.source.git.commit",
    "labtrack.source.git.branch": "mlflow.source.git.branch",
    "labtrack.source.git.dirty": "mlflow.source.git.dirty",
    "labtrack.note.content": "mlflow.note.content",
    "labtrack.log-model.history": "mlflow.log-model.history",
    "labtrack.autologging": "mlflow.autologging",
    "labtrack.experiment.type": "mlflow.experiment.sourceType",
}
# (tag table, the column naming what the tag belongs to)
TABLES = (("tags", "run_uuid"), ("experiment_tags", "experiment_id"))


def _rename(conn: sa.Connection, renames: dict[str, str]) -> None:
    for table, owner in TABLES:
        for old, new in renames.items():
            params = {"old": old, "new": new}
            # Where both names are present the new one stays: drop the old first.
            conn.execute(
                sa.text(
                    f"DELETE FROM {table} WHERE key = :old AND {owner} IN "
                    f"(SELECT {owner} FROM {table} WHERE key = :new)"
                ),
                params,
            )
            conn.execute(sa.text(f"UPDATE {table} SET key = :new WHERE key = :old"), params)


def upgrade() -> None:
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE tags SET value = 'LOCAL' "
            "WHERE key = 'labtrack.source.type' AND value = 'SCRIPT'"
        )
    )
    _rename(conn, RENAMES)


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE tags SET value = 'SCRIPT' "
            "WHERE key = 'mlflow.source.type' AND value = 'LOCAL' AND run_uuid IN "
            "(SELECT run_uuid FROM tags WHERE key = 'mlflow.source.name' AND value LIKE '%.py')"
        )
    )
    _rename(conn, {new: old for old, new in RENAMES.items()})
