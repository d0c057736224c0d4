"""The organization: its sites and, for its admins, members and their role on each site,
adding and removing members, and the org's RCRAInfo credentials (write-only). What a user
sees is what the use cases let them do: a member gets the read-only view."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from haztrak.application.identity.orgs import (
    AddOrgMember,
    GetOrg,
    GetOrgRcrainfoCredentials,
    ListMyOrgs,
    ListOrgMembers,
    ListOrgSites,
    RemoveOrgMember,
    SetOrgRcrainfoCredentials,
    SetSiteRole,
)
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.identity import OrgRole, SiteRole, User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.text import sentence

Text150 = Annotated[str, msgspec.Meta(max_length=150)]
Token = Annotated[str, msgspec.Meta(max_length=200)]
Choice = Annotated[str, msgspec.Meta(max_length=20)]
Form = Body(media_type=RequestEncodingType.URL_ENCODED)

SITE_ROLES = [(r.value, r.value.replace("_", " ").capitalize()) for r in SiteRole]
ORG_ROLES = [(r.value, r.value.capitalize()) for r in OrgRole]
E = TypeVar("E", OrgRole, SiteRole)
FIELDS = {"username": "username", "epaId": "epa_id", "role": "role", "apiId": "api_id"}


class MemberForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    username: Text150 = ""
    role: Choice = OrgRole.MEMBER.value
    csrf_token: Token = ""


class RemoveForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    username: Text150 = ""
    csrf_token: Token = ""


class SiteRoleForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    username: Text150 = ""
    epa_id: Annotated[str, msgspec.Meta(max_length=12)] = ""
    role: Choice = ""
    """Blank takes the role away."""
    csrf_token: Token = ""


class CredentialsForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    api_id: Text150 = ""
    api_key: Annotated[str, msgspec.Meta(max_length=500)] = ""
    """Blank keeps the key that is set."""
    csrf_token: Token = ""


class OrgPagesController(Controller):
    include_in_schema = False

    @get("/org")
    async def orgs(
        self, request: Request[Any, Any, Any], user: User, my_orgs: FromDishka[ListMyOrgs]
    ) -> Response[Any]:
        orgs = await my_orgs(user)
        if len(orgs) == 1:
            return redirect(f"/org/{orgs[0].slug}")
        return page(request, "account/orgs.html", {"orgs": orgs})

    @get("/org/{slug:str}")
    async def org(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        get_org: FromDishka[GetOrg],
        org_sites: FromDishka[ListOrgSites],
        members: FromDishka[ListOrgMembers],
        credentials: FromDishka[GetOrgRcrainfoCredentials],
    ) -> Template:
        return await _org_page(request, user, slug, get_org, org_sites, members, credentials)

    @post("/org/{slug:str}/members")
    async def add_member(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        data: Annotated[MemberForm, Form],
        add: FromDishka[AddOrgMember],
        get_org: FromDishka[GetOrg],
        org_sites: FromDishka[ListOrgSites],
        members: FromDishka[ListOrgMembers],
        credentials: FromDishka[GetOrgRcrainfoCredentials],
    ) -> Response[Any]:
        try:
            role = _choice(OrgRole, data.role, "role")
            await add(user, slug, data.username.strip(), role)
        except InvalidValue as exc:
            return await _org_page(
                request,
                user,
                slug,
                get_org,
                org_sites,
                members,
                credentials,
                problem=exc,
                form="member",
                values={"username": data.username, "role": data.role},
            )
        return redirect(
            f"/org/{slug}#members", "success", f"{data.username.strip()} is a {role.value} now."
        )

    @post("/org/{slug:str}/members/remove")
    async def remove_member(
        self,
        user: User,
        slug: str,
        data: Annotated[RemoveForm, Form],
        remove: FromDishka[RemoveOrgMember],
    ) -> Response[Any]:
        try:
            await remove(user, slug, data.username)
        except Conflict as exc:
            return redirect(f"/org/{slug}#members", "error", sentence(str(exc)))
        return redirect(
            f"/org/{slug}#members", "success", f"{data.username} is no longer a member."
        )

    @post("/org/{slug:str}/site-roles")
    async def set_site_role(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        data: Annotated[SiteRoleForm, Form],
        set_role: FromDishka[SetSiteRole],
        get_org: FromDishka[GetOrg],
        org_sites: FromDishka[ListOrgSites],
        members: FromDishka[ListOrgMembers],
        credentials: FromDishka[GetOrgRcrainfoCredentials],
    ) -> Response[Any]:
        try:
            role = _choice(SiteRole, data.role, "role") if data.role else None
            await set_role(user, slug, data.username, data.epa_id, role)
        except InvalidValue as exc:
            return await _org_page(
                request,
                user,
                slug,
                get_org,
                org_sites,
                members,
                credentials,
                problem=exc,
                form=f"role-{data.username}",
                values=msgspec.structs.asdict(data),
            )
        what = (
            f"{role.value.replace('_', ' ')} on {data.epa_id}"
            if role
            else (f"no role on {data.epa_id}")
        )
        return redirect(f"/org/{slug}#members", "success", f"{data.username} has {what} now.")

    @post("/org/{slug:str}/credentials")
    async def set_credentials(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        data: Annotated[CredentialsForm, Form],
        set_credentials: FromDishka[SetOrgRcrainfoCredentials],
        get_org: FromDishka[GetOrg],
        org_sites: FromDishka[ListOrgSites],
        members: FromDishka[ListOrgMembers],
        credentials: FromDishka[GetOrgRcrainfoCredentials],
    ) -> Response[Any]:
        key = Secret(data.api_key.strip()) if data.api_key.strip() else None
        try:
            await set_credentials(user, slug, data.api_id, key)
        except InvalidValue as exc:
            return await _org_page(
                request,
                user,
                slug,
                get_org,
                org_sites,
                members,
                credentials,
                problem=exc,
                form="credentials",
                values={"api_id": data.api_id},
            )
        return redirect(
            f"/org/{slug}#credentials", "success", "The org's RCRAInfo credentials are saved."
        )


def _choice(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise InvalidValue(field, "must be one of: " + ", ".join(kind)) from None


async def _org_page(
    request: Request[Any, Any, Any],
    user: User,
    slug: str,
    get_org: GetOrg,
    org_sites: ListOrgSites,
    members: ListOrgMembers,
    credentials: GetOrgRcrainfoCredentials,
    *,
    problem: InvalidValue | None = None,
    form: str | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    org = await get_org(user, slug)
    sites = await org_sites(user, slug)
    try:  # the admin's view when the use case lets this user manage the org
        people = await members(user, slug)
        managed = await credentials(user, slug)
    except Forbidden:
        people, managed = None, None
    errors: dict[str, str] = {}
    problems = []
    if problem is not None:
        field = FIELDS.get(problem.field, problem.field)
        errors[field] = sentence(problem.message)
        anchor = f"f-{form}-{field}" if form else f"f-{field}"
        problems.append(
            {"anchor": anchor, "text": f"{field.replace('_', ' ').capitalize()} {problem.message}"}
        )
    return page(
        request,
        "account/org.html",
        {
            "org": org,
            "sites": sites,
            "members": people,
            "managed": managed,
            "site_roles": SITE_ROLES,
            "org_roles": ORG_ROLES,
            "errors": errors,
            "problems": problems,
            "form": form,
            "values": values or {},
        },
        status_code=400 if problem else 200,
    )
