"""dishka providers of corrections: the version repository and the use cases (every process),
and the tasks' work (the processes that run tasks)."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from haztrak.adapters.persistence.manifest_versions import SqlManifestVersionRepository
from haztrak.application.ports.manifest_versions import ManifestVersionRepository
from haztrak.application.rcrainfo.corrections import (
    CorrectInEmanifest,
    CorrectManifest,
    GetManifestVersion,
    ListManifestVersions,
    PullManifestVersions,
    RefreshManifestVersions,
    RevertCorrection,
    RevertInEmanifest,
    SignCorrection,
    SignCorrectionInEmanifest,
)


class CorrectionProvider(Provider):
    scope = Scope.REQUEST

    versions = provide(SqlManifestVersionRepository, provides=ManifestVersionRepository)
    use_cases = provide_all(
        CorrectManifest,
        RevertCorrection,
        SignCorrection,
        RefreshManifestVersions,
        ListManifestVersions,
        GetManifestVersion,
    )


class CorrectionWorkProvider(Provider):
    """Add to the worker providers: the tasks need RcrainfoCopies, which only they provide."""

    scope = Scope.REQUEST

    work = provide_all(
        CorrectInEmanifest,
        RevertInEmanifest,
        SignCorrectionInEmanifest,
        PullManifestVersions,
    )
