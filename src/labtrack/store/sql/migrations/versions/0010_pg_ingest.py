"""PostgreSQL: the metric history's foreign key on runs becomes statement-level triggers.

A foreign key is checked row by row: on a 1,000-point ingest batch that was about half of
PostgreSQL's time (one lookup and one lock on ``runs`` per history row). The triggers of
``store/sql/pg_metric_runs.py`` keep the same guarantee once per statement: the new rows' runs
are locked as the key locked them and a missing one fails with the key's error (SQLSTATE
23503); deleting runs deletes their history; a run's id does not change under it. SQLite keeps
its foreign key (its check costs little there): this revision changes nothing on SQLite.

Revision ID: 0010_pg_ingest
Revises: 0009_search_read
"""

from alembic import op

from labtrack.store.sql import pg_metric_runs

revision = "0010_pg_ingest"
down_revision = "0009_search_read"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(pg_metric_runs.KEY_NAME, "metrics", type_="foreignkey")
    for statement in pg_metric_runs.CREATE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in pg_metric_runs.DROP:
        op.execute(statement)
    # Validating the key reads the whole history once (under a lock that lets reads go on).
    op.create_foreign_key(
        pg_metric_runs.KEY_NAME, "metrics", "runs", ["run_uuid"], ["run_uuid"], ondelete="CASCADE"
    )
