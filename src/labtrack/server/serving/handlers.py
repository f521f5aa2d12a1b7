"""Model serving in the Jupyter server: switch it on or off, report it, proxy requests to it.

- ``PUT labtrack/api/registered-models/{name}/serving`` with ``{"enabled": true|false}``;
  ``GET`` on the same path reports the process and every served version, stage and alias;
  ``GET .../serving/metrics`` what the process counted per endpoint, and its log.
- ``POST <base_url>labtrack/serving/{name}/{version|stage|alias}/invocations``: authenticated
  like every Jupyter route, forwarded to the model's own process (see
  :mod:`labtrack.server.serving.supervisor`), which resolves the ref against the registry
  itself, so ``.../Production/invocations`` follows promotions without a restart.

One process per registered model (not per version): every version, stage and alias of a model
shares the one process and its cached resolutions, a promotion needs no new process, and a
model with many versions costs one process, with versions loaded when first asked for.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from labtrack.entities.model_registry import ModelVersionStages
from labtrack.errors import InvalidParameterError, LabtrackError, ResourceNotFoundError
from labtrack.server.base import LabtrackHandler
from labtrack.server.serving.supervisor import ENABLED_TAG, ServingSupervisor
from labtrack.server.settings import Labtrack

__all__ = [
    "SERVING_PREFIX",
    "ServingHandler",
    "ServingMetricsHandler",
    "ServingProxyHandler",
    "setup_serving",
]

SERVING_PREFIX = "labtrack/serving"
PROXY_TIMEOUT_S = 300.0
LOG_LINES = 200
PASSED_HEADERS = (
    "Content-Type",
    "X-Labtrack-Model-Version",
    "X-Labtrack-Batch-Size",
    "Server-Timing",
)


class NotAuthenticatedError(LabtrackError):
    """A request to a model endpoint with no Jupyter token (and no browser session)."""

    error_code = "UNAUTHENTICATED"
    http_status = 401


class WrongTokenError(LabtrackError):
    """A request to a model endpoint with a token this server does not accept."""

    error_code = "PERMISSION_DENIED"
    http_status = 403


class ServingUnavailableError(LabtrackError):
    """The model's process is not running (serving off) or not ready (starting, restarting)."""

    error_code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503


def setup_serving(web_app: Any, settings: Labtrack) -> ServingSupervisor:
    """Create the supervisor (once per server) and start it on the server's event loop."""
    from tornado.ioloop import IOLoop
    from traitlets.log import get_logger

    supervisor = web_app.settings.get("labtrack_serving")
    if supervisor is None:
        supervisor = ServingSupervisor(settings, get_logger())
        web_app.settings["labtrack_serving"] = supervisor
        IOLoop.current().add_callback(supervisor.start)
    return supervisor  # type: ignore[no-any-return]


class _ServingBase(LabtrackHandler):
    @property
    def supervisor(self) -> ServingSupervisor:
        return setup_serving(self.application, self.labtrack)


class ServingHandler(_ServingBase):
    """``GET|PUT registered-models/{name}/serving``."""

    async def _status(self, name: str) -> dict[str, Any]:
        client = self.client
        model = await self.call(client.get_registered_model, name)
        versions = await self.call(client.search_model_versions, f"name = {_quoted(name)}")
        enabled = model.tags.get(ENABLED_TAG) == "true"
        proc = self.supervisor.procs.get(name)
        running = await self.supervisor.process_status(proc) if proc is not None else None
        loaded = {v["version"]: v for v in (running or {}).get("versions", [])}
        base = url_path_join(self.base_url, SERVING_PREFIX, quote(name, safe=""))

        def url(ref: str) -> str:
            return url_path_join(base, quote(ref, safe=""), "invocations")

        served = [v for v in versions if v.current_stage != ModelVersionStages.ARCHIVED]
        endpoints = [
            {"ref": str(v.version), "version": v.version, "url": url(str(v.version))}
            for v in sorted(served, key=lambda v: v.version)
        ]
        for stage in (ModelVersionStages.PRODUCTION, ModelVersionStages.STAGING):
            in_stage = [v.version for v in served if v.current_stage == stage]
            if in_stage:
                endpoints.append({"ref": stage, "version": max(in_stage), "url": url(stage)})
        if versions:
            latest = max(v.version for v in versions)
            endpoints.append({"ref": "latest", "version": latest, "url": url("latest")})
        for alias, number in sorted(model.aliases.items()):
            endpoints.append({"ref": alias, "version": number, "url": url(alias)})
        return {
            "name": name,
            "enabled": enabled,
            "state": proc.state if proc is not None else "stopped",
            "pid": proc.pid if proc is not None else None,
            "restarts": proc.restarts if proc is not None else 0,
            "last_exit_code": proc.last_exit_code if proc is not None else None,
            "log_tail": proc.log_tail() if proc is not None and proc.state != "ready" else None,
            "versions": [
                {
                    "version": v.version,
                    "current_stage": v.current_stage,
                    "aliases": v.aliases,
                    "loaded": bool(loaded.get(v.version, {}).get("loaded")),
                    "error": loaded.get(v.version, {}).get("error"),
                    "url": url(str(v.version)),
                }
                for v in sorted(served, key=lambda v: v.version)
            ],
            "endpoints": endpoints,
        }

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.write_json(await self._status(name))

    @web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        body = self.read_json()
        enabled = body.get("enabled")
        if not isinstance(enabled, bool):
            raise InvalidParameterError('enabled is required: {"enabled": true} or false.')
        await self.require("registered_model", name, "MANAGE")  # starting a process
        client = self.client
        model = await self.call(client.get_registered_model, name)
        if enabled:
            await self.call(client.set_registered_model_tag, name, ENABLED_TAG, "true")
        elif ENABLED_TAG in model.tags:
            await self.call(client.delete_registered_model_tag, name, ENABLED_TAG)
        await self.supervisor.reconcile()
        self.write_json(await self._status(name))


class ServingMetricsHandler(_ServingBase):
    """``GET registered-models/{name}/serving/metrics``: per endpoint the requests, errors,
    latency percentiles and last errors the model process counted since it started, and the
    last lines of its log. Empty counts while serving is off or the process is not ready."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await self.call(self.client.get_registered_model, name)  # 404 for a model that is not
        proc = self.supervisor.procs.get(name)
        counted = await self.supervisor.process_metrics(proc) if proc is not None else None
        self.write_json(
            {
                "name": name,
                "state": proc.state if proc is not None else "stopped",
                "pid": proc.pid if proc is not None else None,
                "since": (counted or {}).get("since"),
                "endpoints": (counted or {}).get("endpoints", []),
                "log": proc.log_tail(LOG_LINES) if proc is not None else "",
            }
        )


class ServingProxyHandler(_ServingBase):
    """``POST labtrack/serving/{name}/{ref}/invocations``, forwarded to the model process."""

    def check_xsrf_cookie(self) -> None:
        """Say what is wrong with a caller's credentials before the XSRF check does.

        Jupyter checks the XSRF cookie of every POST that is not token-authenticated, so a
        client with no token or a wrong one would hear only "'_xsrf' argument missing from
        POST". Model endpoints are called by scripts: tell them about the token instead.
        """
        if hasattr(self, "_jupyter_current_user") and not self.current_user:
            header = self.request.headers.get("Authorization", "").strip()
            if header or self.get_query_argument("token", ""):
                raise WrongTokenError(
                    "The token is not valid for this Jupyter server: send the token the server "
                    "was started with (jupyter server list shows it), as "
                    "'Authorization: token <your-jupyter-token>'."
                )
            raise NotAuthenticatedError(
                "This endpoint needs a Jupyter token: send the header "
                "'Authorization: token <your-jupyter-token>' (jupyter server list shows it)."
            )
        super().check_xsrf_cookie()

    @web.authenticated
    @authorized
    async def post(self, name: str, ref: str) -> None:
        body = self.request_body()
        await self.require("registered_model", name, "READ")
        proc = self.supervisor.target(name)
        if proc is None:
            self._not_served(name)
        assert proc is not None
        headers = {"X-Labtrack-Serving-Token": proc.token}
        if "Content-Type" in self.request.headers:
            headers["Content-Type"] = self.request.headers["Content-Type"]
        assert proc.pool is not None
        path = f"/{quote(ref, safe='')}/invocations"
        response = await proc.pool.request("POST", path, headers, body, PROXY_TIMEOUT_S)
        if response is None:  # no HTTP answer: the process died, restarted or timed out
            raise ServingUnavailableError(
                f"The model process of {name!r} did not answer (it may be restarting, or the "
                f"model took longer than {PROXY_TIMEOUT_S:.0f} s). Retry in a few seconds."
            )
        self.set_status(response.code)
        for header in PASSED_HEADERS:
            if header in response.headers:
                self.set_header(header, response.headers[header])
        self.finish(response.body)

    def _not_served(self, name: str) -> None:
        proc = self.supervisor.procs.get(name)
        if proc is None:
            raise ResourceNotFoundError(
                f"Serving is not enabled for {name!r}. Turn it on with PUT "
                f'labtrack/api/registered-models/{name}/serving {{"enabled": true}}.'
            )
        raise ServingUnavailableError(
            f"The model process of {name!r} is {proc.state}; retry in a few seconds."
        )

    def _reply(self, status: int, code: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error_code": code, "message": message}))


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
