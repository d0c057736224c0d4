"""dishka providers of documents made from manifests: the printed form (PDF)."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from haztrak.adapters.documents.reportlab_printer import ReportlabManifestPrinter
from haztrak.application.manifests.printing import PrintManifest
from haztrak.application.ports.documents import ManifestPrinter


class DocumentProvider(Provider):
    @provide(scope=Scope.APP)
    def printer(self) -> ManifestPrinter:
        return ReportlabManifestPrinter()

    # Holds nothing of a request (its ports open what they need per call): one per process.
    printing = provide(PrintManifest, scope=Scope.APP)
