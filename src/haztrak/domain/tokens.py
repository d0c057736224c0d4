"""Personal API tokens for scripts and integrations. Only a hash of a token is kept."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

TOKEN_PREFIX = "htk_"  # noqa: S105 - a public marker, not a secret


class ApiToken(msgspec.Struct, kw_only=True, frozen=True):
    id: UUID
    user_id: UUID
    name: str
    token_hash: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
