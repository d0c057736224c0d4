"""Who may see and change which manifest: the rules of domain.access and the lifecycle, applied
to stored manifests. A manifest is visible to a user holding any role on one of its sites; a
draft only to the preparers (and above) of its owner site; anything else answers as if it did
not exist."""

from __future__ import annotations

from collections.abc import Iterable

from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.ports.manifests import ManifestDocument, ManifestReader, StoredManifest
from haztrak.domain.access import (
    Action,
    Grants,
    ManifestTarget,
    may,
    role_on_manifest,
)
from haztrak.domain.errors import Forbidden, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    Manifest,
    Operation,
    Status,
    ensure_allowed,
    is_tracking_number,
)


def best_role(grants: Grants, site_ids: Iterable[str]) -> SiteRole | None:
    return role_on_manifest(grants, ManifestTarget(frozenset(site_ids)))


def target_of(stored: StoredManifest) -> ManifestTarget:
    """What access control knows of a stored manifest: its sites, and whose draft it is."""
    return ManifestTarget(
        stored.manifest.site_ids(),
        draft=stored.manifest.is_draft(),
        owner_site=stored.owner_site,
    )


async def visible_manifest(reader: ManifestReader, grants: Grants, mtn: str) -> StoredManifest:
    stored = await reader.by_mtn(mtn) if is_tracking_number(mtn) else None
    if stored is None or not may(grants, Action.VIEW_MANIFEST, target_of(stored)):
        raise NotFound("manifest", mtn)
    return stored


async def visible_document(reader: ManifestReader, grants: Grants, mtn: str) -> ManifestDocument:
    """As visible_manifest, for a reader that answers with the stored JSON as it is."""
    document = await reader.document(mtn) if is_tracking_number(mtn) else None
    if document is None:
        raise NotFound("manifest", mtn)
    target = ManifestTarget(
        document.site_ids(),
        draft=document.status is Status.NOT_ASSIGNED,
        owner_site=document.owner_site,
    )
    if not may(grants, Action.VIEW_MANIFEST, target):
        raise NotFound("manifest", mtn)
    return document


def ensure_may(grants: Grants, manifest: Manifest, operation: Operation) -> None:
    """Forbidden when the user's best role on the manifest's sites is too low for the
    operation; OperationNotAllowed when the manifest's status or lock does not allow it."""
    ensure_allowed(manifest, operation, best_role(grants, manifest.site_ids()) or SiteRole.VIEWER)


def ensure_may_change(grants: Grants, stored: StoredManifest, operation: Operation) -> None:
    """As ensure_may, for a stored manifest: on a draft, the role on its owner site counts."""
    role = role_on_manifest(grants, target_of(stored)) or SiteRole.VIEWER
    ensure_allowed(stored.manifest, operation, role)


def ensure_keeps_a_site_of(grants: Grants, manifest: Manifest) -> None:
    """A changed manifest must still name a site where the user may edit manifests, or the
    user would hand it to sites (and orgs) of someone else."""
    if not may(grants, Action.EDIT_MANIFEST, ManifestTarget(manifest.site_ids())):
        raise Forbidden(
            "the manifest must name one of your sites (where you are preparer or above) "
            "as a handler"
        )


def ensure_current(stored: StoredManifest, if_match: Iterable[str] | None) -> None:
    """Honour HTTP If-Match: the tags the client holds must include this version's (or `*`)."""
    if if_match is None:
        return
    tags = set(if_match)
    if "*" not in tags and stored.tag not in tags:
        raise PreconditionFailed(
            f"manifest {stored.mtn} is at version {stored.version}, not the one you read; "
            "read it again and reapply your change"
        )
