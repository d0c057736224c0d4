"""RCRAInfo's answers to the correction services, read: a correction's or a revert's report
with its version number, and the correction details as a version history."""

from __future__ import annotations

import pytest

from haztrak.adapters.rcrainfo import answers
from haztrak.adapters.rcrainfo.answers import Answer
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind
from haztrak.domain.manifest.corrections import VersionStatus

MTN = "100000042ELC"


def test_a_correction_report_keeps_the_version_number() -> None:
    body = {
        "reportId": "r-1",
        "manifestTrackingNumber": MTN,
        "operationStatus": "CorrectionCreated",
        "currentVersionNumber": 2,
        "date": "2026-12-03T12:00:00.000+0000",
        "errors": [],
        "warnings": [{"message": "ignored", "field": "Emanifest.generator.name"}],
    }
    report = answers.save_report(Answer(200, body), "the correction")
    assert (report.operation_status, report.current_version_number) == ("CorrectionCreated", 2)
    assert report.warnings[0].field == "Emanifest.generator.name"
    plain = answers.save_report(Answer(200, {**body, "currentVersionNumber": "x"}), "it")
    assert plain.current_version_number is None


def test_a_revert_without_a_version_under_correction_is_epas_error() -> None:
    body = {"code": " E_NoVersionForUnderCorrectionStatus ", "message": "no version"}
    with pytest.raises(RcrainfoError) as refused:
        answers.save_report(Answer(400, body), "the revert")
    assert refused.value.code == "E_NoVersionForUnderCorrectionStatus"
    assert refused.value.kind is RcrainfoErrorKind.VALIDATION


def test_a_lock_is_locked() -> None:
    body = {"code": "E_ManifestLockedAsyncSign", "message": "locked"}
    with pytest.raises(RcrainfoError) as refused:
        answers.save_report(Answer(400, body), "the correction")
    assert refused.value.kind is RcrainfoErrorKind.LOCKED


def test_correction_details_read_as_a_history_newest_first() -> None:
    body = {
        "manifestTrackingNumber": MTN,
        "emanifestVersions": [
            {"status": "Signed", "versionNumber": 1, "active": False, "epaSiteId": "VATESTGEN001"},
            {
                "status": "UnderCorrection",
                "versionNumber": 2,
                "active": True,
                "updatedBy": {"userId": "u1", "firstName": "A", "lastName": "B"},
                "somethingNew": "kept out",
            },
        ],
    }
    history = answers.version_history(body, MTN, "the versions")
    assert [v.version_number for v in history.versions] == [2, 1]
    assert history.under_correction is not None
    assert history.versions[0].status is VersionStatus.UNDER_CORRECTION
    assert answers.version_history({}, MTN, "the versions").versions == ()


def test_correction_details_that_do_not_fit_epas_schema_are_unreadable() -> None:
    with pytest.raises(RcrainfoError) as unreadable:
        answers.version_history(
            {"emanifestVersions": [{"status": "Bogus", "versionNumber": 1}]}, MTN, "the versions"
        )
    assert "cannot read" in unreadable.value.message
