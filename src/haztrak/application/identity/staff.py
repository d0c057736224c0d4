"""Staff on the admin site: who may log in there, and how long an admin session lasts.

The login is the API's `LogIn` (rate limit, argon2, audit) plus one rule: only active staff.
An admin session ends after 8 hours without a request, 24 hours after the login however busy,
with a new password, and as soon as its user is deactivated or loses staff status.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.errors import AuthenticationFailed
from haztrak.application.identity.auth import LoginThrottle, PasswordLogIn
from haztrak.application.ports.persistence import UnitOfWork, UserRepository
from haztrak.application.ports.security import Clock, PasswordHasher, PasswordStamps
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret

STAFF_IDLE_LIMIT = timedelta(hours=8)
STAFF_SESSION_LIMIT = timedelta(hours=24)


class NotStaff(AuthenticationFailed):
    """The password was right, but the admin site is for active staff only."""


class StaffSession(msgspec.Struct, kw_only=True, frozen=True):
    user_id: UUID
    started_at: datetime
    last_seen_at: datetime
    password_stamp: str


class LogInStaff(PasswordLogIn):
    """Log in to the admin site: the API login's checks, then only an active staff user starts
    a session. A refused non-staff login is audited."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        auditor: Auditor,
        uow: UnitOfWork,
        clock: Clock,
        stamps: PasswordStamps,
    ) -> None:
        super().__init__(users, hasher, throttle, auditor, uow)
        self._clock = clock
        self._stamps = stamps

    async def __call__(self, username: str, password: Secret, client: str) -> StaffSession:
        user = await self._check_password(username, password, client)
        if not user.is_staff:
            await self._auditor.record(
                user, "admin_login_refused", "user", user.username, client=client
            )
            await self._uow.commit()
            raise NotStaff("the admin site is for staff users")
        now = self._clock.now()
        return StaffSession(
            user_id=user.id,
            started_at=now,
            last_seen_at=now,
            password_stamp=self._stamps.stamp(await self._users.password_hash(user.id)),
        )


class ResumeStaffSession:
    """The staff user behind an admin session, and the session seen now; AuthenticationFailed
    when the session has ended."""

    def __init__(self, users: UserRepository, clock: Clock, stamps: PasswordStamps) -> None:
        self._users = users
        self._clock = clock
        self._stamps = stamps

    async def __call__(self, session: StaffSession) -> tuple[User, StaffSession]:
        now = self._clock.now()
        if now - session.last_seen_at > STAFF_IDLE_LIMIT:
            raise AuthenticationFailed("the admin session was idle too long; log in again")
        if now - session.started_at > STAFF_SESSION_LIMIT or now < session.started_at:
            raise AuthenticationFailed("the admin session has ended; log in again")
        user = await self._users.get(session.user_id)
        if user is None or not (user.is_active and user.is_staff):
            raise AuthenticationFailed("the admin site is for active staff users")
        stamp = self._stamps.stamp(await self._users.password_hash(user.id))
        if not hmac.compare_digest(stamp, session.password_stamp):
            raise AuthenticationFailed("the password changed; log in again")
        return user, msgspec.structs.replace(session, last_seen_at=now)
