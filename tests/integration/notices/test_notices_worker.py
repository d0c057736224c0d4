"""Notices through the real worker and queue (in-memory broker, SQLite) to a real SMTP server
on 127.0.0.1: a manifest write records an event; the scheduled dispatch starts a task that
makes the notice and the e-mail task; the server refuses the first try (451) and the worker's
retry sends it, once."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import msgspec
import pytest
from aiosmtpd.controller import Controller

from haztrak.application.events.schedule import ScheduleEventDispatch
from haztrak.application.notices.queries import ListNotices, SetNoticePreferences
from haztrak.application.ports.manifests import ManifestRepository
from haztrak.application.ports.persistence import UnitOfWork, UserRepository
from tests.integration.tasks.support import (
    background_container,
    fake_rcrainfo,
    finished_task,
    running_worker,
    seeded,
    task_settings,
)
from tests.manifest_documents import a_manifest
from tests.polling import eventually

SMTP_PORT = 8162
MTN = "100000077ELC"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 1

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield handler
    controller.stop()


async def test_the_worker_tells_and_emails_once_after_a_refusal(
    tmp_path: Path, inbox: Inbox
) -> None:
    settings = task_settings(
        tmp_path,
        HT_SMTP_HOST="127.0.0.1",
        HT_SMTP_PORT=str(SMTP_PORT),
        HT_SMTP_SECURITY="none",
        HT_SMTP_FROM="Haztrak <noreply@example.org>",
        HT_PUBLIC_URL="https://haztrak.example.org",
    )
    container = background_container(settings, fake_rcrainfo())
    await seeded(settings, container)
    async with container() as scope:
        users = await scope.get(UserRepository)
        user = await users.by_username("testuser1")
        assert user is not None
        user = msgspec.structs.replace(user, email="testuser1@example.org")
        await users.update(user)
        await (await scope.get(UnitOfWork)).commit()
    async with container() as scope:
        await (await scope.get(SetNoticePreferences))(
            user, {"manifest.awaiting_signature": "email"}
        )
    async with container() as scope:  # as a sync from RCRAInfo stores a manifest
        manifests = await scope.get(ManifestRepository)
        await manifests.upsert_by_mtn(
            a_manifest(mtn=MTN, status="Scheduled"), owner_org_id=None, at=datetime.now(UTC)
        )
        await (await scope.get(UnitOfWork)).commit()

    async with running_worker(container):
        async with container() as scope:
            dispatch = await (await scope.get(ScheduleEventDispatch))()
        assert dispatch is not None
        done = await finished_task(container, dispatch.id)
        assert done.result == {"dispatched": 1, "failed": 0, "pruned": 0}

        async def sent() -> list[EmailMessage] | None:
            return inbox.messages or None

        (message,) = await eventually(sent, 30)
    assert inbox.refuse == 0  # the first try was refused, the retry went through
    assert message["To"] == "testuser1@example.org"
    text = message.get_body(("plain",))
    assert text is not None
    assert f"https://haztrak.example.org/manifests/{MTN}" in text.get_content()
    assert len(inbox.messages) == 1
    async with container() as scope:
        page = await (await scope.get(ListNotices))(user, limit=10)
    assert [n.mtn for n in page.items] == [MTN]
    await container.close()
