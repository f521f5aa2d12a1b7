"""Pytest plugin: real PostgreSQL and S3-compatible servers on 127.0.0.1 for the test session.

Fixtures (loaded from ``tests/conftest.py``):

``postgres_server`` (session)
    A :class:`PostgresServer` (``url``, ``admin_url``, ``port``, ``pid``). Either the server named
    by ``LABTRACK_TEST_POSTGRES_URL`` or a throwaway one started with ``initdb`` + ``postgres``
    from the PostgreSQL binaries on ``PATH`` or in ``/usr/lib/postgresql/*/bin``.
``postgres_url`` (session)
    ``postgresql+psycopg://postgres@127.0.0.1:PORT/labtrack_test``, a SQLAlchemy URL.
``fresh_postgres_url`` (function)
    The URL of a new, empty database made for one test and dropped after it.
``s3_server`` (session)
    An :class:`S3Server` (``endpoint``, ``pid``): a ``moto`` server. While it runs, the session
    has dummy AWS credentials and ``LABTRACK_S3_ENDPOINT_URL`` pointing at it, so any
    ``s3://`` artifact root in a test talks to it.
``s3_endpoint`` (session)
    ``http://127.0.0.1:PORT``.
``s3_bucket`` (function)
    ``s3://<fresh bucket>``, emptied and removed after the test.

Environment:

- ``LABTRACK_TEST_POSTGRES_URL``: use this PostgreSQL server instead of starting one (its user
  must be allowed to ``CREATE DATABASE`` for ``fresh_postgres_url``).
- ``LABTRACK_TEST_SKIP_POSTGRES=1``: skip the PostgreSQL tests when no server is available.
  Without it, missing binaries fail the tests: ``./dev test`` installs them.

Every server is started by this plugin as a child process and stopped by its PID at the end.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STARTUP_TIMEOUT = 30.0
DB_NAME = "labtrack_test"


@dataclass(frozen=True)
class PostgresServer:
    """A running PostgreSQL server. ``url`` names the ``labtrack_test`` database."""

    url: str
    admin_url: str
    port: int | None
    pid: int | None


@dataclass(frozen=True)
class S3Server:
    """A running S3-compatible (moto) server."""

    endpoint: str
    pid: int


# --- helpers ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    what: str,
    proc: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> float:
    """Poll ``ready`` until it is true; fail with the log tail on timeout or early exit.

    Returns the seconds waited.
    """
    start = time.monotonic()
    delay = 0.02
    while True:
        if ready():
            return time.monotonic() - start
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what} exited with code {proc.returncode} while starting.{_tail(log)}")
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what} did not become ready within {timeout:.0f} s.{_tail(log)}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n--- " + str(log) + " ---\n" + "\n".join(text)


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that ends the child with the test run even if pytest is killed.

    Servers run in their own session so a Ctrl-C reaches pytest first and pytest stops them in
    order; this covers a pytest that is killed and cannot. Linux only. Everything is looked up
    here, in the parent: the child may already have dropped to a user that cannot read this
    Python's files.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None).prctl
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigterm)

    return preexec


def stop_process(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop one child process by its PID: ``sig`` first, SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


# --- PostgreSQL -------------------------------------------------------------------------------


def find_postgres_bin(name: str) -> str | None:
    """Path of a PostgreSQL server binary (``initdb``, ``postgres``), newest version first."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: _version_key(Path(p).parent.parent.name),
        reverse=True,
    )
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _as_sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _connect(url: str) -> Any:
    """An autocommit psycopg connection to the database a SQLAlchemy URL names."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        dbname=u.database or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _can_connect(url: str) -> bool:
    import psycopg

    try:
        _connect(url).close()
    except psycopg.Error:
        return False
    return True


def _run_as_postgres_kwargs() -> dict[str, Any]:
    """subprocess arguments that drop root to the ``postgres`` user (initdb refuses root).

    This is what ``runuser -u postgres --`` does, minus the extra process: the PID we hold is the
    server's own, so stopping by PID reaches it.
    """
    if os.geteuid() != 0:
        return {}
    import pwd

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail(
            "Running as root, and PostgreSQL refuses root, but there is no 'postgres' user. "
            "Install PostgreSQL with `./dev test` (it creates the user)."
        )
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _start_postgres(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    initdb = find_postgres_bin("initdb")
    postgres = find_postgres_bin("postgres")
    if initdb is None or postgres is None:
        if os.environ.get("LABTRACK_TEST_SKIP_POSTGRES") == "1":
            pytest.skip("PostgreSQL binaries not found and LABTRACK_TEST_SKIP_POSTGRES=1")
        pytest.fail(
            "PostgreSQL server binaries (initdb, postgres) were not found on PATH or in "
            "/usr/lib/postgresql/*/bin. Run `./dev test`, which installs them, or point "
            "LABTRACK_TEST_POSTGRES_URL at a server (LABTRACK_TEST_SKIP_POSTGRES=1 skips these "
            "tests)."
        )
    as_postgres = _run_as_postgres_kwargs()
    if as_postgres:
        os.chown(tmp, as_postgres["user"], as_postgres["group"])
    data = tmp / "data"
    log = tmp / "postgres.log"
    init = subprocess.run(
        [initdb, "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
        cwd=tmp,
        capture_output=True,
        check=False,
        **as_postgres,
    )
    if init.returncode != 0:
        output = (init.stdout + init.stderr).decode(errors="replace")
        pytest.fail(f"initdb failed (exit {init.returncode}):\n{output}")
    server_settings = {
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(tmp),
        # A throwaway server: durability buys nothing and costs seconds.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    settings = [arg for key, value in server_settings.items() for arg in ("-c", f"{key}={value}")]
    # A free port can be taken between our probe and the server's bind: try a few.
    for _attempt in range(3):
        port = free_port()
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [postgres, "-D", str(data), "-p", str(port), *settings],
                cwd=tmp,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_parent_death_signal(),
                **as_postgres,
            )
        admin = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        try:
            wait_until(lambda: _can_connect(admin), "PostgreSQL", proc, log)  # noqa: B023
        except pytest.fail.Exception:
            stop_process(proc, signal.SIGINT)
            if "Address already in use" in _tail(log):
                continue
            raise
        return proc, port
    pytest.fail(f"PostgreSQL could not bind a free port.{_tail(log)}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (external, or started here and stopped by PID)."""
    external = os.environ.get("LABTRACK_TEST_POSTGRES_URL")
    if external:
        url = _as_sqlalchemy_url(external)
        if not _can_connect(url):
            pytest.fail(f"LABTRACK_TEST_POSTGRES_URL={external!r} does not accept connections.")
        yield PostgresServer(url=url, admin_url=url, port=None, pid=None)
        return
    tmp = Path(tempfile.mkdtemp(prefix="labtrack-pg-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        proc, port = _start_postgres(tmp)
        admin = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        with _connect(admin) as conn:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        yield PostgresServer(
            url=_with_database(admin, DB_NAME), admin_url=admin, port=port, pid=proc.pid
        )
    finally:
        if proc is not None:
            stop_process(proc, signal.SIGINT)  # SIGINT = PostgreSQL's "fast" shutdown
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of the session's ``labtrack_test`` database (shared by tests)."""
    return postgres_server.url


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a new empty database for this test; dropped afterwards."""
    name = f"lt_{uuid.uuid4().hex[:16]}"
    with _connect(postgres_server.admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(postgres_server.admin_url, name)
    finally:
        with _connect(postgres_server.admin_url) as conn:
            # FORCE ends connections a test left open (pooled engines), PostgreSQL 13+.
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- S3 (moto) --------------------------------------------------------------------------------


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A moto S3 server on 127.0.0.1, with dummy credentials and the endpoint in the env."""
    tmp = Path(tempfile.mkdtemp(prefix="labtrack-s3-"))
    log = tmp / "moto.log"
    proc: subprocess.Popen[bytes] | None = None
    try:
        with pytest.MonkeyPatch.context() as env:
            # Never reach real AWS: dummy keys, no profile, no config files.
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
                env.delenv(name, raising=False)
            env.setenv("AWS_ACCESS_KEY_ID", "labtrack-test")
            env.setenv("AWS_SECRET_ACCESS_KEY", "labtrack-test")
            env.setenv("AWS_DEFAULT_REGION", "us-east-1")
            env.setenv("AWS_CONFIG_FILE", str(tmp / "no-config"))
            env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-credentials"))
            for _attempt in range(3):
                port = free_port()
                endpoint = f"http://127.0.0.1:{port}"
                with open(log, "ab") as out:
                    proc = subprocess.Popen(
                        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                        cwd=tmp,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                        preexec_fn=_parent_death_signal(),
                    )
                try:
                    wait_until(lambda: _answers(endpoint + "/"), "moto S3 server", proc, log)  # noqa: B023
                    break
                except pytest.fail.Exception:
                    stop_process(proc)
                    if "Address already in use" in _tail(log):
                        continue
                    raise
            else:
                pytest.fail(f"moto S3 server could not bind a free port.{_tail(log)}")
            env.setenv("LABTRACK_S3_ENDPOINT_URL", endpoint)
            yield S3Server(endpoint=endpoint, pid=proc.pid)
    finally:
        if proc is not None:
            stop_process(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_endpoint(s3_server: S3Server) -> str:
    """``http://127.0.0.1:PORT`` of the session's S3 server."""
    return s3_server.endpoint


def s3_client(endpoint: str) -> Any:
    """A boto3 S3 client for the test server."""
    import boto3  # type: ignore[import-untyped,unused-ignore]

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="labtrack-test",
        aws_secret_access_key="labtrack-test",
        region_name="us-east-1",
    )


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Iterator[str]:
    """``s3://<bucket>``: a new empty bucket for this test, removed afterwards."""
    from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
        BotoCoreError,
        ClientError,
    )

    name = f"lt-{uuid.uuid4().hex[:16]}"
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=name)
    try:
        yield f"s3://{name}"
    finally:
        # moto keeps buckets in memory: a leftover one harms nothing.
        with contextlib.suppress(BotoCoreError, ClientError):
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=name)
            for page in pages:
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    client.delete_objects(Bucket=name, Delete={"Objects": keys})
            client.delete_bucket(Bucket=name)
