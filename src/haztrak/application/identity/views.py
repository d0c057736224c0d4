"""What the identity use cases answer with: domain objects grouped for a reader."""

from __future__ import annotations

import msgspec

from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import (
    Org,
    OrgRole,
    RcrainfoProfile,
    RcraSitePermission,
    Site,
    SiteRole,
    User,
)


class SiteView(msgspec.Struct, kw_only=True, frozen=True):
    site: Site
    handler: RcraSite


class SiteAccess(msgspec.Struct, kw_only=True, frozen=True):
    view: SiteView
    role: SiteRole
    rcrainfo: RcraSitePermission | None = None  # from the last RCRAInfo profile sync


class MyProfile(msgspec.Struct, kw_only=True, frozen=True):
    user: User
    orgs: list[Org]
    sites: list[SiteAccess]


class OrgMember(msgspec.Struct, kw_only=True, frozen=True):
    user: User
    role: OrgRole
    site_roles: dict[str, SiteRole]


class RcrainfoProfileView(msgspec.Struct, kw_only=True, frozen=True):
    user: User
    profile: RcrainfoProfile
    permissions: list[RcraSitePermission]
