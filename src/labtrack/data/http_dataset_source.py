"""``HTTPDatasetSource``: a dataset downloaded from an ``http(s)://`` URL."""

from __future__ import annotations

import os
import tempfile
from typing import Any
from urllib.parse import urlparse

from labtrack.data.dataset_source import DatasetSource
from labtrack.errors import InvalidParameterError


class HTTPDatasetSource(DatasetSource):
    """A dataset at a URL."""

    def __init__(self, url: str) -> None:
        self._url = url

    @property
    def url(self) -> str:
        return self._url

    @staticmethod
    def _get_source_type() -> str:
        return "http"

    def load(self, dst_path: str | None = None) -> str:
        """Download the file at the URL into ``dst_path`` (a temporary folder by default)."""
        import urllib.request

        name = os.path.basename(urlparse(self.url).path) or "dataset_source"
        folder = dst_path or tempfile.mkdtemp(prefix="labtrack-dataset-")
        target = os.path.join(folder, name)
        with urllib.request.urlopen(self.url, timeout=60) as response, open(target, "wb") as out:  # noqa: S310 - the user's own URL
            while chunk := response.read(1024 * 1024):
                out.write(chunk)
        return target

    @staticmethod
    def _can_resolve(raw_source: Any) -> bool:
        return isinstance(raw_source, str) and urlparse(raw_source).scheme in ("http", "https")

    @classmethod
    def _resolve(cls, raw_source: Any) -> HTTPDatasetSource:
        return cls(str(raw_source))

    def to_dict(self) -> dict[Any, Any]:
        return {"url": self.url}

    @classmethod
    def from_dict(cls, source_dict: dict[Any, Any]) -> HTTPDatasetSource:
        url = source_dict.get("url")
        if url is None:
            raise InvalidParameterError(
                'Failed to parse HTTPDatasetSource. Missing expected key: "url"'
            )
        return cls(url=url)
