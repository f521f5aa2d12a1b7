"""Fewer index pages written per run: the runs' heartbeat index holds only beating runs, and
the index on ``last_update_time`` alone goes.

Creating a run and ending it are two transactions, and on SQLite each commit writes every page
it touched to the WAL. A new run's row was entered in five b-trees besides the table; its end
(status, end time, a NULL heartbeat, a new last update) rewrote three of them. No query reads
``ix_runs_last_update`` (the sidebar's change marker reads ``ix_runs_experiment_update``), and
the stale-run check reads ``heartbeat_time < ?`` only, so the heartbeat index needs no entry for
the runs nothing beats for, which are most of them. Together ~4 of the ~44 WAL frames a run
with 5 params and 5 metrics wrote on SQLite (a store of 2,000 runs).

Nothing is copied: an index is dropped and a partial one built from the runs that have a
heartbeat (a few, running ones), so this takes milliseconds even for 100,000 runs and shows no
progress bar. SQLite and PostgreSQL take the same partial index.

Revision ID: 0011_run_create
Revises: 0010_pg_ingest
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_run_create"
down_revision = "0010_pg_ingest"
branch_labels = None
depends_on = None

_BEATING = sa.text("heartbeat_time IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_runs_last_update", "runs")
    op.drop_index("ix_runs_heartbeat_time", "runs")
    op.create_index(
        "ix_runs_heartbeat_time",
        "runs",
        ["heartbeat_time"],
        sqlite_where=_BEATING,
        postgresql_where=_BEATING,
    )


def downgrade() -> None:
    op.drop_index("ix_runs_heartbeat_time", "runs")
    op.create_index("ix_runs_heartbeat_time", "runs", ["heartbeat_time"])
    op.create_index("ix_runs_last_update", "runs", ["last_update_time"])
