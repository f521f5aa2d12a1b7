"""The documented import swap, as a text rewrite of a snippet written for MLflow.

labtrack's promise is that MLflow code runs after ``import labtrack as mlflow`` (plus
``import labtrack.sklearn`` where the code uses ``mlflow.sklearn``). The conformance suite runs
each snippet under labtrack exactly as a user would after making that swap by hand, so the
rewrite touches import statements only: string literals such as the tag ``"mlflow.runName"``
or a ``models:/`` URI stay as they are. Line numbers are kept, so a traceback under labtrack
points at the same line as the MLflow original.

>>> print(swap_imports("import mlflow.sklearn\\nfrom mlflow.models import infer_signature"))
import labtrack.sklearn; import labtrack as mlflow
from labtrack.models import infer_signature
"""

from __future__ import annotations

import re

# One import statement at the start of a (possibly indented) line. Only the module part is
# rewritten; whatever follows (names, parentheses of a multi-line import, comments) is kept.
_IMPORT = re.compile(r"^(?P<indent>[ \t]*)import[ \t]+(?P<rest>.*)$")
_FROM = re.compile(
    r"^(?P<indent>[ \t]*)from[ \t]+mlflow(?P<sub>(\.[A-Za-z_][\w.]*)?)[ \t]+import\b"
)


def _swap_module(module: str) -> str:
    return "labtrack" + module[len("mlflow") :]


def _swap_import_list(rest: str) -> str | None:
    """``import a, mlflow.x as y`` -> the same list with MLflow modules swapped, else None."""
    code, hash_, comment = rest.partition("#")
    items = [item.strip() for item in code.split(",")]
    changed = False
    out: list[str] = []
    bind_mlflow = False
    for item in items:
        module, _, alias = (part.strip() for part in item.partition(" as "))
        if module != "mlflow" and not module.startswith("mlflow."):
            out.append(item)
            continue
        changed = True
        if alias:
            out.append(f"{_swap_module(module)} as {alias}")
        elif module == "mlflow":
            out.append("labtrack as mlflow")
        else:
            # ``import mlflow.sklearn`` also binds the name ``mlflow``; the swapped code must too.
            out.append(_swap_module(module))
            bind_mlflow = True
    if not changed:
        return None
    text = ", ".join(out)
    if bind_mlflow:
        text += "; import labtrack as mlflow"
    return text + (f"  {hash_}{comment}" if hash_ else "")


def swap_imports(source: str) -> str:
    """The snippet as a labtrack user would write it: every MLflow import swapped for labtrack's.

    - ``import mlflow`` -> ``import labtrack as mlflow``
    - ``import mlflow.sklearn`` -> ``import labtrack.sklearn; import labtrack as mlflow``
    - ``import mlflow.pyfunc as pf`` -> ``import labtrack.pyfunc as pf``
    - ``from mlflow import MlflowClient`` -> ``from labtrack import MlflowClient``
    - ``from mlflow.tracking import MlflowClient`` -> ``from labtrack.tracking import ...``
    """
    lines = source.splitlines(keepends=True)
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        match = _FROM.match(body)
        if match:
            start = match.start("sub") - len("mlflow")
            lines[index] = body[:start] + "labtrack" + body[match.start("sub") :] + ending
            continue
        match = _IMPORT.match(body)
        if match:
            swapped = _swap_import_list(match.group("rest"))
            if swapped is not None:
                lines[index] = f"{match.group('indent')}import {swapped}{ending}"
    return "".join(lines)
