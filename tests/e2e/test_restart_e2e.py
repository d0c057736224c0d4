"""The story of issue 11, section 1, on embedded defaults (`haztrak serve` alone, its e-Manifest
sandbox inside): submit a draft and sign it to Signed, stop the server, start it again on the
same HT_VAR_DIR, submit another draft. The sandbox remembers what it issued, so the second
draft gets a number of its own and the Signed manifest stays as it was."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from haztrak.entrypoints.sandbox import SandboxSettings, SandboxState
from tests.e2e.test_background_e2e import (
    GEN,
    TRANS1,
    Process,
    _environment,
    _free_port,
    _run,
    finished,
    logged_in,
    started,
    submit_and_sign,
)
from tests.manifest_documents import manifest_document
from tests.polling import eventually


def _serve(env: dict[str, str], workdir: Path, port: int, name: str) -> Process:
    server = Process(name, ["serve", "--port", str(port)], env, workdir)
    server.wait_for("Uvicorn running on")  # after the bind, not before it
    return server


async def _submit_draft(base: str) -> dict[str, Any]:
    async with logged_in(base, "testuser1") as generator:
        draft = await generator.post(
            "/api/manifest", json=manifest_document(transporters=(TRANS1,))
        )
        assert draft.status_code == 201, draft.text
        document = draft.json()
        document.pop("warnings")
        document["status"] = "Scheduled"
        response = await generator.post("/api/manifest/emanifest", json=document)
        return await finished(generator, await started(response))


async def _manifest(base: str, mtn: str) -> dict[str, Any]:
    async with logged_in(base, "testuser1") as generator:
        response = await generator.get(f"/api/manifest/{mtn}")
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document


async def test_a_restart_costs_no_manifest(tmp_path: Path) -> None:
    env = _environment(tmp_path, HT_TASK_LEASE_SECONDS="60")
    _run(env, tmp_path, "migrate")
    _run(env, tmp_path, "seed", "--demo")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    first = _serve(env, tmp_path, port, "serve-before")
    try:
        signed_mtn = await submit_and_sign(base)
        signed = await _manifest(base, signed_mtn)
    finally:
        first.stop(signal.SIGINT)
    assert signed["status"] == "Signed"
    assert signed["generator"]["signed"] is True
    assert (tmp_path / "var" / "sandbox" / "state.sqlite3").is_file()

    second = _serve(env, tmp_path, port, "serve-after")
    try:
        task = await _submit_draft(base)
        assert task["status"] == "SUCCESS", task
        new_mtn = task["result"]["manifestTrackingNumber"]
        assert new_mtn != signed_mtn
        assert int(new_mtn[:9]) > int(signed_mtn[:9])
        assert await _manifest(base, signed_mtn) == signed  # still Signed, not a byte changed
        assert (await _manifest(base, new_mtn))["status"] == "Scheduled"
        async with logged_in(base, "testuser1") as generator:
            listed = (await generator.get(f"/api/manifest/mtn/{GEN}")).json()
        numbers = {m["manifestTrackingNumber"] for m in listed}
        assert {signed_mtn, new_mtn} <= numbers
    finally:
        second.stop(signal.SIGINT)
    assert "state in" in second.output()


async def test_an_rcrainfo_that_forgot_cannot_overwrite_a_manifest(tmp_path: Path) -> None:
    """The same story with a throw-away sandbox, which starts over and issues the same number
    again, as the sandbox did before: the second submit fails and names the clash, the Signed
    manifest stays as it was and the draft stays a draft."""
    env = _environment(tmp_path, HT_TASK_LEASE_SECONDS="60", HT_SANDBOX_STATE="memory")
    _run(env, tmp_path, "migrate")
    _run(env, tmp_path, "seed", "--demo")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    first = _serve(env, tmp_path, port, "serve-before")
    try:
        signed_mtn = await submit_and_sign(base)
        signed = await _manifest(base, signed_mtn)
    finally:
        first.stop(signal.SIGINT)
    assert not (tmp_path / "var" / "sandbox" / "state.sqlite3").exists()

    second = _serve(env, tmp_path, port, "serve-after")
    try:
        task = await _submit_draft(base)
        assert task["status"] == "FAILURE", task
        assert signed_mtn in task["error"]["detail"]
        assert "already belongs to another manifest" in task["error"]["detail"]
        assert await _manifest(base, signed_mtn) == signed
        async with logged_in(base, "testuser1") as generator:
            listed = (await generator.get(f"/api/manifest/mtn/{GEN}")).json()
        drafts = [m for m in listed if m["status"] == "NotAssigned"]
        assert len(drafts) == 1  # the second draft, still a draft
    finally:
        second.stop(signal.SIGINT)


async def test_a_task_cut_off_by_a_stop_completes_after_the_restart(tmp_path: Path) -> None:
    """Killed while it waits for e-Manifest (a slow sandbox), the submit finishes once the
    server is back: the sandbox still knows whatever it was told before the stop."""
    env = _environment(tmp_path, HT_TASK_LEASE_SECONDS="3")
    _run(env, tmp_path, "migrate")
    _run(env, tmp_path, "seed", "--demo")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    first = _serve(env | {"HT_SANDBOX_LATENCY_MS": "1500"}, tmp_path, port, "serve-slow")
    try:
        async with logged_in(base, "testuser1") as generator:
            draft = await generator.post(
                "/api/manifest", json=manifest_document(transporters=(TRANS1,))
            )
            assert draft.status_code == 201, draft.text
            document = draft.json()
            document.pop("warnings")
            document["status"] = "Scheduled"
            task_id = await started(await generator.post("/api/manifest/emanifest", json=document))

            async def under_way() -> dict[str, Any] | None:
                task: dict[str, Any] = (await generator.get(f"/api/task/{task_id}")).json()
                return task if task["status"] == "STARTED" else None

            # the embedded worker may first run the start-up jobs' tasks against the slow
            # sandbox: on a loaded machine that takes a while
            await eventually(under_way, 120)
    finally:
        first.stop(signal.SIGKILL)

    second = _serve(env, tmp_path, port, "serve-again")
    try:
        async with logged_in(base, "testuser1") as generator:
            task = await finished(generator, task_id, within=60)
        assert task["status"] == "SUCCESS", task
        mtn = task["result"]["manifestTrackingNumber"]
        assert (await _manifest(base, mtn))["status"] == "Scheduled"
        async with logged_in(base, "testuser1") as generator:
            listed = (await generator.get(f"/api/manifest/mtn/{GEN}")).json()
        assert not [m for m in listed if m["status"] == "NotAssigned"]  # the draft went
    finally:
        second.stop(signal.SIGINT)
    with SandboxState(
        SandboxSettings(state_file=tmp_path / "var" / "sandbox" / "state.sqlite3")
    ) as state:
        made = [
            mtn
            for mtn, document in state.manifests.items()
            if any(
                comment.get("description") == task_id
                for comment in (document.get("additionalInfo") or {}).get("comments") or ()
            )
        ]
    assert made == [mtn]  # saved once in e-Manifest, however the stop fell
