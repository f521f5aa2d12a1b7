"""``python -m labtrack.serving``: the model process the Jupyter server extension starts.

It serves every ref of one registered model (``--model-name``) or one model URI
(``--model-uri``), writes ``{"port", "pid"}`` to ``--ready-file`` once it listens, and with
``--exit-with-stdin`` stops when its parent's end of stdin closes.
"""

from __future__ import annotations

import argparse
import sys

from labtrack.errors import LabtrackError
from labtrack.serving.serve import DEFAULT_MAX_BODY_MB, ServeOptions, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labtrack.serving", description=__doc__)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--model-name", help="serve every version, stage and alias of it")
    target.add_argument("--model-uri", help="models:/..., runs:/... or a model folder")
    parser.add_argument("--tracking-uri")
    parser.add_argument("--artifact-root")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--max-body-mb", type=float, default=DEFAULT_MAX_BODY_MB)
    parser.add_argument("--max-batch", type=int, default=1, help="requests per predict call")
    parser.add_argument("--allow-unsafe", action="store_true")
    parser.add_argument("--unsafe-hint", help="added to the error of a refused pickle model")
    parser.add_argument("--ready-file")
    parser.add_argument("--exit-with-stdin", action="store_true")
    args = parser.parse_args(argv)
    try:
        serve(ServeOptions(**vars(args)))
    except LabtrackError as err:
        print(f"labtrack serving: {err.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
