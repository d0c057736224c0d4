"""What a manifest form needs before the user types: the sites a draft may start from, and
the stored manifest with the version to send back (If-Match), if the user may change it.

Saving goes through CreateDraftManifest and UpdateManifest, which check everything again.
"""

from __future__ import annotations

import msgspec

from haztrak.application.identity.views import SiteView
from haztrak.application.manifests.access import ensure_may_change, visible_manifest
from haztrak.application.ports.manifests import ManifestRepository, StoredManifest
from haztrak.application.ports.persistence import (
    MembershipRepository,
    RcraSiteRepository,
    SiteRepository,
)
from haztrak.domain.errors import Forbidden
from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import MINIMUM_ROLE, Operation


class DraftSite(msgspec.Struct, frozen=True, kw_only=True):
    """A site a draft may be prepared for, with its handler record (to fill the form)."""

    view: SiteView
    role: SiteRole


class ListDraftSites:
    """The user's sites where it may prepare a draft (preparer or above), by EPA ID; Forbidden
    when there is none, so that a viewer is never offered a form it cannot save."""

    def __init__(
        self,
        memberships: MembershipRepository,
        sites: SiteRepository,
        handlers: RcraSiteRepository,
    ) -> None:
        self._memberships = memberships
        self._sites = sites
        self._handlers = handlers

    async def __call__(self, user: User) -> list[DraftSite]:
        grants = await self._memberships.grants(user.id)
        allowed = sorted(grants.sites_with(MINIMUM_ROLE[Operation.EDIT]))
        if not allowed:
            raise Forbidden(
                "preparing a manifest takes the preparer role or higher on one of your sites"
            )
        found = []
        for site in sorted(await self._sites.list_by_epa_ids(allowed), key=lambda s: s.epa_id):
            handler = await self._handlers.get(site.epa_id) or RcraSite(
                epa_site_id=site.epa_id, site_type=site.site_type, name=site.name
            )
            role = grants.role_on(site.epa_id)
            assert role is not None, "the site came from the user's grants"
            found.append(DraftSite(view=SiteView(site=site, handler=handler), role=role))
        return found


class GetManifestToEdit:
    """A manifest the user may change now: a draft (its owner site's preparers and above) or a
    local manifest whose status lets it be updated. NotFound when the user may not see it,
    Forbidden or OperationNotAllowed when it may see but not change it."""

    def __init__(self, manifests: ManifestRepository, memberships: MembershipRepository) -> None:
        self._manifests = manifests
        self._memberships = memberships

    async def __call__(self, user: User, mtn: str) -> StoredManifest:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        operation = Operation.EDIT if stored.manifest.is_draft() else Operation.UPDATE
        ensure_may_change(grants, stored, operation)
        return stored
