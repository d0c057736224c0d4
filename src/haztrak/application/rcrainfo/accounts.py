"""Whose RCRAInfo credentials a piece of work uses, and what follows when RCRAInfo refuses them.

Work for a site uses the API ID and key of the org that owns the site; a user's profile sync
uses the user's own. Keys are decrypted only here, only when a task needs them.
"""

from __future__ import annotations

from uuid import UUID

from haztrak.application.ports.persistence import (
    MembershipRepository,
    OrgRepository,
    ProfileRepository,
    SiteRepository,
)
from haztrak.application.ports.rcrainfo import RcrainfoCredentials
from haztrak.application.ports.security import SecretBox
from haztrak.domain.errors import Conflict, NotFound
from haztrak.domain.identity import Org, Site


class RcrainfoNotConfigured(Conflict):
    """No working RCRAInfo credentials for this work; the message says who can set them."""


class RcrainfoAccounts:
    def __init__(
        self,
        orgs: OrgRepository,
        sites: SiteRepository,
        profiles: ProfileRepository,
        memberships: MembershipRepository,
        box: SecretBox,
    ) -> None:
        self._orgs = orgs
        self._sites = sites
        self._profiles = profiles
        self._memberships = memberships
        self._box = box
        self._used: dict[UUID, Org] = {}

    async def site_ready(self, epa_id: str) -> tuple[Site, Org]:
        """The site and its org, if the org's credentials can be used (checked before a task
        is started, so the caller hears at once that nothing would work)."""
        site = await self._sites.by_epa_id(epa_id)
        if site is None:
            raise NotFound("site", epa_id)
        org = await self._orgs.get(site.org_id)
        if org is None:  # pragma: no cover - a site always has its org
            raise NotFound("org", str(site.org_id))
        _check_integrated(org)
        return site, org

    async def for_site(self, epa_id: str) -> RcrainfoCredentials:
        _, org = await self.site_ready(epa_id)
        return await self.for_org(org)

    async def for_org(self, org: Org) -> RcrainfoCredentials:
        _check_integrated(org)
        encrypted = await self._orgs.encrypted_api_key(org.id)
        if encrypted is None or org.rcrainfo_api_id is None:  # pragma: no cover - integrated
            raise _not_configured(org)
        self._used[org.id] = org
        return RcrainfoCredentials(api_id=org.rcrainfo_api_id, api_key=self._box.decrypt(encrypted))

    async def user_ready(self, user_id: UUID) -> None:
        profile = await self._profiles.get(user_id)
        if profile is None or not profile.is_api_user:
            raise RcrainfoNotConfigured(
                "set your RCRAInfo API ID and key in your RCRAInfo profile first"
            )

    async def for_user(self, user_id: UUID) -> RcrainfoCredentials:
        """The user's own API ID and key, from the user's RCRAInfo profile."""
        await self.user_ready(user_id)
        profile = await self._profiles.get(user_id)
        encrypted = await self._profiles.encrypted_api_key(user_id)
        if profile is None or profile.api_id is None or encrypted is None:  # pragma: no cover
            raise RcrainfoNotConfigured("set your RCRAInfo API ID and key first")
        return RcrainfoCredentials(api_id=profile.api_id, api_key=self._box.decrypt(encrypted))

    async def lookup_account(self, user_id: UUID) -> Org | None:
        """For look-ups on a user's behalf (handler search): the first org (by name) the user
        belongs to or holds a site role in that has working credentials, or None when the
        user's own credentials must do."""
        grants = await self._memberships.grants(user_id)
        sites = await self._sites.list_by_epa_ids(sorted(grants.site_roles))
        org_ids = set(grants.org_roles) | {site.org_id for site in sites}
        orgs = await self._orgs.list_by_ids(sorted(org_ids))
        usable = sorted((o for o in orgs if o.rcrainfo_integrated), key=lambda o: o.name.lower())
        if usable:
            return usable[0]
        await self.user_ready(user_id)
        return None

    async def for_lookups(self, user_id: UUID) -> RcrainfoCredentials:
        org = await self.lookup_account(user_id)
        return await self.for_org(org) if org else await self.for_user(user_id)

    async def mark_failing(self) -> None:
        """RCRAInfo refused credentials handed out here: flag each org that gave them, so
        nothing uses them again (EPA locks an API ID after three failed logins) until an org
        admin sets them anew."""
        for org in self._used.values():
            org.rcrainfo_credentials_failing = True
            await self._orgs.update(org)


def _check_integrated(org: Org) -> None:
    if not org.rcrainfo_integrated:
        raise _not_configured(org)


def _not_configured(org: Org) -> RcrainfoNotConfigured:
    if org.rcrainfo_credentials_failing:
        return RcrainfoNotConfigured(
            f"RCRAInfo refused the credentials of org {org.slug!r}; an org admin must set its "
            "RCRAInfo API ID and key again"
        )
    return RcrainfoNotConfigured(
        f"org {org.slug!r} has no RCRAInfo API ID and key; an org admin sets them"
    )
