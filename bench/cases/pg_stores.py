"""PostgreSQL stores for labtrack's PostgreSQL figures: one database per store, filled like
``stores.populate`` fills a SQLite file (the runs made through the API copied under new ids, with
fresh random metric values and params), with psycopg. Only labtrack's driver loads this module.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import psycopg
import stores  # bench/cases/stores.py (this folder is on the driver's sys.path)
from psycopg import sql

METRIC_TABLES = stores.METRIC_TABLES


def database_url(base: str, name: str) -> str:
    """``base`` (a server's URL) naming the database ``name`` instead."""
    return base.rsplit("/", 1)[0] + "/" + name


def _connect(url: str) -> psycopg.Connection[Any]:
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return psycopg.connect(plain, autocommit=True)


def create_database(base: str, name: str) -> bool:
    """Create database ``name`` on the server of ``base``; False if it already exists."""
    with _connect(base) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def count_runs(url: str) -> int:
    with _connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM runs").fetchone()
        return int(row[0]) if row else 0


def _columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND table_schema = 'public' ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [r[0] for r in rows]


def _run_tables(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = "
        "'run_uuid' AND table_schema = 'public' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def populate(url: str, total: int, seed: int = 0) -> int:
    """Copy the store's runs until it holds ``total`` runs; returns how many were added."""
    rng = random.Random(seed)
    with _connect(url) as conn:
        templates = [r[0] for r in conn.execute("SELECT run_uuid FROM runs ORDER BY start_time")]
        need = total - len(templates)
        if need <= 0 or not templates:
            return 0
        tables = [t for t in _run_tables(conn) if t != "runs"]
        keys = sorted(
            {
                r[0]
                for t in tables
                if t in METRIC_TABLES
                for r in conn.execute(
                    sql.SQL("SELECT DISTINCT key FROM {}").format(sql.Identifier(t))
                )
            }
        )
        param_keys = [r[0] for r in conn.execute("SELECT DISTINCT key FROM params")]
        row = conn.execute("SELECT max(start_time) FROM runs").fetchone()
        max_start = int(row[0] or 0) if row else 0
        with conn.transaction():
            conn.execute("CREATE TEMP TABLE bench_map (src text, new text PRIMARY KEY, i integer)")
            conn.execute("CREATE TEMP TABLE bench_val (new text, key text, v double precision)")
            conn.execute("CREATE TEMP TABLE bench_par (new text, key text, v text)")
            ids = [(templates[i % len(templates)], uuid.uuid4().hex, i) for i in range(need)]
            with conn.cursor().copy("COPY bench_map FROM STDIN") as copy:
                for item in ids:
                    copy.write_row(item)
            with conn.cursor().copy("COPY bench_val FROM STDIN") as copy:
                for _, new, _ in ids:
                    for k in keys:
                        copy.write_row((new, k, rng.random()))
            with conn.cursor().copy("COPY bench_par FROM STDIN") as copy:
                for _, new, _ in ids:
                    for k in param_keys:
                        copy.write_row((new, k, rng.choice("abcd")))
            conn.execute("CREATE INDEX ON bench_val (new, key)")
            conn.execute("CREATE INDEX ON bench_par (new, key)")
            for table in ["runs", *tables]:
                cols = _columns(conn, table)
                picks, join = stores.copy_select(table, cols, max_start + 1)
                conn.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(picks)} "  # type: ignore[arg-type]
                    f"FROM bench_map m JOIN {table} t ON t.run_uuid = m.src {join}"
                )
            for temp in ("bench_map", "bench_val", "bench_par"):
                conn.execute(f"DROP TABLE {temp}")  # type: ignore[arg-type]
        conn.execute("ANALYZE")
        return need
