"""schemathesis against the app in-process: as a signer and as an org admin, on embedded
defaults (SQLite) and on PostgreSQL + Redis, every operation of the OpenAPI document answers
without a 5xx, with a status code it documents and a body that matches its schema.

Bounded and deterministic (derandomized, no example database) so that it runs in CI in a
minute or two and fails the same way twice.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from dishka import make_async_container
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from haztrak.application.identity.auth import CreateApiToken
from haztrak.application.ports.persistence import UserRepository
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings, load_settings
from tests.http.conftest import CheapHashing, providers_for_tests
from tests.seeded import copy_seeded, migrate_and_seed, seeded_postgres

MAX_EXAMPLES = int(os.environ.get("HT_FUZZ_EXAMPLES", "6"))
SERVICES_EXAMPLES = max(1, MAX_EXAMPLES // 2)
"""On PostgreSQL and Redis the same derandomized cases run again (the first half of them):
what differs there is the storage, which the route matrix and the hostile-input tests drive
on both backends too."""
ROLES = ("testuser1", "orgadmin")  # a signer on the generator's sites; the org's admin
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(params=["embedded", "services"])
def fuzz_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    environ = {
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_SECRET_KEY": "fuzz-secret-key-" + "x" * 32,
        "HT_LOG_LEVEL": "CRITICAL",
    }
    if request.param == "services":
        environ["HT_DATABASE_URL"] = seeded_postgres(request, environ["HT_SECRET_KEY"])
        environ["HT_REDIS_URL"] = request.getfixturevalue("flushed_redis")
    return load_settings(environ, dotenv=None)


def _seeded(settings: Settings) -> dict[str, str]:
    """The schema and the demo data (a copy of the seeded template); a personal API token of
    each role."""

    async def run() -> dict[str, str]:
        if not await copy_seeded(settings):
            await migrate_and_seed(settings)
        container = make_async_container(*providers_for_tests(), context={Settings: settings})
        tokens = {}
        try:
            for username in ROLES:
                async with container() as scope:
                    user = await (await scope.get(UserRepository)).by_username(username)
                    assert user is not None
                    _, raw = await (await scope.get(CreateApiToken))(user, "fuzz")
                    tokens[username] = raw.reveal()
        finally:
            await container.close()
        return tokens

    with ThreadPoolExecutor(max_workers=1) as pool:  # the app's loop is schemathesis's own
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_api_answers_as_documented(fuzz_settings: Settings, role: str) -> None:
    token = _seeded(fuzz_settings)[role]
    examples = MAX_EXAMPLES if fuzz_settings.database.is_sqlite else SERVICES_EXAMPLES
    app = create_app(fuzz_settings, providers=[CheapHashing()], background=False)
    try:
        schema = schemathesis.openapi.from_asgi("/api/schema/openapi.json", app)
        failures: dict[str, str] = {}
        answered: Counter[tuple[str, int]] = Counter()
        operations = 0
        for result in schema.include(path_regex="^/api/").get_all_operations():
            operation = result.ok()
            operations += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz(operation, mode, token, answered, examples)
                except (Exception, BaseExceptionGroup) as error:  # all findings, not the first
                    failures[f"{operation.label} ({mode.value})"] = f"{error}"[:2_000]
    finally:
        shutdown_lifespans()
    assert operations > 30
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    # The run got past the login: many operations answered a success at least once (random
    # ids and slugs find nothing, so the others answer 404 or 422).
    succeeded = {label for (label, status), _ in answered.items() if status < 300}
    assert len(succeeded) > operations // 4, sorted(answered.items())


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    token: str,
    answered: Counter[tuple[str, int]],
    examples: int,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        answered[operation.label, response.status_code] += 1

    run()
