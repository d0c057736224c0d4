"""RCRAInfo tokens shared through the cache: encrypted, keyed by a hash, renewed early."""

from __future__ import annotations

from datetime import timedelta

from haztrak.adapters.cache.memory import MemoryCache
from haztrak.adapters.security.encryption import FernetSecretBox
from haztrak.application.rcrainfo.tokens import RcrainfoTokenStore
from haztrak.domain.secrets import Secret
from tests.fakes import FixedClock


def _store(cache: MemoryCache, clock: FixedClock, key: str = "k" * 40) -> RcrainfoTokenStore:
    return RcrainfoTokenStore(cache, FernetSecretBox(Secret(key)), clock, "https://sandbox/")


async def test_a_token_is_shared_encrypted_until_a_minute_before_it_expires() -> None:
    cache, clock = MemoryCache(), FixedClock()
    store = _store(cache, clock)
    expires = clock.now() + timedelta(minutes=20)
    await store.put("api-id-1", Secret("token-VALUE"), expires)
    other_worker = _store(cache, clock)
    shared = await other_worker.get("api-id-1")
    assert shared is not None
    assert (shared.token.reveal(), shared.expires_at) == ("token-VALUE", expires)
    assert await store.get("api-id-2") is None
    (key,) = cache._entries
    assert "api-id-1" not in key
    assert b"token-VALUE" not in cache._entries[key][1]
    clock.advance(19 * 60)
    assert await store.get("api-id-1") is None  # less than a minute left: log in again


async def test_a_token_from_another_secret_key_or_one_forgotten_is_a_miss() -> None:
    cache, clock = MemoryCache(), FixedClock()
    await _store(cache, clock).put("id", Secret("t"), clock.now() + timedelta(minutes=20))
    assert await _store(cache, clock, key="o" * 40).get("id") is None
    store = _store(cache, clock)
    assert await store.get("id") is not None
    await store.forget("id")
    assert await store.get("id") is None
    await store.put("id", Secret("t"), clock.now() + timedelta(seconds=30))  # too short to share
    assert await store.get("id") is None
