"""The demo handlers have one record: Haztrak's demo data holds what RCRAInfo (the sandbox)
answers for each, and each address is in the state its EPA ID names."""

from __future__ import annotations

import msgspec
import pytest
from emanifest import RcrainfoClient

from haztrak.domain.handlers import RcraSite
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.sandbox import lookups
from tests.integration.sandbox.support import GENERATOR_MANAGER, ClientFactory

DEMO_SITES = [site for org in demo_data().orgs for site in org.sites]


@pytest.fixture
def generator_client(make_client: ClientFactory) -> RcrainfoClient:
    return make_client(GENERATOR_MANAGER)


@pytest.mark.parametrize("local", DEMO_SITES, ids=lambda site: site.epa_site_id)
def test_the_local_demo_record_is_rcrainfos(
    generator_client: RcrainfoClient, local: RcraSite
) -> None:
    answer = generator_client.get_site(local.epa_site_id)
    assert answer.ok, answer.text
    assert msgspec.convert(answer.json(), RcraSite) == local
    for address in (local.site_address, local.mailing_address):
        assert address is not None
        assert address.state is not None
        # An EPA ID starts with the code of its state: MOCK... is in Missouri.
        assert address.state.code == local.epa_site_id[:2]
        assert address.state.name == lookups.US_STATES[address.state.code]
        assert address.city
        assert address.zip


def test_every_demo_org_site_is_a_demo_handler_of_the_sandbox() -> None:
    assert sorted(site.epa_site_id for site in DEMO_SITES) == [
        "MOCKTRANS001",
        "MOCKTRANS002",
        "MOCKTSDFS001",
        "VATESTGEN001",
    ]
