"""Images as artifacts: static files, and step-by-step series in MLflow's layout.

``log_image(image, "plots/roc.png")`` saves one file. ``log_image(image, key="dogs", step=3)``
saves ``images/dogs+step+3+timestamp+<ms>+<uuid>.png`` and a 256-pixel ``...+compressed.webp``
next to it, and sets the run tag ``mlflow.loggedImages``: MLflow 2.12+'s layout, which MLflow's
image charts read.

Arrays follow MLflow's rules: bool, integers in [0, 255] (others are an error), floats in
[0.0, 1.0] (others are rescaled with a warning); H x W, H x W x 1, x 3 (RGB) or x 4 (RGBA).
"""

from __future__ import annotations

import io
import re
import time
import uuid
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack.errors import InvalidParameterError
from labtrack.utils.mlflow_tags import LOGGED_IMAGES

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = ["COMPRESSED_IMAGE_SIZE", "Image", "compress_image_size", "log_image", "to_pil"]

COMPRESSED_IMAGE_SIZE = 256
_KEY = re.compile(r"^[a-zA-Z0-9_\-./ ]+$")


def _pil() -> Any:
    try:
        from PIL import Image as PILImage
    except ImportError as exc:
        raise ImportError(
            "Pillow is needed to log images: pip install Pillow (or labtrack[sklearn])."
        ) from exc
    return PILImage


def _array_to_pil(arr: Any) -> Any:
    import numpy as np

    kinds = {"b": "bool", "i": "signed integer", "u": "unsigned integer", "f": "floating"}
    if arr.dtype.kind not in kinds:
        raise InvalidParameterError(
            f"Invalid image array data type {arr.dtype}: use one of {', '.join(kinds.values())}."
        )
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise InvalidParameterError(
            f"Invalid image shape {arr.shape}: give H x W (grayscale), H x W x 1, H x W x 3 "
            "(RGB) or H x W x 4 (RGBA)."
        )
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    is_int = arr.dtype.kind in "iu"
    high = 255 if is_int else 1
    if arr.size and (arr.min() < 0 or arr.max() > high):
        if is_int:
            raise InvalidParameterError(
                f"Integer pixel values must be in [0, 255]; found {arr.min()} to {arr.max()}."
            )
        warnings.warn(
            f"Float pixel values out of [0.0, 1.0] (found {arr.min()} to {arr.max()}): "
            "rescaled with min/max.",
            stacklevel=4,
        )
        span = arr.max() - arr.min()
        arr = (arr - arr.min()) / (span if span else 1)
    if not is_int:
        arr = arr * 255
    return _pil().fromarray(np.asarray(arr).astype(np.uint8))


class Image:
    """MLflow's ``mlflow.Image``: an image from an array, a PIL image or a file path."""

    def __init__(self, image: Any) -> None:
        if isinstance(image, (str, Path)):
            with _pil().open(image) as opened:
                self.image = opened.copy()
        else:
            self.image = to_pil(image)
        self.size = self.image.size

    def to_pil(self) -> Any:
        return self.image

    def to_array(self) -> Any:
        import numpy as np

        return np.array(self.image)

    def to_list(self) -> list[Any]:
        return list(self.to_array().tolist())

    def resize(self, size: tuple[int, int]) -> Image:
        return Image(self.image.resize(size))

    def save(self, path: str | Path) -> None:
        self.image.save(path)


def to_pil(image: Any) -> Any:
    """A ``PIL.Image.Image`` from a numpy array (or nested list), a PIL image or an Image."""
    if isinstance(image, Image):
        return image.to_pil()
    pil = _pil()
    if isinstance(image, pil.Image):
        return image
    if type(image).__module__.startswith("numpy") or isinstance(image, list):
        import numpy as np

        return _array_to_pil(np.asarray(image))
    raise InvalidParameterError(
        f"Unsupported image type {type(image).__name__}: give a numpy array, a PIL image or "
        "labtrack.Image."
    )


def compress_image_size(image: Any, max_size: int = COMPRESSED_IMAGE_SIZE) -> Any:
    """``image`` scaled to fit a ``max_size`` square, keeping its aspect ratio."""
    width, height = image.size
    if width > height:
        size = (max_size, max(1, int(height * max_size / width)))
    else:
        size = (max(1, int(width * max_size / height)), max_size)
    return image.resize(size)


def encode(image: Any, artifact_file: str) -> bytes:
    """``image`` in the format the file name's extension says (PNG without one)."""
    buf = io.BytesIO()
    ext = (Path(artifact_file).suffix.lstrip(".") or "png").upper()
    image.save(buf, format={"JPG": "JPEG", "TIF": "TIFF"}.get(ext, ext))
    return buf.getvalue()


def log_image(
    client: TrackingClient,
    run_id: str,
    image: Any,
    artifact_file: str | None = None,
    key: str | None = None,
    step: int | None = None,
    timestamp: int | None = None,
) -> None:
    """Save ``image`` as ``artifact_file``, or as step ``step`` of the series ``key``."""
    if artifact_file is not None and (key is not None or step is not None or timestamp):
        raise InvalidParameterError(
            "log_image takes artifact_file alone, or key (with step and timestamp): "
            "log_image(img, 'dir/image.png') or log_image(img, key='dogs', step=3)."
        )
    if artifact_file is None and key is None:
        raise InvalidParameterError(
            "log_image needs artifact_file (a static image) or key (an image series): "
            "log_image(img, 'image.png') or log_image(img, key='dogs', step=3)."
        )
    pil = to_pil(image)
    if artifact_file is not None:
        client._writable_repo(run_id).write_bytes(artifact_file, encode(pil, artifact_file))
        return
    assert key is not None
    if not _KEY.match(key):
        raise InvalidParameterError(
            f"Invalid image key {key!r}: use letters, digits, '_', '-', '.', ' ' and '/'."
        )
    ms = int(time.time() * 1000) if not timestamp else int(timestamp)
    # '/' would make folders; MLflow writes '~' in the file name instead.
    stem = f"images/{key.replace('/', '~')}+step+{step or 0}+timestamp+{ms}+{uuid.uuid4()}"
    repo = client._writable_repo(run_id)
    repo.write_bytes(f"{stem}.png", encode(pil, "x.png"))
    repo.write_bytes(f"{stem}+compressed.webp", encode(compress_image_size(pil), "x.webp"))
    client.set_tag(run_id, LOGGED_IMAGES, "True")
