"""Migration 0004: system tags take MLflow's names, in stores written before, without loss.

The store under test is ``data/schema-0003.sqlite``, written by labtrack at schema 0003 (see
``data/make_schema_0003.py`` for what it holds). On PostgreSQL its rows are copied into a
database migrated to 0003, so both engines upgrade the same data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, create_engine, select, text

from labtrack.entities import ViewType
from labtrack.store.sql import schema, tables
from labtrack.store.sql.store import SqlTrackingStore

OLD = Path(__file__).with_name("data") / "schema-0003.sqlite"
PREVIOUS = "0003_registry"
COPIED_TABLES = (
    "experiments",
    "experiment_tags",
    "runs",
    "params",
    "tags",
    "metrics",
    "latest_metrics",
    "registered_models",
    "model_versions",
    "registered_model_tags",
)


def _rows(engine: Engine, table: str) -> list[dict]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]


def _old_store_at(url: str, tmp_path: Path) -> None:
    """The 0003 store at ``url``: the file itself, or its rows copied into a 0003 database."""
    if url.startswith("sqlite"):
        shutil.copy(OLD, url.split(":///", 1)[1])
        return
    source = create_engine(f"sqlite:///{OLD}")
    target = create_engine(url)
    with target.begin() as conn:
        command.upgrade(schema._alembic_config(conn), PREVIOUS)
    meta = MetaData()
    meta.reflect(target)
    with target.begin() as conn:
        for name in COPIED_TABLES:
            rows = _rows(source, name)
            if rows:
                conn.execute(meta.tables[name].insert(), rows)
        conn.execute(
            text(
                "SELECT setval('experiments_experiment_id_seq', "
                "(SELECT max(experiment_id) FROM experiments))"
            )
        )
    source.dispose()
    target.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = (
        f"sqlite:///{tmp_path / 'old.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    _old_store_at(url, tmp_path)
    return url


def _all_tags(engine: Engine) -> tuple[dict[str, dict[str, str]], dict[int, dict[str, str]]]:
    runs: dict[str, dict[str, str]] = {}
    exps: dict[int, dict[str, str]] = {}
    with engine.connect() as conn:
        for run_uuid, key, value in conn.execute(select(tables.tags)):
            runs.setdefault(run_uuid, {})[key] = value
        for exp_id, key, value in conn.execute(select(tables.experiment_tags)):
            exps.setdefault(exp_id, {})[key] = value
    return runs, exps


def _names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT name, run_uuid FROM runs")).all())


def test_run_and_experiment_tags_take_mlflow_names_without_loss(old_url, tmp_path):
    engine = create_engine(old_url)
    before_runs, before_exps = _all_tags(engine)
    names = _names(engine)

    store = SqlTrackingStore(old_url, str(tmp_path / "artifacts"))  # upgrades on open
    with engine.connect() as conn:
        assert schema.current_revision(conn) == tables.SCHEMA_VERSION
    after_runs, after_exps = _all_tags(engine)

    legacy = [k for tags in after_runs.values() for k in tags if k.startswith("labtrack.")]
    kept = {
        "labtrack.kernel.id",
        "labtrack.notebook.id",
        "labtrack.notebook.source",
        "labtrack.notebook.revision",
        "labtrack.environment.revision",
        "labtrack.python.version",
        "labtrack.notebook.live",
        "labtrack.registeredModels",
        "labtrack.reproducedFrom",
    }
    assert set(legacy) <= kept
    # Every value is still there under its new name (the run with both names loses one tag).
    both = names["both-names"]
    for run_uuid, tags in before_runs.items():
        expected = len(tags) - (1 if run_uuid == both else 0)
        assert len(after_runs[run_uuid]) == expected, run_uuid
    script = after_runs[names["script-run"]]
    assert script["mlflow.runName"] == "script-run"
    assert script["mlflow.note.content"] == "first try"
    assert script["mlflow.source.type"] == "LOCAL"  # was SCRIPT: MLflow's value
    assert script["mlflow.source.name"].endswith("train.py")
    assert script["mlflow.user"] == before_runs[names["script-run"]]["labtrack.user"]
    assert len(script["mlflow.source.git.commit"]) == 40
    assert script["mlflow.source.git.branch"] == "main"
    assert script["team"] == "forecast"
    child = after_runs[names["trial-0"]]
    assert child["mlflow.parentRunId"] == names["sweep"]
    assert child["mlflow.source.type"] == "NOTEBOOK"
    assert child["mlflow.source.git.dirty"] == "true"
    assert child["labtrack.kernel.id"] == "k-5678"
    assert child["labtrack.notebook.revision"] == "ab" * 32
    assert "mlflow.log-model.history" in after_runs[names["with-model"]]
    assert after_runs[names["with-model"]]["labtrack.registeredModels"] == '["linreg"]'
    assert after_runs[names["autologged"]]["mlflow.autologging"] == "sklearn"
    assert after_runs[names["again"]]["labtrack.reproducedFrom"] == names["script-run"]
    # Both names present: the MLflow one, set by hand, is what stays.
    assert after_runs[both]["mlflow.note.content"] == "mlflow note"
    assert after_runs[both]["mlflow.user"] == "someone"

    (notebook_exp,) = [e for e, tags in after_exps.items() if tags]
    assert after_exps[notebook_exp] == {
        "mlflow.experiment.sourceType": "NOTEBOOK",
        "labtrack.notebook.id": "nb-1234",
        "mlflow.note.content": "Experiments of analysis.ipynb",
    }
    assert len(before_exps[notebook_exp]) == 3

    # MLflow's filters find what the old names held.
    children = store.search_runs(
        ["0", str(notebook_exp)], f"tags.mlflow.parentRunId = '{names['sweep']}'", ViewType.ALL
    )
    assert sorted(r.info.run_name for r in children) == ["trial-0", "trial-1"]
    assert store.get_run(names["deleted"]).data.tags["mlflow.runName"] == "deleted"
    assert [m.value for m in store.get_metric_history(names["script-run"], "rmse")] == [
        0.9,
        0.5,
        0.3,
    ]
    model = store.get_registered_model("linreg")
    assert model.tags == {"labtrack.serving.enabled": "true"}
    store.close()
    engine.dispose()


def test_downgrade_renames_back(old_url, tmp_path):
    engine = create_engine(old_url)
    before_runs, before_exps = _all_tags(engine)
    names = _names(engine)
    SqlTrackingStore(old_url, str(tmp_path / "artifacts")).close()
    with engine.begin() as conn:
        command.downgrade(schema._alembic_config(conn), PREVIOUS)
    after_runs, after_exps = _all_tags(engine)
    both = names["both-names"]
    for run_uuid, tags in before_runs.items():
        if run_uuid == both:
            continue
        assert after_runs[run_uuid] == tags, run_uuid
    assert after_exps == before_exps
    # The tag dropped because both names were present stays dropped; the kept one is renamed.
    assert after_runs[both]["labtrack.note.content"] == "mlflow note"
    engine.dispose()
