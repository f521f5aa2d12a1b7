"""``synchronous=False``: log params, tags and batches in the background (MLflow's semantics).

A call with ``synchronous=False`` (or with ``synchronous`` left out while
``LABTRACK_ENABLE_ASYNC_LOGGING`` / ``MLFLOW_ENABLE_ASYNC_LOGGING`` is true) checks its
arguments, queues the write and returns a :class:`RunOperations`; ``wait()`` on it raises what
failed. One worker thread writes the queue in order; ``flush()`` (called by ``end_run`` and
``labtrack.flush``) waits for it. A failure nobody waits for is logged, as MLflow does.

Metrics are different: ``log_metric`` always queues its point for the metric writer
(:mod:`labtrack.tracking.writer`), whatever ``synchronous`` says, unless it is ``True``.

>>> ops = mlflow.log_param("alpha", 0.5, synchronous=False)  # doctest: +SKIP
>>> ops.wait()  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from labtrack import config
from labtrack.errors import LabtrackError

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["RunOperations", "flush", "is_async", "submit"]

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pending: set[Future[Any]] = set()


class RunOperations:
    """Logging operations running in the background; :meth:`wait` blocks until they are done."""

    def __init__(self, operation_futures: Iterable[Future[Any]] | None = None) -> None:
        self._operation_futures = list(operation_futures or [])

    def wait(self) -> None:
        """Block until every operation is done; raise if any failed (naming each failure)."""
        failed = []
        for future in self._operation_futures:
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001 - collected and raised together below
                failed.append(exc)
        if failed:
            raise LabtrackError(
                "The following failures occurred while performing one or more async logging "
                f"operations: {failed}"
            )


# The variables that switch async logging on (labtrack's name first, then MLflow's).
ENV_VARS = ("LABTRACK_ENABLE_ASYNC_LOGGING", "MLFLOW_ENABLE_ASYNC_LOGGING")


def is_async(synchronous: bool | None) -> bool:
    """``synchronous=False``, or ``None`` with async logging switched on in the environment."""
    if synchronous is None:
        value = config.env_first(ENV_VARS) or ""
        return value.strip().lower() in ("true", "1", "yes", "on")
    return not synchronous


def _done(future: Future[Any]) -> None:
    with _lock:
        _pending.discard(future)
    exc = future.exception()
    if exc is not None:
        import logging  # only when something failed: import labtrack stays light

        logging.getLogger("labtrack.tracking").error("Asynchronous logging failed: %s", exc)


def submit(work: Callable[..., Any], *args: Any, **kwargs: Any) -> RunOperations:
    """Run ``work(*args, **kwargs)`` on the logging thread, after what was queued before."""
    global _executor
    with _lock:
        if _executor is None:
            from concurrent.futures import ThreadPoolExecutor  # on first use: import stays light

            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labtrack-async")
        future = _executor.submit(work, *args, **kwargs)
        _pending.add(future)
    future.add_done_callback(_done)
    return RunOperations([future])


def flush() -> None:
    """Wait for every queued operation (failures were logged; they are not raised here)."""
    with _lock:
        waiting = list(_pending)
    for future in waiting:
        # Failures were logged by _done; RunOperations.wait is where they are raised.
        with contextlib.suppress(Exception):
            future.result()
