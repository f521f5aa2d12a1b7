"""The session services really run: PostgreSQL answers SQL, the S3 server stores objects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import services
from tests.services import s3_client


def test_postgres_url_answers_select_1(postgres_url: str) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("select 1")).scalar_one() == 1
            name = conn.execute(sqlalchemy.text("select current_database()")).scalar_one()
        assert name == "labtrack_test"
    finally:
        engine.dispose()


def test_fresh_postgres_url_is_an_empty_database_of_its_own(
    fresh_postgres_url: str, postgres_url: str
) -> None:
    import sqlalchemy

    assert fresh_postgres_url != postgres_url
    engine = sqlalchemy.create_engine(fresh_postgres_url)
    # Not disposed on purpose: dropping the database must cope with connections left open.
    with engine.begin() as conn:
        tables = conn.execute(
            sqlalchemy.text("select count(*) from pg_tables where schemaname = 'public'")
        ).scalar_one()
        assert tables == 0
        conn.execute(sqlalchemy.text("create table t (x int)"))


def test_s3_bucket_stores_and_returns_an_object(s3_bucket: str, s3_endpoint: str) -> None:
    bucket = s3_bucket.removeprefix("s3://")
    client = s3_client(s3_endpoint)
    client.put_object(Bucket=bucket, Key="a/b.txt", Body=b"hello")
    body = client.get_object(Bucket=bucket, Key="a/b.txt")["Body"].read()
    assert body == b"hello"


def test_s3_server_sets_the_endpoint_for_fsspec(s3_bucket: str, s3_endpoint: str) -> None:
    import s3fs

    assert os.environ["LABTRACK_S3_ENDPOINT_URL"] == s3_endpoint
    fs = s3fs.S3FileSystem(
        client_kwargs={"endpoint_url": os.environ["LABTRACK_S3_ENDPOINT_URL"]},
        skip_instance_cache=True,
    )
    fs.pipe(f"{s3_bucket}/x.bin", b"\x00\x01")
    assert fs.cat(f"{s3_bucket}/x.bin") == b"\x00\x01"


def test_missing_postgres_binaries_fail_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(services, "find_postgres_bin", lambda name: None)
    monkeypatch.delenv("LABTRACK_TEST_SKIP_POSTGRES", raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"\./dev test"):
        services._start_postgres(tmp_path)


def test_missing_postgres_binaries_skip_when_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(services, "find_postgres_bin", lambda name: None)
    monkeypatch.setenv("LABTRACK_TEST_SKIP_POSTGRES", "1")
    with pytest.raises(pytest.skip.Exception):
        services._start_postgres(tmp_path)
