"""The conformance harness's own parts, tested without MLflow: the import swap, the
normalizer, the comparison and the snippet headers. A harness that cannot fail measures nothing.
"""

from __future__ import annotations

import copy

import pytest

from tests.conformance import corpus
from tests.conformance.compare import compare, diff
from tests.conformance.normalize import normalize, run_name
from tests.conformance.rewrite import swap_imports
from tests.conformance.verdict import causes, judge


@pytest.mark.parametrize(
    ("mlflow", "labtrack"),
    [
        ("import mlflow\n", "import labtrack as mlflow\n"),
        ("import mlflow.sklearn\n", "import labtrack.sklearn; import labtrack as mlflow\n"),
        ("import mlflow.pyfunc as pf\n", "import labtrack.pyfunc as pf\n"),
        ("import mlflow as ml\n", "import labtrack as ml\n"),
        ("from mlflow import MlflowClient\n", "from labtrack import MlflowClient\n"),
        (
            "from mlflow.tracking import MlflowClient\n",
            "from labtrack.tracking import MlflowClient\n",
        ),
        (
            "from mlflow.models import (\n    infer_signature,\n)\n",
            "from labtrack.models import (\n    infer_signature,\n)\n",
        ),
        (
            "    import mlflow  # inside a function\n",
            "    import labtrack as mlflow  # inside a function\n",
        ),
        ("import os, mlflow\n", "import os, labtrack as mlflow\n"),
    ],
)
def test_swap_imports_rewrites_each_import_form(mlflow: str, labtrack: str) -> None:
    assert swap_imports(mlflow) == labtrack


@pytest.mark.parametrize(
    "untouched",
    [
        'mlflow.set_tag("mlflow.runName", "x")\n',
        'uri = "models:/mlflow_model/1"\n',
        "import mlflowish\n",
        "from mlflow_extra import thing\n",
        "# import mlflow\n",
        'text = "from mlflow import x"\n',
    ],
)
def test_swap_imports_leaves_everything_else_alone(untouched: str) -> None:
    assert swap_imports(untouched) == untouched


def test_swap_imports_keeps_line_numbers() -> None:
    source = "import mlflow\nimport mlflow.sklearn\n\nfrom mlflow.entities import Metric\nx = 1\n"
    assert len(swap_imports(source).splitlines()) == len(source.splitlines())


RUN_A = "a" * 32
RUN_B = "b" * 32


def _raw() -> dict:
    def run(run_id: str, name: str, start: int, tags: dict) -> dict:
        return {
            "run_id": run_id,
            "experiment_id": "7",
            "name": name,
            "status": "FINISHED",
            "lifecycle_stage": "active",
            "start_time": start,
            "params": {"alpha": "0.5"},
            "metrics": {"rmse": {"last": 0.5, "history": [[0, 0.5]]}},
            "tags": {"mlflow.runName": name, "mlflow.user": "someone", **tags},
            "artifacts": ["model/MLmodel"],
            "inputs": [],
        }

    return {
        "experiments": [
            {"experiment_id": "0", "name": "Default", "lifecycle_stage": "active", "tags": {}},
            {"experiment_id": "7", "name": "exp", "lifecycle_stage": "active", "tags": {}},
        ],
        "runs": [
            # The child first in the raw order: normalization orders by start time.
            run(RUN_B, "child", 20, {"mlflow.parentRunId": RUN_A}),
            run(RUN_A, "bright-fox-123", 10, {"mlflow.source.name": "/tmp/lt-conf-x/snippet.py"}),
        ],
        "registered_models": [],
        "logged_models": [],
    }


def test_normalize_orders_runs_by_nesting_not_by_raw_order_and_rewrites_ids() -> None:
    record = normalize(_raw(), [{"run_id": RUN_A}, f"runs:/{RUN_B}/model", "calm-owl-12"])
    assert [r["name"] for r in record["runs"]] == ["<generated>", "child"]
    assert record["runs"][1]["tags"]["mlflow.parentRunId"] == "<run:0>"
    assert record["results"] == [{"run_id": "<run:0>"}, "runs:/<run:1>/model", "<generated>"]
    assert record["runs"][0]["experiment"] == "exp"


def test_normalize_orders_runs_with_one_start_time_by_content() -> None:
    raw = _raw()
    siblings = copy.deepcopy(raw["runs"][0])
    for run in (raw["runs"][0], siblings):
        run["start_time"] = 20
        run["name"] = "quiet-owl-7" if run is siblings else "loud-cat-9"
    siblings["run_id"] = "c" * 32
    siblings["params"] = {"alpha": "0.1"}
    raw["runs"].append(siblings)
    flipped = copy.deepcopy(raw)
    flipped["runs"].reverse()
    assert normalize(raw) == normalize(flipped)
    assert [r["params"]["alpha"] for r in normalize(raw)["runs"]] == ["0.5", "0.1", "0.5"]


def test_normalize_keeps_timing_metrics_steps_but_not_values() -> None:
    raw = _raw()
    raw["runs"][0]["metrics"]["mean_fit_time"] = {"last": 0.0123, "history": [[0, 0.0123]]}
    metrics = normalize(raw)["runs"][1]["metrics"]
    assert metrics["mean_fit_time"] == {"last": "<timing>", "history": [[0, "<timing>"]]}
    assert metrics["rmse"]["last"] == 0.5


def test_normalize_drops_user_path_tags_and_an_unused_default_experiment() -> None:
    record = normalize(_raw())
    tags = record["runs"][0]["tags"]
    assert "mlflow.user" not in tags and "mlflow.source.name" not in tags
    assert [e["name"] for e in record["experiments"]] == ["exp"]


def test_normalize_hides_the_working_folder() -> None:
    record = normalize(
        _raw(), ["/tmp/work1/mlruns/0/x", "file:///tmp/work1/a"], workdir="/tmp/work1"
    )
    assert record["results"] == ["<workdir>/mlruns/0/x", "<workdir>/a"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("bright-fox-123", "<generated>"), ("baseline", "baseline"), ("run_1", "run_1"), (None, None)],
)
def test_generated_run_names_are_hidden(name: str | None, shown: str | None) -> None:
    assert run_name(name) == shown


def test_compare_finds_each_difference_between_hand_made_records() -> None:
    mlflow = normalize(_raw(), [1.0, ["a"]])
    labtrack = copy.deepcopy(mlflow)
    labtrack["runs"][0]["params"]["alpha"] = "0.50"
    labtrack["runs"][1]["tags"].pop("mlflow.parentRunId")
    labtrack["results"][1] = ["a", "b"]
    found = {str(d.path) for d in compare(mlflow, labtrack)}
    assert found == {
        "runs[0].params.alpha",
        "runs[1].tags.mlflow.parentRunId",
        "results[1] (only in each)",
    }


def test_compare_lists_of_values_by_content_then_order() -> None:
    (extra,) = diff(["a.txt", "model/MLmodel"], ["model/MLmodel", "b.png"], "artifacts")
    assert (extra.path, extra.expected, extra.actual) == (
        "artifacts (only in each)",
        ["a.txt"],
        ["b.png"],
    )
    (order,) = diff(["run_2", "run_1"], ["run_1", "run_2"], "results[0]")
    assert order.path == "results[0] (order)"
    assert diff([{"a": 1}], [{"a": 2}], "x")[0].path == "x[0].a"


def test_compare_equal_records_and_float_noise() -> None:
    mlflow = normalize(_raw(), [0.1 + 0.2])
    labtrack = copy.deepcopy(mlflow)
    labtrack["results"] = [0.3]
    assert compare(mlflow, labtrack) == []
    assert diff(1.0, 1.001) != []
    assert diff(True, 1) != []


def test_compare_ignores_an_unreadable_section_only_when_the_other_side_is_empty() -> None:
    mlflow = {"logged_models": [], "registered_models": [{"name": "m"}]}
    labtrack = {"logged_models": {"absent": "x"}, "registered_models": {"reader_error": "boom"}}
    assert [d.path for d in compare(mlflow, labtrack)] == ["registered_models"]


def test_judge_reports_an_error_under_labtrack_before_differences() -> None:
    snippet = corpus.load()[0]
    golden = normalize(_raw())
    golden["error"] = None
    record = dict(golden, error="AttributeError: module 'labtrack' has no attribute 'x'", runs=[])
    verdict = judge(snippet, golden, record)
    assert verdict.status == "error"
    assert verdict.reason.startswith("AttributeError")
    assert causes(verdict) == {"raises AttributeError: module 'labtrack' has no attribute 'x'"}
    assert judge(snippet, golden, copy.deepcopy(golden)).status == "pass"


def test_every_snippet_has_headers_and_a_known_mlflow_line(tmp_path) -> None:
    assert len(corpus.load()) >= 50
    bad = tmp_path / "bad.py"
    bad.write_text("# Source: x\n# Area: tracking\nimport mlflow\n")
    with pytest.raises(ValueError, match="(?i)mlflow"):
        corpus.parse(bad)


def test_results_reads_only_result_lines() -> None:
    assert corpus.results('noise\nRESULT {"a": 1}\nRESULT not json\nRESULTS 3\n') == [
        {"a": 1},
        {"unparsable": "not json"},
    ]


def test_a_run_name_written_in_the_snippet_is_not_taken_for_a_generated_one() -> None:
    raw = _raw()
    raw["runs"][1]["name"] = "platform-run-24"
    source = 'client.create_run("0", run_name="platform-run-24")'
    record = normalize(raw, ["platform-run-24", "calm-owl-12"], source=source)
    assert record["runs"][0]["name"] == "platform-run-24"
    assert record["results"] == ["platform-run-24", "<generated>"]


def test_normalize_hides_uuids_and_epoch_millis_in_strings() -> None:
    name = "images/dogs+step+0+timestamp+1796634688997+30335c74-d3bf-4b69-a66c-9772deb24a50.png"
    assert normalize(_raw(), [name])["results"] == [
        "images/dogs+step+0+timestamp+<time>+<uuid>.png"
    ]


def test_unstable_paths_are_dropped_from_every_run() -> None:
    raw = _raw()
    raw["runs"][0]["inputs"] = [{"name": "dataset"}]
    record = normalize(raw, unstable=("runs[].inputs",))
    assert all("inputs" not in run for run in record["runs"])
    assert all("params" in run for run in record["runs"])


def test_report_counts_only_same_results_as_unchanged() -> None:
    from tests.conformance import report

    snippets = corpus.load()[:3]
    golden = normalize(_raw())
    golden["error"] = None
    differs = dict(golden, results=["other"])
    raised = dict(golden, error="KeyError: 'tags.mlflow.runName'")
    verdicts = [
        judge(snippets[0], golden, copy.deepcopy(golden)),
        judge(snippets[1], golden, differs),
        judge(snippets[2], golden, raised),
    ]
    text = report.render(verdicts)
    assert "**1 of 3 run unchanged with the same results.**" in text
    assert "2 of 3 run to the end without an exception" in text
    assert "| 1 | raises KeyError: 'tags.mlflow.runName' |" in text
