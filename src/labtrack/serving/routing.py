"""Which loaded model answers a request: refs (``2``, ``Production``, ``latest``, ``@champion``)
resolved against the registry, kept current by a background thread.

The request path only reads :attr:`ModelTable.routes`, a dict replaced as a whole (never
changed in place): no lock, no query. A daemon thread polls the registered model's change
marker (one indexed read) every ``poll_interval`` seconds; when it moves, the thread reads the
versions and aliases once, loads any model that a watched ref now points at (while the old one
keeps answering), then publishes the new dict in one assignment. So a promotion to Production
switches answers within about a second, and no request fails or waits for it.

Refs mean what they mean in ``models:/`` URIs. Serving covers the versions that are not
archived: an archived version named by its number, or the Archived stage, is a 404; ``latest``
(the newest version) and an alias follow their version wherever it is, as they are explicit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from labtrack.entities.model_registry import ModelVersion, ModelVersionStages
from labtrack.errors import LabtrackError, ResourceNotFoundError
from labtrack.utils.validation import is_number

__all__ = ["ModelTable", "Route", "canonical_ref"]

log = logging.getLogger("labtrack.serving")
Stages = ModelVersionStages
RETRY_FAILED_LOAD_SECONDS = 10.0
MAX_WATCHED_REFS = 256


def canonical_ref(ref: str) -> str:
    """``"2"``, a stage's spelling, ``"latest"`` or ``"@alias"`` (a bare word is an alias)."""
    ref = ref.strip()
    if is_number(ref):
        return str(int(ref))
    if ref.lower() == "latest":
        return "latest"
    if Stages.is_stage(ref):
        return Stages.canonical(ref)
    return ref if ref.startswith("@") else "@" + ref


@dataclass(frozen=True)
class Route:
    """What a ref resolves to now: a loaded model, or why there is none (an HTTP status)."""

    ref: str
    version: int | None
    model: Any = None
    status: int = 200
    error: str | None = None


@dataclass
class _Snapshot:
    marker: int | None
    versions: dict[int, ModelVersion] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)


def resolve(snap: _Snapshot, name: str, ref: str) -> tuple[int | None, str | None]:
    """(version, None) or (None, why not) for a canonical ref against a snapshot."""
    live = snap.versions
    if snap.marker is None:
        return None, f"Registered model {name!r} does not exist (deleted or renamed)."
    if ref.startswith("@"):
        found = snap.aliases.get(ref[1:])
        return (found, None) if found in live else (None, f"{name!r} has no alias {ref[1:]!r}.")
    if is_number(ref):
        v = live.get(int(ref))
        if v is None:
            return None, f"{name!r} has no version {ref}."
        if v.current_stage == Stages.ARCHIVED:
            return None, (
                f"Version {ref} of {name!r} is Archived; serving covers the versions that are "
                "not archived. Move it to another stage to serve it."
            )
        return v.version, None
    if ref == Stages.ARCHIVED:
        return None, "Archived versions are not served; name a version, stage or alias."
    pool = [v for v in live.values() if ref == "latest" or v.current_stage == ref]
    if not pool:
        what = "versions" if ref == "latest" else f"version in stage {ref}"
        return None, f"{name!r} has no {what}."
    return max(v.version for v in pool), None


class ModelTable:
    """The served models of one registered model (or one fixed model URI)."""

    def __init__(
        self,
        client: Any,
        name: str | None,
        loader: Callable[[str], Any],
        poll_interval: float = 1.0,
        static_uri: str | None = None,
    ) -> None:
        self.client = client
        self.name = name
        self.loader = loader  # local folder or URI -> predict-able model
        self.poll_interval = poll_interval
        self.static_uri = static_uri
        self.routes: dict[str, Route] = {}
        self._watched: set[str] = set()
        self._models: dict[int, Any] = {}
        self._failed: dict[int, tuple[float, str]] = {}
        self._snap = _Snapshot(marker=-1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the request path --------------------------------------------------------------------
    def route(self, ref: str) -> Route:
        """The route for ``ref``; resolved (and its model loaded) here the first time only.

        Call it off the event loop when :meth:`cached` has nothing: it may query and load.
        """
        found = self.cached(ref)
        if found is not None:
            return found
        key = canonical_ref(ref) if self.static_uri is None else ""
        with self._lock:
            self._watched.add(key)
            self._refresh_locked(force=True)
            found = self.routes[key]
            if found.status == 404 and len(self._watched) > MAX_WATCHED_REFS:
                # Do not remember every unknown name a client tries.
                self._watched.discard(key)
                self.routes = {k: v for k, v in self.routes.items() if k != key}
        return found

    def cached(self, ref: str) -> Route | None:
        """The current route for ``ref`` if it is already watched (two dict lookups)."""
        routes = self.routes
        found = routes.get(ref)
        if found is None and self.static_uri is None:
            found = routes.get(canonical_ref(ref))
        return found

    # -- background refresh ------------------------------------------------------------------
    def start(self, preload: list[str] | None = None, aliases: bool = False) -> None:
        """Resolve and load ``preload`` refs (and every alias, with ``aliases``), then keep
        every watched ref current in a background thread."""
        with self._lock:
            self._watched.update(canonical_ref(r) for r in preload or ())
            if self.static_uri is not None:
                self._watched.add("")
            elif aliases:
                self._snap = self._snapshot()
                self._watched.update("@" + a for a in self._snap.aliases)
            self._refresh_locked(force=True)
        if self.static_uri is None and self._thread is None:
            self._thread = threading.Thread(target=self._poll, name="labtrack-serving", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                with self._lock:
                    self._refresh_locked(force=False)
            except Exception:  # a store hiccup: keep serving what we have, try again
                log.exception("labtrack serving: refreshing %r failed", self.name)

    def _snapshot(self) -> _Snapshot:
        assert self.name is not None
        store = self.client.store
        marker = store.registered_model_marker(self.name)
        if marker is None:
            return _Snapshot(None)
        if marker == self._snap.marker:
            return self._snap
        versions = store.search_model_versions(
            f"name = '{self.name.replace(chr(39), chr(39) * 2)}'"
        )
        try:
            aliases = store.get_registered_model(self.name).aliases
        except ResourceNotFoundError:
            return _Snapshot(None)
        return _Snapshot(marker, {v.version: v for v in versions}, dict(aliases))

    def _refresh_locked(self, force: bool) -> None:
        if self.static_uri is not None:
            if "" not in self.routes or force and self.routes[""].status != 200:
                self.routes = {"": self._static_route()}
            return
        snap = self._snapshot()
        retry = any(
            time.monotonic() - t > RETRY_FAILED_LOAD_SECONDS for t, _ in self._failed.values()
        )
        if snap is self._snap and not force and not retry:
            return
        self._snap = snap
        assert self.name is not None
        wanted: dict[str, tuple[int | None, str | None]] = {
            ref: resolve(snap, self.name, ref) for ref in self._watched
        }
        for version, _ in wanted.values():
            if version is not None and version not in self._models:
                self._load(snap.versions[version])
        table: dict[str, Route] = {}
        for ref, (version, why) in wanted.items():
            if version is None:
                table[ref] = Route(ref, None, status=404, error=why)
            elif version in self._models:
                table[ref] = Route(ref, version, self._models[version])
            else:
                table[ref] = Route(ref, version, status=503, error=self._failed[version][1])
        self.routes = table  # one assignment: requests see the old table or the new one
        in_use = {r.version for r in table.values()}
        for version in [v for v in self._models if v not in in_use]:
            del self._models[version]  # nothing routes to it any more

    def _load(self, mv: ModelVersion) -> None:
        last = self._failed.get(mv.version)
        if last is not None and time.monotonic() - last[0] < RETRY_FAILED_LOAD_SECONDS:
            return
        try:
            self._models[mv.version] = self.loader(self.client._download_source(mv.source, None))
            self._failed.pop(mv.version, None)
            log.info("labtrack serving: loaded %s version %s", self.name, mv.version)
        except Exception as err:  # a broken model file must not take the process down
            why = f"Version {mv.version} of {self.name!r} could not be loaded: {_describe(err)}"
            self._failed[mv.version] = (time.monotonic(), why)
            log.error("labtrack serving: %s", why)

    def _static_route(self) -> Route:
        assert self.static_uri is not None
        try:
            return Route("", None, self.loader(self.static_uri))
        except Exception as err:
            return Route(
                "", None, status=503, error=f"The model could not be loaded: {_describe(err)}"
            )

    # -- status ------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """Versions (not archived) with their stage, aliases and whether they are loaded."""
        snap = self._snap
        aliases: dict[int, list[str]] = {}
        for alias, v in sorted(snap.aliases.items()):
            aliases.setdefault(v, []).append(alias)
        versions = [
            {
                "version": v.version,
                "current_stage": v.current_stage,
                "aliases": aliases.get(v.version, []),
                "loaded": v.version in self._models,
                "error": self._failed[v.version][1] if v.version in self._failed else None,
            }
            for v in sorted(snap.versions.values(), key=lambda v: v.version)
            if v.current_stage != Stages.ARCHIVED
        ]
        routes = {
            ref: {"version": r.version, "status": r.status, "error": r.error}
            for ref, r in sorted(self.routes.items())
            if ref == "" or canonical_ref(ref) == ref
        }
        return {
            "name": self.name,
            "model_uri": self.static_uri,
            "versions": versions,
            "routes": routes,
        }


def _describe(err: BaseException) -> str:
    if isinstance(err, LabtrackError):
        return err.message
    return f"{type(err).__name__}: {err}"
