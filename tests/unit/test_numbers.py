"""Ids and version numbers are ASCII digits: other Unicode digits are refused, not misread."""

from __future__ import annotations

import pytest

from labtrack.errors import InvalidParameterError
from labtrack.serving.routing import canonical_ref
from labtrack.utils import registry_validation, validation

# "¹" passes str.isdigit() but int() refuses it; "٣" (Arabic-Indic three) int() reads as 3.
OTHER_DIGITS = ["\u00b9", "\u0663", "1\u00b2"]


@pytest.mark.parametrize("text", OTHER_DIGITS)
def test_other_digits_are_not_numbers(text: str) -> None:
    assert not validation.is_number(text)
    with pytest.raises(InvalidParameterError, match="experiment id"):
        validation.experiment_id(text)
    with pytest.raises(InvalidParameterError, match="model version"):
        registry_validation.version_number(text)
    assert canonical_ref(text) == "@" + text  # an alias name, never a version


def test_ascii_digits_are_numbers() -> None:
    assert validation.experiment_id(" 012 ") == "12"
    assert registry_validation.version_number("3") == 3
    assert canonical_ref("03") == "3"
