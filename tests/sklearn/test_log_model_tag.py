"""A logged model marks its run, so "has a logged model" can be searched."""

from __future__ import annotations

import json

import labtrack
import labtrack.sklearn


def test_log_model_records_the_model_on_the_run():
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    with labtrack.start_run() as run:
        labtrack.sklearn.log_model(model, "model")
    with labtrack.start_run() as bare:
        pass
    history = json.loads(labtrack.get_run(run.info.run_id).data.tags["mlflow.log-model.history"])
    assert [h["artifact_path"] for h in history] == ["model"]
    assert "sklearn" in history[0]["flavors"]
    found = labtrack.search_runs(
        filter_string="tags.`mlflow.log-model.history` IS NOT NULL", output_format="list"
    )
    assert [r.info.run_id for r in found] == [run.info.run_id]
    assert bare.info.run_id not in [r.info.run_id for r in found]
