"""One-time messages across a redirect (post, redirect, get): "Draft saved", "Signed out".

The message rides in a short-lived cookie and is shown once, by the next page rendered.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect

FLASH_COOKIE = "ht_flash"
Level = Literal["success", "info", "warning", "error"]


class Flash(msgspec.Struct, frozen=True):
    level: Level
    text: str


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Flash)


def flash_cookie(level: Level, text: str) -> Cookie:
    value = base64.urlsafe_b64encode(_encoder.encode(Flash(level, text[:300]))).decode()
    return Cookie(
        key=FLASH_COOKIE, value=value, httponly=True, samesite="lax", max_age=60, path="/"
    )


def redirect(to: str, level: Level | None = None, text: str = "") -> Redirect:
    """A 303 to `to` (a local path), with a message for the page it lands on."""
    response = Redirect(to, status_code=303)
    if level is not None:
        response.set_cookie(flash_cookie(level, text))
    return response


def take_flash(request: Request[Any, Any, Any]) -> tuple[Flash | None, Cookie | None]:
    """The message waiting for this page, and the cookie that clears it."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None, None
    clear = Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/", httponly=True)
    try:
        return _decoder.decode(base64.urlsafe_b64decode(raw.encode())), clear
    except (binascii.Error, ValueError, msgspec.DecodeError):
        return None, clear
