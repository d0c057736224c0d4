"""The webhook sender: the address guard (server-side request forgery) and the HTTP call,
against a receiver on 127.0.0.1."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from haztrak.adapters.webhooks.sender import HttpxWebhookSender, RefusedAddress, allowed_addresses
from haztrak.domain.webhooks import IpAddress
from tests.webhook_receiver import receiver


def resolving_to(*addresses: str):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> Sequence[IpAddress]:
        return [ipaddress.ip_address(a) for a in addresses]

    return resolve


@pytest.mark.parametrize(
    "addresses",
    [("10.1.2.3",), ("127.0.0.1",), ("::1",), ("169.254.169.254",), ("93.184.216.34", "10.0.0.1")],
)
async def test_a_name_resolving_to_any_private_address_is_refused(addresses: tuple[str]) -> None:
    with pytest.raises(RefusedAddress, match="private or local"):
        await allowed_addresses(
            "hooks.example.com", 443, allow_private=False, resolve=resolving_to(*addresses)
        )


async def test_a_name_resolving_to_public_addresses_is_allowed() -> None:
    found = await allowed_addresses(
        "hooks.example.com", 443, allow_private=False, resolve=resolving_to("93.184.216.34")
    )
    assert [str(a) for a in found] == ["93.184.216.34"]


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    async def fails(host: str, port: int) -> Sequence[IpAddress]:
        raise OSError("no such name")

    with pytest.raises(RefusedAddress, match="does not resolve"):
        await allowed_addresses("nowhere.example", 443, allow_private=False, resolve=fails)


async def test_the_sender_does_not_reach_loopback_unless_allowed() -> None:
    async with receiver() as hooks:
        sender = HttpxWebhookSender(allow_private=False, allow_insecure=True)
        sent = await sender.send(hooks.url, b"{}", {})
        assert sent.status is None
        assert "private or local" in (sent.error or "")
        assert hooks.received == []


async def test_the_sender_refuses_http_unless_allowed() -> None:
    sender = HttpxWebhookSender(allow_private=True, allow_insecure=False)
    sent = await sender.send("http://127.0.0.1:1/x", b"{}", {})
    assert "not https" in (sent.error or "")


async def test_the_sender_posts_the_body_with_the_headers_and_reports_the_answer() -> None:
    async with receiver(answers=[503]) as hooks:
        sender = HttpxWebhookSender(allow_private=True, allow_insecure=True)
        first = await sender.send(hooks.url, b'{"a":1}', {"webhook-id": "e1"})
        second = await sender.send(hooks.url, b'{"a":1}', {"webhook-id": "e1"})
    assert (first.status, second.status) == (503, 200)
    assert first.duration_ms >= 0
    assert first.error is None
    request = hooks.received[0]
    assert (request.method, request.path, request.body) == ("POST", "/hooks/haztrak", b'{"a":1}')
    assert request.headers["webhook-id"] == "e1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{hooks.port}"


async def test_redirects_are_not_followed() -> None:
    async with receiver(answers=[302]) as hooks:
        sender = HttpxWebhookSender(allow_private=True, allow_insecure=True)
        sent = await sender.send(hooks.url, b"{}", {})
    assert sent.status == 302
    assert len(hooks.received) == 1


async def test_a_closed_port_is_a_connection_failure_not_an_exception() -> None:
    sender = HttpxWebhookSender(allow_private=True, allow_insecure=True)
    sent = await sender.send("http://127.0.0.1:1/x", b"{}", {})
    assert sent.status is None
    assert sent.error == "could not connect"


async def test_a_name_is_resolved_once_and_the_request_goes_to_the_checked_address() -> None:
    asked: list[str] = []

    async def resolve(host: str, port: int) -> Sequence[IpAddress]:
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    async with receiver() as hooks:
        sender = HttpxWebhookSender(allow_private=True, allow_insecure=True, resolve=resolve)
        sent = await sender.send(f"http://hooks.test:{hooks.port}/in?x=1", b"{}", {})
    assert sent.status == 200
    assert asked == ["hooks.test"]
    assert hooks.received[0].headers["host"] == f"hooks.test:{hooks.port}"
    assert hooks.received[0].path == "/in?x=1"
