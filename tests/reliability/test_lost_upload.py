"""An S3 upload whose multipart upload id was lost (aborted or expired mid-way) is reported as
that, not as a missing bucket (issue 19, item 9). The bucket is a real one on the moto server;
only the upload's failure is injected, as s3fs itself reports it (``translate_boto_error`` of
S3's ``NoSuchUpload``), at the boundary labtrack does not own."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from s3fs.errors import translate_boto_error

from labtrack.errors import StoreError
from labtrack.store.artifacts import ArtifactRepository

NO_SUCH_UPLOAD = {
    "Error": {
        "Code": "NoSuchUpload",
        "Message": "The specified upload does not exist. The upload ID may be invalid, or the "
        "upload may have been aborted or completed.",
    }
}


def test_a_lost_upload_id_is_not_called_a_missing_bucket(
    s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = ArtifactRepository(f"{s3_bucket}/run/artifacts")
    repo.write_text("before.txt", "x")  # the bucket exists and takes writes
    local = tmp_path / "big.bin"
    local.write_bytes(b"0" * 1024)

    def lost(*args: Any, **kwargs: Any) -> None:
        raise translate_boto_error(ClientError(NO_SUCH_UPLOAD, "CompleteMultipartUpload"))

    monkeypatch.setattr(repo._backend.fs, "put", lost)  # type: ignore[attr-defined]
    with pytest.raises(StoreError) as refused:
        repo.log_artifact(str(local))
    message = refused.value.message
    assert "does not exist" not in message.split("(")[0], message
    assert "upload" in message and "retry" in message.lower(), message


class ClientRequest:
    """Stands in for aiohttp's class of that name (the boundary labtrack does not own): its
    ``write_bytes`` task fails as aiohttp's does when the server goes away mid-body."""

    async def write_bytes(self) -> None:
        raise ConnectionResetError("Cannot write to closing transport")


async def _other_failure() -> None:
    raise ConnectionResetError("a task of labtrack's own")


def test_a_lost_body_write_is_not_reported_but_other_lost_tasks_are(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When an S3 server went away mid-upload, aiohttp left the exception of its body-writing
    task unretrieved and asyncio printed "Task exception was never retrieved" with a
    traceback beside the upload's own clear error (issue 19, item 9; seen with a moto server
    killed mid-upload). The filesystems' event loop drops exactly those reports."""
    import asyncio
    import gc

    from labtrack.store.artifacts.filesystems import _quiet_lost_body_writes

    loop = asyncio.new_event_loop()
    try:
        _quiet_lost_body_writes(loop)
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            tasks = [loop.create_task(ClientRequest().write_bytes())]
            tasks.append(loop.create_task(_other_failure()))
            loop.run_until_complete(asyncio.sleep(0.01))
            del tasks
            gc.collect()
    finally:
        loop.close()

    reports = [r.getMessage() for r in caplog.records if r.name == "asyncio"]
    assert len(reports) == 1, reports
    assert "_other_failure" in reports[0] and "write_bytes" not in reports[0]
