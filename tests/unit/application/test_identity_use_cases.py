"""Identity use cases on in-memory fakes of the ports."""

from __future__ import annotations

import uuid

import pytest

from haztrak.adapters.cache.memory import MemoryCache
from haztrak.application.audit import Auditor
from haztrak.application.errors import AuthenticationFailed, RateLimited
from haztrak.application.identity.auth import (
    AuthenticateToken,
    CreateApiToken,
    LogIn,
    LoginThrottle,
    ResolveSession,
    RevokeApiToken,
    Sessions,
)
from haztrak.application.identity.orgs import (
    AddOrgMember,
    RemoveOrgMember,
    SetOrgRcrainfoCredentials,
    StaffAddOrgMember,
    StaffRemoveOrgMember,
)
from haztrak.application.identity.profile import CreateUser
from haztrak.application.identity.staff import LogInStaff, NotStaff, ResumeStaffSession
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import Org, OrgRole, User
from haztrak.domain.secrets import Secret
from tests import fakes


class World:
    def __init__(self) -> None:
        self.data = fakes.MemoryData()
        self.users = fakes.MemoryUserRepository(self.data)
        self.orgs = fakes.MemoryOrgRepository(self.data)
        self.sites = fakes.MemorySiteRepository(self.data)
        self.memberships = fakes.MemoryMembershipRepository(self.data)
        self.tokens = fakes.MemoryTokenRepository(self.data)
        self.uow = fakes.MemoryUnitOfWork(self.data)
        self.clock = fakes.FixedClock()
        self.hasher = fakes.PlainHasher()
        self.box = fakes.ReversingBox()
        self.cache = MemoryCache()
        self.auditor = Auditor(fakes.MemoryAuditLog(self.data), self.clock)

    async def user(self, username: str, password: str = "password-1") -> User:
        create = CreateUser(self.users, self.hasher, self.clock, self.auditor, self.uow)
        return await create(username, Secret(password))

    def log_in(self) -> LogIn:
        throttle = LoginThrottle(self.cache, per_username=3, per_client=5)
        return LogIn(self.users, self.hasher, throttle, self.auditor, self.uow)

    def admin(self, use_case: type) -> object:
        return use_case(self.memberships, self.orgs, self.users, self.sites, self.auditor, self.uow)


@pytest.fixture
def world() -> World:
    return World()


async def test_login_checks_the_password_and_audits(world: World) -> None:
    alice = await world.user("alice")
    assert (await world.log_in()("alice", Secret("password-1"), "1.2.3.4")).id == alice.id
    with pytest.raises(AuthenticationFailed):
        await world.log_in()("alice", Secret("nope"), "1.2.3.4")
    with pytest.raises(AuthenticationFailed):
        await world.log_in()("nobody", Secret("password-1"), "1.2.3.4")
    actions = [e.action for e in world.data.audit]
    assert actions == ["create", "login", "login_failed", "login_failed"]


async def test_an_inactive_user_cannot_log_in(world: World) -> None:
    alice = await world.user("alice")
    alice.is_active = False
    await world.users.update(alice)
    with pytest.raises(AuthenticationFailed):
        await world.log_in()("alice", Secret("password-1"), "1.2.3.4")


async def test_failed_logins_are_limited_per_username_and_client(world: World) -> None:
    await world.user("alice")
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await world.log_in()("alice", Secret("nope"), "1.1.1.1")
    with pytest.raises(RateLimited):
        await world.log_in()("alice", Secret("password-1"), "9.9.9.9")
    for name in ("b1", "b2"):
        with pytest.raises(AuthenticationFailed):
            await world.log_in()(name, Secret("x"), "1.1.1.1")
    with pytest.raises(RateLimited):  # five failures from this address in all
        await world.log_in()("carol", Secret("x"), "1.1.1.1")


async def test_a_successful_login_clears_the_username_count(world: World) -> None:
    await world.user("alice")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            await world.log_in()("alice", Secret("nope"), "1.1.1.1")
    await world.log_in()("alice", Secret("password-1"), "1.1.1.1")
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            await world.log_in()("alice", Secret("nope"), "2.2.2.2")
    await world.log_in()("alice", Secret("password-1"), "2.2.2.2")


async def test_sessions_resolve_to_active_users_until_ended(world: World) -> None:
    alice = await world.user("alice")
    sessions = Sessions(world.cache, world.clock)
    session_id, data = await sessions.start(alice)
    resolve = ResolveSession(sessions, fakes.MemoryPrincipals(world.data))
    user, resolved = await resolve(session_id)
    assert user.id == alice.id
    assert resolved.csrf_token == data.csrf_token
    assert session_id.reveal() not in str(world.cache._entries)  # stored under its hash
    await sessions.end(session_id)
    with pytest.raises(AuthenticationFailed):
        await resolve(session_id)


async def test_tokens_authenticate_until_revoked(world: World) -> None:
    alice = await world.user("alice")
    token, raw = await CreateApiToken(world.tokens, world.clock, world.auditor, world.uow)(
        alice, "ci"
    )
    authenticate = AuthenticateToken(fakes.MemoryPrincipals(world.data), world.clock)
    assert (await authenticate(raw)).id == alice.id
    assert raw.reveal() not in repr(token)
    await RevokeApiToken(world.tokens, world.clock, world.auditor, world.uow)(alice, token.id)
    with pytest.raises(AuthenticationFailed):
        await authenticate(raw)
    with pytest.raises(NotFound):
        await RevokeApiToken(world.tokens, world.clock, world.auditor, world.uow)(alice, token.id)


async def test_create_user_rules(world: World) -> None:
    await world.user("alice")
    with pytest.raises(Conflict):
        await world.user("alice")
    with pytest.raises(InvalidValue) as short:
        await world.user("bob", "short")
    assert short.value.field == "password"
    with pytest.raises(InvalidValue) as bad_name:
        await world.user("bob smith")
    assert bad_name.value.field == "username"


async def test_org_admin_rules(world: World) -> None:
    admin, member = await world.user("admin1"), await world.user("member1")
    org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
    await world.orgs.add(org)
    await world.memberships.set_org_role(org.id, admin.id, OrgRole.ADMIN)
    add = world.admin(AddOrgMember)
    await add(admin, "acme", "member1", OrgRole.MEMBER)  # type: ignore[operator]
    with pytest.raises(Forbidden):
        await add(member, "acme", "admin1", OrgRole.MEMBER)  # type: ignore[operator]
    outsider = await world.user("outsider")
    with pytest.raises(NotFound):
        await add(outsider, "acme", "outsider", OrgRole.ADMIN)  # type: ignore[operator]
    remove = world.admin(RemoveOrgMember)
    with pytest.raises(Conflict):  # the last admin stays
        await remove(admin, "acme", "admin1")  # type: ignore[operator]
    await remove(admin, "acme", "member1")  # type: ignore[operator]
    assert [u.username for u, _ in await world.memberships.org_members(org.id)] == ["admin1"]


async def test_org_credentials_are_encrypted_and_a_missing_key_keeps_the_old_one(
    world: World,
) -> None:
    admin = await world.user("admin1")
    org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
    await world.orgs.add(org)
    await world.memberships.set_org_role(org.id, admin.id, OrgRole.ADMIN)
    set_credentials = SetOrgRcrainfoCredentials(
        world.memberships, world.orgs, world.users, world.sites, world.auditor, world.uow, world.box
    )
    result = await set_credentials(admin, "acme", "api-id", Secret("the-key"))
    assert result.rcrainfo_integrated
    assert world.data.org_keys[org.id] == b"yek-eht"
    await set_credentials(admin, "acme", "api-id-2", None)
    assert world.data.org_keys[org.id] == b"yek-eht"
    entry = world.data.audit[-1]
    assert entry.action == "set_rcrainfo_credentials"
    assert "the-key" not in str(entry)


async def test_staff_door_makes_the_same_change_under_the_same_rules(world: World) -> None:
    """StaffX is X asked by active staff on any org: the org's own rules still hold."""
    staff, admin, member = [await world.user(n) for n in ("staff1", "admin1", "member1")]
    staff.is_staff = True
    org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
    await world.orgs.add(org)
    await world.memberships.set_org_role(org.id, admin.id, OrgRole.ADMIN)
    add = world.admin(StaffAddOrgMember)
    await add(staff, "acme", "member1", OrgRole.MEMBER)  # type: ignore[operator]
    with pytest.raises(Forbidden):  # the staff door is for staff only, not org admins
        await add(admin, "acme", "member1", OrgRole.ADMIN)  # type: ignore[operator]
    remove = world.admin(StaffRemoveOrgMember)
    with pytest.raises(Conflict):  # the last admin stays, whoever asks
        await remove(staff, "acme", "admin1")  # type: ignore[operator]
    with pytest.raises(Conflict):  # nor is demoted
        await add(staff, "acme", "admin1", OrgRole.MEMBER)  # type: ignore[operator]
    await remove(staff, "acme", "member1")  # type: ignore[operator]
    assert [u.username for u, _ in await world.memberships.org_members(org.id)] == ["admin1"]
    assert world.data.audit[-1].detail == {"member": "member1", "via": "admin"}
    staff.is_active = False
    with pytest.raises(Forbidden):
        await add(staff, "acme", "member1", OrgRole.MEMBER)  # type: ignore[operator]
    assert member.username == "member1"


async def test_staff_sessions_end_idle_after_8_hours_and_at_24_hours(world: World) -> None:
    staff, plain = await world.user("staff1"), await world.user("plain1")
    staff.is_staff = True
    await world.users.update(staff)
    throttle = LoginThrottle(world.cache)
    stamps = fakes.PlainStamps()
    log_in = LogInStaff(
        world.users, world.hasher, throttle, world.auditor, world.uow, world.clock, stamps
    )
    resume = ResumeStaffSession(world.users, world.clock, stamps)
    with pytest.raises(NotStaff):
        await log_in("plain1", Secret("password-1"), "client")
    assert world.data.audit[-1].action == "admin_login_refused"
    assert plain.username == "plain1"

    session = await log_in("staff1", Secret("password-1"), "client")
    for _ in range(3):  # busy: seen every 7 hours
        world.clock.advance(7 * 3600)
        _, session = await resume(session)
    world.clock.advance(3 * 3600 + 1)  # 24 hours and a second after the login
    with pytest.raises(AuthenticationFailed):
        await resume(session)

    session = await log_in("staff1", Secret("password-1"), "client")
    world.clock.advance(8 * 3600 + 1)
    with pytest.raises(AuthenticationFailed):  # idle 8 hours
        await resume(session)

    session = await log_in("staff1", Secret("password-1"), "client")
    await world.users.set_password_hash(staff.id, world.hasher.hash(Secret("password-2")))
    with pytest.raises(AuthenticationFailed):  # a new password ends it
        await resume(session)
