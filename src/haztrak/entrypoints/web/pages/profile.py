"""The user's profile: details, RCRAInfo identity (the key write-only), a sync of RCRAInfo
permissions, and personal API tokens (a new one shown once)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from haztrak.application.identity.auth import CreateApiToken, ListApiTokens, RevokeApiToken
from haztrak.application.identity.profile import (
    GetRcrainfoProfile,
    ProfileChanges,
    UpdateCurrentUser,
    UpdateRcrainfoProfile,
    UserChanges,
)
from haztrak.application.notices.queries import GetNoticePreferences
from haztrak.application.rcrainfo.accounts import RcrainfoNotConfigured
from haztrak.application.rcrainfo.profile import SyncRcrainfoProfile
from haztrak.domain.errors import InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.pages.notices import preference_form
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.tasks import task_view
from haztrak.entrypoints.web.views.text import sentence

Text150 = Annotated[str, msgspec.Meta(max_length=150)]
Text254 = Annotated[str, msgspec.Meta(max_length=254)]
Key = Annotated[str, msgspec.Meta(max_length=500)]
Token = Annotated[str, msgspec.Meta(max_length=200)]
Form = Body(media_type=RequestEncodingType.URL_ENCODED)

SYNC_BOX = "permissions-sync"

# The use cases' field names -> the inputs of the forms on this page.
FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "rcraUsername": "rcra_username",
    "apiId": "api_id",
    "apiKey": "api_key",
    "phoneNumber": "phone_number",
    "name": "token_name",
}


class DetailsForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    first_name: Text150 = ""
    last_name: Text150 = ""
    email: Text254 = ""
    csrf_token: Token = ""


class RcrainfoForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    rcra_username: Text150 = ""
    api_id: Text150 = ""
    api_key: Key = ""
    """Blank keeps the key that is set."""
    clear_api_key: Annotated[str, msgspec.Meta(max_length=10)] = ""
    phone_number: Annotated[str, msgspec.Meta(max_length=20)] = ""
    csrf_token: Token = ""


class TokenForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    token_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    csrf_token: Token = ""


class ProfileController(Controller):
    include_in_schema = False

    @get("/profile")
    async def profile(
        self,
        request: Request[Any, Any, Any],
        user: User,
        rcrainfo: FromDishka[GetRcrainfoProfile],
        tokens: FromDishka[ListApiTokens],
    ) -> Template:
        return await _page(request, user, rcrainfo, tokens)

    @post("/profile")
    async def update_details(
        self,
        request: Request[Any, Any, Any],
        user: User,
        data: Annotated[DetailsForm, Form],
        update: FromDishka[UpdateCurrentUser],
        rcrainfo: FromDishka[GetRcrainfoProfile],
        tokens: FromDishka[ListApiTokens],
    ) -> Response[Any]:
        try:
            await update(
                user,
                UserChanges(first_name=data.first_name, last_name=data.last_name, email=data.email),
            )
        except InvalidValue as exc:
            return await _page(
                request, user, rcrainfo, tokens, problem=exc, details=data, status_code=400
            )
        return redirect("/profile", "success", "Your details are saved.")

    @post("/profile/rcrainfo")
    async def update_rcrainfo(
        self,
        request: Request[Any, Any, Any],
        user: User,
        data: Annotated[RcrainfoForm, Form],
        update: FromDishka[UpdateRcrainfoProfile],
        rcrainfo: FromDishka[GetRcrainfoProfile],
        tokens: FromDishka[ListApiTokens],
    ) -> Response[Any]:
        if data.clear_api_key:
            key: Secret | None = Secret("")
        else:
            key = Secret(data.api_key.strip()) if data.api_key.strip() else None
        changes = ProfileChanges(
            rcra_username=data.rcra_username,
            api_id=data.api_id,
            api_key=key,
            phone_number=data.phone_number,
        )
        try:
            await update(user, user.username, changes)
        except InvalidValue as exc:
            return await _page(
                request, user, rcrainfo, tokens, problem=exc, rcra=data, status_code=400
            )
        return redirect("/profile", "success", "Your RCRAInfo profile is saved.")

    @post("/profile/rcrainfo/sync")
    async def sync_permissions(
        self,
        request: Request[Any, Any, Any],
        user: User,
        sync: FromDishka[SyncRcrainfoProfile],
    ) -> Response[Any]:
        htmx = bool(request.headers.get("hx-request"))
        try:
            task = task_view(await sync(user))
        except (RcrainfoNotConfigured, InvalidValue) as exc:
            text = _why_not(exc)
            if htmx:
                return page(
                    request,
                    "partials/alert.html",
                    {"level": "error", "text": text, "box_id": SYNC_BOX},
                    status_code=409,
                )
            return redirect("/profile#rcrainfo", "error", text)
        if htmx:
            return page(
                request,
                "partials/task_progress.html",
                {"task": task, "target_id": SYNC_BOX, "announce_start": True},
            )
        return redirect(f"/tasks/{task.id}", "info", "Syncing your RCRAInfo permissions.")

    @post("/profile/tokens")
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        user: User,
        data: Annotated[TokenForm, Form],
        create: FromDishka[CreateApiToken],
        rcrainfo: FromDishka[GetRcrainfoProfile],
        tokens: FromDishka[ListApiTokens],
    ) -> Response[Any]:
        try:
            token, raw = await create(user, data.token_name)
        except InvalidValue as exc:
            return await _page(
                request,
                user,
                rcrainfo,
                tokens,
                problem=exc,
                token_name=data.token_name,
                status_code=400,
            )
        # Shown in this answer only (never stored, never in a redirect or a cookie).
        return await _page(
            request, user, rcrainfo, tokens, new_token=(token.name, raw.reveal()), status_code=201
        )

    @post("/profile/tokens/{token_id:uuid}/revoke")
    async def revoke_token(
        self,
        user: User,
        token_id: UUID,
        revoke: FromDishka[RevokeApiToken],
    ) -> Response[Any]:
        await revoke(user, token_id)
        return redirect("/profile#tokens", "success", "The token is revoked; it works no more.")


def _why_not(exc: Exception) -> str:
    if isinstance(exc, InvalidValue) and exc.field == "rcraUsername":
        return "Set your RCRAInfo user name first: Haztrak looks you up in RCRAInfo by it."
    if isinstance(exc, RcrainfoNotConfigured):
        return (
            "Set your RCRAInfo API ID and key first: the permissions are read from RCRAInfo "
            "with your own credentials."
        )
    return sentence(str(exc))


async def _page(
    request: Request[Any, Any, Any],
    user: User,
    rcrainfo: GetRcrainfoProfile,
    tokens: ListApiTokens,
    *,
    problem: InvalidValue | None = None,
    details: DetailsForm | None = None,
    rcra: RcrainfoForm | None = None,
    token_name: str = "",
    new_token: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    view = await rcrainfo(user, user.username)
    errors: dict[str, str] = {}
    problems = []
    if problem is not None:
        field = FIELDS.get(problem.field, problem.field)
        errors[field] = sentence(problem.message)
        problems.append({"anchor": f"f-{field}", "text": f"{_label(field)} {problem.message}"})
    profile = view.profile
    notice_prefs = await (await request.state.dishka_container.get(GetNoticePreferences))(user)
    return page(
        request,
        "account/profile.html",
        {
            "me": user,
            "details": details
            or DetailsForm(first_name=user.first_name, last_name=user.last_name, email=user.email),
            "rcra": rcra
            or RcrainfoForm(
                rcra_username=profile.rcra_username or "",
                api_id=profile.api_id or "",
                phone_number=profile.phone_number or "",
            ),
            "profile": profile,
            "permissions": view.permissions,
            "tokens": await tokens(user),
            "token_name": token_name,
            "new_token": new_token,
            "errors": errors,
            "problems": problems,
            "sync_box": SYNC_BOX,
            "notice_prefs": preference_form(notice_prefs),
        },
        status_code=status_code,
    )


def _label(field: str) -> str:
    return {
        "first_name": "First name",
        "last_name": "Last name",
        "email": "Email",
        "rcra_username": "RCRAInfo user name",
        "api_id": "API ID",
        "api_key": "API key",
        "phone_number": "Phone number",
        "token_name": "Token name",
    }.get(field, field)
