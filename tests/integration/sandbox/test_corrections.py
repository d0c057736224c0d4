"""The sandbox's versions of a manifest (corrections) are kept in its state file: a restarted
sandbox lists the same versions and reads the same content, and a reset forgets them with the
manifests they belong to. correction-version finds a version by number or by status."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from haztrak.entrypoints.sandbox import SandboxSettings, SandboxState, corrections
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS
from haztrak.entrypoints.sandbox.state import user_level_on
from haztrak.entrypoints.sandbox.users import Level, RcraUser


def _user(state: SandboxState) -> RcraUser:
    user = state.user_by_api_id(EXAMPLE_USER_CREDENTIALS[0])
    assert user is not None
    return user


def _signed(state: SandboxState, user: RcraUser) -> dict[str, Any]:
    for document in state.manifests.values():
        if (
            document.get("status") == "Signed"
            and document.get("submissionType") == "FullElectronic"
            and not document.get("locked")
            and user_level_on(user, document) >= Level.PREPARER
        ):
            return copy.deepcopy(document)
    raise AssertionError("no Signed manifest of the example user in the seed")


def _corrected(document: dict[str, Any], comment: str) -> dict[str, Any]:
    sent = copy.deepcopy(document)
    for index, waste in enumerate(sent.get("wastes") or []):
        waste["discrepancyResidueInfo"] = {
            "wasteQuantity": index == 0,
            "wasteType": False,
            "residue": False,
            **({"discrepancyComments": comment} if index == 0 else {}),
        }
    sent["rejection"] = False
    sent["containsPreviousRejectOrResidue"] = False
    return sent


def test_versions_survive_a_restart_and_a_reset_forgets_them(tmp_path: Path) -> None:
    settings = SandboxSettings(state_file=tmp_path / "state.sqlite3")
    with SandboxState(settings) as state:
        user = _user(state)
        document = _signed(state, user)
        mtn = document["manifestTrackingNumber"]
        status, report = corrections.correct(state, user, _corrected(document, "short"), None)
        assert status == 200, report
        assert (report["operationStatus"], report["currentVersionNumber"]) == (
            "CorrectionCreated",
            2,
        )
        before = corrections.correction_details(state, user, mtn)
    with SandboxState(settings) as state:
        user = _user(state)
        assert corrections.correction_details(state, user, mtn) == before
        content = corrections.correction_version(
            state, user, {"manifestTrackingNumber": mtn, "versionNumber": 2}
        )
        assert content["wastes"][0]["discrepancyResidueInfo"]["discrepancyComments"] == "short"
        by_status = corrections.correction_version(
            state, user, {"manifestTrackingNumber": mtn, "status": "Signed"}
        )
        assert by_status["status"] == "Signed"
        with pytest.raises(RcraError) as missing:
            corrections.correction_version(
                state, user, {"manifestTrackingNumber": mtn, "versionNumber": 9}
            )
        assert missing.value.code == "E_ManifestVersionNotFound"
        with pytest.raises(RcraError) as invalid:
            corrections.correction_version(state, user, {"versionNumber": 0})
        assert invalid.value.code == "E_SystemError"
        state.reset()
        assert state.versions == {}
    with SandboxState(settings) as state:
        assert state.versions == {}
        assert state.manifests[mtn]["status"] == "Signed"
