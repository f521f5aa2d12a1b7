"""Dataset digests, computed as MLflow computes them, so the same data gets the same digest.

An 8-character truncated MD5 over: for a DataFrame, the pandas row hashes of its first 10,000
rows (string and numeric columns only), its length and its column names; for arrays, the
pandas hashes of the first 10,000 flattened elements and the full shape.

>>> import numpy as np
>>> compute_numpy_digest(np.arange(6).reshape(2, 3))
'bade85fd'
"""

from __future__ import annotations

import hashlib
from typing import Any

from labtrack.errors import InvalidParameterError

MAX_ROWS = 10000


def compute_pandas_digest(df: Any) -> str:
    """The digest of a pandas DataFrame."""
    import numpy as np
    import pandas as pd

    trimmed = df.head(MAX_ROWS)
    # Only string and number columns count; MLflow drops the others (lists, objects...). The
    # types are read on the whole frame, not the trimmed one, as MLflow does.
    cell_types = df.map(type)
    string_columns = trimmed.columns[(cell_types == str).all(axis=0)]  # noqa: E721 - per cell
    numeric_columns = trimmed.select_dtypes(include=[np.number]).columns
    trimmed = trimmed[string_columns.union(numeric_columns)]
    return get_normalized_md5_digest(
        [pd.util.hash_pandas_object(trimmed).values, np.int64(len(df))]
        + [str(x).encode() for x in df.columns]
    )


def compute_numpy_digest(features: Any, targets: Any = None) -> str:
    """The digest of a numpy array (or dict of arrays) of features, and of targets if any."""
    import numpy as np
    import pandas as pd

    elements: list[Any] = []

    def hash_array(array: Any) -> None:
        trimmed = array.flatten()[0:MAX_ROWS]
        try:
            elements.append(pd.util.hash_array(trimmed))
        except TypeError:
            elements.append(np.int64(trimmed.size))
        elements.extend(np.int64(x) for x in array.shape)

    for item in (features, targets):
        if item is None:
            continue
        if isinstance(item, dict):
            for key in sorted(item):
                hash_array(item[key])
        else:
            hash_array(item)
    return get_normalized_md5_digest(elements)


def get_normalized_md5_digest(elements: list[Any]) -> str:
    """The first 8 hex digits of the MD5 of ``elements`` (each hashed as bytes)."""
    if not elements:
        raise InvalidParameterError("No hashable elements were provided for md5 digest creation")
    md5 = hashlib.md5(usedforsecurity=False)
    for element in elements:
        md5.update(element)
    return md5.hexdigest()[:8]
