"""Bundles: export runs of one store, import them into another under new ids."""

from __future__ import annotations

import json
import math
import zipfile

import pytest
from click.testing import CliRunner

from labtrack.cli import cli
from labtrack.entities import RunTag, ViewType
from labtrack.errors import InvalidParameterError, InvalidStateError
from labtrack.share import (
    BUNDLE_FORMAT_VERSION,
    IMPORTED_FROM,
    export_runs,
    import_bundle,
)
from tests.share.conftest import make_run


def test_a_run_travels_whole_into_another_store(source, target, tmp_path):
    rid = make_run(source)
    bundle = tmp_path / "bundle.zip"
    summary = export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    assert summary.run_ids == [rid] and summary.artifact_files == 2 and summary.blobs == 2

    result = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)
    new_id = result.mapping[rid]
    assert new_id != rid
    run = target.get_run(new_id)
    old = source.get_run(rid)
    assert run.info.run_name == "baseline"
    assert (run.info.status, run.info.start_time, run.info.end_time) == (
        "FINISHED",
        1_700_000_000_000,
        1_700_000_001_000,
    )
    assert run.data.params == old.data.params
    assert run.data.tags[IMPORTED_FROM] == rid
    assert {k: v for k, v in run.data.tags.items() if k != IMPORTED_FROM} == old.data.tags
    history = target.get_metric_history(new_id, "loss")
    assert [(m.step, m.timestamp) for m in history] == [
        (0, 1_700_000_000_100),
        (1, 1_700_000_000_200),
        (2, 1_700_000_000_300),
    ]
    assert [m.value for m in history][:2] == [0.5, 0.25] and math.isnan(history[2].value)
    assert run.data.metrics["best"] == math.inf
    assert target.load_text(new_id, "notes/summary.txt") == "accuracy 0.93"
    # The model's descriptor names the run it now lives in.
    assert f"run_id: {new_id}" in target.load_text(new_id, "model/MLmodel")
    # Notebook version and environment came along, under the same digests.
    digest = run.data.tags["labtrack.notebook.revision"]
    assert target.store.get_blob(digest) == source.store.get_blob(digest)
    exp = target.get_experiment(run.info.experiment_id)
    assert exp.name == "/Team/churn" and exp.tags["team"] == "x"
    assert result.created_experiments == ["/Team/churn"]


def test_bundle_layout_is_the_documented_one(source, tmp_path):
    rid = make_run(source)
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        run = json.loads(zf.read(f"runs/{rid}/run.json"))
        experiments = json.loads(zf.read("experiments.json"))
    assert manifest["format"] == "labtrack-bundle"
    assert manifest["format_version"] == BUNDLE_FORMAT_VERSION
    assert {"labtrack_version", "exported_at", "runs", "blobs"} <= set(manifest)
    assert manifest["runs"] == [rid]
    assert {
        f"runs/{rid}/artifacts/notes/summary.txt",
        f"runs/{rid}/artifacts/model/MLmodel",
    } <= names
    assert {f"blobs/{d}" for d in manifest["blobs"]} <= names
    assert run["metrics"]["loss"] == {
        "step": [0, 1, 2],
        "timestamp": [1_700_000_000_100, 1_700_000_000_200, 1_700_000_000_300],
        "value": [0.5, 0.25, "NaN"],
    }
    assert run["metrics"]["best"]["value"] == ["Infinity"]
    assert run["info"]["run_id"] == rid and run["params"]["alpha"] == "0.5"
    assert [e["name"] for e in experiments] == ["/Team/churn"]


def test_children_come_along_and_parent_links_are_remapped(source, target, tmp_path):
    parent = make_run(source, name="search")
    child = make_run(source, name="fold-1", parent=parent, artifacts=False)
    grandchild = make_run(source, name="inner", parent=child, artifacts=False)
    bundle = tmp_path / "b.zip"
    summary = export_runs([parent], bundle, tracking_uri=source.tracking_uri, progress=False)
    assert set(summary.run_ids) == {parent, child, grandchild}
    mapping = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False).mapping
    assert target.get_run(mapping[child]).data.tags["mlflow.parentRunId"] == mapping[parent]
    assert target.get_run(mapping[grandchild]).data.tags["mlflow.parentRunId"] == mapping[child]


def test_a_parent_left_out_is_not_linked(source, target, tmp_path):
    parent = make_run(source, name="search")
    child = make_run(source, name="fold-1", parent=parent, artifacts=False)
    bundle = tmp_path / "b.zip"
    export_runs([child], bundle, tracking_uri=source.tracking_uri, progress=False)
    mapping = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False).mapping
    assert "mlflow.parentRunId" not in target.get_run(mapping[child]).data.tags


def test_importing_twice_skips_the_runs_already_imported(source, target, tmp_path):
    rid = make_run(source)
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    first = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)
    second = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)
    assert second.mapping == first.mapping and second.skipped == [rid]
    assert len(target.search_runs([target.get_run(first.mapping[rid]).info.experiment_id])) == 1


def test_import_into_a_named_experiment(source, target, tmp_path):
    rid = make_run(source)
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    result = import_bundle(bundle, "/Me/review", tracking_uri=target.tracking_uri, progress=False)
    exp = target.get_experiment(target.get_run(result.mapping[rid]).info.experiment_id)
    assert exp.name == "/Me/review"
    assert "team" not in exp.tags  # the source experiment's tags stay with the source


def test_an_experiment_deleted_in_the_target_is_an_error(source, target, tmp_path):
    rid = make_run(source)
    target.delete_experiment(target.create_experiment("/Team/churn"))
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    with pytest.raises(InvalidStateError, match="deleted in this store"):
        import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)


def test_a_whole_experiment_with_its_deleted_runs(source, target, tmp_path):
    keep = make_run(source, name="keep", artifacts=False)
    gone = make_run(source, name="gone", artifacts=False)
    source.delete_run(gone)
    bundle = tmp_path / "b.zip"
    active = export_runs(
        path=bundle, experiments="/Team/churn", tracking_uri=source.tracking_uri, progress=False
    )
    assert active.run_ids == [keep]
    export_runs(
        path=bundle,
        experiments=["/Team/churn"],
        include_deleted=True,
        tracking_uri=source.tracking_uri,
        progress=False,
    )
    mapping = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False).mapping
    assert target.get_run(mapping[gone]).info.lifecycle_stage == "deleted"
    exp_id = target.get_run(mapping[keep]).info.experiment_id
    assert len(target.search_runs([exp_id], run_view_type=ViewType.ALL)) == 2


def test_nothing_to_export_is_an_error(source, tmp_path):
    with pytest.raises(InvalidParameterError, match="Name runs"):
        export_runs(path=tmp_path / "b.zip", tracking_uri=source.tracking_uri)


def test_not_a_bundle_and_newer_bundles_are_refused(target, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    with pytest.raises(InvalidParameterError, match="not a labtrack bundle"):
        import_bundle(junk, tracking_uri=target.tracking_uri)
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(newer, "w") as zf:
        zf.writestr(
            "manifest.json", json.dumps({"format": "labtrack-bundle", "format_version": 99})
        )
        zf.writestr("experiments.json", "[]")
    with pytest.raises(InvalidParameterError, match="Upgrade labtrack"):
        import_bundle(newer, tracking_uri=target.tracking_uri)


def test_an_artifact_path_leaving_the_run_is_refused(source, target, tmp_path):
    rid = make_run(source, artifacts=False)
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    with zipfile.ZipFile(bundle, "a") as zf:
        zf.writestr(f"runs/{rid}/artifacts/../../../evil.txt", "x")
    with pytest.raises(InvalidParameterError):
        import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)
    assert not (tmp_path / "evil.txt").exists()
    assert target.get_experiment_by_name("/Team/churn") is None  # refused before any write


def test_a_run_that_fails_half_way_is_not_taken_for_imported(source, target, tmp_path, monkeypatch):
    from labtrack.errors import StoreError
    from labtrack.store.artifacts import ArtifactRepository

    rid = make_run(source)
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)

    def disk_full(self, local_dir, artifact_path=None):  # type: ignore[no-untyped-def]
        raise StoreError("disk full")

    with monkeypatch.context() as m:
        m.setattr(ArtifactRepository, "log_artifacts", disk_full)
        with pytest.raises(StoreError):
            import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)
    exp = target.get_experiment_by_name("/Team/churn")
    assert exp is not None
    (half,) = target.search_runs([exp.experiment_id], run_view_type=ViewType.ALL)
    assert half.info.lifecycle_stage == "deleted" and IMPORTED_FROM not in half.data.tags
    again = import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)
    assert again.skipped == [] and target.get_run(again.mapping[rid]).info.status == "FINISHED"


def test_a_corrupt_blob_is_refused(source, target, tmp_path):
    rid = make_run(source, artifacts=False)
    bundle = tmp_path / "b.zip"
    export_runs([rid], bundle, tracking_uri=source.tracking_uri, progress=False)
    with zipfile.ZipFile(bundle) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    digest = next(n for n in items if n.startswith("blobs/"))
    items[digest] = b"tampered"
    with zipfile.ZipFile(bundle, "w") as zf:
        for n, data in items.items():
            zf.writestr(n, data)
    with pytest.raises(InvalidParameterError, match="corrupt"):
        import_bundle(bundle, tracking_uri=target.tracking_uri, progress=False)


def test_cli_export_and_import(source, target, tmp_path):
    rid = make_run(source)
    bundle = str(tmp_path / "cli.zip")
    out = CliRunner().invoke(
        cli, ["--tracking-uri", source.tracking_uri, "runs", "export", rid, "-o", bundle], obj={}
    )
    assert out.exit_code == 0, out.output
    assert "Exported 1 run(s) of 1 experiment(s)" in out.output
    out = CliRunner().invoke(
        cli,
        ["--tracking-uri", target.tracking_uri, "runs", "import", bundle, "-e", "/imported"],
        obj={},
    )
    assert out.exit_code == 0, out.output
    assert "Imported 1 run(s)" in out.output and f"{rid} -> " in out.output
    assert target.get_experiment_by_name("/imported") is not None


def test_cli_export_needs_an_output_or_a_target(source):
    out = CliRunner().invoke(cli, ["--tracking-uri", source.tracking_uri, "runs", "export", "x"])
    assert out.exit_code == 2 and "-o bundle.zip" in out.output
    out = CliRunner().invoke(
        cli, ["--tracking-uri", source.tracking_uri, "runs", "export", "x", "--format", "mlflow"]
    )
    assert out.exit_code == 2 and "--to" in out.output
    out = CliRunner().invoke(cli, ["--tracking-uri", source.tracking_uri, "runs", "import"])
    assert out.exit_code == 2 and "--from-mlflow" in out.output


def test_exporting_a_running_run_warns(source, tmp_path):
    run = source.create_run("0", run_name="live")
    with pytest.warns(UserWarning, match="still running"):
        export_runs([run.info.run_id], tmp_path / "b.zip", tracking_uri=source.tracking_uri)


def _with_legacy_tag_names(bundle, out):
    """A copy of ``bundle`` as labtrack wrote bundles before it used MLflow's tag names."""
    from labtrack.utils.mlflow_tags import LEGACY_NAMES

    back = {new: old for old, new in LEGACY_NAMES.items()}
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(out, "w") as dst:
        for entry in src.infolist():
            data = src.read(entry)
            if entry.filename.endswith("run.json"):
                run = json.loads(data)
                run["tags"] = {back.get(k, k): v for k, v in run["tags"].items()}
                if run["tags"].get("labtrack.source.type") == "LOCAL":
                    run["tags"]["labtrack.source.type"] = "SCRIPT"
                data = json.dumps(run).encode()
            elif entry.filename == "experiments.json":
                exps = json.loads(data)
                for exp in exps:
                    exp["tags"] = {back.get(k, k): v for k, v in exp["tags"].items()}
                data = json.dumps(exps).encode()
            dst.writestr(entry, data)


def test_a_bundle_with_the_older_labtrack_tag_names_imports_with_mlflow_names(
    source, target, tmp_path
):
    parent = make_run(source, name="parent")
    child = make_run(source, name="child", parent=parent, artifacts=False)
    tags = [RunTag("mlflow.note.content", "a description"), RunTag("mlflow.source.type", "LOCAL")]
    source.store.log_batch(parent, tags=tags, allow_terminated=True)
    source.set_experiment_tag(source.get_run(parent).info.experiment_id, "mlflow.note.content", "x")
    bundle, old = tmp_path / "new.zip", tmp_path / "old.zip"
    export_runs([parent], bundle, tracking_uri=source.tracking_uri, progress=False)
    _with_legacy_tag_names(bundle, old)
    with zipfile.ZipFile(old) as zf:
        assert "labtrack.parentRunId" in zf.read(f"runs/{child}/run.json").decode()

    mapping = import_bundle(old, tracking_uri=target.tracking_uri, progress=False).mapping
    new_parent, new_child = target.get_run(mapping[parent]), target.get_run(mapping[child])
    assert new_child.data.tags["mlflow.parentRunId"] == mapping[parent]
    assert new_parent.data.tags["mlflow.note.content"] == "a description"
    assert new_parent.data.tags["mlflow.source.type"] == "LOCAL"
    assert new_parent.data.tags["mlflow.runName"] == "parent"
    assert not [k for k in new_parent.data.tags if k.startswith("labtrack.") and "Run" in k]
    assert "labtrack.runName" not in new_child.data.tags
    exp = target.get_experiment(new_parent.info.experiment_id)
    assert exp.tags["mlflow.note.content"] == "x"
