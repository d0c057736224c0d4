"""Checking a manifest without saving it, so that a form can check as the user types."""

from __future__ import annotations

import msgspec

from haztrak.application.manifests.documents import read_manifest
from haztrak.application.ports.security import Clock
from haztrak.domain.manifest import CheckPurpose, ManifestShapeError, Problem, business_problems


class ValidationReport(msgspec.Struct, frozen=True, kw_only=True):
    errors: list[Problem]
    """What must be fixed first: shape problems, and for e-Manifest every business rule."""
    warnings: list[Problem]
    """Keys dropped as unknown (never a refusal), and the business-rule problems a local draft
    may still have."""

    @property
    def valid(self) -> bool:
        return not self.errors


class ValidateManifest:
    """Both levels of checks at once. Shape problems are errors; business-rule problems are
    warnings for a local draft (`CheckPurpose.LOCAL`) and errors for e-Manifest; keys EPA does
    not define are warnings (they are dropped)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(
        self, raw: bytes, purpose: CheckPurpose = CheckPurpose.LOCAL
    ) -> ValidationReport:
        try:
            read = read_manifest(raw)
        except ManifestShapeError as error:
            return ValidationReport(errors=error.problems, warnings=[])
        problems = business_problems(read.manifest, now=self._clock.now(), purpose=purpose)
        if purpose is CheckPurpose.LOCAL:
            return ValidationReport(errors=[], warnings=read.ignored + problems)
        return ValidationReport(errors=problems, warnings=read.ignored)
