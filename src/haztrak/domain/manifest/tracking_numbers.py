"""Manifest tracking numbers (MTNs): nine digits and a three-letter suffix."""

from __future__ import annotations

import re

MTN_PATTERN = re.compile(r"^[0-9]{9}[A-Z]{3}$")
ELECTRONIC_SUFFIX = "ELC"
DRAFT_SUFFIX = "DFT"
"""Local drafts carry `#########DFT` numbers; e-Manifest never sees them."""

_DRAFT_PATTERN = re.compile(r"^[0-9]{9}" + DRAFT_SUFFIX + "$")
_LARGEST_SEQUENCE = 999_999_999


def is_tracking_number(value: str) -> bool:
    return MTN_PATTERN.fullmatch(value) is not None


def is_draft_tracking_number(value: str | None) -> bool:
    return value is not None and _DRAFT_PATTERN.fullmatch(value) is not None


def draft_tracking_number(sequence: int) -> str:
    if not 0 <= sequence <= _LARGEST_SEQUENCE:
        raise ValueError(f"a draft sequence is 0..{_LARGEST_SEQUENCE}, not {sequence}")
    return f"{sequence:09d}{DRAFT_SUFFIX}"
