"""Links into RCRAInfo's own e-Manifest pages (EPA's UI-link service), for the steps that must
happen there: a page, the site the user acts for, and a manifest or a list of them.

EPA's rules: `page` and `epaSiteId` are required; a tracking number is required for View, Edit
and Sign and not allowed otherwise; `filter` (tracking numbers) is for Dashboard, BulkSign and
BulkQuickSign only; `view` depends on the page (Dashboard: Incoming, Outgoing, All,
Transporting, Broker, CorrectionRequests; BulkSign: Original, Corrections, CorrectionRequests;
BulkQuickSign: Incoming, Outgoing, Transporting).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from haztrak.domain.errors import InvalidValue
from haztrak.domain.handlers import is_epa_id
from haztrak.domain.manifest.tracking_numbers import is_tracking_number

MAX_FILTER = 100


class UiPage(StrEnum):
    DASHBOARD = "Dashboard"
    BULK_SIGN = "BulkSign"
    BULK_QUICK_SIGN = "BulkQuickSign"
    VIEW = "View"
    EDIT = "Edit"
    SIGN = "Sign"

    @property
    def one_manifest(self) -> bool:
        return self in (UiPage.VIEW, UiPage.EDIT, UiPage.SIGN)


VIEWS: dict[UiPage, frozenset[str]] = {
    UiPage.DASHBOARD: frozenset(
        {"Incoming", "Outgoing", "All", "Transporting", "Broker", "CorrectionRequests"}
    ),
    UiPage.BULK_SIGN: frozenset({"Original", "Corrections", "CorrectionRequests"}),
    UiPage.BULK_QUICK_SIGN: frozenset({"Incoming", "Outgoing", "Transporting"}),
}


class UiLink(msgspec.Struct, frozen=True, kw_only=True):
    """What to open in RCRAInfo. Construct with `UiLink.of`, which applies EPA's rules."""

    page: UiPage
    epa_site_id: str
    manifest_tracking_number: str | None = None
    filter: tuple[str, ...] = ()
    view: str | None = None

    @classmethod
    def of(
        cls,
        page: str,
        epa_site_id: str,
        manifest_tracking_number: str | None = None,
        filter: tuple[str, ...] = (),
        view: str | None = None,
    ) -> UiLink:
        try:
            ui_page = UiPage(page)
        except ValueError:
            allowed = ", ".join(p.value for p in UiPage)
            raise InvalidValue("page", f"must be one of {allowed}") from None
        if not is_epa_id(epa_site_id):
            raise InvalidValue("epaSiteId", "must be an EPA ID such as VATESTGEN001")
        mtn = manifest_tracking_number or None
        if ui_page.one_manifest:
            if mtn is None:
                raise InvalidValue(
                    "manifestTrackingNumber", f"is required for the {ui_page.value} page"
                )
        elif mtn is not None:
            raise InvalidValue(
                "manifestTrackingNumber",
                f"is not allowed for the {ui_page.value} page (use filter)",
            )
        if mtn is not None and not is_tracking_number(mtn):
            raise InvalidValue("manifestTrackingNumber", "must be 9 digits and 3 letters")
        if filter:
            if ui_page.one_manifest:
                raise InvalidValue("filter", f"is not allowed for the {ui_page.value} page")
            if len(filter) > MAX_FILTER:
                raise InvalidValue("filter", f"may list at most {MAX_FILTER} tracking numbers")
            for index, number in enumerate(filter):
                if not is_tracking_number(number):
                    raise InvalidValue(f"filter.{index}", "must be 9 digits and 3 letters")
        if view is not None:
            allowed_views = VIEWS.get(ui_page, frozenset())
            if view not in allowed_views:
                said = ", ".join(sorted(allowed_views)) or "no view"
                raise InvalidValue("view", f"the {ui_page.value} page takes {said}")
        return cls(
            page=ui_page,
            epa_site_id=epa_site_id,
            manifest_tracking_number=mtn,
            filter=tuple(filter),
            view=view,
        )

    def request(self) -> dict[str, object]:
        """The body EPA's service takes (`UILinkArgs`)."""
        body: dict[str, object] = {"page": self.page.value, "epaSiteId": self.epa_site_id}
        if self.manifest_tracking_number:
            body["manifestTrackingNumber"] = self.manifest_tracking_number
        if self.filter:
            body["filter"] = list(self.filter)
        if self.view:
            body["view"] = self.view
        return body
