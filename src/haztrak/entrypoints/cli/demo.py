"""The demo data set: EPA's test handlers of the original Haztrak, and users for each role."""

from __future__ import annotations

from collections.abc import Mapping

from haztrak.application.identity.demo import DemoData, DemoOrg, DemoUser
from haztrak.domain.handlers import Address, Contact, Locality, Phone, RcraSite, SiteType


def _handler(epa_id: str, site_type: SiteType, name: str, street: str, city: str) -> RcraSite:
    address = Address(
        address1=street,
        city=city,
        state=Locality(code=epa_id[:2], name="Virginia" if epa_id.startswith("VA") else None),
        country=Locality(code="US", name="United States"),
        zip="23220",
    )
    return RcraSite(
        epa_site_id=epa_id,
        site_type=site_type,
        name=name,
        site_address=address,
        mailing_address=address,
        contact=Contact(first_name="Demo", last_name="Contact", phone=Phone(number="555-555-5555")),
        emergency_phone=Phone(number="555-555-5555"),
        registered=True,
        can_esign=True,
        limited_esign=True,
        has_registered_emanifest_user=True,
    )


def demo_data(credentials: Mapping[str, tuple[str, str]] | None = None) -> DemoData:
    """The demo set; `credentials` maps an org slug to the RCRAInfo API ID and key it uses."""
    credentials = credentials or {}
    return DemoData(
        users=(
            DemoUser(username="admin", first_name="Ada", last_name="Admin", is_staff=True),
            DemoUser(username="orgadmin", first_name="Oscar", last_name="Orgadmin"),
            DemoUser(username="testuser1", first_name="Terry", last_name="Tester"),
            DemoUser(username="transporter1", first_name="Tracy", last_name="Transporter"),
            DemoUser(username="tsdf1", first_name="Tess", last_name="Tsdf"),
        ),
        orgs=(
            DemoOrg(
                name="Generators Org LLC",
                slug="generators-org-llc",
                sites=(
                    _handler(
                        "VATESTGEN001",
                        SiteType.GENERATOR,
                        "VA TEST GEN 2021",
                        "1 Main St",
                        "Richmond",
                    ),
                ),
                admins=("orgadmin",),
                signers=("testuser1",),
                rcrainfo_api_id=credentials.get("generators-org-llc", (None, None))[0],
                rcrainfo_api_key=credentials.get("generators-org-llc", (None, None))[1],
            ),
            DemoOrg(
                name="Mock Transporters",
                slug="mock-transporters",
                sites=(
                    _handler(
                        "MOCKTRANS001",
                        SiteType.TRANSPORTER,
                        "MOCK TRANSPORTER 1",
                        "2 Road Ave",
                        "Arlington",
                    ),
                    _handler(
                        "MOCKTRANS002",
                        SiteType.TRANSPORTER,
                        "MOCK TRANSPORTER 2",
                        "3 Road Ave",
                        "Arlington",
                    ),
                ),
                signers=("transporter1",),
                rcrainfo_api_id=credentials.get("mock-transporters", (None, None))[0],
                rcrainfo_api_key=credentials.get("mock-transporters", (None, None))[1],
            ),
            DemoOrg(
                name="Mock TSDF",
                slug="mock-tsdf",
                sites=(
                    _handler(
                        "MOCKTSDFS001", SiteType.TSDF, "MOCK TSDF 1", "4 Disposal Way", "Norfolk"
                    ),
                ),
                signers=("tsdf1",),
                rcrainfo_api_id=credentials.get("mock-tsdf", (None, None))[0],
                rcrainfo_api_key=credentials.get("mock-tsdf", (None, None))[1],
            ),
        ),
    )


def sandbox_credentials() -> dict[str, tuple[str, str]]:
    """The RCRAInfo API ID and key the e-Manifest sandbox seeds for each demo org."""
    from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS

    return dict(DEMO_ORG_CREDENTIALS)
