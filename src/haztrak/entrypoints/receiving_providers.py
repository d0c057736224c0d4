"""dishka providers of receiving: the designated facility's receipt, the new manifest for
rejected or residue waste, and the links between them."""

from __future__ import annotations

from dishka import Provider, Scope, provide_all

from haztrak.application.rcrainfo.receiving import (
    GetManifestLinks,
    RecordReceipt,
    StartRejectedWasteManifest,
)


class ReceivingProvider(Provider):
    use_cases = provide_all(
        RecordReceipt, StartRejectedWasteManifest, GetManifestLinks, scope=Scope.REQUEST
    )
