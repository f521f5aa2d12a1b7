"""MLflow's metric reads: a metric's history (paged) and sampled histories of several runs."""

from __future__ import annotations

from typing import Any

from labtrack.entities import Metric
from labtrack.errors import InvalidParameterError
from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import GetRpc
from labtrack.server.mlflow.fields import Fields, missing
from labtrack.store.contract import TrackingStore
from labtrack.store.sql.database import decode_page_token, encode_page_token

__all__ = ["GetMetricHistoryBulkIntervalHandler", "GetMetricHistoryHandler", "sample_steps"]

BULK_MAX_RUNS = 100
BULK_MAX_RESULTS = 2500


class GetMetricHistoryHandler(GetRpc):
    """``GET metrics/get-history?run_id=&metric_key=&max_results=&page_token=``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        run_id = fields.run_id()
        key = fields.required_string("metric_key")
        max_results = fields.int64("max_results")
        if max_results is not None and max_results <= 0:
            raise InvalidParameterError(
                f"Invalid value {max_results} for parameter 'max_results': it must be a "
                "positive integer."
            )
        offset = decode_page_token(fields.string("page_token"))
        history = await self.call(self.client.store.get_metric_history, run_id, key)
        end = len(history) if max_results is None else offset + max_results
        page = history[offset:end]
        token = encode_page_token(end) if end < len(history) else None
        found = [messages.metric(m) for m in page]
        return messages.compact({"metrics": found, "next_page_token": token})


def sample_steps(steps: list[int], max_results: int) -> set[int]:
    """At most ``max_results`` of the sorted ``steps``, evenly spread, first and last kept."""
    if len(steps) <= max_results:
        return set(steps)
    if max_results == 1:
        return {steps[0]}
    last = len(steps) - 1
    return {steps[round(i * last / (max_results - 1))] for i in range(max_results)}


def _bulk(
    store: TrackingStore,
    run_ids: list[str],
    key: str,
    start: int | None,
    end: int | None,
    max_results: int,
) -> list[Metric]:
    histories = []
    for run_id in run_ids:
        history = store.get_metric_history(run_id, key)
        if start is not None and end is not None:
            history = [m for m in history if start <= m.step <= end]
        histories.append((run_id, history))
    steps = sorted({m.step for _, history in histories for m in history})
    chosen = sample_steps(steps, max_results)
    out = []
    for run_id, history in histories:
        out += [
            Metric(m.key, m.value, m.timestamp, m.step, run_id=run_id)
            for m in history
            if m.step in chosen
        ]
    return out


class GetMetricHistoryBulkIntervalHandler(GetRpc):
    """``GET metrics/get-history-bulk-interval?run_ids=...&metric_key=&start_step=&end_step=
    &max_results=``: the same sampled steps of a metric for up to 100 runs."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        run_ids = fields.strings("run_ids")
        if not run_ids:
            raise missing("run_ids")
        if len(run_ids) > BULK_MAX_RUNS:
            raise InvalidParameterError(
                f"GetMetricHistoryBulkInterval takes at most {BULK_MAX_RUNS} runs; got "
                f"{len(run_ids)}."
            )
        key = fields.required_string("metric_key")
        start, end = fields.int64("start_step"), fields.int64("end_step")
        if (start is None) != (end is None):
            raise InvalidParameterError(
                "If either start_step or end_step is given, both must be given."
            )
        if start is not None and end is not None and start > end:
            raise InvalidParameterError(
                f"end_step ({end}) must be greater than or equal to start_step ({start})."
            )
        max_results = fields.int64("max_results", default=BULK_MAX_RESULTS)
        if max_results is None or not 1 <= max_results <= BULK_MAX_RESULTS:
            raise InvalidParameterError(
                f"max_results must be between 1 and {BULK_MAX_RESULTS}; got {max_results}."
            )
        found = await self.call(
            _bulk, self.client.store, list(dict.fromkeys(run_ids)), key, start, end, max_results
        )
        return messages.compact({"metrics": [messages.metric(m, True) for m in found]})
