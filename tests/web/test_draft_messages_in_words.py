"""The draft editor speaks the form's words, not EPA's JSON keys."""

from __future__ import annotations

import pytest

from haztrak.entrypoints.web.draft_form import in_words


@pytest.mark.parametrize(
    ("epa", "shown"),
    [
        (
            "is required when dotHazardous is true",
            "is required when “DOT hazardous material” is Yes",
        ),
        (
            "must be left out when dotHazardous is false",
            "must be left out when “DOT hazardous material” is No",
        ),
        ("is not a valid containerType code", "is not a valid container type code"),
        ("must not be empty", "must not be empty"),
        ("VATESTGEN001 is not registered", "VATESTGEN001 is not registered"),
    ],
)
def test_epa_keys_become_the_form_s_words(epa: str, shown: str) -> None:
    assert in_words(epa) == shown
