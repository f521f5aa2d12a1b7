"""Tables as artifacts: ``log_table`` writes a DataFrame (or dict of columns) as JSON or
Parquet, ``load_table`` reads it back from one or many runs (MLflow's functions).

A second ``log_table`` to the same file appends its rows. The run tag
``mlflow.loggedArtifacts`` lists the tables a run holds, which is how ``load_table`` finds the
runs of an experiment that have one.

>>> log_table(client, run_id, {"inputs": ["a"], "score": [0.5]}, "eval.json")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import posixpath
import uuid
from typing import TYPE_CHECKING, Any

from labtrack.entities import ViewType
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.tracking import media
from labtrack.utils.mlflow_tags import LOGGED_ARTIFACTS

if TYPE_CHECKING:
    import pandas as pd

    from labtrack.tracking.client import TrackingClient

__all__ = ["load_table", "log_table"]

_FORBIDDEN = ('"', "'", ",", ":", "[", "]", "{", "}")


def _check_file(artifact_file: str) -> None:
    bad = [c for c in _FORBIDDEN if c in artifact_file]
    if bad:
        raise InvalidParameterError(
            f"The table file name {artifact_file!r} contains {bad[0]!r}: use letters, digits, "
            "'_', '-', '.' and '/'."
        )
    if not artifact_file.endswith((".json", ".parquet")):
        raise InvalidParameterError(
            f"Invalid table file {artifact_file!r}: name it '<name>.json' or '<name>.parquet'."
        )


def _parquet_engine(artifact_file: str) -> None:
    import importlib.util

    if not any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet")):
        raise InvalidParameterError(
            f"The table {artifact_file!r} is Parquet, which needs pyarrow: pip install pyarrow, "
            "or name the table '<name>.json'."
        )


def _read(data: bytes, artifact_file: str) -> pd.DataFrame:
    import pandas as pd

    if artifact_file.endswith(".json"):
        return pd.read_json(io.StringIO(data.decode("utf-8")), orient="split")
    return pd.read_parquet(io.BytesIO(data))


def _frame(data: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data.copy()
    if not isinstance(data, dict):
        raise InvalidParameterError(
            f"log_table takes a pandas DataFrame or a dict of columns; got {type(data).__name__}."
        )
    try:
        return pd.DataFrame(data)
    except ValueError:  # all scalars: one row
        return pd.DataFrame([data])


def _is_image(value: Any) -> bool:
    return all(callable(getattr(value, name, None)) for name in ("save", "resize")) and hasattr(
        value, "size"
    )


def _save_images(client: TrackingClient, run_id: str, frame: Any, artifact_file: str) -> None:
    """Columns of images become files under ``table_images/`` and dicts pointing at them."""
    table = posixpath.splitext(artifact_file)[0]
    repo = client._writable_repo(run_id)

    def save(image: Any) -> dict[str, str]:
        pil = media.to_pil(image)
        path = posixpath.join("table_images", table, str(uuid.uuid4()))
        repo.write_bytes(path + ".png", media.encode(pil, "x.png"))
        small = media.compress_image_size(pil)
        repo.write_bytes(path + ".webp", media.encode(small, "x.webp"))
        return {"type": "image", "filepath": path + ".png", "compressed_filepath": path + ".webp"}

    for column in [c for c in frame.columns if frame[c].dtype == object]:
        images = frame[column].map(_is_image)
        if images.any() and not images.all():
            raise InvalidParameterError(
                f"Column {column!r} mixes images and other values; give a column one kind."
            )
        if images.all():
            frame[column] = frame[column].map(save)


def log_table(client: TrackingClient, run_id: str, data: Any, artifact_file: str) -> None:
    """Write ``data`` as the table ``artifact_file``, after the rows already there."""
    import pandas as pd

    _check_file(artifact_file)
    if artifact_file.endswith(".parquet"):
        _parquet_engine(artifact_file)
    frame = _frame(data)
    _save_images(client, run_id, frame, artifact_file)
    repo = client._writable_repo(run_id)
    if repo.exists(artifact_file):
        with repo.open(artifact_file) as f:
            frame = pd.concat([_read(f.read(), artifact_file), frame], ignore_index=True)
    try:
        if artifact_file.endswith(".json"):
            text = frame.to_json(orient="split", index=False, date_format="iso")
            repo.write_text(artifact_file, text)
        else:
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            repo.write_bytes(artifact_file, buf.getvalue())
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidParameterError(
            f"The table cannot be saved as {artifact_file!r} ({exc}): give columns of numbers, "
            "strings, booleans, dates or images."
        ) from exc
    tables = json.loads(client.get_run(run_id).data.tags.get(LOGGED_ARTIFACTS, "[]"))
    entry = {"path": artifact_file, "type": "table"}
    if entry not in tables:
        tables.append(entry)
        client.set_tag(run_id, LOGGED_ARTIFACTS, json.dumps(tables))


def _has_table(tags: dict[str, str], artifact_file: str) -> bool:
    try:
        tables = json.loads(tags.get(LOGGED_ARTIFACTS, "[]"))
    except ValueError:
        return False
    return {"path": artifact_file, "type": "table"} in tables


def _run_value(run: Any, column: str) -> Any:
    """A run attribute by ``search_runs`` column name: ``run_id``, ``tags.team``..."""
    kind, _, key = column.partition(".")
    if key and kind in ("tags", "params", "metrics"):
        return getattr(run.data, kind).get(key)
    if column in dict(run.info):
        return getattr(run.info, column)
    raise InvalidParameterError(
        f"Unknown extra column {column!r}: use a run attribute (run_id, experiment_id, status, "
        "start_time, ...) or tags.<key>, params.<key>, metrics.<key>."
    )


def load_table(
    client: TrackingClient,
    experiment_id: str,
    artifact_file: str,
    run_ids: list[str] | None = None,
    extra_columns: list[str] | None = None,
) -> pd.DataFrame:
    """The table ``artifact_file`` of the runs ``run_ids`` (default: every run of the
    experiment that logged it), rows concatenated; ``extra_columns`` (``["run_id"]``) adds
    run attributes as columns."""
    import pandas as pd

    _check_file(artifact_file)
    runs = []
    token = None
    while True:
        page = client.search_runs(
            [experiment_id],
            f"tags.`{LOGGED_ARTIFACTS}` LIKE '%table%'",
            ViewType.ACTIVE_ONLY,
            1000,
            None,
            token,
        )
        runs += [r for r in page if _has_table(r.data.tags, artifact_file)]
        token = page.token
        if not token:
            break
    if run_ids:
        wanted = set(run_ids)
        runs = [r for r in runs if r.info.run_id in wanted]
    if not runs:
        raise ResourceNotFoundError(
            f"No run of experiment {experiment_id} has the table {artifact_file!r}: log it with "
            "log_table(data, artifact_file) first, or pass the run_ids that have it."
        )
    frames = []
    for run in runs:
        with client._repo(run.info.run_id).open(artifact_file) as f:
            frame = _read(f.read(), artifact_file)
        for column in extra_columns or ():
            name = f"{column}_" if column in frame else column
            frame[name] = _run_value(run, column)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
