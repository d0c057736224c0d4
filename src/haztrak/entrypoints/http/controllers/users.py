"""Who am I: the current user, the profile, personal API tokens and the RCRAInfo profile."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, delete, get, post, put

from haztrak.application.identity.auth import CreateApiToken, ListApiTokens, RevokeApiToken
from haztrak.application.identity.orgs import GetMyProfile
from haztrak.application.identity.profile import (
    GetRcrainfoProfile,
    ProfileChanges,
    UpdateCurrentUser,
    UpdateRcrainfoProfile,
    UserChanges,
)
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.schemas import (
    MyProfileOut,
    RcrainfoProfileOut,
    RcrainfoProfileUpdate,
    TokenCreate,
    TokenOut,
    UserOut,
    UserUpdate,
)
from haztrak.entrypoints.http.text import text_path

Username = Annotated[str, text_path(limits.USERNAME, "testuser1")]


class UserController(Controller):
    tags = ["user"]

    @get("/user/current-user", responses=answers())
    async def current(self, user: User) -> UserOut:
        return UserOut.of(user)

    @put("/user/current-user", responses=answers(400, 403, 422))
    async def update_current(
        self, user: User, data: UserUpdate, update: FromDishka[UpdateCurrentUser]
    ) -> UserOut:
        changes = UserChanges(
            first_name=data.first_name, last_name=data.last_name, email=data.email
        )
        return UserOut.of(await update(user, changes))

    @get(
        "/my-profile",
        responses=answers(),
        summary="The user, its orgs, and its sites with its role on each",
    )
    async def my_profile(self, user: User, profile: FromDishka[GetMyProfile]) -> MyProfileOut:
        return MyProfileOut.of(await profile(user))

    @get(
        "/user/tokens",
        responses=answers(),
        summary="The user's active personal API tokens (never the tokens)",
    )
    async def tokens(self, user: User, list_tokens: FromDishka[ListApiTokens]) -> list[TokenOut]:
        return [TokenOut.of(t) for t in await list_tokens(user)]

    @post(
        "/user/tokens",
        responses=answers(400, 403, 422),
        summary="Create a personal API token; it is shown this once",
    )
    async def create_token(
        self, user: User, data: TokenCreate, create: FromDishka[CreateApiToken]
    ) -> TokenOut:
        token, raw = await create(user, data.name)
        return TokenOut.of(token, raw.reveal())

    @delete(
        "/user/tokens/{token_id:uuid}",
        responses=answers(400, 403, 404, 422),
        summary="Revoke a personal API token",
    )
    async def revoke_token(
        self, user: User, token_id: UUID, revoke: FromDishka[RevokeApiToken]
    ) -> None:
        await revoke(user, token_id)

    @get(
        "/rcrainfo-profile/{username:str}",
        responses=answers(400, 404, 422),
        summary="The user's own RCRAInfo profile",
    )
    async def rcrainfo_profile(
        self, user: User, username: Username, get_profile: FromDishka[GetRcrainfoProfile]
    ) -> RcrainfoProfileOut:
        return RcrainfoProfileOut.of(await get_profile(user, username))

    @put(
        "/rcrainfo-profile/{username:str}",
        responses=answers(400, 403, 404, 409, 422),
        summary="Update the user's own RCRAInfo profile; the API key is write-only",
    )
    async def update_rcrainfo_profile(
        self,
        user: User,
        username: Username,
        data: RcrainfoProfileUpdate,
        update: FromDishka[UpdateRcrainfoProfile],
    ) -> RcrainfoProfileOut:
        changes = ProfileChanges(
            rcra_username=data.rcra_username,
            api_id=data.rcra_api_id,
            api_key=Secret(data.rcra_api_key) if data.rcra_api_key is not None else None,
            phone_number=data.phone_number,
        )
        return RcrainfoProfileOut.of(await update(user, username, changes))
