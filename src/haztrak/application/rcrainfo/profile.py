"""A user's site permissions as RCRAInfo knows them, pulled with the user's own credentials."""

from __future__ import annotations

from typing import Any

from haztrak.application.ports.persistence import ProfileRepository
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts, RcrainfoNotConfigured
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun, problem_for
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.identity import User
from haztrak.domain.tasks import Task, TaskName


class SyncRcrainfoProfile:
    """Start pulling the user's site permissions from RCRAInfo's user search."""

    def __init__(
        self, profiles: ProfileRepository, accounts: RcrainfoAccounts, launcher: TaskLauncher
    ) -> None:
        self._profiles = profiles
        self._accounts = accounts
        self._launcher = launcher

    async def __call__(self, user: User, *, refusal_as_task: bool = False) -> Task:
        """Without an API ID and key (RcrainfoNotConfigured) or an RCRAInfo username
        (InvalidValue) nothing starts. With `refusal_as_task` the refusal is a task recorded as
        failed at once, with the reason, instead of an exception: for a client that shows only
        what a task reports (the original Haztrak client)."""
        try:
            await self._accounts.user_ready(user.id)
            profile = await self._profiles.get(user.id)
            if profile is None or not profile.rcra_username:
                raise InvalidValue(
                    "rcraUsername",
                    "is needed to find you in RCRAInfo; set it in your RCRAInfo profile",
                )
        except (RcrainfoNotConfigured, InvalidValue) as refusal:
            if not refusal_as_task:
                raise
            return await self._launcher.refuse(
                TaskName.SYNC_RCRAINFO_PROFILE,
                owner=user,
                problem=problem_for(refusal),
                subject=user.username,
            )
        return await self._launcher.launch(
            TaskName.SYNC_RCRAINFO_PROFILE, owner=user, payload={}, subject=user.username
        )


class PullRcrainfoPermissions:
    """The task: replace the stored permissions with those RCRAInfo reports now."""

    def __init__(
        self, rcrainfo: Rcrainfo, accounts: RcrainfoAccounts, profiles: ProfileRepository
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._profiles = profiles

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        owner = run.task.owner_id
        profile = await self._profiles.get(owner) if owner else None
        if owner is None or profile is None or not profile.rcra_username:
            raise InvalidValue("rcraUsername", "is needed to find you in RCRAInfo")
        credentials = await self._accounts.for_user(owner)
        username = profile.rcra_username
        users = await self._rcrainfo.search_users(credentials, user_id=username)
        found = next((u for u in users if u.user_id.lower() == username.lower()), None)
        if found is None:
            raise NotFound("RCRAInfo user", username)
        await self._profiles.replace_rcra_permissions(owner, found.permissions)
        return {
            "rcraUsername": found.user_id,
            "sites": sorted(p.epa_site_id for p in found.permissions),
        }
