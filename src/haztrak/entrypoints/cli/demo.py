"""The demo data set: EPA's test handlers of the original Haztrak, and users for each role.

The handlers come from the e-Manifest sandbox's seed (`entrypoints.sandbox.seed.demo_sites`),
so the local records and RCRAInfo's agree: same names, addresses, contacts and phones.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from haztrak.application.identity.demo import DemoData, DemoOrg, DemoUser
from haztrak.domain.handlers import RcraSite


def demo_handlers() -> dict[str, RcraSite]:
    """The demo handlers as RCRAInfo registers them: the sandbox's seed is the one source, and
    each record here is what pulling the handler from the sandbox stores (site details)."""
    from haztrak.entrypoints.sandbox.seed import demo_sites, esign_info, seeded_users
    from haztrak.entrypoints.sandbox.sites import site_json

    users = seeded_users()
    return {
        record.epa_id: msgspec.convert(
            site_json(record, esign_info(users, record.epa_id)), RcraSite
        )
        for record in demo_sites()
    }


def demo_data(credentials: Mapping[str, tuple[str, str]] | None = None) -> DemoData:
    """The demo set; `credentials` maps an org slug to the RCRAInfo API ID and key it uses."""
    credentials = credentials or {}
    handlers = demo_handlers()
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
                sites=(handlers["VATESTGEN001"],),
                admins=("orgadmin",),
                signers=("testuser1",),
                rcrainfo_api_id=credentials.get("generators-org-llc", (None, None))[0],
                rcrainfo_api_key=credentials.get("generators-org-llc", (None, None))[1],
            ),
            DemoOrg(
                name="Mock Transporters",
                slug="mock-transporters",
                sites=(handlers["MOCKTRANS001"], handlers["MOCKTRANS002"]),
                signers=("transporter1",),
                rcrainfo_api_id=credentials.get("mock-transporters", (None, None))[0],
                rcrainfo_api_key=credentials.get("mock-transporters", (None, None))[1],
            ),
            DemoOrg(
                name="Mock TSDF",
                slug="mock-tsdf",
                sites=(handlers["MOCKTSDFS001"],),
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
