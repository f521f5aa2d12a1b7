"""The ``MLmodel`` descriptor: what a saved model folder holds and how to load it.

A model folder has an ``MLmodel`` YAML file (MLflow's format: flavors, signature, input example,
run id, creation time) next to the flavor's files. ``Model.log`` saves a model into a temporary
folder with a flavor's ``save_model`` and uploads it into the active run's artifacts.

>>> m = Model(artifact_path="model").add_flavor("sklearn", sklearn_version="1.5.0")
>>> sorted(m.to_dict()["flavors"])
['sklearn']
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from labtrack.entities import RunTag
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.models.signature import ModelSignature, Schema
from labtrack.store.artifacts import safe_artifact_path
from labtrack.tracking import _state, registry_fluent
from labtrack.tracking.fluent import get_or_start_run
from labtrack.utils.mlflow_tags import LOGGED_MODELS
from labtrack.utils.version import __version__

__all__ = ["MLMODEL_FILE_NAME", "Model", "ModelInfo"]

MLMODEL_FILE_NAME = "MLmodel"
INPUT_EXAMPLE_FILE = "input_example.json"


def _labtrack_version() -> str:

    return __version__


@dataclass
class ModelInfo:
    """What ``log_model`` returns: where the model is and what it holds."""

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

    def get_model_info(self, model_uri: str) -> ModelInfo:
        return ModelInfo(
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
        )

    @classmethod
    def log(
        cls,
        artifact_path: str,
        flavor: ModuleType,
        registered_model_name: str | None = None,
        run_id: str | None = None,
        **kwargs: Any,
    ) -> ModelInfo:
        """Save with ``flavor.save_model`` and upload into a run's artifacts (default: active).

        ``registered_model_name`` registers the model when the registry is available.
        """

        artifact_path = safe_artifact_path(artifact_path)
        if not artifact_path:
            raise InvalidParameterError("artifact_path must name a folder, like 'model'.")
        rid = run_id or get_or_start_run().info.run_id
        client = _state.client()
        with tempfile.TemporaryDirectory(prefix="labtrack-model-") as tmp:
            local = os.path.join(tmp, "model")
            model = cls(artifact_path=artifact_path, run_id=rid)
            flavor.save_model(path=local, labtrack_model=model, **kwargs)
            client.log_artifacts(rid, local, artifact_path)
        info = model.get_model_info(f"runs:/{rid}/{artifact_path}")
        _record_logged_model(client, rid, artifact_path, list(model.flavors))
        if registered_model_name is not None:
            register(info.model_uri, registered_model_name)
        return info


def _record_logged_model(client: Any, run_id: str, artifact_path: str, flavors: list[str]) -> None:
    """Append to the run's ``mlflow.log-model.history`` tag (the sidebar's "has a model")."""
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
            "utc_time_created": datetime.now(timezone.utc).isoformat(),
        }
    )
    client.store.log_batch(
        run_id, tags=[RunTag(LOGGED_MODELS, json.dumps(history))], allow_terminated=True
    )


def register(model_uri: str, name: str) -> Any:
    """Register ``model_uri`` under ``name`` (``registered_model_name=`` of ``log_model``)."""

    return registry_fluent.register_model(model_uri, name)


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
