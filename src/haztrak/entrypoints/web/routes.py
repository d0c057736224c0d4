"""Every page controller of the UI, in one list (each page area adds its own)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from haztrak.entrypoints.web.pages.auth import SignInController
from haztrak.entrypoints.web.pages.bulk_sign import BulkSignController
from haztrak.entrypoints.web.pages.corrections import CorrectionPagesController
from haztrak.entrypoints.web.pages.dashboard import DashboardController
from haztrak.entrypoints.web.pages.deadlines import DeadlinePagesController
from haztrak.entrypoints.web.pages.documents import ManifestDocumentPages
from haztrak.entrypoints.web.pages.drafts import DraftController
from haztrak.entrypoints.web.pages.manifests import ManifestPagesController
from haztrak.entrypoints.web.pages.notices import NoticePagesController
from haztrak.entrypoints.web.pages.org import OrgPagesController
from haztrak.entrypoints.web.pages.profile import ProfileController
from haztrak.entrypoints.web.pages.rcrainfo_links import RcrainfoLinkPagesController
from haztrak.entrypoints.web.pages.receiving import ReceivingPagesController
from haztrak.entrypoints.web.pages.sites import SitePagesController
from haztrak.entrypoints.web.pages.tasks import TaskPagesController
from haztrak.entrypoints.web.pages.webhooks import WebhookPagesController

PAGE_CONTROLLERS: tuple[ControllerRouterHandler, ...] = (
    SignInController,
    DashboardController,
    ManifestPagesController,
    ManifestDocumentPages,
    CorrectionPagesController,
    TaskPagesController,
    NoticePagesController,
    SitePagesController,
    ProfileController,
    OrgPagesController,
    WebhookPagesController,
    DraftController,
    ReceivingPagesController,
    DeadlinePagesController,
    BulkSignController,
    RcrainfoLinkPagesController,
)
