"""The serving app in a real process: every input format, malformed and oversized bodies (a
4xx naming the problem, never a 500, and the process stays up), health and version routes."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import labtrack
import labtrack.pyfunc
from tests.serving.conftest import COLUMNS, Server, rows, serving_process


@pytest.fixture(scope="module")
def server(two_versions: Path) -> Iterator[Server]:
    """``models:/diab/Production`` (version 1) with a 1 MB body limit."""
    args = ["--model-uri", "models:/diab/Production", "--tracking-uri", str(two_versions)]
    with serving_process([*args, "--max-body-mb", "1"], two_versions) as running:
        yield running


@pytest.fixture(autouse=True)
def still_up(server: Server) -> Iterator[None]:
    """After every test: the same process answers a valid request."""
    pid = server.popen.pid
    yield
    code, body, _ = server.request("GET", "/ping")
    assert code == 200 and body["pid"] == pid and server.popen.poll() is None


def _positive(body: Any, n: int) -> bool:
    preds = body["predictions"]
    return len(preds) == n and all(p > 0 for p in preds)


def test_dataframe_split(server: Server, diabetes: Any) -> None:
    code, body, headers = server.request(
        "POST",
        "/invocations",
        json.dumps({"dataframe_split": {"columns": COLUMNS, "data": rows(diabetes)}}),
        **{"Content-Type": "application/json"},
    )

    assert code == 200 and _positive(body, 3)
    assert headers["X-Labtrack-Model-Version"] == "1"
    assert float(headers["Server-Timing"].split("predict;dur=")[1]) > 0


def test_dataframe_records(server: Server, diabetes: Any) -> None:
    records = [dict(zip(COLUMNS, r, strict=True)) for r in rows(diabetes, 2)]

    code, body = server.score({"dataframe_records": records})

    assert code == 200 and _positive(body, 2)


@pytest.mark.parametrize("key", ["instances", "inputs"])
def test_instances_and_inputs_as_arrays_and_columns(
    server: Server, diabetes: Any, key: str
) -> None:
    data = rows(diabetes, 2)
    by_column = {c: [r[i] for r in data] for i, c in enumerate(COLUMNS)}

    code, as_array = server.score({key: data})
    code2, as_columns = server.score({key: by_column})

    assert (code, code2) == (200, 200)
    assert _positive(as_array, 2) and as_array == as_columns


def test_csv_body(server: Server, diabetes: Any) -> None:
    text = ",".join(COLUMNS) + "\n" + "\n".join(",".join(map(str, r)) for r in rows(diabetes))

    code, body, _ = server.request("POST", "/invocations", text, **{"Content-Type": "text/csv"})

    assert code == 200 and _positive(body, 3)


def test_answers_match_the_model_loaded_in_python(
    server: Server, two_versions: Path, diabetes: Any
) -> None:
    import pandas as pd

    labtrack.set_tracking_uri(str(two_versions))
    try:
        model = labtrack.pyfunc.load_model("models:/diab/Production")
        expected = model.predict(pd.DataFrame(rows(diabetes), columns=COLUMNS))
    finally:
        labtrack.set_tracking_uri(None)

    code, body = server.score({"dataframe_split": {"columns": COLUMNS, "data": rows(diabetes)}})

    assert code == 200 and body["predictions"] == pytest.approx(list(expected))


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{oops", "application/json", 400, "not valid JSON"),
        (b"[]", "application/json", 400, "must be an object"),
        (b'{"inputs": [[1]], "instances": [[1]]}', "application/json", 400, "exactly one of"),
        (b'{"dataframe_split": {"data": 3}}', "application/json", 400, "list of rows"),
        (b'{"inputs": [[1, 2], [3]]}', "application/json", 400, "rectangular"),
        (b'{"dataframe_records": [{"age": 0.1}]}', "application/json", 400, "missing column"),
        (b'{"inputs": [[1, 2, 3]]}', "application/json", 400, "expects 10 columns"),
        (b"", "text/csv", 400, "CSV body is empty"),
        (b"<x/>", "application/xml", 415, "text/csv"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_problem(
    server: Server, body: bytes, content_type: str, status: int, message: str
) -> None:
    code, reply, _ = server.request("POST", "/invocations", body, **{"Content-Type": content_type})

    assert code == status, reply
    assert message in reply["message"] and reply["error_code"]


def test_a_column_of_the_wrong_type_is_named(server: Server, diabetes: Any) -> None:
    data = rows(diabetes, 1)
    data[0][2] = "high"  # bmi as text

    code, reply = server.score({"dataframe_split": {"columns": COLUMNS, "data": data}})

    assert code == 400 and "'bmi'" in reply["message"]


def test_input_the_model_itself_rejects_is_a_400(server: Server, diabetes: Any) -> None:
    data = rows(diabetes, 1)
    body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": data}}).replace(
        str(data[0][0]), "Infinity", 1
    )

    code, reply, _ = server.request(
        "POST", "/invocations", body, **{"Content-Type": "application/json"}
    )

    assert code == 400
    assert "The model could not predict on this input" in reply["message"]
    assert "infinity" in reply["message"].lower()


def test_an_oversized_body_is_a_413(server: Server) -> None:
    big = b'{"inputs": [' + b"1.0," * 400_000 + b"1.0]}"  # 1.6 MB, limit 1 MB

    code, reply, _ = server.request(
        "POST", "/invocations", big, **{"Content-Type": "application/json"}
    )

    assert code == 413 and "larger than 1 MB" in reply["message"]


def test_an_oversized_chunked_body_is_a_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 50_000

    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request(
        "POST",
        "/invocations",
        body=chunks(),
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = conn.getresponse()

    assert response.status == 413 and b"larger than 1 MB" in response.read()
    conn.close()


def test_a_huge_announced_body_is_refused_before_it_is_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 500000000\r\n\r\n"
        )
        reply = b""
        while b"larger than" not in reply:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk

    assert reply.startswith(b"HTTP/1.1 413") and b"larger than 1 MB" in reply


def test_ping_health_and_version(server: Server) -> None:
    code, health, _ = server.request("GET", "/health")
    vcode, version, _ = server.request("GET", "/version")

    assert code == 200 and health["status"] == "ok" and health["version"] == 1
    assert vcode == 200 and version == labtrack.__version__


def test_other_routes_refs_and_methods_get_json_errors(server: Server) -> None:
    for method, path, status in (
        ("POST", "/2/invocations", 404),
        ("GET", "/status", 404),
        ("GET", "/nowhere", 404),
        ("GET", "/invocations", 405),
    ):
        code, body, headers = server.request(method, path, b"{}" if method == "POST" else None)
        assert code == status, (method, path)
        assert headers["Content-Type"].startswith("application/json") and body["message"]


def test_a_runs_uri_is_served_as_a_fixed_model(
    two_versions: Path, diabetes: Any, tmp_path: Path
) -> None:
    source = labtrack.TrackingClient(str(two_versions)).get_model_version("diab", 2).source

    with serving_process(
        ["--model-uri", source, "--tracking-uri", str(two_versions)], tmp_path
    ) as s:
        code, body = s.score({"inputs": rows(diabetes, 2)})

    assert code == 200 and all(p < 0 for p in body["predictions"])


def test_an_unknown_model_name_fails_at_start_with_a_clear_message(
    two_versions: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "labtrack.serving", "--model-uri", "models:/nope/1"]
        + ["--tracking-uri", str(two_versions)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1 and "'nope' not found" in done.stderr
