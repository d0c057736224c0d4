"""dishka providers of documents made from manifests: the printed form (PDF)."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from haztrak.application.manifests.printing import PrintManifest
from haztrak.application.ports.documents import ManifestPrinter


class DocumentProvider(Provider):
    @provide(scope=Scope.APP)
    def printer(self) -> ManifestPrinter:
        # ReportLab (and Pillow, which it imports) load at the first print, not in every
        # process at start: most processes never print a manifest.
        from haztrak.adapters.documents.reportlab_printer import ReportlabManifestPrinter

        return ReportlabManifestPrinter()

    # Holds nothing of a request (its ports open what they need per call): one per process.
    printing = provide(PrintManifest, scope=Scope.APP)
