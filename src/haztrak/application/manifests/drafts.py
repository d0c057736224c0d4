"""Creating, changing and deleting manifests kept here: local drafts (status NotAssigned,
`#########DFT` numbers) and the local copies the rules let a user change.

A draft may be incomplete: it must have EPA's shape, and its business-rule problems come back
as warnings so that work in progress can be saved. They become errors when it is submitted.

A draft belongs to the site that prepared it (its owner site, recorded at creation) until it is
submitted: only that site's preparers and above see, change or delete it, and every version of
it names that site (domain.access).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.manifests.access import (
    ensure_current,
    ensure_keeps_a_site_of,
    ensure_may,
    ensure_may_change,
    visible_manifest,
)
from haztrak.application.manifests.documents import read_manifest
from haztrak.application.ports.manifests import ManifestRepository, StoredManifest
from haztrak.application.ports.persistence import MembershipRepository, SiteRepository, UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.domain.access import Grants, ensure_draft_stays_with_owner
from haztrak.domain.errors import Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import (
    Manifest,
    Operation,
    OperationNotAllowed,
    Problem,
    Status,
    business_problems,
    draft_tracking_number,
)


class SavedManifest(msgspec.Struct, frozen=True, kw_only=True):
    stored: StoredManifest
    warnings: list[Problem]
    """Keys dropped as unknown, then business-rule problems: allowed in a draft, errors when it
    is submitted."""


class CreateDraftManifest:
    """Save a new draft for one of the user's sites (preparer or above) with a new number."""

    def __init__(
        self,
        manifests: ManifestRepository,
        memberships: MembershipRepository,
        sites: SiteRepository,
        clock: Clock,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._manifests = manifests
        self._memberships = memberships
        self._sites = sites
        self._clock = clock
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, raw: bytes) -> SavedManifest:
        read = read_manifest(raw)
        manifest = read.manifest
        if manifest.manifest_tracking_number is not None:
            raise InvalidValue(
                "manifestTrackingNumber",
                "must be left out (or empty): a new draft gets a #########DFT number",
            )
        if manifest.current_status() is not Status.NOT_ASSIGNED:
            raise InvalidValue(
                "status",
                "must be NotAssigned or left out: a manifest is a draft until it is sent "
                "to e-Manifest",
            )
        grants = await self._memberships.grants(user.id)
        owner_site = _owner_site(grants, manifest)
        ensure_may(grants, manifest, Operation.EDIT)
        owner_org_id = grants.org_of(owner_site)
        if owner_org_id is None:  # grants from a source that does not know the site's org
            site = await self._sites.by_epa_id(owner_site)
            owner_org_id = site.org_id if site else None
        number = await self._manifests.next_draft_number()
        now = self._clock.now()
        draft = msgspec.structs.replace(
            manifest,
            manifest_tracking_number=draft_tracking_number(number),
            status=Status.NOT_ASSIGNED,
        ).with_signed_flags()
        stored = StoredManifest(
            id=uuid4(),
            manifest=draft,
            version=1,
            created_at=now,
            updated_at=now,
            owner_org_id=owner_org_id,
            owner_site=owner_site,
        )
        # Recorded first, so that on PostgreSQL the entry goes with the manifest's statement;
        # either way both commit together or neither does.
        await self._auditor.record(user, "create", "manifest", stored.mtn, id=str(stored.id))
        await self._manifests.add(stored)
        await self._uow.commit()
        return SavedManifest(
            stored=stored, warnings=read.ignored + business_problems(draft, now=now)
        )


def _owner_site(grants: Grants, manifest: Manifest) -> str:
    """The first party, in signing order, at a site where the user may prepare manifests: the
    draft's owner site."""
    sites = [h.epa_site_id for _, h in manifest.handlers() if h.epa_site_id]
    if not sites:
        raise InvalidValue(
            "generator.epaSiteId",
            "is required: a draft names at least one of your sites as a handler",
        )
    for site in sites:
        role = grants.role_on(site)
        if role is not None and role.at_least(SiteRole.PREPARER):
            return site
    if any(grants.role_on(site) for site in sites):
        raise Forbidden("creating a draft takes the preparer role or higher on one of its sites")
    raise NotFound("site", sites[0])


class UpdateManifest:
    """Replace a draft, or a local manifest whose status lets this user update it.

    The tracking number and status stay as they are: they change by submitting and signing.
    """

    def __init__(
        self,
        manifests: ManifestRepository,
        memberships: MembershipRepository,
        clock: Clock,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._manifests = manifests
        self._memberships = memberships
        self._clock = clock
        self._auditor = auditor
        self._uow = uow

    async def __call__(
        self, user: User, mtn: str, raw: bytes, if_match: Sequence[str] | None = None
    ) -> SavedManifest:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        current = stored.manifest
        draft = current.is_draft()
        ensure_may_change(grants, stored, Operation.EDIT if draft else Operation.UPDATE)
        ensure_current(stored, if_match)
        read = read_manifest(raw)
        manifest = read.manifest
        if manifest.manifest_tracking_number not in (None, stored.mtn):
            raise InvalidValue(
                "manifestTrackingNumber",
                f"must be {stored.mtn} (the manifest at this address) or left out",
            )
        status = current.current_status()
        if manifest.status not in (None, status):
            raise InvalidValue(
                "status",
                f"must be {status.value} or left out: the status changes by submitting and "
                "signing, not by editing",
            )
        if draft:
            ensure_draft_stays_with_owner(stored.owner_site, current, manifest)
        else:
            ensure_keeps_a_site_of(grants, manifest)
        now = self._clock.now()
        changed = msgspec.structs.replace(
            manifest, manifest_tracking_number=stored.mtn, status=status
        ).with_signed_flags()
        saved = await self._manifests.update(
            msgspec.structs.replace(stored, manifest=changed, updated_at=now),
            expected_version=stored.version,
        )
        await self._auditor.record(
            user, "update", "manifest", saved.mtn, id=str(saved.id), version=str(saved.version)
        )
        await self._uow.commit()
        return SavedManifest(
            stored=saved, warnings=read.ignored + business_problems(changed, now=now)
        )


class DeleteManifest:
    """Delete a local draft. A manifest in e-Manifest is deleted there, not here."""

    def __init__(
        self,
        manifests: ManifestRepository,
        memberships: MembershipRepository,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._manifests = manifests
        self._memberships = memberships
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, mtn: str, if_match: Sequence[str] | None = None) -> None:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        ensure_may_change(grants, stored, Operation.DELETE)
        if not stored.manifest.is_draft():
            raise OperationNotAllowed(
                f"manifest {mtn} is in e-Manifest (status "
                f"{stored.manifest.current_status().value}); only local drafts are deleted here"
            )
        ensure_current(stored, if_match)
        await self._manifests.delete(stored.id, expected_version=stored.version)
        await self._auditor.record(user, "delete", "manifest", mtn, id=str(stored.id))
        await self._uow.commit()
