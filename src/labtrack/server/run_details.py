"""Routes behind the run page and the compare view: metric series (downsampled), artifacts,
captured notebook versions and their diffs, and several runs side by side."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError
from labtrack.notebook.versions import diff_versions
from labtrack.server.base import LabtrackHandler
from labtrack.server.notebook_files import notebook_path, read_notebook, run_notebook_version
from labtrack.server.runs import RunNotebookHandler
from labtrack.server.serialize import number, run_json
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts.paths import safe_artifact_path
from labtrack.store.contract import MetricSeries

MAX_POINTS = 100_000
MAX_COMPARE = 500
PREVIEW_TYPES = {
    ".ipynb": "application/x-ipynb+json",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
    ".log": "text/plain",
    ".txt": "text/plain",
    ".py": "text/x-python",
    "MLmodel": "text/yaml",
}


def series_json(result: MetricSeries) -> dict[str, Any]:
    return {
        "total": result["total"],
        "downsampled": result["downsampled"],
        "points": [{"step": s, "timestamp": t, "value": number(v)} for s, t, v in result["points"]],
    }


class MetricHistoryHandler(LabtrackHandler):
    """``GET runs/{run_id}/metrics/{key}?max_points=``: a metric's history for a chart."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        max_points = self.int_arg("max_points", 2000, 2, MAX_POINTS)
        await self.call(self.client.get_run, run_id)
        result = await self.call(self.client.store.metric_downsampled, run_id, key, max_points)
        await self.send_json({"run_id": run_id, "key": key, **series_json(result)})


class MetricsBulkHandler(LabtrackHandler):
    """``GET metrics-bulk?keys=a,b&run_ids=x,y&max_points=``: series for overlays."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        keys, run_ids = self.list_arg("keys"), self.list_arg("run_ids")
        if not keys or not run_ids:
            raise InvalidParameterError("Give keys and run_ids (comma-separated lists).")
        if len(keys) * len(run_ids) > 2000:
            raise InvalidParameterError("At most 2,000 series (keys x runs) per request.")
        max_points = self.int_arg("max_points", 1000, 2, MAX_POINTS)
        store = self.client.store
        series = []
        for run_id in run_ids:
            run = await self.call(self.client.get_run, run_id)
            for key in keys:
                if key not in run.data.metrics:
                    continue
                result = await self.call(store.metric_downsampled, run_id, key, max_points)
                series.append(
                    {
                        "run_id": run_id,
                        "run_name": run.info.run_name,
                        "key": key,
                        **series_json(result),
                    }
                )
        await self.send_json({"series": series})


class ArtifactListHandler(LabtrackHandler):
    """``GET runs/{run_id}/artifacts?path=``: one folder level of a run's artifacts."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:

        path = safe_artifact_path(self.arg("path") or "")
        files = await self.call(self.client.list_artifacts, run_id, path or None)
        self.write_json({"path": path, "files": [f.to_dict() for f in files]})


def content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in PREVIEW_TYPES:
        return PREVIEW_TYPES[name]
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in PREVIEW_TYPES:
        return PREVIEW_TYPES[ext]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def attachment(name: str) -> str:
    """A ``Content-Disposition`` for downloading a file called ``name`` (RFC 6266).

    HTTP headers are Latin-1, so a name that is not plain ASCII also goes in ``filename*``
    percent-encoded as UTF-8 (what browsers use), after an ASCII ``filename`` for old clients.

    >>> print(attachment("结果 1.csv"))
    attachment; filename="__ 1.csv"; filename*=UTF-8''%E7%BB%93%E6%9E%9C%201.csv
    >>> print(attachment("model.pkl"))
    attachment; filename="model.pkl"
    """
    fallback = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class ArtifactFileHandler(LabtrackHandler):
    """``GET runs/{run_id}/artifacts/file?path=``: a file's bytes with its content type."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:

        path = safe_artifact_path(self.arg("path") or "")
        if not path:
            raise InvalidParameterError("Give the file's path inside the run: ?path=plots/a.png")
        run = await self.call(self.client.get_run, run_id)
        await stream_artifact(self, ArtifactRepository(run.info.artifact_uri), path)


async def stream_artifact(handler: LabtrackHandler, repo: ArtifactRepository, path: str) -> None:
    """Send the file ``path`` of ``repo`` in chunks, as data a browser never renders as a
    page of ours; ``?download=1`` asks the browser to save it."""
    handle = await handler.call(repo.open, path, "rb")
    kind = content_type(path)
    handler.set_header("Content-Type", kind)
    # Never let a browser render an artifact as a page of ours: files are data.
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
    if handler.get_query_argument("download", "") in ("1", "true"):
        handler.set_header("Content-Disposition", attachment(path.rsplit("/", 1)[-1]))
    await handler.send_file(handle, kind)


class NotebookVersionHandler(RunNotebookHandler):
    """``GET runs/{run_id}/notebook``: the captured notebook version (nbformat JSON).

    ``PUT`` on the same path (the frontend's live model) comes from ``RunNotebookHandler``.
    """

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        import nbformat

        nb = await self.call(run_notebook_version, self.client, run_id)
        # APIHandler.finish sets the content type: JSON unless told otherwise.
        self.finish(
            nbformat.writes(nb),  # type: ignore[no-untyped-call]
            set_content_type="application/x-ipynb+json",
        )


class NotebookDiffHandler(LabtrackHandler):
    """``GET runs/{run_id}/notebook/diff?other=<run_id>``: cell-by-cell diff (nbdime) with
    another run's version; ``?path=<notebook>`` instead: with that notebook as it is now on
    disk (root-relative, read through the contents manager)."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:

        other, path = self.arg("other"), self.arg("path")
        if bool(other) == (path is not None):
            raise InvalidParameterError(
                "Give either the run to compare with (?other=<run_id>) or a notebook under the "
                "Jupyter root (?path=experiments/demo.ipynb), not both."
            )
        path = None if other else notebook_path(path)
        base = await self.call(run_notebook_version, self.client, run_id)
        if path is None:
            remote = await self.call(run_notebook_version, self.client, other)
        else:
            remote = await read_notebook(self.contents_manager, path)
        diff, text = await self.call(diff_versions, base, remote)
        await self.send_json({"base": base, "remote": remote, "diff": diff, "text": text})


class CompareHandler(LabtrackHandler):
    """``GET compare?run_ids=a,b,c``: params, metrics and tags of several runs at once."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        run_ids = self.list_arg("run_ids")
        if len(run_ids) < 1:
            raise InvalidParameterError("Give run_ids (comma-separated).")
        if len(run_ids) > MAX_COMPARE:
            raise InvalidParameterError(f"Compare at most {MAX_COMPARE} runs at once.")
        runs = [run_json(await self.call(self.client.get_run, rid)) for rid in run_ids]
        keys: dict[str, list[str]] = {}
        differing: dict[str, list[str]] = {}
        for kind in ("params", "metrics", "tags"):
            all_keys = sorted({k for r in runs for k in r["data"][kind]})
            keys[kind] = all_keys
            differing[kind] = [
                k for k in all_keys if len({repr(r["data"][kind].get(k)) for r in runs}) > 1
            ]
        self.write_json({"runs": runs, "keys": keys, "differing": differing})
