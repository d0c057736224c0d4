"""Messages as sentences a person reads."""

from __future__ import annotations

KEEP_CASE = ("e-Manifest", "eManifest", "e-manifest")
"""Names that begin a sentence as they are."""


def sentence(text: str) -> str:
    """`text` with a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    if not text.startswith(KEEP_CASE):
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
