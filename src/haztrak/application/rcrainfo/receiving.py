"""Receiving a shipment: the designated facility records discrepancies, residue and a rejection
(sent to e-Manifest as an update, in a task), starts the new manifest for rejected or residue
waste, and sees how manifests link to one another.

The rules are the domain's (domain.manifest.receiving). Only a preparer (or above) of the
designated facility receives; the receipt goes to e-Manifest in the submit task
(`SaveToEmanifest`, as an update), and the local copy becomes RCRAInfo's when it is done.
"""

from __future__ import annotations

from uuid import uuid4

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.manifests.access import visible_manifest
from haztrak.application.manifests.drafts import SavedManifest
from haztrak.application.ports.manifests import (
    ManifestQuery,
    ManifestReader,
    ManifestRepository,
    StoredManifest,
)
from haztrak.application.ports.persistence import MembershipRepository, SiteRepository, UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.domain.access import Action, Grants, SiteTarget, draft_sites, may
from haztrak.domain.errors import Conflict, Forbidden, NotFound
from haztrak.domain.identity import User
from haztrak.domain.manifest import Manifest, Status, business_problems, draft_tracking_number
from haztrak.domain.manifest.receiving import (
    Receipt,
    ensure_receivable,
    new_tracking_numbers,
    original_tracking_numbers,
    record_receipt,
    rejected_waste_manifest,
)
from haztrak.domain.manifest.search import normalize_search_text
from haztrak.domain.manifest.tracking_numbers import is_draft_tracking_number
from haztrak.domain.tasks import Task, TaskName

MAX_LINKED = 50
"""Manifests listed as carrying one manifest's waste on: far more than a shipment has."""


def _receiving_site(grants: Grants, manifest: Manifest, mtn: str) -> str:
    """The designated facility, if the user prepares manifests there; Forbidden otherwise."""
    facility = manifest.designated_facility
    site = facility.epa_site_id if facility is not None else None
    if site is None or not may(grants, Action.EDIT_MANIFEST, SiteTarget(site)):
        raise Forbidden(
            f"only a preparer (or above) of manifest {mtn}'s designated facility "
            f"({site or 'none named'}) may record its receipt or send its waste on"
        )
    return site


class RecordReceipt:
    """Record what the designated facility received and send it to e-Manifest (an update, in
    the submit task): per line a quantity or type discrepancy and residue, for the manifest a
    rejection. Allowed while the manifest is ReadyForSignature, before the facility signs."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        tasks: TaskRepository,
        launcher: TaskLauncher,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, mtn: str, receipt: Receipt) -> Task:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        site = _receiving_site(grants, stored.manifest, mtn)
        ensure_receivable(stored.manifest)
        received = record_receipt(stored.manifest, receipt)
        await self._accounts.site_ready(site)
        active = await self._tasks.active(TaskName.SUBMIT_MANIFEST, mtn)
        if active is not None:
            if active.owner_id == user.id:
                return active
            raise Conflict(f"manifest {mtn} is being sent to e-Manifest already")
        payload = {
            "manifest": msgspec.to_builtins(received.for_emanifest()),
            "update": True,
            "siteId": site,
            "draftMtn": None,
            "ownerOrgId": str(stored.owner_org_id) if stored.owner_org_id else None,
            "ignored": [],
            "receipt": True,
        }
        task = await self._launcher.launch(
            TaskName.SUBMIT_MANIFEST, owner=user, payload=payload, subject=mtn
        )
        await self._auditor.record(
            user,
            "record_receipt",
            "manifest",
            mtn,
            task=str(task.id),
            rejection=str(bool(received.rejection)).lower(),
            discrepancy=str(bool(received.discrepancy)).lower(),
            residue=str(bool(received.residue)).lower(),
        )
        await self._uow.commit()
        return task


class StartRejectedWasteManifest:
    """Start the draft that carries a received manifest's rejected or residue waste on: the
    designated facility is its generator and owner site, the flagged lines are pre-filled, and
    it names the original (`additionalInfo.originalManifestTrackingNumbers`), which then lists
    it (ManifestLinks)."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestRepository,
        sites: SiteRepository,
        clock: Clock,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._sites = sites
        self._clock = clock
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, mtn: str) -> SavedManifest:
        grants = await self._memberships.grants(user.id)
        original = await visible_manifest(self._manifests, grants, mtn)
        site = _receiving_site(grants, original.manifest, mtn)
        draft = rejected_waste_manifest(original.manifest)
        started = await self._started(grants, mtn, site)
        if started is not None:  # asked again (a second click): the draft already started
            return SavedManifest(
                stored=started, warnings=business_problems(started.manifest, now=self._clock.now())
            )
        owner_org_id = grants.org_of(site)
        if owner_org_id is None:
            known = await self._sites.by_epa_id(site)
            owner_org_id = known.org_id if known else None
        number = await self._manifests.next_draft_number()
        now = self._clock.now()
        stored = StoredManifest(
            id=uuid4(),
            manifest=msgspec.structs.replace(
                draft, manifest_tracking_number=draft_tracking_number(number)
            ).with_signed_flags(),
            version=1,
            created_at=now,
            updated_at=now,
            owner_org_id=owner_org_id,
            owner_site=site,
        )
        await self._manifests.add(stored)
        await self._auditor.record(
            user, "start_rejected_waste_manifest", "manifest", stored.mtn, original=mtn
        )
        await self._uow.commit()
        # What it still needs (transporters, a destination) comes back as warnings, as for
        # any new draft.
        return SavedManifest(stored=stored, warnings=business_problems(stored.manifest, now=now))

    async def _started(self, grants: Grants, mtn: str, site: str) -> StoredManifest | None:
        """The site's draft that already carries this manifest's rejected or residue waste on
        (still a draft: once sent to e-Manifest, another may be started), if any."""
        query = ManifestQuery(
            site_ids=frozenset(grants.site_roles),
            draft_sites=draft_sites(grants),
            text=normalize_search_text(mtn),
        )
        for record in await self._manifests.records(query, limit=MAX_LINKED):
            other = msgspec.json.decode(record.json, type=_Carrier)
            number = other.manifest_tracking_number
            if not is_draft_tracking_number(number) or mtn not in other.originals():
                continue
            assert number is not None
            try:
                found = await visible_manifest(self._manifests, grants, number)
            except NotFound:
                continue
            if found.owner_site == site and found.manifest.is_draft():
                return found
        return None


class LinkedManifest(msgspec.Struct, frozen=True, kw_only=True):
    """A manifest linked to another: `status` is None when it is not kept here or not the
    user's to see (EPA lists it, the link is shown without one)."""

    mtn: str
    status: Status | None = None


class ManifestLinks(msgspec.Struct, frozen=True, kw_only=True):
    originals: list[LinkedManifest] = []
    """The manifests whose rejected or residue waste this one carries on."""
    carried_on: list[LinkedManifest] = []
    """The manifests (drafts included) that carry this one's rejected or residue waste on."""


class GetManifestLinks:
    """Both ways of the link between a received manifest and the new manifests for its
    rejected or residue waste: what the manifests say (EPA's `originalManifestTrackingNumbers`,
    `newManifestTrackingNumbers`, `residueNewManifestTrackingNumbers`), among those the user
    may see."""

    def __init__(self, manifests: ManifestReader, memberships: MembershipRepository) -> None:
        self._manifests = manifests
        self._memberships = memberships

    async def __call__(self, user: User, mtn: str) -> ManifestLinks:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        return await manifest_links(self._manifests, grants, stored)


async def manifest_links(
    manifests: ManifestReader, grants: Grants, stored: StoredManifest
) -> ManifestLinks:
    """The links of a manifest the user may see (`stored`, read for `grants`)."""
    mtn = stored.mtn
    originals = [
        await _linked(manifests, grants, number)
        for number in original_tracking_numbers(stored.manifest)
    ]
    carried: dict[str, LinkedManifest] = {}
    # Only a rejection or residue has waste carried on: only then is there a manifest to find
    # (a new one names its original, which e-Manifest allows for those alone).
    if stored.manifest.rejection or stored.manifest.residue:
        query = ManifestQuery(
            site_ids=frozenset(grants.site_roles),
            draft_sites=draft_sites(grants),
            text=normalize_search_text(mtn),
        )
        for record in await manifests.records(query, limit=MAX_LINKED):
            other = msgspec.json.decode(record.json, type=_Carrier)
            number = other.manifest_tracking_number
            if number and number != mtn and mtn in other.originals():
                carried[number] = LinkedManifest(mtn=number, status=other.status)
    for number in new_tracking_numbers(stored.manifest):
        if number not in carried:
            carried[number] = await _linked(manifests, grants, number)
    return ManifestLinks(originals=originals, carried_on=sorted(carried.values(), key=_key))


async def _linked(manifests: ManifestReader, grants: Grants, mtn: str) -> LinkedManifest:
    try:
        found = await visible_manifest(manifests, grants, mtn)
    except NotFound:  # listed by EPA, but not kept here or not the user's to see
        return LinkedManifest(mtn=mtn)
    return LinkedManifest(mtn=mtn, status=found.manifest.current_status())


def _key(link: LinkedManifest) -> str:
    return link.mtn


class _AdditionalInfo(msgspec.Struct, kw_only=True, rename="camel"):
    original_manifest_tracking_numbers: list[str] | None = None


class _Carrier(msgspec.Struct, kw_only=True, rename="camel"):
    """What a link needs of a stored manifest, read without decoding the rest."""

    manifest_tracking_number: str | None = None
    status: Status = Status.NOT_ASSIGNED
    additional_info: _AdditionalInfo | None = None

    def originals(self) -> list[str]:
        info = self.additional_info
        return list(info.original_manifest_tracking_numbers or ()) if info else []


__all__ = [
    "GetManifestLinks",
    "LinkedManifest",
    "ManifestLinks",
    "RecordReceipt",
    "StartRejectedWasteManifest",
    "manifest_links",
]
