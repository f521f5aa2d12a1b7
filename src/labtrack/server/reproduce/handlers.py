"""Routes of "Reproduce run": what a reproduction would use, start one, follow it.

- ``GET runs/{run_id}/reproduce``: the parameters the notebook's ``parameters`` cell assigns
  with the values a reproduction would inject, and the environment differences.
- ``POST runs/{run_id}/reproduce`` ``{"params": {...}}``: start a background job (202).
- ``GET runs/{run_id}/reproduce/{job_id}``: its state, progress, drift and error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.notebook.capture import REVISION_TAG
from labtrack.reproduce import check_environment, notebook_parameters, reproduction_parameters
from labtrack.reproduce.params import typed_value
from labtrack.server.base import LabtrackHandler
from labtrack.server.reproduce.jobs import ReproductionJobs, json_safe
from labtrack.utils import mlflow_tags

__all__ = [
    "NotReproducibleError",
    "ReproduceHandler",
    "ReproductionJobHandler",
    "parameter_rows",
    "validate_overrides",
]


class NotReproducibleError(LabtrackError):
    """The run has no captured notebook version, so there is nothing to execute again."""

    error_code = "INVALID_STATE"
    http_status = 409


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    return "literal"


def _text(value: Any) -> str:
    """How the dialog shows a value: a string as it is, anything else as a Python literal."""
    return value if isinstance(value, str) else repr(value)


def parameter_rows(defaults: Mapping[str, Any], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per parameter: name, value (JSON), text to edit, kind, the cell's default."""
    rows = []
    for name, default in defaults.items():
        value = values.get(name, default)
        rows.append(
            {
                "name": name,
                "value": json_safe(value),
                "text": _text(value),
                "kind": _kind(default),
                "default": _text(default),
            }
        )
    return rows


def _check_type(name: str, value: Any, default: Any) -> None:
    kind, got = _kind(default), _kind(value)
    if kind in ("none", "literal") or kind == got:
        return
    expected = {"bool": "True or False", "number": "a number", "str": "a string"}[kind]
    raise InvalidParameterError(
        f"Parameter {name!r} takes {expected} (the notebook's default is {default!r}); "
        f"got {value!r}."
    )


def validate_overrides(raw: Any, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``{"n": "5"}`` -> ``{"n": 5}``: known names only, typed like the cell's defaults.

    A string is read as the CLI reads ``-p n=5`` (a Python literal, kept a string when the
    default is a string); other JSON values are taken as they are. The value's kind must match
    the default's (number, string, True/False); a default of None or a list takes any literal.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidParameterError(
            'params must be an object of parameter name -> value, e.g. {"params": {"n": 5}}.'
        )
    unknown = sorted(name for name in raw if name not in defaults)
    if unknown:
        known = ", ".join(defaults) if defaults else "none (it has no cell tagged 'parameters')"
        raise InvalidParameterError(
            f"Unknown parameter(s) {', '.join(map(repr, unknown))}. The notebook's parameters "
            f"cell assigns: {known}."
        )
    out: dict[str, Any] = {}
    for name, value in raw.items():
        default = defaults[name]
        typed = typed_value(value, default, has_default=True) if isinstance(value, str) else value
        _check_type(name, typed, default)
        out[name] = typed
    return out


def _reproducible(client: Any, run_id: str) -> dict[str, Any]:
    """The notebook's parameters and the run's values; a 409 when it has no notebook."""

    run = client.get_run(run_id)
    if not run.data.tags.get(REVISION_TAG):
        raise NotReproducibleError(
            f"Run {run_id} has no captured notebook version (it was not started in a "
            "notebook), so it cannot be reproduced. Reproduce a run logged from a notebook."
        )
    return {
        "defaults": notebook_parameters(run_id, client),
        "values": reproduction_parameters(run_id, client),
        "notebook": run.data.tags.get(mlflow_tags.SOURCE_NAME),
    }


def _environment(client: Any, run_id: str) -> list[dict[str, Any]]:

    return [vars(d) for d in check_environment(run_id, warn=False, client=client)]


class _ReproduceBase(LabtrackHandler):
    @property
    def jobs(self) -> ReproductionJobs:
        """The server's jobs, made on first use."""
        jobs = self.settings.get("labtrack_reproductions")
        if jobs is None:
            jobs = self.settings["labtrack_reproductions"] = ReproductionJobs()
        return jobs


class ReproduceHandler(_ReproduceBase):
    """``GET runs/{run_id}/reproduce``: the dialog's data; ``POST``: start a reproduction."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        found = await self.call(_reproducible, self.client, run_id)
        environment = await self.call(_environment, self.client, run_id)
        self.write_json(
            {
                "run_id": run_id,
                "notebook": found["notebook"],
                "parameters": parameter_rows(found["defaults"], found["values"]),
                "environment": environment,
            }
        )

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        body = self.read_json()
        extra = sorted(set(body) - {"params"})
        if extra:
            raise InvalidParameterError(
                f'Unknown field(s) {", ".join(map(repr, extra))}; send {{"params": {{...}}}}.'
            )
        found = await self.call(_reproducible, self.client, run_id)
        params = validate_overrides(body.get("params"), found["defaults"])
        job = self.jobs.start(self.client, run_id, params)
        self.write_json(job.to_json(), status=202)


class ReproductionJobHandler(_ReproduceBase):
    """``GET runs/{run_id}/reproduce/{job_id}``: state, progress, drift, error."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str, job_id: str) -> None:
        self.write_json(self.jobs.get(job_id, run_id).to_json())
