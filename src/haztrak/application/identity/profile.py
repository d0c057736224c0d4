"""The user's own account and RCRAInfo identity."""

from __future__ import annotations

import asyncio
import re
from uuid import uuid4

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.identity.views import RcrainfoProfileView
from haztrak.application.ports.persistence import (
    ProfileRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.application.ports.security import Clock, PasswordHasher, SecretBox
from haztrak.domain.errors import Conflict, InvalidValue, NotFound
from haztrak.domain.identity import RcrainfoProfile, User, check_username
from haztrak.domain.secrets import Secret

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\d{3}-\d{3}-\d{4}$")


def _check_email(email: str) -> str:
    email = email.strip()
    if email and not EMAIL_PATTERN.fullmatch(email):
        raise InvalidValue("email", "must be an email address")
    return email


def _check_name(field: str, value: str) -> str:
    value = value.strip()
    if len(value) > 150:
        raise InvalidValue(field, "must be at most 150 characters")
    return value


class UserChanges(msgspec.Struct, kw_only=True, frozen=True):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class UpdateCurrentUser:
    def __init__(self, users: UserRepository, auditor: Auditor, uow: UnitOfWork) -> None:
        self._users = users
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, changes: UserChanges) -> User:
        if changes.first_name is not None:
            user.first_name = _check_name("firstName", changes.first_name)
        if changes.last_name is not None:
            user.last_name = _check_name("lastName", changes.last_name)
        if changes.email is not None:
            user.email = _check_email(changes.email)
        await self._users.update(user)
        await self._auditor.record(user, "update", "user", user.username)
        await self._uow.commit()
        return user


class ProfileChanges(msgspec.Struct, kw_only=True, frozen=True):
    rcra_username: str | None = None
    api_id: str | None = None
    api_key: Secret | None = None
    phone_number: str | None = None


async def _own_profile(
    users: UserRepository, profiles: ProfileRepository, user: User, username: str
) -> RcrainfoProfile:
    # Another user's profile is reported as missing: its existence is nobody else's business.
    if username != user.username:
        raise NotFound("RCRAInfo profile", username)
    return await profiles.get(user.id) or RcrainfoProfile(user_id=user.id)


class GetRcrainfoProfile:
    def __init__(self, users: UserRepository, profiles: ProfileRepository) -> None:
        self._users = users
        self._profiles = profiles

    async def __call__(self, user: User, username: str) -> RcrainfoProfileView:
        profile = await _own_profile(self._users, self._profiles, user, username)
        permissions = list(await self._profiles.rcra_permissions(user.id))
        return RcrainfoProfileView(user=user, profile=profile, permissions=permissions)


class UpdateRcrainfoProfile:
    def __init__(
        self,
        users: UserRepository,
        profiles: ProfileRepository,
        box: SecretBox,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._users = users
        self._profiles = profiles
        self._box = box
        self._auditor = auditor
        self._uow = uow

    async def __call__(
        self, user: User, username: str, changes: ProfileChanges
    ) -> RcrainfoProfileView:
        profile = await _own_profile(self._users, self._profiles, user, username)
        if changes.rcra_username is not None:
            profile.rcra_username = changes.rcra_username.strip() or None
        if changes.api_id is not None:
            profile.api_id = changes.api_id.strip() or None
        if changes.phone_number is not None:
            phone = changes.phone_number.strip()
            if phone and not PHONE_PATTERN.fullmatch(phone):
                raise InvalidValue("phoneNumber", "must look like 555-555-5555")
            profile.phone_number = phone or None
        if changes.api_key is not None:
            encrypted = self._box.encrypt(changes.api_key) if changes.api_key else None
            profile.has_api_key = encrypted is not None
        await self._profiles.save(profile)
        if changes.api_key is not None:
            await self._profiles.set_api_key(user.id, encrypted)
        await self._auditor.record(
            user,
            "update",
            "rcrainfo_profile",
            user.username,
            api_key="replaced" if changes.api_key is not None else "unchanged",
        )
        await self._uow.commit()
        permissions = list(await self._profiles.rcra_permissions(user.id))
        return RcrainfoProfileView(user=user, profile=profile, permissions=permissions)


class CreateUser:
    """Create a user with a password (the CLI and the admin site use this)."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        clock: Clock,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._clock = clock
        self._auditor = auditor
        self._uow = uow

    async def __call__(
        self,
        username: str,
        password: Secret,
        *,
        email: str = "",
        first_name: str = "",
        last_name: str = "",
        is_staff: bool = False,
        actor: User | None = None,
    ) -> User:
        check_username(username)
        if len(password.reveal()) < 8:
            raise InvalidValue("password", "must be at least 8 characters")
        if await self._users.by_username(username) is not None:
            raise Conflict(f"a user called {username!r} exists")
        user = User(
            id=uuid4(),
            username=username,
            email=_check_email(email),
            first_name=_check_name("firstName", first_name),
            last_name=_check_name("lastName", last_name),
            is_staff=is_staff,
            created_at=self._clock.now(),
        )
        await self._users.add(user, await asyncio.to_thread(self._hasher.hash, password))
        await self._auditor.record(actor, "create", "user", username)
        await self._uow.commit()
        return user
