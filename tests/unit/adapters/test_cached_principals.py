"""CachedPrincipals: one database question for concurrent misses of the same caller."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest

from haztrak.adapters.cache.principals import CachedPrincipals, PrincipalCache
from haztrak.domain.access import Grants
from haztrak.domain.identity import User
from haztrak.domain.tokens import ApiToken


class SlowPrincipals:
    """Answers when the test opens the gate; counts the questions."""

    def __init__(self) -> None:
        self.asked = 0
        self.gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.fail = False
        self.user_id = uuid.uuid4()

    async def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return None

    async def user(self, user_id: uuid.UUID) -> User | None:
        self.asked += 1
        await asyncio.shield(self.gate)
        if self.fail:
            raise ConnectionError("database gone")
        return User(id=user_id, username="alice")

    async def grants(self, user_id: uuid.UUID) -> Grants:
        return Grants.build(user_id, {}, [], [])

    async def touch_token(self, token_id: uuid.UUID, at: datetime) -> None:
        return None


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_misses_ask_once_and_all_get_the_answer() -> None:
    inner = SlowPrincipals()
    principals = CachedPrincipals(inner, PrincipalCache())
    asks = [asyncio.create_task(principals.user(inner.user_id)) for _ in range(10)]
    await settle()
    assert inner.asked == 1
    inner.gate.set_result(None)
    users = await asyncio.gather(*asks)
    assert {u.username for u in users if u} == {"alice"}
    assert len({id(u) for u in users}) == 10  # each caller its own copy
    assert await principals.user(inner.user_id) is not None
    assert inner.asked == 1  # remembered


async def test_when_the_one_load_fails_the_others_ask_for_themselves() -> None:
    inner = SlowPrincipals()
    principals = CachedPrincipals(inner, PrincipalCache())
    first = asyncio.create_task(principals.user(inner.user_id))
    await settle()
    second = asyncio.create_task(principals.user(inner.user_id))
    await settle()
    inner.fail = True
    inner.gate.set_result(None)
    with pytest.raises(ConnectionError):
        await first
    with pytest.raises(ConnectionError):
        await second  # it asked again, and the database is still gone
    assert inner.asked == 2
    inner.fail = False
    assert (await principals.user(inner.user_id)).username == "alice"


async def test_a_cancelled_loader_does_not_cancel_the_waiters() -> None:
    inner = SlowPrincipals()
    principals = CachedPrincipals(inner, PrincipalCache())
    loader = asyncio.create_task(principals.user(inner.user_id))
    await settle()
    waiter = asyncio.create_task(principals.user(inner.user_id))
    await settle()
    loader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loader
    await settle()
    inner.gate.set_result(None)
    assert (await waiter).username == "alice"
