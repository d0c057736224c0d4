"""Links into RCRAInfo for the steps that must happen there (EPA's UI-link service): a
manifest's View, Edit or Sign page, or a site's Dashboard, BulkSign or BulkQuickSign page.

The request checks what it can (EPA's rules for the link, the user's role on the site, that
the manifest is one of the site's and is in e-Manifest, that the site's org has credentials),
then asks RCRAInfo in a task and waits briefly for the address, as handler look-ups do.
A link to a signing page needs the signer role on the site; to the Edit page, the preparer
role; any role opens the others. RCRAInfo checks the person who opens it again.
"""

from __future__ import annotations

from typing import Any

import msgspec

from haztrak.application.manifests.access import visible_manifest
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.persistence import MembershipRepository
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.tasks.launch import TaskLauncher, TaskWaiter
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.access import Action, Grants, SiteTarget, require
from haztrak.domain.errors import Conflict, InvalidValue
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import Manifest
from haztrak.domain.manifest.lifecycle import next_signer, signer_site
from haztrak.domain.manifest.tracking_numbers import is_tracking_number
from haztrak.domain.rcrainfo_links import UiLink, UiPage
from haztrak.domain.tasks import TaskName

_ACTION = {
    UiPage.SIGN: Action.SIGN_MANIFEST,
    UiPage.BULK_SIGN: Action.SIGN_MANIFEST,
    UiPage.BULK_QUICK_SIGN: Action.SIGN_MANIFEST,
    UiPage.EDIT: Action.EDIT_MANIFEST,
}


class LinkRequest(msgspec.Struct, frozen=True, kw_only=True):
    page: str
    site_id: str
    """Blank with a tracking number: the user's site on the manifest."""
    manifest_tracking_number: str | None = None
    filter: tuple[str, ...] = ()
    view: str | None = None


class GetRcrainfoLink:
    """The address of an RCRAInfo e-Manifest page for the user and the manifest."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        launcher: TaskLauncher,
        waiter: TaskWaiter,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._launcher = launcher
        self._waiter = waiter

    async def __call__(self, user: User, request: LinkRequest) -> str:
        grants = await self._memberships.grants(user.id)
        site_id = request.site_id.strip()
        mtn = request.manifest_tracking_number
        if not site_id and mtn and is_tracking_number(mtn):
            # A manifest's page with no site named: the user's site on it (for Sign, the one
            # whose turn it is).
            stored = await visible_manifest(self._manifests, grants, mtn)
            site_id = _users_site(grants, stored.manifest, request.page) or ""
        link = UiLink.of(request.page, site_id, mtn, request.filter, request.view)
        site = link.epa_site_id
        require(grants, Action.VIEW_SITE, SiteTarget(site), kind="site", key=site)
        action = _ACTION.get(link.page)
        if action is not None:
            require(grants, action, SiteTarget(site), kind="site", key=site)
        if mtn is not None:
            stored = await visible_manifest(self._manifests, grants, mtn)
            if stored.manifest.is_draft():
                raise Conflict(f"manifest {mtn} is a draft here: it is not in e-Manifest yet")
            if site not in stored.manifest.site_ids():
                raise InvalidValue("epaSiteId", f"{site} is not a handler on manifest {mtn}")
        await self._accounts.site_ready(site)
        task = await self._launcher.launch(
            TaskName.RCRAINFO_LINK, owner=user, payload=link.request(), subject=mtn or site
        )
        result: Any = await self._waiter.result(task)
        url = result.get("url") if isinstance(result, dict) else None
        if not isinstance(url, str):
            raise Conflict("RCRAInfo gave no address for the page")
        return url


class MakeRcrainfoLink:
    """The task of GetRcrainfoLink: ask EPA's UI-link service with the site's credentials."""

    def __init__(self, rcrainfo: Rcrainfo, accounts: RcrainfoAccounts) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        payload = run.payload
        link = UiLink.of(
            str(payload.get("page")),
            str(payload.get("epaSiteId")),
            payload.get("manifestTrackingNumber"),
            tuple(payload.get("filter") or ()),
            payload.get("view"),
        )
        credentials = await self._accounts.for_site(link.epa_site_id)
        url = await self._rcrainfo.ui_link(credentials, link)
        return {"url": url, "page": link.page.value, "epaSiteId": link.epa_site_id}


def _users_site(grants: Grants, manifest: Manifest, page: str) -> str | None:
    if page == UiPage.SIGN.value:
        turn = next_signer(manifest)
        site = signer_site(manifest, turn) if turn is not None else None
        role = grants.role_on(site) if site else None
        if site and role is not None and role.at_least(SiteRole.SIGNER):
            return site
    needed = SiteRole.PREPARER if page == UiPage.EDIT.value else SiteRole.VIEWER
    for _, handler in manifest.handlers():
        site = handler.epa_site_id
        role = grants.role_on(site) if site else None
        if site and role is not None and role.at_least(needed):
            return site
    return None
