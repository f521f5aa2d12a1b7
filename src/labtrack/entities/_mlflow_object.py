"""What every MLflow entity can do: iterate its properties, print itself, be built from a dict.

MLflow code does ``dict(run.info)``, ``for key, value in experiment: ...`` and
``Metric.from_dictionary(d)``; entities get that from :class:`MlflowObject`. The properties are
the public dataclass fields plus public ``property`` attributes, in name order (MLflow's order);
a class lists in ``_NOT_ITERATED`` the ones MLflow 3 no longer shows.

>>> from labtrack.entities import Param
>>> dict(Param("alpha", "0.5"))
{'key': 'alpha', 'value': '0.5'}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import cached_property
from typing import Any, TypeVar

__all__ = ["MlflowObject"]

T = TypeVar("T", bound="MlflowObject")
_PROPERTIES: dict[type, list[str]] = {}


class MlflowObject:
    """Mixin of MLflow's ``_MlflowObject`` protocol for labtrack's dataclass entities."""

    __slots__ = ()

    @classmethod
    def _properties(cls) -> list[str]:
        found = _PROPERTIES.get(cls)
        if found is None:
            names: set[str] = set()
            if dataclasses.is_dataclass(cls):
                names.update(f.name for f in dataclasses.fields(cls))
            for klass in cls.__mro__:
                names.update(
                    name
                    for name, value in vars(klass).items()
                    if isinstance(value, (property, cached_property))
                )
            hidden = set(getattr(cls, "_NOT_ITERATED", ()))
            found = _PROPERTIES[cls] = sorted(
                n for n in names if not n.startswith("_") and n not in hidden
            )
        return found

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for name in self._properties():
            yield name, getattr(self, name)

    @classmethod
    def from_dictionary(cls: type[T], the_dict: dict[str, Any]) -> T:
        """An entity from a dict of its properties (keys it cannot take are ignored)."""
        if dataclasses.is_dataclass(cls):
            known = {f.name for f in dataclasses.fields(cls) if f.init}
        else:
            known = set(cls._properties())
        return cls(**{k: v for k, v in the_dict.items() if k in known})

    def __repr__(self) -> str:
        import pprint  # printing is rare: import labtrack stays light

        fields = ", ".join(f"{key}={pprint.pformat(value)}" for key, value in self)
        return f"<{type(self).__name__}: {fields}>"
