"""Orgs and sites the user may see, and org administration by org admins."""

from __future__ import annotations

from typing import Annotated

from dishka import FromDishka
from litestar import Controller, Response, delete, get, post, put
from litestar.openapi import ResponseSpec
from litestar.response import Stream

from haztrak.application.identity.orgs import (
    AddOrgMember,
    AddOrgSite,
    GetOrg,
    GetOrgRcrainfoCredentials,
    GetSite,
    ListMyOrgs,
    ListMySites,
    ListOrgMembers,
    ListOrgSites,
    RemoveOrgMember,
    SetOrgRcrainfoCredentials,
    SetSiteRole,
)
from haztrak.application.manifests.exports import GetSiteRegister, TableFormat, register_table
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.schemas import (
    MemberRole,
    OrgCredentialsOut,
    OrgCredentialsUpdate,
    OrgMemberOut,
    OrgOut,
    SiteCreate,
    SiteOut,
    SiteRoleUpdate,
)
from haztrak.entrypoints.http.tables import (
    MEDIA_TYPES,
    RegisterOut,
    table_download,
    table_stream,
)
from haztrak.entrypoints.http.text import text_path, text_query

Slug = Annotated[str, text_path(limits.SLUG, "generators-org-llc")]
Username = Annotated[str, text_path(limits.USERNAME, "testuser1")]
EpaId = Annotated[str, text_path(limits.EPA_ID, "VATESTGEN001")]


class OrgController(Controller):
    path = "/orgs"
    tags = ["orgs"]

    @get("/", responses=answers())
    async def list_orgs(self, user: User, list_orgs: FromDishka[ListMyOrgs]) -> list[OrgOut]:
        return [OrgOut.of(o) for o in await list_orgs(user)]

    @get("/{slug:str}", responses=answers(400, 404, 422))
    async def get_org(self, user: User, slug: Slug, get_org: FromDishka[GetOrg]) -> OrgOut:
        return OrgOut.of(await get_org(user, slug))

    @get("/{slug:str}/sites", responses=answers(400, 404, 422))
    async def org_sites(
        self, user: User, slug: Slug, list_sites: FromDishka[ListOrgSites]
    ) -> list[SiteOut]:
        return [SiteOut.of(s) for s in await list_sites(user, slug)]

    @post(
        "/{slug:str}/sites",
        responses=answers(400, 403, 404, 409, 422),
        summary="Add a site to the org (org admins)",
    )
    async def add_site(
        self, user: User, slug: Slug, data: SiteCreate, add: FromDishka[AddOrgSite]
    ) -> SiteOut:
        return SiteOut.of(await add(user, slug, data.epa_id, data.name, data.site_type))

    @get(
        "/{slug:str}/members",
        responses=answers(400, 403, 404, 422),
        summary="Members with their org role and site roles (org admins)",
    )
    async def members(
        self, user: User, slug: Slug, list_members: FromDishka[ListOrgMembers]
    ) -> list[OrgMemberOut]:
        return [OrgMemberOut.of(m) for m in await list_members(user, slug)]

    @put(
        "/{slug:str}/members/{username:str}",
        responses=answers(400, 403, 404, 409, 422),
        summary="Add a member or change its org role",
    )
    async def put_member(
        self,
        user: User,
        slug: Slug,
        username: Username,
        data: MemberRole,
        add: FromDishka[AddOrgMember],
        list_members: FromDishka[ListOrgMembers],
    ) -> OrgMemberOut:
        await add(user, slug, username, data.role)
        members = {m.user.username: m for m in await list_members(user, slug)}
        return OrgMemberOut.of(members[username])

    @delete(
        "/{slug:str}/members/{username:str}",
        responses=answers(400, 403, 404, 409, 422),
        summary="Remove a member and its site roles",
    )
    async def remove_member(
        self, user: User, slug: Slug, username: Username, remove: FromDishka[RemoveOrgMember]
    ) -> None:
        await remove(user, slug, username)

    @put(
        "/{slug:str}/members/{username:str}/sites/{epa_id:str}",
        responses=answers(400, 403, 404, 409, 422),
        summary="Set a member's role on one of the org's sites",
    )
    async def set_site_role(
        self,
        user: User,
        slug: Slug,
        username: Username,
        epa_id: EpaId,
        data: SiteRoleUpdate,
        set_role: FromDishka[SetSiteRole],
    ) -> None:
        await set_role(user, slug, username, epa_id, data.role)

    @delete(
        "/{slug:str}/members/{username:str}/sites/{epa_id:str}",
        responses=answers(400, 403, 404, 409, 422),
        summary="Take a member's role on a site away",
    )
    async def remove_site_role(
        self,
        user: User,
        slug: Slug,
        username: Username,
        epa_id: EpaId,
        set_role: FromDishka[SetSiteRole],
    ) -> None:
        await set_role(user, slug, username, epa_id, None)

    @put(
        "/{slug:str}/rcrainfo",
        responses=answers(400, 403, 404, 422),
        summary="Set the org's RCRAInfo API ID and key (org admins; the key is write-only)",
    )
    async def set_credentials(
        self,
        user: User,
        slug: Slug,
        data: OrgCredentialsUpdate,
        set_credentials: FromDishka[SetOrgRcrainfoCredentials],
    ) -> OrgCredentialsOut:
        key = Secret(data.rcra_api_key) if data.rcra_api_key is not None else None
        return OrgCredentialsOut.of(await set_credentials(user, slug, data.rcra_api_id, key))

    @get(
        "/{slug:str}/rcrainfo",
        responses=answers(400, 403, 404, 422),
        summary="The org's RCRAInfo API ID and whether a key is set",
    )
    async def credentials(
        self, user: User, slug: Slug, get_credentials: FromDishka[GetOrgRcrainfoCredentials]
    ) -> OrgCredentialsOut:
        return OrgCredentialsOut.of(await get_credentials(user, slug))


class SiteController(Controller):
    path = "/sites"
    tags = ["sites"]

    @get("/", responses=answers())
    async def list_sites(self, user: User, list_sites: FromDishka[ListMySites]) -> list[SiteOut]:
        return [SiteOut.of(s) for s in await list_sites(user)]

    @get("/{epa_id:str}", responses=answers(400, 404, 422))
    async def get_site(self, user: User, epa_id: EpaId, get_site: FromDishka[GetSite]) -> SiteOut:
        return SiteOut.of(await get_site(user, epa_id))

    @get(
        "/{epa_id:str}/register",
        responses={
            200: ResponseSpec(
                RegisterOut,
                description="JSON; with format=csv or xlsx, the same lines as a table",
            )
        }
        | answers(400, 404, 422),
        operation_class=table_download(with_json=True),
        summary="The site's register for a period: quantities per waste code (biennial report)",
        description=(
            "What the site shipped as generator (by shipped date) and received as designated "
            "facility (by received date) from `from` to `to` (dates, both included), per "
            "waste code, management method and unit: the total quantity and the number of "
            "manifests. Drafts count for nothing. A waste line with several codes counts "
            "under each of them. `format` is json (the default), csv or xlsx ("
            + ", ".join(MEDIA_TYPES.values())
            + "). A site that is not yours is 404."
        ),
    )
    async def register(
        self,
        user: User,
        epa_id: EpaId,
        get_register: FromDishka[GetSiteRegister],
        start: Annotated[
            str | None, text_query(limits.DATE_TIME, name="from", description="YYYY-MM-DD")
        ] = None,
        end: Annotated[
            str | None, text_query(limits.DATE_TIME, name="to", description="YYYY-MM-DD")
        ] = None,
        format: Annotated[
            str | None, text_query(limits.SITE_TYPE, description="json (default), csv or xlsx")
        ] = None,
    ) -> Response[RegisterOut] | Stream:
        form = TableFormat.parse(format, TableFormat.JSON, TableFormat.CSV, TableFormat.XLSX)
        lines = await get_register(user, epa_id, start, end)
        if form is TableFormat.JSON:
            return Response(RegisterOut.of(epa_id, start or "", end or "", lines))
        return table_stream(register_table(lines), form, f"register-{epa_id}-{start}-{end}")
