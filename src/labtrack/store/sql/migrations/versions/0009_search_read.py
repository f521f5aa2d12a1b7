"""Params, tags and latest metrics as SQLite ``WITHOUT ROWID`` tables.

A run's params, tags and latest metrics are read together by run (a search's DataFrame reads
them for every match), and a filter probes them by (run, key). In a rowid table each of those
reads is a seek in the primary-key index and then another in the table for the value; in a
``WITHOUT ROWID`` table the primary key *is* the table, so a run's rows are one range with
their values in place, and a write updates one b-tree less. SQLite cannot change this in
place: each table is copied into its new form, dropped and renamed, and its key index made
again (12-32 s for a store of 100,000 runs on a busy 2-core machine). PostgreSQL has no such
choice (its tables are heaps) and is left as it is.

Revision ID: 0009_search_read
Revises: 0008_transition_requests
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_search_read"
down_revision = "0008_transition_requests"
branch_labels = None
depends_on = None


def _columns(table: str) -> list[sa.Column[object]]:
    """The tables' columns when this revision was written (store/sql/tables.py)."""
    if table == "latest_metrics":
        return [
            sa.Column("run_uuid", sa.String(32), nullable=False),
            sa.Column("key", sa.String(250), nullable=False),
            sa.Column("value", sa.Float(precision=53), nullable=False),
            sa.Column("is_nan", sa.Boolean, nullable=False),
            sa.Column("timestamp", sa.BigInteger, nullable=False),
            sa.Column("step", sa.BigInteger, nullable=False),
            sa.Column("min_value", sa.Float(precision=53)),
            sa.Column("max_value", sa.Float(precision=53)),
            sa.Column("count", sa.BigInteger, nullable=False),
        ]
    return [
        sa.Column("run_uuid", sa.String(32), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text, nullable=table == "tags"),
    ]


# A progress bar from this many rows on (~1 s of copying on a 2-core machine).
_BAR_FROM = 200_000

# Each table's secondary indexes, made again after the copy.
INDEXES = {
    "params": [("ix_params_key_value_run", ["key", "value", "run_uuid"])],
    "tags": [("ix_tags_key", ["key"])],
    "latest_metrics": [
        ("ix_latest_metrics_key_nan_value_run", ["key", "is_nan", "value", "run_uuid"])
    ],
}


def _rebuild(table: str, with_rowid: bool) -> None:
    """Copy ``table`` into a table of the same columns, keys and indexes, with or without
    rowid, in its place."""
    new = f"{table}_rebuilt"
    op.create_table(
        new,
        *_columns(table),
        sa.ForeignKeyConstraint(
            ["run_uuid"], ["runs.run_uuid"], name=f"fk_{table}_run_uuid_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_uuid", "key", name=f"pk_{table}"),
        sqlite_with_rowid=with_rowid,
    )
    names = ", ".join(f'"{column.name}"' for column in _columns(table))
    op.execute(f"INSERT INTO {new} ({names}) SELECT {names} FROM {table}")
    op.drop_table(table)
    op.rename_table(new, table)
    for name, columns in INDEXES[table]:
        op.create_index(name, table, columns)


def _rebuild_all(with_rowid: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    rows = {
        table: bind.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in INDEXES
    }
    from tqdm.auto import tqdm  # a big store takes tens of seconds: say what is going on

    with tqdm(
        total=sum(rows.values()),
        desc="labtrack store upgrade (0009: params, tags, latest metrics)",
        unit="row",
        unit_scale=True,
        disable=sum(rows.values()) < _BAR_FROM,
    ) as bar:
        for table in INDEXES:
            bar.set_postfix_str(table)
            _rebuild(table, with_rowid)
            bar.update(rows[table])
    # Dropping a table drops its statistics; the store only gathers them again when its runs
    # double, and plans searches over many runs badly without them.
    analyzed = bind.execute(
        sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    ).first()
    if analyzed is not None:
        op.execute("PRAGMA analysis_limit = 1000")
        for table in INDEXES:
            op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    _rebuild_all(with_rowid=False)


def downgrade() -> None:
    _rebuild_all(with_rowid=True)
