"""The ``MLmodel`` descriptor: what a saved model folder holds and how to load it.

A model folder has an ``MLmodel`` YAML file (MLflow's format: flavors, signature, input example,
run id, creation time) next to the flavor's files. ``Model.log`` saves a model into a temporary
folder with a flavor's ``save_model`` and uploads it as a logged model (MLflow 3): its files go
to ``<experiment>/models/<model_id>/artifacts``, not into the run's artifacts, and
``models:/<model_id>`` names it.

>>> m = Model(artifact_path="model").add_flavor("sklearn", sklearn_version="1.5.0")
>>> sorted(m.to_dict()["flavors"])
['sklearn']
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from labtrack.entities import Metric, RunTag
from labtrack.entities.logged_model import LoggedModel, LoggedModelOutput
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.models.signature import ModelSignature, Schema
from labtrack.tracking import _state, logged_models, registry_fluent
from labtrack.tracking.fluent import active_run
from labtrack.utils.mlflow_tags import LOGGED_MODELS
from labtrack.utils.version import __version__

__all__ = ["MLMODEL_FILE_NAME", "Model", "ModelInfo"]

MLMODEL_FILE_NAME = "MLmodel"
INPUT_EXAMPLE_FILE = "input_example.json"

_logger = logging.getLogger(__name__)


def _labtrack_version() -> str:

    return __version__


@dataclass
class ModelInfo:
    """What ``log_model`` returns: where the model is and what it holds.

    ``model_uri`` is ``models:/<model_id>`` for a logged model (MLflow 3); the logged model's
    id, name, params, tags, metrics and creation time are here too, and
    ``registered_model_version`` when ``registered_model_name=`` registered it.
    """

    artifact_path: str
    flavors: dict[str, Any]
    model_uri: str
    model_uuid: str
    run_id: str | None
    saved_input_example_info: dict[str, Any] | None
    signature: ModelSignature | None
    utc_time_created: str
    labtrack_version: str
    signature_dict: dict[str, Any] | None = field(default=None, repr=False)
    metadata: dict[str, Any] | None = None
    registered_model_version: int | None = None
    model_id: str | None = None
    name: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: list[Metric] | None = None
    creation_timestamp: int | None = None
    env_vars: list[str] | None = None


class Model:
    """The contents of an ``MLmodel`` file."""

    def __init__(
        self,
        artifact_path: str | None = None,
        run_id: str | None = None,
        utc_time_created: str | None = None,
        flavors: dict[str, dict[str, Any]] | None = None,
        signature: ModelSignature | None = None,
        saved_input_example_info: dict[str, Any] | None = None,
        model_uuid: str | None = None,
        labtrack_version: str | None = None,
        model_id: str | None = None,
        **extra: Any,
    ) -> None:
        self.artifact_path = artifact_path
        self.run_id = run_id
        self.utc_time_created = utc_time_created or datetime.now(timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S.%f"
        )
        self.flavors: dict[str, dict[str, Any]] = dict(flavors or {})
        self.signature = signature
        self.saved_input_example_info = saved_input_example_info
        self.model_uuid = model_uuid or uuid.uuid4().hex
        self.labtrack_version = labtrack_version or _labtrack_version()
        self.model_id = model_id  # the logged model (MLflow 3) these files belong to
        self.extra = extra

    def add_flavor(self, name: str, **params: Any) -> Model:
        """Record a flavor (``python_function``, ``sklearn``...) and its settings."""
        self.flavors[name] = params
        return self

    def get_input_schema(self) -> Schema | None:
        return self.signature.inputs if self.signature is not None else None

    def get_output_schema(self) -> Schema | None:
        return self.signature.outputs if self.signature is not None else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "artifact_path": self.artifact_path,
            "flavors": self.flavors,
            "labtrack_version": self.labtrack_version,
            "model_uuid": self.model_uuid,
            "run_id": self.run_id,
            "utc_time_created": self.utc_time_created,
        }
        if self.signature is not None:
            out["signature"] = self.signature.to_dict()
        if self.saved_input_example_info is not None:
            out["saved_input_example_info"] = self.saved_input_example_info
        if self.model_id is not None:
            out["model_id"] = self.model_id
        out.update(self.extra)
        return out

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), default_flow_style=False, sort_keys=True)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``MLmodel`` into the folder ``path`` (or to ``path`` if it names the file)."""
        target = Path(path)
        if target.is_dir():
            target = target / MLMODEL_FILE_NAME
        target.write_text(self.to_yaml(), encoding="utf-8")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Model:
        d = dict(d)
        sig = d.pop("signature", None)
        d.pop("mlflow_version", None)
        flavors = d.pop("flavors", None)
        if not isinstance(flavors, dict):
            raise InvalidParameterError("The MLmodel file has no 'flavors' section.")
        return cls(signature=ModelSignature.from_dict(sig) if sig else None, flavors=flavors, **d)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """Read the ``MLmodel`` of a local model folder (or the file itself)."""
        import yaml

        target = Path(path)
        if target.is_dir():
            target = target / MLMODEL_FILE_NAME
        if not target.is_file():
            raise ResourceNotFoundError(
                f"No {MLMODEL_FILE_NAME} file at {str(target)!r}: this is not a saved model "
                "folder. Give the folder that save_model wrote, or runs:/<run_id>/<path>."
            )
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise InvalidParameterError(f"{str(target)!r} is not a valid MLmodel file.")
        return cls.from_dict(data)

    def load_input_example(self, path: str | os.PathLike[str]) -> Any:
        """The saved input example of the model folder ``path``, or ``None``."""
        info = self.saved_input_example_info
        if not info:
            return None
        return read_input_example(Path(path) / info["artifact_path"], info)

    def get_model_info(
        self, model_uri: str | None = None, logged_model: LoggedModel | None = None
    ) -> ModelInfo:
        """What ``log_model`` returns for these files (of ``logged_model``, if given)."""
        if model_uri is None:
            model_uri = (
                f"models:/{self.model_id}"
                if self.model_id
                else f"runs:/{self.run_id}/{self.artifact_path}"
            )
        info = ModelInfo(
            artifact_path=self.artifact_path or "",
            flavors=self.flavors,
            model_uri=model_uri,
            model_uuid=self.model_uuid,
            run_id=self.run_id,
            saved_input_example_info=self.saved_input_example_info,
            signature=self.signature,
            utc_time_created=self.utc_time_created,
            labtrack_version=self.labtrack_version,
            signature_dict=self.signature.to_dict() if self.signature else None,
            metadata=self.extra.get("metadata"),
            model_id=self.model_id,
        )
        if logged_model is not None:
            info.name = logged_model.name
            info.params = dict(logged_model.params)
            info.tags = dict(logged_model.tags)
            info.metrics = logged_model.metrics
            info.creation_timestamp = logged_model.creation_timestamp
        return info

    @classmethod
    def log(
        cls,
        artifact_path: str | None,
        flavor: ModuleType,
        registered_model_name: str | None = None,
        run_id: str | None = None,
        *,
        name: str | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, Any] | None = None,
        model_type: str | None = None,
        step: int = 0,
        model_id: str | None = None,
        **kwargs: Any,
    ) -> ModelInfo:
        """Save with ``flavor.save_model`` and store the files as a logged model (MLflow 3).

        The model belongs to ``run_id`` (default: the active run, if any; no run is started)
        and its experiment, gets the run's params besides ``params``, and becomes a run output
        at ``step``; the run's metrics of that step are linked to it. ``model_id`` fills a
        model made by ``initialize_logged_model`` instead of creating one.
        ``registered_model_name`` registers it. ``artifact_path`` is the 2.x spelling of
        ``name`` (deprecated, as in MLflow 3).
        """
        if name is not None and artifact_path is not None:
            raise InvalidParameterError(
                "Both `artifact_path` (deprecated) and `name` parameters were specified. "
                "Please only specify `name`."
            )
        if artifact_path is not None:
            _logger.warning("`artifact_path` is deprecated. Please use `name` instead.")
        name = name if name is not None else artifact_path
        client = _state.client()
        current = active_run()
        rid = run_id or (current.info.run_id if current is not None else None)
        if model_id is not None:
            model = client.get_logged_model(model_id)
            logged_models.remember(model.model_id)
        else:
            run_params = client.get_run(rid).data.params if rid else {}
            model = logged_models.create_logged_model(
                name=name,
                source_run_id=rid,
                tags={k: str(v) for k, v in (tags or {}).items()},
                params={k: str(v) for k, v in {**(params or {}), **run_params}.items()},
                model_type=model_type,
            )
        with (
            logged_models.finalizing(model),
            tempfile.TemporaryDirectory(prefix="labtrack-model-") as tmp,
        ):
            if rid is not None:
                _link_run(client, rid, model.model_id, step, current)
            local = os.path.join(tmp, "model")
            saved = cls(
                artifact_path=model.artifact_location,
                run_id=rid,
                model_uuid=model.model_id,
                model_id=model.model_id,
            )
            flavor.save_model(path=local, labtrack_model=saved, **kwargs)
            client.log_model_artifacts(model.model_id, local)
        if rid is not None:
            _record_logged_model(client, rid, model.name, list(saved.flavors), model.model_id)
        version = None
        if registered_model_name is not None:
            version = register(f"models:/{model.model_id}", registered_model_name, tags)
        info = saved.get_model_info(logged_model=client.get_logged_model(model.model_id))
        if version is not None:
            info.registered_model_version = version.version
        return info


def _link_run(client: Any, run_id: str, model_id: str, step: int, current: Any) -> None:
    """Make the model an output of the run at ``step`` and link the run's metrics of that
    step to it (MLflow 3), keeping the active run's in-memory outputs in step."""
    output = LoggedModelOutput(model_id, int(step))
    client.log_outputs(run_id, [output])
    if current is not None and current.info.run_id == run_id:
        current.outputs.model_outputs.append(output)
    _state.writer().flush(raise_errors=False)
    run = client.get_run(run_id)
    points = [
        Metric(m.key, m.value, m.timestamp, m.step, model_id, run_id=run_id)
        for key in run.data.metrics
        for m in client.get_metric_history(run_id, key)
        if m.step == step
    ]
    if points:
        client.store.link_metrics_to_models(run_id, points)


def _record_logged_model(
    client: Any, run_id: str, artifact_path: str, flavors: list[str], model_id: str
) -> None:
    """Append to the run's ``mlflow.log-model.history`` tag: the sidebar's "has a model", and what
    MLflow 2.x readers look for."""
    import json
    from datetime import datetime, timezone

    run = client.get_run(run_id)
    try:
        history = json.loads(run.data.tags.get(LOGGED_MODELS, "[]"))
    except ValueError:
        history = []
    history = [h for h in history if h.get("artifact_path") != artifact_path]
    history.append(
        {
            "artifact_path": artifact_path,
            "flavors": flavors,
            "model_id": model_id,
            "utc_time_created": datetime.now(timezone.utc).isoformat(),
        }
    )
    client.store.log_batch(
        run_id, tags=[RunTag(LOGGED_MODELS, json.dumps(history))], allow_terminated=True
    )


def register(model_uri: str, name: str, tags: dict[str, Any] | None = None) -> Any:
    """Register ``model_uri`` under ``name`` (``registered_model_name=`` of ``log_model``)."""

    return registry_fluent.register_model(model_uri, name, tags=tags)


# -- input examples ------------------------------------------------------------------------
def save_input_example(folder: str | os.PathLike[str], example: Any) -> dict[str, Any]:
    """Write ``input_example.json`` (MLflow's layout) and return its ``MLmodel`` entry."""
    import numpy as np
    import pandas as pd

    if isinstance(example, list) and example and all(isinstance(r, dict) for r in example):
        example = pd.DataFrame.from_records(example)
    elif isinstance(example, dict):
        example = pd.DataFrame(example if _all_listy(example) else [example])
    if isinstance(example, pd.Series):
        example = example.to_frame()
    if isinstance(example, pd.DataFrame):
        data = json.loads(example.to_json(orient="split", index=False, date_format="iso"))
        info = {"artifact_path": INPUT_EXAMPLE_FILE, "type": "dataframe", "pandas_orient": "split"}
    else:
        if hasattr(example, "toarray"):
            example = example.toarray()
        arr = np.asarray(example)
        data = {"inputs": arr.tolist()}
        info = {"artifact_path": INPUT_EXAMPLE_FILE, "type": "ndarray", "format": "tf-serving"}
    Path(folder, INPUT_EXAMPLE_FILE).write_text(json.dumps(data, default=str), encoding="utf-8")
    return info


def _all_listy(d: dict[str, Any]) -> bool:
    return all(isinstance(v, (list, tuple)) or hasattr(v, "__array__") for v in d.values())


def read_input_example(path: Path, info: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    data = json.loads(path.read_text(encoding="utf-8"))
    if info.get("type") == "dataframe":
        return pd.DataFrame(data["data"], columns=data["columns"])
    return np.asarray(data["inputs"])
