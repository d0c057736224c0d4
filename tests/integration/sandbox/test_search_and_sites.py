"""Manifest search, tracking numbers by site, site details and search, user search."""

from __future__ import annotations

import pytest
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox.schema import schema_problems
from tests.integration.sandbox.support import (
    GENERATOR_MANAGER,
    TRANSPORTER_MANAGER,
    TSDF_MANAGER,
    ClientFactory,
    example,
)

ALL_STATUSES = {
    "Pending", "Scheduled", "InTransit", "ReadyForSignature", "Signed", "Corrected",
    "UnderCorrection", "MtnValidationFailed",
}  # fmt: skip


@pytest.fixture
def generator_client(make_client: ClientFactory) -> RcrainfoClient:
    return make_client(GENERATOR_MANAGER)


def test_the_demo_generator_has_a_history_in_every_status(generator_client: RcrainfoClient) -> None:
    mtns = generator_client.get_site_mtn("VATESTGEN001").json()
    assert len(mtns) >= 40
    assert mtns == sorted(mtns)
    statuses = {generator_client.check_mtn_exists(mtn).json()["status"] for mtn in mtns}
    assert statuses >= ALL_STATUSES


def test_search_filters_by_site_status_role_and_dates(generator_client: RcrainfoClient) -> None:
    everything = generator_client.search_mtn(siteId="VATESTGEN001").json()
    signed = generator_client.search_mtn(siteId="VATESTGEN001", status="Signed").json()
    assert signed
    assert set(signed) < set(everything)
    for mtn in signed:
        assert generator_client.get_manifest(mtn).json()["status"] == "Signed"

    as_generator = generator_client.search_mtn(stateCode="VA", siteType="Generator").json()
    assert set(everything) <= set(as_generator)
    assert generator_client.search_mtn(stateCode="MO", siteType="Generator").json() == []

    spring = generator_client.search_mtn(
        siteId="VATESTGEN001",
        dateType="UpdatedDate",
        startDate="2026-03-01T00:00:00.000+0000",
        endDate="2026-04-30T23:59:59.999+0000",
    ).json()
    assert spring
    assert set(spring) < set(everything)
    for mtn in spring:
        assert "2026-03-01" <= generator_client.get_manifest(mtn).json()["updatedDate"] < "2026-05"


def test_search_requires_a_state_or_a_site(generator_client: RcrainfoClient) -> None:
    cases = {
        (): "E_SearchParameterRequiredStateCodeorSiteId",
        (("siteId", "V"),): "E_InvalidSiteId",
        (("stateCode", "ZZ"),): "E_InvalidStateCode",
        (("siteId", "VAX000000000"),): "E_SiteIsNotFound",
        (("siteId", "VATESTGEN001"), ("status", "Lost")): "E_SystemError",
    }
    for criteria, code in cases.items():
        response = generator_client.search_mtn(**dict(criteria))
        assert not response.ok
        assert response.json()["code"] == code, criteria


def test_search_finds_only_the_users_manifests(make_client: ClientFactory) -> None:
    transporter = make_client(TRANSPORTER_MANAGER)
    found = transporter.search_mtn(stateCode="VA").json()
    assert found
    for mtn in found:
        manifest = transporter.get_manifest(mtn).json()
        carriers = {t["epaSiteId"] for t in manifest.get("transporters", [])}
        assert carriers & {"MOCKTRANS001", "MOCKTRANS002"}


def test_correction_details_list_the_versions(generator_client: RcrainfoClient) -> None:
    def first(status: str) -> str:
        mtn: str = generator_client.search_mtn(siteId="VATESTGEN001", status=status).json()[0]
        return mtn

    signed = generator_client.get_correction(first("Signed")).json()
    assert [v["status"] for v in signed["emanifestVersions"]] == ["Signed"]
    assert signed["emanifestVersions"][0]["versionNumber"] == 1
    corrected = generator_client.get_correction(first("Corrected")).json()
    # EPA documents no order (the sandbox lists the oldest first; Haztrak sorts by number).
    versions = sorted(corrected["emanifestVersions"], key=lambda v: v["versionNumber"])
    assert [(v["versionNumber"], v["status"], v["active"]) for v in versions] == [
        (1, "Signed", False),
        (2, "Corrected", True),
    ]
    scheduled = generator_client.get_correction(first("Scheduled")).json()
    assert scheduled["emanifestVersions"] == []


def test_site_details_and_site_exists(generator_client: RcrainfoClient) -> None:
    site = generator_client.get_site("VATESTGEN001").json()
    assert site["epaSiteId"] == "VATESTGEN001"
    assert site["siteType"] == "Generator"
    assert site["name"] == "VA TEST GEN 2021"
    assert site["canEsign"] is True
    assert site["siteAddress"]["state"]["code"] == "VA"
    assert site["emergencyPhone"]["number"]

    missing = generator_client.get_site("VAX000000000")
    assert missing.status_code == 404
    assert missing.json()["code"] == "E_SiteIdNotFound"
    assert generator_client.get_site("1234").json()["code"] == "E_InvalidSiteId"

    assert generator_client.check_site_exists("MOCKTSDFS001").json() == {
        "epaSiteId": "MOCKTSDFS001",
        "result": True,
    }
    assert generator_client.check_site_exists("not an id").json()["result"] is False


def test_site_search_answers_epas_example(generator_client: RcrainfoClient) -> None:
    criteria = example("Scenario-1.1-emanifest-Site-Search-example.json")
    found = generator_client.search_sites(**criteria).json()
    expected = example("Scenario-1.1-emanifest-Site-Search-example-return.json")
    assert found["totalNumberOfSites"] == expected["totalNumberOfSites"]
    assert [s["epaSiteId"] for s in found["sites"]] == ["VATESTGEN001"]
    assert {p["field"] for p in found["searchedParameters"]} == {"name", "zip"}
    assert schema_problems(found, "site-search-return.json") == []


def test_site_search_pages(generator_client: RcrainfoClient) -> None:
    first = generator_client.search_sites(name="E").json()
    size = len(first["sites"])
    total, pages = first["totalNumberOfSites"], first["totalNumberOfPages"]
    assert pages >= 2
    assert total > size
    seen = [s["epaSiteId"] for s in first["sites"]]
    for number in range(2, pages + 1):
        page = generator_client.search_sites(name="E", pageNumber=number).json()
        assert page["currentPageNumber"] == number
        assert len(page["sites"]) == (size if number < pages else total - size * (pages - 1))
        seen += [s["epaSiteId"] for s in page["sites"]]
    assert len(seen) == len(set(seen)) == total
    assert all("E" in generator_client.get_site(epa_id).json()["name"] for epa_id in seen[::50])

    beyond = generator_client.search_sites(name="E", pageNumber=pages + 1).json()
    assert beyond["sites"] == []
    assert beyond["warnings"]


def test_site_search_checks_its_criteria(generator_client: RcrainfoClient) -> None:
    assert generator_client.search_sites().json()["code"] == "E_SearchParameterRequired"
    assert generator_client.search_sites(address1="MAIN ST").json()["code"] == (
        "E_CityZipNotProvided"
    )
    assert generator_client.search_sites(state="ZZ").json()["code"] == "E_InvalidStateCode"
    exact = generator_client.search_sites(epaSiteId="MOCKTRANS001", name="ignored").json()
    assert [s["epaSiteId"] for s in exact["sites"]] == ["MOCKTRANS001"]
    transporters = generator_client.search_sites(state="MO", siteType="Transporter").json()
    found = {s["epaSiteId"] for s in transporters["sites"]}
    assert {"MOCKTRANS001", "MOCKTRANS002"} <= found
    assert all(s["siteType"] == "Transporter" for s in transporters["sites"])


def test_site_ids_by_state_and_type(generator_client: RcrainfoClient) -> None:
    ids = generator_client.get_sites("MO", "Transporter").json()
    assert {"MOCKTRANS001", "MOCKTRANS002"} <= set(ids)
    assert "MOCKTSDFS001" in generator_client.get_sites("MO", "Tsdf").json()
    assert generator_client.get_sites("ZZ", "Tsdf").json()["code"] == "E_InvalidStateCode"


def test_user_search_shows_the_users_of_the_managers_sites(
    generator_client: RcrainfoClient, make_client: ClientFactory
) -> None:
    found = generator_client.search_users().json()
    assert not schema_problems(found, "user-search-results.json")
    users = {u["userId"]: u for u in found["users"]}
    assert {"testuser1", "genmanager1", "exampleuser"} <= set(users)
    assert "transporter1" not in users
    testuser = users["testuser1"]
    assert [s["siteId"] for s in testuser["sites"]] == ["VATESTGEN001"]
    levels = {p["module"]: p["level"] for p in testuser["sites"][0]["permissions"]}
    assert levels["eManifest"] == "Certifier"
    # exampleuser manages many sites; the searcher sees only its own.
    assert [s["siteId"] for s in users["exampleuser"]["sites"]] == ["VATESTGEN001"]

    one = generator_client.search_users(userId="TESTUSER1").json()
    assert [u["userId"] for u in one["users"]] == ["testuser1"]
    assert one["searchedParameters"] == [{"field": "userId", "value": "TESTUSER1"}]

    foreign = generator_client.search_users(siteIds=["MOCKTSDFS001"]).json()
    assert foreign["users"] == []
    assert foreign["warnings"][0]["value"] == "MOCKTSDFS001"

    tsdf_staff = make_client(TSDF_MANAGER).search_users(siteIds=["MOCKTSDFS001"]).json()
    assert {u["userId"] for u in tsdf_staff["users"]} == {"tsdf1", "tsdfmanager1"}
