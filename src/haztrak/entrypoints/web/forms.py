"""The plain-HTML forms the UI posts (application/x-www-form-urlencoded), as msgspec structs
with the same limits the API has."""

from __future__ import annotations

from typing import Annotated

import msgspec

Text150 = Annotated[str, msgspec.Meta(max_length=150)]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
Path = Annotated[str, msgspec.Meta(max_length=2000)]
Token = Annotated[str, msgspec.Meta(max_length=200)]


class SignInForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    username: Text150 = ""
    password: Password = ""
    csrf_token: Token = ""
    next: Path = "/dashboard"
