"""The JSON shapes of the REST API (camelCase, as the original browser client expects)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast
from uuid import UUID

import msgspec

from haztrak.application.identity.views import (
    MyProfile,
    OrgMember,
    RcrainfoProfileView,
    SiteAccess,
    SiteView,
)
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import Org, OrgRole, RcraSitePermission, SiteRole, User
from haztrak.domain.tokens import ApiToken
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.text import text


class Camel(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Request bodies: unknown fields are refused so a typo never passes silently."""


class Out(msgspec.Struct, rename="camel", kw_only=True):
    """Response bodies."""


# --- session (django-allauth's headless "browser" shapes, keys as allauth spells them) ---


class LoginRequest(msgspec.Struct, kw_only=True):
    username: Annotated[str, text(limits.USERNAME)]
    password: Annotated[str, text(limits.PASSWORD)]


class AllauthUser(msgspec.Struct, kw_only=True):
    id: str
    display: str
    email: str
    username: str
    has_usable_password: bool = True


class AllauthMethod(msgspec.Struct, kw_only=True):
    method: str
    at: float
    username: str


class AllauthData(msgspec.Struct, kw_only=True):
    user: AllauthUser
    methods: list[AllauthMethod]


class AllauthMeta(msgspec.Struct, kw_only=True):
    is_authenticated: bool


class AllauthSession(msgspec.Struct, kw_only=True):
    status: int
    data: AllauthData
    meta: AllauthMeta


class AllauthFlow(msgspec.Struct, kw_only=True):
    id: str


class AllauthFlows(msgspec.Struct, kw_only=True):
    flows: list[AllauthFlow]


class AllauthAnonymous(msgspec.Struct, kw_only=True):
    status: int
    data: AllauthFlows
    meta: AllauthMeta


class AllauthError(msgspec.Struct, kw_only=True):
    message: str
    code: str
    param: str


class AllauthErrors(msgspec.Struct, kw_only=True):
    status: int
    errors: list[AllauthError]


def allauth_session(user: User, logged_in_at: datetime) -> AllauthSession:
    return AllauthSession(
        status=200,
        data=AllauthData(
            user=AllauthUser(
                id=str(user.id),
                display=user.display_name,
                email=user.email,
                username=user.username,
            ),
            methods=[
                AllauthMethod(
                    method="password", at=logged_in_at.timestamp(), username=user.username
                )
            ],
        ),
        meta=AllauthMeta(is_authenticated=True),
    )


ANONYMOUS = AllauthAnonymous(
    status=401,
    data=AllauthFlows(flows=[AllauthFlow(id="login")]),
    meta=AllauthMeta(is_authenticated=False),
)


# --- users, tokens, profiles ---


class UserOut(Out):
    id: UUID
    username: str
    first_name: str
    last_name: str
    email: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
        )


class UserUpdate(Camel):
    first_name: Annotated[str, text(limits.PERSON_NAME)] | None = None
    last_name: Annotated[str, text(limits.PERSON_NAME)] | None = None
    email: Annotated[str, text(limits.EMAIL)] | None = None


class TokenCreate(Camel):
    name: Annotated[str, text(limits.TOKEN_NAME)]


class TokenOut(Out, omit_defaults=True):
    id: UUID
    name: str
    prefix: str
    created_date: datetime
    last_used_date: datetime | None = None
    token: str | None = None

    @classmethod
    def of(cls, token: ApiToken, raw: str | None = None) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            created_date=token.created_at,
            last_used_date=token.last_used_at,
            token=raw,
        )


class OrgOut(Out):
    id: UUID
    name: str
    slug: str
    rcrainfo_integrated: bool

    @classmethod
    def of(cls, org: Org) -> OrgOut:
        return cls(
            id=org.id, name=org.name, slug=org.slug, rcrainfo_integrated=org.rcrainfo_integrated
        )


class OrgCredentialsOut(msgspec.Struct, kw_only=True):
    """What an org admin sees of the org's RCRAInfo credentials: never the key itself."""

    rcra_api_id: str | None = msgspec.field(name="rcraAPIID")
    api_key_set: bool = msgspec.field(name="apiKeySet")
    rcrainfo_integrated: bool = msgspec.field(name="rcrainfoIntegrated")
    credentials_failing: bool = msgspec.field(name="credentialsFailing")

    @classmethod
    def of(cls, org: Org) -> OrgCredentialsOut:
        return cls(
            rcra_api_id=org.rcrainfo_api_id,
            api_key_set=org.has_rcrainfo_api_key,
            rcrainfo_integrated=org.rcrainfo_integrated,
            credentials_failing=org.rcrainfo_credentials_failing,
        )


class SiteOut(Out):
    name: str
    handler: RcraSite
    last_rcrainfo_manifest_sync: datetime | None

    @classmethod
    def of(cls, view: SiteView) -> SiteOut:
        return cls(
            name=view.site.name,
            handler=view.handler,
            last_rcrainfo_manifest_sync=view.site.last_manifest_sync,
        )


EmanifestPermission = Literal["viewer", "editor", "signer"]


class SitePermissionsOut(msgspec.Struct, kw_only=True):
    """The original client's `HaztrakSitePermissions`."""

    e_manifest: EmanifestPermission = msgspec.field(name="eManifest")


class ProfileSiteOut(SiteOut):
    """The original client's `HaztrakProfileSite`: a Site, the user's permissions there, our
    role, and the RCRAInfo permissions of the last profile sync."""

    permissions: SitePermissionsOut
    role: SiteRole
    rcrainfo_permissions: RcraPermissionsOut | None = None

    @classmethod
    def of_access(cls, access: SiteAccess) -> ProfileSiteOut:
        view = access.view
        return cls(
            name=view.site.name,
            handler=view.handler,
            last_rcrainfo_manifest_sync=view.site.last_manifest_sync,
            permissions=SitePermissionsOut(
                e_manifest=cast(EmanifestPermission, access.role.emanifest_permission)
            ),
            role=access.role,
            rcrainfo_permissions=(
                RcraPermissionsOut.of(access.rcrainfo) if access.rcrainfo else None
            ),
        )


class MyProfileOut(Out):
    user: str
    avatar: None
    org: OrgOut | None
    orgs: list[OrgOut]
    sites: dict[str, ProfileSiteOut]
    """Keyed by EPA ID, as the original client's `ProfileSlice.sites` (its Quicker Sign button
    looks the signing site up there)."""

    @classmethod
    def of(cls, profile: MyProfile) -> MyProfileOut:
        orgs = [OrgOut.of(o) for o in profile.orgs]
        return cls(
            user=profile.user.username,
            avatar=None,
            org=orgs[0] if orgs else None,
            orgs=orgs,
            sites={s.view.site.epa_id: ProfileSiteOut.of_access(s) for s in profile.sites},
        )


class RcraPermissionsOut(msgspec.Struct, kw_only=True):
    site_management: bool = msgspec.field(name="siteManagement")
    annual_report: str = msgspec.field(name="annualReport")
    biennial_report: str = msgspec.field(name="biennialReport")
    emanifest: str = msgspec.field(name="eManifest")
    wiets: str = msgspec.field(name="WIETS")
    my_rcra_id: str = msgspec.field(name="myRCRAid")

    @classmethod
    def of(cls, perm: RcraSitePermission) -> RcraPermissionsOut:
        return cls(
            site_management=perm.site_management,
            annual_report=perm.annual_report,
            biennial_report=perm.biennial_report,
            emanifest=perm.emanifest,
            wiets=perm.wiets,
            my_rcra_id=perm.my_rcra_id,
        )


class RcraSitePermissionOut(msgspec.Struct, kw_only=True):
    epa_site_id: str = msgspec.field(name="epaSiteId")
    permissions: RcraPermissionsOut


class RcrainfoProfileOut(msgspec.Struct, kw_only=True):
    user: str
    rcra_username: str | None = msgspec.field(name="rcraUsername")
    rcra_api_id: str | None = msgspec.field(name="rcraAPIID")
    phone_number: str | None = msgspec.field(name="phoneNumber")
    api_user: bool = msgspec.field(name="apiUser")
    rcra_sites: list[RcraSitePermissionOut] = msgspec.field(name="rcraSites")

    @classmethod
    def of(cls, view: RcrainfoProfileView) -> RcrainfoProfileOut:
        p = view.profile
        return cls(
            user=view.user.username,
            rcra_username=p.rcra_username,
            rcra_api_id=p.api_id,
            phone_number=p.phone_number,
            api_user=p.is_api_user,
            rcra_sites=[
                RcraSitePermissionOut(
                    epa_site_id=perm.epa_site_id, permissions=RcraPermissionsOut.of(perm)
                )
                for perm in view.permissions
            ],
        )


class RcrainfoProfileUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rcra_username: Annotated[str, text(limits.RCRA_USERNAME)] | None = msgspec.field(
        default=None, name="rcraUsername"
    )
    rcra_api_id: Annotated[str, text(limits.RCRA_API_ID)] | None = msgspec.field(
        default=None, name="rcraAPIID"
    )
    rcra_api_key: Annotated[str, text(limits.RCRA_API_KEY)] | None = msgspec.field(
        default=None, name="rcraAPIKey"
    )
    phone_number: Annotated[str, text(limits.PHONE)] | None = msgspec.field(
        default=None, name="phoneNumber"
    )

    def __repr__(self) -> str:
        return "RcrainfoProfileUpdate(...)"


# --- org administration ---


class OrgMemberOut(Out):
    username: str
    first_name: str
    last_name: str
    email: str
    role: OrgRole
    site_roles: dict[str, SiteRole]

    @classmethod
    def of(cls, member: OrgMember) -> OrgMemberOut:
        return cls(
            username=member.user.username,
            first_name=member.user.first_name,
            last_name=member.user.last_name,
            email=member.user.email,
            role=member.role,
            site_roles=member.site_roles,
        )


class MemberRole(Camel):
    role: OrgRole = OrgRole.MEMBER


class SiteRoleUpdate(Camel):
    role: SiteRole


class SiteCreate(Camel):
    epa_id: Annotated[str, text(limits.EPA_ID)]
    name: Annotated[str, text(limits.SITE_NAME)]
    site_type: SiteType


class OrgCredentialsUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rcra_api_id: Annotated[str, text(limits.RCRA_API_ID)] | None = msgspec.field(
        default=None, name="rcraAPIID"
    )
    rcra_api_key: Annotated[str, text(limits.RCRA_API_KEY)] | None = msgspec.field(
        default=None, name="rcraAPIKey"
    )

    def __repr__(self) -> str:
        return "OrgCredentialsUpdate(...)"


# --- operations ---


class CheckOut(msgspec.Struct, kw_only=True):
    status: Literal["ok", "failing"]
    detail: str | None = None


class HealthOut(msgspec.Struct, kw_only=True):
    status: Literal["ok", "failing"]
    version: str
    checks: dict[str, CheckOut] = msgspec.field(default_factory=dict)
