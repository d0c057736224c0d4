"""Users, orgs, sites and the roles that tie them together."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.handlers import SiteType, is_epa_id

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@+-]{1,150}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class OrgRole(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class SiteRole(StrEnum):
    """A user's role on one site, from least to most trusted."""

    VIEWER = "viewer"
    PREPARER = "preparer"
    SIGNER = "signer"
    SITE_MANAGER = "site_manager"

    @property
    def rank(self) -> int:
        return _SITE_ROLE_RANK[self]

    def at_least(self, other: SiteRole) -> bool:
        return self.rank >= other.rank

    @property
    def emanifest_permission(self) -> str:
        """The label the original browser client shows: viewer, editor or signer."""
        return {
            SiteRole.VIEWER: "viewer",
            SiteRole.PREPARER: "editor",
            SiteRole.SIGNER: "signer",
            SiteRole.SITE_MANAGER: "signer",
        }[self]


_SITE_ROLE_RANK = {
    SiteRole.VIEWER: 0,
    SiteRole.PREPARER: 1,
    SiteRole.SIGNER: 2,
    SiteRole.SITE_MANAGER: 3,
}


def check_username(username: str) -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidValue("username", "must be 1-150 letters, digits or the characters _ . @ + -")
    return username


def check_epa_id(epa_id: str, field: str = "epaId") -> str:
    if not is_epa_id(epa_id):
        raise InvalidValue(
            field, "must be a two-letter state code followed by 2-10 letters or digits"
        )
    return epa_id


class User(msgspec.Struct, kw_only=True):
    id: UUID
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    is_staff: bool = False
    created_at: datetime | None = None

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username


class RcrainfoProfile(msgspec.Struct, kw_only=True):
    """A user's own RCRAInfo identity. The API key lives encrypted in the secret store."""

    user_id: UUID
    rcra_username: str | None = None
    api_id: str | None = None
    has_api_key: bool = False
    phone_number: str | None = None

    @property
    def is_api_user(self) -> bool:
        return bool(self.api_id) and self.has_api_key


class RcraSitePermission(msgspec.Struct, kw_only=True, frozen=True):
    """A user's permissions on one site as RCRAInfo's user search reports them."""

    epa_site_id: str
    site_management: bool = False
    annual_report: str = "None"
    biennial_report: str = "None"
    emanifest: str = "None"
    wiets: str = "None"
    my_rcra_id: str = "None"


class Org(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    slug: str
    rcrainfo_api_id: str | None = None
    has_rcrainfo_api_key: bool = False
    rcrainfo_credentials_failing: bool = False

    @property
    def rcrainfo_integrated(self) -> bool:
        """Credentials are configured and the last use of them did not fail."""
        return (
            bool(self.rcrainfo_api_id)
            and self.has_rcrainfo_api_key
            and not self.rcrainfo_credentials_failing
        )


class Site(msgspec.Struct, kw_only=True):
    id: UUID
    epa_id: str
    name: str
    site_type: SiteType
    org_id: UUID
    last_manifest_sync: datetime | None = None


class OrgMembership(msgspec.Struct, kw_only=True, frozen=True):
    org_id: UUID
    user_id: UUID
    role: OrgRole


class SitePermission(msgspec.Struct, kw_only=True, frozen=True):
    site_id: UUID
    user_id: UUID
    role: SiteRole


def check_org_keeps_an_admin(
    members: Iterable[tuple[UUID, OrgRole]], user_id: UUID, new_role: OrgRole | None
) -> None:
    """An org keeps at least one admin: its last admin can be neither removed (None) nor made
    a member, whoever asks (an org admin on the API, staff on the admin site)."""
    admins = {member for member, role in members if role is OrgRole.ADMIN}
    if admins == {user_id} and new_role is not OrgRole.ADMIN:
        raise Conflict("an org keeps at least one admin; make another member admin first")


def require_staff(user: User) -> None:
    """The admin site's changes are for active staff users only."""
    if not (user.is_active and user.is_staff):
        raise Forbidden("only active staff users may do this")
