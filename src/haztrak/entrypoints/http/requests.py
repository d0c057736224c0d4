"""The request class of the app: a JSON body too deeply nested to decode is the client's fault."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ValidationException

NESTED_TOO_DEEPLY = "is nested too deeply"


class HaztrakRequest(Request[Any, Any, Any]):
    """msgspec gives up on JSON nested about a thousand levels deep with a RecursionError,
    which Litestar would answer with a 500; here it is a validation problem of the body."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ValidationException(
                "the body " + NESTED_TOO_DEEPLY,
                extra=[{"key": "", "message": NESTED_TOO_DEEPLY}],
            ) from None
