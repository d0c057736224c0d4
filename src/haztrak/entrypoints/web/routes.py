"""Every page controller of the UI, in one list (each page area adds its own)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from haztrak.entrypoints.web.pages.auth import SignInController
from haztrak.entrypoints.web.pages.dashboard import DashboardController

PAGE_CONTROLLERS: tuple[ControllerRouterHandler, ...] = (
    SignInController,
    DashboardController,
)
