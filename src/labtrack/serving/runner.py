"""Predicting for one loaded model: on its own thread, one predict call at a time, and with
``max_batch > 1`` the requests that queued while the model was busy answered by one call.

Why one thread per model: a Python model holds the GIL for most of its ``predict`` (a forest
walks its trees in Python), so predicting four requests on four threads is slower than one
after another. Processes (``--workers``) are what run predicts side by side.

Why batching: a call's cost is mostly per call, not per row (the 100-tree forest takes about
the same time for 1 row as for 100), so under concurrent load one call for the requests that
queued costs what one request did. A lone request never waits to fill a batch; requests that
arrive while the model predicts are combined, and under load (the last call took several
requests) the next call waits up to 2 ms for as many, since the clients just answered are
about to send again: without that, calls alternate between few and many. A batch holds
requests of the same shape (the same columns and dtypes, no ``params``, no custom index);
if the combined call fails, or its predictions cannot be split row by row, each request is
predicted alone, so every client gets its own answer or its own error. Batching is for models
whose predictions for a row do not depend on the other rows (scikit-learn's, for example),
which is why it is off unless asked for.

>>> class Double:
...     def predict(self, data, params=None):
...         return data * 2
>>> runner = ModelRunner(Double())
>>> runner.submit(b'{"inputs": [[1, 2]]}', "application/json").result().body
'{"predictions": [[2, 4]]}'
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Hashable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from labtrack.errors import LabtrackError
from labtrack.serving.scoring import ScoringError, parse_request, predictions_json

__all__ = ["ModelRunner", "Scored"]

# A runner's thread ends after this long without work and starts again with the next request,
# so a model the registry no longer routes to is not kept alive by its thread.
IDLE_EXIT_SECONDS = 30.0
# Without batching, a small request to an idle model whose last predict took less than this
# is scored on the caller's (the event loop's) thread: two thread switches fewer, and /ping
# waits at most about this long.
INLINE_MAX_MS = 20.0
INLINE_MAX_BYTES = 256 * 1024
# With batching, when fewer requests wait than the last call answered (clients that just got
# their answers are sending again), wait this long at most for them to arrive.
LINGER_SECONDS = 0.002


@dataclass(frozen=True)
class Scored:
    """One request's answer: the JSON body, how long the model's ``predict`` took (ms) and how
    many requests that call answered."""

    body: str
    predict_ms: float
    batch: int = 1


@dataclass
class _Job:
    body: bytes
    content_type: str | None
    future: Future[Scored] = field(default_factory=Future)
    data: Any = None
    params: dict[str, Any] | None = None


class ModelRunner:
    """The predict queue of one loaded model (``model.predict(data, params)``)."""

    def __init__(self, model: Any, max_batch: int = 1) -> None:
        self.model = model
        self.max_batch = max(1, max_batch)
        self._queue: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._splittable = True  # cleared when the model's output cannot be split by rows
        self._busy = False  # a predict is running (on the thread or inline)
        self._last_ms = float("inf")  # the last predict's duration; unknown until one ran
        self._last_batch = 1  # how many requests the last call took

    def try_inline(self, body: bytes, content_type: str | None) -> Scored | None:
        """Score ``body`` on this thread if that is the cheaper way (see INLINE_MAX_MS), else
        None (then :meth:`submit` it). Raises ScoringError like the future would."""
        if self.max_batch > 1 or len(body) > INLINE_MAX_BYTES or self._last_ms > INLINE_MAX_MS:
            return None
        with self._cond:
            if self._busy or self._queue:
                return None
            self._busy = True
        try:
            return self._score(*parse_request(body, content_type))
        finally:
            with self._cond:
                self._busy = False
                if self._queue and self._thread is not None:
                    self._cond.notify()

    def submit(self, body: bytes, content_type: str | None) -> Future[Scored]:
        """Queue a request body; the future holds its :class:`Scored` or a ScoringError."""
        job = _Job(body, content_type)
        with self._cond:
            self._queue.append(job)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="labtrack-predict", daemon=True
                )
                self._thread.start()
            else:
                self._cond.notify()
        return job.future

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    if not self._cond.wait(IDLE_EXIT_SECONDS) and not self._queue:
                        self._thread = None
                        return
                self._linger()
                jobs = [self._queue.popleft() for _ in range(min(len(self._queue), self.max_batch))]
                self._last_batch = len(jobs)
                self._busy = True
            try:
                self._run(jobs)
            except BaseException as err:  # a bug here must not leave a client waiting forever
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(err)
            finally:
                with self._cond:
                    self._busy = False

    def _linger(self) -> None:
        """Under load (the last call took several requests), give the clients that were just
        answered up to LINGER_SECONDS to send again, so calls stay full. Holds the lock."""
        want = min(self._last_batch, self.max_batch)
        if len(self._queue) >= want:
            return
        deadline = time.monotonic() + LINGER_SECONDS
        while len(self._queue) < want:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._cond.wait(left)

    def _run(self, jobs: list[_Job]) -> None:
        ready: list[_Job] = []
        for job in jobs:
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.data, job.params = parse_request(job.body, job.content_type)
            except ScoringError as err:
                job.future.set_exception(err)
                continue
            job.body = b""
            ready.append(job)
        for group in _groups(ready) if self.max_batch > 1 else ([j] for j in ready):
            if len(group) > 1 and self._splittable and self._predict_together(group):
                continue
            for job in group:
                try:
                    job.future.set_result(self._score(job.data, job.params))
                except ScoringError as err:
                    job.future.set_exception(err)

    def _score(self, data: Any, params: dict[str, Any] | None) -> Scored:
        """One request's predict call and its JSON answer (raises ScoringError)."""
        result, ms = self._predict(data, params)
        return Scored(_to_json(result), ms)

    def _predict(self, data: Any, params: dict[str, Any] | None) -> tuple[Any, float]:
        try:
            start = time.perf_counter()
            result = self.model.predict(data, params)
            self._last_ms = (time.perf_counter() - start) * 1000
            return result, self._last_ms
        except LabtrackError as err:  # the signature check names the column and the fix
            raise ScoringError(err.message) from None
        except Exception as err:  # whatever the model itself refuses
            raise ScoringError(
                f"The model could not predict on this input: {type(err).__name__}: {err}"
            ) from None

    def _predict_together(self, group: list[_Job]) -> bool:
        """Answer ``group`` with one predict call; False (nothing answered) if that fails."""
        sizes = [len(job.data) for job in group]
        try:
            combined = _concat([job.data for job in group])
            result, ms = self._predict(combined, None)
        except ScoringError:
            return False  # one request's bad row: each gets its own answer below
        parts = _split(result, sizes)
        if parts is None:
            self._splittable = False
            return False
        for job, part in zip(group, parts, strict=True):
            try:
                job.future.set_result(Scored(_to_json(part), ms, len(group)))
            except ScoringError as err:
                job.future.set_exception(err)
        return True


def _to_json(result: Any) -> str:
    try:
        return predictions_json(result)
    except (TypeError, ValueError) as err:
        raise ScoringError(
            f"The model's predictions cannot be sent as JSON: {err}",
            status=500,
            error_code="INTERNAL_ERROR",
        ) from None


def _batch_key(data: Any, params: dict[str, Any] | None) -> Hashable | None:
    """Requests with equal keys can share a predict call; None: this one goes alone."""
    import numpy as np
    import pandas as pd

    if params is not None:
        return None
    if isinstance(data, pd.DataFrame):
        if not isinstance(data.index, pd.RangeIndex) or len(data) == 0:
            return None
        key: Hashable = ("frame", tuple(data.columns), tuple(str(t) for t in data.dtypes))
    elif isinstance(data, np.ndarray) and data.ndim >= 1 and len(data):
        key = ("array", data.dtype.str, data.shape[1:])
    else:
        return None
    try:
        hash(key)
    except TypeError:  # unhashable column labels
        return None
    return key


def _groups(jobs: list[_Job]) -> Iterator[list[_Job]]:
    """Runs of consecutive jobs that can share a call, in arrival order."""
    group: list[_Job] = []
    last: Hashable | None = None
    for job in jobs:
        key = _batch_key(job.data, job.params)
        if group and (key is None or key != last):
            yield group
            group = []
        group.append(job)
        last = key
    if group:
        yield group


def _concat(parts: list[Any]) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(parts[0], pd.DataFrame):
        return pd.concat(parts, ignore_index=True)
    return np.concatenate(parts)


def _split(result: Any, sizes: list[int]) -> list[Any] | None:
    """``result`` cut into one part per request, or None if it is not one row per input row."""
    import numpy as np
    import pandas as pd

    total = sum(sizes)
    if isinstance(result, (pd.DataFrame, pd.Series)):
        if len(result) != total:
            return None
        take = result.iloc.__getitem__
    elif isinstance(result, np.ndarray):
        if result.ndim == 0 or result.shape[0] != total:
            return None
        take = result.__getitem__
    elif isinstance(result, list) and len(result) == total:
        take = result.__getitem__
    else:
        return None
    parts, start = [], 0
    for size in sizes:
        parts.append(take(slice(start, start + size)))
        start += size
    return parts
