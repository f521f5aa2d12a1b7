"""``TensorDatasetSchema``: the schema of a numpy dataset, features and targets apart."""

from __future__ import annotations

from typing import Any

from labtrack.errors import InvalidParameterError
from labtrack.models.signature import Schema


class TensorDatasetSchema:
    """Tensor specs of a dataset's features and (optionally) targets."""

    def __init__(self, features: Schema, targets: Schema | None = None) -> None:
        if not isinstance(features, Schema):
            raise InvalidParameterError(f"features must be a Schema, got {type(features)}.")
        if targets is not None and not isinstance(targets, Schema):
            raise InvalidParameterError(f"targets must be None or a Schema, got {type(targets)}.")
        self.features = features
        self.targets = targets

    def to_dict(self) -> dict[str, Any]:
        return {
            "mlflow_tensorspec": {
                "features": self.features.to_json(),
                "targets": self.targets.to_json() if self.targets is not None else None,
            }
        }

    @classmethod
    def from_dict(cls, schema_dict: dict[str, Any]) -> TensorDatasetSchema:
        if "mlflow_tensorspec" not in schema_dict:
            raise InvalidParameterError(
                "TensorDatasetSchema dictionary is missing expected key 'mlflow_tensorspec'"
            )
        spec = schema_dict["mlflow_tensorspec"]
        targets = spec.get("targets")
        return cls(
            Schema.from_json(spec["features"]),
            Schema.from_json(targets) if targets is not None else None,
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TensorDatasetSchema)
            and self.features == other.features
            and self.targets == other.targets
        )

    def __repr__(self) -> str:
        return f"features:\n  {self.features!r}\ntargets:\n  {self.targets!r}\n"
