"""Plain data objects of the model registry: registered models, versions, stages, transitions.

They carry MLflow's field names (``mv.current_stage``, ``rm.latest_versions``, ``mv.aliases``),
so code that reads MLflow's registry entities keeps working. Version numbers are ``int`` (as
MLflow's SQL store gives them); every call that takes a version also accepts ``"3"``.

>>> ModelVersionStages.canonical("production")
'Production'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labtrack.errors import InvalidParameterError

__all__ = [
    "ModelVersion",
    "ModelVersionStages",
    "ModelVersionStatus",
    "ModelVersionTransition",
    "RegisteredModel",
]


class ModelVersionStages:
    """The four stages of a model version (MLflow's names, compared ignoring case)."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"
    ALL = (NONE, STAGING, PRODUCTION, ARCHIVED)
    _BY_LOWER = {s.lower(): s for s in ALL}

    @classmethod
    def canonical(cls, stage: str) -> str:
        """The stage's canonical spelling; an unknown stage is an error saying which exist."""
        found = cls._BY_LOWER.get(str(stage).strip().lower()) if stage is not None else None
        if found is None:
            raise InvalidParameterError(
                f"Invalid stage {stage!r}: use one of {', '.join(cls.ALL)} (case does not matter)."
            )
        return found

    @classmethod
    def is_stage(cls, text: str) -> bool:
        return str(text).strip().lower() in cls._BY_LOWER


def get_canonical_stage(stage: str) -> str:
    """MLflow's helper name for :meth:`ModelVersionStages.canonical`."""
    return ModelVersionStages.canonical(stage)


class ModelVersionStatus:
    """Registration status. Versions are copied or referenced before the row is written, so
    every stored version is ``READY``."""

    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"
    READY = "READY"


@dataclass(slots=True)
class ModelVersion:
    """One version of a registered model."""

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    user_id: str | None = None
    current_stage: str = ModelVersionStages.NONE
    description: str | None = None
    source: str = ""
    run_id: str | None = None
    status: str = ModelVersionStatus.READY
    status_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    run_link: str | None = None
    # The logged model (MLflow 3) this version was registered from.
    model_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "creation_timestamp": self.creation_timestamp,
            "last_updated_timestamp": self.last_updated_timestamp,
            "user_id": self.user_id,
            "current_stage": self.current_stage,
            "description": self.description,
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "status_message": self.status_message,
            "tags": dict(self.tags),
            "aliases": list(self.aliases),
            "model_id": self.model_id,
        }


@dataclass(slots=True)
class RegisteredModel:
    """A registered model: its name, description, tags, aliases and latest version per stage."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None = None
    latest_versions: list[ModelVersion] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    # alias -> version number, as MLflow's RegisteredModel.aliases
    aliases: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "creation_timestamp": self.creation_timestamp,
            "last_updated_timestamp": self.last_updated_timestamp,
            "description": self.description,
            "latest_versions": [v.to_dict() for v in self.latest_versions],
            "tags": dict(self.tags),
            "aliases": dict(self.aliases),
        }


@dataclass(frozen=True, slots=True)
class ModelVersionTransition:
    """A recorded stage change: who moved which version from which stage to which, and when."""

    name: str
    version: int
    from_stage: str
    to_stage: str
    user_id: str | None
    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "user_id": self.user_id,
            "timestamp": self.timestamp,
        }
