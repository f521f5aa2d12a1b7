"""Notebook parameters, papermill style: read the cell tagged ``parameters``, inject new values.

A notebook declares its parameters in one code cell tagged ``parameters`` (JupyterLab: the
property inspector's cell tags), as literal assignments::

    n_estimators = 100          # read back as 100
    max_depth: int | None = 6   # annotated assignments count too
    model_name = "rf"

To run it with other values, a new cell tagged ``injected-parameters`` is inserted right after it,
assigning the new values; the cell's own defaults stay visible above. A cell tagged
``injected-parameters`` left by an earlier execution is replaced, and its values count as the
notebook's parameters (they are what that execution ran with).

Only literals are read (numbers, strings, booleans, ``None``, and lists, tuples, dicts and sets
of them): ``path = os.path.join(...)`` is code, not a parameter, and is left alone.
"""

from __future__ import annotations

import ast
import copy
import keyword
import math
from collections.abc import Mapping
from typing import Any

from labtrack.errors import InvalidParameterError

__all__ = [
    "INJECTED_TAG",
    "PARAMETERS_TAG",
    "inject_parameters",
    "parameter_source",
    "parameters_from_notebook",
    "typed_value",
]

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


def _tags(cell: Any) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [str(t) for t in tags] if isinstance(tags, list) else []


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _tagged(nb: Any, tag: str) -> list[int]:
    return [
        i
        for i, cell in enumerate(nb.get("cells", []))
        if cell.get("cell_type") == "code" and tag in _tags(cell)
    ]


def _python(source: str) -> str:
    """The cell as plain Python: IPython magics (``%matplotlib inline``) become calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return str(TransformerManager().transform_cell(source))
    except Exception:  # IPython missing or the transform failed: parse the text as it is
        return source


def _literal(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _assignments(source: str) -> dict[str, Any]:
    """Top-level ``name = literal`` assignments of a cell, in order (later ones win)."""
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return {}
    found: dict[str, Any] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets: list[ast.expr] = [stmt.target]
            value = stmt.value
        elif isinstance(stmt, ast.Assign):
            targets, value = list(stmt.targets), stmt.value
        else:
            continue
        ok, literal = _literal(value)
        for target in targets:
            if isinstance(target, ast.Name) and ok:
                found[target.id] = literal
            elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(
                value, (ast.Tuple, ast.List)
            ):
                # a, b = 1, 2
                if len(target.elts) != len(value.elts):
                    continue
                for name, item in zip(target.elts, value.elts, strict=True):
                    item_ok, item_value = _literal(item)
                    if isinstance(name, ast.Name) and item_ok:
                        found[name.id] = item_value
    return found


def parameters_from_notebook(nb: Any) -> dict[str, Any]:
    """The literal values a notebook's ``parameters`` cell assigns (``{}`` without one).

    Values from a cell tagged ``injected-parameters`` (left by an earlier execution) win over
    the defaults, since that execution ran with them.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("alpha = 0.5\\nname = 'rf'",
    ...                                      metadata={"tags": ["parameters"]})]
    >>> parameters_from_notebook(nb)
    {'alpha': 0.5, 'name': 'rf'}
    """
    values: dict[str, Any] = {}
    for tag in (PARAMETERS_TAG, INJECTED_TAG):
        for index in _tagged(nb, tag):
            values.update(_assignments(_source(nb["cells"][index])))
    return values


def typed_value(text: str, default: Any = None, has_default: bool = False) -> Any:
    """A param logged as a string, typed back: ``"200"`` -> 200, ``"None"`` -> None.

    When the notebook's default for it is a string, the value stays a string (a model name
    ``"100"`` is not a number); anything ``ast.literal_eval`` cannot read stays a string.

    >>> typed_value("200"), typed_value("0.5"), typed_value("True"), typed_value("rf")
    (200, 0.5, True, 'rf')
    >>> typed_value("100", default="rf", has_default=True)
    '100'
    """
    if has_default and isinstance(default, str):
        return text
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text


def _render(value: Any) -> str:
    """Python source that evaluates to ``value`` (``float('nan')`` for NaN, not ``nan``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, (list, tuple, set)) and any(
        isinstance(v, float) and not math.isfinite(v) for v in value
    ):
        items = ", ".join(_render(v) for v in value)
        if isinstance(value, list):
            return f"[{items}]"
        return f"({items},)" if isinstance(value, tuple) else f"{{{items}}}"
    return repr(value)


def is_parameter_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def parameter_source(values: Mapping[str, Any], comment: str) -> str:
    lines = [f"# {comment}"] if comment else []
    lines += [f"{name} = {_render(value)}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def inject_parameters(nb: Any, values: Mapping[str, Any], comment: str = "Parameters") -> Any:
    """A copy of ``nb`` with a cell tagged ``injected-parameters`` assigning ``values``.

    The cell goes right after the ``parameters`` cell, or first when there is none (papermill's
    rule: the notebook's own assignments may then override it). An earlier injected cell is
    removed first. With no values, the copy only loses that earlier cell.
    """
    import nbformat

    bad = [name for name in values if not is_parameter_name(name)]
    if bad:
        raise InvalidParameterError(
            f"Parameter names must be Python identifiers; got {', '.join(map(repr, bad))}."
        )
    out = copy.deepcopy(nb)
    out["cells"] = [c for c in out["cells"] if INJECTED_TAG not in _tags(c)]
    if not values:
        return out
    cell = nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
        parameter_source(values, comment), metadata={"tags": [INJECTED_TAG]}
    )
    tagged = _tagged(out, PARAMETERS_TAG)
    position = tagged[0] + 1 if tagged else 0
    out["cells"].insert(position, cell)
    return out


def has_parameters_cell(nb: Any) -> bool:
    return bool(_tagged(nb, PARAMETERS_TAG))
