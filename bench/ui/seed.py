"""Fill an experiment with finished runs fast (bulk inserts), for the UI first-paint benchmark.

    python bench/ui/seed.py LABTRACK_HOME EXPERIMENT_NAME RUNS KEYS

Each run gets KEYS params and KEYS metrics (one value each), named like autologged keys. The
experiment is named after a notebook (EXPERIMENT_NAME, e.g. ``bench-10k.ipynb``) and tagged as
that notebook's, so opening the notebook shows it in the sidebar. Prints the experiment id and
the run ids as one JSON line.
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid

from sqlalchemy import create_engine, insert

from labtrack.store.sql import tables
from labtrack.tracking.client import TrackingClient

PARAM_NAMES = ["n_estimators", "max_depth", "min_samples_leaf", "min_weight_fraction_leaf"]


def main(home: str, name: str, count: int, keys: int) -> None:
    client = TrackingClient(home)
    experiment_id = client.create_experiment(
        name, tags={"mlflow.experiment.sourceType": "NOTEBOOK"}
    )
    artifact_root = client.get_experiment(experiment_id).artifact_location.rstrip("/")
    rng = random.Random(0)
    now = int(time.time() * 1000)
    runs, params, tags, metrics, ids = [], [], [], [], []
    for i in range(count):
        run_id = uuid.uuid4().hex
        ids.append(run_id)
        start = now - (count - i) * 1000
        runs.append(
            {
                "run_uuid": run_id,
                "name": f"run-{i:05d}",
                "experiment_id": int(experiment_id),
                "user_id": "bench",
                "status": "FINISHED",
                "start_time": start,
                "end_time": start + 500,
                "lifecycle_stage": "active",
                "artifact_uri": f"{artifact_root}/{run_id}/artifacts",
                "last_update_time": start + 500,
            }
        )
        tags.append({"run_uuid": run_id, "key": "mlflow.runName", "value": f"run-{i:05d}"})
        for k in range(keys):
            base = PARAM_NAMES[k % len(PARAM_NAMES)]
            params.append(
                {"run_uuid": run_id, "key": f"{base}_{k:02d}", "value": str(rng.randint(1, 9))}
            )
            metrics.append(
                {
                    "run_uuid": run_id,
                    "key": f"training_metric_{k:02d}",
                    "value": rng.random(),
                    "is_nan": False,
                    "timestamp": start,
                    "step": 0,
                    "min_value": None,
                    "max_value": None,
                    "count": 1,
                }
            )
    engine = create_engine(f"sqlite:///{home}/labtrack.db")
    with engine.begin() as conn:
        conn.execute(insert(tables.runs), runs)
        conn.execute(insert(tables.tags), tags)
        if params:
            conn.execute(insert(tables.params), params)
            conn.execute(insert(tables.latest_metrics), metrics)
            conn.execute(
                insert(tables.metrics),
                [
                    {k: m[k] for k in ("run_uuid", "key", "value", "is_nan", "timestamp", "step")}
                    for m in metrics
                ],
            )
    engine.dispose()
    print(json.dumps({"experiment_id": experiment_id, "run_ids": ids}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
