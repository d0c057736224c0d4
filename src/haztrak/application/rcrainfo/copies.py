"""Keeping RCRAInfo's copy of a manifest here, for the tasks that pull one (submit, sign, sync).

Whatever RCRAInfo answers, no manifest kept here is merged with another or replaced by an older
or unrelated copy (domain.manifest.copies). A save whose new tracking number already belongs
to another manifest here is caught as well: a new electronic save carries the task's reference
comment, so a manifest here without it is not the one this task made. On a clash nothing is
written, the clash goes to the audit log at once (it outlives the task's failure), and the task
fails with the reason.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.ports.manifests import ManifestRepository, StoredManifest
from haztrak.application.ports.persistence import UserRepository
from haztrak.application.tasks.errors import ConcurrentUpdate
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.errors import Conflict
from haztrak.domain.manifest import Manifest
from haztrak.domain.manifest.copies import ManifestClash, replacement_refusal

REFERENCE_LABEL = "Haztrak submission"
"""The label of the comment that carries the id of the task that saved a manifest."""
AUDIT_ACTION = "refuse_rcrainfo_copy"


def has_reference(manifest: Manifest, reference: str) -> bool:
    info = manifest.additional_info
    return any(
        c.label == REFERENCE_LABEL and c.description == reference
        for c in (info.comments if info and info.comments else ())
    )


class RcrainfoCopies:
    """Stores RCRAInfo's copies of manifests unless that would lose one kept here."""

    def __init__(
        self,
        manifests: ManifestRepository,
        users: UserRepository,
        auditor: Auditor,
    ) -> None:
        self._manifests = manifests
        self._users = users
        self._auditor = auditor

    async def keep(
        self,
        run: TaskRun,
        remote: Manifest,
        *,
        owner_org_id: UUID | None,
        at: datetime,
        saved_by: str | None = None,
        draft_mtn: str | None = None,
    ) -> StoredManifest:
        """Store `remote` as a new manifest, or as the next version of the one with its
        tracking number. `saved_by`: the reference of the save that just created `remote`,
        which a manifest here with that number must carry. `draft_mtn`: the draft being
        submitted, named in the refusal (it stays a draft). Raises ManifestClash, after
        auditing it, instead of losing a manifest; ConcurrentUpdate when another write came
        between the read and this one (the task is retried and reads again)."""
        mtn = remote.manifest_tracking_number
        if not mtn:
            raise ValueError("a manifest from RCRAInfo has a tracking number")
        local = await self._manifests.by_mtn(mtn)
        if local is not None:
            await self._refuse_if_lost(run, local, remote, saved_by, draft_mtn)
        try:
            if local is None:
                stored = StoredManifest(
                    id=uuid4(),
                    manifest=remote,
                    version=1,
                    created_at=at,
                    updated_at=at,
                    owner_org_id=owner_org_id,
                )
                await self._manifests.add(stored)
                return stored
            return await self._manifests.update(
                msgspec.structs.replace(
                    local,
                    manifest=remote,
                    updated_at=at,
                    owner_org_id=local.owner_org_id or owner_org_id,
                ),
                expected_version=local.version,
            )
        except Conflict as clash:  # another task stored it (or a newer one) meanwhile
            raise ConcurrentUpdate(f"manifest {mtn} was written by another task") from clash

    async def _refuse_if_lost(
        self,
        run: TaskRun,
        local: StoredManifest,
        remote: Manifest,
        saved_by: str | None,
        draft_mtn: str | None,
    ) -> None:
        kept = local.manifest
        if saved_by is not None and not has_reference(kept, saved_by):
            reason: str | None = (
                f"e-Manifest gave this submission the tracking number {local.mtn}, which "
                f"already belongs to another manifest kept here (status "
                f"{kept.current_status().value}, created {kept.created_date or 'here'})"
            )
        else:
            reason = replacement_refusal(kept, remote)
        if reason is None:
            return
        consequence = f"the manifest {local.mtn} kept here is unchanged"
        if draft_mtn:
            consequence += f", and draft {draft_mtn} is still a draft"
        clash = ManifestClash(
            local.mtn,
            reason,
            f"{reason}. Nothing was replaced: {consequence}. Compare both in RCRAInfo before "
            "trying again.",
        )
        await self.record(run, clash, kept=kept, remote=remote, draft_mtn=draft_mtn)
        raise clash

    async def record(
        self,
        run: TaskRun,
        clash: ManifestClash,
        *,
        kept: Manifest,
        remote: Manifest,
        draft_mtn: str | None = None,
    ) -> None:
        """Audit the clash and commit the entry with the task's progress, so that it stays
        when the task then fails (a failure rolls the attempt's other writes back)."""
        owner = run.task.owner_id
        actor = await self._users.get(owner) if owner is not None else None
        detail = {
            "task": str(run.task.id),
            "reason": clash.reason,
            "keptStatus": kept.current_status().value,
            "keptCreatedDate": kept.created_date or "",
            "keptUpdatedDate": kept.updated_date or "",
            "rcrainfoStatus": remote.current_status().value,
            "rcrainfoCreatedDate": remote.created_date or "",
            "rcrainfoUpdatedDate": remote.updated_date or "",
        }
        if draft_mtn:
            detail["draft"] = draft_mtn
        await self._auditor.record(actor, AUDIT_ACTION, "manifest", clash.mtn, **detail)
        clashes = [*run.state.get("clashes", ()), {"mtn": clash.mtn, "reason": clash.reason}]
        await run.checkpoint(clashes=clashes)
