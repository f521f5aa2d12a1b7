"""One predict thread per model, and ``--max-batch``: requests that queue while the model is
busy share one predict call, each client still gets exactly its own rows' answers (or its own
error); small requests to a fast idle model are scored without a thread switch."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from labtrack.serving import runner as runner_module
from labtrack.serving.runner import ModelRunner, Scored
from labtrack.serving.scoring import ScoringError
from tests.server.helpers import api
from tests.serving.conftest import COLUMNS, Server, rows, serving_process, wait_for
from tests.serving.test_jupyter_serving import ready, registered, supervisor

__all__ = ["registered", "supervisor"]  # fixtures shared with the Jupyter serving tests


class Gated:
    """A model whose first call waits for ``release``, so later requests queue behind it.

    Predictions are each row's sum (plus ``params["add"]``); a negative value is refused."""

    def __init__(self, output: str = "array") -> None:
        self.calls: list[int] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.output = output

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        self.calls.append(len(data))
        if len(self.calls) == 1:
            self.started.set()
            assert self.release.wait(30)
        values = np.asarray(data, dtype=float)
        if (values < 0).any():
            raise ValueError("negative input")
        sums = values.sum(axis=1) + (params or {}).get("add", 0)
        if self.output == "total":  # one number for the whole input: not splittable by rows
            return float(sums.sum())
        if self.output == "frame":
            return pd.DataFrame({"sum": sums})
        return sums


def _body(data: list[list[float]], columns: list[str] | None = None, **extra: Any) -> bytes:
    split = {"columns": columns or ["a", "b"], "data": data}
    return json.dumps({"dataframe_split": split, **extra}).encode()


def _answers(model: Gated, bodies: list[bytes], max_batch: int) -> list[Scored | ScoringError]:
    """Hold the model on a first request, queue ``bodies``, release; every outcome in order."""
    runner = ModelRunner(model, max_batch=max_batch)
    first = runner.submit(_body([[0.0, 0.0]]), "application/json")
    assert model.started.wait(30)
    futures = [runner.submit(b, "application/json") for b in bodies]
    model.release.set()
    assert first.result(30).batch == 1
    outcomes: list[Scored | ScoringError] = []
    for future in futures:
        try:
            outcomes.append(future.result(30))
        except ScoringError as err:
            outcomes.append(err)
    return outcomes


def test_queued_requests_share_one_call_and_get_their_own_rows() -> None:
    model = Gated()
    bodies = [_body([[1.0, 2.0]]), _body([[10.0, 20.0], [30.0, 40.0]]), _body([[5.0, 5.0]])]

    outcomes = _answers(model, bodies, max_batch=8)

    assert model.calls == [1, 4]
    assert [o.body for o in outcomes if isinstance(o, Scored)] == [
        '{"predictions": [3.0]}',
        '{"predictions": [30.0, 70.0]}',
        '{"predictions": [10.0]}',
    ]
    assert [o.batch for o in outcomes if isinstance(o, Scored)] == [3, 3, 3]


def test_max_batch_caps_a_call_and_one_means_no_batching() -> None:
    bodies = [_body([[float(i), 0.0]]) for i in range(5)]

    capped, alone = Gated(), Gated()
    _answers(capped, bodies, max_batch=2)
    _answers(alone, bodies, max_batch=1)

    assert capped.calls == [1, 2, 2, 1]
    assert alone.calls == [1, 1, 1, 1, 1, 1]


def test_only_requests_of_the_same_shape_share_a_call() -> None:
    model = Gated()
    bodies = [
        _body([[1.0, 2.0]]),
        _body([[1.0, 2.0]], columns=["a", "c"]),  # other columns
        _body([[1, 2]]),  # ints: another dtype
        _body([[1.0, 2.0]], params={"add": 100}),  # params go alone
        _body([[3.0, 4.0]]),
        _body([[5.0, 6.0]]),
    ]

    outcomes = _answers(model, bodies, max_batch=8)

    assert model.calls == [1, 1, 1, 1, 1, 2]
    assert [json.loads(o.body)["predictions"] for o in outcomes if isinstance(o, Scored)] == [
        [3.0],
        [3.0],
        [3.0],
        [103.0],
        [7.0],
        [11.0],
    ]


def test_a_bad_request_in_a_batch_gets_its_own_error_and_the_others_their_answers() -> None:
    model = Gated()
    bodies = [_body([[1.0, 2.0]]), _body([[-1.0, 2.0]]), b"not json", _body([[3.0, 4.0]])]

    outcomes = _answers(model, bodies, max_batch=8)

    good, bad, broken, good2 = outcomes
    assert isinstance(good, Scored) and good.body == '{"predictions": [3.0]}'
    assert isinstance(bad, ScoringError) and "negative input" in bad.message
    assert isinstance(broken, ScoringError) and "not valid JSON" in broken.message
    assert isinstance(good2, Scored) and good2.body == '{"predictions": [7.0]}'
    assert model.calls == [1, 3, 1, 1, 1]  # the shared call failed: each alone


def test_output_that_cannot_be_split_by_rows_is_predicted_per_request() -> None:
    model = Gated(output="total")
    bodies = [_body([[1.0, 2.0]]), _body([[3.0, 4.0], [1.0, 1.0]])]

    outcomes = _answers(model, bodies, max_batch=8)

    assert [o.body for o in outcomes if isinstance(o, Scored)] == [
        '{"predictions": 3.0}',
        '{"predictions": 9.0}',
    ]
    assert model.calls == [1, 3, 1, 2]


def test_frame_output_is_split_into_records() -> None:
    model = Gated(output="frame")

    outcomes = _answers(model, [_body([[1.0, 2.0]]), _body([[3.0, 4.0]])], max_batch=8)

    assert [o.body for o in outcomes if isinstance(o, Scored)] == [
        '{"predictions": [{"sum": 3.0}]}',
        '{"predictions": [{"sum": 7.0}]}',
    ]
    assert model.calls == [1, 2]


def test_a_fast_idle_model_scores_small_requests_inline() -> None:
    model = Gated()
    model.release.set()
    runner = ModelRunner(model)
    body = _body([[1.0, 2.0]])

    assert runner.try_inline(body, "application/json") is None  # no predict timed yet
    assert runner.submit(body, "application/json").result(30).body == '{"predictions": [3.0]}'
    inline = runner.try_inline(body, "application/json")
    with pytest.raises(ScoringError, match="negative input"):
        runner.try_inline(_body([[-1.0, 0.0]]), "application/json")

    assert inline is not None and inline.body == '{"predictions": [3.0]}'
    assert ModelRunner(model, max_batch=4).try_inline(body, "application/json") is None
    assert runner.try_inline(b" " * (runner_module.INLINE_MAX_BYTES + 1), None) is None


def test_a_slow_or_busy_model_is_never_scored_inline() -> None:
    model = Gated()
    runner = ModelRunner(model)
    body = _body([[1.0, 2.0]])
    runner._last_ms = 1.0  # as if the last predict was fast
    pending = runner.submit(body, "application/json")
    assert model.started.wait(30)

    busy = runner.try_inline(body, "application/json")
    model.release.set()
    pending.result(30)
    runner._last_ms = runner_module.INLINE_MAX_MS + 1

    assert busy is None and runner.try_inline(body, "application/json") is None


def test_an_idle_thread_ends_and_the_next_request_starts_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner_module, "IDLE_EXIT_SECONDS", 0.05)
    model = Gated()
    model.release.set()
    runner = ModelRunner(model)

    runner.submit(_body([[1.0, 1.0]]), "application/json").result(30)
    wait_for(lambda: runner._thread is None, "the idle thread to end", timeout=30)
    again = runner.submit(_body([[2.0, 2.0]]), "application/json").result(30)

    assert again.body == '{"predictions": [4.0]}'


# -- over HTTP ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batching(two_versions: Path) -> Iterator[Server]:
    args = ["--model-uri", "models:/diab/Production", "--tracking-uri", str(two_versions)]
    with serving_process([*args, "--max-batch", "8"], two_versions) as running:
        yield running


def test_concurrent_clients_get_batched_and_exactly_their_own_predictions(
    batching: Server, diabetes: Any
) -> None:
    data = rows(diabetes, 8)
    singles = [batching.score({"dataframe_split": {"columns": COLUMNS, "data": [r]}}) for r in data]
    expected = [body["predictions"] for _, body in singles]

    def one(i: int) -> tuple[int, Any, Any]:
        payload = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": [data[i]]}})
        return batching.request(
            "POST", "/invocations", payload, **{"Content-Type": "application/json"}
        )

    batch_sizes: list[int] = []
    with ThreadPoolExecutor(8) as pool:
        for _ in range(30):  # bounded: stop as soon as a shared call was seen
            answers = list(pool.map(one, range(8)))
            assert [code for code, _, _ in answers] == [200] * 8
            assert [body["predictions"] for _, body, _ in answers] == expected
            batch_sizes += [int(h.get("X-Labtrack-Batch-Size") or 1) for _, _, h in answers]
            if max(batch_sizes) > 1:
                break

    assert max(batch_sizes) > 1, "eight concurrent requests never shared a predict call"


def test_a_port_in_use_is_a_clean_error(two_versions: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "labtrack", "--tracking-uri", str(two_versions), "serve"]
            + ["models:/diab/Production", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert done.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("labtrack_config", [{"serving_max_batch": 4}])
async def test_the_jupyter_setting_reaches_the_model_process(
    jp_fetch: Any, registered: Path, supervisor: Any
) -> None:
    code, _ = await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    status = await ready(jp_fetch)

    cmdline = Path(f"/proc/{status['pid']}/cmdline").read_bytes().split(b"\0")

    assert code == 200
    assert cmdline[cmdline.index(b"--max-batch") + 1] == b"4"


def test_under_load_the_runner_waits_briefly_for_the_clients_it_just_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = Gated()
    runner = ModelRunner(model, max_batch=8)
    first = runner.submit(_body([[0.0, 0.0]]), "application/json")
    assert model.started.wait(30)
    three = [runner.submit(_body([[1.0, 1.0]]), "application/json") for _ in range(3)]
    model.release.set()
    assert [f.result(30).batch for f in [first, *three]] == [1, 3, 3, 3]

    monkeypatch.setattr(runner_module, "LINGER_SECONDS", 60.0)  # only a full call ends the wait
    again = [runner.submit(_body([[2.0, 2.0]]), "application/json") for _ in range(3)]
    assert [f.result(30).batch for f in again] == [3, 3, 3]

    monkeypatch.setattr(runner_module, "LINGER_SECONDS", 0.05)  # a lone request still goes
    alone = runner.submit(_body([[3.0, 3.0]]), "application/json").result(30)
    assert alone.batch == 1 and model.calls == [1, 3, 3, 1]


async def test_connections_to_the_serving_socket_have_nagle_off() -> None:
    """Without TCP_NODELAY a reply's second write (uvicorn writes head and body apart) waits
    for the client's delayed ACK, ~40 ms per request."""
    import asyncio
    import socket

    from labtrack.serving.serve import _bind

    sock = _bind("127.0.0.1", 0)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Record(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            conn = transport.get_extra_info("socket")
            accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Record, sock=sock)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        nodelay = await asyncio.wait_for(accepted, 30)
        writer.close()
    finally:
        server.close()

    assert nodelay != 0
