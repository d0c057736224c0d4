"""The UI's static files: served by Haztrak itself, addressed by content hash.

Every asset ships inside the package (no CDN, no outside font), so the UI works on a network
with no way out. A URL carries the first characters of the file's SHA-256, so a browser may keep
a file for a year and still never use a stale one after an upgrade.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
# Content-addressed URLs never change meaning: a year, and no revalidation.
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def _digest(name: str) -> str:
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        raise LookupError(f"no static file {name!r} in {STATIC_DIR}")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """`/static/<name>?v=<hash>` for a file under static/ (a template global)."""
    return f"{STATIC_PATH}/{name}?v={_digest(name)}"
