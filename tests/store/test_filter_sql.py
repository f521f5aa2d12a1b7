"""Search filters and order-by compiled to SQL, run against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from labtrack.store.search_filter import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_filter,
    parse_order_by,
)
from labtrack.store.sql import tables
from labtrack.store.sql.filter_sql import (
    apply_experiment_order,
    apply_order,
    experiment_where_clause,
    where_clause,
)

ALL = {"r1", "r2", "r3", "r4", "r5"}

EXPERIMENTS = [
    # id, name, creation_time, last_update_time, tags
    (1, "nb:/work/a.ipynb", 100, 500, {"owner": "ana", "kind": "notebook"}),
    (2, "Default", 200, 300, {"owner": "bo"}),
    (3, "nb:/work/B.ipynb", None, None, {}),
]

RUNS: list[dict[str, Any]] = [
    {
        "run_uuid": "r1",
        "name": "alpha-run",
        "experiment_id": 1,
        "user_id": "ana",
        "status": "FINISHED",
        "start_time": 1000,
        "end_time": 2000,
        "lifecycle_stage": "active",
        "artifact_uri": "file:///a/r1",
        "params": {"model": "tree", "lr": "0.1", "model.depth": "3", "my param": "x y"},
        "tags": {"team": "Vision", "mlflow.note": "hello"},
        "metrics": {"acc": 0.9, "loss": 0.5, "val loss": 1.5},
    },
    {
        "run_uuid": "r2",
        "name": "Beta",
        "experiment_id": 1,
        "user_id": "bo",
        "status": "RUNNING",
        "start_time": 2000,
        "end_time": None,
        "lifecycle_stage": "active",
        "artifact_uri": "file:///a/r2",
        "params": {"model": "Tree", "lr": "0.01"},
        "tags": {"team": "vision"},
        "metrics": {"acc": 0.7, "loss": math.nan},
    },
    {
        "run_uuid": "r3",
        "name": None,
        "experiment_id": 2,
        "user_id": None,
        "status": "FAILED",
        "start_time": 3000,
        "end_time": 3500,
        "lifecycle_stage": "deleted",
        "artifact_uri": "s3://b/r3",
        "params": {"model": "linear", "comment": "100%_done", "glob": "a[b]*?c"},
        "tags": {"team": "audio", "empty": ""},
        "metrics": {"acc": -1.0, "loss": 2.0},
    },
    {
        "run_uuid": "r4",
        "name": "gamma",
        "experiment_id": 2,
        "user_id": "ana",
        "status": "FINISHED",
        "start_time": 1500,
        "end_time": 1600,
        "lifecycle_stage": "active",
        "artifact_uri": "file:///a/r4",
        "params": {"model": "t_ee"},
        "tags": {"team": None},
        "metrics": {},
    },
    {
        "run_uuid": "r5",
        "name": "alpha-2",
        "experiment_id": 1,
        "user_id": "élodie",
        "status": "KILLED",
        "start_time": 2000,
        "end_time": 2500,
        "lifecycle_stage": "active",
        "artifact_uri": "file:///a/r5",
        "params": {"lr": "1e-3", "a.b": "dots", "model": "Trees"},
        "tags": {"team name": "x", "team": "VISION"},
        "metrics": {"acc": 0.9, "loss": 0.25, "big": 1e300},
    },
]


def populate(conn: sa.Connection) -> None:
    for exp_id, name, created, updated, exp_tags in EXPERIMENTS:
        conn.execute(
            tables.experiments.insert().values(
                experiment_id=exp_id,
                name=name,
                artifact_location=f"file:///a/{exp_id}",
                lifecycle_stage="active",
                creation_time=created,
                last_update_time=updated,
            )
        )
        for key, value in exp_tags.items():
            conn.execute(
                tables.experiment_tags.insert().values(experiment_id=exp_id, key=key, value=value)
            )
    for run in RUNS:
        columns = {k: v for k, v in run.items() if k not in ("params", "tags", "metrics")}
        conn.execute(tables.runs.insert().values(last_update_time=0, **columns))
        rid = run["run_uuid"]
        for key, value in run["params"].items():
            conn.execute(tables.params.insert().values(run_uuid=rid, key=key, value=value))
        for key, value in run["tags"].items():
            conn.execute(tables.tags.insert().values(run_uuid=rid, key=key, value=value))
        for key, value in run["metrics"].items():
            nan = math.isnan(value)
            conn.execute(
                tables.latest_metrics.insert().values(
                    run_uuid=rid,
                    key=key,
                    value=0.0 if nan else value,
                    is_nan=nan,
                    timestamp=0,
                    step=0,
                )
            )


def _postgres_engine(request: pytest.FixtureRequest) -> tuple[sa.Engine, Any]:
    try:
        server = request.getfixturevalue("postgres_server")
    except pytest.FixtureLookupError:
        pytest.skip("PostgreSQL fixtures not loaded (run with tests/conftest.py)")
    admin = sa.create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    name = f"lt_filters_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    url = sa.make_url(server.admin_url).set(database=name)
    return sa.create_engine(url), drop


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    drop = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("filters") / "filters.db"
        eng = sa.create_engine(f"sqlite:///{path}")
    else:
        eng, drop = _postgres_engine(request)
    tables.metadata.create_all(eng)
    with eng.begin() as conn:
        populate(conn)
    yield eng
    eng.dispose()
    if drop is not None:
        drop()


def run_ids(engine: sa.Engine, text: str | None) -> set[str]:
    stmt = sa.select(tables.runs.c.run_uuid).where(where_clause(parse_filter(text)))
    with engine.connect() as conn:
        return set(conn.scalars(stmt))


CASES: list[tuple[str, set[str]]] = [
    # metrics
    ("metrics.acc > 0.8", {"r1", "r5"}),
    ("metrics.acc >= 0.9", {"r1", "r5"}),
    ("metrics.acc = 0.9", {"r1", "r5"}),
    ("metrics.acc < 0", {"r3"}),
    ("metrics.acc != 0.9", {"r2", "r3"}),
    ("metric.acc = 0.7", {"r2"}),
    ("metrics.loss > 0", {"r1", "r3", "r5"}),  # the NaN (r2) is not > 0
    ("metrics.loss <= 0.5", {"r1", "r5"}),
    ("metrics.loss != 0.5", {"r2", "r3", "r5"}),  # NaN != anything
    ("metrics.loss = NaN", {"r2"}),
    ("metrics.loss != NaN", {"r1", "r3", "r5"}),
    ("metrics.loss IS NULL", {"r4"}),
    ("metrics.loss IS NOT NULL", {"r1", "r2", "r3", "r5"}),
    ("NOT metrics.loss > 1", {"r1", "r2", "r4", "r5"}),
    ('metrics."val loss" = 1.5', {"r1"}),
    ("metrics.big > 1e299", {"r5"}),
    ("metrics.acc < inf", {"r1", "r2", "r3", "r5"}),
    ("metrics.acc > -inf", {"r1", "r2", "r3", "r5"}),
    ("metrics.nothing > 0", set()),
    # params
    ("params.model = 'tree'", {"r1"}),
    ('params.model = "Tree"', {"r2"}),
    ("params.model != 'tree'", {"r2", "r3", "r4", "r5"}),
    ("params.model LIKE 'tree%'", {"r1"}),
    ("params.model LIKE 'Tree%'", {"r2", "r5"}),
    ("params.model ILIKE 'tree%'", {"r1", "r2", "r5"}),
    ("params.model LIKE 't_ee'", {"r1", "r4"}),
    ("params.model LIKE 't\\_ee'", {"r4"}),
    ("params.comment LIKE '100\\%\\_%'", {"r3"}),
    ("params.comment LIKE '100%'", {"r3"}),
    ("params.glob = 'a[b]*?c'", {"r3"}),
    ("params.glob LIKE 'a[b]*?%'", {"r3"}),
    ("params.glob LIKE 'a[%'", {"r3"}),
    ("params.glob LIKE 'a*%'", set()),
    ("params.glob ILIKE 'A[B]*?C'", {"r3"}),
    ("params.model.depth = '3'", {"r1"}),
    ("params.`a.b` = 'dots'", {"r5"}),
    ("params.\"my param\" = 'x y'", {"r1"}),
    ("params.lr IN ('0.1', '0.01')", {"r1", "r2"}),
    ("params.lr NOT IN ('0.1')", {"r2", "r5"}),
    ("params.lr IS NULL", {"r3", "r4"}),
    ("params.lr IS NOT NULL", {"r1", "r2", "r5"}),
    ("NOT params.lr = '0.1'", {"r2", "r3", "r4", "r5"}),
    ("params.lr != '0.1'", {"r2", "r5"}),
    ("param.lr = '0.01'", {"r2"}),
    # tags
    ("tags.team = 'vision'", {"r2"}),
    ("tags.team ILIKE 'vision'", {"r1", "r2", "r5"}),
    ("tags.team LIKE 'V%'", {"r1", "r5"}),
    ("tags.team IS NULL", {"r4"}),
    ("tags.team IS NOT NULL", {"r1", "r2", "r3", "r5"}),
    ("tags.team != 'audio'", {"r1", "r2", "r5"}),
    ("tags.empty = ''", {"r3"}),
    ("tags.\"team name\" = 'x'", {"r5"}),
    ("tags.mlflow.note = 'hello'", {"r1"}),
    ("tags.mlflow.runName = 'Beta'", {"r2"}),  # MLflow's run-name tag is the run_name column
    ("tag.team = 'audio'", {"r3"}),
    # attributes
    ("attributes.status = 'FINISHED'", {"r1", "r4"}),
    ("status IN ('RUNNING', 'KILLED')", {"r2", "r5"}),
    ("status NOT IN ('FINISHED')", {"r2", "r3", "r5"}),
    ("run.status = 'FAILED'", {"r3"}),
    ("status = 'finished'", set()),
    ("run_name = 'Beta'", {"r2"}),
    ("run_name LIKE 'alpha%'", {"r1", "r5"}),
    ("attributes.run_name ILIKE '%A%'", {"r1", "r2", "r4", "r5"}),
    ("run_name IS NULL", {"r3"}),
    ("run_name != 'Beta'", {"r1", "r4", "r5"}),
    ("NOT run_name = 'Beta'", {"r1", "r3", "r4", "r5"}),
    ("run_id = 'r3'", {"r3"}),
    ("attributes.run_id IN ('r1', 'r4', 'nope')", {"r1", "r4"}),
    ("start_time >= 2000", {"r2", "r3", "r5"}),
    ("created < 1500", {"r1"}),
    ("end_time IS NULL", {"r2"}),
    ("end_time > 1000", {"r1", "r3", "r4", "r5"}),
    ("NOT end_time > 2000", {"r1", "r2", "r4"}),
    ("user_id = 'ana'", {"r1", "r4"}),
    ("attr.user_id = 'bo'", {"r2"}),
    ("user_id ILIKE 'éLODIE'", {"r5"}),
    ("user_id != 'ana'", {"r2", "r5"}),
    ("lifecycle_stage = 'deleted'", {"r3"}),
    ("experiment_id = '2'", {"r3", "r4"}),
    ("experiment_id IN (1)", {"r1", "r2", "r5"}),
    ("experiment_id NOT IN ('1', '3')", {"r3", "r4"}),
    ("artifact_uri LIKE 'file:///a/%'", {"r1", "r2", "r4", "r5"}),
    # boolean structure
    ("params.model = 'tree' OR tags.team = 'audio'", {"r1", "r3"}),
    ("params.model = 'tree' OR tags.team = 'audio' AND metrics.acc > 0", {"r1"}),
    ("(params.model = 'tree' OR tags.team = 'audio') AND metrics.acc > 0", {"r1"}),
    ("NOT (status = 'FINISHED' OR status = 'RUNNING')", {"r3", "r5"}),
    ("NOT NOT status = 'FAILED'", {"r3"}),
    ("metrics.acc > 0.8 and params.lr = '1e-3'", {"r5"}),
    ("metrics.acc > 0.5 AND metrics.acc < 0.95 AND params.model ILIKE 'TREE%'", {"r1", "r2", "r5"}),
    ("", ALL),
    # injection attempts are values
    ("params.model = 'tree'' OR ''1''=''1'", set()),
    ("params.model = 'x''); DROP TABLE runs; --'", set()),
    ("tags.\"team'; DROP TABLE runs; --\" = 'x'", set()),
    ("params.model LIKE '%'' OR 1=1 --'", set()),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_filter_matches(engine: sa.Engine, text: str, expected: set[str]) -> None:
    assert run_ids(engine, text) == expected


def test_no_filter_matches_everything(engine: sa.Engine) -> None:
    assert run_ids(engine, None) == ALL


def test_injection_attempts_leave_the_tables_alone(engine: sa.Engine) -> None:
    run_ids(engine, "params.model = 'x''); DROP TABLE runs; --'")
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(tables.runs)) == 5
    stmt = sa.select(tables.runs.c.run_uuid).where(
        where_clause(parse_filter("params.model = 'x''); DROP TABLE runs; --'"))
    )
    assert "DROP" not in str(stmt.compile(engine))


def test_sqlite_like_ignores_case_sensitive_like_pragma(tmp_path: Any) -> None:
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'pragma.db'}")
    tables.metadata.create_all(eng)
    with eng.begin() as conn:
        populate(conn)
    stmt = sa.select(tables.runs.c.run_uuid).where(
        where_clause(parse_filter("params.model LIKE 'tree%' OR tags.team ILIKE 'AUDIO'"))
    )
    for pragma in ("ON", "OFF"):
        with eng.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA case_sensitive_like = {pragma}")
            assert set(conn.scalars(stmt)) == {"r1", "r3"}
    eng.dispose()


def ordered(engine: sa.Engine, clauses: list[str], text: str | None = None) -> list[str]:
    stmt = sa.select(tables.runs.c.run_uuid).where(where_clause(parse_filter(text)))
    stmt = apply_order(stmt, parse_order_by(clauses))
    with engine.connect() as conn:
        return list(conn.scalars(stmt))


ORDERS: list[tuple[list[str], list[str]]] = [
    # default: start_time DESC, then run id
    ([], ["r3", "r2", "r5", "r4", "r1"]),
    # values, then NaN, then missing, in both directions
    (["metrics.loss ASC"], ["r5", "r1", "r3", "r2", "r4"]),
    (["metrics.loss DESC"], ["r3", "r1", "r5", "r2", "r4"]),
    # ties fall back to start_time DESC
    (["metrics.acc DESC"], ["r5", "r1", "r2", "r3", "r4"]),
    (["params.lr"], ["r2", "r1", "r5", "r3", "r4"]),
    (["params.lr DESC"], ["r5", "r1", "r2", "r3", "r4"]),
    # strings order by code point on every database; a NULL tag sorts with the missing
    (["tags.team ASC"], ["r5", "r1", "r3", "r2", "r4"]),
    (["tags.team DESC"], ["r2", "r3", "r1", "r5", "r4"]),
    (["run_name"], ["r2", "r5", "r1", "r4", "r3"]),
    (["attributes.run_name DESC"], ["r4", "r1", "r5", "r2", "r3"]),
    (["end_time DESC"], ["r3", "r5", "r1", "r4", "r2"]),
    (["end_time"], ["r4", "r1", "r5", "r3", "r2"]),
    (["status", "metrics.acc DESC"], ["r3", "r1", "r4", "r5", "r2"]),
    (["attributes.start_time ASC"], ["r1", "r4", "r2", "r5", "r3"]),
    (["created"], ["r1", "r4", "r2", "r5", "r3"]),
    (['metrics."val loss"', "run_id DESC"], ["r1", "r5", "r4", "r3", "r2"]),
]


@pytest.mark.parametrize(("clauses", "expected"), ORDERS)
def test_order(engine: sa.Engine, clauses: list[str], expected: list[str]) -> None:
    assert ordered(engine, clauses) == expected


def test_filter_and_order_compose(engine: sa.Engine) -> None:
    assert ordered(engine, ["metrics.acc"], "metrics.acc > 0") == ["r2", "r5", "r1"]
    assert ordered(engine, ["params.model DESC"], "NOT tags.team ILIKE 'vision'") == [
        "r4",
        "r3",
    ]


def test_order_joins_do_not_duplicate_runs(engine: sa.Engine) -> None:
    stmt = apply_order(
        sa.select(tables.runs.c.run_uuid),
        parse_order_by(["metrics.acc", "params.model", "tags.team", "metrics.loss"]),
    )
    with engine.connect() as conn:
        assert sorted(conn.scalars(stmt)) == sorted(ALL)


def experiment_ids(
    engine: sa.Engine, text: str | None, order: list[str] | None = None
) -> list[int]:
    e = tables.experiments
    stmt = sa.select(e.c.experiment_id).where(
        experiment_where_clause(parse_experiment_filter(text))
    )
    stmt = apply_experiment_order(stmt, parse_experiment_order_by(order))
    with engine.connect() as conn:
        return list(conn.scalars(stmt))


EXPERIMENT_CASES: list[tuple[str, set[int]]] = [
    ("name = 'Default'", {2}),
    ("name LIKE 'nb:%'", {1, 3}),
    ("name ILIKE '%b.ipynb'", {3}),
    ("name LIKE '%b.ipynb'", set()),
    ("attributes.name != 'Default'", {1, 3}),
    ("name IN ('Default', 'nope')", {2}),
    ("creation_time > 150", {2}),
    ("creation_time IS NULL", {3}),
    ("NOT creation_time > 150", {1, 3}),
    ("tags.owner = 'ana'", {1}),
    ("tags.owner IS NULL", {3}),
    ("NOT tags.owner = 'ana'", {2, 3}),
    ("tags.kind = 'notebook' OR last_update_time < 400", {1, 2}),
    ("", {1, 2, 3}),
]


@pytest.mark.parametrize(("text", "expected"), EXPERIMENT_CASES)
def test_experiment_filter(engine: sa.Engine, text: str, expected: set[int]) -> None:
    assert set(experiment_ids(engine, text)) == expected


EXPERIMENT_ORDERS: list[tuple[list[str], list[int]]] = [
    ([], [2, 1, 3]),  # creation_time DESC (missing last), then experiment_id
    (["name"], [2, 3, 1]),
    (["last_update_time DESC"], [1, 2, 3]),
    (["experiment_id DESC"], [3, 2, 1]),
    (["tags.owner DESC"], [2, 1, 3]),
    (["tags.kind"], [1, 3, 2]),  # no tag: experiment_id DESC breaks the tie
]


@pytest.mark.parametrize(("clauses", "expected"), EXPERIMENT_ORDERS)
def test_experiment_order(engine: sa.Engine, clauses: list[str], expected: list[int]) -> None:
    assert experiment_ids(engine, None, clauses) == expected


def test_experiments_made_in_the_same_millisecond_list_newest_first(tmp_path) -> None:
    """Regression: with MLflow's ``experiment_id ASC`` tie-break, two experiments created in
    one millisecond listed oldest first, against the default newest-first order."""
    from labtrack.store.sql.store import SqlTrackingStore

    store = SqlTrackingStore(f"sqlite:///{tmp_path / 't.db'}", str(tmp_path / "a"))
    first, second = store.create_experiment("ab"), store.create_experiment("bb")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE experiments SET creation_time = 1000"))
    found = [e.experiment_id for e in store.search_experiments(filter_string="name LIKE '%b'")]
    assert found == [second, first]
    engine.dispose()
    store.close()
