"""The MLmodel descriptor, model URIs and the environment files of a saved model."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
import yaml

import labtrack
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.models import (
    Model,
    ModelSignature,
    download_model,
    infer_signature,
    register_scheme,
)
from labtrack.models import uri as model_uri
from labtrack.models.environment import resolve_requirements, write_environment
from labtrack.models.model import register
from labtrack.tracking import registry_fluent


def test_mlmodel_round_trips_through_yaml(tmp_path: Path):
    import numpy as np

    sig = infer_signature(np.zeros((2, 3)), np.zeros(2))
    m = Model(artifact_path="model", run_id="abc", signature=sig)
    m.add_flavor("sklearn", sklearn_version="1.5.0", code=None)
    m.save(tmp_path)
    data = yaml.safe_load((tmp_path / "MLmodel").read_text())
    assert data["signature"]["inputs"].startswith('[{"type": "tensor"')
    assert data["labtrack_version"] == labtrack.__version__
    back = Model.load(tmp_path)
    assert back.flavors == {"sklearn": {"sklearn_version": "1.5.0", "code": None}}
    assert isinstance(back.signature, ModelSignature) and back.signature == sig
    assert back.model_uuid == m.model_uuid and back.utc_time_created == m.utc_time_created


def test_loading_a_folder_without_mlmodel_says_what_it_needs(tmp_path: Path):
    with pytest.raises(ResourceNotFoundError, match="No MLmodel file"):
        Model.load(tmp_path)


def test_runs_uri_downloads_the_model_folder(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "MLmodel").write_text("flavors: {}\n")
    with labtrack.start_run() as run:
        labtrack.log_artifacts(str(src), "model")
    local = download_model(f"runs:/{run.info.run_id}/model")
    assert (Path(local) / "MLmodel").read_text() == "flavors: {}\n"
    dst = download_model(f"runs:/{run.info.run_id}/model", str(tmp_path / "dst"))
    assert Path(dst) == tmp_path / "dst" / "model"


def test_local_paths_and_file_uris_resolve_in_place(tmp_path: Path):
    assert download_model(tmp_path) == str(tmp_path.resolve())
    assert download_model(tmp_path.as_uri()) == str(tmp_path.resolve())
    with pytest.raises(ResourceNotFoundError, match="No model at"):
        download_model(str(tmp_path / "nope"))


@pytest.mark.parametrize("bad", ["runs:/", "runs:/not a run id/model", "runs:/abc/../x"])
def test_bad_runs_uris_are_refused(bad: str):
    with pytest.raises(InvalidParameterError):
        download_model(bad)


def test_models_uri_of_an_unknown_model_says_so():
    from labtrack.errors import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError, match="Registered model 'churn' not found"):
        download_model("models:/churn/1")


def test_a_registered_scheme_resolves_models_uris(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(model_uri, "_resolvers", {})
    seen = []
    register_scheme("models", lambda uri, dst: seen.append((uri, dst)) or str(tmp_path))
    assert download_model("models:/churn/Production") == str(tmp_path)
    assert seen == [("models:/churn/Production", None)]


def test_register_goes_through_labtrack_register_model(monkeypatch: pytest.MonkeyPatch):
    calls = []
    monkeypatch.setattr(
        registry_fluent, "register_model", lambda u, n, tags=None: calls.append((u, n)) or "v1"
    )
    assert register("runs:/x/model", "churn") == "v1"
    assert calls == [("runs:/x/model", "churn")]


def test_environment_files_pin_versions(tmp_path: Path):
    reqs = resolve_requirements(["labtrack==1.0", "numpy==2.0.0"])
    env = write_environment(tmp_path, reqs)
    assert env == {"virtualenv": "python_env.yaml"}
    assert (tmp_path / "requirements.txt").read_text().splitlines() == reqs
    python_env = yaml.safe_load((tmp_path / "python_env.yaml").read_text())
    assert python_env["python"] == platform.python_version()
    assert python_env["dependencies"] == ["-r requirements.txt"]


def test_pip_requirements_replace_and_extras_add(tmp_path: Path):
    defaults = ["labtrack==1.0", "numpy==2.0.0"]
    assert resolve_requirements(defaults, ["pandas"]) == ["pandas"]
    assert resolve_requirements(defaults, extra_pip_requirements=["pandas"]) == defaults + [
        "pandas"
    ]
    req_file = tmp_path / "req.txt"
    req_file.write_text("scipy==1.0  # pinned\n\n")
    assert resolve_requirements(defaults, str(req_file)) == ["scipy==1.0"]
    with pytest.raises(InvalidParameterError, match="not both"):
        resolve_requirements(defaults, ["a"], ["b"])
    with pytest.raises(InvalidParameterError, match="one per item"):
        resolve_requirements(defaults, ["a\nb"])


def test_get_model_info_reads_a_logged_model_back(tmp_path: Path) -> None:
    import numpy as np
    from sklearn.linear_model import LinearRegression

    import labtrack
    import labtrack.sklearn
    from labtrack.models import get_model_info

    X = np.array([[1.0], [2.0], [3.0]])
    with labtrack.start_run() as run:
        info = labtrack.sklearn.log_model(
            LinearRegression().fit(X, X.ravel()), name="linreg", input_example=X[:2]
        )

    for uri in (info.model_uri, f"runs:/{run.info.run_id}/linreg"):
        same = get_model_info(uri)
        assert (same.model_id, same.name, same.run_id) == (info.model_id, "linreg", info.run_id)
        assert same.model_uri == info.model_uri and same.signature == info.signature
