"""Is a stored model folder complete? The files its ``MLmodel`` names must all be there.

``log_model`` writes a model's ``MLmodel`` last, so a process killed mid-way leaves a folder
without one; but a folder written by an older labtrack, another tool, or copied by hand can
still hold an ``MLmodel`` whose model file is missing. Registering such a folder would give a
version that fails at load time with an error about a temporary path; registering refuses it
here instead, naming what is missing.

>>> missing_model_files(ArtifactRepository(".../artifacts"), "model")  # doctest: +SKIP
['model.skops']
"""

from __future__ import annotations

from typing import Any

from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts.paths import safe_artifact_path

__all__ = ["MLMODEL", "missing_model_files", "named_files"]

MLMODEL = "MLmodel"
# Flavor entries that name one file or folder of the model (MLflow's keys and ours).
_FILE_KEYS = ("pickled_model", "model_path", "python_model", "data", "model_data")


def named_files(mlmodel: dict[str, Any]) -> list[str]:
    """The paths (relative to the model folder) an ``MLmodel``'s contents name.

    >>> named_files({"flavors": {"sklearn": {"pickled_model": "model.skops"}}})
    ['model.skops']
    """
    names: list[str] = []
    flavors = mlmodel.get("flavors")
    for conf in (flavors or {}).values() if isinstance(flavors, dict) else []:
        if not isinstance(conf, dict):
            continue
        names += [conf[key] for key in _FILE_KEYS if isinstance(conf.get(key), str)]
        artifacts = conf.get("artifacts")
        if isinstance(artifacts, dict):
            names += [
                entry["path"]
                for entry in artifacts.values()
                if isinstance(entry, dict) and isinstance(entry.get("path"), str)
            ]
    example = mlmodel.get("saved_input_example_info")
    if isinstance(example, dict) and isinstance(example.get("artifact_path"), str):
        names.append(example["artifact_path"])
    return sorted(set(names))


def missing_model_files(repo: ArtifactRepository, folder: str) -> list[str]:
    """The files the ``MLmodel`` in ``folder`` (of ``repo``) names that are not there.

    Raises ``InvalidParameterError`` when the ``MLmodel`` cannot be read as a model's, or
    names a path that could leave the folder.
    """
    import yaml  # lazy: only registering reads MLmodel files here

    mlmodel = f"{folder}/{MLMODEL}" if folder else MLMODEL
    where = f"{repo.root_uri}/{mlmodel}"
    try:
        with repo.open(mlmodel) as f:
            content = yaml.safe_load(f)
    except LabtrackError:
        raise
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"{where} is not a valid MLmodel file ({exc}).") from None
    if not isinstance(content, dict):
        raise InvalidParameterError(f"{where} is not a valid MLmodel file (not a mapping).")
    missing = []
    for name in named_files(content):
        try:
            rel = safe_artifact_path(f"{folder}/{name}" if folder else name)
        except InvalidParameterError:
            raise InvalidParameterError(
                f"{where} names {name!r}, which is not a path inside the model folder."
            ) from None
        if not repo.exists(rel):
            missing.append(name)
    return missing
