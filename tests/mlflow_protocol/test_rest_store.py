"""labtrack's own client over HTTP (the REST store) against ``labtrack server``: the fluent API,
artifacts and models through the proxy, a lost connection, points left at exit, retried
requests; and the standalone server itself (token by default, a warning without one, no
Jupyter services)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import labtrack
from labtrack.errors import LabtrackError, StoreError
from labtrack.store.rest.store import RestTrackingStore
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.conftest import run_mlflow, stop
from tests.services import free_port, wait_until


@dataclass
class Standalone:
    base: str
    token: str
    home: Path
    port: int
    pid: int
    log: Path

    @property
    def mlflow_uri(self) -> str:
        return f"{self.base}labtrack/mlflow"


def start_standalone(home: Path, port: int, *args: str, token: str | None = "s3cret") -> Standalone:
    log = home.parent / f"server-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABTRACK_", "MLFLOW_"))}
    env.update(LABTRACK_HOME=str(home), JUPYTER_RUNTIME_DIR=str(home.parent / "runtime"))
    command = [sys.executable, "-m", "labtrack", "server", "--port", str(port), *args]
    if token:
        command += ["--token", token]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}/"

    def ready() -> bool:
        request = urllib.request.Request(base + "labtrack/api/store")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    wait_until(ready, "labtrack server", proc, log, timeout=90)
    return Standalone(base, token or "", home, port, proc.pid, log)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    """One server for the tests that leave it running (each uses names of its own)."""
    server = start_standalone(tmp_path_factory.mktemp("shared") / "home", free_port())
    yield server
    stop(server.pid)


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[Standalone]:
    """A server of this test's own (the test may stop it)."""
    server = start_standalone(tmp_path / "home", free_port())
    yield server
    stop(server.pid)


@pytest.fixture(params=["shared"])
def over_http(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fresh_home: Path
) -> Standalone:
    """The fluent API of this process pointed at a server (``shared`` unless the test asks for
    its own with ``@pytest.mark.parametrize("over_http", ["standalone"], indirect=True)``)."""
    server: Standalone = request.getfixturevalue(request.param)
    monkeypatch.setenv("LABTRACK_TRACKING_TOKEN", server.token)
    monkeypatch.setenv("LABTRACK_HTTP_RETRY_SECONDS", "2")
    labtrack.set_tracking_uri(server.base)
    return server  # fresh_home ends runs and closes writers and stores afterwards


def status_of(url: str, token: str | None) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_the_standalone_server_needs_its_token_and_runs_no_code(shared: Standalone) -> None:
    store_url = shared.base + "labtrack/api/store"
    assert status_of(store_url, shared.token) == 200
    assert status_of(store_url, None) == 403
    assert status_of(store_url, "wrong") == 403
    # Jupyter's services that run code or read files are not there at all.
    for path in ("api/kernels", "api/contents", "api/sessions", "api/terminals"):
        assert status_of(shared.base + path, shared.token) == 404, path


def test_without_a_token_it_warns_and_serves_anyone(tmp_path: Path) -> None:
    server = start_standalone(tmp_path / "home", free_port(), "--no-token", token=None)
    try:
        assert status_of(server.base + "labtrack/api/store", None) == 200
        log = server.log.read_text()
        assert "authentication is OFF" in log
        assert "AUTHENTICATION IS OFF" in log
    finally:
        stop(server.pid)


def test_mlflow_logs_into_the_standalone_server(
    shared: Standalone, mlflow3: Path, tmp_path: Path
) -> None:
    standalone = shared
    script = """
    import json, mlflow
    mlflow.set_experiment("standalone")
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 2.5)
        mlflow.log_text("hi", "a.txt")
    print(json.dumps({"run_id": run.info.run_id}))
    """
    ids = run_mlflow(mlflow3, script, standalone, tmp_path)  # type: ignore[arg-type]
    client = TrackingClient(str(standalone.home))
    assert client.get_run(ids["run_id"]).data.metrics == {"m": 2.5}
    assert client.load_text(ids["run_id"], "a.txt") == "hi"


def test_the_fluent_api_logs_over_http(over_http: Standalone, tmp_path: Path) -> None:
    labtrack.set_experiment("over-http")
    with labtrack.start_run(run_name="remote") as run:
        labtrack.log_param("lr", 0.1)
        for step in range(2000):
            labtrack.log_metric("loss", 1.0 / (step + 1), step=step)
        labtrack.log_dict({"a": 1}, "cfg/a.json")
        (tmp_path / "folder").mkdir()
        (tmp_path / "folder" / "x.txt").write_text("x")
        labtrack.log_artifacts(str(tmp_path / "folder"), "files")
    rid = run.info.run_id
    assert run.info.artifact_uri.startswith(over_http.base + "labtrack/mlflow/api/2.0/")

    local = TrackingClient(str(over_http.home))  # the server's own store, read directly
    stored = local.get_run(rid)
    assert (stored.info.run_name, stored.info.status) == ("remote", "FINISHED")
    assert stored.data.params == {"lr": "0.1"}
    assert len(local.get_metric_history(rid, "loss")) == 2000
    assert json.loads(local.load_text(rid, "cfg/a.json")) == {"a": 1}
    assert local.load_text(rid, "files/x.txt") == "x"
    # And back through HTTP.
    remote = TrackingClient()
    assert [f.path for f in remote.list_artifacts(rid)] == ["cfg", "files"]
    assert remote.store.metric_downsampled(rid, "loss", 10)["downsampled"] is True
    # The DataFrame over HTTP: no read by key there (the contract's None), the rows are read.
    assert remote.store.search_run_key_table([run.info.experiment_id]) is None
    frame = labtrack.search_runs(filter_string="params.lr = '0.1'")
    assert list(frame["run_id"]) == [rid] and frame["metrics.loss"][0] == 1.0 / 2000


def test_a_model_logs_registers_and_loads_over_http(over_http: Standalone) -> None:
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.linear_model import LinearRegression

    import labtrack.pyfunc
    import labtrack.sklearn

    x = np.arange(20.0).reshape(10, 2)
    model = LinearRegression().fit(x, x.sum(axis=1))
    with labtrack.start_run():
        info = labtrack.sklearn.log_model(model, "model", registered_model_name="lin-http")
    loaded = labtrack.pyfunc.load_model("models:/lin-http/1")
    assert np.allclose(loaded.predict(x[:3]), model.predict(x[:3]))
    version = TrackingClient(str(over_http.home)).get_model_version("lin-http", 1)
    assert version.source.startswith(str(over_http.home))  # stored as the server's own path
    assert info.model_uri == f"models:/{info.model_id}"  # MLflow 3: a logged model
    assert np.allclose(
        labtrack.pyfunc.load_model(info.model_uri).predict(x[:3]), model.predict(x[:3])
    )


@pytest.mark.parametrize("over_http", ["standalone"], indirect=True)
def test_a_lost_connection_keeps_the_points_until_the_server_is_back(
    over_http: Standalone,
) -> None:
    with labtrack.start_run() as run:
        labtrack.log_metric("before", 1.0)
        labtrack.flush()
        stop(over_http.pid)
        for step in range(500):
            labtrack.log_metric("during", float(step), step=step)
        with pytest.raises(StoreError, match="Could not reach the labtrack server"):
            labtrack.flush()
        restarted = start_standalone(over_http.home, over_http.port)
        over_http.pid = restarted.pid
        labtrack.flush()  # what was queued is delivered now
    local = TrackingClient(str(over_http.home))
    assert len(local.get_metric_history(run.info.run_id, "during")) == 500
    assert local.get_run(run.info.run_id).info.status == "FINISHED"


def test_points_left_at_exit_are_saved_and_resent(standalone: Standalone, tmp_path: Path) -> None:
    go = tmp_path / "go"
    script = tmp_path / "leaver.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, sys, time
            from labtrack.store.rest.store import RestTrackingStore
            from labtrack.tracking.writer import MetricWriter

            store = RestTrackingStore({standalone.base!r}, {standalone.token!r})
            run = store.create_run("0", "me", 0, [], None)
            print(run.info.run_id, flush=True)
            while not os.path.exists({str(go)!r}):
                time.sleep(0.05)
            writer = MetricWriter(store)
            for step in range(1000):
                writer.append((run.info.run_id, "late", float(step), 1000 + step, step))
            """
        )
    )
    env = {**os.environ, "LABTRACK_HOME": str(tmp_path / "client-home")}
    env["LABTRACK_HTTP_RETRY_SECONDS"] = "1"
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    stop(standalone.pid)
    go.touch()
    _, err = proc.communicate(timeout=120)

    assert "labtrack resend" in err, err
    saved = list((tmp_path / "client-home" / "unsent").glob("*.jsonl"))
    assert len(saved) == 1 and str(saved[0]) in err

    restarted = start_standalone(standalone.home, standalone.port)
    standalone.pid = restarted.pid
    done = subprocess.run(
        [sys.executable, "-m", "labtrack", "resend", str(saved[0])],
        env={**env, "LABTRACK_TRACKING_TOKEN": standalone.token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1000 points sent" in done.stdout
    assert not saved[0].exists()
    history = TrackingClient(str(standalone.home)).get_metric_history(run_id, "late")
    assert [m.step for m in history] == list(range(1000))


def test_a_retried_request_is_done_once(shared: Standalone) -> None:
    standalone = shared
    body = json.dumps({"args": {"name": "once"}}).encode()
    answers = []
    for _ in range(2):  # the same request id twice, as a transport retry sends it
        request = urllib.request.Request(
            standalone.base + "labtrack/api/store/create_experiment", data=body, method="POST"
        )
        request.add_header("Authorization", f"Bearer {standalone.token}")
        request.add_header("Content-Type", "application/json")
        request.add_header("X-Labtrack-Request-Id", "fixed-id-1")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answers.append(json.loads(answer.read()))
    assert answers[0] == answers[1]
    names = [e.name for e in TrackingClient(str(standalone.home)).search_experiments()]
    assert names.count("once") == 1


def test_errors_keep_their_class_and_a_wrong_token_says_what_to_do(shared: Standalone) -> None:
    standalone = shared
    from labtrack.errors import ResourceAlreadyExistsError, ResourceNotFoundError

    store = RestTrackingStore(standalone.base, standalone.token)
    store.create_experiment("x")
    with pytest.raises(ResourceAlreadyExistsError):
        store.create_experiment("x")
    with pytest.raises(ResourceNotFoundError):
        store.get_run("0" * 32)
    wrong = RestTrackingStore(standalone.base, "wrong")
    with pytest.raises(LabtrackError, match="LABTRACK_TRACKING_TOKEN") as caught:
        wrong.get_experiment("0")
    assert caught.value.error_code == "PERMISSION_DENIED"
