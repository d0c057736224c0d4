"""One contract for each repository port, run on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from haztrak.domain.audit import AuditEntry
from haztrak.domain.errors import Conflict
from haztrak.domain.handlers import Address, Locality, RcraSite, SiteType
from haztrak.domain.identity import (
    Org,
    OrgRole,
    RcrainfoProfile,
    RcraSitePermission,
    Site,
    SiteRole,
    User,
)
from haztrak.domain.tokens import ApiToken
from tests.integration.persistence.conftest import Repos

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_user(username: str = "alice") -> User:
    return User(id=uuid.uuid4(), username=username, email=f"{username}@example.com", created_at=NOW)


def an_org(slug: str = "acme") -> Org:
    return Org(id=uuid.uuid4(), name=slug.title(), slug=slug)


async def a_site(repos: Repos, org: Org, epa_id: str = "VATESTGEN001") -> Site:
    site = Site(
        id=uuid.uuid4(), epa_id=epa_id, name="Gen", site_type=SiteType.GENERATOR, org_id=org.id
    )
    await repos.sites.add(site)
    return site


async def test_users_round_trip_and_usernames_are_unique(repos: Repos) -> None:
    alice = a_user()
    await repos.users.add(alice, "hash-1")
    assert await repos.users.get(alice.id) == alice
    assert await repos.users.by_username("alice") == alice
    assert await repos.users.by_username("bob") is None
    assert await repos.users.password_hash(alice.id) == "hash-1"

    alice.first_name = "Alice"
    alice.is_active = False
    await repos.users.update(alice)
    await repos.users.set_password_hash(alice.id, "hash-2")
    stored = await repos.users.get(alice.id)
    assert stored is not None
    assert stored.first_name == "Alice"
    assert stored.is_active is False
    assert await repos.users.password_hash(alice.id) == "hash-2"

    with pytest.raises(Conflict):
        await repos.users.add(a_user("alice"), None)
    # the unit of work survives a conflict: earlier and later changes still commit
    await repos.users.add(a_user("bob"), None)
    await repos.uow.commit()
    assert await repos.users.by_username("alice") is not None
    assert await repos.users.by_username("bob") is not None


async def test_orgs_keep_the_key_apart_and_slugs_unique(repos: Repos) -> None:
    org = an_org()
    await repos.orgs.add(org)
    stored = await repos.orgs.by_slug("acme")
    assert stored is not None
    assert stored.has_rcrainfo_api_key is False
    assert stored.rcrainfo_integrated is False

    await repos.orgs.set_api_key(org.id, b"ciphertext")
    org.rcrainfo_api_id = "api-id"
    await repos.orgs.update(org)
    stored = await repos.orgs.get(org.id)
    assert stored is not None
    assert stored.has_rcrainfo_api_key is True
    assert stored.rcrainfo_integrated is True
    assert await repos.orgs.encrypted_api_key(org.id) == b"ciphertext"
    assert [o.slug for o in await repos.orgs.list_by_ids([org.id, uuid.uuid4()])] == ["acme"]
    assert await repos.orgs.list_by_ids([]) == []

    with pytest.raises(Conflict):
        await repos.orgs.add(an_org("acme"))


async def test_sites_belong_to_one_org(repos: Repos) -> None:
    org, other = an_org(), an_org("other")
    await repos.orgs.add(org)
    await repos.orgs.add(other)
    site = await a_site(repos, org)
    await a_site(repos, other, "MOCKTSDFS001")
    assert await repos.sites.by_epa_id("VATESTGEN001") == site
    assert [s.epa_id for s in await repos.sites.list_for_org(org.id)] == ["VATESTGEN001"]
    found = await repos.sites.list_by_epa_ids(["MOCKTSDFS001", "VATESTGEN001", "NOPE12345"])
    assert [s.epa_id for s in found] == ["MOCKTSDFS001", "VATESTGEN001"]

    await repos.sites.set_last_manifest_sync(site.id, NOW)
    synced = await repos.sites.by_epa_id("VATESTGEN001")
    assert synced is not None
    assert synced.last_manifest_sync == NOW

    with pytest.raises(Conflict):
        await a_site(repos, other, "VATESTGEN001")


async def test_memberships_add_up_to_grants(repos: Repos) -> None:
    org = an_org()
    await repos.orgs.add(org)
    gen = await a_site(repos, org)
    tsdf = await a_site(repos, org, "MOCKTSDFS001")
    alice, bob = a_user(), a_user("bob")
    await repos.users.add(alice, None)
    await repos.users.add(bob, None)

    await repos.memberships.set_org_role(org.id, alice.id, OrgRole.MEMBER)
    await repos.memberships.set_site_role(gen.id, alice.id, SiteRole.PREPARER)
    await repos.memberships.set_site_role(gen.id, alice.id, SiteRole.SIGNER)
    await repos.memberships.set_org_role(org.id, bob.id, OrgRole.ADMIN)

    grants = await repos.memberships.grants(alice.id)
    assert grants.org_roles == {org.id: OrgRole.MEMBER}
    assert dict(grants.site_roles) == {"VATESTGEN001": SiteRole.SIGNER}
    assert dict(grants.site_orgs) == {"VATESTGEN001": org.id}  # only sites it holds a role on
    bob_grants = await repos.memberships.grants(bob.id)
    assert dict(bob_grants.site_roles) == {
        "VATESTGEN001": SiteRole.SITE_MANAGER,
        "MOCKTSDFS001": SiteRole.SITE_MANAGER,
    }
    assert bob_grants.org_of("MOCKTSDFS001") == org.id
    members = await repos.memberships.org_members(org.id)
    assert [(u.username, r) for u, r in members] == [
        ("alice", OrgRole.MEMBER),
        ("bob", OrgRole.ADMIN),
    ]
    in_org = await repos.memberships.site_permissions_in_org(org.id)
    assert [(e, p.user_id, p.role) for e, p in in_org] == [
        ("VATESTGEN001", alice.id, SiteRole.SIGNER)
    ]

    await repos.memberships.set_site_role(tsdf.id, alice.id, SiteRole.VIEWER)
    await repos.memberships.set_site_role(gen.id, alice.id, None)
    assert dict((await repos.memberships.grants(alice.id)).site_roles) == {
        "MOCKTSDFS001": SiteRole.VIEWER
    }

    await repos.memberships.remove_from_org(org.id, alice.id)
    grants = await repos.memberships.grants(alice.id)
    assert grants.org_roles == {}
    assert dict(grants.site_roles) == {}
    assert await repos.memberships.org_memberships(alice.id) == []


async def test_handlers_upsert_and_search(repos: Repos) -> None:
    address = Address(address1="1 Main St", state=Locality(code="VA"))
    await repos.handlers.upsert(
        RcraSite(
            epa_site_id="VATESTGEN001",
            site_type=SiteType.GENERATOR,
            name="Test Gen",
            site_address=address,
        )
    )
    await repos.handlers.upsert(
        RcraSite(epa_site_id="MOCKTSDFS001", site_type=SiteType.TSDF, name="Mock TSDF")
    )
    stored = await repos.handlers.get("VATESTGEN001")
    assert stored is not None
    assert stored.site_address == address
    await repos.handlers.upsert(
        RcraSite(epa_site_id="VATESTGEN001", site_type=SiteType.GENERATOR, name="Renamed Gen")
    )
    found = await repos.handlers.search(name="renamed")
    assert [h.epa_site_id for h in found] == ["VATESTGEN001"]
    assert [h.epa_site_id for h in await repos.handlers.search(epa_id="tsdf")] == ["MOCKTSDFS001"]
    assert await repos.handlers.search(site_type=SiteType.TRANSPORTER) == []
    assert len(await repos.handlers.search(limit=1)) == 1


async def test_profiles_and_rcrainfo_permissions(repos: Repos) -> None:
    alice = a_user()
    await repos.users.add(alice, None)
    assert await repos.profiles.get(alice.id) is None
    await repos.profiles.save(RcrainfoProfile(user_id=alice.id, api_id="id-1"))
    await repos.profiles.set_api_key(alice.id, b"secret-bytes")
    stored = await repos.profiles.get(alice.id)
    assert stored is not None
    assert stored.api_id == "id-1"
    assert stored.is_api_user is True
    assert await repos.profiles.encrypted_api_key(alice.id) == b"secret-bytes"

    permissions = [
        RcraSitePermission(epa_site_id="VATESTGEN001", emanifest="Certifier"),
        RcraSitePermission(epa_site_id="MOCKTSDFS001", site_management=True),
    ]
    await repos.profiles.replace_rcra_permissions(alice.id, permissions)
    await repos.profiles.replace_rcra_permissions(alice.id, permissions)
    assert await repos.profiles.rcra_permissions(alice.id) == sorted(
        permissions, key=lambda p: p.epa_site_id
    )


async def test_tokens_are_found_by_hash_and_revoked(repos: Repos) -> None:
    alice = a_user()
    await repos.users.add(alice, None)
    token = ApiToken(
        id=uuid.uuid4(),
        user_id=alice.id,
        name="ci",
        token_hash="a" * 64,
        prefix="htk_abcdef",
        created_at=NOW,
    )
    await repos.tokens.add(token)
    assert await repos.tokens.by_hash("a" * 64) == token
    assert await repos.tokens.by_hash("b" * 64) is None
    await repos.tokens.touch(token.id, NOW + timedelta(minutes=5))
    await repos.tokens.revoke(token.id, NOW + timedelta(minutes=10))
    [stored] = await repos.tokens.list_for_user(alice.id)
    assert stored.last_used_at == NOW + timedelta(minutes=5)
    assert stored.active is False


async def test_audit_log_lists_newest_first_and_filters(repos: Repos) -> None:
    for i in range(3):
        await repos.audit.append(
            AuditEntry(
                at=NOW + timedelta(seconds=i),
                actor_id=None,
                actor="system",
                action=f"act-{i}",
                object_type="org" if i < 2 else "user",
                object_id="acme",
                detail={"n": str(i)},
            )
        )
    await repos.uow.commit()
    entries = await repos.audit.list(object_type="org")
    assert [e.action for e in entries] == ["act-1", "act-0"]
    assert entries[0].detail == {"n": "1"}
    assert len(await repos.audit.list(limit=1)) == 1
