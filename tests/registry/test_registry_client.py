"""The registry through ``import labtrack as mlflow``: sources stay inside the store, every
``models:/`` form loads, ``log_model(registered_model_name=...)`` registers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import labtrack as mlflow
import labtrack.pyfunc
import labtrack.sklearn
from labtrack.errors import InvalidParameterError, InvalidStateError, ResourceNotFoundError
from labtrack.utils.mlflow_tags import REGISTERED_MODELS
from tests.registry.conftest import fit_forest, log_forest


def _run_id(uri: str) -> str:
    return uri.split("/")[1]


def test_register_model_references_the_run_artifact_in_place(home: Path, diabetes: Any) -> None:
    uri = log_forest(diabetes)

    mv = mlflow.register_model(uri, "diabetes", tags={"data": "v1"})

    run = mlflow.get_run(_run_id(uri))
    # MLflow 3: runs:/<run>/model is the logged model the run logged as "model".
    (output,) = run.outputs.model_outputs
    logged = mlflow.get_logged_model(output.model_id)
    assert (mv.name, mv.version, mv.run_id) == ("diabetes", 1, run.info.run_id)
    assert mv.source == logged.artifact_location and mv.model_id == logged.model_id
    assert mv.tags == {"data": "v1"} and mv.user_id
    assert mlflow.register_model(uri, "diabetes").version == 2  # the model exists: a version


def test_log_model_with_registered_model_name_registers_and_tags_the_run(
    home: Path, diabetes: Any
) -> None:
    X, _ = diabetes
    with mlflow.start_run() as run:
        info = labtrack.sklearn.log_model(
            fit_forest(diabetes), name="model", input_example=X[:2], registered_model_name="diab"
        )

    client = mlflow.TrackingClient()
    mv = client.get_model_version("diab", 1)
    assert mv.run_id == run.info.run_id and info.model_uri == f"models:/{info.model_id}"
    assert info.registered_model_version == 1 and mv.model_id == info.model_id
    assert json.loads(client.get_logged_model(info.model_id).tags["mlflow.modelVersions"]) == [
        {"name": "diab", "version": 1}
    ]
    tags = mlflow.get_run(run.info.run_id).data.tags
    assert json.loads(tags[REGISTERED_MODELS]) == ["diab"]
    found = mlflow.search_runs(filter_string=f"tags.`{REGISTERED_MODELS}` IS NOT NULL")
    assert list(found["run_id"]) == [run.info.run_id]


def test_every_models_uri_form_loads_through_pyfunc_and_sklearn(home: Path, diabetes: Any) -> None:
    X, _ = diabetes
    first, second = log_forest(diabetes), log_forest(diabetes, sign=-1)
    mlflow.register_model(first, "diab")
    mlflow.register_model(second, "diab")
    client = mlflow.TrackingClient()
    client.transition_model_version_stage("diab", 1, "Production")
    client.transition_model_version_stage("diab", 2, "Staging")
    client.set_registered_model_alias("diab", "champion", 1)

    expected = {
        "models:/diab/1": 1,
        "models:/diab/2": -1,
        "models:/diab/Production": 1,
        "models:/diab/production": 1,
        "models:/diab/Staging": -1,
        "models:/diab/latest": -1,
        "models:/diab@champion": 1,
    }
    for uri, sign in expected.items():
        pyfunc_pred = labtrack.pyfunc.load_model(uri).predict(X[:3])
        sk_pred = labtrack.sklearn.load_model(uri).predict(X[:3])
        assert np.all(np.sign(pyfunc_pred) == sign), uri
        assert np.allclose(pyfunc_pred, sk_pred), uri


def test_models_uri_with_dst_path_copies_the_files(
    home: Path, diabetes: Any, tmp_path: Path
) -> None:
    mlflow.register_model(log_forest(diabetes), "diab")

    local = labtrack.models.download_model("models:/diab/1", str(tmp_path / "copy"))

    assert Path(local, "MLmodel").is_file() and str(tmp_path) in local


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("models:/diab/Staging", "no version in stage 'Staging'"),
        ("models:/diab/7", "version 7"),
        ("models:/diab@nobody", "no alias 'nobody'"),
        ("models:/diab/champion", "an alias is written models:/diab@champion"),
        ("models:/nope/1", "'nope' not found"),
        ("models:/diab", "models:/<name>/<version>"),
    ],
)
def test_models_uri_errors_say_what_to_do(
    home: Path, diabetes: Any, uri: str, message: str
) -> None:
    mlflow.register_model(log_forest(diabetes), "diab")

    with pytest.raises((InvalidParameterError, ResourceNotFoundError), match=message):
        labtrack.pyfunc.load_model(uri)


def test_a_local_folder_is_copied_into_the_store(home: Path, diabetes: Any, tmp_path: Path) -> None:
    folder = tmp_path / "outside"
    labtrack.sklearn.save_model(fit_forest(diabetes), str(folder))

    mv = mlflow.register_model(str(folder), "diab")

    root = mlflow.TrackingClient().location.artifact_root
    assert mv.source.startswith(f"{root}/models/diab/") and mv.run_id is None
    assert Path(mv.source, "MLmodel").is_file()
    folder.joinpath("MLmodel").unlink()  # the store's copy does not depend on the original
    assert labtrack.pyfunc.load_model("models:/diab/1").predict(diabetes[0][:1]).shape == (1,)


def test_a_path_inside_the_store_is_referenced_not_copied(home: Path, diabetes: Any) -> None:
    uri = log_forest(diabetes)
    output = mlflow.get_run(_run_id(uri)).outputs.model_outputs[0]
    artifact = mlflow.get_logged_model(output.model_id).artifact_location
    _create("diab")

    mv = mlflow.TrackingClient().create_model_version("diab", artifact, run_id=_run_id(uri))

    assert mv.source == os.path.realpath(artifact)


def _create(name: str) -> None:
    mlflow.TrackingClient().create_registered_model(name)


@pytest.mark.parametrize(
    "source",
    [
        "file:///tmp/model",
        "http://example.com/model",
        "https://example.com/model.tar.gz",
        "s3://somebody-elses-bucket/model",
        "gs://bucket/model",
    ],
)
def test_sources_outside_the_store_are_refused(home: Path, source: str) -> None:
    _create("diab")

    with pytest.raises(InvalidParameterError, match="must be inside the store"):
        mlflow.TrackingClient().create_model_version("diab", source)
    assert mlflow.TrackingClient().search_model_versions("name='diab'") == []


@pytest.mark.parametrize(
    "path", ["../../other/artifacts/model", "model/../../x", "/etc", "%2e%2e/x", "..%2fx"]
)
def test_run_paths_that_leave_the_run_are_refused(home: Path, diabetes: Any, path: str) -> None:
    run_id = _run_id(log_forest(diabetes))
    _create("diab")

    with pytest.raises(InvalidParameterError):
        mlflow.TrackingClient().create_model_version_from_run("diab", run_id, path)


def test_a_symlink_out_of_the_run_is_refused(home: Path, diabetes: Any, tmp_path: Path) -> None:
    run_id = _run_id(log_forest(diabetes))
    outside = tmp_path / "outside"
    labtrack.sklearn.save_model(fit_forest(diabetes), str(outside))
    artifacts = Path(mlflow.get_run(run_id).info.artifact_uri)
    artifacts.mkdir(parents=True, exist_ok=True)  # the model itself is kept with the model
    (artifacts / "escape").symlink_to(outside, target_is_directory=True)
    _create("diab")

    with pytest.raises(InvalidParameterError, match="outside the run's artifact root"):
        mlflow.TrackingClient().create_model_version_from_run("diab", run_id, "escape")


def test_a_folder_without_mlmodel_is_not_a_model(home: Path, diabetes: Any) -> None:
    uri = log_forest(diabetes)
    _create("diab")

    with pytest.raises(InvalidParameterError, match="no MLmodel file"):
        mlflow.register_model(uri.rsplit("/", 1)[0] + "/nothing-here", "diab")


def test_a_deleted_run_cannot_be_registered(home: Path, diabetes: Any) -> None:
    uri = log_forest(diabetes)
    mlflow.delete_run(_run_id(uri))

    with pytest.raises(InvalidStateError, match="restore it"):
        mlflow.register_model(uri, "diab")


def test_registry_methods_exist_with_mlflow_names() -> None:
    names = """create_registered_model get_registered_model search_registered_models
    rename_registered_model update_registered_model delete_registered_model create_model_version
    get_model_version search_model_versions update_model_version delete_model_version
    transition_model_version_stage get_latest_versions set_registered_model_alias
    delete_registered_model_alias get_model_version_by_alias set_registered_model_tag
    delete_registered_model_tag set_model_version_tag delete_model_version_tag
    get_model_version_download_uri""".split()  # noqa: SIM905

    assert [n for n in names if not callable(getattr(mlflow.MlflowClient, n, None))] == []
    assert callable(mlflow.register_model)


def test_an_s3_artifact_root_keeps_every_version_inside_the_bucket(
    home: Path, diabetes: Any, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABTRACK_ARTIFACT_ROOT", f"{s3_bucket}/artifacts")
    mlflow.set_tracking_uri(None)
    X, _ = diabetes
    uri = log_forest(diabetes)
    folder = tmp_path / "local-model"
    labtrack.sklearn.save_model(fit_forest(diabetes, sign=-1), str(folder))

    from_run = mlflow.register_model(uri, "diab")
    copied = mlflow.register_model(str(folder), "diab")

    assert from_run.source.startswith(f"{s3_bucket}/artifacts/0/")
    assert copied.source.startswith(f"{s3_bucket}/artifacts/models/diab/")
    assert np.all(labtrack.pyfunc.load_model("models:/diab/1").predict(X[:2]) > 0)
    assert np.all(labtrack.pyfunc.load_model("models:/diab/2").predict(X[:2]) < 0)
    with pytest.raises(InvalidParameterError, match="must be inside the store"):
        mlflow.register_model(f"{s3_bucket}-other/model", "diab")


def test_copy_model_version_makes_the_next_version_of_another_model(
    home: Path, diabetes: Any
) -> None:
    X, _ = diabetes
    uri = log_forest(diabetes)
    client = mlflow.TrackingClient()
    src = mlflow.register_model(uri, "staging-model", tags={"data": "v1"})
    client.update_model_version("staging-model", src.version, description="good one")
    client.set_registered_model_alias("staging-model", "champion", src.version)

    copy = client.copy_model_version("models:/staging-model@champion", "prod-model")
    assert (copy.name, copy.version, copy.run_id) == ("prod-model", 1, src.run_id)
    assert copy.tags == {"data": "v1"} and copy.description == "good one"
    assert copy.source == src.source  # the same files, read in place
    again = client.copy_model_version("models:/staging-model/1", "prod-model")
    assert again.version == 2
    loaded = mlflow.pyfunc.load_model("models:/prod-model/2")
    assert loaded.predict(X[:3]).tolist() == mlflow.pyfunc.load_model(uri).predict(X[:3]).tolist()
    with pytest.raises(InvalidParameterError, match="models:/<name>/<version>"):
        client.copy_model_version(uri, "prod-model")


def test_fluent_registry_searches_return_every_match(home: Path) -> None:
    client = mlflow.TrackingClient()
    for name in ("churn-a", "churn-b", "other"):
        client.create_registered_model(name)
    assert [
        m.name for m in mlflow.search_registered_models(filter_string="name LIKE 'churn%'")
    ] == [
        "churn-a",
        "churn-b",
    ]
    assert len(mlflow.search_registered_models(max_results=2)) == 2
    assert mlflow.search_model_versions(filter_string="name = 'other'") == []


def test_a_model_saved_into_the_runs_own_files_is_registered_from_there(
    home: Path, diabetes: Any, tmp_path: Path
) -> None:
    """A 2.x layout (the model folder inside the run's artifacts) still wins for runs:/ URIs."""
    folder = tmp_path / "m"
    labtrack.sklearn.save_model(fit_forest(diabetes), str(folder))
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(folder), "model")

    mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", "diab")

    assert mv.source == f"{mlflow.get_run(run.info.run_id).info.artifact_uri}/model"
    assert mv.model_id is None


def test_models_uri_of_a_logged_model_registers_and_loads(home: Path, diabetes: Any) -> None:
    X, _ = diabetes
    with mlflow.start_run():
        info = labtrack.sklearn.log_model(fit_forest(diabetes), name="forest")

    mv = mlflow.register_model(f"models:/{info.model_id}", "diab")

    assert mv.model_id == info.model_id and mv.run_id == info.run_id
    by_version = labtrack.sklearn.load_model("models:/diab/1")
    by_id = labtrack.sklearn.load_model(info.model_uri)
    assert list(by_version.predict(X[:3])) == list(by_id.predict(X[:3]))


def test_a_runs_uri_naming_no_model_of_the_run_is_a_clear_error(home: Path, diabetes: Any) -> None:
    uri = log_forest(diabetes)
    _create("diab")

    with pytest.raises(InvalidParameterError, match="no MLmodel file"):
        mlflow.register_model(uri.rsplit("/", 1)[0] + "/forest", "diab")
