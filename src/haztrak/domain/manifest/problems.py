"""What is wrong with a manifest, said so that a person can fix it."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from haztrak.domain.errors import Conflict, DomainError


class Problem(msgspec.Struct, frozen=True):
    """One problem at one field.

    `field` is EPA's path without its `Emanifest.` prefix: camelCase keys and zero-based list
    indices joined by dots (`wastes.0.quantity.unitOfMeasurement.code`). The empty path is the
    document itself.
    """

    field: str
    message: str


def join_path(*parts: str | int) -> str:
    """Parts joined by dots, leaving out empty ones: `join_path("wastes", 0, "quantity")`."""
    return ".".join([str(part) for part in parts if part != ""])


class ManifestShapeError(DomainError):
    """The document is not a manifest as EPA's schema defines one; `problems` lists every fault."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        summary = "; ".join(f"{p.field or '(document)'}: {p.message}" for p in self.problems[:3])
        more = len(self.problems) - 3
        super().__init__(summary + (f"; and {more} more" if more > 0 else ""))


class OperationNotAllowed(Conflict):
    """The manifest's status, submission type or lock does not allow the operation now."""


class SignatureRefused(Conflict):
    """A signature cannot be recorded: not this handler's turn, or a date out of order."""
