"""Fault injection through the control endpoint: 5xx answers, latency, drops, token expiry."""

from __future__ import annotations

import time

import pytest
import requests
from emanifest import RcrainfoClient

from tests.integration.sandbox.support import GENERATOR_MANAGER, ClientFactory, Control


@pytest.fixture
def client(make_client: ClientFactory) -> RcrainfoClient:
    client = make_client(GENERATOR_MANAGER)
    client.authenticate()
    assert client.is_authenticated
    return client


def test_an_error_rate_of_one_answers_every_call_with_503(
    client: RcrainfoClient, control: Control
) -> None:
    faults = control.post("faults", {"errorRate": 1.0, "errorStatus": 503}).json()
    assert faults["errorRate"] == 1.0
    for _ in range(3):
        response = client.get_site("VATESTGEN001")
        assert response.status_code == 503
        assert response.json()["code"] == "E_SystemError"
    # The control endpoints are never faulted.
    assert control.get("faults")["errorStatus"] == 503
    assert control.delete("faults").json()["errorRate"] == 0.0
    assert client.get_site("VATESTGEN001").ok


def test_fail_next_answers_the_next_calls_with_500_then_recovers(
    client: RcrainfoClient, control: Control
) -> None:
    control.post("faults", {"failNext": 2, "errorStatus": 500})
    statuses = [client.get_site("VATESTGEN001").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert control.get("faults")["failNext"] == 0


def test_latency_delays_answers(client: RcrainfoClient, control: Control) -> None:
    control.post("faults", {"latencyMs": 400})
    started = time.monotonic()
    assert client.get_site("VATESTGEN001").ok
    assert time.monotonic() - started >= 0.4


def test_a_drop_closes_the_connection_without_an_answer(
    client: RcrainfoClient, control: Control
) -> None:
    control.post("faults", {"dropNext": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get_site("VATESTGEN001")
    assert client.get_site("VATESTGEN001").ok


def test_a_drop_rate_of_one_drops_every_call(client: RcrainfoClient, control: Control) -> None:
    control.post("faults", {"dropRate": 1.0})
    for _ in range(2):
        with pytest.raises(requests.exceptions.ConnectionError):
            client.get_site("VATESTGEN001")
    control.delete("faults")
    assert client.get_site("VATESTGEN001").ok


def test_forced_expiry_ends_every_live_token(client: RcrainfoClient, control: Control) -> None:
    assert client.get_site("VATESTGEN001").ok
    answer = control.post("faults", {"expireTokens": True}).json()
    assert answer["expiredTokens"] >= 1
    expired = client.get_site("VATESTGEN001")
    assert expired.status_code == 401
    assert expired.json()["code"] == "E_SecurityApiTokenExpired"
    client.authenticate()
    assert client.get_site("VATESTGEN001").ok


def test_bad_fault_settings_are_refused(control: Control) -> None:
    for body in (
        {"errorStatus": 404},
        {"errorRate": 2},
        {"latencyMs": -1},
        {"unknown": True},
    ):
        response = control.post("faults", body)
        assert response.status_code == 400, body
    assert control.get("faults")["errorStatus"] in (500, 503)
