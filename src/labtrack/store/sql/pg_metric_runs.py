"""PostgreSQL: the metric history's link to its run, checked per statement instead of per row.

On SQLite ``metrics.run_uuid`` is a foreign key on ``runs`` (``ON DELETE CASCADE``). On
PostgreSQL a foreign key is checked row by row: one index lookup and one row lock on ``runs``
per history row, about half of what PostgreSQL spent on a 1,000-point ingest batch (its
statement's ``EXPLAIN ANALYZE``: 7.6 ms with the key, 3.7 ms without; bench/README.md). A
batch names a handful of runs, so here the same guarantee is kept by triggers that work once
per statement:

- after an ``INSERT`` into (or an ``UPDATE`` of) ``metrics``, the distinct runs of the new rows
  are locked ``FOR KEY SHARE`` (the lock a foreign key takes: the run cannot be deleted, or its
  id changed, until the writer's transaction ends) and a run that is missing raises
  ``foreign_key_violation`` (SQLSTATE 23503) with PostgreSQL's own wording, so whatever maps a
  foreign key's error maps this one;
- after a ``DELETE`` of runs, their history rows are deleted (the cascade);
- changing a run's id while history rows point at it is refused (the key's ``NO ACTION``).

Under READ COMMITTED this behaves as the key did: a writer that meets a run being deleted
waits for that transaction, then finds the run gone and fails; a delete that meets a writer
holding the run waits, then deletes the writer's committed rows too.

Fresh stores get these from ``tables.metadata``'s ``after_create`` hook, older ones from the
migration ``0010_pg_ingest``; both run :data:`CREATE`, and ``tests/store/test_migrations.py``
compares what each made. A change to these statements needs a migration of its own.
"""

from __future__ import annotations

from sqlalchemy import Connection

# The foreign key these triggers stand in for; its name is the one in the error messages.
KEY_NAME = "fk_metrics_run_uuid_runs"

CREATE = (
    # 1. New history rows: lock their runs, refuse a missing one.
    """
CREATE FUNCTION labtrack_metrics_check_runs() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    wanted bigint;
    locked bigint;
    missing text;
BEGIN
    -- Each distinct run of the new rows (hashed: a batch names few), looked up and locked on
    -- the primary key in run id order; counting reads every row, so every run is locked.
    SELECT count(*), count(held.run_uuid) INTO wanted, locked
    FROM (SELECT DISTINCT run_uuid FROM new_rows ORDER BY run_uuid) AS n
    LEFT JOIN LATERAL (
        SELECT r.run_uuid FROM runs AS r WHERE r.run_uuid = n.run_uuid FOR KEY SHARE
    ) AS held ON true;
    IF locked < wanted THEN
        SELECT n.run_uuid INTO missing FROM new_rows AS n
        WHERE NOT EXISTS (SELECT 1 FROM runs AS r WHERE r.run_uuid = n.run_uuid)
        ORDER BY n.run_uuid LIMIT 1;
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = 'insert or update on table "metrics" violates foreign key constraint '
                || '"fk_metrics_run_uuid_runs"',
            DETAIL = 'Key (run_uuid)=(' || missing || ') is not present in table "runs".',
            TABLE = 'metrics',
            CONSTRAINT = 'fk_metrics_run_uuid_runs';
    END IF;
    RETURN NULL;
END
$body$
""",
    "CREATE TRIGGER labtrack_metrics_insert_runs AFTER INSERT ON metrics "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION labtrack_metrics_check_runs()",
    "CREATE TRIGGER labtrack_metrics_update_runs AFTER UPDATE ON metrics "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION labtrack_metrics_check_runs()",
    # 2. Deleted runs take their history with them (ON DELETE CASCADE).
    """
CREATE FUNCTION labtrack_runs_delete_metrics() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM metrics WHERE run_uuid IN (SELECT run_uuid FROM old_rows);
    RETURN NULL;
END
$body$
""",
    "CREATE TRIGGER labtrack_runs_delete_metrics AFTER DELETE ON runs "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION labtrack_runs_delete_metrics()",
    # 3. A run's id does not change under its history (NO ACTION). Row-level, and only when
    # the id is in the UPDATE's SET list and differs: the runs' frequent updates skip it.
    """
CREATE FUNCTION labtrack_runs_keep_metric_ids() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF EXISTS (SELECT 1 FROM metrics WHERE run_uuid = OLD.run_uuid) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = 'update or delete on table "runs" violates foreign key constraint '
                || '"fk_metrics_run_uuid_runs" on table "metrics"',
            DETAIL = 'Key (run_uuid)=(' || OLD.run_uuid || ') is still referenced from table '
                || '"metrics".',
            TABLE = 'runs',
            CONSTRAINT = 'fk_metrics_run_uuid_runs';
    END IF;
    RETURN NULL;
END
$body$
""",
    "CREATE TRIGGER labtrack_runs_keep_metric_ids AFTER UPDATE OF run_uuid ON runs "
    "FOR EACH ROW WHEN (OLD.run_uuid IS DISTINCT FROM NEW.run_uuid) "
    "EXECUTE FUNCTION labtrack_runs_keep_metric_ids()",
)

# What the migration's downgrade removes (the foreign key comes back after).
DROP = (
    "DROP TRIGGER IF EXISTS labtrack_metrics_insert_runs ON metrics",
    "DROP TRIGGER IF EXISTS labtrack_metrics_update_runs ON metrics",
    "DROP TRIGGER IF EXISTS labtrack_runs_delete_metrics ON runs",
    "DROP TRIGGER IF EXISTS labtrack_runs_keep_metric_ids ON runs",
    "DROP FUNCTION IF EXISTS labtrack_metrics_check_runs()",
    "DROP FUNCTION IF EXISTS labtrack_runs_delete_metrics()",
    "DROP FUNCTION IF EXISTS labtrack_runs_keep_metric_ids()",
)


def present(connection: Connection) -> bool:
    """Whether the database of ``connection`` has the triggers."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM pg_trigger WHERE tgname = 'labtrack_metrics_insert_runs'"
    ).first()
    return found is not None
