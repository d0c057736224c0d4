"""Webhooks in the domain: signatures, where a delivery may go, endpoint URLs, pausing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from haztrak.domain.errors import InvalidValue
from haztrak.domain.secrets import Secret
from haztrak.domain.webhooks import (
    WEBHOOK_RETRY,
    DeliveryAttempt,
    DeliveryStatus,
    PauseRule,
    WebhookDelivery,
    WebhookEndpoint,
    address_allowed,
    answer_problem,
    check_endpoint_url,
    check_kinds,
    event_body,
    new_secret,
    signature,
    signature_headers,
    verify_signature,
)

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_signature_is_the_hmac_of_id_timestamp_and_body_with_the_decoded_secret() -> None:
    key = b"k" * 32
    secret = Secret("whsec_" + base64.b64encode(key).decode())
    body = b'{"id":"e1"}'
    expected = hmac.new(key, b"e1.1700000000." + body, hashlib.sha256).digest()
    assert signature(secret, "e1", 1700000000, body) == "v1," + base64.b64encode(expected).decode()


def test_a_receiver_accepts_a_fresh_signed_body_and_refuses_tampering_or_old_timestamps() -> None:
    secret = new_secret()
    assert secret.reveal().startswith("whsec_")
    body = b'{"kind":"manifest.signed"}'
    headers = signature_headers(secret, "evt", 1_000_000, body)
    assert verify_signature(secret, headers, body, now=1_000_100)
    assert not verify_signature(secret, headers, body + b" ", now=1_000_100)
    assert not verify_signature(secret, headers, body, now=1_000_000 + 301)
    assert not verify_signature(new_secret(), headers, body, now=1_000_000)
    assert not verify_signature(secret, {**headers, "webhook-id": "other"}, body, now=1_000_000)
    rotated = {**headers, "webhook-signature": "v1,bm9wZQ== " + headers["webhook-signature"]}
    assert verify_signature(secret, rotated, body, now=1_000_000)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "10.255.255.254",
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "169.254.169.254",
        "192.168.1.10",
        "172.16.0.5",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::",
    ],
)
def test_private_loopback_link_local_and_special_addresses_are_refused(address: str) -> None:
    assert not address_allowed(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(ipaddress.ip_address(address), allow_private=False)


def test_the_setting_allows_private_and_loopback_addresses_but_never_unspecified() -> None:
    for address in ("127.0.0.1", "10.1.1.1", "::1", "169.254.1.1"):
        assert address_allowed(ipaddress.ip_address(address), allow_private=True)
    assert not address_allowed(ipaddress.ip_address("0.0.0.0"), allow_private=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "https"),
        ("ftp://hooks.example.com/x", "https"),
        ("https://user:pw@hooks.example.com/x", "user name or password"),
        ("https://10.0.0.1/x", "public address"),
        ("https://[::1]/x", "public address"),
        ("https://localhost/x", "public address"),
        ("https://metadata.internal/x", "public address"),
        ("https:///x", "host"),
        ("https://hooks.example.com/x#frag", "fragment"),
        ("https://hooks.example.com:99999/x", "valid URL"),
        ("", "https URL"),
    ],
)
def test_endpoint_urls_are_refused_with_the_field_named(url: str, message: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_endpoint_url(url, allow_insecure=False, allow_private=False)
    assert refused.value.field == "url"
    assert message in refused.value.message


def test_http_and_local_urls_only_where_the_setting_allows_them() -> None:
    url = "http://127.0.0.1:8170/hook"
    assert check_endpoint_url(url, allow_insecure=True, allow_private=True) == url
    assert (
        check_endpoint_url(
            " https://hooks.example.com/h ", allow_insecure=False, allow_private=False
        )
        == "https://hooks.example.com/h"
    )


def test_kinds_are_checked_against_the_known_ones() -> None:
    assert check_kinds(["b", "a", "a"], ["a", "b"]) == ("a", "b")
    with pytest.raises(InvalidValue, match="kinds"):
        check_kinds([], ["a"])
    with pytest.raises(InvalidValue, match="unknown kind 'c'"):
        check_kinds(["c"], ["a"])


def _endpoint() -> WebhookEndpoint:
    return WebhookEndpoint(
        id=uuid4(), org_id=uuid4(), url="https://h.example.com", kinds=("a",), created_at=T0
    )


def test_an_endpoint_pauses_after_n_failures_spanning_the_rule_and_a_success_resets() -> None:
    rule = PauseRule(failures=3, span=timedelta(hours=1))
    endpoint = _endpoint()
    assert not endpoint.failed(T0, rule)
    assert not endpoint.failed(T0 + timedelta(minutes=1), rule)
    assert not endpoint.failed(T0 + timedelta(minutes=2), rule)  # three, but within minutes
    endpoint.succeeded()
    assert endpoint.consecutive_failures == 0
    assert not endpoint.failed(T0 + timedelta(hours=2), rule)
    assert not endpoint.failed(T0 + timedelta(hours=2, minutes=30), rule)
    assert endpoint.failed(T0 + timedelta(hours=3), rule)  # third, an hour after the first
    assert endpoint.paused
    assert not endpoint.wants("a")
    assert not endpoint.failed(T0 + timedelta(hours=4), rule)  # paused once
    endpoint.resume()
    assert endpoint.wants("a")
    assert endpoint.consecutive_failures == 0
    endpoint.active = False
    assert not endpoint.wants("a")


def test_a_delivery_records_its_attempts_and_succeeds_on_a_2xx() -> None:
    delivery = WebhookDelivery(
        id=uuid4(),
        endpoint_id=uuid4(),
        org_id=uuid4(),
        event_id=uuid4(),
        kind="a",
        body="{}",
        created_at=T0,
    )
    delivery.record(
        DeliveryAttempt(
            number=1, at=T0, duration_ms=5, response_status=500, error=answer_problem(500)
        )
    )
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.error == "answered 500"
    delivery.record(DeliveryAttempt(number=2, at=T0, duration_ms=4, response_status=204))
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert delivery.delivered_at == T0
    assert answer_problem(302) is not None
    assert "redirect" in (answer_problem(302) or "")


def test_the_event_body_names_the_manifest_its_status_and_its_link() -> None:
    event_id = uuid4()
    body = msgspec.json.decode(
        event_body(
            event_id=event_id,
            kind="manifest.signed",
            at=T0,
            mtn="100000001ELC",
            status="Scheduled",
            link="https://h/api/manifest/100000001ELC",
        )
    )
    assert body == {
        "id": str(event_id),
        "kind": "manifest.signed",
        "time": "2026-12-03T12:00:00Z",
        "manifestTrackingNumber": "100000001ELC",
        "status": "Scheduled",
        "link": "https://h/api/manifest/100000001ELC",
    }


def test_deliveries_are_retried_for_a_day_with_growing_waits() -> None:
    waits, elapsed, attempts = [], 0.0, 1
    while (wait := WEBHOOK_RETRY.next_try(attempts, elapsed, 0.999)) is not None:
        waits.append(wait)
        elapsed += wait
        attempts += 1
    assert waits[0] < 60
    assert max(waits) <= 3600
    assert 86_000 <= elapsed <= 86_400
    assert 20 <= attempts <= 40


def test_the_verification_example_of_the_documentation_accepts_what_haztrak_signs() -> None:
    import re
    import time
    from pathlib import Path

    doc = (Path(__file__).parents[3] / "docs" / "webhooks.md").read_text()
    [code] = re.findall(r"```python\n(.*?)```", doc, re.S)
    namespace: dict[str, object] = {}
    exec(code, namespace)  # the documentation's own example
    verify = namespace["verify"]
    secret = new_secret()
    body = b'{"id":"e1","kind":"ping"}'
    headers = signature_headers(secret, "e1", int(time.time()), body)
    assert verify(secret.reveal(), headers, body)  # type: ignore[operator]
    assert not verify(secret.reveal(), headers, body + b"x")  # type: ignore[operator]
    stale = signature_headers(secret, "e1", int(time.time()) - 600, body)
    assert not verify(secret.reveal(), stale, body)  # type: ignore[operator]
